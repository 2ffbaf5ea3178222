"""Callbacks that stop a search early.

With several objectives (``objective=[...]``) a search has no best score:
:class:`EarlyStopping` then counts the candidates since the Pareto front last
gained one, and :class:`TargetScore` asks for one target per objective.

Each is a plain callable for the ``callbacks=`` parameter of every sksearch
``*SearchCV`` (``callback(search) -> bool``, called after every batch, True
stops the search) and also a scikit-learn callback (sklearn >= 1.9), usable as
``search.set_callbacks(EarlyStopping(20))``: its ``on_fit_task_end`` hook
returns True at the end of a batch when the search should stop.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numbers

import numpy as np

__all__ = ["EarlyStopping", "TargetScore"]


def _scores(search):
    """The objective of this search's candidates so far (NaN = failed); with
    several objectives, one row of them per candidate (higher is better)."""
    y = np.asarray(search.optimizer_.y_, dtype=float)
    return y[getattr(search, "n_warm_start_", 0) :]


def _improved(y, min_delta):
    """Whether each candidate improved on those before it: a best score
    beaten by more than ``min_delta``, or (several objectives) a row that
    no earlier row dominates or equals, bettering each non-dominated earlier
    row by more than ``min_delta`` in some objective."""
    if y.ndim == 1:
        best, out = -np.inf, []
        for score in y:
            better = bool(np.isfinite(score) and score > best + min_delta)
            best = score if better else best
            out.append(better)
        return out
    out = []
    for i, row in enumerate(y):
        if not np.isfinite(row).all():
            out.append(False)
            continue
        before = y[:i][np.isfinite(y[:i]).all(axis=1)]
        out.append(not np.any(np.all(before + min_delta >= row, axis=1)))
    return out


class _StopCallback:
    # scikit-learn's callback protocol (sklearn.callback.FitCallback)
    def setup(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        return context.task_name == "search-batch" and bool(self(estimator))

    def teardown(self, estimator, context):
        pass

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class EarlyStopping(_StopCallback):
    """Stop when the best score has not improved for ``patience`` candidates.

    With several objectives: when the Pareto front has gained no candidate
    (one better than every earlier one in some objective by more than
    ``min_delta``) for ``patience`` candidates.

    Parameters
    ----------
    patience : int, default=20
        Number of candidates in a row without an improvement of more than
        ``min_delta`` after which the search stops.
    min_delta : float, default=0.0
        Smallest gain that counts as an improvement.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import TPESearchCV
    >>> from sksearch.callbacks import EarlyStopping
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = TPESearchCV(SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=200, cv=3,
    ...                      callbacks=[EarlyStopping(patience=5)], random_state=0)
    >>> search.fit(X, y).stop_reason_
    'callback'
    """

    def __init__(self, patience=20, min_delta=0.0):
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got {patience!r}.")
        if not isinstance(min_delta, numbers.Real) or not min_delta >= 0:
            raise ValueError(f"min_delta must be a number >= 0, got {min_delta!r}.")
        self.patience = patience
        self.min_delta = min_delta

    def __call__(self, search):
        since = 0
        for better in _improved(_scores(search), self.min_delta):
            since = 0 if better else since + 1
        return since >= self.patience


class TargetScore(_StopCallback):
    """Stop as soon as a candidate reaches ``score`` (the refit metric's mean
    test score, higher is better).

    Parameters
    ----------
    score : float or sequence of float
        The score that is good enough. With several objectives, one value per
        objective, in the order of ``objective`` (a cost's value as measured,
        e.g. seconds): the search stops when one candidate reaches all of them.
    """

    def __init__(self, score):
        several = isinstance(score, (list, tuple, np.ndarray))
        values = list(score) if several else [score]
        if not values or any(
            isinstance(v, bool) or not isinstance(v, numbers.Real) for v in values
        ):
            raise ValueError(
                f"score must be a number (a sequence of numbers with several "
                f"objectives), got {score!r}."
            )
        self.score = score

    def __call__(self, search):
        y = _scores(search)
        target = np.asarray(self.score, dtype=float)
        if y.ndim == 2:
            from ._objectives import resolve_objectives

            objectives = resolve_objectives(search.objective, search.scoring)
            if target.shape != (len(objectives),):
                raise ValueError(
                    f"TargetScore(score={self.score!r}): the search has "
                    f"{len(objectives)} objectives {[o.name for o in objectives]!r}; "
                    "give one target per objective."
                )
            target = target * np.array([o.sign for o in objectives])
            return bool(np.any(np.all(y >= target, axis=1)))
        if target.ndim:
            raise ValueError(
                f"TargetScore(score={self.score!r}): the search has one objective; "
                "give one number."
            )
        return bool(np.isfinite(y).any() and np.nanmax(y) >= self.score)
