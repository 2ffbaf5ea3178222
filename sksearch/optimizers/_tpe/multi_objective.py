"""The good/bad split of multi-objective TPE (MOTPE).

Ozaki et al. (2020, "Multiobjective tree-structured Parzen estimator for
computationally expensive optimization problems"; 2022, JAIR) replace "the
best ``gamma(n)`` scores" of TPE by "the ``gamma(n)`` best by Pareto
dominance": whole non-domination ranks are taken while they fit, and the rank
that does not fit whole is cut by greedy hypervolume subset selection (the
points that add the most hypervolume to those already chosen, one at a time;
Guerreiro et al. 2016 show the greedy choice is a ``1 - 1/e``
approximation), as Optuna's ``TPESampler`` does for several objectives.

Departure from Optuna: the reference point of the tie-break is the rank's
worst value of each objective less a tenth of its range (Optuna's is 10 % of
the worst value's magnitude beyond it, which depends on where the
objectives' zero is).
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from ..._pareto import hypervolume, pareto_ranks

__all__ = ["split_good"]


def split_good(Y, n_good):
    """Mask of the ``n_good`` rows of ``Y`` (shape ``(n, k)``, maximised; a
    row with a NaN never good) that are best by Pareto dominance."""
    Y = np.asarray(Y, dtype=float)
    finite = np.flatnonzero(np.isfinite(Y).all(axis=1))
    good = np.zeros(len(Y), dtype=bool)
    n_good = min(int(n_good), finite.size)
    if n_good <= 0:
        return good
    ranks = pareto_ranks(Y[finite])
    for r in range(ranks.max() + 1):
        members = finite[ranks == r]
        room = n_good - int(good.sum())
        if members.size <= room:
            good[members] = True
            if members.size == room:
                break
            continue
        good[_greedy_hssp(Y[members], room, members)] = True
        break
    return good


def _greedy_hssp(P, size, index):
    """``index`` of ``size`` rows of ``P`` chosen greedily by hypervolume."""
    span = P.max(axis=0) - P.min(axis=0)
    ref = P.min(axis=0) - 0.1 * span - 1e-12
    _, first = np.unique(P, axis=0, return_index=True)
    unique = np.sort(first)
    if unique.size <= size:  # every distinct point, then duplicates in order
        rest = [i for i in range(len(P)) if i not in set(unique.tolist())]
        return index[np.concatenate([unique, rest[: size - unique.size]]).astype(int)]
    chosen, left = [], list(unique)
    base = 0.0
    for _ in range(size):
        gains = [hypervolume(P[chosen + [i]], ref) - base for i in left]
        best = int(np.argmax(gains))
        base += gains[best]
        chosen.append(left.pop(best))
    return index[np.array(chosen, dtype=int)]
