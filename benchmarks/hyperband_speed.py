"""Time for HyperbandSearchCV (random and BOHB) to reach the score that
RandomizedSearchCV(n_iter=40) reaches, against sklearn's random and halving
searches.

Same problem, prior (the same scipy.stats ``param_distributions`` for every
search), CV folds and seed for every search in one run. By default every
search runs with ``n_jobs=1`` so that fits happen one after the other in this
process and a timing scorer can time-stamp each evaluation: the *trace* of a
search is, for each evaluation at the maximum resource, the wall time since
``fit`` started when its last fold was scored, and the best mean CV score so far.

* ``target``: RandomizedSearchCV(n_iter=40)'s best CV score, per seed.
* ``t_target``: wall time until a search's trace first reaches the target
  (only evaluations at the maximum resource count; ``inf`` if never).
* ``ratio``: ``t_target / wall time of RandomizedSearchCV(n_iter=40)`` (the
  issue's target is <= 1/3). The mean is over every seed; a seed where the
  target was not reached counts with the search's whole wall time (a lower
  bound of its ratio), and the table says on how many seeds it was reached.
* ``@halving``: best CV score at the maximum resource reached by the time
  HalvingRandomSearchCV finished (equal wall time; nan: no evaluation at the
  maximum resource yet). Halving's own trace counts its last iteration, which
  may stop below ``max_resources``.
* ``@random40``: the same at Random40's wall time (the budget that Hyperband
  and BOHB are given: ``max_time`` = Random40's wall time, no new step of
  rungs starts after it).
* ``test``: accuracy of ``best_estimator_`` on a held-out quarter of the data.

Hyperband continues training from rung to rung (``warm_start="auto"``) on the
parameter resources; ``--cold`` adds a Hyperband run with ``warm_start=False``;
``--asha`` adds ``asynchronous=True`` (asynchronous successive halving over the
same plan's brackets) with the random and the BOHB sampler.

Each run appends one JSON line per (problem, seed, search) to ``--out``;
``--report`` turns such a file into the Markdown tables (per problem and
averaged over problems). Run each problem under the shared lock::

    for p in hgb_max_iter et_n_estimators sgd_max_iter svc_n_samples; do
      flock /tmp/bench.lock env OMP_NUM_THREADS=1 PYTHONPATH=. \
        python benchmarks/hyperband_speed.py --seeds 0 1 2 3 4 --problems $p \
        --out benchmarks/results/hyperband_speed.jsonl
    done
    PYTHONPATH=. python benchmarks/hyperband_speed.py \
        --report benchmarks/results/hyperband_speed.jsonl

``nas_epochs`` (an sksearch.nas MLP network on the digits, resource its
``max_epochs``, trained on one torch thread) needs PyTorch (``sksearch[nas]``);
its results go to a file of their own::

    flock /tmp/bench.lock env OMP_NUM_THREADS=1 PYTHONPATH=. \
      python benchmarks/hyperband_speed.py --seeds 0 1 2 --problems nas_epochs --asha \
      --out benchmarks/results/hyperband_speed_nas.jsonl

``--n-jobs N`` (N > 1) runs every search with ``n_jobs=N`` and measures in
wall time: the timing scorer cannot see evaluations in worker processes, so a
HyperbandSearchCV's trace is read from its checkpoint journal (``checkpoint=``
a temporary file; one record per finished evaluation, time-stamped when the
driver recorded it): for each record at the maximum resource, its time since
``fit`` started and the best score so far. RandomizedSearchCV and
HalvingRandomSearchCV have no journal: their trace is one point, their whole
wall time with their best score at the top resource (so their ``ratio`` is
1 for Random40 by definition, and Halving's is its wall over Random40's when it
reaches the target). Random40's best is the target and its wall time (at
``n_jobs=N``) the denominator and the ``max_time`` of the multi-fidelity
searches. Unlike the ``n_jobs=1`` ratio, where the wall time of one process is
also the summed compute, this ratio is wall over wall: evaluations running side
by side count once, and idle workers (a synchronous rung waiting for its
slowest fit) count too. Run it with ``--out`` to its own file, e.g.::

    flock /tmp/bench.lock env OMP_NUM_THREADS=1 PYTHONPATH=. \
      python benchmarks/hyperband_speed.py --n-jobs 2 --seeds 0 1 2 3 4 \
      --problems hgb_max_iter --asha \
      --out benchmarks/results/hyperband_speed_njobs2.jsonl

``--warm-vs-cold`` times one Hyperband round with and without continued
training (the same evaluations) on the parameter-resource problems.

``--costs`` times one evaluation (trained from scratch) at every resource level
of each problem, relative to one at the maximum resource: the fixed costs that
``min_resources="auto"`` accounts for. ``--searches`` picks the multi-fidelity
searches and ``--min-resources problem auto`` runs each of them with the
problem's ``min_resources`` and with ``"auto"`` (``auto:bohb`` for BOHB only),
so the two are compared within one run.
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import os
import shutil
import tempfile
import time
import warnings

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn.datasets import load_digits, make_classification
from sklearn.ensemble import ExtraTreesClassifier, HistGradientBoostingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import get_scorer
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from sksearch import HyperbandSearchCV
from sksearch._hyperband import _fixed_cost_resource
from sksearch._journal import _score_from_json, read_lines
from sksearch.optimizers.hyperband import max_depth, round_evaluations


class TimedScorer:
    """Accuracy, with the wall time of every call (n_jobs=1: one process)."""

    def __init__(self):
        self.scorer = get_scorer("accuracy")
        self.times = []

    def __call__(self, estimator, X, y):
        score = self.scorer(estimator, X, y)
        self.times.append(time.perf_counter())
        return score


def problem_hgb_digits():
    """Gradient boosting on digits (10 trees per iteration), resource max_iter."""
    X, y = load_digits(return_X_y=True)
    est = HistGradientBoostingClassifier(max_iter=27, early_stopping=False, random_state=0)
    space = {
        "learning_rate": loguniform(1e-3, 1.0),
        "max_leaf_nodes": randint(2, 64),
        "min_samples_leaf": randint(1, 100),
        "l2_regularization": loguniform(1e-4, 1e2),
    }
    return X, y, est, space, dict(resource="max_iter", max_resources=27, min_resources=1)


def problem_svc_synthetic():
    """An RBF SVC on 4000 samples (20 features, 5 % label noise), resource n_samples."""
    X, y = make_classification(n_samples=4000, n_features=20, n_informative=8,
                               flip_y=0.05, random_state=0)
    est = SVC()
    space = {"C": loguniform(1e-3, 1e4), "gamma": loguniform(1e-5, 1e1)}
    return X, y, est, space, dict(resource="n_samples", max_resources="auto",
                                  min_resources=100)


def problem_svc_digits():
    """An RBF SVC on digits, resource n_samples (near-saturated: 0.99)."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    est = SVC()
    space = {"C": loguniform(1e-3, 1e4), "gamma": loguniform(1e-5, 1e1)}
    return X, y, est, space, dict(resource="n_samples", max_resources="auto",
                                  min_resources="smallest")


def _synthetic(n_samples=4000, n_features=20, random_state=0):
    return make_classification(n_samples=n_samples, n_features=n_features,
                               n_informative=n_features // 2, flip_y=0.05,
                               class_sep=0.8, random_state=random_state)


def problem_hgb_max_iter():
    """HistGradientBoosting on 4000 x 20 synthetic samples, resource max_iter (3..81)."""
    X, y = _synthetic()
    est = HistGradientBoostingClassifier(max_iter=81, early_stopping=False, random_state=0)
    space = {
        "learning_rate": loguniform(1e-3, 1.0),
        "max_leaf_nodes": randint(2, 64),
        "min_samples_leaf": randint(1, 100),
        "l2_regularization": loguniform(1e-4, 1e2),
    }
    return X, y, est, space, dict(resource="max_iter", max_resources=81, min_resources=3)


def problem_et_n_estimators():
    """ExtraTrees on 4000 x 20 synthetic samples, resource n_estimators (3..81)."""
    X, y = _synthetic()
    est = ExtraTreesClassifier(n_estimators=81, random_state=0)
    space = {
        "max_features": uniform(0.05, 0.95),
        "min_samples_leaf": randint(1, 40),
        "max_depth": randint(2, 30),
        "criterion": ["gini", "entropy"],
    }
    return X, y, est, space, dict(resource="n_estimators", max_resources=81,
                                  min_resources=3)


def problem_sgd_max_iter():
    """A scaled SGDClassifier on 10000 x 50 synthetic samples, resource epochs (3..81)."""
    X, y = _synthetic(n_samples=10000, n_features=50)
    est = make_pipeline(StandardScaler(), SGDClassifier(tol=None, max_iter=81, random_state=0))
    space = {
        "sgdclassifier__alpha": loguniform(1e-7, 1e-1),
        "sgdclassifier__loss": ["hinge", "log_loss", "modified_huber", "perceptron"],
        "sgdclassifier__penalty": ["l2", "l1", "elasticnet"],
        "sgdclassifier__learning_rate": ["optimal", "invscaling", "constant", "adaptive"],
        "sgdclassifier__eta0": loguniform(1e-5, 1.0),
    }
    return X, y, est, space, dict(resource="sgdclassifier__max_iter", max_resources=81,
                                  min_resources=3)


def problem_svc_n_samples():
    """An RBF SVC on 4000 x 20 synthetic samples, resource n_samples (100..all)."""
    X, y = _synthetic()
    est = make_pipeline(StandardScaler(), SVC())
    space = {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-4, 1e1)}
    return X, y, est, space, dict(resource="n_samples", max_resources="auto",
                                  min_resources=100)


def problem_hgb_n_samples():
    """HistGradientBoosting (30 iterations) on 20000 x 20 synthetic samples, resource n_samples."""
    X, y = _synthetic(n_samples=20000, n_features=20)
    est = HistGradientBoostingClassifier(max_iter=30, early_stopping=False, random_state=0)
    space = {
        "learning_rate": loguniform(1e-2, 1.0),
        "max_leaf_nodes": randint(2, 64),
        "min_samples_leaf": randint(1, 100),
        "l2_regularization": loguniform(1e-4, 1e2),
    }
    return X, y, est, space, dict(resource="n_samples", max_resources="auto",
                                  min_resources=100)


def problem_et_n_samples():
    """ExtraTrees (8 trees) on 20000 x 20 synthetic samples, resource n_samples (100..all)."""
    X, y = _synthetic(n_samples=20000, n_features=20)
    est = ExtraTreesClassifier(n_estimators=8, random_state=0)
    space = {
        "max_features": uniform(0.05, 0.95),
        "min_samples_leaf": randint(1, 40),
        "max_depth": randint(2, 30),
        "criterion": ["gini", "entropy"],
    }
    return X, y, est, space, dict(resource="n_samples", max_resources="auto",
                                  min_resources=100)


def problem_nas_epochs(max_epochs=27, n_samples=None):
    """An sksearch MLP network (PyTorch, one thread) on digits, resource max_epochs (1..27)."""
    from sksearch.nas import MLPNetClassifier

    X, y = load_digits(return_X_y=True)
    X = X / 16.0  # pixels in [0, 1]; per-feature standardisation blows up near-constant pixels
    if n_samples is not None:  # a smaller problem (the smoke test)
        X, y = X[:n_samples], y[:n_samples]
    # n_threads=1: torch trains on one thread, as every other problem does
    est = MLPNetClassifier(max_epochs=max_epochs, standardize=False, device="cpu",
                           n_threads=1, random_state=0)
    # one sub-space per depth (1 to 3 hidden layers), each with its layers' widths
    common = {
        "lr": loguniform(1e-4, 3e-2),
        "weight_decay": loguniform(1e-6, 1e-2),
        "dropout": uniform(0.0, 0.5),
        "batch_size": [64, 128, 256],
    }
    widths = [32, 64, 128, 256]
    space = [
        {"n_layers": [depth], **{f"units_{i}": widths for i in range(1, depth + 1)}, **common}
        for depth in (1, 2, 3)
    ]
    return X, y, est, space, dict(resource="max_epochs", max_resources=max_epochs,
                                  min_resources=1)


PROBLEMS = {
    "hgb_max_iter": problem_hgb_max_iter,
    "et_n_estimators": problem_et_n_estimators,
    "sgd_max_iter": problem_sgd_max_iter,
    "svc_n_samples": problem_svc_n_samples,
    "et_n_samples": problem_et_n_samples,
    "hgb_n_samples": problem_hgb_n_samples,
    "nas_epochs": problem_nas_epochs,
    # the problems of the first session (slower or saturated)
    "hgb_max_iter_digits": problem_hgb_digits,
    "svc_n_samples_synthetic": problem_svc_synthetic,
    "svc_n_samples_digits": problem_svc_digits,
}


def _top_trace(times, scores, top):
    """(times, best score so far) of the evaluations at the top resource."""
    scores = np.asarray(scores, dtype=float)[top]
    best = np.maximum.accumulate(np.where(np.isfinite(scores), scores, -np.inf))
    return np.asarray(times, dtype=float)[top], best


def journal_trace(path, start, top_resource):
    """The trace of a search from its checkpoint journal at ``path``: for each
    record at ``top_resource`` (``more["n_resources"]``), the wall-clock time
    the driver recorded it minus ``start`` (``time.time()`` at ``fit``), and
    the best score so far among those records."""
    records = sorted(read_lines(path, "checkpoint")[0][1:], key=lambda r: r["index"])
    times = [r["time"] - start for r in records]
    scores = [_score_from_json(r["score"]) for r in records]
    top = np.array([r.get("more", {}).get("n_resources") == top_resource for r in records],
                   dtype=bool)
    return _top_trace(times, scores, top)


def run_one(name, make, X, y, Xt, yt, cv, top_resource, n_jobs=1, journal=False):
    """Fit one search; ``make(scoring, checkpoint)`` builds it. With
    ``n_jobs=1`` the trace comes from a timing scorer; with more, from the
    checkpoint journal if ``journal`` (HyperbandSearchCV), else it is one
    point: the whole wall time and the best score at the top resource."""
    scorer = TimedScorer() if n_jobs == 1 else "accuracy"
    tmp = tempfile.mkdtemp(prefix="hyperband_speed_") if n_jobs > 1 and journal else None
    checkpoint = os.path.join(tmp, "journal.jsonl") if tmp else None
    try:
        search = make(scorer, checkpoint)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start, start_clock = time.perf_counter(), time.time()
            search.fit(X, y)
            wall = time.perf_counter() - start
        res = search.cv_results_
        scores = np.asarray(res["mean_test_score"], dtype=float)
        if "n_resources" in res:
            top = np.asarray(res["n_resources"]) == top_resource(search)
        else:
            top = np.ones(len(scores), dtype=bool)
        if n_jobs == 1:
            n_splits = cv.get_n_splits()
            trace = _top_trace(np.array(scorer.times[n_splits - 1 :: n_splits]) - start,
                               scores, top)
        elif checkpoint:
            trace = journal_trace(checkpoint, start_clock, top_resource(search))
        else:
            trace = _top_trace(np.full(len(scores), wall), scores, top)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return {
        "name": name,
        "wall": wall,
        "trace": trace,
        "best_cv": float(search.best_score_),
        "test": float(search.score(Xt, yt)),
        "n_eval": len(scores),
        "n_top": int(top.sum()),
        "n_warm": int(np.sum(res.get("warm_started", []))),
        "min_resources_": (int(search.min_resources_)
                           if hasattr(search, "min_resources_") else None),
        "n_jobs": n_jobs,
    }


def time_to(trace, target):
    t, best = trace
    hit = np.flatnonzero(best >= target - 1e-12)
    return float(t[hit[0]]) if hit.size else float("inf")


def score_at(trace, when):
    t, best = trace
    ok = t <= when
    return float(best[ok][-1]) if ok.any() else float("nan")


# the multi-fidelity searches: (sampler, warm_start, asynchronous)
SEARCHES = {
    "hyperband": ("random", "auto", False),
    "bohb": ("tpe", "auto", False),
    "asha": ("random", "auto", True),
    "asha-bohb": ("tpe", "auto", True),
    "gp": ("gp", "auto", False),
    "asha-gp": ("gp", "auto", True),
    "hyperband-cold": ("random", False, False),
}


def _min_resources(value, res_kw, est, cv, X, y):
    """The smallest resource a search with ``min_resources=value`` starts at."""
    max_r = len(X) if res_kw["max_resources"] == "auto" else res_kw["max_resources"]
    smallest = (2 * cv.get_n_splits() * len(np.unique(y))
                if res_kw["resource"] == "n_samples" else 1)
    if value == "smallest" or value == "exhaust":
        return smallest, max_r
    if value == "auto":
        fixed = _fixed_cost_resource(est, res_kw["resource"], max_r)
        return min(max(smallest, int(np.ceil(fixed))), max_r), max_r
    return int(value), max_r


def run_problem(pname, seed, rounds, searches=("hyperband", "bohb"), min_resources=("problem",),
                n_jobs=1, pre_dispatch="2*n_jobs"):
    """Random40, Halving (with the problem's min_resources), then each search
    of ``searches`` with each value of ``min_resources`` ("problem": the
    problem's own; any other value is passed to HyperbandSearchCV and named
    in the search's name, e.g. ``bohb min=auto``)."""
    X, y, est, space, res_kw = PROBLEMS[pname]()
    X, Xt, y, yt = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)

    def random40(scorer, checkpoint):
        return RandomizedSearchCV(est, space, n_iter=40, cv=cv, scoring=scorer,
                                  random_state=seed, n_jobs=n_jobs)

    def halving(scorer, checkpoint):
        return HalvingRandomSearchCV(est, space, n_candidates="exhaust", factor=3, cv=cv,
                                     scoring=scorer, random_state=seed, n_jobs=n_jobs,
                                     return_train_score=False, **res_kw)

    def hyperband(sampler, warm_start, asynchronous, budget, min_value):
        kw = dict(res_kw)
        if min_value != "problem":
            kw["min_resources"] = int(min_value) if min_value.isdigit() else min_value
        # n_iter: whole rounds from the smallest resource (max_time stops earlier)
        one_round = round_evaluations(
            max_depth(*_min_resources(kw["min_resources"], res_kw, est, cv, X, y), 3), 3)

        def make(scorer, checkpoint):
            return HyperbandSearchCV(est, space, n_iter=rounds * one_round, factor=3, cv=cv,
                                     scoring=scorer, random_state=seed, n_jobs=n_jobs,
                                     pre_dispatch=pre_dispatch, sampler=sampler, max_time=budget,
                                     warm_start=warm_start, asynchronous=asynchronous,
                                     checkpoint=checkpoint, **kw)
        return make

    out = [run_one("random40", random40, X, y, Xt, yt, cv, None, n_jobs)]
    # the budget of Hyperband and BOHB: Random40's wall time
    budget = out[0]["wall"]
    # halving may stop below max_resources: its top is the largest resource it reached
    out.append(run_one("halving", halving, X, y, Xt, yt, cv, lambda s: s.n_resources_[-1],
                       n_jobs))
    for spec in min_resources:
        # "auto", or "problem:bohb,asha" for only those searches
        min_value, _, only = spec.partition(":")
        for name in (only.split(",") if only else searches):
            label = name if min_value == "problem" else f"{name} min={min_value}"
            out.append(run_one(label, hyperband(*SEARCHES[name], budget, min_value), X, y,
                               Xt, yt, cv, lambda s: s.max_resources_, n_jobs, journal=True))
    target = out[0]["best_cv"]
    t_random = out[0]["wall"]
    t_halving = out[1]["wall"]
    for r in out:
        r["t_target"] = time_to(r["trace"], target)
        # not reached: the whole run is a lower bound of the time to reach it
        r["reached"] = bool(np.isfinite(r["t_target"]))
        r["ratio"] = (r["t_target"] if r["reached"] else r["wall"]) / t_random
        r["at_halving"] = score_at(r["trace"], t_halving)
        r["at_random"] = score_at(r["trace"], t_random)
        r["final"] = score_at(r["trace"], np.inf)
        r["problem"], r["seed"] = pname, seed
        del r["trace"]
    return out


def warm_vs_cold(pname, seed):
    """One Hyperband round with and without continued training: wall and CPU
    time of ``fit`` (n_jobs=1: every fit in this process) and whether the
    evaluations' scores are the same."""
    X, y, est, space, res_kw = PROBLEMS[pname]()
    X, _, y, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    out = {}
    for warm_start in ("auto", False):
        search = HyperbandSearchCV(est, space, factor=3, cv=cv, random_state=seed, n_jobs=1,
                                   warm_start=warm_start, refit=False, **res_kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start, cpu = time.perf_counter(), time.process_time()
            search.fit(X, y)
            wall = time.perf_counter() - start
            cpu = time.process_time() - cpu
        res = search.cv_results_
        out[warm_start] = (wall, cpu,
                           np.asarray(res["mean_test_score"]), int(np.sum(res["warm_started"])),
                           len(res["params"]))
    (w_wall, w_cpu, w_scores, n_warm, n), (c_wall, c_cpu, c_scores, _, _) = out.values()
    same = bool(np.allclose(w_scores, c_scores))
    print(f"| {pname} | {seed} | {n} ({n_warm}) | {c_wall:.1f} | {w_wall:.1f} | "
          f"{w_wall / c_wall:.2f} | {c_cpu:.1f} | {w_cpu:.1f} | {w_cpu / c_cpu:.2f} | "
          f"{'yes' if same else 'no'} |", flush=True)


def rung_costs(pname, seed, n_candidates=6):
    """What one evaluation (3-fold fit and score, trained from scratch) costs at
    each resource level of the problem, relative to one at the maximum
    resource: the same candidates at every level, levels interleaved per
    candidate so that a change of load falls on all of them alike. Prints one
    Markdown row per level: resource, its share of the maximum, the measured
    cost share, and their quotient (the overhead factor: 1 = cost proportional
    to the resource; 2 = half of the evaluation is fixed cost)."""
    from sklearn.base import clone
    from sklearn.model_selection import ParameterSampler

    X, y, est, space, res_kw = PROBLEMS[pname]()
    X, _, y, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=seed).split(X, y))
    resource = res_kw["resource"]
    max_r = (len(folds[0][0]) if resource == "n_samples" else res_kw["max_resources"])
    smallest = 30 if resource == "n_samples" else 1  # two classes in a random subsample
    levels = [r for r in (int(max_r / 3**k + 0.5) for k in range(12)) if r >= smallest]
    rng = np.random.RandomState(seed)
    cands = list(ParameterSampler(space, n_candidates, random_state=seed))
    times = {r: [] for r in levels}
    for params in cands:
        for r in levels:
            start = time.perf_counter()
            for train, test in folds:
                if resource == "n_samples":
                    train = rng.choice(train, size=r, replace=False)
                    model = clone(est).set_params(**params)
                else:
                    model = clone(est).set_params(**params, **{resource: r})
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X[train], y[train])
                model.score(X[test], y[test])
            times[r].append(time.perf_counter() - start)
    full = np.median(times[max_r])
    for r in levels:
        share = np.median(times[r]) / full
        print(f"| {pname} | {resource} | {r} | {r / max_r:.4f} | {share:.4f} | "
              f"{share / (r / max_r):.2f} | {np.median(times[r]):.3f} |", flush=True)


def _mean(rows, key):
    v = [r[key] for r in rows if r[key] is not None and np.isfinite(r[key])]
    return float(np.mean(v)) if v else float("nan")


def _mean_of_some(rows, key):
    """The mean over the rows that have a value, and how many do if not all."""
    n = sum(r[key] is not None and np.isfinite(r[key]) for r in rows)
    text = f"{_mean(rows, key):.4f}"
    return text if n == len(rows) else f"{text} ({n}/{len(rows)})"


NAMES = ["random40", "halving", "hyperband", "bohb", "asha", "asha-bohb", "gp", "asha-gp",
         "hyperband-cold"]


def report(rows):
    """Markdown tables: one per problem, then the averages over problems."""
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    lines = []
    summary = {}
    names = NAMES + [n for n in dict.fromkeys(r["name"] for r in rows) if n not in NAMES]
    for pname in problems:
        prow = [r for r in rows if r["problem"] == pname]
        seeds = sorted({r["seed"] for r in prow})
        jobs = "/".join(str(j) for j in sorted({r.get("n_jobs", 1) for r in prow}))
        clock = "" if jobs == "1" else " (every time is wall time; see --n-jobs)"
        lines += [
            f"### {pname}: {PROBLEMS[pname].__doc__.strip()}",
            "",
            f"{len(seeds)} seeds {seeds}, 3-fold CV, n_jobs={jobs}{clock}.",
            "",
            "| search | min res | wall s | evals (at max) | warm-started | reached | ratio mean "
            "| ratio median | ratio per seed | final CV | CV @halving wall | CV @random40 wall "
            "| test acc |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name in names:
            rs = sorted((r for r in prow if r["name"] == name), key=lambda r: r["seed"])
            if not rs:
                continue
            per_seed = " ".join(
                f"{r['ratio']:.2f}" if r["reached"] else f">{r['ratio']:.2f}" for r in rs
            )
            n_reached = sum(r["reached"] for r in rs)
            median = float(np.median([r["ratio"] for r in rs]))
            summary.setdefault(name, []).append({
                "ratio": _mean(rs, "ratio"), "median": median, "reached": n_reached / len(rs),
                "final": _mean(rs, "final"), "at_halving": _mean(rs, "at_halving"),
                "at_random": _mean(rs, "at_random"), "test": _mean(rs, "test"),
            })
            mins = sorted({r.get("min_resources_") for r in rs} - {None})
            lines.append(
                f"| {name} | {'/'.join(map(str, mins)) or '-'} | {_mean(rs, 'wall'):.1f} | {_mean(rs, 'n_eval'):.0f} "
                f"({_mean(rs, 'n_top'):.0f}) | {_mean(rs, 'n_warm'):.0f} | "
                f"{n_reached}/{len(rs)} | {_mean(rs, 'ratio'):.2f} | {median:.2f} | {per_seed} | "
                f"{_mean(rs, 'final'):.4f} | {_mean_of_some(rs, 'at_halving')} | "
                f"{_mean(rs, 'at_random'):.4f} | {_mean(rs, 'test'):.4f} |"
            )
        lines.append("")
    lines += [
        f"### Averaged over the {len(problems)} problems",
        "",
        "| search | ratio mean | ratio median (mean over problems) | seeds reached "
        "| final CV | CV @halving wall | CV @random40 wall | test acc |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        if name not in summary:
            continue
        ps = summary[name]
        lines.append(
            f"| {name} | {_mean(ps, 'ratio'):.2f} | {_mean(ps, 'median'):.2f} | "
            f"{100 * _mean(ps, 'reached'):.0f} % | "
            f"{_mean(ps, 'final'):.4f} | {_mean_of_some(ps, 'at_halving')} | "
            f"{_mean(ps, 'at_random'):.4f} | {_mean(ps, 'test'):.4f} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS)[:4],
                        choices=list(PROBLEMS))
    parser.add_argument("--rounds", type=int, default=5,
                        help="Hyperband rounds (n_iter); max_time stops it earlier")
    parser.add_argument("--asha", action="store_true",
                        help="add asynchronous successive halving (random and BOHB)")
    parser.add_argument("--cold", action="store_true",
                        help="also run Hyperband with warm_start=False")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads per fit (1: no oversubscription on "
                             "a shared machine; HGB is 40x slower with it)")
    parser.add_argument("--n-jobs", type=int, default=1,
                        help="n_jobs of every search (default 1); above 1 the traces of "
                             "the HyperbandSearchCV runs come from their checkpoint journals "
                             "and every ratio is wall time over Random40's wall time")
    parser.add_argument("--pre-dispatch", default="2*n_jobs",
                        help="pre_dispatch of the HyperbandSearchCV runs (default '2*n_jobs', "
                             "joblib's and sklearn's)")
    parser.add_argument("--out", help="append the results (JSON lines) to this file")
    parser.add_argument("--report", metavar="JSONL",
                        help="print the Markdown tables of a results file and exit")
    parser.add_argument("--warm-vs-cold", action="store_true",
                        help="time one Hyperband round with and without continued "
                             "training on the parameter-resource problems, and exit")
    parser.add_argument("--searches", nargs="+", choices=list(SEARCHES),
                        help="the multi-fidelity searches to run (default: hyperband and "
                             "bohb, with those of --asha and --cold)")
    parser.add_argument("--min-resources", nargs="+", default=["problem"],
                        help="min_resources of the multi-fidelity searches: 'problem' (the "
                             "problem's own, as Halving's) or values for HyperbandSearchCV "
                             "('auto', 'exhaust', an integer); each is run, with every "
                             "search or, written 'auto:bohb,asha', with those")
    parser.add_argument("--costs", action="store_true",
                        help="time one evaluation at every resource level of each "
                             "problem (relative to the maximum resource), and exit")
    args = parser.parse_args()
    if args.n_jobs < 1:
        parser.error(f"--n-jobs must be a positive integer, got {args.n_jobs}")
    if args.costs:
        threadpool_limits(args.threads)
        print("| problem | resource | r | r / max | cost / cost(max) | overhead factor "
              "| s per evaluation |")
        print("|---|---|---|---|---|---|---|")
        for pname in args.problems:
            for seed in args.seeds:
                rung_costs(pname, seed)
        return
    if args.warm_vs_cold:
        threadpool_limits(args.threads)
        print("| problem | seed | evals (warm-started) | cold wall s | warm wall s | ratio "
              "| cold CPU s | warm CPU s | ratio | same scores |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for pname in args.problems:
            if PROBLEMS[pname]()[4]["resource"] != "n_samples":
                for seed in args.seeds:
                    warm_vs_cold(pname, seed)
        return
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            print(report([json.loads(line) for line in f if line.strip()]), end="")
        return
    threadpool_limits(args.threads)
    rows = []
    for pname in args.problems:
        for seed in args.seeds:
            load = os.getloadavg()[0]
            searches = args.searches or (
                ["hyperband", "bohb"] + ["asha", "asha-bohb"] * args.asha
                + ["hyperband-cold"] * args.cold)
            for r in run_problem(pname, seed, args.rounds, searches, args.min_resources,
                                 args.n_jobs, args.pre_dispatch):
                r["load"] = load
                rows.append(r)
                print(f"  {pname} seed={seed} {r['name']:<14} wall={r['wall']:6.1f}s "
                      f"best_cv={r['best_cv']:.4f} test={r['test']:.4f} "
                      f"t_target={r['t_target']:6.1f}s ratio={r['ratio']:.2f} "
                      f"@halving={r['at_halving']:.4f} evals={r['n_eval']} "
                      f"at_max={r['n_top']} warm={r['n_warm']} load={load:.1f}",
                      flush=True)
                if args.out:
                    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
                    with open(args.out, "a", encoding="utf-8") as f:
                        f.write(json.dumps(r) + "\n")
    print()
    print(report(rows), end="", flush=True)


if __name__ == "__main__":
    main()
