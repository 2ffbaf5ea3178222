"""The Bayesmark protocol: 16 rounds of 8 suggestions on scikit-learn models.

The 2020 black-box optimisation challenge ranked optimisers with the
Bayesmark harness, which no longer imports on current scikit-learn. This
module re-implements its protocol on the sksearch benchmark machinery:

- **Problems** (``bayesmark_spaces.py``): Bayesmark's 9 models on breast,
  digits, iris, wine (metrics ``acc`` and ``nll``) and diabetes (``mae`` and
  ``mse``), named as Bayesmark names them, ``model_dataset_metric``
  (``DT_wine_acc``, ``kNN_breast_nll``...). Data as scikit-learn ships it
  (no scaling, as in Bayesmark).
- **Objective**: as Bayesmark, 20% of the data is held out (shuffled, with
  the run's seed; Bayesmark's "generalization" objective, not used here) and
  the visible objective is the mean 5-fold cross-validation loss on the other
  80%: ``StratifiedKFold`` for classifiers, ``KFold`` for regressors, both
  shuffled with the run's seed. The folds are passed to every optimiser as
  an explicit list of (train, test) indices, so all optimisers of a seed see
  the same splits. The loss is minus scikit-learn's score (``accuracy``,
  ``neg_log_loss``, ``neg_mean_absolute_error``, ``neg_mean_squared_error``).
  The estimators' own ``random_state`` is left unset, as in Bayesmark, so the
  randomised models (DT and RF with ``max_features`` < 1, MLP, ada) give a
  noisy objective.
- **Budget**: 16 rounds of a batch of 8 suggestions; each optimiser is asked
  for 8 candidates, the 8 are evaluated, then it is told the 8 results.
- **Optimisers** (how each is batched):

  - ``random``: ``ParameterSampler`` over the space (log-uniform on log
    ranges), seeded; Bayesmark's reference.
  - ``sksearch-bayes`` / ``sksearch-tpe``: ``BayesSearchCV`` / ``TPESearchCV``
    driven by their own ``fit`` with ``n_iter=128, batch_size=8`` (their
    ask/tell is per round of ``batch_size``), results read from
    ``cv_results_`` (its ``iter`` column is the round).
  - ``optuna-tpe``: ``TPESampler(constant_liar=True)``; 8 ``study.ask()``
    (each trial's parameters drawn before the next ask, so the liar sees the
    pending ones), 8 evaluations, then 8 ``study.tell``.
  - ``optuna-gp``: ``GPSampler`` with the same batch handling (it accounts
    for running trials itself).
  - ``skopt``: scikit-optimize ``Optimizer`` (GP, its defaults),
    ``ask(n_points=8)`` (constant liar ``cl_min``) then ``tell`` of the 8.
    A failed evaluation is told as the worst loss seen so far (it takes no
    NaN).
  - ``hyperopt-tpe``: ``fmin(tpe.suggest, max_queue_len=8)``: with serial
    ``Trials`` it enqueues 8 suggestions (pending ones are not seen by TPE,
    as in Bayesmark's hyperopt wrapper), evaluates them, and repeats; the
    sizes of the batches it asked for are recorded in ``info``.
  - ``hebo``: HEBO in its own virtual environment
    (``benchmarks/.venv-hebo``, or the one ``$BAYESMARK_HEBO_VENV`` names:
    it pins numpy < 1.25), driven as a subprocess that only suggests and
    observes (``suggest(n_suggestions=8)`` / ``observe``, one JSON line per
    message on its stdin and stdout); the evaluations run here, on the same
    splits. A failed evaluation is told as the worst loss seen so far.
    Unavailable, with the reason, when that environment or HEBO is missing.
    The environment (the pins avoid pip's backtracking)::

        python3.11 -m venv benchmarks/.venv-hebo
        benchmarks/.venv-hebo/bin/pip install HEBO==0.3.6 numpy==1.24.4 \\
            pandas==2.0.3 scipy==1.11.4 scikit-learn==1.3.2 torch==2.13.0+cpu \\
            gpytorch==1.11 linear-operator==0.5.2 jaxtyping==0.2.19 \\
            typeguard==2.13.3 pymoo==0.6.0 matplotlib==3.7.5 catboost==1.2.5 \\
            GPy==1.13.2

- **Score** (Bayesmark's ``experiment_baseline.py`` and
  ``experiment_analysis.py``). Bayesmark evaluates every study of a test case
  on one split (``shuffle_seed=0``) and pools its studies; here every seed has
  its own splits, so each (problem, seed) is one objective and its references
  come from the runs of that seed (a pool over seeds would compare losses of
  different splits). Per problem and seed, over every optimiser:

  - ``opt`` = the lowest loss any optimiser reached (every evaluation),
    moved down by ``10000 * spacing(max(|opt|, tiny))`` as Bayesmark does so
    it is strictly below every value;
  - ``clip`` = the median of random search's evaluations (Bayesmark's
    order-statistic quantile: the ``ceil(n/2)``-th smallest);
  - for a run, ``S_r`` = its best-so-far loss after round ``r``;
    normalised loss ``n_r = clip((S_r - opt) / (clip - opt), -1, 1)``, so 0
    is the best seen, 1 (and worse, clipped) the median random evaluation;
  - per problem, mean of ``n_r`` over seeds; then mean over problems: the
    **mean normalised loss**. Bayesmark's leaderboard score is
    ``100 x (1 - mean normalised loss)`` (higher is better; 100 = every run
    found the best seen);
  - **relative to random search** (Bayesmark's "normed mean"): the mean
    normalised loss divided by that of random search's expected best-so-far
    after ``8 r`` evaluations (Bayesmark's unbiased expected-minimum estimate
    from random search's evaluations, clipped at ``clip``), averaged over
    seeds and problems the same way. Random search is about 1, 0 is the best seen;
    shown here as ``100 x (1 - ratio)`` so random search is about 0.

  ``opt`` and ``clip`` come from the whole runs (all 16 rounds), also when
  the score is read at round 8 ("8 rounds of 8", ``report --rounds 16,8``).
  Also shown: the benchmark suite's own normalised score with random search's
  evaluations of the same seed as its baseline, ``(best - mean) / (max -
  mean)`` of random search's scores (0 = a mean random evaluation, 1 = the
  best random evaluation).

Commands::

    python -m benchmarks.bayesmark list
    python -m benchmarks.bayesmark run --preset small --out benchmarks/results/bayesmark-small.jsonl
    python -m benchmarks.bayesmark report benchmarks/results/bayesmark-small.jsonl

``run`` appends one JSON line per (problem, optimiser, seed) as it finishes
and skips those already in ``--out`` (an interrupted run resumes). ``report``
writes ``benchmarks/sections/bayesmark.md`` and puts that section into
``benchmarks/RESULTS.md`` where ``python -m benchmarks report`` puts every
``sections/*.md`` file, replacing only that section. Text below the line
``NOTES_MARK`` in the section file is written by hand and kept when
``report`` rewrites the part above it.

Presets: ``small`` (4 cheap problems x 3 seeds x every optimiser, about 25
minutes on 2 cores), ``full`` (every model x data set x metric, 90 problems,
5 seeds: days on 2 cores) and ``smoke`` (seconds, for the tests).
"""

import argparse
import datetime as _dt
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.special import gammaln, logsumexp

from .adapters import (
    _from_hyperopt,
    optuna_suggest,
    to_hyperopt,
    to_scipy,
    to_skopt,
    torch_missing,
)
from .bayesmark_spaces import DATASETS, METRICS, MODELS, problem_names
from .evaluation import cross_val_eval
from .runner import _clean, _done_keys, _limit_threads, environment

__all__ = ["OPTIMIZERS", "PRESETS", "BayesmarkProblem", "get_problem", "main",
           "normalised_loss", "problem_reference", "summarise"]

HERE = Path(__file__).resolve().parent
SCHEMA = 1
SUITE = "bayesmark"
SECTION = HERE / "sections" / "bayesmark.md"
# what follows this line in the section is written by hand (e.g. what each
# change measured); ``report`` regenerates the part above it and keeps the rest
NOTES_MARK = "<!-- Written by hand below this line; `report` keeps it. -->"
RESULTS_MD = HERE / "RESULTS.md"
# HEBO's own virtual environment (it pins numpy < 1.25); another one with
# ``BAYESMARK_HEBO_VENV=/path/to/venv``
HEBO_VENV_ENV = "BAYESMARK_HEBO_VENV"
HEBO_VENV = HERE / ".venv-hebo"


def hebo_python():
    """The Python of HEBO's environment: ``$BAYESMARK_HEBO_VENV`` or ``benchmarks/.venv-hebo``."""
    venv = os.environ.get(HEBO_VENV_ENV)
    return Path(venv) / "bin" / "python" if venv else HEBO_VENV / "bin" / "python"


# -- problems -------------------------------------------------------------------------
@dataclass(frozen=True)
class BayesmarkProblem:
    """One Bayesmark test case with the data split of one seed.

    Has what :func:`benchmarks.evaluation.cross_val_eval` needs: ``data()``,
    ``splits()``, ``make_estimator()``, ``space``.
    """

    model: str
    dataset: str
    metric_key: str
    seed: int = 0
    n_splits: int = 5
    holdout: float = 0.2
    is_conditional: bool = False

    @property
    def name(self):
        return f"{self.model}_{self.dataset}_{self.metric_key}"

    @property
    def task(self):
        return DATASETS[self.dataset][1]

    @property
    def metric(self):
        return METRICS[self.task][self.metric_key]

    @property
    def _model(self):
        clf, reg = MODELS[self.model]
        return clf if self.task == "classification" else reg

    @property
    def space(self):
        return dict(self._model[1])

    def make_estimator(self):
        return self._model[0]()

    @cached_property
    def _xy(self):
        X, y = DATASETS[self.dataset][0](return_X_y=True)
        return np.asarray(X, dtype=float), np.asarray(y)

    def data(self):
        return self._xy

    @cached_property
    def _splits(self):
        from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

        X, y = self._xy
        visible, _ = train_test_split(np.arange(len(y)), test_size=self.holdout,
                                      random_state=self.seed, shuffle=True)
        cls = StratifiedKFold if self.task == "classification" else KFold
        folds = cls(n_splits=self.n_splits, shuffle=True, random_state=self.seed)
        return [(visible[tr], visible[te]) for tr, te in folds.split(X[visible], y[visible])]

    def splits(self):
        return self._splits


def _parse_problem(name):
    for model in sorted(MODELS, key=len, reverse=True):
        if name.startswith(model + "_"):
            rest = name[len(model) + 1:].split("_")
            if len(rest) == 2 and rest[0] in DATASETS and rest[1] in METRICS[DATASETS[rest[0]][1]]:
                return model, rest[0], rest[1]
    return None


def get_problem(name, seed=0):
    """The test case ``model_dataset_metric`` with the splits of ``seed``."""
    parsed = _parse_problem(name)
    if parsed is None:
        raise ValueError(
            f"problem: unknown problem {name!r}; names are model_dataset_metric with model in "
            f"{', '.join(MODELS)}, dataset in {', '.join(DATASETS)}, metric acc or nll "
            f"(classification) and mae or mse (diabetes), e.g. DT_wine_acc"
        )
    return BayesmarkProblem(*parsed, seed=seed)


# -- optimisers -------------------------------------------------------------------------
def _evaluate(problem, params):
    """(score, fit+score seconds) of one candidate on the problem's splits."""
    e = cross_val_eval(problem, params, problem.metric)
    return e.score, e.fit_score_time


def _plain(value):
    return value.item() if hasattr(value, "item") else value


class Optimizer:
    """Runs ``n_rounds`` rounds of ``batch_size`` on a problem; returns
    (scores per round, fit+score seconds, info)."""

    name = ""
    library = ""
    distribution = ""

    def available(self):
        try:
            __import__(self.library)
        except Exception as exc:
            return False, f"cannot import {self.library}: {type(exc).__name__}: {exc}"
        return True, ""

    def run(self, problem, *, n_rounds, batch_size, seed):
        raise NotImplementedError


class _BatchLoop(Optimizer):
    """Ask a batch, evaluate it, tell it; subclasses implement ask/tell."""

    def run(self, problem, *, n_rounds, batch_size, seed):
        state = self.start(problem, seed)
        rounds, fit_score = [], 0.0
        for _ in range(n_rounds):
            batch = self.ask(state, batch_size)
            scores = []
            for params in batch:
                s, t = _evaluate(problem, params)
                scores.append(s)
                fit_score += t
            self.tell(state, batch, scores)
            rounds.append(scores)
        return rounds, fit_score, self.info(state)

    def info(self, state):
        return {}


class RandomSearch(Optimizer):
    name = "random"
    library = "sklearn"
    distribution = "scikit-learn"

    def run(self, problem, *, n_rounds, batch_size, seed):
        from sklearn.model_selection import ParameterSampler

        sampler = ParameterSampler(to_scipy(problem.space), n_iter=n_rounds * batch_size,
                                   random_state=seed)
        rounds, fit_score, batch = [], 0.0, []
        for params in sampler:
            s, t = _evaluate(problem, {k: _plain(v) for k, v in params.items()})
            batch.append(s)
            fit_score += t
            if len(batch) == batch_size:
                rounds.append(batch)
                batch = []
        return rounds, fit_score, {}


class SksearchSearch(Optimizer):
    """A sksearch ``*SearchCV`` through its ``fit`` with ``batch_size``."""

    library = "sksearch"
    distribution = "sksearch"

    def __init__(self, cls_name, name):
        self.cls_name, self.name = cls_name, name

    def run(self, problem, *, n_rounds, batch_size, seed):
        import sksearch

        cls = getattr(sksearch, self.cls_name)
        X, y = problem.data()
        search = cls(
            problem.make_estimator(), problem.space, n_iter=n_rounds * batch_size,
            batch_size=batch_size, scoring=problem.metric, cv=problem.splits(), n_jobs=1,
            refit=False, random_state=seed, error_score=np.nan,
        )
        search.fit(X, y)
        res = search.cv_results_
        scores = np.asarray(res["mean_test_score"], dtype=float)
        it = np.asarray(res["iter"])
        order = sorted(set(it.tolist()))
        rounds = [[float(s) for s in scores[it == i]] for i in order]
        n_splits = len(problem.splits())
        fit_score = float(np.sum(res["mean_fit_time"]) + np.sum(res["mean_score_time"])) * n_splits
        # a finite space (kNN's 25 x 4 integers) can be used up before the budget:
        # sksearch proposes no candidate twice (it runs space.size candidates,
        # or stops "exhausted")
        used_up = search.stop_reason_ == "exhausted" or len(scores) >= search.space_.size
        return rounds, fit_score, {"n_batches": int(search.n_batches_),
                                   "stop_reason": search.stop_reason_,
                                   "used_up_space": bool(used_up)}


class _OptunaBatch(_BatchLoop):
    library = "optuna"
    distribution = "optuna"

    def start(self, problem, seed):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        warnings.simplefilter("ignore")
        study = optuna.create_study(direction="maximize", sampler=self.sampler(seed))
        return {"study": study, "space": problem.space, "trials": []}

    def ask(self, state, n):
        trials, batch = [], []
        for _ in range(n):
            trial = state["study"].ask()
            batch.append(optuna_suggest(trial, state["space"]))
            trials.append(trial)
        state["trials"] = trials
        return batch

    def tell(self, state, batch, scores):
        import optuna

        for trial, s in zip(state["trials"], scores):
            if math.isfinite(s):
                state["study"].tell(trial, s)
            else:
                state["study"].tell(trial, state=optuna.trial.TrialState.FAIL)


class OptunaTPE(_OptunaBatch):
    name = "optuna-tpe"

    def sampler(self, seed):
        import optuna

        return optuna.samplers.TPESampler(seed=seed, constant_liar=True)


class OptunaGP(_OptunaBatch):
    name = "optuna-gp"

    def available(self):
        ok, why = super().available()
        missing = torch_missing() if ok else None
        return (False, missing) if missing else (ok, why)

    def sampler(self, seed):
        import optuna
        import torch

        torch.set_num_threads(1)
        return optuna.samplers.GPSampler(seed=seed)


class Skopt(_BatchLoop):
    name = "skopt"
    library = "skopt"
    distribution = "scikit-optimize"

    def start(self, problem, seed):
        from skopt import Optimizer as SkOptimizer

        dims = to_skopt(problem.space)[0]
        names = list(dims)
        opt = SkOptimizer([dims[n] for n in names], random_state=seed)
        return {"opt": opt, "names": names, "worst": None, "x": None}

    def ask(self, state, n):
        xs = state["opt"].ask(n_points=n)
        state["x"] = xs
        return [{k: _plain(v) for k, v in zip(state["names"], x)} for x in xs]

    def tell(self, state, batch, scores):
        losses = [-s for s in scores if math.isfinite(s)]
        if losses:
            state["worst"] = max(losses + ([state["worst"]] if state["worst"] is not None else []))
        fill = state["worst"] if state["worst"] is not None else 0.0
        ys = [-s if math.isfinite(s) else fill for s in scores]
        state["opt"].tell([list(x) for x in state["x"]], ys)


class HyperoptTPE(Optimizer):
    name = "hyperopt-tpe"
    library = "hyperopt"
    distribution = "hyperopt"

    def run(self, problem, *, n_rounds, batch_size, seed):
        from hyperopt import STATUS_FAIL, STATUS_OK, Trials, fmin, tpe

        scores, fit_score, asked = [], [0.0], []
        trials = Trials()

        def objective(params):
            s, t = _evaluate(problem, _from_hyperopt(params, problem.space))
            scores.append(s)
            fit_score[0] += t
            if not math.isfinite(s):
                return {"status": STATUS_FAIL}
            return {"loss": -s, "status": STATUS_OK}

        def algo(new_ids, domain, trials_, seed_):
            out = tpe.suggest(new_ids, domain, trials_, seed_)
            # (evaluations done when asked, suggestions returned)
            asked.append((len(scores), len(out)))
            return out

        fmin(objective, to_hyperopt(problem.space), algo=algo, max_evals=n_rounds * batch_size,
             trials=trials, rstate=np.random.default_rng(seed), max_queue_len=batch_size,
             show_progressbar=False)
        per_batch = {}
        for done, k in asked:
            per_batch[done] = per_batch.get(done, 0) + k
        rounds = [scores[i:i + batch_size] for i in range(0, len(scores), batch_size)]
        return rounds, fit_score[0], {"asked_per_batch": list(per_batch.values())}


_HEBO_DRIVER = r"""
import json, sys
out, sys.stdout = sys.stdout, sys.stderr  # what HEBO or pymoo print must not reach the protocol
import numpy as np, pandas as pd, torch
torch.set_num_threads(1)
from hebo.design_space.design_space import DesignSpace
from hebo.optimizers.hebo import HEBO
init = json.loads(sys.stdin.readline())
np.random.seed(init["seed"]); torch.manual_seed(init["seed"])
opt = HEBO(DesignSpace().parse(init["space"]), scramble_seed=init["seed"])
print(json.dumps({"ok": True}), file=out, flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    if msg["cmd"] == "suggest":
        rec = opt.suggest(n_suggestions=msg["n"])
        last = rec
        print(json.dumps(json.loads(rec.to_json(orient="records"))), file=out, flush=True)
    elif msg["cmd"] == "observe":
        opt.observe(last, np.asarray(msg["y"], dtype=float).reshape(-1, 1))
        print(json.dumps({"ok": True}), file=out, flush=True)
    else:
        break
"""


class Hebo(_BatchLoop):
    """HEBO in its own environment (:func:`hebo_python`), as a suggest/observe subprocess.

    The subprocess only proposes and learns (one JSON line per message on its
    stdin and stdout); every evaluation runs in this process, on the same
    splits as every other optimiser.
    """

    name = "hebo"
    library = "hebo"
    distribution = "HEBO"

    def available(self):
        python = hebo_python()
        if not python.exists():
            return False, (f"no HEBO environment at {python.parent.parent} (create it as "
                           f"benchmarks/sections/bayesmark.md says, or set {HEBO_VENV_ENV})")
        proc = subprocess.run([str(python), "-c", "import hebo, importlib.metadata as m; "
                               "print(m.version('HEBO'))"], capture_output=True, text=True)
        if proc.returncode:
            return False, "cannot import hebo: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
        self.version = proc.stdout.strip()
        return True, ""

    @staticmethod
    def hebo_space(space):
        from sksearch.space import Categorical, Integer, Real

        out = []
        for name, dim in space.items():
            if isinstance(dim, Real):
                kind = "pow" if dim.log else "num"
                out.append({"name": name, "type": kind, "lb": dim.low, "ub": dim.high})
            elif isinstance(dim, Integer):
                kind = "pow_int" if dim.log else "int"
                out.append({"name": name, "type": kind, "lb": dim.low, "ub": dim.high})
            elif isinstance(dim, Categorical):  # by index, so any choice travels as JSON
                out.append({"name": name, "type": "cat",
                            "categories": [str(i) for i in range(len(dim.choices))]})
            else:
                raise TypeError(f"no HEBO translation for {dim!r}")
        return out

    def start(self, problem, seed):
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
        # stderr to a file, not a pipe: HEBO's warnings would fill a pipe nobody reads
        err = tempfile.TemporaryFile(mode="w+")
        proc = subprocess.Popen([str(hebo_python()), "-c", _HEBO_DRIVER], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err, text=True, env=env)
        self._procs.append((proc, err))
        state = {"proc": proc, "err": err, "space": problem.space}
        self._send(state, {"seed": int(seed), "space": self.hebo_space(problem.space)})
        return state

    def _send(self, state, msg):
        proc = state["proc"]
        proc.stdin.write(json.dumps(msg) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            state["err"].seek(0)
            raise RuntimeError(f"HEBO subprocess ended: {state['err'].read()[-1500:]}")
        return json.loads(line)

    def ask(self, state, n):
        from sksearch.space import Categorical, Integer

        recs = self._send(state, {"cmd": "suggest", "n": n})
        batch = []
        for rec in recs:
            params = {}
            for name, dim in state["space"].items():
                v = rec[name]
                if isinstance(dim, Categorical):
                    v = dim.choices[int(v)]
                elif isinstance(dim, Integer):
                    v = int(min(max(round(float(v)), dim.low), dim.high))
                else:
                    v = float(min(max(float(v), dim.low), dim.high))
                params[name] = v
            batch.append(params)
        return batch

    def tell(self, state, batch, scores):
        finite = [-s for s in scores if math.isfinite(s)]
        worst = state.get("worst")
        if finite:
            worst = max(finite + ([worst] if worst is not None else []))
            state["worst"] = worst
        fill = worst if worst is not None else 0.0
        self._send(state, {"cmd": "observe", "y": [-s if math.isfinite(s) else fill
                                                   for s in scores]})

    def run(self, problem, *, n_rounds, batch_size, seed):
        self._procs = []
        try:
            rounds, fit_score, info = super().run(problem, n_rounds=n_rounds,
                                                  batch_size=batch_size, seed=seed)
        finally:
            for proc, err in self._procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                err.close()
        return rounds, fit_score, {"hebo_version": getattr(self, "version", None), **info}

    def info(self, state):
        proc = state["proc"]
        proc.stdin.close()
        proc.wait(timeout=60)
        return {}


OPTIMIZERS = {o.name: o for o in [
    RandomSearch(), SksearchSearch("BayesSearchCV", "sksearch-bayes"),
    SksearchSearch("TPESearchCV", "sksearch-tpe"), OptunaTPE(), OptunaGP(), Skopt(),
    HyperoptTPE(), Hebo(),
]}


# -- presets ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Preset:
    name: str
    problems: tuple
    seeds: tuple
    n_rounds: int = 16
    batch_size: int = 8
    optimizers: tuple = tuple(OPTIMIZERS)
    description: str = ""
    extra: dict = field(default_factory=dict)

    def with_overrides(self, **kwargs):
        return replace(self, **{k: v for k, v in kwargs.items() if v is not None})


PRESETS = {p.name: p for p in [
    Preset("smoke", problems=("DT_iris_acc",), seeds=(0,), n_rounds=2, batch_size=2,
           optimizers=("random", "sksearch-bayes", "optuna-tpe"),
           description="seconds: 1 problem, 2 rounds of 2, three optimisers (tests)"),
    Preset("small", problems=("DT_wine_acc", "kNN_breast_nll", "SVM_iris_acc",
                              "lasso_diabetes_mae"), seeds=(0, 1, 2),
           description="4 cheap problems x 3 seeds x every optimiser, 16 x 8: ~25 min on 2 cores"),
    Preset("full", problems=tuple(problem_names()), seeds=(0, 1, 2, 3, 4),
           description="every model x data set x metric (90 problems), 5 seeds, 16 x 8"),
]}


# -- running ----------------------------------------------------------------------------
def _records(paths):
    out = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                if r.get("suite") == SUITE:
                    out.append(r)
    return out


def _key(r):
    return (r["problem"], r["adapter"], r["seed"], r["n_iter"], r["n_jobs"])


def run_preset(preset, *, out, resume=True, retry_failed=False, log=print, argv=None):
    """Run ``preset``; append one JSON line per (problem, optimiser, seed).

    With ``resume``, the runs already in ``out`` are skipped, except those of
    an optimiser that was unavailable, and failed ones with ``retry_failed``.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    warnings.simplefilter("ignore")
    existing = _records([out])
    other = {r["batch_size"] for r in existing} - {preset.batch_size}
    if other:
        raise ValueError(f"--batch-size: {out} holds runs with batch size {sorted(other)}, "
                         f"not {preset.batch_size}; use another --out")
    done = set()
    if resume:
        retry = {"unavailable", "failed"} if retry_failed else {"unavailable"}
        ok = {_key(r) for r in existing if r["status"] not in retry}
        again = {_key(r) for r in existing if r["status"] in retry} - ok
        done = _done_keys(out) - again  # retry optimisers that were not installed
    n_iter = preset.n_rounds * preset.batch_size
    optimizers = [OPTIMIZERS[n] for n in preset.optimizers]
    availability = {o.name: o.available() for o in optimizers}
    log(f"preset {preset.name}: {len(preset.problems)} problems x seeds {list(preset.seeds)} x "
        f"{preset.n_rounds} rounds of {preset.batch_size}; optimisers: "
        f"{', '.join(o.name for o in optimizers)}")
    for name, (ok, why) in availability.items():
        if not ok:
            log(f"  {name} unavailable: {why}")
    argv = sys.argv[1:] if argv is None else argv
    base = {
        "schema": SCHEMA, "suite": SUITE, "preset": preset.name,
        "command": "python -m benchmarks.bayesmark " + " ".join(shlex.quote(str(a)) for a in argv),
        "env": environment(),
        "preset_definition": {"problems": list(preset.problems), "seeds": list(preset.seeds),
                              "n_rounds": preset.n_rounds, "batch_size": preset.batch_size,
                              "optimizers": list(preset.optimizers)},
    }
    n_done = 0
    with out.open("a") as fh:
        def emit(record):
            fh.write(json.dumps(_clean({**base, **record})) + "\n")
            fh.flush()

        for seed in preset.seeds:
            for pname in preset.problems:
                problem = get_problem(pname, seed)
                for opt in optimizers:
                    key = {"problem": problem.name, "adapter": opt.name, "seed": seed,
                           "n_iter": n_iter, "n_jobs": 1}
                    if tuple(key.values()) in done:
                        continue
                    key.update(library=opt.distribution, n_rounds=preset.n_rounds,
                               batch_size=preset.batch_size, model=problem.model,
                               dataset=problem.dataset, metric=problem.metric_key,
                               timestamp=_dt.datetime.now().isoformat(timespec="seconds"))
                    ok, why = availability[opt.name]
                    if not ok:
                        emit({**key, "status": "unavailable", "message": why})
                        continue
                    emit(_run_one(opt, problem, preset, key, log))
                    n_done += 1
    return n_done


def _run_one(opt, problem, preset, key, log):
    t0 = time.perf_counter()
    try:
        with _limit_threads(1):
            rounds, fit_score, info = opt.run(problem, n_rounds=preset.n_rounds,
                                              batch_size=preset.batch_size, seed=key["seed"])
    except Exception as exc:
        wall = time.perf_counter() - t0
        msg = f"{type(exc).__name__}: {exc}"
        log(f"  FAILED {opt.name} on {problem.name} seed {key['seed']}: {msg}")
        return {**key, "status": "failed", "message": msg[:2000],
                "traceback": traceback.format_exc()[-4000:], "wall_time": wall}
    wall = time.perf_counter() - t0
    sizes = [len(r) for r in rounds]
    # a used-up space ends with short rounds (the strategy finds fewer new
    # candidates than asked for): still a finished run
    exhausted = info.get("used_up_space") and len(sizes) <= preset.n_rounds \
        and all(0 < k <= preset.batch_size for k in sizes)
    if sizes != [preset.batch_size] * preset.n_rounds and not exhausted:
        return {**key, "status": "failed", "wall_time": wall, "scores": rounds, "info": info,
                "message": f"expected {preset.n_rounds} rounds of {preset.batch_size}, got {sizes}"}
    flat = [s for r in rounds for s in r]
    best = max((s for s in flat if math.isfinite(s)), default=math.nan)
    log(f"  {problem.name:22s} seed {key['seed']} {opt.name:15s} best score {best:.5f} "
        f"wall {wall:6.1f}s (fit+score {fit_score:5.1f}s)")
    return {**key, "status": "ok", "scores": rounds, "best_score": best, "wall_time": wall,
            "fit_score_time": fit_score,
            "n_failed_fits": int(sum(not math.isfinite(s) for s in flat)), "info": info}


# -- the score ------------------------------------------------------------------------------
MIN_POS = np.nextafter(0, 1)
PAD_FACTOR = 10000


def _quantile(x, q):
    """Bayesmark's quantile: the ``ceil(n q)``-th smallest value."""
    x = np.sort(np.asarray(x, dtype=float))
    return float(x[int(math.ceil(len(x) * q)) - 1])


def expected_min(x, m):
    """Unbiased estimate of E[min of m iid draws] from the sample ``x`` (Bayesmark's L-estimator)."""
    x = np.sort(-np.asarray(x, dtype=float))  # E[min x] = -E[max -x]: order stats of -x
    n = len(x)
    m = np.asarray(m)[..., None]
    kk = 1 + np.arange(n)
    with np.errstate(invalid="ignore"):
        lpdf = gammaln(kk) - gammaln(kk - (m - 1))
        pdf = np.exp(lpdf - logsumexp(lpdf, axis=-1, keepdims=True))
    return -np.sum(x * pdf, axis=-1)


def best_so_far(rounds, n_rounds=None):
    """Best-so-far loss after each round (loss = -score; NaN scores ignored),
    carried on to ``n_rounds`` when a run ended early (a used-up space)."""
    out, best = [], math.inf
    rounds = list(rounds) + [[]] * max(0, (n_rounds or 0) - len(rounds))
    for r in rounds:
        losses = [-s for s in r if s is not None and math.isfinite(s)]
        if losses:
            best = min(best, min(losses))
        out.append(best)
    return np.asarray(out, dtype=float)


def problem_reference(random_runs, all_runs, batch_size, n_rounds):
    """(opt, clip, random's expected best-so-far per round) of one problem.

    ``random_runs`` and ``all_runs``: lists of per-round score lists (every
    seed; ``all_runs`` includes random search).
    """
    rand = np.array([-s for run in random_runs for r in run for s in r
                     if s is not None and math.isfinite(s)], dtype=float)
    every = np.array([-s for run in all_runs for r in run for s in r
                      if s is not None and math.isfinite(s)], dtype=float)
    clip = _quantile(rand, 0.5)
    opt = float(np.min(every))
    opt += PAD_FACTOR * np.spacing(-np.maximum(MIN_POS, abs(opt)))
    n_rand = sum(len(r) for run in random_runs for r in run)
    rand = np.minimum(clip, np.concatenate([rand, np.full(n_rand - len(rand), clip)]))
    rand_mean = np.minimum.accumulate(
        np.minimum(clip, expected_min(rand, batch_size * (1 + np.arange(n_rounds)))))
    return opt, clip, rand_mean


def normalised_loss(S, opt, clip):
    """Bayesmark's per-run normalised loss: ``clip((S - opt) / (clip - opt), -1, 1)``
    (0 = the best seen, 1 = the median random evaluation or worse)."""
    S = np.asarray(S, dtype=float)
    n = (S - opt) / (clip - opt)
    n = np.where(np.isfinite(n), n, 1.0)  # no finite result yet: as bad as it gets
    return np.clip(n, -1.0, 1.0)


def summarise(records, rounds_at):
    """Scores per optimiser and per problem at each round count in ``rounds_at``."""
    ok = [r for r in records if r["status"] == "ok"]
    problems = sorted({r["problem"] for r in ok}, key=_problem_order)
    optimizers = [o for o in OPTIMIZERS if any(r["adapter"] == o for r in ok)]
    optimizers += sorted({r["adapter"] for r in ok} - set(optimizers))
    per_problem, skipped = {}, {}
    for p in problems:
        rp = [r for r in ok if r["problem"] == p]
        rand = [r["scores"] for r in rp if r["adapter"] == "random"]
        if not rand:
            skipped[p] = "no random search run"
            continue
        n_rounds = min(r["n_rounds"] for r in rp)
        batch = rp[0]["batch_size"]
        # every seed has its own splits, so (problem, seed) is one objective: the
        # references (best seen, median random, random's expected best) are per seed
        refs = {}
        for seed in sorted({r["seed"] for r in rp if r["adapter"] == "random"}):
            rs = [r for r in rp if r["seed"] == seed]
            rand = [r["scores"] for r in rs if r["adapter"] == "random"]
            opt, clip, rand_mean = problem_reference(rand, [r["scores"] for r in rs], batch,
                                                     n_rounds)
            pool = np.array([x for run in rand for rr in run for x in rr
                             if x is not None and math.isfinite(x)], dtype=float)
            refs[seed] = (opt, clip, normalised_loss(rand_mean, opt, clip), pool)
        entry = {"opt": float(np.mean([v[0] for v in refs.values()])),
                 "clip": float(np.mean([v[1] for v in refs.values()])),
                 "rand_norm": np.mean([v[2] for v in refs.values()], axis=0),
                 "n_rounds": n_rounds, "seeds": sorted(refs), "by_opt": {}}
        for o in optimizers:
            ro = sorted((r for r in rp if r["adapter"] == o and r["seed"] in refs),
                        key=lambda r: r["seed"])
            if not ro:
                continue
            traces = {r["seed"]: best_so_far(r["scores"][:n_rounds], n_rounds) for r in ro}
            norm = {sd: normalised_loss(t, *refs[sd][:2]) for sd, t in traces.items()}
            suite = {}
            for sd, t in traces.items():
                pool = refs[sd][3]
                span = pool.max() - pool.mean()
                suite[sd] = (-t - pool.mean()) / span if span > 0 else np.full_like(t, np.nan)
            entry["by_opt"][o] = {"norm": norm, "suite": suite,
                                  "wall": [r["wall_time"] for r in ro],
                                  "failed_fits": sum(r.get("n_failed_fits", 0) for r in ro)}
        per_problem[p] = entry
    live = [o for o in optimizers
            if any(o in e["by_opt"] for e in per_problem.values())]
    common = [p for p, e in per_problem.items() if all(o in e["by_opt"] for o in live)]
    summary = {}
    for k in rounds_at:
        for o in live:
            pr = [per_problem[p] for p in common if k <= per_problem[p]["n_rounds"]]
            if not pr:
                continue
            i = k - 1
            loss = np.mean([np.mean([v[i] for v in e["by_opt"][o]["norm"].values()]) for e in pr])
            normaliser = np.mean([e["rand_norm"][i] for e in pr])
            seeds = sorted(set.intersection(*[set(e["by_opt"][o]["norm"]) for e in pr]))
            per_seed = [100 * (1 - np.mean([e["by_opt"][o]["norm"][s][i] for e in pr]))
                        for s in seeds]
            suite = np.nanmean([np.mean([v[i] for v in e["by_opt"][o]["suite"].values()])
                                for e in pr])
            summary[(o, k)] = {
                "score": 100 * (1 - loss), "score_std": float(np.std(per_seed, ddof=1))
                if len(per_seed) > 1 else math.nan,
                "vs_random": 100 * (1 - loss / normaliser) if normaliser > 0 else math.nan,
                "suite": float(suite), "n_problems": len(pr), "seeds": seeds,
            }
    return {"per_problem": per_problem, "summary": summary, "optimizers": live,
            "common": common, "skipped": skipped}


def _problem_order(name):
    names = problem_names()
    return (names.index(name) if name in names else len(names), name)


# -- the report ------------------------------------------------------------------------------
def _table(header, rows):
    sep = [":---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def _fmt(x, digits=1):
    return "—" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _bold(name):
    return f"**{name}**" if name.startswith("sksearch") else name


def section_markdown(records, rounds_at, argv=()):
    """The Markdown of ``sections/bayesmark.md``."""
    res = summarise(records, rounds_at)
    summ, opts = res["summary"], res["optimizers"]
    rounds_at = [k for k in rounds_at if any((o, k) in summ for o in opts)]
    seeds = sorted({r["seed"] for r in records if r["status"] == "ok"})
    batch = sorted({r["batch_size"] for r in records})
    n_rounds = sorted({r["n_rounds"] for r in records})
    parts = [
        f"## Bayesmark protocol ({'/'.join(map(str, n_rounds))} rounds of "
        f"{'/'.join(map(str, batch))}, 2020 black-box optimisation challenge)",
        "",
        "<!-- Generated by `python -m benchmarks.bayesmark report`; do not edit. -->",
        f"Bayesmark's test cases re-implemented for current scikit-learn "
        f"(`benchmarks/bayesmark.py`): problems {', '.join(res['per_problem'])}; seeds {seeds}; "
        f"{'/'.join(map(str, n_rounds))} rounds of a batch of {'/'.join(map(str, batch))} "
        f"suggestions (ask the batch, evaluate it, tell it), 5-fold CV on 80% of the data, "
        f"the same splits for every optimiser of a seed; the estimators' random_state is "
        f"unset, as in Bayesmark (randomised models give a noisy objective).",
        "",
        "**Bayesmark score** = 100 × (1 − mean normalised loss); normalised loss of a run = "
        "clip((best-so-far loss − best loss any optimiser reached on the problem with the "
        "same seed's splits) / (median random-search evaluation of that seed − that best), "
        "−1, 1), averaged over seeds, then "
        "problems (Bayesmark's leaderboard score: 100 = the best seen every time; higher is "
        "better). **vs random** = 100 × (1 − mean normalised loss / that of random search's "
        "expected best-so-far at the same round): about 0 for random search, 100 = best seen. "
        "**suite** = this benchmark suite's normalised score with random search's "
        "evaluations as the baseline (0 = their mean, 1 = their best). ± = std over seeds.",
        "",
    ]
    header = ["optimizer"]
    for k in rounds_at:
        header += [f"Bayesmark score, {k} rounds", f"vs random, {k}", f"suite, {k}"]
    header += ["seeds", "mean wall per run (s)", "failed fits"]
    rows = []
    for o in opts:
        row = [_bold(o)]
        for k in rounds_at:
            s = summ.get((o, k))
            if s is None:
                row += ["—"] * 3
                continue
            row += [f"{_fmt(s['score'])} ± {_fmt(s['score_std'])}", _fmt(s["vs_random"]),
                    _fmt(s["suite"], 3)]
        walls = [w for e in res["per_problem"].values() if o in e["by_opt"]
                 for w in e["by_opt"][o]["wall"]]
        fails = sum(e["by_opt"][o]["failed_fits"] for e in res["per_problem"].values()
                    if o in e["by_opt"])
        seeds_o = sorted({x for k in rounds_at if (o, k) in summ for x in summ[(o, k)]["seeds"]})
        row += [",".join(map(str, seeds_o)) or "—",
                _fmt(float(np.mean(walls))) if walls else "—", fails]
        rows.append(row)
    parts += [_table(header, rows), "",
              f"Summary over the problems every optimiser finished: "
              f"{', '.join(res['common']) or 'none'}.", ""]
    all_seeds = sorted({sd for e in res["per_problem"].values() for sd in e["seeds"]})
    for o in opts:
        short = {p: sorted(e["by_opt"][o]["norm"]) for p, e in res["per_problem"].items()
                 if o in e["by_opt"] and sorted(e["by_opt"][o]["norm"]) != all_seeds}
        if short:
            parts.append(f"- {o} has fewer seeds than the others (its scores are means over "
                         f"these): " + "; ".join(f"{p} seeds {','.join(map(str, v))}"
                                                 for p, v in short.items()))
    unavailable = {}
    for r in records:
        if r["status"] == "unavailable":
            unavailable[r["adapter"]] = r.get("message", "")
    for o, why in unavailable.items():
        if o not in opts:
            parts.append(f"- {o}: unavailable ({why})")
    failed = [r for r in records if r["status"] == "failed"]
    for r in failed:
        parts.append(f"- {r['adapter']} failed on {r['problem']} seed {r['seed']}: "
                     f"{r.get('message', '')[:150]}")
    for r in records:
        if r["status"] == "ok" and (r.get("info") or {}).get("used_up_space"):
            n = sum(len(b) for b in r["scores"])
            parts.append(f"- {r['adapter']} used up the space of {r['problem']} (seed {r['seed']}) "
                         f"after {n} distinct candidates (it proposes none twice); its "
                         f"best-so-far is carried to the last round")
    if res["skipped"]:
        parts.append("- not scored: " + "; ".join(f"{p} ({why})"
                                                  for p, why in res["skipped"].items()))
    if parts[-1] != "":
        parts.append("")
    # per problem
    header = ["problem", "best loss seen", "median random"] + [_bold(o) for o in opts]
    rows = []
    for p, e in res["per_problem"].items():
        row = [p, f"{e['opt']:.4g}", f"{e['clip']:.4g}"]
        for o in opts:
            d = e["by_opt"].get(o)
            if d is None:
                row.append("—")
                continue
            cells = []
            for k in rounds_at:
                if k <= e["n_rounds"]:
                    cells.append(_fmt(100 * (1 - np.mean([v[k - 1] for v in d["norm"].values()]))))
            row.append(" / ".join(cells))
        rows.append(row)
    parts += [f"Per problem: Bayesmark score at {' / '.join(map(str, rounds_at))} rounds "
              f"(mean over seeds; loss = minus the scikit-learn score).", "",
              _table(header, rows), ""]
    cmds = sorted({r["command"] for r in records})
    report_cmd = "python -m benchmarks.bayesmark " + " ".join(shlex.quote(str(a)) for a in argv)
    parts += ["Commands:", "", *[f"    {c}" for c in cmds], f"    {report_cmd}", ""]
    envs = {}
    for r in records:
        e = r.get("env") or {}
        envs.setdefault(json.dumps(e.get("versions"), sort_keys=True), e)
    for e in envs.values():
        v = {k: x for k, x in (e.get("versions") or {}).items() if x}
        parts.append(f"- {e.get('cpu')}, {e.get('cpus_available')} of {e.get('cpu_count')} "
                     f"CPUs, Python {e.get('python')}, sksearch commit {e.get('git_commit')}; "
                     + ", ".join(f"{k} {x}" for k, x in v.items()))
    hebo = {r["info"].get("hebo_version") for r in records
            if r["status"] == "ok" and r["adapter"] == "hebo"} - {None}
    if hebo:
        parts.append(f"- HEBO {', '.join(sorted(hebo))} (benchmarks/.venv-hebo)")
    loads = [r["env"]["loadavg_at_start"][0] for r in records
             if (r.get("env") or {}).get("loadavg_at_start")]
    if loads:
        parts.append(f"- 1-minute load average when the runs started: {min(loads):.1f} to "
                     f"{max(loads):.1f} (wall times are inflated by other work)")
    return "\n".join(parts).rstrip() + "\n"


def splice_section(results_md, section_path):
    """Put ``section_path`` into ``results_md`` the way ``benchmarks.report``
    includes ``sections/*.md``: a ``<!-- from sections/NAME -->`` line, the
    text, a blank line; replaces that section if present, else inserts it in
    name order among the other sections (before ``## Per problem``)."""
    results_md, section_path = Path(results_md), Path(section_path)
    marker = f"<!-- from {section_path.parent.name}/{section_path.name} -->"
    text = section_path.read_text().strip()
    lines = results_md.read_text().splitlines()
    prefix = f"<!-- from {section_path.parent.name}/"

    def is_boundary(line):
        return line.startswith(prefix) or line == "## Per problem"

    block = [marker, *text.splitlines(), ""]
    if marker in lines:
        start = lines.index(marker)
        end = next((i for i in range(start + 1, len(lines)) if is_boundary(lines[i])), len(lines))
        lines[start:end] = block
    else:
        at = next((i for i, line in enumerate(lines)
                   if (line.startswith(prefix) and line > marker) or line == "## Per problem"),
                  len(lines))
        lines[at:at] = block
    results_md.write_text("\n".join(lines).rstrip() + "\n")


# -- command line --------------------------------------------------------------------------------
def _strs(text):
    return tuple(x.strip() for x in text.split(",") if x.strip())


def _ints(text):
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bayesmark",
                                     description="The Bayesmark protocol (see the module doc).")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a preset, append JSON lines to --out")
    run.add_argument("--preset", default="small", help=", ".join(PRESETS))
    run.add_argument("--problems", type=_strs, help="comma-separated, e.g. DT_wine_acc")
    run.add_argument("--optimizers", type=_strs, help=", ".join(OPTIMIZERS))
    run.add_argument("--seeds", type=_ints, help="comma-separated seeds")
    run.add_argument("--rounds", type=int, dest="n_rounds", help="rounds (default 16)")
    run.add_argument("--batch-size", type=int, help="suggestions per round (default 8)")
    run.add_argument("--out", type=Path, default=None,
                     help="JSON lines (default benchmarks/results/bayesmark-<preset>.jsonl)")
    run.add_argument("--no-resume", action="store_true", help="rerun runs already in --out")
    run.add_argument("--retry-failed", action="store_true",
                     help="rerun the failed runs in --out (the others are still skipped)")
    rep = sub.add_parser("report", help="write sections/bayesmark.md (and its RESULTS.md part)")
    rep.add_argument("inputs", nargs="*", type=Path,
                     help="JSON lines (default benchmarks/results/bayesmark*.jsonl)")
    rep.add_argument("--rounds", type=_ints, default=(16, 8),
                     help="round counts to score at, read from the same runs (default 16,8)")
    rep.add_argument("--seeds", type=_ints, default=None,
                     help="only these seeds (e.g. those every optimiser has finished)")
    rep.add_argument("--output", type=Path, default=SECTION, help="the section's Markdown file")
    rep.add_argument("--results-md", default=str(RESULTS_MD),
                     help="RESULTS.md to put the section in ('' for none)")
    sub.add_parser("list", help="problems, optimisers (and whether they import), presets")
    args = parser.parse_args(argv)

    if args.command == "run":
        if args.preset not in PRESETS:
            parser.error(f"--preset: unknown preset {args.preset!r}; known: {', '.join(PRESETS)}")
        for p in args.problems or ():
            if _parse_problem(p) is None:
                parser.error(f"--problems: unknown problem {p!r}; names are "
                             f"model_dataset_metric (see `list`), e.g. DT_wine_acc")
        for o in args.optimizers or ():
            if o not in OPTIMIZERS:
                parser.error(f"--optimizers: unknown optimizer {o!r}; known: "
                             f"{', '.join(OPTIMIZERS)}")
        for opt, v in (("--rounds", args.n_rounds), ("--batch-size", args.batch_size)):
            if v is not None and v < 1:
                parser.error(f"{opt}: must be at least 1, got {v}")
        preset = PRESETS[args.preset].with_overrides(
            problems=args.problems, optimizers=args.optimizers, seeds=args.seeds,
            n_rounds=args.n_rounds, batch_size=args.batch_size)
        out = args.out or HERE / "results" / f"bayesmark-{preset.name}.jsonl"
        try:
            run_preset(preset, out=out, resume=not args.no_resume,
                       retry_failed=args.retry_failed, argv=argv)
        except ValueError as exc:
            parser.error(str(exc))
        print(f"results: {out}")
    elif args.command == "report":
        inputs = args.inputs or sorted((HERE / "results").glob("bayesmark*.jsonl"))
        records = [r for r in _records(inputs) if args.seeds is None or r["seed"] in args.seeds]
        if not any(r["status"] == "ok" for r in records):
            parser.error("no Bayesmark results in "
                         + (", ".join(map(str, inputs)) or "benchmarks/results/bayesmark*.jsonl"))
        if any(k < 1 for k in args.rounds):
            parser.error(f"--rounds: round counts must be at least 1, got {args.rounds}")
        # a later record of the same run replaces an earlier one, unless it did
        # worse (a failed or unavailable one never replaces one that ran)
        rank = {"ok": 2, "failed": 1}
        by_key = {}
        for r in records:
            old = by_key.get(_key(r))
            if old is None or rank.get(r["status"], 0) >= rank.get(old["status"], 0):
                by_key[_key(r)] = r
        text = section_markdown(list(by_key.values()), list(args.rounds), argv=argv)
        old = args.output.read_text() if args.output.exists() else ""
        if NOTES_MARK in old:
            text = text.rstrip("\n") + "\n\n" + old[old.index(NOTES_MARK):]
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text)
        print(f"wrote {args.output}")
        if args.results_md and Path(args.results_md).exists():
            splice_section(args.results_md, args.output)
            print(f"updated its section in {args.results_md}")
        print(text)
    else:
        print("problems (model_dataset_metric):")
        names = problem_names()
        for i in range(0, len(names), 6):
            print("  " + "  ".join(names[i:i + 6]))
        print("optimizers:")
        for o in OPTIMIZERS.values():
            ok, why = o.available()
            print(f"  {o.name:16s} {'ok' if ok else why}")
        print("presets:")
        for p in PRESETS.values():
            print(f"  {p.name:8s} {p.description}")


if __name__ == "__main__":
    main()
