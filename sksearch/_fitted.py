"""The fitted search, built from a run's evaluations.

What ``BaseSearchCV.fit`` does after its searches' ``evaluate_candidates``
calls, done on the loop's evaluations (journal replay included) instead:
``cv_results_`` by sklearn's own formatting, ``multimetric_``, ``best_*``
by the search class's ``_select_best_index``, the refit (with its callback
subtask on sklearn >= 1.9), ``scorer_`` and ``n_splits_``, so that these,
multi-metric scoring, ``error_score`` and metadata routing behave as in
``GridSearchCV``. Nothing is fitted here but the refit.
"""

# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings

from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning

from ._compat import (
    _insert_error_scores,
    _warn_or_raise_about_fit_failures,
    check_refit_for_multimetric,
    format_results,
    refit_callback_scope,
    select_best_index,
)
from ._objectives import choose_refit_index, cost_columns, front_and_ranks, results_matrix

__all__ = ["build_fitted", "report"]


def build_fitted(search, run, search_ctx, *, what="candidates"):
    """Set the fitted attributes of ``search`` from ``run`` and refit."""
    evaluations = run.evaluations
    out = evaluations.out
    if callable(search.scoring):
        _insert_error_scores(out, search.error_score)
    _check_failures(search, evaluations, what)
    if evaluations.n_failed:  # sklearn's FitFailedWarning, once for the search
        _warn_or_raise_about_fit_failures(out, search.error_score)
    # sklearn warns here about non-finite mean scores, as GridSearchCV does
    results = format_results(search, evaluations.params, run.n_splits, out, evaluations.more)
    if search_ctx is not None:
        search_ctx.call_on_fit_task_end(estimator=search)

    objectives = getattr(run, "objectives", None)
    if objectives:
        _choose_from_front(search, results, out, run.n_splits, objectives)
    else:
        _choose_best(search, results, out[0]["test_scores"], run.refit_metric)
    if search.refit:
        # the parameters are cloned too: they may be estimators (a searched step)
        search.best_estimator_ = clone(run.base).set_params(
            **clone(search.best_params_, safe=False)
        )
        fit_params = run.routed.estimator.fit
        with refit_callback_scope(search, run.callback_root, run.X, run.y, run.metadata):
            start = time.time()
            if run.y is not None:
                search.best_estimator_.fit(run.X, run.y, **fit_params)
            else:
                search.best_estimator_.fit(run.X, **fit_params)
            search.refit_time_ = time.time() - start
        if hasattr(search.best_estimator_, "feature_names_in_"):
            search.feature_names_in_ = search.best_estimator_.feature_names_in_
    search.scorer_ = run.scorer_
    search.cv_results_ = results
    search.n_splits_ = run.n_splits
    run.callback_root.call_on_fit_task_end(
        estimator=search, X=run.X, y=run.y, metadata=run.metadata
    )
    return search


def report(search, evaluations, n_splits, refit_metric="score"):
    """Set ``cv_results_``, ``multimetric_`` and ``best_*`` of ``search`` from
    ``evaluations`` (the rows of a search that refits by itself, as one-shot
    NAS does), as :func:`build_fitted` sets them; nothing is fitted."""
    results = format_results(
        search, evaluations.params, n_splits, evaluations.out, evaluations.more
    )
    _choose_best(search, results, evaluations.out[0]["test_scores"], refit_metric)
    search.cv_results_ = results
    return results


def _choose_best(search, results, first, refit_metric):
    """``multimetric_`` and ``best_index_``, ``best_score_``, ``best_params_``
    by the search class's ``_select_best_index``, as ``BaseSearchCV.fit``."""
    search.multimetric_ = isinstance(first, dict)
    if callable(search.scoring) and search.multimetric_:
        check_refit_for_multimetric(search, first)
        refit_metric = search.refit
    if search.refit or not search.multimetric_:
        search.best_index_ = select_best_index(search, refit_metric, results)
        if not callable(search.refit):
            search.best_score_ = results[f"mean_test_{refit_metric}"][search.best_index_]
        search.best_params_ = results["params"][search.best_index_]


def _choose_from_front(search, results, out, n_splits, objectives):
    """With several objectives: the measured costs' columns, ``pareto_rank``,
    ``pareto_front_``, ``objectives_``, and the row ``refit`` chooses from the
    front (``best_*``; ``best_score_``: the mean test score of the scorer
    ``refit`` names, else of the first scorer among the objectives)."""
    search.multimetric_ = isinstance(out[0]["test_scores"], dict)
    cost_columns(results, out, n_splits, objectives)
    front, ranks = front_and_ranks(results_matrix(results, objectives))
    results["pareto_rank"] = ranks
    search.pareto_front_ = front
    search.objectives_ = {o.name: o.direction for o in objectives}
    if not search.refit:
        return
    search.best_index_ = choose_refit_index(search.refit, results, objectives, front)
    search.best_params_ = results["params"][search.best_index_]
    if callable(search.refit):
        return
    costs = {o.name for o in objectives if o.is_cost}
    names = [search.refit] if isinstance(search.refit, str) and search.refit not in costs else []
    names += [o.name for o in objectives if not o.is_cost]
    if names:
        column = f"mean_test_{names[0]}" if search.multimetric_ else "mean_test_score"
        search.best_score_ = results[column][search.best_index_]


def _check_failures(search, evaluations, what):
    """Raise if every fit of the search failed."""
    if evaluations.n_fits and evaluations.n_failed == evaluations.n_fits:
        warnings.warn(
            f"All the {evaluations.n_fits} fits failed (scored as {search.error_score}).",
            FitFailedWarning,
            stacklevel=5,
        )
        raise ValueError(
            f"All the {evaluations.n_fits} fits of the {len(evaluations)} {what} failed: "
            "no candidate could be scored. It is very likely that the estimator "
            "or the search space is misconfigured; set error_score='raise' to "
            f"see the first error.\n{evaluations.last_message}"
        )
