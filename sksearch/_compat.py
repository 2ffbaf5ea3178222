"""Everything sksearch takes from scikit-learn's private modules, in one place.

scikit-learn keeps its parameter validation, ``_fit_context`` and the search
internals private; a change there should be one edit here, not twenty.
"""

# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import inspect
import threading

from sklearn.base import _fit_context  # noqa: F401  (re-exported)
from sklearn.model_selection import _search as _sk_search
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._search_successive_halving import (  # noqa: F401
    _SubsampleMetaSplitter,
)
from sklearn.model_selection._validation import _insert_error_scores  # noqa: F401
from sklearn.utils._param_validation import (  # noqa: F401  (re-exported)
    HasMethods,
    Hidden,
    Interval,
    Options,
    StrOptions,
)

__all__ = [
    "BaseSearchCV",
    "HasMethods",
    "Hidden",
    "Interval",
    "Options",
    "SKLEARN_HAS_CALLBACKS",
    "StrOptions",
    "_SubsampleMetaSplitter",
    "_fit_context",
    "_insert_error_scores",
    "Precomputed",
    "get_scorers",
    "has_callbacks",
    "original_fit_and_score",
    "search_scope",
]

# sklearn >= 1.9 passes a callback context to ``_run_search`` and accepts one
# in ``evaluate_candidates`` (``search.set_callbacks(ProgressBar())``).
SKLEARN_HAS_CALLBACKS = "callback_ctx" in inspect.signature(BaseSearchCV._run_search).parameters


# --- the one replacement in sklearn, scoped to a running search -------------
#
# The sksearch loop runs its fit-and-score jobs itself (sklearn's
# ``_fit_and_score``, called directly, on the loop's own joblib workers).
# sklearn's ``BaseSearchCV.fit`` still needs one ``evaluate_candidates`` call to
# build the fitted search (cv_results_, best_*, refit, callbacks); that call is
# given one :class:`Precomputed` candidate, whose stored results
# ``_scoped_fit_and_score`` returns instead of fitting. sklearn looks
# ``_fit_and_score`` up in its module at every call, so the replacement is
# installed only while at least one sksearch search is fitting
# (``search_scope``) and the original is put back when the last one ends:
# outside a running sksearch search, sklearn is sklearn. While it is
# installed, every call that is not given a Precomputed candidate (a
# GridSearchCV in another thread at the same time) goes to sklearn's function
# unchanged.
#
# The originals are kept on sklearn's module, so that reloading this module
# while a search runs cannot take a replacement for the original.
if not hasattr(_sk_search, "_sksearch_originals"):
    _sk_search._sksearch_originals = (
        _sk_search._warn_or_raise_about_fit_failures,
        _sk_search._fit_and_score,
    )
original_check, original_fit_and_score = _sk_search._sksearch_originals
_SCOPE_LOCK = threading.Lock()
_SCOPE_DEPTH = 0


class Precomputed(dict):
    """A candidate's parameters that carry its already computed per-fold
    results (``outs``, in fold order).

    The sksearch driver runs its fit-and-score jobs itself; sklearn's
    ``BaseSearchCV.fit`` still needs one ``evaluate_candidates`` call to build
    the fitted search. That call is given one such candidate, and while a
    search runs, sklearn's ``_fit_and_score`` returns its stored results
    instead of fitting again.
    """

    def __init__(self, parameters, outs):
        super().__init__(parameters)
        self.outs = list(outs)


def _scoped_fit_and_score(*args, parameters=None, split_progress=None, **kwargs):
    if isinstance(parameters, Precomputed):
        return dict(parameters.outs[split_progress[0]])
    return original_fit_and_score(
        *args, parameters=parameters, split_progress=split_progress, **kwargs
    )


def has_callbacks(ctx):
    """Whether a sklearn callback context has callbacks to call (sklearn >= 1.9
    makes one for every fit, most with none)."""
    return ctx is not None and bool(getattr(ctx, "_callbacks", True))


def get_scorers(search):
    """The scorer(s) sklearn's ``fit`` gives ``_fit_and_score`` (a callable,
    or a ``_MultimetricScorer``)."""
    try:
        scorers, _ = search._get_scorers()
    except TypeError:  # sklearn 1.4: _get_scorers(convert_multimetric)
        scorers, _ = search._get_scorers(convert_multimetric=True)
    return scorers


@contextlib.contextmanager
def search_scope():
    """Install sksearch's replacement in sklearn's search module for the
    duration of one search's ``fit`` (re-entrant and thread-safe)."""
    global _SCOPE_DEPTH
    with _SCOPE_LOCK:
        if _SCOPE_DEPTH == 0:
            _sk_search._fit_and_score = _scoped_fit_and_score
        _SCOPE_DEPTH += 1
    try:
        yield
    finally:
        with _SCOPE_LOCK:
            _SCOPE_DEPTH -= 1
            if _SCOPE_DEPTH == 0:
                _sk_search._fit_and_score = original_fit_and_score
