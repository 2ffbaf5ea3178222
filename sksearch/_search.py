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
import time
import warnings
from abc import abstractmethod
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state

from ._compat import (
    BaseSearchCV,
    Interval,
    deferred_fit_failure_check,
)
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
                ok = name in valid
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
        Candidates per batch: the number of parallel workers in effect.
    """

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
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

    @abstractmethod
    def _make_optimizer(self, space, *, random_state, n_workers):
        """Return the strategy (an :class:`~sksearch.optimizers.Optimizer`).

        ``random_state`` is an int seed drawn from ``self.random_state``;
        ``n_workers`` is the number of candidates asked per batch.
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
        # the splitter, frozen at its first split; held only during fit (the
        # folds are data-dependent and must not be pickled with the search)
        self._frozen_cv = _FrozenSplits(
            check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        )
        try:
            return super().fit(X, y, **params)
        finally:
            del self._frozen_cv

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
        batch_size = max(1, min(int(effective_n_jobs(self.n_jobs)), n_iter))
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        optimizer = self._make_optimizer(space, random_state=seed, n_workers=batch_size)
        cv = self._frozen_cv

        search_ctx = None
        if callback_ctx is not None:
            search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=math.ceil(n_iter / batch_size)
            ).call_on_fit_task_begin(estimator=self)

        key = None
        n_done, n_batches = 0, 0
        start = time.perf_counter()
        with deferred_fit_failure_check() as failures:
            while n_done < n_iter:
                batch = optimizer.ask(min(batch_size, n_iter - n_done))
                if not batch:  # the space has no new candidate left
                    break
                kwargs = {}
                if search_ctx is not None:
                    kwargs["callback_ctx"] = search_ctx.subcontext(
                        task_name="search-batch",
                        max_subtasks=len(batch) * self.n_splits_,
                        sequential_subtasks=False,
                    ).call_on_fit_task_begin(estimator=self)
                with warnings.catch_warnings():
                    # sklearn warns about every NaN score so far at every batch;
                    # the search warns once, at the end
                    warnings.filterwarnings(
                        "ignore", message="One or more of the .* scores are non-finite"
                    )
                    results = evaluate_candidates(
                        batch, cv=cv, more_results={"iter": [n_batches] * len(batch)}, **kwargs
                    )
                if search_ctx is not None:
                    kwargs["callback_ctx"].call_on_fit_task_end(estimator=self)
                if key is None:
                    key = self._objective_key(results)
                scores = np.asarray(results[key][-len(batch) :], dtype=float)
                optimizer.tell(batch, scores)
                n_done += len(batch)
                n_batches += 1
                if self.verbose > 0:
                    self._print_progress(results[key], n_done, n_iter, start)
        if failures.n_fits and failures.n_failed == failures.n_fits:
            raise ValueError(
                f"All the {failures.n_fits} fits of the {n_done} candidates failed: "
                "no candidate could be scored. It is very likely that the estimator "
                "or the search space is misconfigured; set error_score='raise' to "
                f"see the first error.\n{failures.last_message}"
            )

        if key is not None and not np.isfinite(np.asarray(results[key], dtype=float)).all():
            n_bad = int((~np.isfinite(np.asarray(results[key], dtype=float))).sum())
            warnings.warn(
                f"{n_bad} of the {n_done} candidates have a non-finite mean test score "
                "(failed fits get error_score); the search went on without them.",
                UserWarning,
                stacklevel=5,
            )
        if search_ctx is not None:
            search_ctx.call_on_fit_task_end(estimator=self)
        self.optimizer_ = optimizer
        self.n_batches_ = n_batches
        self.batch_size_ = batch_size

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

    def _print_progress(self, scores, n_done, n_iter, start):
        elapsed = time.perf_counter() - start
        scores = np.asarray(scores, dtype=float)
        best = np.nanmax(scores) if np.isfinite(scores).any() else float("nan")
        eta = elapsed / n_done * (n_iter - n_done)
        print(
            f"[{type(self).__name__}] {n_done}/{n_iter} candidates, "
            f"best {best:.5g}, elapsed {elapsed:.1f}s, ETA {eta:.1f}s"
        )

