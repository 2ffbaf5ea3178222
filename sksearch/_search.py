"""The one scikit-learn driver behind every ``*SearchCV`` of sksearch.

``BaseSearch`` subclasses sklearn's ``BaseSearchCV`` (as sklearn's own
Halving searches do), for its parameters, validation, ``predict`` and
friends, and owns ``fit``: it makes one :class:`~sksearch._run.Run` per fit
(the fit's state, passed along), runs the one evaluation loop
(:mod:`sksearch._loop`: ask the strategy for a round of ``batch_size``
candidates, or in asynchronous mode one whenever a worker frees, run their
fit-and-score jobs, sklearn's ``_fit_and_score``, on the active joblib
backend, tell the scores, journal them) and builds the fitted search from
the run's evaluations (:mod:`sksearch._fitted`: sklearn's results
formatting, ``best_*``, refit, callbacks), so these, multi-metric scoring,
``error_score``, ``groups`` and metadata routing behave as in
``GridSearchCV``. Nothing in scikit-learn is written or replaced.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import os
from abc import abstractmethod
from numbers import Integral
from numbers import Real as RealNumber

import numpy as np
from sklearn.base import clone

from ._compat import BaseSearchCV, Interval, _fit_and_score, _fit_context
from ._fitted import build_fitted
from ._journal import Journal, top_resource_rows
from ._loop import run_loop
from ._objectives import (
    first_scorer,
    is_several,
    resolve_objectives,
    results_matrix,
    scaled_hypervolume,
)
from ._run import Run, format_score
from ._warn import warn_user
from .optimizers._scheduler import OneLevelScheduler, Unit
from .space import Space, _is_estimator

__all__ = ["BaseSearch"]


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
    """The scorer name a fitted search maximised with several metrics (None: one);
    of a search with several objectives, the first scorer among them."""
    objective = getattr(search, "objective", None)
    if is_several(objective):
        return first_scorer(resolve_objectives(objective, search.scoring))
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


def _resource_name(source, results, space):
    """The parameter a multi-fidelity search's ``cv_results_`` set to the
    resource of each row (None if there is none, or this space searches it).

    A fitted search says it (``resource``); of a bare ``cv_results_``, it is
    the one parameter equal to ``n_resources`` in every row (sklearn's
    Halving searches too)."""
    if "n_resources" not in results:
        return None
    name = getattr(source, "resource", None) if source is not results else None
    if name is None:
        n_res = list(results["n_resources"])
        params = list(results["params"])
        names = set.intersection(*(set(p) for p in params)) if params else set()
        same = [
            k for k in sorted(names)
            if all(_same_number(p[k], r) for p, r in zip(params, n_res))
        ]
        name = same[0] if len(same) == 1 else None
    if name is None or any(name in sub for sub in space.subspaces):
        return None
    return name


def _same_number(a, b):
    return (
        not isinstance(a, bool) and isinstance(a, RealNumber)
        and isinstance(b, RealNumber) and a == b
    )


def _warm_start_observations(source, refit, space, objectives=None):
    """(candidates, scores) of earlier results, from what warm_start_from may
    be, with the candidates outside ``space`` left out (one warning counts
    them).

    A journal's candidates are recovered from their recorded values, in this
    space; a fitted search's (or ``cv_results_``'s) are its ``params``, less
    the resource parameter of a multi-fidelity search. Of a multi-fidelity
    search only the evaluations at its highest resource are taken.
    """
    if source is None:
        return [], []
    if isinstance(source, (str, os.PathLike)):
        candidates, scores = Journal.observations(source, space, param="warm_start_from")
        _check_journal_objectives(scores, objectives)
    else:
        results = getattr(source, "cv_results_", source)
        if not isinstance(results, dict) or "params" not in results:
            raise TypeError(
                "warm_start_from must be a fitted search, a cv_results_ dict, or the "
                f"path of an sksearch journal; got {type(source).__name__}."
            )
        if hasattr(source, "cv_results_"):
            refit = search_metric(source) or refit
        params = list(results["params"])
        if objectives:
            scores = list(results_matrix(results, objectives, param="warm_start_from"))
        else:
            scores = list(_results_objective(results, refit))
        resource = _resource_name(source, results, space)
        if resource is not None:
            params = [{k: v for k, v in p.items() if k != resource} for p in params]
        if "n_resources" in results:
            keep = top_resource_rows(list(results["n_resources"]))
            params, scores = [params[i] for i in keep], [scores[i] for i in keep]
        candidates = [p if _in_space(space, p) else None for p in params]
    known = [(c, s) for c, s in zip(candidates, scores) if c is not None]
    n_out = len(candidates) - len(known)
    if n_out:
        n = len(candidates)
        what = (
            f"none of its {n} candidates belongs to this search space; the search "
            "starts from scratch"
            if not known
            else f"{n_out} of its {n} candidates are outside this search space (another "
            "parameter, a value out of bounds or not among the choices) and are left "
            f"out; the other {len(known)} are told to the strategy"
        )
        warn_user(f"warm_start_from: {what}.")
    return [c for c, _ in known], [s for _, s in known]


def _check_journal_objectives(scores, objectives):
    k = len(objectives) if objectives else 1
    for score in scores:
        got = np.size(score) if np.ndim(score) else 1
        if got != k:
            raise ValueError(
                f"warm_start_from: the journal's candidates were scored on {got} "
                f"objective(s), this search has {k}; start from a journal of the same "
                "objective, or from a fitted search (its cv_results_ columns are read)."
            )


def _in_space(space, candidate):
    try:
        space.encode(candidate)
    except (ValueError, TypeError):
        return False
    return True


def _tell_known(optimizer, candidates, scores, *, source):
    """Tell the strategy the earlier observations (candidates of its space,
    from :func:`_warm_start_observations`); return how many."""
    if candidates:
        optimizer.tell(list(candidates), list(scores))
    return len(candidates)


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
        that ran and ``stop_reason_`` says ``"max_time"``. A ``max_time``
        spent before the first round is evaluated is a ValueError that names
        it.
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
        their population from the best). Each score is told to the
        candidate that earned it, also when the space changed since: a
        journal's candidates are recovered from their recorded values in
        this space. Candidates outside it are left out, with one warning
        that counts them (a finite space whose every candidate they hold is
        a ValueError that says so); of a multi-fidelity search only the evaluations at
        its highest resource are taken, without the resource parameter.
        They are not re-evaluated and do not appear in ``cv_results_``.
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

        A list of names, or a dict ``name -> "maximize" | "minimize"``, makes
        the search multi-objective: it looks for the Pareto front of these
        objectives. A name is a scorer of ``scoring`` (``"score"`` with one
        metric), or a cost: ``"fit_time"``, ``"score_time"`` (seconds, as in
        ``cv_results_``), ``"latency"`` (``score_time`` per test sample),
        ``"model_size"`` (bytes of the fitted estimator, pickled) or
        ``"n_parameters"`` (numbers in the fitted model; a network's
        parameters). Scorers are maximised and costs minimised unless the dict
        says otherwise. The strategy is told the vector of mean CV values
        (signs flipped so that higher is better), so it must be a
        multi-objective one (its optimizer's ``multi_objective``); another
        raises a ValueError at ``fit``. ``refit`` then chooses one model of the
        front: True, the front's best on the first objective; an objective's
        or scorer's name, the front's best on it; a callable on
        ``cv_results_``, as in ``GridSearchCV``. Timed costs vary from run to
        run, so a search on them is reproducible only in its random draws.
        See :ref:`multi_objective`.

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
        "objective": [str, list, tuple, dict, None],
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
    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        """Return the strategy (an :class:`~sksearch.optimizers.Optimizer`).

        ``random_state`` is an int seed of the run's seed sequence;
        ``batch_size`` is the number of candidates asked per round (it never
        depends on ``n_jobs``); ``n_levels`` the resource levels of a
        multi-fidelity search (1 otherwise).
        """

    _run_class = None  # set below: the run of a plain strategy

    @_fit_context(prefer_skip_nested_validation=False)
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
        self._check_search_params()
        space = Space(self.param_distributions)
        if space.n_dims == 0:
            raise ValueError(
                f"param_distributions={self.param_distributions!r} has no parameter to "
                "search. Give at least one parameter; to cross-validate the estimator "
                "as it is, use sklearn.model_selection.cross_validate."
            )
        _check_param_names(self.estimator, space)
        metric = self._check_objective()
        objectives = None
        if is_several(self.objective):
            objectives = resolve_objectives(self.objective, self.scoring)
            self._check_multi_objective(space, objectives)
        for cb in [] if self.callbacks is None else self.callbacks:
            if not callable(cb):
                raise TypeError(
                    f"callbacks must be a list of callables (callback(search) -> bool); "
                    f"got {cb!r}."
                )
        warm = _warm_start_observations(
            self.warm_start_from, metric, space=space, objectives=objectives
        )
        self.space_ = space
        run = self._run_class(self, X, y, params, space=space, metric=metric, warm=warm)
        try:
            with run:
                if self.checkpoint is not None:
                    run.open_journal(run.journal_parts())
                search_ctx = run.execute()
                build_fitted(self, run, search_ctx, what=run.what)
                run.finish()
        except BaseException as exc:
            run.note_unfinished(exc)
            raise
        return self

    def _check_multi_objective(self, space, objectives):
        """Raise a ValueError naming ``objective`` unless this search's
        strategy takes several objectives, or ``refit`` cannot choose from
        their front."""
        what = f"objective={self.objective!r}"
        refit = self.refit
        if isinstance(refit, str):
            scorers = self.scoring if isinstance(self.scoring, (list, tuple, set, dict)) else ()
            names = [o.name for o in objectives]
            if refit not in names and refit not in scorers and not callable(self.scoring):
                raise ValueError(
                    f"refit={refit!r} names neither an objective {names!r} nor a scorer "
                    "of scoring; with several objectives refit is True (the front's best "
                    "on the first objective), an objective's name, a callable or False."
                )
        name = type(self).__name__
        if type(self)._run_class is not StrategyRun:
            raise ValueError(
                f"{what}: {name} takes one objective (its schedule compares one score "
                "per candidate). Search several objectives with a multi-objective "
                "strategy, or give objective one scorer's name."
            )
        opt = self._make_optimizer(space, random_state=0, batch_size=1)
        if not getattr(opt, "multi_objective", False):
            from .optimizers import all_optimizers

            several = sorted(
                search for role, _, cls, search in all_optimizers("strategy")
                if search and getattr(cls, "multi_objective", False)
            )
            which = (
                f"; these take several: {several}" if several else
                "; NASClassifier(strategy='random') and the random strategy take several"
            )
            raise ValueError(
                f"{what}: {name} ({type(opt).__name__}) takes one objective{which}. "
                "Or give objective one scorer's name."
            )

    def score(self, X, y=None, **params):
        """The score of ``best_estimator_`` on ``X``, ``y``: as
        ``GridSearchCV.score``; with several objectives and several scorers,
        by the scorer ``refit`` names, else the first scorer among them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None
        **params : dict
            Passed to the scorer.

        Returns
        -------
        score : float
        """
        objectives = getattr(self, "objectives_", None)
        if objectives and getattr(self, "multimetric_", False) and not isinstance(
            self.refit, str
        ):
            if not hasattr(self, "best_estimator_"):
                return super().score(X, y, **params)  # sklearn's error
            scorer = next((n for n in objectives if n in self.scorer_), None)
            if scorer is None:
                raise ValueError(
                    f"objective={self.objective!r} has no scorer of scoring to score with."
                )
            return self.scorer_[scorer](self.best_estimator_, X, y, **params)
        return super().score(X, y, **params)

    def _check_search_params(self):
        """Checks of a subclass's parameters, before anything else in ``fit``."""

    def _check_objective(self):
        """The scorer the strategy maximises: "score" with one metric, else
        ``objective``, or ``refit`` when it names a scorer."""
        scoring = self.scoring
        if is_several(self.objective):  # several: their vector, see Run.objectives
            return first_scorer(resolve_objectives(self.objective, scoring)) or "score"
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


class StrategyRun(Run):
    """A run of a plain strategy: a unit of the loop is one candidate."""

    what = "candidates"

    def execute(self):
        search, space = self.search, self.space
        n_iter = search.n_iter
        if n_iter > space.size:
            warn_user(
                f"The search space has {space.size} distinct candidates, fewer than "
                f"n_iter={n_iter}. Running {space.size} candidates."
            )
            n_iter = int(space.size)
        # a property of the search, never of n_jobs or the joblib backend:
        # the same random_state gives the same candidates however many
        # workers run them (as GridSearchCV and RandomizedSearchCV do)
        self.n_iter = n_iter
        self.batch_size = max(1, min(int(search.batch_size), n_iter))
        self.strategy = self.new_strategy()
        if search.asynchronous:
            n_units = n_iter
        else:
            n_units = math.ceil(n_iter / self.batch_size) if math.isinf(space.size) else None
        search_ctx = run_loop(
            self, n_iter=n_iter, batch_size=self.batch_size, n_units=n_units, what=self.what
        )
        search.n_resumed_ = self.n_resumed
        search.n_batches_ = self.n_batches
        search.batch_size_ = self.batch_size
        search.stop_reason_ = self.stop_reason
        return search_ctx

    def journal_parts(self):
        """What else, besides data, folds, estimator and space, makes two
        runs' evaluations interchangeable."""
        return {}

    def finish(self):
        """After the fitted search is built."""

    def new_strategy(self):
        """A fresh strategy, told the ``warm_start_from`` observations, as a
        scheduler of one level; the strategy is live as ``optimizer_``
        (callbacks read it)."""
        search = self.search
        opt = search._make_optimizer(
            self.space, random_state=self.seed("strategy"), batch_size=self.batch_size
        )
        search.n_warm_start_ = _tell_known(opt, *self.warm, source="warm_start_from")
        search.optimizer_ = opt
        return OneLevelScheduler(opt)

    # -- the loop's units: a candidate at a level --------------------------
    def ask_round(self, n):
        """Up to ``n`` units to evaluate next (none: nothing left to ask)."""
        units = self.strategy.ask(n)
        self.units_asked(units)
        return units

    def unit_jobs(self, tag, unit, progress, ctx, first_task):
        """The fit-and-score jobs of one unit, tagged ``(tag, fold)``, on the
        folds of its level."""
        return self.jobs(
            tag, self.unit_params(unit), progress, ctx, first_task,
            splits=self.level_folds(unit.level), fit_and_score=self.fit_and_score,
        )

    def units_done(self, units, outs_of, iteration):
        """Record the per-fold results of finished units and tell the scheduler."""
        more = {"iter": list(iteration), **self.more_columns(units, outs_of)}
        scores = self.record(
            [unit.candidate for unit in units], outs_of, more,
            rows=[self.row(unit) for unit in units], units=units,
        )
        self.scores_recorded(units, scores)
        self.strategy.tell(units, scores)
        self.units_told(units)

    # what a unit's level means: nothing for a plain strategy (one level)
    fit_and_score = staticmethod(_fit_and_score)

    def row(self, unit):
        """The unit's parameters as ``cv_results_`` shows them."""
        return unit.candidate

    def unit_params(self, unit):
        """The parameters its fit-and-score jobs get."""
        return self.row(unit)

    def level_folds(self, level):
        """The folds at a resource level (None: the search's folds)."""
        return None

    def more_columns(self, units, outs_of):
        """Extra ``cv_results_`` columns of finished units, besides ``iter``."""
        return {}

    def units_asked(self, units):
        """Called with every round asked, before its jobs are made."""

    def scores_recorded(self, units, scores):
        """Called with every finished unit's score."""

    def units_told(self, units):
        """Called after the scheduler is told a whole round."""

    def progress_line(self, n_done, n_iter, elapsed):
        scores = np.asarray(self.strategy.sampler.y_, dtype=float)
        eta = elapsed / max(n_done, 1) * (n_iter - n_done)
        if self.objectives:
            _, front = self.strategy.sampler.pareto_front()
            hv = scaled_hypervolume(scores)
            where = f"front {len(front)}, hypervolume {format_score(hv)}"
        else:
            best = np.nanmax(scores) if np.isfinite(scores).any() else float("nan")
            where = f"best {format_score(best)}"
        return (
            f"[{type(self.search).__name__}] {n_done}/{n_iter} candidates, "
            f"{where}, elapsed {elapsed:.1f}s, ETA {eta:.1f}s"
        )

    # -- resuming: one replay for every scheduler -----------------------------
    def record_unit(self, record):
        """The unit a journal record is the evaluation of, as it was asked."""
        return Unit(self.record_candidate(record))

    def resume(self):
        """Take the checkpoint journal's evaluations instead of fitting them;
        return how many are outside the budget.

        The journal's evaluations go to a fresh scheduler in the order they
        were asked. Where the scheduler, asked as the loop asks it (rounds of
        ``batch_size``, or a unit at a time) and told their scores, asks for
        them again, the loop replays them: each is taken from the journal
        instead of fitted, and the search goes on exactly as the interrupted
        run did, a round the interruption cut included. Where it does not
        (another batch size, mode, strategy or seed), the scheduler restores
        them (:meth:`~sksearch.optimizers._scheduler.Scheduler.restore`: a
        plain strategy is told them, Hyperband's rungs are rebuilt) and the
        loop goes on from there. Either way nothing journaled is fitted again,
        and a unit asked again later is taken from the journal. Checking the
        replay asks a scratch scheduler for the journaled rounds once more: a
        proposal's cost, never a fit's.
        """
        records = list(self.journal.records) if self.journal is not None else []
        self.n_resumed = len(records)
        # a round's records are journaled together, in the order asked; the
        # asynchronous mode's as they finish, numbered in the order asked
        asked = sorted(records, key=lambda r: r.get("more", {}).get("iter", 0))
        replays = bool(records) and self.replays(asked)
        self.strategy = self.new_strategy()
        self.keep_for_lookup(asked)
        if replays or not records:
            return 0
        if not self.search.asynchronous:
            self.warn_not_replayed(
                "the search does not propose the journal's evaluations again in the "
                f"order they were asked (another batch size, strategy or seed?); its "
                f"{len(records)} evaluations are reused as they are and the search "
                "continues from them."
            )
        units = {id(r): self.record_unit(r) for r in records}
        n_in = self.strategy.restore(
            [units[id(r)] for r in asked], [Journal.score(r) for r in asked]
        )
        outs_of = [self.journal_out(r) for r in records]
        more = {
            "iter": [r.get("more", {}).get("iter", i) for i, r in enumerate(records)],
            **self.more_columns([units[id(r)] for r in records], outs_of),
        }
        for i, record in enumerate(records):
            unit = units[id(record)]
            self.evaluations.add(self.row(unit), outs_of[i], {k: v[i] for k, v in more.items()})
        self.scores_recorded([units[id(r)] for r in records], [Journal.score(r) for r in records])
        self.reused = True  # a unit taken from the journal later has its row
        self.n_batches = 1 + max(self.evaluations.more["iter"], default=-1)
        return len(records) - n_in

    def replays(self, records):
        """Whether a fresh scheduler, asked as the loop asks it and told the
        journal's scores, asks for every journaled evaluation before any
        other (but the rest of a round the interruption cut)."""
        left = {}
        for record in records:
            left.setdefault(self.record_key(record), []).append(Journal.score(record))
        scheduler, n_left, n_done = self.new_strategy(), len(records), 0
        while n_left:
            n = 1 if self.search.asynchronous else min(self.batch_size, self.n_iter - n_done)
            units = scheduler.ask(n) if n > 0 else []
            if not units:
                return False
            scores = [(left.get(self.unit_key(u)) or [None]).pop(0) for u in units]
            n_left -= sum(s is not None for s in scores)
            if any(s is None for s in scores):  # a unit never journaled: only after the last one
                return n_left == 0
            scheduler.tell(units, scores)
            n_done += len(units)
        return True


BaseSearch._run_class = StrategyRun

