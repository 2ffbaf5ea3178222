"""The scikit-learn side of Hyperband: resources, folds and ``evaluate_candidates``.

:class:`BaseHyperband` is the driver for multi-fidelity search. It resolves
the resource (``n_samples`` or an integer parameter of the estimator), turns
``n_iter`` into a plan of brackets (:mod:`sksearch.optimizers.hyperband`), and
runs the plan's steps through sklearn's ``evaluate_candidates``, so
``cv_results_`` holds every evaluation, with ``iter``, ``n_resources`` and
``bracket`` columns, and ``best_*`` refer to the highest resource reached.

Continued training (``warm_start``). sklearn's ``evaluate_candidates`` fits a
fresh clone per candidate and fold in joblib workers (threads, processes or
Dask workers) and returns scores, never models. To let a promoted candidate
continue from its models of the previous rung, the driver adds one private
entry (:class:`_Continuation`: a directory, the candidate's lineage and what
to do) to the parameters it passes; :func:`_fit_and_score_continued`, put in
place of sklearn's ``_fit_and_score`` in ``sklearn.model_selection._search``
only while an sksearch search fits (``_compat.search_scope``),
takes it out before sklearn sees the parameters, loads the fold's model of
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
import sys
import tempfile
import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import _num_samples

from ._compat import (
    BaseSearchCV,
    Interval,
    StrOptions,
    _SubsampleMetaSplitter,
    deferred_fit_failure_check,
    original_fit_and_score,
    register_fit_and_score,
)
from ._search import BaseSearch, _tell_known
from .optimizers.hyperband import (
    HyperbandScheduler,
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
    nets = sys.modules.get("sksearch.nas._estimators")  # loaded if one is used
    if nets is not None:
        table.append(((nets._TorchNet,), "max_epochs", _INCREMENT))
    return table


def _continuation_mode(estimator, resource):
    """How the estimator's training continues along ``resource``: (mode,
    name of its ``warm_start`` parameter), or (None, why not)."""
    if resource == "n_samples":
        return None, (
            "resource='n_samples' trains on a larger subsample at every rung, "
            "which a model fitted on a smaller one cannot continue"
        )
    owner_path, _, leaf = resource.rpartition("__")
    owner = estimator.get_params(deep=True)[owner_path] if owner_path else estimator
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
        return original_fit_and_score(
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
    result = original_fit_and_score(
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


register_fit_and_score(_fit_and_score_continued)


def _round_text(depth, factor, levels):
    return (
        f"a round of {depth + 1} bracket{'s' if depth else ''} from "
        f"min_resources={levels[depth]} ({round_evaluations(depth, factor)} evaluations)"
    )


class BaseHyperband(BaseSearch):
    """Hyperband's driver: a plan of brackets run through ``evaluate_candidates``.

    Subclasses implement ``_make_optimizer`` (the sampler of new candidates).
    See :class:`sksearch.HyperbandSearchCV` for the parameters.
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "n_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "resource": [str],
        "min_resources": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"exhaust", "smallest"}),
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
        min_resources="exhaust",
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
        )
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.factor = factor
        self.warm_start = warm_start

    # -- fit ---------------------------------------------------------------
    def fit(self, X, y=None, **params):
        """Run Hyperband by cross-validation, then refit the best candidate.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets; None for unsupervised learning.
        **params : dict
            Passed to the estimator's ``fit``, the scorer and the CV splitter
            (``groups``), as in ``GridSearchCV.fit``.

        Returns
        -------
        self : object
            The fitted search.
        """
        self._validate_params()
        if self.asynchronous:
            raise ValueError(
                "asynchronous=True: HyperbandSearchCV runs its rungs in synchronous "
                "brackets; asynchronous successive halving is not available yet. "
                "Leave asynchronous=False."
            )
        if self.checkpoint is not None:
            raise ValueError(
                f"checkpoint={self.checkpoint!r}: HyperbandSearchCV cannot resume from a "
                "journal yet (its rungs depend on the whole bracket); leave checkpoint=None."
            )
        self._check_resource_name()
        self._continue_mode = self._resolve_warm_start()
        self._n_samples_orig = _num_samples(X)
        self._n_classes = None
        if y is not None and is_classifier(self.estimator):
            self._n_classes = int(np.unique(np.asarray(y)).shape[0])
        self._models_dir = None
        try:
            return super().fit(X, y, **params)
        finally:
            if self._models_dir is not None:
                shutil.rmtree(self._models_dir, ignore_errors=True)
            del self._n_samples_orig, self._n_classes, self._continue_mode
            del self._models_dir

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

    def _resolve_resources(self):
        """min_resources_, max_resources_, the levels, the plan's depth and n_iter_."""
        resource, factor = self.resource, self.factor
        if self.max_resources == "auto":
            if resource == "n_samples":
                max_r = self._n_samples_orig
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
            smallest = 2 * self._n_splits() * (self._n_classes or 1)
            how = (
                f"2 x n_splits={self._n_splits()}"
                + (f" x n_classes={self._n_classes}" if self._n_classes else "")
            )
        else:
            smallest, how = 1, "1"
        if self.min_resources == "exhaust":
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
            depth, n_iter = s_cap, costs[s_cap]
        else:
            n_iter = int(self.n_iter)
            fits = [s for s in range(s_cap + 1) if costs[s] <= n_iter]
            depth = max(fits)
            if self.min_resources != "exhaust" and depth < s_cap:
                raise ValueError(
                    f"n_iter={n_iter} cannot fill one Hyperband round from "
                    f"min_resources={levels[s_cap]} to max_resources={max_r} with "
                    f"factor={factor}: its {s_cap + 1} brackets need {costs[s_cap]} "
                    f"evaluations. n_iter={n_iter} can fill "
                    f"{_round_text(depth, factor, levels)}: set min_resources='exhaust' "
                    f"to let the search choose it, or n_iter>={costs[s_cap]}."
                )
        return min_r, max_r, levels[: depth + 1], depth, n_iter

    # -- the search --------------------------------------------------------
    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        space = self.space_
        resource, factor = self.resource, self.factor
        _, max_r, levels, depth, n_iter = self._resolve_resources()
        plan = hyperband_plan(n_iter, depth, factor)

        batch_size = max(1, int(self.batch_size))  # never n_jobs: see BaseSearch
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        subsample_seed = int(rng.randint(np.iinfo(np.int32).max))
        sampler = self._make_optimizer(space, random_state=seed, n_workers=batch_size)
        # earlier results count as evaluations at the highest resource
        self.n_warm_start_ = _tell_known(sampler, *self._warm, source="warm_start_from")
        self.optimizer_ = sampler  # live, for callbacks
        scheduler = HyperbandScheduler(
            plan, sampler, batch_size=batch_size, random_state=seed
        )

        def step_groups(step):
            """The (level, jobs) groups of a step: one evaluate_candidates call
            each. With n_samples the folds differ by resource, so each level is
            its own call; a parameter resource lets the whole step share one."""
            if resource != "n_samples":
                return [(None, step)]
            by_level = {}
            for job in step:
                by_level.setdefault(job.level, []).append(job)
            return sorted(by_level.items(), reverse=True)  # small resources first

        # the number of evaluate_candidates calls is known in advance
        n_calls = sum(
            1 if resource != "n_samples" else len({plan[b].levels[i] for b, i in step})
            for step in scheduler.steps
        )
        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=n_calls
            ).call_on_fit_task_begin(estimator=self)

        folds = {}

        def cv_for(level):
            if resource != "n_samples" or level == 0:
                return self._frozen_cv
            if level not in folds:
                # the same subsample of each training fold for every candidate
                # at this level; test folds are kept whole, so every rung is
                # scored on the same data
                folds[level] = _SubsampleMetaSplitter(
                    base_cv=self._frozen_cv,
                    fraction=levels[level] / self._n_samples_orig,
                    subsample_test=False,
                    random_state=subsample_seed,
                )
            return folds[level]

        lineages = _Lineages(self, plan) if self._continue_mode is not None else None

        key = None
        results = None
        n_done, n_batches, reason = 0, 0, "n_iter"
        self._announce(n_iter, "evaluations")
        start = time.perf_counter()
        with deferred_fit_failure_check() as failures:
            for step_index in range(len(scheduler.steps)):
                stop = False
                jobs = scheduler.ask()
                continuations = lineages.start_step(jobs) if lineages else {}
                scores = {}
                for level, group in step_groups(jobs):
                    params = []
                    for job in group:
                        candidate = dict(job.candidate)
                        if resource != "n_samples":
                            candidate[resource] = levels[job.level]
                        if id(job) in continuations:
                            candidate[_CONTINUE_KEY] = continuations[id(job)]
                        params.append(candidate)
                    more = {
                        "iter": [step_index] * len(group),
                        "n_resources": [levels[job.level] for job in group],
                        "bracket": [job.bracket for job in group],
                    }
                    results = self._evaluate(
                        evaluate_candidates, params, cv_for(level or 0), step_index,
                        search_ctx, more=more,
                    )
                    stop = results.pop("_sksearch_stop") or stop
                    if key is None:
                        key = self._objective_key(results)
                    got = np.asarray(results[key][-len(group) :], dtype=float)
                    for job, score in zip(group, got):
                        scores[id(job)] = score
                    n_batches += 1
                scheduler.tell(jobs, [scores[id(job)] for job in jobs])
                if lineages:
                    lineages.end_step(jobs)
                n_done += len(jobs)
                if self.verbose > 0:
                    self._print_step(results, key, step_index, jobs, levels, n_done, n_iter,
                                     start)
                stopped = self._should_stop(start, stop)
                if stopped is not None and step_index + 1 < len(scheduler.steps):
                    reason = stopped
                    break

        self._check_failures(
            failures, [] if key is None else results[key], n_done, "evaluations"
        )
        if scheduler.n_repeated_:
            warnings.warn(
                f"The search space has too few distinct candidates for the "
                f"{len(plan)} brackets: {scheduler.n_repeated_} candidates are "
                "evaluated in more than one bracket.",
                UserWarning,
                stacklevel=5,
            )
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)

        self.min_resources_ = levels[depth]
        self.max_resources_ = max_r
        self.n_resources_ = sorted(levels[: depth + 1])
        self.n_iter_ = n_iter
        self.brackets_ = [
            {
                "bracket": b.index,
                "round": b.round,
                "n_candidates": list(b.n_candidates),
                "n_resources": [levels[k] for k in b.levels],
            }
            for b in plan
        ]
        self.optimizer_ = sampler
        self.n_batches_ = n_batches
        self.batch_size_ = batch_size
        self.stop_reason_ = reason
        self.n_resumed_ = 0

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        # sklearn builds cv_results_ from everything evaluated so far: leave
        # out the private continuation entries, and say which evaluations
        # continued the previous rung's models (in all folds)
        params = [
            {k: v for k, v in p.items() if k != _CONTINUE_KEY} for p in candidate_params
        ]
        flags = [bool(o.get(_CONTINUED, False)) for o in out]
        out = [{k: v for k, v in o.items() if k != _CONTINUED} for o in out]
        more_results = dict(more_results or {})
        more_results["warm_started"] = [
            all(flags[i * n_splits : (i + 1) * n_splits]) for i in range(len(params))
        ]
        return super()._format_results(params, n_splits, out, more_results)

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        """The best candidate at the highest resource reached.

        Scores at a lower resource are not comparable with full-resource ones
        (a candidate stopped early was never scored with the full resource),
        so ``best_*`` are chosen among the evaluations at the largest
        ``n_resources`` where some candidate succeeded. A ``refit`` callable
        gets ``cv_results_`` and decides itself.
        """
        if callable(refit):
            return BaseSearchCV._select_best_index(refit, refit_metric, results)
        scores = np.asarray(results[f"mean_test_{refit_metric}"], dtype=float)
        n_res = np.asarray(results["n_resources"])
        finite = np.isfinite(scores)
        top = n_res[finite].max() if finite.any() else n_res.max()
        rows = np.flatnonzero(n_res == top)
        if not finite[rows].any():
            return int(rows[0])
        return int(rows[np.nanargmax(scores[rows])])

    def _print_step(self, results, key, step, jobs, levels, n_done, n_iter, start):
        elapsed = time.perf_counter() - start
        scores = np.asarray(results[key], dtype=float)
        n_res = np.asarray(results["n_resources"])
        top = n_res == levels[0]
        best = np.nanmax(scores[top]) if np.isfinite(scores[top]).any() else float("nan")
        used = sorted({levels[j.level] for j in jobs})
        print(
            f"[{type(self).__name__}] step {step}: {len(jobs)} evaluations at "
            f"n_resources {used}; {n_done}/{n_iter} done, best at max_resources "
            f"{best:.5g}, elapsed {elapsed:.1f}s"
        )


class _Lineages:
    """The driver's side of continued training: names each candidate's lineage
    in its bracket, tells the workers what to load and store, and deletes the
    models that no rung will continue."""

    def __init__(self, search, plan):
        mode, warm_param = search._continue_mode
        search._models_dir = self.directory = tempfile.mkdtemp(prefix="sksearch-hyperband-")
        self.mode, self.warm_param = mode, warm_param
        self.resource = search.resource
        self.owner = search.resource.rpartition("__")[0]
        self.n_splits = search._n_splits()
        self.last_rung = {b: len(bracket.n_candidates) - 1 for b, bracket in enumerate(plan)}
        self.names = {}  # (bracket, id(candidate)) -> (lineage, candidate)
        self.stored = {}  # bracket -> lineages whose models are on disk
        self.n_named = 0

    def start_step(self, jobs):
        """The continuation of each job (by id(job)) of a step."""
        out, seen, now = {}, set(), {}
        for job in jobs:
            key = (job.bracket, id(job.candidate))
            if key in seen or self._replaces_owner(job.candidate):
                # the same candidate twice in one rung, or a candidate that
                # sets the estimator owning the resource (an estimator choice):
                # trained from scratch
                continue
            seen.add(key)
            load = job.rung > 0 and key in self.names
            if not load:
                self.names[key] = (f"b{job.bracket}c{self.n_named}", job.candidate)
                self.n_named += 1
            name = self.names[key][0]
            now.setdefault(job.bracket, set()).add(name)
            out[id(job)] = _Continuation(
                self.directory, name, self.resource, self.warm_param, self.mode,
                load, job.rung < self.last_rung[job.bracket],
            )
        for b, names in now.items():  # the candidates that were not promoted
            self._delete(self.stored.pop(b, set()) - names)
        return out

    def _replaces_owner(self, candidate):
        owner = self.owner
        return bool(owner) and any(k == owner or owner.startswith(k + "__") for k in candidate)

    def end_step(self, jobs):
        for b in {job.bracket for job in jobs}:
            names = {self.names[k][0] for k in self.names if k[0] == b}
            rung = max(job.rung for job in jobs if job.bracket == b)
            if rung < self.last_rung[b]:
                self.stored[b] = {
                    self.names[(b, id(job.candidate))][0]
                    for job in jobs
                    if job.bracket == b and (b, id(job.candidate)) in self.names
                }
            else:  # the bracket is over
                self._delete(names)
                self.stored.pop(b, None)
                self.names = {k: v for k, v in self.names.items() if k[0] != b}

    def _delete(self, names):
        for name in names:
            for fold in range(self.n_splits):
                try:
                    os.remove(_model_path(self.directory, name, fold))
                except OSError:
                    pass
