"""The one scikit-learn driver behind every ``*SearchCV`` of sksearch.

``BaseSearch`` subclasses sklearn's ``BaseSearchCV`` (as sklearn's own
Halving searches do) and implements ``_run_search`` as one evaluation loop:
ask the strategy for a round of ``batch_size`` candidates (or, in
asynchronous mode, one candidate whenever a worker frees), run their
fit-and-score jobs (sklearn's ``_fit_and_score``) on the active joblib
backend, tell the strategy the scores, journal them, and repeat until
``n_iter`` candidates are evaluated. Hyperband's rungs are units of the same
loop (``_hyperband.py``). One final ``evaluate_candidates`` call, which fits
nothing, lets sklearn build ``cv_results_``, ``best_*``, refit and
callbacks, so these, multi-metric scoring, ``error_score``, ``groups`` and
metadata routing behave exactly as in ``GridSearchCV``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import copy
import math
import os
import pickle
import threading
import time
import warnings
from abc import abstractmethod
from numbers import Integral
from numbers import Real as RealNumber

import numpy as np
from joblib.parallel import get_active_backend
from sklearn.base import clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _check_method_params, indexable

from . import __version__
from ._compat import (
    SKLEARN_HAS_CALLBACKS,
    BaseSearchCV,
    Interval,
    Precomputed,
    _insert_error_scores,
    get_scorers,
    has_callbacks,
    original_check,
    original_fit_and_score,
    search_scope,
)
from ._journal import FORMAT as JOURNAL_FORMAT
from ._journal import Journal, search_fingerprint, top_resource_rows
from .space import Space, _is_estimator

__all__ = ["BaseSearch"]


class _FrozenSplits:
    """A CV splitter that splits once and then repeats the same folds.

    ``evaluate_candidates`` calls ``cv.split`` at every batch; a splitter that
    shuffles without a fixed seed would give every batch different folds, and
    candidates would be compared on different data. Freezing the first split
    compares every candidate on the same folds.
    """

    def __init__(self, cv):
        self.cv = cv
        self._splits = None

    def split(self, X=None, y=None, *args, **kwargs):
        if self._splits is None:
            self._splits = list(self.cv.split(X, y, *args, **kwargs))
        return iter(self._splits)

    def get_n_splits(self, X=None, y=None, *args, **kwargs):
        if self._splits is not None:
            return len(self._splits)
        return self.cv.get_n_splits(X, y, *args, **kwargs)


def _accepts(estimator, sub, name):
    """Whether ``set_params`` takes ``name`` although ``get_params`` does not
    list it (estimators with per-layer aliases, ``**kwargs`` wrappers)."""
    value = sub[name].inverse_transform(0.5 if not sub[name].is_categorical else 0)
    try:
        clone(estimator).set_params(**{name: value})
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _check_param_names(estimator, space):
    """Raise a ValueError naming any parameter the estimator does not have.

    A name may also reach into an estimator that is itself a searched choice
    in the same sub-space (``{"clf": [SVC()], "clf__C": [...]}``): it must
    then be a parameter of every estimator choice.
    """
    valid = estimator.get_params(deep=True)
    for s, sub in enumerate(space.subspaces):
        where = "param_distributions" if space.n_subspaces == 1 else f"param_distributions[{s}]"
        for name in sub:
            # a name under an estimator that this sub-space chooses is checked
            # against the chosen estimators, not the default one
            chosen = [
                (other, [c for c in dim.choices if _is_estimator(c)])
                for other, dim in sub.items()
                if dim.is_categorical and name.startswith(other + "__")
            ]
            chosen = [(other, choices) for other, choices in chosen if choices]
            if chosen:
                other, choices = max(chosen, key=lambda t: len(t[0]))
                rest = name[len(other) + 2 :]
                ok = all(rest in c.get_params(deep=True) for c in choices)
            else:
                ok = name in valid or _accepts(estimator, sub, name)
            if not ok:
                owner = (
                    f"every estimator choice of {other!r}"
                    if chosen
                    else f"the estimator {type(estimator).__name__}"
                )
                raise ValueError(
                    f"{where}: {name!r} is not a parameter of {owner}. Valid "
                    f"parameters of the estimator are: {sorted(valid)!r}."
                )


def _tagged(tag, fit_and_score, *args, **kwargs):
    """Run one fit-and-score job and say which it was (results come back in
    the order they finish)."""
    return tag, fit_and_score(*args, **kwargs)


class _Evaluations:
    """Every candidate of one search with its per-fold results, in the order
    they finished (journal replay first): the rows of ``cv_results_``."""

    def __init__(self):
        self.params, self.out, self.more = [], [], {"iter": []}
        self.n_fits = self.n_failed = 0
        self.last_message = ""

    def add(self, candidate, outs, more):
        """One finished candidate: its parameters, per-fold results and its
        values of the extra ``cv_results_`` columns (``{"iter": 3, ...}``)."""
        self.params.append(candidate)
        self.out.extend(outs)
        for key, value in more.items():
            self.more.setdefault(key, []).append(value)
        self.n_fits += len(outs)
        failed = [o for o in outs if o["fit_error"] is not None]
        self.n_failed += len(failed)
        if failed:
            self.last_message = str(failed[-1]["fit_error"])

    def __len__(self):
        return len(self.params)


class _FitJobs:
    """The fit-and-score jobs of one search, as sklearn's
    ``evaluate_candidates`` makes them (same scorer, routed parameters,
    folds, ``error_score`` and callbacks), but dispatched by the driver: a
    round needs no barrier of sklearn's, and in asynchronous mode a new
    candidate goes out as soon as a worker frees."""

    def __init__(self, search, X, y, params):
        X, y = indexable(X, y)
        params = _check_method_params(X, params=params)
        routed = search._get_routed_params_for_fit(params)
        self.X, self.y = X, y
        self.split_params = routed.splitter.split
        self.splits = list(search._frozen_cv.split(X, y, **self.split_params))
        self.n_splits = len(self.splits)
        self.base = clone(search.estimator)
        self.kwargs = dict(
            scorer=get_scorers(search),
            fit_params=routed.estimator.fit,
            score_params=routed.scorer.score,
            return_train_score=search.return_train_score,
            return_n_test_samples=True,
            return_times=True,
            return_parameters=False,
            error_score=search.error_score,
            verbose=search.verbose,
        )
        if SKLEARN_HAS_CALLBACKS:
            self.kwargs["caller"] = search
        self.snapshot_ctx = False

    def split(self, cv):
        """The folds of another splitter over the same data (Hyperband's
        subsampled training folds)."""
        return list(cv.split(self.X, self.y, **self.split_params))

    def jobs(self, tag, candidate, progress, ctx=None, first_task=0, *, splits=None,
             fit_and_score=original_fit_and_score):
        """The ``n_splits`` joblib jobs of one candidate, tagged ``(tag, fold)``
        (callback subtasks ``first_task``, ``first_task + 1``, ... of ``ctx``),
        on ``splits`` (default: the search's folds)."""
        out = []
        base = dict(self.kwargs)
        if self.snapshot_ctx and ctx is not None and "caller" in base:
            # the search (its callbacks' state) changes too while tasks are pickled
            base["caller"] = _Snapshot(base["caller"])
        for s, (train, test) in enumerate(self.splits if splits is None else splits):
            kwargs = dict(base)
            if SKLEARN_HAS_CALLBACKS:
                sub = None
                if ctx is not None:
                    sub = ctx.subcontext(
                        task_name="candidate-split-evaluation", task_id=first_task + s
                    )
                    if self.snapshot_ctx:
                        sub = _Snapshot(sub)
                kwargs["callback_ctx"] = sub
            out.append(delayed(_tagged)(
                (tag, s),
                fit_and_score,
                clone(self.base),
                self.X,
                self.y,
                train=train,
                test=test,
                parameters=candidate,
                split_progress=(s, self.n_splits),
                candidate_progress=progress,
                **kwargs,
            ))
        return out


class _Snapshot:
    """A callback context as it is now, pickled at once: the worker gets it
    unpickled. The context tree (each context holds its parent and its
    children) keeps changing in the driver while joblib pickles earlier
    tasks in another thread; pickling it then raised "dictionary changed size
    during iteration"."""

    def __init__(self, ctx):
        self.blob = pickle.dumps(ctx)

    def __reduce__(self):
        return pickle.loads, (self.blob,)


def _own_backend():
    """A copy of the active joblib backend instance, for the loop's own
    ``Parallel``. Under ``parallel_config(backend=...)`` every ``Parallel``
    shares one backend instance, and the loop's ending its pool would end the
    pool of sklearn's ``Parallel`` (whose last ``evaluate_candidates`` call is
    still to come): loky raised ``'NoneType' object has no attribute
    'submit'``."""
    backend, _ = get_active_backend()
    return copy.copy(backend)


def _candidate_score(outs, metric):
    """The objective of one candidate: the mean over folds of its test score
    (of ``metric`` with multi-metric scoring), NaN if a fold has none."""
    values = []
    for o in outs:
        v = o["test_scores"]
        if isinstance(v, dict):
            if metric not in v:
                raise ValueError(
                    "With multi-metric scoring the search must know which metric to "
                    f"maximise: set objective (or refit) to one of {sorted(v)!r}; got "
                    f"{metric!r}."
                )
            v = v[metric]
        values.append(float(v))
    return float(np.mean(values))


def _same_candidates(space, batch, records):
    if len(records) != len(batch):
        return False
    return all(
        space.key(space.encode(c)) == space.key(Journal.vector(r))
        for c, r in zip(batch, records)
    )


def objective_column(results, metric=None):
    """The ``cv_results_`` column a search maximised, or None if unknown:
    ``mean_test_score``, else ``mean_test_<metric>`` (``metric``: the search's
    ``objective``, or its ``refit`` naming a scorer), else the only
    ``mean_test_*`` column. The one rule, for the driver and the plots."""
    if "mean_test_score" in results:
        return "mean_test_score"
    names = sorted(k[len("mean_test_") :] for k in results if k.startswith("mean_test_"))
    if isinstance(metric, str) and metric in names:
        return f"mean_test_{metric}"
    if len(names) == 1:
        return f"mean_test_{names[0]}"
    return None


def search_metric(search):
    """The scorer name a fitted search maximised with several metrics (None: one)."""
    objective = getattr(search, "objective", None)
    if objective is not None:
        return objective
    refit = getattr(search, "refit", None)
    return refit if isinstance(refit, str) else None


def _results_objective(results, metric):
    key = objective_column(results, metric)
    if key is None:
        raise ValueError(
            "warm_start_from: its cv_results_ have several metrics; set objective (or "
            "refit) to the name of the metric to start from."
        )
    return np.asarray(results[key], dtype=float)


def _warm_start_observations(source, refit, space=None):
    """(candidates, scores) of earlier results, from what warm_start_from may be."""
    if source is None:
        return [], []
    if isinstance(source, (str, os.PathLike)):
        return Journal.observations(source, space, param="warm_start_from")
    results = getattr(source, "cv_results_", source)
    if not isinstance(results, dict) or "params" not in results:
        raise TypeError(
            "warm_start_from must be a fitted search, a cv_results_ dict, or the "
            f"path of an sksearch journal; got {type(source).__name__}."
        )
    if hasattr(source, "cv_results_"):
        refit = search_metric(source) or refit
    params, scores = list(results["params"]), list(_results_objective(results, refit))
    if "n_resources" in results:
        keep = top_resource_rows(list(results["n_resources"]))
        params, scores = [params[i] for i in keep], [scores[i] for i in keep]
    return params, scores


def _tell_known(optimizer, candidates, scores, *, source):
    """Tell the strategy the earlier observations that belong to its space."""
    known, values = [], []
    for cand, score in zip(candidates, scores):
        try:
            optimizer.space.encode(cand)
        except (ValueError, TypeError):
            continue
        known.append(cand)
        values.append(score)
    if candidates and not known:
        warnings.warn(
            f"{source}: none of its {len(candidates)} candidates belongs to this "
            "search space; the search starts from scratch.",
            UserWarning,
            stacklevel=6,
        )
    if known:
        optimizer.tell(known, values)
    return len(known)


class BaseSearch(BaseSearchCV):
    """Base class of the sksearch ``*SearchCV`` classes (a sequential,
    batched search on an ask/tell strategy).

    Subclasses add their strategy's knobs to ``__init__`` and
    ``_parameter_constraints`` and implement :meth:`_make_optimizer`.

    Parameters
    ----------
    estimator : estimator object
        Fitted once per candidate and fold (as a clone); must implement
        ``fit`` and be scorable (``score`` or ``scoring``).
    param_distributions : dict or list of dict
        The search space: names (``step__param`` in a Pipeline) mapped to a
        list of choices, a scipy.stats frozen distribution, or a
        :class:`~sksearch.space.Real`, :class:`~sksearch.space.Integer`,
        :class:`~sksearch.space.Categorical`. A list of dicts is a union of
        sub-spaces (a candidate holds the parameters of one of them), which is
        how conditional and AutoML spaces are written.
    n_iter : int
        Number of candidates evaluated. If the space has fewer distinct
        candidates, all of them are evaluated (with a warning).
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`sklearn.model_selection.GridSearchCV`. The strategy
        maximises the mean test score of the refit metric; with multi-metric
        scoring, ``refit`` must name that metric.
    random_state : int, RandomState instance or None
        Seed of the strategy. The same seed and data give the same
        candidates in the same order, also with ``n_jobs > 1``.
    max_time : float or None
        Time budget in seconds. The search stops proposing candidates once
        it is spent; the batch in flight is finished (not discarded), then
        the best candidate is refitted. ``cv_results_`` holds the candidates
        that ran and ``stop_reason_`` says ``"max_time"``.
    checkpoint : str or path-like or None
        Path of an append-only journal (JSON lines, one per evaluated
        candidate, ``fsync``'d after every batch, readable with
        ``pandas.read_json(path, lines=True)``). A search started again with
        the same arguments and path (after a crash or a kill) evaluates
        nothing the journal holds and ends with the same ``cv_results_`` as an
        uninterrupted run. A journal of another search (estimator, space,
        scoring, data or folds) is refused with a ValueError. If the journal
        already holds the whole search, only the refit is fitted; a round cut
        by the kill is completed.
    warm_start_from : fitted search, cv_results_ dict, journal path, or None
        Earlier results to start from: the strategy is told their
        candidates and scores before it proposes anything (model-based
        strategies fit their model to them, population strategies seed
        their population from the best). Candidates outside this search's
        space are skipped. They are not re-evaluated and do not appear in
        ``cv_results_``.
    callbacks : list of callable or None
        Called after every batch as ``callback(search)``; a callback that
        returns True stops the search (``stop_reason_ == "callback"``).
        :class:`sksearch.callbacks.EarlyStopping` and
        :class:`sksearch.callbacks.TargetScore` are such callbacks, and are
        also scikit-learn callbacks (``search.set_callbacks(...)``, sklearn
        >= 1.9).
    batch_size : int, default=4
        Candidates the strategy proposes per round (ask ``batch_size``,
        cross-validate them, tell their scores). Each round runs its
        ``batch_size x n_splits`` fits in parallel on ``n_jobs`` workers. The
        batch is a property of the search, not of ``n_jobs`` or the joblib
        backend, so the same ``random_state`` and data give the same
        candidates in the same order for any ``n_jobs`` (1, 2, 3, a Dask
        cluster). A larger batch keeps more workers busy at each round; a
        smaller one lets the strategy learn from more results before each
        proposal (``batch_size=1``: strictly sequential). Ignored when
        ``asynchronous=True``.
    asynchronous : bool, default=False
        Throughput mode. A new candidate is asked for as soon as a worker
        frees (the strategy knows the candidates still running and treats
        them as pending, as constant liar does), so no worker waits for a
        round to end. Runs on any joblib backend (loky, threading, Dask
        through ``joblib.parallel_config("dask")``), through joblib's
        unordered result generator. Reproducible in the set of rules that
        made the candidates, not in the candidates themselves: which results
        a proposal saw depends on the workers' timing, so with
        ``n_jobs > 1`` two runs may differ. With ``n_jobs=1`` it is
        deterministic. ``cv_results_`` rows are in the order the candidates
        finished; ``iter`` is the order they were asked for.
    objective : str or None, default=None
        With multi-metric scoring, the name of the scorer the search
        maximises (the strategy needs one metric to learn from). None uses
        ``refit`` when it names a scorer; set it to use ``refit=False`` or a
        ``refit`` callable with several metrics, as ``GridSearchCV`` allows.
        Must be None with a single metric.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, refit_time_, multimetric_
        As in :class:`sklearn.model_selection.GridSearchCV`; ``cv_results_``
        also has an ``iter`` column (the batch in which a candidate ran).
    space_ : Space
        The parsed search space.
    optimizer_ : Optimizer
        The strategy, with every evaluated candidate told.
    n_batches_ : int
        Number of batches (rounds of ask, evaluate, tell).
    batch_size_ : int
        Candidates per batch: ``batch_size``, or ``n_iter`` if smaller.
    stop_reason_ : str
        Why the search stopped: ``"n_iter"`` (budget spent), ``"max_time"``,
        ``"callback"`` or ``"exhausted"`` (no new candidate left in the
        space).
    n_resumed_ : int
        Candidates taken from the ``checkpoint`` journal instead of evaluated.
    n_warm_start_ : int
        Earlier observations told to the strategy from ``warm_start_from``
        (the first ``n_warm_start_`` entries of ``optimizer_.y_``).
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "max_time": [Interval(RealNumber, 0, None, closed="neither"), None],
        "checkpoint": [str, os.PathLike, None],
        "warm_start_from": "no_validation",  # checked in fit, by kind
        "callbacks": [list, None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "asynchronous": ["boolean"],
        "objective": [str, None],
    }

    @abstractmethod
    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=50,
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
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state
        self.max_time = max_time
        self.checkpoint = checkpoint
        self.warm_start_from = warm_start_from
        self.callbacks = callbacks
        self.batch_size = batch_size
        self.asynchronous = asynchronous
        self.objective = objective

    @abstractmethod
    def _make_optimizer(self, space, *, random_state, n_workers):
        """Return the strategy (an :class:`~sksearch.optimizers.Optimizer`).

        ``random_state`` is an int seed drawn from ``self.random_state``;
        ``n_workers`` is the number of candidates asked per batch
        (``batch_size``; it never depends on ``n_jobs``).
        """

    def fit(self, X, y=None, **params):
        """Search the space by cross-validation, then refit the best candidate.

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
        space = Space(self.param_distributions)
        if space.n_dims == 0:
            raise ValueError(
                f"param_distributions={self.param_distributions!r} has no parameter to "
                "search. Give at least one parameter; to cross-validate the estimator "
                "as it is, use sklearn.model_selection.cross_validate."
            )
        _check_param_names(self.estimator, space)
        self._objective_metric = self._check_objective()
        self.space_ = space
        callbacks = [] if self.callbacks is None else self.callbacks
        for cb in callbacks:
            if not callable(cb):
                raise TypeError(
                    f"callbacks must be a list of callables (callback(search) -> bool); "
                    f"got {cb!r}."
                )
        warm = _warm_start_observations(
            self.warm_start_from, self._objective_metric, space=space
        )
        # the splitter, frozen at its first split; held only during fit (the
        # folds are data-dependent and must not be pickled with the search)
        self._frozen_cv = _FrozenSplits(
            check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        )
        self._warm = warm
        self._fit_args = (X, y, params)
        self._journal = None
        self._in_fit = True
        try:
            if self.checkpoint is not None:
                self._journal = self._open_journal(X, y, params)
            with search_scope():  # sklearn is patched only while a search runs
                return super().fit(X, y, **params)
        except BaseException as exc:
            self._note_unfinished(exc)
            raise
        finally:
            if self._journal is not None:
                self._journal.close()
            for attr in self._FIT_STATE:
                self.__dict__.pop(attr, None)

    def _note_unfinished(self, exc):
        """Say on ``exc`` (a Ctrl-C, a killed worker, a fit's error with
        ``error_score="raise"``) what became of the evaluations that had
        finished when fit stopped."""
        add_note = getattr(exc, "add_note", None)  # Python >= 3.11
        if add_note is None:
            return
        name, journal = type(self).__name__, self._journal
        if journal is None:
            n = len(self.__dict__.get("_evaluations") or ())
            if n:
                add_note(
                    f"{name}: the {n} evaluations that had finished are lost; with "
                    "checkpoint='a path' they are journaled as they finish, and fit "
                    "resumes from them."
                )
            return
        n = journal.n_on_disk()
        if n:
            stopped = "" if journal.failed is None else f" (journaling stopped: {journal.failed})"
            add_note(
                f"{name}: {n} finished evaluations are in checkpoint={journal.path!r}"
                f"{stopped}; fit with the same checkpoint resumes from them, without "
                "fitting them again."
            )

    # State that exists only while fit runs. sklearn >= 1.9 sends the search
    # itself to every fit task (``caller=self``, for callbacks), so it is
    # left out of pickles: an open journal cannot be pickled, and the live
    # strategy and folds would be copied to the workers for every fit.
    _FIT_STATE = (
        "_frozen_cv",
        "_warm",
        "_journal",
        "_fit_args",
        "_fit_jobs",
        "_evaluations",
        "_metric",
        "_n_batches",
        "_n_resumed",
        "_in_fit",
        "_objective_metric",
        "_partial",
    )

    def __getstate__(self):
        # a copy taken at once (in C, under the GIL): joblib may pickle the
        # search in its dispatch thread while the loop updates it
        state = dict(super().__getstate__())
        if state.get("_in_fit"):
            state = {k: v for k, v in state.items() if k not in self._FIT_STATE}
            state.pop("optimizer_", None)
        return state

    def _open_journal(self, X, y, params):
        X, y = indexable(X, y)
        try:
            split_params = self._get_routed_params_for_fit(params).splitter.split
        except AttributeError:  # sklearn without metadata routing in searches
            split_params = {"groups": params.get("groups")} if "groups" in params else {}
        splits = list(self._frozen_cv.split(X, y, **split_params))
        fingerprint, parts = search_fingerprint(
            self, self.space_, X, y, splits, params, extra=self._journal_parts()
        )
        header = {
            "sksearch_journal": JOURNAL_FORMAT,
            "fingerprint": fingerprint,
            "parts": parts,
            "search": type(self).__name__,
            "sksearch_version": __version__,
            "n_splits": len(splits),
        }
        return Journal.open(self.checkpoint, header)

    def _check_objective(self):
        """The scorer the strategy maximises: "score" with one metric, else
        ``objective``, or ``refit`` when it names a scorer."""
        scoring = self.scoring
        if callable(scoring):  # its metrics are known once it has scored
            if self.objective is not None:
                return self.objective
            return self.refit if isinstance(self.refit, str) else "score"
        multi = isinstance(scoring, (list, tuple, set, dict))
        if not multi:
            if self.objective is not None:
                raise ValueError(
                    f"objective={self.objective!r} names the metric to maximise among "
                    "several scorers; with a single metric leave objective=None."
                )
            return "score"
        names = sorted(scoring)
        if self.objective is not None:
            if self.objective not in names:
                raise ValueError(
                    f"objective={self.objective!r} is not one of the scorers {names!r}."
                )
            return self.objective
        if isinstance(self.refit, str):
            return self.refit
        raise ValueError(
            "With multi-metric scoring the search must know which metric to "
            f"maximise: set objective (or refit) to one of the scorers {names!r}; got "
            f"refit={self.refit!r} and objective=None."
        )

    def _journal_parts(self):
        """What else, besides data, folds, estimator and space, makes two
        runs' evaluations interchangeable (Hyperband: its resource levels)."""
        return {}

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        # The driver keeps every evaluation itself (journal replay first, in
        # the order they finished); sklearn's one evaluate_candidates call at
        # the end of the search builds cv_results_ from them.
        evaluations = getattr(self, "_evaluations", None)
        if evaluations is not None:
            candidate_params, out = evaluations.params, evaluations.out
            more_results = evaluations.more
        return super()._format_results(candidate_params, n_splits, out, more_results)

    def _run_search(self, evaluate_candidates, *, callback_ctx=None):
        space = self.space_
        n_iter = self.n_iter
        if n_iter > space.size:
            warnings.warn(
                f"The search space has {space.size} distinct candidates, fewer than "
                f"n_iter={n_iter}. Running {space.size} candidates.",
                UserWarning,
                stacklevel=5,
            )
            n_iter = int(space.size)
        # a property of the search, never of n_jobs or the joblib backend:
        # the same random_state gives the same candidates however many
        # workers run them (as GridSearchCV and RandomizedSearchCV do)
        batch_size = max(1, min(int(self.batch_size), n_iter))
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

        def new_optimizer():
            opt = self._make_optimizer(space, random_state=seed, n_workers=batch_size)
            self.n_warm_start_ = _tell_known(opt, *self._warm, source="warm_start_from")
            return opt

        self.optimizer_ = new_optimizer()  # live, for callbacks
        self._partial = None  # (round, scores of its first candidates) cut by a kill
        self._run_loop(
            evaluate_candidates,
            callback_ctx,
            n_iter=n_iter,
            batch_size=batch_size,
            n_units=self._n_rounds(space, n_iter, batch_size),
            what="candidates",
            resume=lambda: self._resume(space, n_iter, batch_size, new_optimizer),
        )

    def _n_rounds(self, space, n_iter, batch_size):
        """Units the callback context is told to expect (None: not known). A
        finite space may run short of new candidates, and a short round
        means one more round."""
        if self.asynchronous:
            return n_iter
        return math.ceil(n_iter / batch_size) if math.isinf(space.size) else None

    def _run_loop(self, evaluate_candidates, callback_ctx, *, n_iter, batch_size, n_units,
                  what, resume):
        """The one evaluation loop: resume from the journal, run the rounds
        (or the asynchronous mode) on the loop's own joblib workers, then let
        sklearn build the fitted search from the evaluations."""
        jobs = self._fit_jobs = _FitJobs(self, *self._fit_args)
        evaluations = self._evaluations = _Evaluations()
        search_ctx = None
        if has_callbacks(callback_ctx):
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=n_units() if callable(n_units) else n_units
            ).call_on_fit_task_begin(estimator=self)
        else:
            # sklearn reads the caller only for callbacks: without them the
            # search is not pickled into every task
            jobs.kwargs.pop("caller", None)

        self._metric = self._objective_metric
        start = time.perf_counter()
        n_iter += resume() or 0  # evaluations reused outside the budget
        self._announce(n_iter - len(evaluations), what)  # what is left to fit
        # a resumed search that its callbacks had already stopped (they read
        # the told history) evaluates nothing new
        stopped = self._n_resumed and any(cb(self) for cb in (self.callbacks or []))
        if stopped:
            reason = "callback"
        else:
            backend = _own_backend()
            # a task is pickled (loky's feeder thread, Dask's client) while the
            # loop goes on: in asynchronous mode its callback context must be
            # a snapshot taken under the loop's lock
            jobs.snapshot_ctx = self.asynchronous and not getattr(
                backend, "uses_threads", False
            )
            parallel = Parallel(
                n_jobs=self.n_jobs,
                pre_dispatch=self.pre_dispatch,
                return_as="generator_unordered",
                backend=backend,
            )
            with parallel:
                if self.asynchronous:
                    reason = self._run_asynchronous(parallel, jobs, n_iter, start, search_ctx)
                else:
                    reason = self._run_rounds(
                        parallel, jobs, n_iter, batch_size, start, search_ctx
                    )
        if not len(evaluations):
            raise ValueError("No fits were performed. Were there no candidates?")
        self._finish(evaluate_candidates, evaluations, jobs.n_splits, what)
        self.n_resumed_ = self._n_resumed
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        self.n_batches_ = self._n_batches
        self.batch_size_ = batch_size
        self.stop_reason_ = reason

    def _resume(self, space, n_iter, batch_size, new_optimizer):
        """Take the checkpoint journal's evaluations instead of fitting them.

        In the deterministic mode the strategy proposes the journal's
        candidates again, round by round, and is told their stored scores, so
        that the search goes on exactly as the interrupted run. If it does not
        (another strategy, batch size, or the asynchronous mode), the journal's
        evaluations are told to a new strategy as known observations.
        """
        journal, evaluations = self._journal, self._evaluations
        pending = list(journal.records) if journal is not None else []
        self._n_batches = 0
        self._n_resumed = len(pending)
        if not pending:
            return
        optimizer = self.optimizer_
        while pending and not self.asynchronous and len(evaluations) < n_iter:
            batch = optimizer.ask(min(batch_size, n_iter - len(evaluations)))
            records = pending[: len(batch)]
            if not batch or not _same_candidates(space, batch[: len(records)], records):
                break
            for cand, rec in zip(batch, records):
                outs = Journal.out(rec, self.return_train_score)
                iteration = rec.get("more", {}).get("iter", self._n_batches)
                evaluations.add(cand, outs, {"iter": iteration})
            del pending[: len(records)]
            if len(records) < len(batch):
                # the run was cut inside this round: the rest of it is evaluated
                # first, then the whole round is told, as uninterrupted
                self._partial = (batch, [Journal.score(r) for r in records])
                break
            optimizer.tell(batch, [Journal.score(r) for r in records])
            self._n_batches += 1
        if not pending:
            return
        if not self.asynchronous:
            warnings.warn(
                f"checkpoint={self.checkpoint!r}: the search does not propose the "
                "journal's candidates again (another batch size or strategy?); its "
                f"{len(journal.records)} evaluations are reused as they are and the "
                "search continues from them.",
                UserWarning,
                stacklevel=6,
            )
        self._partial = None
        optimizer = self.optimizer_ = new_optimizer()
        evaluations.__init__()
        for i, rec in enumerate(journal.records):
            outs = Journal.out(rec, self.return_train_score)
            cand = space.decode(Journal.vector(rec))
            evaluations.add(cand, outs, {"iter": rec.get("more", {}).get("iter", i)})
        optimizer.tell(list(evaluations.params), [Journal.score(r) for r in journal.records])
        self._n_batches = 1 + max(evaluations.more["iter"], default=-1)

    def _record(self, candidates, outs_of, more, *, rows=None, tell=True):
        """Keep, journal and (``tell``) tell the strategy the results of
        finished candidates; return their scores.

        ``more`` maps each extra ``cv_results_`` column to one value per
        candidate; ``rows`` are the parameters shown in ``cv_results_``
        (default: the candidates themselves).
        """
        scores = [_candidate_score(outs_of[i], self._metric) for i in range(len(candidates))]
        rows = candidates if rows is None else rows
        for i, row in enumerate(rows):
            self._evaluations.add(row, outs_of[i], {k: v[i] for k, v in more.items()})
        if self._journal is not None:
            n_splits = len(outs_of[0])
            self._journal.write(
                candidates,
                [self.space_.encode(c) for c in candidates],
                scores,
                [o for i in range(len(candidates)) for o in outs_of[i]],
                n_splits,
                more,
            )
        if tell:
            self.optimizer_.tell(candidates, scores)
        return scores

    # -- what the loop runs: a unit is one candidate here, one evaluation of
    # a candidate at a resource level in Hyperband -------------------------
    def _ask_round(self, n):
        """Up to ``n`` units to evaluate next (none: nothing left to ask)."""
        if self._partial is not None:  # a round cut by the interruption
            batch, scores = self._partial
            return batch[len(scores):]
        return self.optimizer_.ask(n)

    def _unit_jobs(self, jobs, tag, unit, progress, ctx, first_task):
        """The fit-and-score jobs of one unit, tagged ``(tag, fold)``."""
        return jobs.jobs(tag, unit, progress, ctx, first_task)

    def _units_done(self, units, outs_of, iteration):
        """Record the per-fold results of finished units and tell the strategy."""
        if self._partial is None:
            self._record(units, outs_of, {"iter": list(iteration)})
            return
        batch, done = self._partial
        self._partial = None
        scores = self._record(units, outs_of, {"iter": list(iteration)}, tell=False)
        self.optimizer_.tell(batch, list(done) + list(scores))

    def _unit_context(self, search_ctx, n_fits):
        if search_ctx is None:
            return None
        return search_ctx.subcontext(
            task_name="search-batch", max_subtasks=n_fits, sequential_subtasks=False
        ).call_on_fit_task_begin(estimator=self)

    def _run_rounds(self, parallel, jobs, n_iter, batch_size, start, search_ctx):
        """The deterministic mode: ask a batch, fit it, tell it, repeat."""
        evaluations, n_splits = self._evaluations, jobs.n_splits
        while len(evaluations) < n_iter:
            if self._time_is_up(start):
                return "max_time"
            batch = self._ask_round(min(batch_size, n_iter - len(evaluations)))
            if not batch:  # the space has no new candidate left
                return "exhausted"
            ctx = self._unit_context(search_ctx, len(batch) * n_splits)
            n_before = len(evaluations)
            # made before any is dispatched: joblib pickles tasks in another
            # thread, and making a task adds to the callback context tree
            tasks = [
                job
                for i, unit in enumerate(batch)
                for job in self._unit_jobs(
                    jobs, i, unit, (n_before + i, n_iter), ctx, i * n_splits
                )
            ]
            outs = [[None] * n_splits for _ in batch]
            for (i, s), out in parallel(tasks):
                outs[i][s] = out
            self._units_done(batch, outs, [self._n_batches] * len(batch))
            self._n_batches += 1
            stop = ctx is not None and bool(ctx.call_on_fit_task_end(estimator=self))
            if self.verbose > 0:
                self._print_progress(len(evaluations), n_iter, start)
            reason = self._should_stop(start, stop)
            if reason == "callback":
                return reason
        return "n_iter"

    def _run_asynchronous(self, parallel, jobs, n_iter, start, search_ctx):
        """The asynchronous mode: a candidate is asked for as soon as a worker
        frees, told while the others still run (the strategy sees the
        candidates in flight as pending, as constant liar does)."""
        evaluations, n_splits = self._evaluations, jobs.n_splits
        lock = threading.Lock()
        flight = {}  # tag -> [candidate, outs, n_left, iteration, ctx]
        state = {"asked": len(evaluations), "reason": None}

        def tasks():
            # joblib pulls the next job from this generator when a worker
            # frees, possibly from its own callback thread: the strategy is
            # asked and told under the lock
            while True:
                with lock:
                    if state["reason"] is not None or state["asked"] >= n_iter:
                        return
                    if self._time_is_up(start):
                        state["reason"] = "max_time"
                        return
                    batch = self._ask_round(1)
                    if not batch:
                        state["reason"] = "exhausted"
                        return
                    tag = state["asked"]
                    state["asked"] += 1
                    ctx = self._unit_context(search_ctx, n_splits)
                    flight[tag] = [batch[0], [None] * n_splits, n_splits, tag, ctx]
                    unit_jobs = list(self._unit_jobs(jobs, tag, batch[0], (tag, n_iter),
                                                     ctx, 0))
                yield from unit_jobs

        for (tag, s), out in parallel(tasks()):
            with lock:
                entry = flight[tag]
                entry[1][s] = out
                entry[2] -= 1
                if entry[2]:
                    continue
                del flight[tag]
                unit, outs, _, iteration, ctx = entry
                self._units_done([unit], [outs], [iteration])
                self._n_batches += 1
                stop = ctx is not None and bool(ctx.call_on_fit_task_end(estimator=self))
                if self.verbose > 0:
                    self._print_progress(len(evaluations), n_iter, start)
                if state["reason"] is None:
                    reason = self._should_stop(start, stop)
                    if reason is not None:
                        state["reason"] = reason
        return state["reason"] or "n_iter"

    def _finish(self, evaluate_candidates, evaluations, n_splits, what="candidates"):
        """Check the failures, then let sklearn build the fitted search from
        the driver's evaluations (one evaluate_candidates call that fits
        nothing: its candidate carries its stored results)."""
        out = evaluations.out
        if callable(self.scoring):
            _insert_error_scores(out, self.error_score)
        self._check_failures(evaluations, len(evaluations), what)
        if evaluations.n_failed:  # sklearn's FitFailedWarning, once for the search
            original_check(out, self.error_score)
        ok = [
            i
            for i in range(len(evaluations))
            if all(o["fit_error"] is None for o in out[i * n_splits : (i + 1) * n_splits])
        ]
        i = ok[0] if ok else 0
        marker = Precomputed(evaluations.params[i], out[i * n_splits : (i + 1) * n_splits])
        verbose, self.verbose = self.verbose, 0  # sklearn would print "Fitting ..." again
        try:
            # sklearn warns here about non-finite mean scores, as GridSearchCV
            # does; no warning filter is installed around it, since
            # warnings.catch_warnings is process-wide and not thread-safe (a
            # search fitted in threads would leave its filter behind)
            evaluate_candidates([marker], cv=self._frozen_cv)
        finally:
            self.verbose = verbose

    def _check_failures(self, failures, n_done, what):
        """End of a search: raise if every fit failed. (Non-finite mean
        scores are sklearn's warning, when the fitted search is built.)"""
        if failures.n_fits and failures.n_failed == failures.n_fits:
            warnings.warn(
                f"All the {failures.n_fits} fits failed (scored as {self.error_score}).",
                FitFailedWarning,
                stacklevel=6,
            )
            raise ValueError(
                f"All the {failures.n_fits} fits of the {n_done} {what} failed: "
                "no candidate could be scored. It is very likely that the estimator "
                "or the search space is misconfigured; set error_score='raise' to "
                f"see the first error.\n{failures.last_message}"
            )

    def _n_splits(self):
        """Number of CV folds of this fit (sklearn < 1.9 sets ``n_splits_`` only
        after the search, so it may still hold an earlier fit's)."""
        try:
            return self._frozen_cv.get_n_splits()
        except (TypeError, ValueError):  # a splitter that needs the groups to count
            return self.n_splits_

    def _time_is_up(self, start):
        return self.max_time is not None and time.perf_counter() - start >= self.max_time

    def _should_stop(self, start, stop_from_sklearn_callbacks):
        """The reason to stop after a batch, or None: a callback, or max_time."""
        if stop_from_sklearn_callbacks or any(cb(self) for cb in (self.callbacks or [])):
            return "callback"
        if self._time_is_up(start):
            return "max_time"
        return None

    def _announce(self, n, what):
        """The one line sklearn's searches print at their start (verbose > 0):
        the ``n`` candidates left to fit, after those resumed from the journal."""
        if self.verbose > 0:
            n_splits = self._n_splits()
            fitting = (
                f"fitting {n_splits} folds for each of up to {n} more {what}, totalling "
                f"{n_splits * n} fits" if n else "nothing left to fit but the refit"
            )
            if self._n_resumed:
                print(f"Resumed {self._n_resumed} {what} from the checkpoint journal; "
                      f"{fitting}")
            else:
                print(
                    f"Fitting {n_splits} folds for each of {n} {what}, totalling "
                    f"{n_splits * n} fits"
                )

    def _print_progress(self, n_done, n_iter, start):
        elapsed = time.perf_counter() - start
        scores = np.asarray(self.optimizer_.y_, dtype=float)
        best = np.nanmax(scores) if np.isfinite(scores).any() else float("nan")
        eta = elapsed / n_done * (n_iter - n_done)
        print(
            f"[{type(self).__name__}] {n_done}/{n_iter} candidates, "
            f"best {format_score(best)}, elapsed {elapsed:.1f}s, ETA {eta:.1f}s"
        )


def format_score(score):
    """A score in progress lines, with the same digits on every line: four
    decimals (scientific notation for very large or small magnitudes)."""
    if not np.isfinite(score):
        return "n/a"
    if score != 0 and not 1e-3 <= abs(score) < 1e6:
        return f"{score:.4e}"
    return f"{score:.4f}"

