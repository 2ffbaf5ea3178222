"""The one scikit-learn driver behind every ``*SearchCV`` of sksearch.

``BaseSearch`` subclasses sklearn's ``BaseSearchCV`` (as sklearn's own
Halving searches do) and implements ``_run_search`` as a loop: ask the
strategy for a batch, let sklearn's ``evaluate_candidates`` cross-validate the
batch in parallel (it keeps ``cv_results_``), tell the strategy the scores,
and repeat until exactly ``n_iter`` candidates are evaluated. ``cv_results_``,
``best_*``, refit, multi-metric scoring, ``error_score``, ``groups``, metadata
routing and sklearn's callbacks therefore behave exactly as in
``GridSearchCV``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import os
import time
import warnings
from abc import abstractmethod
from numbers import Integral
from numbers import Real as RealNumber

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state
from sklearn.utils.validation import indexable

from . import __version__
from ._compat import (
    BaseSearchCV,
    Interval,
    deferred_fit_failure_check,
    search_scope,
)
from ._journal import FORMAT as JOURNAL_FORMAT
from ._journal import Journal, search_fingerprint
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


class _Replayed:
    """Candidates resumed from a checkpoint journal, in cv_results_ form."""

    def __init__(self):
        self.params, self.out, self.more = [], [], {"iter": []}
        self._sizes = []

    def add(self, candidates, records, n_batch, return_train_score):
        for cand, rec in zip(candidates, records):
            self.params.append(cand)
            self.out.extend(Journal.out(rec, return_train_score))
            self.more["iter"].append(rec.get("more", {}).get("iter", n_batch))
        self._sizes.append((len(candidates), len(records[0]["out"]) if records else 0))

    def pop_last_batch(self):
        """Remove the last batch; return its candidates, fits and failed fits."""
        m, n_splits = self._sizes.pop()
        last = self.params[-m:]
        outs = self.out[-m * n_splits :]
        del self.params[-m:]
        del self.out[-m * n_splits :]
        del self.more["iter"][-m:]
        return last, len(outs), sum(o["fit_error"] is not None for o in outs)


def _same_candidates(space, batch, records):
    if len(records) != len(batch):
        return False
    return all(
        space.key(space.encode(c)) == space.key(Journal.vector(r))
        for c, r in zip(batch, records)
    )


def _results_objective(results, refit):
    if "mean_test_score" in results:
        return np.asarray(results["mean_test_score"], dtype=float)
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return np.asarray(results[f"mean_test_{refit}"], dtype=float)
    raise ValueError(
        "warm_start_from: its cv_results_ have several metrics; set refit to the "
        "name of the metric to start from."
    )


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
    refit = getattr(source, "refit", refit)
    return list(results["params"]), list(_results_objective(results, refit))


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
        already holds the whole search, only its last batch is fitted again
        (scikit-learn needs one evaluation to build the fitted search).
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
        proposal (``batch_size=1``: strictly sequential).

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
        _check_param_names(self.estimator, space)
        scoring = self.scoring
        if isinstance(scoring, (list, tuple, dict)) and not isinstance(self.refit, str):
            raise ValueError(
                "With multi-metric scoring the search must know which metric to "
                "maximise: set refit to the name of one of the scorers "
                f"{sorted(scoring)!r}; got refit={self.refit!r}."
            )
        self.space_ = space
        callbacks = [] if self.callbacks is None else self.callbacks
        for cb in callbacks:
            if not callable(cb):
                raise TypeError(
                    f"callbacks must be a list of callables (callback(search) -> bool); "
                    f"got {cb!r}."
                )
        warm = _warm_start_observations(self.warm_start_from, self.refit, space=space)
        # the splitter, frozen at its first split; held only during fit (the
        # folds are data-dependent and must not be pickled with the search)
        self._frozen_cv = _FrozenSplits(
            check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        )
        self._warm = warm
        self._journal = None
        self._in_fit = True
        try:
            if self.checkpoint is not None:
                self._journal = self._open_journal(X, y, params)
            with search_scope():  # sklearn is patched only while a search runs
                return super().fit(X, y, **params)
        finally:
            if self._journal is not None:
                self._journal.close()
            for attr in self._FIT_STATE:
                self.__dict__.pop(attr, None)

    # State that exists only while fit runs. sklearn >= 1.9 sends the search
    # itself to every fit task (``caller=self``, for callbacks), so it is
    # left out of pickles: an open journal cannot be pickled, and the live
    # strategy and folds would be copied to the workers for every fit.
    _FIT_STATE = ("_frozen_cv", "_warm", "_journal", "_replayed", "_last_out", "_in_fit")

    def __getstate__(self):
        state = super().__getstate__()
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
        fingerprint, parts = search_fingerprint(self, self.space_, X, y, splits, params)
        header = {
            "sksearch_journal": JOURNAL_FORMAT,
            "fingerprint": fingerprint,
            "parts": parts,
            "search": type(self).__name__,
            "sksearch_version": __version__,
            "n_splits": len(splits),
        }
        return Journal.open(self.checkpoint, header)

    def _format_results(self, candidate_params, n_splits, out, more_results=None):
        # Called by sklearn's evaluate_candidates with everything evaluated so
        # far: keep the raw per-fold results (for the journal), and put the
        # candidates resumed from the journal first, as in the original run.
        self._last_out = out
        replayed = getattr(self, "_replayed", None)
        if replayed is not None and replayed.params:
            candidate_params = replayed.params + list(candidate_params)
            out = replayed.out + list(out)
            more_results = {
                k: replayed.more.get(k, []) + list(v) for k, v in (more_results or {}).items()
            }
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

        optimizer = self.optimizer_ = new_optimizer()  # live, for callbacks
        journal = self._journal
        pending = list(journal.records) if journal is not None else []
        replayed = self._replayed = _Replayed()
        cv = self._frozen_cv

        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=math.ceil(n_iter / batch_size)
            ).call_on_fit_task_begin(estimator=self)

        key, results = None, None
        n_done, n_batches, reason = 0, 0, "n_iter"
        self._announce(n_iter, "candidates")
        start = time.perf_counter()
        with deferred_fit_failure_check() as failures:
            while n_done < n_iter:
                if self._time_is_up(start):
                    reason = "max_time"
                    break
                batch = optimizer.ask(min(batch_size, n_iter - n_done))
                if not batch:  # the space has no new candidate left
                    reason = "exhausted"
                    break
                if pending:  # resuming: take the journal's results, fit nothing
                    records = pending[: len(batch)]
                    if _same_candidates(space, batch, records):
                        replayed.add(batch, records, n_batches, self.return_train_score)
                        failures.n_fits += sum(len(r["out"]) for r in records)
                        failures.n_failed += sum(
                            o["fit_error"] is not None for r in records for o in r["out"]
                        )
                        optimizer.tell(batch, [Journal.score(r) for r in records])
                        del pending[: len(batch)]
                        n_done += len(batch)
                        n_batches += 1
                        continue
                    # another batch size or strategy: reuse the journal's
                    # results as known observations, and go on from there
                    warnings.warn(
                        f"checkpoint={self.checkpoint!r}: the search does not propose the "
                        "journal's candidates again (another n_jobs or strategy?); its "
                        f"{len(journal.records)} evaluations are reused as they are and the "
                        "search continues from them.",
                        UserWarning,
                        stacklevel=5,
                    )
                    optimizer = self.optimizer_ = new_optimizer()
                    rest = [space.decode(Journal.vector(r)) for r in pending]
                    replayed.add(rest, pending, n_batches, self.return_train_score)
                    known = replayed.params
                    optimizer.tell(known, [Journal.score(r) for r in journal.records])
                    n_done += len(pending)
                    n_batches += 1
                    pending = []
                    continue

                results = self._evaluate(evaluate_candidates, batch, cv, n_batches, search_ctx)
                stop = results.pop("_sksearch_stop", False)
                if key is None:
                    key = self._objective_key(results)
                scores = np.asarray(results[key][-len(batch) :], dtype=float)
                if journal is not None:
                    n_splits = self._n_splits()
                    journal.write(
                        batch,
                        [space.encode(c) for c in batch],
                        scores,
                        self._last_out[-len(batch) * n_splits :],
                        n_splits,
                        {"iter": [n_batches] * len(batch)},
                    )
                optimizer.tell(batch, scores)
                n_done += len(batch)
                n_batches += 1
                if self.verbose > 0:
                    self._print_progress(results[key], n_done, n_iter, start)
                if self._should_stop(start, stop) == "callback":
                    reason = "callback"
                    break

            if results is None and replayed.params:
                # The journal held the whole search. sklearn builds the fitted
                # search from its own evaluations, so fit the last batch again.
                last, n_fits, n_failed = replayed.pop_last_batch()
                failures.n_fits -= n_fits  # counted again when evaluated
                failures.n_failed -= n_failed
                results = self._evaluate(evaluate_candidates, last, cv, n_batches - 1, None)
                results.pop("_sksearch_stop", None)
                key = self._objective_key(results)
        self.n_resumed_ = len(replayed.params)
        self._check_failures(failures, results, key, n_done, "candidates")
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        self.optimizer_ = optimizer
        self.n_batches_ = n_batches
        self.batch_size_ = batch_size
        self.stop_reason_ = reason

    def _check_failures(self, failures, results, key, n_done, what):
        """End of a search: raise if every fit failed, warn once about NaN scores."""
        if failures.n_fits and failures.n_failed == failures.n_fits:
            raise ValueError(
                f"All the {failures.n_fits} fits of the {n_done} {what} failed: "
                "no candidate could be scored. It is very likely that the estimator "
                "or the search space is misconfigured; set error_score='raise' to "
                f"see the first error.\n{failures.last_message}"
            )
        if key is not None and not np.isfinite(np.asarray(results[key], dtype=float)).all():
            n_bad = int((~np.isfinite(np.asarray(results[key], dtype=float))).sum())
            warnings.warn(
                f"{n_bad} of the {n_done} {what} have a non-finite mean test score "
                "(failed fits get error_score); the search went on without them.",
                UserWarning,
                stacklevel=6,
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

    def _evaluate(self, evaluate_candidates, batch, cv, n_batch, search_ctx, more=None):
        """Cross-validate one batch through sklearn; ``_sksearch_stop`` in the
        returned dict says whether a sklearn callback asked to stop."""
        kwargs = {}
        if search_ctx is not None:
            kwargs["callback_ctx"] = search_ctx.subcontext(
                task_name="search-batch",
                max_subtasks=len(batch) * self.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self)
        with warnings.catch_warnings():
            # sklearn warns about every NaN score so far at every batch; the
            # search warns once, at the end
            warnings.filterwarnings(
                "ignore", message="One or more of the .* scores are non-finite"
            )
            if more is None:
                more = {"iter": [n_batch] * len(batch)}
            # sklearn prints "Fitting k folds for each of n candidates" at every
            # call when verbose > 0; the search says it once, at its start
            # (``_announce``), as GridSearchCV does. The per-fit verbosity was
            # read by sklearn when fit began, so verbose >= 2 still reports fits.
            verbose, self.verbose = self.verbose, 0
            try:
                results = evaluate_candidates(batch, cv=cv, more_results=more, **kwargs)
            finally:
                self.verbose = verbose
        stop = False
        if search_ctx is not None:
            stop = bool(kwargs["callback_ctx"].call_on_fit_task_end(estimator=self))
        results = dict(results)
        results["_sksearch_stop"] = stop
        return results

    def _objective_key(self, results):
        if "mean_test_score" in results:
            return "mean_test_score"
        if isinstance(self.refit, str) and f"mean_test_{self.refit}" in results:
            return f"mean_test_{self.refit}"
        names = sorted(k[len("mean_test_") :] for k in results if k.startswith("mean_test_"))
        raise ValueError(
            "With multi-metric scoring the search must know which metric to "
            f"maximise: set refit to one of {names!r}; got refit={self.refit!r}."
        )

    def _announce(self, n, what):
        """The one line sklearn's searches print at their start (verbose > 0)."""
        if self.verbose > 0:
            n_splits = self._n_splits()
            print(
                f"Fitting {n_splits} folds for each of {n} {what}, totalling "
                f"{n_splits * n} fits"
            )

    def _print_progress(self, scores, n_done, n_iter, start):
        elapsed = time.perf_counter() - start
        scores = np.asarray(scores, dtype=float)
        best = np.nanmax(scores) if np.isfinite(scores).any() else float("nan")
        eta = elapsed / n_done * (n_iter - n_done)
        print(
            f"[{type(self).__name__}] {n_done}/{n_iter} candidates, "
            f"best {best:.5g}, elapsed {elapsed:.1f}s, ETA {eta:.1f}s"
        )

