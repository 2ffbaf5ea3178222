"""Time for HyperbandSearchCV (random and BOHB) to reach the score that
RandomizedSearchCV(n_iter=40) reaches, against sklearn's random and halving
searches.

Same problem, prior (the same scipy.stats ``param_distributions`` for every
search), CV folds and seed for every search in one run. Every search runs with
``n_jobs=1`` so that fits happen one after the other in this process and a
timing scorer can time-stamp each evaluation: the *trace* of a search is, for
each evaluation at the maximum resource, the wall time since ``fit`` started
when its last fold was scored, and the best mean CV score so far.

* ``target``: RandomizedSearchCV(n_iter=40)'s best CV score, per seed.
* ``t_target``: wall time until a search's trace first reaches the target
  (only evaluations at the maximum resource count; ``inf`` if never).
* ``ratio``: ``t_target / wall time of RandomizedSearchCV(n_iter=40)`` (the
  issue's target is <= 1/3); averaged over the seeds where it was reached.
* ``@halving``: best CV score at the maximum resource reached by the time
  HalvingRandomSearchCV finished (equal wall time; nan: no evaluation at the
  maximum resource yet). Halving's own trace counts its last iteration, which
  may stop below ``max_resources``.
* ``test``: accuracy of ``best_estimator_`` on a held-out quarter of the data.

Hyperband runs ``--rounds`` rounds (each all its brackets, ``n_iter`` =
rounds x one round's evaluations) so that its trace can pass the target.

Run (about 15 minutes on 2 busy cores)::

    PYTHONPATH=. python benchmarks/hyperband_speed.py --seeds 0 1 2 \\
        --problems hgb_max_iter_digits svc_n_samples_synthetic
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time
import warnings

import numpy as np
from scipy.stats import loguniform, randint
from sklearn.datasets import load_digits, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.metrics import get_scorer
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    train_test_split,
)
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from sksearch import HyperbandSearchCV
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


PROBLEMS = {
    "hgb_max_iter_digits": problem_hgb_digits,
    "svc_n_samples_synthetic": problem_svc_synthetic,
    "svc_n_samples_digits": problem_svc_digits,
}


def run_one(name, make, X, y, Xt, yt, cv, top_resource):
    scorer = TimedScorer()
    search = make(scorer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - start
    res = search.cv_results_
    n_splits = cv.get_n_splits()
    done = np.array(scorer.times[n_splits - 1 :: n_splits]) - start
    scores = np.asarray(res["mean_test_score"], dtype=float)
    if "n_resources" in res:
        top = np.asarray(res["n_resources"]) == top_resource(search)
    else:
        top = np.ones(len(scores), dtype=bool)
    t = done[top]
    best = np.maximum.accumulate(np.where(np.isfinite(scores[top]), scores[top], -np.inf))
    return {
        "name": name,
        "wall": wall,
        "trace": (t, best),
        "best_cv": float(search.best_score_),
        "test": float(search.score(Xt, yt)),
        "n_eval": len(scores),
        "n_top": int(top.sum()),
    }


def time_to(trace, target):
    t, best = trace
    hit = np.flatnonzero(best >= target - 1e-12)
    return float(t[hit[0]]) if hit.size else float("inf")


def score_at(trace, when):
    t, best = trace
    ok = t <= when
    return float(best[ok][-1]) if ok.any() else float("nan")


def run_problem(pname, seed, rounds):
    X, y, est, space, res_kw = PROBLEMS[pname]()
    X, Xt, y, yt = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    # one Hyperband round from the smallest resource, as a count of evaluations
    max_r = len(X) if res_kw["max_resources"] == "auto" else res_kw["max_resources"]
    min_r = res_kw["min_resources"]
    if min_r == "smallest":
        min_r = 2 * cv.get_n_splits() * len(np.unique(y))
    one_round = round_evaluations(max_depth(min_r, max_r, 3), 3)

    def random40(scorer):
        return RandomizedSearchCV(est, space, n_iter=40, cv=cv, scoring=scorer,
                                  random_state=seed, n_jobs=1)

    def halving(scorer):
        return HalvingRandomSearchCV(est, space, n_candidates="exhaust", factor=3, cv=cv,
                                     scoring=scorer, random_state=seed, n_jobs=1,
                                     return_train_score=False, **res_kw)

    def hyperband(sampler):
        def make(scorer):
            return HyperbandSearchCV(est, space, n_iter=rounds * one_round, factor=3, cv=cv,
                                     scoring=scorer, random_state=seed, n_jobs=1,
                                     sampler=sampler, **res_kw)
        return make

    out = [
        run_one("random40", random40, X, y, Xt, yt, cv, None),
        # halving may stop below max_resources: its top is the largest resource it reached
        run_one("halving", halving, X, y, Xt, yt, cv, lambda s: s.n_resources_[-1]),
        run_one("hyperband", hyperband("random"), X, y, Xt, yt, cv, lambda s: s.max_resources_),
        run_one("bohb", hyperband("tpe"), X, y, Xt, yt, cv, lambda s: s.max_resources_),
    ]
    target = out[0]["best_cv"]
    t_random = out[0]["wall"]
    t_halving = out[1]["wall"]
    for r in out:
        r["t_target"] = time_to(r["trace"], target)
        r["ratio"] = r["t_target"] / t_random
        r["at_halving"] = score_at(r["trace"], t_halving)
        r["at_random"] = score_at(r["trace"], t_random)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS)[:2], choices=list(PROBLEMS))
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads per fit (1: no oversubscription on "
                             "a shared machine; HGB is 40x slower with it)")
    args = parser.parse_args()
    threadpool_limits(args.threads)
    for pname in args.problems:
        rows = {}
        for seed in args.seeds:
            for r in run_problem(pname, seed, args.rounds):
                rows.setdefault(r["name"], []).append(r)
                print(f"  {pname} seed={seed} {r['name']:<10} wall={r['wall']:6.1f}s "
                      f"best_cv={r['best_cv']:.4f} test={r['test']:.4f} "
                      f"t_target={r['t_target']:6.1f}s ratio={r['ratio']:.2f} "
                      f"@halving={r['at_halving']:.4f} evals={r['n_eval']} "
                      f"at_max={r['n_top']}", flush=True)
        print(f"\n## {pname}: {len(args.seeds)} seeds {args.seeds}, n_jobs=1, "
              f"Hyperband {args.rounds} rounds")
        print("| search | wall s | best CV | test acc | reached | t_target s | ratio "
              "| CV @halving wall | CV @random40 wall |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, rs in rows.items():
            reached = [r for r in rs if np.isfinite(r["t_target"])]
            def mean(k, rr=rs):
                v = [r[k] for r in rr if np.isfinite(r[k])]
                return np.mean(v) if v else float("nan")

            tt = np.mean([r["t_target"] for r in reached]) if reached else float("inf")
            ratio = np.mean([r["ratio"] for r in reached]) if reached else float("inf")
            print(f"| {name} | {mean('wall'):.1f} | {mean('best_cv'):.4f} | "
                  f"{mean('test'):.4f} | {len(reached)}/{len(rs)} | {tt:.1f} | {ratio:.2f} | "
                  f"{mean('at_halving'):.4f} | {mean('at_random'):.4f} |")
        print(flush=True)


if __name__ == "__main__":
    main()
