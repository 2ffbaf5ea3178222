"""One adapter per optimizer: translate the neutral space, run, report evaluations.

Every adapter gets the same problem, fixed CV splits (passed as an explicit
list), scorer, seed and budget, and returns the list of its evaluations in
the order they were made (:class:`benchmarks.evaluation.Eval`). An adapter
whose library cannot be imported is reported as unavailable; a problem a
library cannot express (a list-of-dicts AutoML space for a library without
conditional spaces) is reported as "cannot express". Neither fails the run.

Where the peers' vocabulary differs from the neutral space, the adapter
says how it translated it (``notes``), e.g. sklearn-genetic-opt has no log
prior for integers.
"""

import importlib
import math
import random
import sys
import warnings

import numpy as np
from sklearn.base import clone

from sksearch.space import Categorical, Integer, Real

from .evaluation import Eval, cross_val_eval, evals_from_cv_results

__all__ = ["ADAPTERS", "Adapter", "all_adapters"]


def _subspaces(space):
    return list(space) if isinstance(space, list) else [space]


def _is_plain(value):
    return value is None or isinstance(value, (bool, int, float, str))


class Adapter:
    """Base class. Subclasses set ``name``, ``library`` and implement :meth:`run`.

    ``anytime``: with one worker, the first k evaluations of a run with
    budget n are exactly the run with budget k (no budget-dependent
    setting), so shorter budgets can be read off the longest run.
    """

    name = ""
    library = ""  # module to import; its distribution's version is recorded
    distribution = ""  # PyPI name, for the version
    anytime = False
    notes = ""

    def available(self):
        """(True, "") or (False, why)."""
        try:
            importlib.import_module(self.library)
        except Exception as exc:  # ImportError, or a broken install
            return False, f"cannot import {self.library}: {type(exc).__name__}: {exc}"
        return True, ""

    def cannot_express(self, problem):
        """None, or why this library cannot express the problem's space."""
        return None

    def anytime_for(self, problem):
        """Whether :attr:`anytime` holds on this problem."""
        return self.anytime

    def run(self, problem, *, n_iter, seed, n_jobs, scorer):
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"


# -- scikit-learn ------------------------------------------------------------
class _LogIntegerPrior:
    """Log-uniform integers in [low, high] (each integer owns its log-width),
    as ``sksearch.space.Integer(low, high, log=True)``; scipy has no such
    distribution, and RandomizedSearchCV accepts any object with ``rvs``."""

    def __init__(self, low, high):
        self.low, self.high = int(low), int(high)

    def rvs(self, random_state=None):
        from scipy.stats import loguniform

        x = loguniform(self.low - 0.5, self.high + 0.5).rvs(random_state=random_state)
        return int(min(max(math.floor(x + 0.5), self.low), self.high))


def to_scipy(space):
    """The neutral space as ``RandomizedSearchCV`` ``param_distributions``."""
    from scipy import stats

    def one(dim):
        if isinstance(dim, Real):
            if dim.log:
                return stats.loguniform(dim.low, dim.high)
            return stats.uniform(dim.low, dim.high - dim.low)
        if isinstance(dim, Integer):
            if dim.log:
                return _LogIntegerPrior(dim.low, dim.high)
            return stats.randint(dim.low, dim.high + 1)
        if isinstance(dim, Categorical):
            return list(dim.choices)
        raise TypeError(f"no scipy translation for {dim!r}")

    out = [{k: one(v) for k, v in sub.items()} for sub in _subspaces(space)]
    return out if isinstance(space, list) else out[0]


class SklearnRandom(Adapter):
    name = "sklearn-random"
    library = "sklearn"
    distribution = "scikit-learn"
    anytime = True

    def run(self, problem, *, n_iter, seed, n_jobs, scorer):
        from sklearn.model_selection import RandomizedSearchCV

        X, y = problem.data()
        search = RandomizedSearchCV(
            problem.make_estimator(), to_scipy(problem.space), n_iter=n_iter, scoring=scorer,
            cv=problem.splits(), n_jobs=n_jobs, refit=False, random_state=seed,
            error_score=np.nan,
        )
        search.fit(X, y)
        return evals_from_cv_results(search.cv_results_, len(problem.splits())), {}


def halving_cost(n_candidates, n_samples, min_resources, factor=3):
    """Budget (full-evaluation equivalents) of sklearn's successive halving
    with ``min_resources="exhaust"``, following its ``_run_search``."""
    n_required = 1 + math.floor(math.log(n_candidates, factor) + 1e-12)
    r_min = max(min_resources, n_samples // factor ** (n_required - 1))
    n_possible = 1 + math.floor(math.log(n_samples // r_min, factor) + 1e-12)
    cost, c = 0.0, n_candidates
    for itr in range(min(n_possible, n_required)):
        r = min(int(factor**itr * r_min), n_samples)
        cost += c * r / n_samples
        c = math.ceil(c / factor)
    return cost


class SklearnHalving(Adapter):
    """HalvingRandomSearchCV on the number of training samples (factor 3).

    Its budget is counted in full-evaluation equivalents (a candidate fitted
    on a third of the samples costs 1/3): ``n_candidates`` is the largest
    whose schedule plus one final full evaluation fits ``n_iter``. The best
    candidate of the last rung is re-evaluated on the full splits, and that
    score is its result (rung scores on subsamples are not comparable).
    """

    name = "sklearn-halving"
    library = "sklearn"
    distribution = "scikit-learn"
    notes = "budget in full-evaluation equivalents; best of last rung re-scored on full data"

    def run(self, problem, *, n_iter, seed, n_jobs, scorer):
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        X, y = problem.data()
        n_splits = len(problem.splits())
        min_res = n_splits * 2 * (len(np.unique(y)) if problem.task == "classification" else 1)
        n_cand = 1
        while n_cand < 50 * n_iter and halving_cost(n_cand + 1, len(y), min_res) + 1 <= n_iter:
            n_cand += 1
        search = HalvingRandomSearchCV(
            problem.make_estimator(), to_scipy(problem.space), n_candidates=n_cand, factor=3,
            resource="n_samples", min_resources="exhaust", scoring=scorer,
            cv=problem.splits(), n_jobs=n_jobs, refit=False, random_state=seed,
            error_score=np.nan, return_train_score=False,
        )
        search.fit(X, y)
        res = search.cv_results_
        evals = evals_from_cv_results(res, n_splits)
        for e, r in zip(evals, res["n_resources"]):
            e.cost, e.full = r / len(y), False
        last = np.flatnonzero(np.asarray(res["iter"]) == max(res["iter"]))
        means = np.asarray(res["mean_test_score"], dtype=float)[last]
        best = last[int(np.nanargmax(means))] if np.isfinite(means).any() else last[0]
        evals.append(cross_val_eval(problem, res["params"][best], scorer, n_jobs=n_jobs))
        return evals, {"n_candidates": n_cand, "n_resources": list(search.n_resources_)}


# -- scikit-optimize ------------------------------------------------------------
def to_skopt(space):
    from skopt.space import Categorical as SkCategorical
    from skopt.space import Integer as SkInteger
    from skopt.space import Real as SkReal

    def one(dim):
        prior = "log-uniform" if getattr(dim, "log", False) else "uniform"
        if isinstance(dim, Real):
            return SkReal(dim.low, dim.high, prior=prior)
        if isinstance(dim, Integer):
            return SkInteger(dim.low, dim.high, prior=prior)
        if isinstance(dim, Categorical):
            return SkCategorical(list(dim.choices))
        raise TypeError(f"no scikit-optimize translation for {dim!r}")

    return [{k: one(v) for k, v in sub.items()} for sub in _subspaces(space)]


class SkoptBayes(Adapter):
    """scikit-optimize ``BayesSearchCV`` (GP, defaults). A list of dicts is
    searched the only way it can: one sub-space after the other, with the
    budget split evenly (its ``[(space, n_iter), ...]`` form)."""

    name = "skopt-bayes"
    library = "skopt"
    distribution = "scikit-optimize"
    anytime = True

    def anytime_for(self, problem):
        # the budget is split between sub-spaces searched one after the other
        return not problem.is_conditional

    def run(self, problem, *, n_iter, seed, n_jobs, scorer):
        from skopt import BayesSearchCV

        X, y = problem.data()
        subs = to_skopt(problem.space)
        if len(subs) == 1:
            spaces = subs[0]
        else:
            k = len(subs)
            spaces = [(s, n_iter // k + (i < n_iter % k)) for i, s in enumerate(subs)]
        search = BayesSearchCV(
            problem.make_estimator(), spaces, n_iter=n_iter, scoring=scorer,
            cv=problem.splits(), n_jobs=n_jobs, n_points=max(1, n_jobs), refit=False,
            random_state=seed, error_score=np.nan,
        )
        search.fit(X, y)
        info = {"note": "sub-spaces searched one after the other"} if len(subs) > 1 else {}
        return evals_from_cv_results(search.cv_results_, len(problem.splits())), info


# -- Optuna ---------------------------------------------------------------------
def optuna_suggest(trial, space):
    """Draw a candidate of the neutral space through an Optuna trial
    (define-by-run: a list of dicts becomes a "subspace" choice first)."""
    subs = _subspaces(space)
    s = 0
    if len(subs) > 1:
        s = trial.suggest_categorical("subspace", list(range(len(subs))))
    prefix = f"{s}:" if len(subs) > 1 else ""
    params = {}
    for name, dim in subs[s].items():
        key = prefix + name
        if isinstance(dim, Real):
            params[name] = trial.suggest_float(key, dim.low, dim.high, log=dim.log)
        elif isinstance(dim, Integer):
            params[name] = trial.suggest_int(key, dim.low, dim.high, log=dim.log)
        elif isinstance(dim, Categorical):
            choices = list(dim.choices)
            if len(choices) == 1:
                params[name] = clone(choices[0], safe=False)
            elif all(_is_plain(c) for c in choices):
                params[name] = trial.suggest_categorical(key, choices)
            else:  # objects: search the index
                params[name] = choices[trial.suggest_categorical(key, list(range(len(choices))))]
        else:
            raise TypeError(f"no Optuna translation for {dim!r}")
    return params


class _OptunaBase(Adapter):
    library = "optuna"
    distribution = "optuna"
    anytime = True

    def _sampler(self, seed):
        raise NotImplementedError

    def run(self, problem, *, n_iter, seed, n_jobs, scorer):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        evals = []

        def objective(trial):
            params = optuna_suggest(trial, problem.space)
            e = cross_val_eval(problem, params, scorer)
            evals.append(e)
            return e.score  # NaN marks the trial failed, as Optuna documents

        study = optuna.create_study(direction="maximize", sampler=self._sampler(seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study.optimize(objective, n_trials=n_iter, n_jobs=n_jobs, catch=(Exception,))
        info = {}
        if problem.is_conditional and self.name == "optuna-gp":
            info["note"] = ("GPSampler has no dynamic search spaces: the parameters of the "
                            "sub-spaces are sampled independently (RandomSampler)")
        return evals, info


class OptunaTPE(_OptunaBase):
    """Optuna's ``TPESampler`` with its defaults, driven by ``study.optimize``
    (threads when n_jobs > 1) on the same CV evaluation."""

    name = "optuna-tpe"

    def _sampler(self, seed):
        import optuna

        return optuna.samplers.TPESampler(seed=seed)


def torch_missing():
    """Why torch cannot be imported (Optuna's GPSampler needs it), or None."""
    try:
        import torch  # noqa: F401
    except Exception as exc:
        return f"Optuna's GPSampler needs torch: {exc}"
    return None


class OptunaGP(_OptunaBase):
    """Optuna's ``GPSampler`` (needs PyTorch) with its defaults."""

    name = "optuna-gp"

    def available(self):
        ok, why = super().available()
        missing = torch_missing() if ok else None
        return (False, missing) if missing else (ok, why)

    def _sampler(self, seed):
        import optuna

        return optuna.samplers.GPSampler(seed=seed)


# -- hyperopt ---------------------------------------------------------------------
def to_hyperopt(space):
    """The neutral space as a hyperopt space (``hp.choice`` over sub-spaces).
    Integers are drawn as ``quniform`` over [low - 0.5, high + 0.5] so every
    integer is equally likely, as in the neutral prior."""
    from hyperopt import hp

    subs = _subspaces(space)

    def one(label, dim):
        if isinstance(dim, Real):
            if dim.log:
                return hp.loguniform(label, math.log(dim.low), math.log(dim.high))
            return hp.uniform(label, dim.low, dim.high)
        if isinstance(dim, Integer):
            lo, hi = dim.low - 0.4999, dim.high + 0.4999
            if dim.log:
                return hp.qloguniform(label, math.log(lo), math.log(hi), 1)
            return hp.quniform(label, lo, hi, 1)
        if isinstance(dim, Categorical):
            if len(dim.choices) == 1:
                return dim.choices[0]
            return hp.choice(label, list(dim.choices))
        raise TypeError(f"no hyperopt translation for {dim!r}")

    def sub(i, d):
        prefix = f"{i}:" if len(subs) > 1 else ""
        out = {name: one(prefix + name, dim) for name, dim in d.items()}
        out[_SUBSPACE_KEY] = i  # a constant: which sub-space was drawn
        return out

    if len(subs) == 1:
        return sub(0, subs[0])
    return hp.choice("subspace", [sub(i, d) for i, d in enumerate(subs)])


_SUBSPACE_KEY = "__subspace__"


def _from_hyperopt(params, space):
    """hyperopt's floats back to the neutral space's ints; fresh estimators."""
    params = dict(params)
    sub = _subspaces(space)[params.pop(_SUBSPACE_KEY)]
    out = {}
    for name, value in params.items():
        if isinstance(sub[name], Integer):
            value = int(min(max(round(value), sub[name].low), sub[name].high))
        out[name] = clone(value, safe=False)
    return out


class HyperoptTPE(Adapter):
    """hyperopt ``fmin`` with ``tpe.suggest`` (defaults). hyperopt evaluates
    one candidate at a time; with n_jobs > 1 the folds run in parallel."""

    name = "hyperopt-tpe"
    library = "hyperopt"
    distribution = "hyperopt"
    anytime = True

    def run(self, problem, *, n_iter, seed, n_jobs, scorer):
        from hyperopt import STATUS_FAIL, STATUS_OK, Trials, fmin, tpe

        evals = []

        def objective(params):
            e = cross_val_eval(problem, _from_hyperopt(params, problem.space), scorer, n_jobs)
            evals.append(e)
            if not math.isfinite(e.score):
                return {"status": STATUS_FAIL}
            return {"loss": -e.score, "status": STATUS_OK}

        fmin(
            objective, to_hyperopt(problem.space), algo=tpe.suggest, max_evals=n_iter,
            trials=Trials(), rstate=np.random.default_rng(seed), show_progressbar=False,
        )
        return evals, {}


# -- sklearn-genetic-opt ------------------------------------------------------------
def ga_population(n_iter):
    """(population_size, generations) of GASearchCV for about ``n_iter``
    evaluations: eaMuPlusLambda evaluates the population, then 2 x population
    offspring per generation."""
    generations = max(1, round(math.sqrt(n_iter) / 2.5))
    population = max(2, round(n_iter / (1 + 2 * generations)))
    return population, generations


class GeneticOpt(Adapter):
    """sklearn-genetic-opt ``GASearchCV`` (eaMuPlusLambda, its defaults).

    It has no ``random_state``: Python's and NumPy's global generators are
    seeded instead. It has no log prior for integers (uniform is used) and no
    conditional spaces. Candidates it re-visits come from its cache and are
    not counted as evaluations.
    """

    name = "genetic-opt-ga"
    library = "sklearn_genetic"
    distribution = "sklearn-genetic-opt"
    notes = "log-integers searched uniformly; no random_state (global seeds)"

    def cannot_express(self, problem):
        if problem.is_conditional:
            return "GASearchCV takes one flat dict: no list of dicts / conditional parameters"
        return None

    def run(self, problem, *, n_iter, seed, n_jobs, scorer):
        from sklearn_genetic import GASearchCV
        from sklearn_genetic.space import Categorical as GaCategorical
        from sklearn_genetic.space import Continuous
        from sklearn_genetic.space import Integer as GaInteger

        grid = {}
        for name, dim in problem.space.items():
            if isinstance(dim, Real):
                dist = "log-uniform" if dim.log else "uniform"
                grid[name] = Continuous(dim.low, dim.high, distribution=dist)
            elif isinstance(dim, Integer):
                grid[name] = GaInteger(dim.low, dim.high)
            elif isinstance(dim, Categorical):
                grid[name] = GaCategorical(list(dim.choices))
        population, generations = ga_population(n_iter)
        random.seed(seed)
        np.random.seed(seed)
        X, y = problem.data()
        search = GASearchCV(
            problem.make_estimator(), cv=problem.splits(), param_grid=grid, scoring=scorer,
            population_size=population, generations=generations, n_jobs=n_jobs,
            verbose=False, refit=False, error_score=np.nan,
        )
        search.fit(X, y)
        evals, seen = [], set()
        for entry in search.logbook.chapters["parameters"]:
            if entry["index"] in seen:
                continue
            seen.add(entry["index"])
            scores = np.asarray(entry["cv_scores"], dtype=float)
            score = float(np.mean(scores)) if np.isfinite(scores).all() else math.nan
            evals.append(Eval(score, float(np.sum(entry["fit_time"])),
                              float(np.sum(entry["score_time"]))))
        return evals, {"population_size": population, "generations": generations}


# -- sksearch ---------------------------------------------------------------------
class SksearchAdapter(Adapter):
    """Any public ``*SearchCV`` class of sksearch, with the neutral space as is."""

    library = "sksearch"
    distribution = "sksearch"

    def __init__(self, cls):
        """``cls``: the name of a class in ``sksearch`` or a class (e.g. a test-only one)."""
        self.cls = cls
        name = cls if isinstance(cls, str) else cls.__name__
        self.name = f"sksearch-{name.removesuffix('SearchCV').removesuffix('Search').lower()}"

    def run(self, problem, *, n_iter, seed, n_jobs, scorer):
        cls = self.cls
        if isinstance(cls, str):
            import sksearch

            cls = getattr(sksearch, cls)
        X, y = problem.data()
        search = cls(
            problem.make_estimator(), problem.space, n_iter=n_iter, scoring=scorer,
            cv=problem.splits(), n_jobs=n_jobs, refit=False, random_state=seed,
            error_score=np.nan,
        )
        search.fit(X, y)
        res = search.cv_results_
        evals = evals_from_cv_results(res, len(problem.splits()))
        if "n_resources" in res:  # multi-fidelity: only the top budget is a full score
            r = np.asarray(res["n_resources"], dtype=float)
            top = r.max()
            for e, ri in zip(evals, r):
                e.cost, e.full = ri / top, bool(ri == top)
        return evals, {}


def sksearch_adapters():
    """One adapter per ``*SearchCV`` in ``sksearch.__all__`` (none if it fails to import)."""
    try:
        import sksearch
    except Exception as exc:
        print(f"sksearch cannot be imported, no sksearch adapter: {exc}", file=sys.stderr)
        return []
    names = sorted(n for n in getattr(sksearch, "__all__", []) if n.endswith("SearchCV"))
    return [SksearchAdapter(n) for n in names]


PEERS = [SklearnRandom(), SklearnHalving(), SkoptBayes(), OptunaTPE(), OptunaGP(),
         HyperoptTPE(), GeneticOpt()]


def all_adapters():
    """The peers, then every sksearch class present now."""
    return PEERS + sksearch_adapters()


ADAPTERS = all_adapters  # discovered at call time: sksearch grows classes


def select_adapters(spec=None):
    """Adapters whose name starts with one of the comma-separated prefixes
    (``"sklearn,sksearch"``); all of them when ``spec`` is empty."""
    adapters = all_adapters()
    if not spec:
        return adapters
    prefixes = [s.strip() for s in spec.split(",") if s.strip()]
    chosen = [a for a in adapters if any(a.name.startswith(p) for p in prefixes)]
    unknown = [p for p in prefixes if not any(a.name.startswith(p) for a in adapters)]
    if unknown and not any(p.startswith("sksearch") for p in unknown):
        raise ValueError(
            f"no adapter named {', '.join(unknown)}; known: "
            f"{', '.join(a.name for a in adapters)}"
        )
    return chosen
