"""Pareto dominance and hypervolume, for searches with several objectives.

Every objective is **maximised** here (as scikit-learn's scorers are); the
driver turns a cost such as fit time into its negative before it gets here.
A row with a NaN (a failed evaluation) counts as the worst in every
objective: it dominates nothing and every other row dominates it.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

__all__ = ["dominates", "hypervolume", "non_dominated", "pareto_ranks"]


def _as_matrix(Y):
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim != 2:
        raise ValueError(f"Y must be an array of shape (n, n_objectives), got shape {Y.shape}.")
    # a failed row is the worst there is, in every objective
    return np.where(np.isnan(Y).any(axis=1, keepdims=True), -np.inf, Y)


def dominates(a, b):
    """Whether ``a`` Pareto-dominates ``b`` (maximisation): at least as good
    on every objective and better on one."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(a >= b) and np.any(a > b))


def non_dominated(Y):
    """Boolean mask of the rows of ``Y`` (shape ``(n, k)``) that no other row
    dominates. Equal rows are all kept; a row with a NaN is kept only if
    every row has one."""
    Y = _as_matrix(Y)
    n = len(Y)
    keep = np.ones(n, dtype=bool)
    finite = np.all(np.isfinite(Y), axis=1)
    if finite.any():
        keep &= finite
    if Y.shape[1] == 2 and finite.all():
        return _non_dominated_2d(Y)
    # O(n^2 k), vectorised per row: the fronts of a search are at most a few
    # thousand rows
    for i in np.flatnonzero(keep):
        others = Y[keep]
        ge = np.all(others >= Y[i], axis=1)
        gt = np.any(others > Y[i], axis=1)
        if np.any(ge & gt):
            keep[i] = False
    return keep


def _non_dominated_2d(Y):
    """The same mask for two objectives by one sort (``O(n log n)``; the
    pairwise test takes minutes on a table of 30 000 rows): a row is kept
    when it is the best of its value of the first objective and beats every
    row with a larger first objective on the second."""
    x, y = Y[:, 0], Y[:, 1]
    order = np.lexsort((-y, -x))  # first objective down, ties second down
    xs, ys = x[order], y[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    group = np.cumsum(np.r_[True, xs[1:] != xs[:-1]]) - 1
    group_best = ys[starts]  # each group's largest second objective
    # the largest second objective among strictly larger first objectives
    before = np.r_[-np.inf, np.maximum.accumulate(group_best)[:-1]]
    keep = np.empty(len(Y), dtype=bool)
    keep[order] = (ys == group_best[group]) & (ys > before[group])
    return keep


def pareto_ranks(Y):
    """Non-dominated sorting (Deb et al. 2002): rank 0 for the Pareto front,
    1 for the front of what is left, and so on."""
    Y = _as_matrix(Y)
    ranks = np.full(len(Y), -1, dtype=int)
    left = np.arange(len(Y))
    r = 0
    while left.size:
        front = non_dominated(Y[left])
        if not front.any():  # only NaN rows left
            front[:] = True
        ranks[left[front]] = r
        left = left[~front]
        r += 1
    return ranks


def hypervolume(Y, reference):
    """The volume dominated by the rows of ``Y`` and bounded below by
    ``reference`` (maximisation). Rows that do not strictly dominate the
    reference point add nothing.

    Exact: a sweep for two objectives (``O(n log n)``, fast enough for a
    whole table of 30 000 rows), slicing along the
    last objective for more (``O(n^(k-1) log n)``, ample for the few hundred
    evaluations of a search).
    """
    Y = _as_matrix(Y)
    ref = np.asarray(reference, dtype=float).ravel()
    if ref.shape[0] != Y.shape[1]:
        raise ValueError(
            f"reference must have one value per objective ({Y.shape[1]}), got {ref.shape[0]}."
        )
    Y = Y[np.all(Y > ref, axis=1)]
    if not len(Y):
        return 0.0
    if Y.shape[1] == 2:  # the sweep passes over dominated rows by itself
        return float(_hv(Y - ref))
    Y = Y[non_dominated(Y)] - ref
    return float(_hv(np.unique(Y, axis=0)))


def _hv(P):
    """Hypervolume of points ``P > 0`` against the origin."""
    k = P.shape[1]
    if k == 1:
        return P[:, 0].max()
    if k == 2:
        P = P[np.lexsort((-P[:, 1], -P[:, 0]))]
        best_y, vol = 0.0, 0.0
        for x, y in P:
            if y > best_y:
                vol += x * (y - best_y)
                best_y = y
        return vol
    # slices between consecutive values of the last objective
    order = np.argsort(-P[:, -1])
    P = P[order]
    vol = 0.0
    for i in range(len(P)):
        upper = P[i, -1]
        lower = P[i + 1, -1] if i + 1 < len(P) else 0.0
        if upper > lower:
            head = P[: i + 1, :-1]
            vol += (upper - lower) * _hv(head[non_dominated(head)])
    return vol
