"""Everything sksearch takes from scikit-learn's private modules, in one place.

scikit-learn keeps its parameter validation, ``_fit_context``, the search's
fit-and-score function and results formatting private; a change there should
be one edit here, not twenty. sksearch reads these names and calls them; it
never writes to a scikit-learn module or replaces anything in one.

Tested on scikit-learn 1.4.2 (the oldest supported, ``pyproject.toml``) and
1.9.1 (the newest). Each name below says where its signature differs between
them.
"""

# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import inspect

from sklearn.base import _fit_context  # noqa: F401  (re-exported; 1.3+)
from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection._search import BaseSearchCV as _SklearnBaseSearchCV
from sklearn.model_selection._search_successive_halving import (  # noqa: F401
    _SubsampleMetaSplitter,  # (base_cv, fraction, subsample_test, random_state): 1.4-1.9
)
from sklearn.model_selection._validation import (  # noqa: F401
    _fit_and_score,  # 1.9 adds caller= and callback_ctx=, passed only there
    _insert_error_scores,
    _warn_or_raise_about_fit_failures,
)
from sklearn.utils._param_validation import (  # noqa: F401  (re-exported)
    HasMethods,
    Hidden,
    Interval,
    Options,
    StrOptions,
)
from sklearn.utils.validation import _check_method_params, _num_samples  # noqa: F401

from ._objectives import is_several


class BaseSearchCV(_SklearnBaseSearchCV):
    """sklearn's ``BaseSearchCV`` (1.4-1.9), whose ``refit`` may also choose
    from the Pareto front of a search with several objectives: ``True`` or an
    objective's name, which sklearn's multi-metric check
    (``_check_refit_for_multimetric``, called by ``_get_scorers`` in ``fit``
    and metadata routing) refuses; sksearch checks it in its own ``fit``."""

    def _check_refit_for_multimetric(self, scores):
        if is_several(getattr(self, "objective", None)):
            return
        super()._check_refit_for_multimetric(scores)

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Hidden",
    "Interval",
    "Options",
    "SKLEARN_HAS_CALLBACKS",
    "StrOptions",
    "_SubsampleMetaSplitter",
    "_check_method_params",
    "_fit_and_score",
    "_fit_context",
    "_insert_error_scores",
    "_num_samples",
    "_warn_or_raise_about_fit_failures",
    "callback_root",
    "check_refit_for_multimetric",
    "format_results",
    "get_scorers",
    "has_callbacks",
    "refit_callback_scope",
    "routed_params",
    "search_callback_context",
    "select_best_index",
]

# sklearn >= 1.9 has callbacks (``search.set_callbacks(ProgressBar())``): a
# root callback context per fit, and ``caller`` / ``callback_ctx`` keywords of
# ``_fit_and_score``.
SKLEARN_HAS_CALLBACKS = "callback_ctx" in inspect.signature(_fit_and_score).parameters


def has_callbacks(ctx):
    """Whether a sklearn callback context has callbacks to call (sklearn >= 1.9
    makes one for every fit, most with none; its list is private)."""
    return ctx is not None and bool(getattr(ctx, "_callbacks", True))


def get_scorers(search):
    """``(scorer for the fit-and-score jobs, scorer_ of the fitted search,
    refit metric)``, as ``BaseSearchCV.fit`` makes them: a callable, or a
    ``_MultimetricScorer`` for the jobs and its dict of scorers for
    ``scorer_``."""
    try:
        scorers, refit_metric = search._get_scorers()
    except TypeError:  # older sklearn (1.4 tested): _get_scorers(convert_multimetric)
        scorers, refit_metric = search._get_scorers(convert_multimetric=True)
    shown = scorers._scorers if isinstance(scorers, _MultimetricScorer) else scorers
    return scorers, shown, refit_metric


def routed_params(search, params):
    """The routed fit, score and split parameters of ``search.fit(X, y, **params)``
    (``BaseSearchCV._get_routed_params_for_fit``, 1.4-1.9)."""
    return search._get_routed_params_for_fit(params)


def format_results(search, candidate_params, n_splits, out, more_results):
    """``cv_results_`` from per-fold results, as GridSearchCV builds them
    (``BaseSearchCV._format_results``, same signature 1.0-1.9)."""
    return BaseSearchCV._format_results(search, candidate_params, n_splits, out, more_results)


def check_refit_for_multimetric(search, scores):
    """Raise as sklearn does if ``refit`` cannot choose among several metrics
    (``BaseSearchCV._check_refit_for_multimetric``, 1.0-1.9)."""
    search._check_refit_for_multimetric(scores)


def select_best_index(search, refit_metric, results):
    """``best_index_`` (the search class's ``_select_best_index``, a
    staticmethod of ``BaseSearchCV`` 1.1-1.9)."""
    return type(search)._select_best_index(search.refit, refit_metric, results)


class _NoContext:
    """Where sklearn has no callbacks (< 1.9): a context that does nothing."""

    def call_on_fit_task_begin(self, **kwargs):
        return self

    def call_on_fit_task_end(self, **kwargs):
        return False

    def subcontext(self, **kwargs):
        return self

    @contextlib.contextmanager
    def propagate_callback_context(self, estimator):
        yield


_NO_CONTEXT = _NoContext()


def callback_root(search, X, y, metadata, *, refit):
    """The root callback context of one fit, begun (sklearn >= 1.9; it must
    run inside ``_fit_context``, which tears the callbacks down), or a context
    that does nothing. Its first subtask is the search, the second the refit."""
    if not SKLEARN_HAS_CALLBACKS:
        return _NO_CONTEXT
    ctx = search._init_callback_context(max_subtasks=1 + bool(refit))
    return ctx.call_on_fit_task_begin(estimator=search, X=X, y=y, metadata=metadata)


def search_callback_context(root):
    """The context the search's loop reports to (None where no callback listens)."""
    if not SKLEARN_HAS_CALLBACKS:
        return None
    return root if has_callbacks(root) else None


@contextlib.contextmanager
def refit_callback_scope(search, root, X, y, metadata):
    """Around the refit: its callback subtask (sklearn >= 1.9), as ``BaseSearchCV.fit``."""
    sub = root.subcontext(task_name="refit-with-best-params")
    with sub.propagate_callback_context(search.best_estimator_):
        sub.call_on_fit_task_begin(estimator=search, X=X, y=y, metadata=metadata)
        yield
    sub.call_on_fit_task_end(estimator=search, X=X, y=y, metadata=metadata)
