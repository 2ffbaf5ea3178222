"""Helpers shared by the population and local-search strategies.

Genetic, PSO, annealing and coordinate descent all need the same small
pieces: knob validation with errors that name the knob, NaN scores ranked as
the worst outcome, a default population size tied to the budget and the
number of workers, and turning proposed vectors into *new, distinct*
candidates (snapped to the canonical encoding, never seen before, never twice
in one batch), with prior draws to fill a batch when a strategy runs short.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import numbers

import numpy as np

__all__ = []


def check_int(name, value, low, *, allow_none=False):
    """``value`` as an int ``>= low``; a ValueError naming ``name`` otherwise."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def check_real(name, value, low, high, *, low_open=False, high_open=False, allow_none=False):
    """``value`` as a float in the interval; a ValueError naming ``name`` otherwise."""
    if value is None and allow_none:
        return None
    ok = (
        not isinstance(value, bool)
        and isinstance(value, numbers.Real)
        and math.isfinite(value)
        and (value > low if low_open else value >= low)
        and (value < high if high_open else value <= high)
    )
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name} must be a number in {left}{low}, {high}{right}, got {value!r}.")
    return float(value)


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


def new_or_none(opt, vector, taken):
    """Snap ``vector``; return ``(vector, key)`` if it is a new candidate
    (neither seen by ``opt`` nor in ``taken``), else ``None``."""
    v = opt.space.snap(vector)
    k = opt.space.key(v)
    if k in opt._seen or k in taken:
        return None
    return v, k


def sample_new_excluding(opt, n, taken):
    """Up to ``n`` new prior draws whose keys are neither seen nor in ``taken``."""
    out = []
    for _ in range(3):
        need = n - len(out)
        if need <= 0:
            break
        # a few extra draws, since some may collide with ``taken``
        for v in opt._sample_new(need + min(len(taken), 4 * need)):
            k = opt.space.key(v)
            if k in taken:
                continue
            taken.add(k)
            out.append(v)
            if len(out) == n:
                break
    return out


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
        found = new_or_none(opt, v, taken)
        if found is not None:
            return found
    return None
