"""Callbacks that stop a search early.

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
    """The objective of this search's candidates so far (NaN = failed)."""
    y = np.asarray(search.optimizer_.y_, dtype=float)
    return y[getattr(search, "n_warm_start_", 0) :]


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
        y = _scores(search)
        best, since = -np.inf, 0
        for score in y:
            if np.isfinite(score) and score > best + self.min_delta:
                best, since = score, 0
            else:
                since += 1
        return since >= self.patience


class TargetScore(_StopCallback):
    """Stop as soon as a candidate reaches ``score`` (the refit metric's mean
    test score, higher is better).

    Parameters
    ----------
    score : float
        The score that is good enough.
    """

    def __init__(self, score):
        if isinstance(score, bool) or not isinstance(score, numbers.Real):
            raise ValueError(f"score must be a number, got {score!r}.")
        self.score = score

    def __call__(self, search):
        y = _scores(search)
        return bool(np.isfinite(y).any() and np.nanmax(y) >= self.score)
