"""Helpers shared by the population and local-search strategies.

Genetic, PSO, annealing and coordinate descent all need the same small
pieces: NaN scores ranked as the worst outcome, a default population size tied to the budget and the
number of workers, and turning proposed vectors into *new, distinct*
candidates (snapped to the canonical encoding, never seen before, never twice
in one batch), with prior draws to fill a batch when a strategy runs short.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

__all__ = []


def rank_scores(y):
    """Scores for ranking: NaN (a failed fit) becomes ``-inf``, the worst."""
    y = np.asarray(y, dtype=float)
    return np.where(np.isnan(y), -np.inf, y)


def default_group_size(n_iter, n_workers, *, minimum=5, fallback=10):
    """Population / swarm size: about ``sqrt(n_iter)`` (so that there are
    about as many generations as individuals), at least ``minimum``, rounded
    up to a multiple of ``n_workers`` so that a generation is whole parallel
    batches, and at most ``n_iter`` when that is still a multiple.
    """
    n_workers = max(int(n_workers), 1)
    base = fallback if n_iter is None else max(minimum, math.ceil(math.sqrt(n_iter)))
    size = n_workers * math.ceil(base / n_workers)
    return max(size, 2)


def perturb_until_new(opt, vector, taken, rng, *, scale=0.05, tries=8):
    """Gaussian jitter of the active numeric columns of ``vector`` (and, from
    the third try, a random categorical change), doubling the scale each try,
    until the candidate is new. Returns ``(vector, key)`` or ``None``.
    """
    space = opt.space
    active = space.active_mask(vector)
    numeric = np.flatnonzero(active & ~space.is_categorical)
    categorical = np.flatnonzero(active & space.is_categorical & (space.n_choices > 1))
    for t in range(tries):
        v = np.array(vector, dtype=float)
        if numeric.size:
            v[numeric] = np.clip(
                v[numeric] + rng.normal(0.0, scale * 2.0**t, numeric.size), 0.0, 1.0
            )
        if categorical.size and (t >= 2 or not numeric.size):
            j = rng.choice(categorical)
            v[j] = float(rng.integers(space.n_choices[j]))
        found = opt._new_or_none(v, taken)
        if found is not None:
            return found
    return None
