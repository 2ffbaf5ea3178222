"""Validation of strategy knobs, with errors that name the knob.

Optimizers are not scikit-learn estimators, so they check their knobs in
``__init__``; the public ``*SearchCV`` classes check the same knobs earlier,
in ``fit``, through ``_parameter_constraints``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numbers
import math


def check_int(name, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}.")
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be an integer {bound}, got {value!r}.")
    return int(value)


def check_real(name, value, low=None, high=None, low_open=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if low is not None and (value < low or (low_open and value == low)):
        op = ">" if low_open else ">="
        raise ValueError(f"{name} must be {op} {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")
    return float(value)


def check_option(name, value, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {sorted(options)}, got {value!r}.")
    return value


def draw_new(optimizer, n, exclude, max_tries=100):
    """Up to ``n`` prior draws (snapped) that are new to ``optimizer`` and not
    in the set of keys ``exclude`` (which is updated)."""
    import numpy as np

    space = optimizer.space
    out, tries = [], 0
    while len(out) < n and tries < max_tries * n:
        for v in space.sample_vectors(max(n - len(out), 1), optimizer.rng):
            tries += 1
            v = space.snap(v)
            k = space.key(v)
            if k in optimizer._seen or k in exclude:
                continue
            exclude.add(k)
            out.append(v)
            if len(out) == n:
                break
    return np.array(out, dtype=float).reshape(-1, space.n_dims)
