"""Everything sksearch takes from scikit-learn's private modules, in one place.

scikit-learn keeps its parameter validation, ``_fit_context`` and the search
internals private; a change there should be one edit here, not twenty.
"""

# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import contextvars
import inspect
import threading
import warnings

from sklearn.base import _fit_context  # noqa: F401  (re-exported)
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import _search as _sk_search
from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._validation import _insert_error_scores  # noqa: F401
from sklearn.model_selection._search_successive_halving import (  # noqa: F401
    _SubsampleMetaSplitter,
)
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
    "deferred_fit_failure_check",
    "original_fit_and_score",
    "register_fit_and_score",
    "search_scope",
]

# sklearn >= 1.9 passes a callback context to ``_run_search`` and accepts one
# in ``evaluate_candidates`` (``search.set_callbacks(ProgressBar())``).
SKLEARN_HAS_CALLBACKS = "callback_ctx" in inspect.signature(BaseSearchCV._run_search).parameters


# --- failed fits ------------------------------------------------------------
#
# ``BaseSearchCV.fit``'s ``evaluate_candidates`` raises "All the N fits
# failed" when every fit of *one call* failed. GridSearchCV calls it once, so
# that means the whole search failed; a sequential search calls it once per
# batch, and a batch of one candidate whose fits fail would kill the search.
# While an sksearch driver runs, the check is deferred: a batch whose fits all
# failed only warns (FitFailedWarning, as a partial failure does in sklearn),
# failures are counted, and the driver raises at the end only if every fit of
# the whole search failed. Outside an sksearch search the function behaves
# exactly as sklearn's.

_FAILURES = contextvars.ContextVar("sksearch_fit_failures", default=None)


class _FailureLog:
    def __init__(self):
        self.n_fits = 0
        self.n_failed = 0
        self.last_message = ""


def _deferred_check(results, error_score):
    log = _FAILURES.get()
    if log is None:
        return original_check(results, error_score)
    n_failed = sum(r["fit_error"] is not None for r in results)
    log.n_fits += len(results)
    log.n_failed += n_failed
    try:
        original_check(results, error_score)
    except ValueError as exc:  # this batch failed entirely: not the search
        log.last_message = str(exc)
        warnings.warn(
            f"\nAll the {len(results)} fits of this batch failed; the search goes on "
            f"and scores them as {error_score}.{str(exc).split('fits failed.', 1)[-1]}",
            FitFailedWarning,
            stacklevel=2,
        )


# sklearn's evaluate_candidates looks ``_fit_and_score`` and
# ``_warn_or_raise_about_fit_failures`` up in its module at every call, and
# joblib sends the function it finds to the workers by reference (so loky and
# Dask workers import the wrapper's module and call it directly). The
# replacements are installed only while at least one sksearch search is
# fitting (``search_scope``) and the originals are put back when the last one
# ends: outside a running sksearch search, sklearn is sklearn. While they are
# installed, each wrapper passes every call that is not its own search's to
# sklearn's function unchanged (``_deferred_check`` reads a context variable
# set in the search's thread; the continuation wrapper acts only on jobs that
# carry its private entry), so a GridSearchCV running in another thread at
# the same time behaves exactly as sklearn's.
# the originals are kept on sklearn's module, so that reloading this module
# while a search runs cannot take a replacement for the original
if not hasattr(_sk_search, "_sksearch_originals"):
    _sk_search._sksearch_originals = (
        _sk_search._warn_or_raise_about_fit_failures,
        _sk_search._fit_and_score,
    )
original_check, original_fit_and_score = _sk_search._sksearch_originals
_FIT_AND_SCORE_WRAPPER = None
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
    inner = _FIT_AND_SCORE_WRAPPER or original_fit_and_score
    return inner(*args, parameters=parameters, split_progress=split_progress, **kwargs)


def get_scorers(search):
    """The scorer(s) sklearn's ``fit`` gives ``_fit_and_score`` (a callable,
    or a ``_MultimetricScorer``)."""
    try:
        scorers, _ = search._get_scorers()
    except TypeError:  # sklearn 1.4: _get_scorers(convert_multimetric)
        scorers, _ = search._get_scorers(convert_multimetric=True)
    return scorers


def register_fit_and_score(wrapper):
    """Name the ``_fit_and_score`` that sklearn's searches call while an
    sksearch search runs (Hyperband's continuation from rung to rung)."""
    global _FIT_AND_SCORE_WRAPPER
    _FIT_AND_SCORE_WRAPPER = wrapper


@contextlib.contextmanager
def search_scope():
    """Install sksearch's replacements in sklearn's search module for the
    duration of one search's ``fit`` (re-entrant and thread-safe)."""
    global _SCOPE_DEPTH
    with _SCOPE_LOCK:
        if _SCOPE_DEPTH == 0:
            _sk_search._warn_or_raise_about_fit_failures = _deferred_check
            _sk_search._fit_and_score = _scoped_fit_and_score
        _SCOPE_DEPTH += 1
    try:
        yield
    finally:
        with _SCOPE_LOCK:
            _SCOPE_DEPTH -= 1
            if _SCOPE_DEPTH == 0:
                _sk_search._warn_or_raise_about_fit_failures = original_check
                _sk_search._fit_and_score = original_fit_and_score


@contextlib.contextmanager
def deferred_fit_failure_check():
    """Defer sklearn's all-fits-failed check to the end of a search.

    Yields the log of fits and failures; the caller decides what to raise.
    """
    log = _FailureLog()
    token = _FAILURES.set(log)
    try:
        yield log
    finally:
        _FAILURES.reset(token)
