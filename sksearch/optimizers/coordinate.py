"""Cyclic coordinate descent with batched line searches, as an ask/tell strategy."""

# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from ._base import Optimizer
from ._population_utils import rank_scores
from ._validation import check_int

__all__ = ["CoordinateDescentOptimizer"]

# A numeric line whose half-width falls below this is re-opened to _REOPEN:
# the encoding cannot resolve finer steps that matter.
_MIN_WIDTH = 1e-4
_REOPEN = 0.25


class CoordinateDescentOptimizer(Optimizer):
    """Cyclic coordinate search: one dimension at a time, from the incumbent.

    The incumbent is the best candidate told so far (at first the best of
    ``n_initial_points`` prior draws). The strategy cycles over the active
    columns of the incumbent and, for each, proposes a *line*: copies of the
    incumbent that differ in that column only, all handed out together so
    that a batch of workers evaluates several points of the same line at
    once.

    - **Numeric column** (zoom grid line search): the first line is a grid
      of ``n_points`` cell centres over the whole ``[0, 1]`` encoding (so a
      log prior is searched in log space); later lines place ``n_points``
      points symmetrically around the incumbent at up to ``h`` either side,
      where the half-width ``h`` starts at one grid cell and halves each
      time a line along that column did not improve on the incumbent. An
      integer with at most ``n_points + 1`` values is searched exhaustively.
    - **Categorical column**: every other choice (for a list of sub-spaces,
      column 0, so the sub-space itself is a coordinate).

    A line is built from the incumbent at the time it is needed, so results
    still pending do not stall the search; lines whose points were all seen
    are skipped, and when a whole cycle produces nothing new, prior draws
    fill the batch.

    Coordinate descent is the oldest of the direct search methods (Wright
    2015 surveys it; Hooke & Jeeves 1961 and the compass search of Kolda,
    Lewis & Torczon 2003 are close relatives). Departures: the line search
    is a batch grid rather than a sequential golden-section search (golden
    section evaluates one point at a time, which leaves workers idle), and a
    candidate is never evaluated twice. A failed evaluation (NaN) is the
    worst score. Cost per line: ``O(n_points * n_dims)``.

    Parameters
    ----------
    space : Space or dict or list of dict
        The search space.
    n_points : int >= 2, default=4
        Points per numeric line.
    n_initial_points : int >= 1, default=5
        Prior draws whose best is the first incumbent.
    random_state : None, int, numpy Generator or RandomState

    Attributes
    ----------
    widths_ : ndarray of shape (n_dims,)
        Current half-width of the line along each numeric column (NaN
        before its first line).
    n_lines_ : int
        Lines proposed so far.

    References
    ----------
    S. J. Wright, "Coordinate descent algorithms", Mathematical Programming
    151, 2015.
    R. Hooke and T. A. Jeeves, "Direct search solution of numerical and
    statistical problems", J. ACM 8(2), 1961.
    T. G. Kolda, R. M. Lewis and V. Torczon, "Optimization by direct search:
    new perspectives on some classical and modern methods", SIAM Review 45,
    2003.

    Examples
    --------
    >>> from sksearch.optimizers import CoordinateDescentOptimizer
    >>> from sksearch.space import Real
    >>> opt = CoordinateDescentOptimizer({"x": Real(-5, 5), "y": Real(-5, 5)},
    ...                                  random_state=0)
    >>> for _ in range(10):
    ...     batch = opt.ask(4)
    ...     opt.tell(batch, [-(c["x"] - 1) ** 2 - c["y"] ** 2 for c in batch])
    >>> abs(opt.best()[0]["x"] - 1) < 0.5
    True
    """

    def __init__(self, space, *, n_points=4, n_initial_points=5, random_state=None):
        super().__init__(space, random_state=random_state)
        self.n_points = check_int("n_points", n_points, 2)
        self.n_initial_points = check_int("n_initial_points", n_initial_points, 1)

        d = self.space.n_dims
        self.widths_ = np.full(d, np.nan)
        self.n_lines_ = 0
        self._improved = np.zeros(d, dtype=bool)  # did the last line along j improve?
        self._column = 0  # next column of the cycle
        self._queue = []  # points of the current line not yet handed out
        self._line_of = {}  # key -> (column, incumbent score when the line was built)
        self._initial_left = self.n_initial_points
        self._incumbent = None  # (vector, score) of the best told candidate

    # -- propose -------------------------------------------------------------
    def _propose(self, n):
        out, taken = [], set()
        while len(out) < n:
            while self._queue and len(out) < n:
                v = self._queue.pop(0)
                key = self.space.key(v)
                if key in self._seen or key in taken:
                    continue
                taken.add(key)
                out.append(v)
            if len(out) >= n:
                break
            if self._incumbent is None or self._initial_left > 0:
                # the first draws, or no result yet: prior draws
                m = n - len(out)
                if self._initial_left > 0:
                    m = min(m, self._initial_left)
                draws = self._sample_new(m, exclude=taken)
                self._initial_left = max(self._initial_left - len(draws), 0)
                out.extend(draws)
                if len(draws) == 0:
                    break
                continue
            if not self._next_line(taken):
                draws = self._sample_new(n - len(out), exclude=taken)
                out.extend(draws)
                break
        return np.array(out, dtype=float).reshape(-1, self.space.n_dims)

    def _next_line(self, taken):
        """Queue the next non-empty line; False after a whole cycle of empty ones."""
        x, score = self._incumbent
        active = self.space.active_mask(x)
        for _ in range(self.space.n_dims):
            j = self._column
            self._column = (j + 1) % self.space.n_dims
            if not active[j]:
                continue
            points = []
            for value in self._line_values(x, j):
                v = x.copy()
                v[j] = value
                found = self._new_or_none(v, taken | {self.space.key(p) for p in points})
                if found is not None:
                    points.append(found[0])
            if points:
                self.n_lines_ += 1
                for p in points:
                    self._line_of[self.space.key(p)] = (j, score)
                self._queue.extend(points)
                return True
        return False

    def _line_values(self, x, j):
        """Values of column ``j`` to try on a line through ``x``."""
        space = self.space
        dim = space.columns[j][2]
        if dim.is_categorical:
            current = int(round(x[j]))
            return [float(c) for c in range(dim.n_values) if c != current]
        if dim.kind == "integer" and dim.n_values is not None and dim.n_values <= self.n_points + 1:
            low, high = dim.inverse_transform(0.0), dim.inverse_transform(1.0)
            return [dim.transform(value) for value in range(low, high + 1)]
        h = self.widths_[j]
        if np.isnan(h):  # first line: a grid over the whole range
            self.widths_[j] = 1.0 / self.n_points
            return list((np.arange(self.n_points) + 0.5) / self.n_points)
        if not self._improved[j]:
            h *= 0.5
        if h < _MIN_WIDTH:
            h = _REOPEN
        self.widths_[j] = h
        self._improved[j] = False
        m = math.ceil(self.n_points / 2)
        steps = h * np.arange(1, m + 1) / m
        offsets = np.ravel(np.column_stack([steps, -steps]))[: self.n_points]
        return list(np.clip(x[j] + offsets, 0.0, 1.0))

    # -- observe -------------------------------------------------------------
    def _observe(self, X, y):
        for v, s in zip(X, rank_scores(y)):
            line = self._line_of.pop(self.space.key(v), None)
            if line is not None and s > line[1]:
                self._improved[line[0]] = True
            if self._incumbent is None or s > self._incumbent[1]:
                self._incumbent = (np.array(v, dtype=float), float(s))
