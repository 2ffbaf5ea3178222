"""The scikit-learn side of Hyperband: resources, folds and the run of its rungs.

:class:`BaseHyperband` is the driver for multi-fidelity search. It resolves
the resource (``n_samples`` or an integer parameter of the estimator), turns
``n_iter`` into a plan of brackets (:mod:`sksearch.optimizers.hyperband`), and
runs the plan's steps as units of the one loop (:class:`HyperbandRun`), so
``cv_results_`` holds every evaluation, with ``iter``, ``n_resources`` and
``bracket`` columns, and ``best_*`` refer to the highest resource reached.

Continued training (``warm_start``). A fit-and-score job fits a
fresh clone per candidate and fold in joblib workers (threads, processes or
Dask workers) and returns scores, never models. To let a promoted candidate
continue from its models of the previous rung, the run adds one private
entry (:class:`_Continuation`: a directory, the candidate's lineage and what
to do) to the parameters of its jobs, whose fit-and-score function is
:func:`_fit_and_score_continued` (sklearn's ``_fit_and_score`` around it,
called, never replaced): it takes the entry out before sklearn sees the
parameters, loads the fold's model of
the previous rung from the directory (one file per lineage and fold, written
atomically), sets the estimator's ``warm_start`` and the resource, fits, and
stores the model for the next rung. Files are the only state shared by the
parent and the workers, so threads and loky processes behave alike; a worker
that cannot read the directory (another machine) trains from scratch, which
is always correct. The driver deletes the models of candidates that are not
promoted, and the whole directory at the end of ``fit``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import os
import pickle
import shutil
import tempfile
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import is_classifier

from ._compat import (
    Interval,
    StrOptions,
    _fit_and_score,
    _num_samples,
    _SubsampleMetaSplitter,
)
from ._journal import Journal
from ._loop import run_loop
from ._run import format_score
from ._search import BaseSearch, StrategyRun, _tell_known
from ._warn import warn_user
from .optimizers._registry import get_optimizer
from .optimizers.hyperband import (
    Job,
    auto_evaluations,
    hyperband_plan,
    max_depth,
    resource_levels,
    round_evaluations,
)

__all__ = ["BaseHyperband"]


# -- continued training -------------------------------------------------------

_CONTINUE_KEY = "__sksearch_continue__"  # private entry of a candidate's parameters
_CONTINUED = "sksearch_continued"  # private entry of a fit's result (a bool)

# (estimator classes, resource parameter, how the resource is read) of the
# estimators whose training can be continued with ``warm_start=True``.
# "total": the parameter is the size of the whole model (trees, boosting
# iterations): set it to the new resource and the model grows to it; a forest
# or boosting model grown so equals one fitted from scratch with the same
# ``random_state``. "increment": the parameter is the number of epochs of one
# ``fit`` call: set it to the difference; the weights continue, but the
# optimiser's schedule (learning-rate decay, Adam moments, SGD's ``t_``)
# starts again, so the result differs from one uninterrupted run.
_TOTAL, _INCREMENT = "total", "increment"


def _continuation_table():
    from sklearn import ensemble, linear_model, neural_network

    table = [
        (
            (
                ensemble.RandomForestClassifier,
                ensemble.RandomForestRegressor,
                ensemble.ExtraTreesClassifier,
                ensemble.ExtraTreesRegressor,
                ensemble.RandomTreesEmbedding,
                ensemble.GradientBoostingClassifier,
                ensemble.GradientBoostingRegressor,
                ensemble.BaggingClassifier,
                ensemble.BaggingRegressor,
                ensemble.IsolationForest,
            ),
            "n_estimators",
            _TOTAL,
        ),
        (
            (ensemble.HistGradientBoostingClassifier, ensemble.HistGradientBoostingRegressor),
            "max_iter",
            _TOTAL,
        ),
        (
            (
                linear_model.SGDClassifier,
                linear_model.SGDRegressor,
                linear_model.SGDOneClassSVM,
                linear_model.Perceptron,
                linear_model.PassiveAggressiveClassifier,
                linear_model.PassiveAggressiveRegressor,
                neural_network.MLPClassifier,
                neural_network.MLPRegressor,
            ),
            "max_iter",
            _INCREMENT,
        ),
    ]
    return table + _DECLARED


_DECLARED = []  # rows of the table declared by the packages that own the estimators


def continue_along(classes, resource, *, increment):
    """Declare that estimators of ``classes`` continue their training along
    the parameter ``resource`` when refitted with ``warm_start=True``: to a
    total of ``resource`` (``increment=False``), or by ``resource`` more
    (``increment=True``). sksearch.nas declares its networks' ``max_epochs``
    so; the driver imports nothing of the packages above it."""
    _DECLARED.append((tuple(classes), resource, _INCREMENT if increment else _TOTAL))


# -- the fixed cost of an evaluation -------------------------------------------

# An evaluation at resource r costs about F + v * r: a fixed part F (input
# validation, the set-up of a fit, HistGradientBoosting's binning, scoring
# the whole test fold with resource="n_samples") and a part proportional to
# r. A rung at r is worth its place in a bracket while v * r >= F: its fixed
# part is at most half of what it costs, so it costs at most twice its share
# r / max_resources of a full evaluation. min_resources="auto" starts at the
# smallest level with r >= F / v, F / v read from the table below by the type
# of the estimator that owns the resource (the final step of a Pipeline with
# "n_samples"); a rule of the estimator's type and the data size, never of a
# measured time, so the proposals stay a function of random_state.
#
# The figures, from `benchmarks/hyperband_speed.py --costs` (3-fold CV, one
# thread; "overhead" = cost(r) / cost(max) divided by r / max, 1 when the
# cost is proportional to r): HistGradientBoosting max_iter on 4000 x 20
# samples, F ~ 16 iterations (overhead 5.3 at r=3, 2.1 at 9, 1.3 at 27 of
# 81); a scaled SGDClassifier's epochs on 10000 x 50, F ~ 6 epochs (2.9 at
# 3, 1.6 at 9); ExtraTrees n_estimators, F ~ 1 tree (1.95 at 1, 1.5 at 3);
# with n_samples, ExtraTrees on 20000 x 20: F ~ 0.15 of the full training
# fold (overhead 4.3 at 1/27, 1.85 at 1/9), HistGradientBoosting: F is most
# of a fit, its histograms cost per bin rather than per sample (overhead 4.9
# at 1/9 and still 2.3 at 1/3), so it starts at 1/3; an RBF SVC on n_samples
# costs less than its share at every level (overhead 0.6-1.1 down to 1/27);
# an sksearch.nas MLPNetClassifier's max_epochs on the digits (1347 x 64,
# batches of 64-256, one thread): overhead 1.4-1.7 at 1 epoch of 27 and
# 1.1-1.35 at 3, below 2 at every level, so it is not in the table.
# Estimators not in the table start at "smallest", as before.
_PER_RESOURCE_FIXED = "resource units"  # F / v in units of the resource
_FRACTION_FIXED = "fraction of max_resources"  # F / v as a share of the maximum


def _fixed_cost_table():
    from sklearn import ensemble, neural_network

    forests = (
        ensemble.RandomForestClassifier,
        ensemble.RandomForestRegressor,
        ensemble.ExtraTreesClassifier,
        ensemble.ExtraTreesRegressor,
        ensemble.BaggingClassifier,
        ensemble.BaggingRegressor,
    )
    hist = (ensemble.HistGradientBoostingClassifier, ensemble.HistGradientBoostingRegressor)
    mlp = (neural_network.MLPClassifier, neural_network.MLPRegressor)
    # SGD's epochs are left out although their fixed cost is ~6 epochs: on
    # sgd_max_iter, starting at 9 instead of 3 epochs made BOHB slower to
    # reach random search's best (median ratio 0.49 against 0.35, 3 seeds of
    # 5 against 4): a 3-epoch rung already ranks the candidates well enough
    # to pay for its fixed cost
    return [
        # (classes, resource leaf or "n_samples", kind, F / v)
        (hist, "max_iter", _PER_RESOURCE_FIXED, 16),
        (mlp, "max_iter", _PER_RESOURCE_FIXED, 1),
        (forests, "n_estimators", _PER_RESOURCE_FIXED, 1),
        (forests, "n_samples", _FRACTION_FIXED, 0.15),
        (hist, "n_samples", _FRACTION_FIXED, 1 / 3),
    ]


def _resource_owner(estimator, resource):
    """(path, estimator, parameter name) of what owns a parameter resource
    (``"clf__n_estimators"``: the ``clf`` step); for ``"n_samples"``, the
    estimator that learns from the samples (a Pipeline's final step)."""
    if resource == "n_samples":
        owner = estimator
        while hasattr(owner, "steps"):  # a Pipeline: its final estimator learns
            owner = owner.steps[-1][1]
        return "", owner, "n_samples"
    owner_path, _, leaf = resource.rpartition("__")
    owner = estimator.get_params(deep=True)[owner_path] if owner_path else estimator
    return owner_path, owner, leaf


def _fixed_cost_resource(estimator, resource, max_resources):
    """F / v (see above) in units of the resource, for the estimator that
    owns it; 0 where the table has no figure."""
    _, owner, leaf = _resource_owner(estimator, resource)
    for classes, name, kind, value in _fixed_cost_table():
        if leaf == name and isinstance(owner, classes):
            return value * max_resources if kind == _FRACTION_FIXED else value
    return 0


def _continuation_mode(estimator, resource):
    """How the estimator's training continues along ``resource``: (mode,
    name of its ``warm_start`` parameter), or (None, why not)."""
    if resource == "n_samples":
        return None, (
            "resource='n_samples' trains on a larger subsample at every rung, "
            "which a model fitted on a smaller one cannot continue"
        )
    owner_path, owner, leaf = _resource_owner(estimator, resource)
    warm_param = f"{owner_path}__warm_start" if owner_path else "warm_start"
    for classes, name, mode in _continuation_table():
        if leaf == name and isinstance(owner, classes):
            if "warm_start" not in owner.get_params(deep=False):  # pragma: no cover
                break
            return mode, warm_param
    return None, (
        f"{type(owner).__name__}.{leaf} is not a resource sksearch knows how to "
        "continue (n_estimators of forests, gradient boosting and bagging; max_iter "
        "of HistGradientBoosting, SGD, Perceptron, PassiveAggressive and MLP "
        "estimators; max_epochs of sksearch.nas networks)"
    )


class _Continuation:
    """What a worker does for one fold fit of a lineage (picklable)."""

    __slots__ = ("directory", "lineage", "resource", "warm_param", "mode", "load", "store")

    def __init__(self, directory, lineage, resource, warm_param, mode, load, store):
        self.directory = directory
        self.lineage = lineage
        self.resource = resource
        self.warm_param = warm_param
        self.mode = mode
        self.load = load
        self.store = store

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state):
        for k, v in state.items():
            setattr(self, k, v)

    def __repr__(self):  # shown if sklearn prints parameters (verbose > 2)
        return f"_Continuation({self.lineage!r})"


def _model_path(directory, lineage, fold):
    return os.path.join(directory, f"{lineage}-fold{fold}.pkl")


def _load_model(path):
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # missing (another machine), unreadable: train from scratch
        return None


def _store_model(path, record):
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            pickle.dump(record, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # the next rung sees a whole file or none
    except Exception:  # no such directory here (a remote worker): nothing kept
        try:
            os.remove(tmp)
        except OSError:
            pass


def _fit_and_score_continued(estimator, X, y, *, parameters=None, split_progress=None, **kwargs):
    """sklearn's ``_fit_and_score``, continuing a lineage's model of the previous rung.

    Parameters without the private entry (every search but a continuing
    Hyperband) go to sklearn's function unchanged.
    """
    cont = parameters.get(_CONTINUE_KEY) if isinstance(parameters, dict) else None
    if cont is None or split_progress is None:
        if cont is not None:
            parameters = {k: v for k, v in parameters.items() if k != _CONTINUE_KEY}
        return _fit_and_score(
            estimator, X, y, parameters=parameters, split_progress=split_progress, **kwargs
        )
    params = {k: v for k, v in parameters.items() if k != _CONTINUE_KEY}
    path = _model_path(cont.directory, cont.lineage, split_progress[0])
    target = params[cont.resource]
    overhead = time.perf_counter()
    continued = False
    if cont.load:
        record = _load_model(path)
        if record is not None and record[0] < target:
            previous, estimator = record
            params[cont.warm_param] = True
            if cont.mode == _INCREMENT:
                params[cont.resource] = target - previous
            continued = True
    overhead = time.perf_counter() - overhead
    keep = kwargs.get("return_estimator", False)
    kwargs["return_estimator"] = True
    result = _fit_and_score(
        estimator, X, y, parameters=params, split_progress=split_progress, **kwargs
    )
    model = result["estimator"] if keep else result.pop("estimator")
    if cont.store and result.get("fit_error") is None:
        start = time.perf_counter()
        _store_model(path, (target, model))
        overhead += time.perf_counter() - start
    if "fit_time" in result:
        # loading and storing the models is part of what the evaluation cost
        result["fit_time"] += overhead
    result[_CONTINUED] = continued
    return result


def _rung_costs(results, max_resources):
    """What an evaluation cost at each resource, over one at ``max_resources``.

    The median fit and score time of the evaluations trained from scratch
    (a continued one pays only for its increment) at each ``n_resources``,
    divided by that at ``max_resources``; NaN where a resource has no such
    evaluation. Measured, so it is advice (compare it with ``n_resources /
    max_resources``: a rung that costs much more than its share is dominated
    by fixed costs, and a larger ``min_resources`` skips it); the search
    never reads it.
    """
    n_res = np.asarray(results["n_resources"])
    cost = np.asarray(results["mean_fit_time"], dtype=float) + np.asarray(
        results["mean_score_time"], dtype=float
    )
    cold = ~np.asarray(results.get("warm_started", np.zeros(len(n_res), bool)), dtype=bool)
    median = {}
    for r in np.unique(n_res):
        rows = cold & (n_res == r) & np.isfinite(cost)
        median[int(r)] = float(np.median(cost[rows])) if rows.any() else float("nan")
    full = median.get(int(max_resources), float("nan"))
    return {r: (c / full if full > 0 else float("nan")) for r, c in sorted(median.items())}


def _round_text(depth, factor, levels):
    return (
        f"a round of {depth + 1} bracket{'s' if depth else ''} from "
        f"min_resources={levels[depth]} ({round_evaluations(depth, factor)} evaluations)"
    )


class BaseHyperband(BaseSearch):
    """Hyperband's driver: its parameters and resources; :class:`HyperbandRun` runs the plan.

    Subclasses implement ``_make_optimizer`` (the sampler of new candidates).
    See :class:`sksearch.HyperbandSearchCV` for the parameters.
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "n_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "resource": [str],
        "min_resources": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto", "exhaust", "smallest"}),
        ],
        "max_resources": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "factor": [Interval(Real, 2, None, closed="left")],
        "warm_start": ["boolean", StrOptions({"auto"})],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter="auto",
        resource="n_samples",
        min_resources="auto",
        max_resources="auto",
        factor=3,
        warm_start="auto",
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
    ):
        super().__init__(
            estimator,
            param_distributions,
            n_iter=n_iter,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.factor = factor
        self.warm_start = warm_start

    def _check_search_params(self):
        self._check_resource_name()
        self._resolve_warm_start()

    def _resolve_warm_start(self):
        """(mode, warm_start parameter) of continued training, or None."""
        if self.warm_start is False:
            return None
        mode, how = _continuation_mode(self.estimator, self.resource)
        if mode is None:
            if self.warm_start is True:
                raise ValueError(
                    f"warm_start=True: training cannot be continued from rung to rung "
                    f"here: {how}. Use warm_start='auto' (continue where possible) or "
                    "False (train every rung from scratch)."
                )
            return None
        return mode, how

    def _check_resource_name(self):
        resource = self.resource
        if resource == "n_samples":
            return
        valid = self.estimator.get_params(deep=True)
        if resource not in valid:
            raise ValueError(
                f"resource={resource!r} is not a parameter of the estimator "
                f"{type(self.estimator).__name__}: use 'n_samples' (training samples) "
                "or one of its integer parameters (such as n_estimators or max_iter). "
                f"Its parameters are: {sorted(valid)!r}."
            )
        # the resource is set by the search at every rung: searching it too
        # would silently be overwritten
        dists = self.param_distributions
        for d in dists if isinstance(dists, (list, tuple)) else [dists]:
            if isinstance(d, dict) and resource in d:
                raise ValueError(
                    f"resource={resource!r} is also a searched parameter in "
                    "param_distributions. Hyperband sets the resource itself at every "
                    "rung (from min_resources to max_resources): remove it from "
                    "param_distributions, or choose another resource."
                )
    def _resolve_resources(self, n_samples, n_classes, n_splits):
        """min_resources_, max_resources_, the levels, the plan's depth and n_iter_."""
        resource, factor = self.resource, self.factor
        if self.max_resources == "auto":
            if resource == "n_samples":
                max_r = n_samples
            else:
                value = self.estimator.get_params(deep=True)[resource]
                if (
                    isinstance(value, bool)
                    or not isinstance(value, Integral)
                    or value < 1
                ):
                    raise ValueError(
                        f"max_resources='auto' uses the estimator's {resource}={value!r} "
                        "as the maximum resource, which is not an integer >= 1: set "
                        "max_resources to an integer."
                    )
                max_r = int(value)
        else:
            max_r = int(self.max_resources)

        if max_r < 1:
            raise ValueError(
                f"max_resources='auto' is {max_r}: you might have passed an empty dataset X."
            )
        if resource == "n_samples":
            smallest = 2 * n_splits * (n_classes or 1)
            how = (
                f"2 x n_splits={n_splits}"
                + (f" x n_classes={n_classes}" if n_classes else "")
            )
        else:
            smallest, how = 1, "1"
        if self.min_resources == "auto":
            # the smallest level whose fixed cost does not dominate (see
            # _fixed_cost_resource); adapts to n_iter as 'exhaust' does
            fixed = _fixed_cost_resource(self.estimator, resource, max_r)
            min_r = min(max(smallest, int(np.ceil(fixed))), max_r)
        elif self.min_resources == "exhaust":
            min_r = min(smallest, max_r)  # 'exhaust' adapts instead of failing
        elif self.min_resources == "smallest":
            min_r = smallest
        else:
            min_r = int(self.min_resources)
        if min_r > max_r:
            what = (
                f"min_resources='smallest' is {min_r} ({how})"
                if self.min_resources == "smallest"
                else f"min_resources={min_r}"
            )
            where = ""
            if self.max_resources == "auto":
                what_max = "number of samples" if resource == "n_samples" else resource
                where = f" (max_resources='auto': the {what_max} of the estimator)"
            raise ValueError(
                f"{what} is greater than max_resources={max_r}{where}; "
                "min_resources must be <= max_resources."
            )

        s_cap = max_depth(min_r, max_r, factor)
        levels = resource_levels(max_r, factor, s_cap)
        costs = [round_evaluations(s, factor) for s in range(s_cap + 1)]
        if self.n_iter == "auto":
            depth, n_iter = s_cap, auto_evaluations(s_cap, factor)
        else:
            n_iter = int(self.n_iter)
            fits = [s for s in range(s_cap + 1) if costs[s] <= n_iter]
            depth = max(fits)
            if self.min_resources not in ("auto", "exhaust") and depth < s_cap:
                raise ValueError(
                    f"n_iter={n_iter} cannot fill one Hyperband round from "
                    f"min_resources={levels[s_cap]} to max_resources={max_r} with "
                    f"factor={factor}: its {s_cap + 1} brackets need {costs[s_cap]} "
                    f"evaluations. n_iter={n_iter} can fill "
                    f"{_round_text(depth, factor, levels)}: set min_resources='exhaust' "
                    f"to let the search choose it, or n_iter>={costs[s_cap]}."
                )
        return min_r, max_r, levels[: depth + 1], depth, n_iter
    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        """The best candidate at the highest resource reached.

        Scores at a lower resource are not comparable with full-resource ones
        (a candidate stopped early was never scored with the full resource),
        so ``best_*`` are chosen among the evaluations at the largest
        ``n_resources`` where some candidate succeeded (a score of ``-inf``
        is a success, a NaN a failure, as in sklearn's Halving searches: a
        failed candidate is never refitted while another was scored). A
        ``refit`` callable gets ``cv_results_`` and decides itself.
        """
        if callable(refit):
            return BaseSearch._select_best_index(refit, refit_metric, results)
        scores = np.asarray(results[f"mean_test_{refit_metric}"], dtype=float)
        n_res = np.asarray(results["n_resources"])
        scored = ~np.isnan(scores)
        top = n_res[scored].max() if scored.any() else n_res.max()
        rows = np.flatnonzero(n_res == top)
        if not scored[rows].any():
            return int(rows[0])
        rows = rows[scored[rows]]  # nanargmax would take a NaN for a -inf
        return int(rows[np.argmax(scores[rows])])

    _run_class = None  # set below


class HyperbandRun(StrategyRun):
    """A run of Hyperband: a unit of the loop is one evaluation, a candidate
    at a resource level (a ``Job`` of the scheduler). In the deterministic
    mode a round is one step of :class:`HyperbandScheduler` (the rungs of
    every running bracket); in asynchronous mode :class:`ASHAScheduler`
    hands out one job at a time."""

    what = "evaluations"

    def __init__(self, search, X, y, params, **kwargs):
        super().__init__(search, X, y, params, **kwargs)
        self.n_samples = _num_samples(self.X)
        self.n_classes = None
        if y is not None and is_classifier(search.estimator):
            self.n_classes = int(np.unique(np.asarray(y)).shape[0])
        self.continue_mode = search._resolve_warm_start()
        _, self.max_r, self.levels, self.depth, self.n_iter = search._resolve_resources(
            self.n_samples, self.n_classes, self.n_splits
        )
        self.models_dir = None
        self.level_splits = {}
        self.rung_scores = []  # (n_resources, score) of every evaluation
        self.lineages = None
        self.continuations = {}

    def journal_parts(self):
        # rungs at a lower resource mean something only with the same levels
        search = self.search
        return {"resource": search.resource, "levels": [int(v) for v in self.levels],
                "factor": float(search.factor)}

    def __exit__(self, *exc):
        if self.models_dir is not None:
            shutil.rmtree(self.models_dir, ignore_errors=True)
        return super().__exit__(*exc)

    def models_directory(self):
        self.models_dir = tempfile.mkdtemp(prefix="sksearch-hyperband-")
        return self.models_dir

    def new_strategy(self):
        """A fresh sampler (told the warm-start observations, at the highest
        resource) and scheduler of the plan."""
        search = self.search
        sampler = search._make_optimizer(
            self.space, random_state=self.seed("strategy"), batch_size=self.batch_size,
            n_levels=self.depth + 1,
        )
        search.n_warm_start_ = _tell_known(sampler, *self.warm, source="warm_start_from")
        search.optimizer_ = sampler  # live, for callbacks
        seed = self.seed("scheduler")
        if search.asynchronous:
            return get_optimizer("scheduler", "asha")(
                self.plan, sampler, factor=search.factor, n_evaluations=self.n_iter,
                random_state=seed,
            )
        return get_optimizer("scheduler", "hyperband")(
            self.plan, sampler, batch_size=self.batch_size, random_state=seed
        )

    def execute(self):
        search = self.search
        self.plan = plan = hyperband_plan(self.n_iter, self.depth, search.factor)
        self.batch_size = max(1, int(search.batch_size))  # never n_jobs: see BaseSearch
        self.subsample_seed = self.seed("subsample")
        self.strategy = self.new_strategy()
        if self.continue_mode is not None:
            # ASHA may promote any candidate at any time: its models are kept
            self.lineages = _Lineages(self, prune=not search.asynchronous)
        search_ctx = run_loop(
            self, n_iter=self.n_iter, batch_size=self.batch_size,
            # counted only for callbacks: a plan may have millions of steps
            n_units=self.n_iter if search.asynchronous else self.strategy.n_steps,
            what=self.what,
        )
        scheduler = self.strategy
        brackets = scheduler.brackets if search.asynchronous else plan[: scheduler.n_started]
        if scheduler.n_repeated_:
            warn_user(
                f"The search space has too few distinct candidates for the "
                f"{len(brackets)} bracket(s) that ran: {scheduler.n_repeated_} candidates "
                "were drawn again and are evaluated more than once."
            )
        levels = self.levels
        search.min_resources_ = levels[self.depth]
        search.max_resources_ = self.max_r
        search.n_resources_ = sorted(levels[: self.depth + 1])
        search.n_iter_ = self.n_iter
        search.brackets_ = [
            {
                "bracket": b.index,
                "round": b.round,
                "n_candidates": list(b.n_candidates),
                "n_resources": [levels[k] for k in b.levels],
            }
            for b in brackets
        ]
        search.n_resumed_ = self.n_resumed
        search.n_batches_ = self.n_batches
        search.batch_size_ = self.batch_size
        search.stop_reason_ = self.stop_reason
        return search_ctx

    def finish(self):
        search = self.search
        search.rung_costs_ = _rung_costs(search.cv_results_, search.max_resources_)

    # -- what a unit's level means: its resource, folds, continuation ------
    fit_and_score = staticmethod(_fit_and_score_continued)

    def units_asked(self, jobs):
        if self.lineages is not None and jobs:
            self.continuations.update(self.lineages.start(jobs))

    def row(self, job):
        """The job's parameters as ``cv_results_`` shows them (with the
        resource, when it is a parameter of the estimator)."""
        params = dict(job.candidate)
        if self.search.resource != "n_samples":
            params[self.search.resource] = self.levels[job.level]
        return params

    def unit_params(self, job):
        params = self.row(job)
        cont = self.continuations.pop(id(job), None)
        if cont is not None:
            params[_CONTINUE_KEY] = cont
        return params

    def level_folds(self, level):
        """The folds at a resource level: with ``n_samples`` the same
        subsample of each training fold for every candidate at this level;
        test folds are kept whole, so every rung is scored on the same data."""
        if self.search.resource != "n_samples" or level == 0:
            return None
        if level not in self.level_splits:
            cv = _SubsampleMetaSplitter(
                base_cv=self.frozen_cv,
                fraction=self.levels[level] / self.n_samples,
                subsample_test=False,
                random_state=self.subsample_seed,
            )
            self.level_splits[level] = self.split(cv)
        return self.level_splits[level]

    def more_columns(self, jobs, outs_of):
        return {
            "n_resources": [self.levels[job.level] for job in jobs],
            "bracket": [job.bracket for job in jobs],
            "warm_started": [
                all([bool(o.pop(_CONTINUED, False)) for o in outs]) for outs in outs_of
            ],
        }

    def scores_recorded(self, jobs, scores):
        for job in jobs:  # those taken from the journal made no jobs
            self.continuations.pop(id(job), None)
        self.rung_scores.extend((self.levels[job.level], s) for job, s in zip(jobs, scores))

    def units_told(self, jobs):
        if self.lineages is not None:
            self.lineages.end(jobs)

    def unit_key(self, job):
        return (self.space.key(self.space.encode(job.candidate)), self.levels[job.level])

    def record_key(self, record):
        return (self.space.key(Journal.vector(record)), record["more"]["n_resources"])

    def progress_line(self, n_done, n_iter, elapsed):
        # the best score at the largest resource reached so far: until a
        # candidate reaches max_resources, the best of the highest rung
        pairs = np.asarray(self.rung_scores, dtype=float).reshape(-1, 2)
        resources, scores = pairs[:, 0], pairs[:, 1]
        ok = np.isfinite(scores)
        if ok.any():
            level = resources[ok].max()
            best = format_score(scores[ok & (resources == level)].max())
            where = ("at max_resources" if level >= self.levels[0]
                     else f"at n_resources {level:g} (none at max_resources yet)")
            text = f"best {best} {where}"
        else:
            text = "no successful evaluation yet"
        return (
            f"[{type(self.search).__name__}] {n_done}/{n_iter} evaluations, {text}, "
            f"elapsed {elapsed:.1f}s"
        )

    # -- resuming from the journal -------------------------------------------
    def record_unit(self, record):
        """The job a journal record is the evaluation of: its candidate at its
        resource level, in its bracket (the rung is the scheduler's to place)."""
        more = record.get("more", {})
        n_res = more.get("n_resources")
        if n_res not in self.levels or not isinstance(more.get("bracket"), int):
            raise ValueError(f"not a record of these rungs: {more!r}")
        return Job(self.record_candidate(record), self.levels.index(n_res), more["bracket"])

    def journal_out(self, record):
        outs = super().journal_out(record)
        if record.get("more", {}).get("warm_started"):
            for out in outs:
                out[_CONTINUED] = True
        return outs


BaseHyperband._run_class = HyperbandRun


def _replaces_owner(owner, candidate):
    """Whether a candidate sets the estimator that owns the resource (an
    estimator choice): such a candidate is trained from scratch."""
    return bool(owner) and any(k == owner or owner.startswith(k + "__") for k in candidate)


class _Lineages:
    """The driver's side of continued training: tells the workers what to
    load and store for each job, and deletes the models no rung will continue.

    A job's ``lineage`` (its scheduler's name of one candidate through the
    rungs of its bracket) names its models: a promotion (rung > 0) loads
    them, a rung below the maximum resource (level > 0) stores them. With
    ``prune`` (synchronous brackets, whose next rung promotes from the last
    one at once) the models of the candidates a rung did not promote are
    deleted as it is asked, and a bracket's models when it ends; without
    (asynchronous successive halving, which may promote a candidate at any
    time) they are kept until the end of the search.
    """

    def __init__(self, run, *, prune):
        self.directory = run.models_directory()
        self.mode, self.warm_param = run.continue_mode
        self.resource = run.search.resource
        self.owner = self.resource.rpartition("__")[0]
        self.n_splits = run.n_splits
        self.prune = prune
        self.stored = {}  # bracket -> lineages whose models wait for its next rung

    def start(self, jobs):
        """The continuation of each job (by id(job)) just asked."""
        out = {}
        for job in jobs:
            if _replaces_owner(self.owner, job.candidate):
                # a candidate that sets the estimator owning the resource (an
                # estimator choice): trained from scratch
                continue
            out[id(job)] = _Continuation(
                self.directory, f"l{job.lineage}", self.resource, self.warm_param,
                self.mode, job.rung > 0, job.level > 0,
            )
        if self.prune:
            for b in {job.bracket for job in jobs}:
                promoted = {job.lineage for job in jobs if job.bracket == b}
                self._delete(self.stored.pop(b, set()) - promoted)
        return out

    def end(self, jobs):
        if not self.prune:
            return
        for job in jobs:
            if job.level > 0:
                self.stored.setdefault(job.bracket, set()).add(job.lineage)
            else:  # the bracket's last rung: nothing continues it
                self._delete({job.lineage})

    def _delete(self, lineages):
        for lineage in lineages:
            for fold in range(self.n_splits):
                try:
                    os.remove(_model_path(self.directory, f"l{lineage}", fold))
                except OSError:
                    pass
