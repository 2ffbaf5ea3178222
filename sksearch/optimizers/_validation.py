"""Validation of strategy knobs, with errors that name the knob.

Optimizers are not scikit-learn estimators, so they check their knobs in
``__init__``; the public ``*SearchCV`` classes check the same knobs earlier,
in ``fit``, through ``_parameter_constraints``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import numbers

__all__ = ["check_int", "check_option", "check_real"]


def _is_auto(value):
    return isinstance(value, str) and value == "auto"


def check_int(name, value, low, high=None, *, allow_none=False, allow_auto=False):
    """``value`` as an int in ``[low, high]`` (or ``"auto"`` where allowed); a
    ValueError naming ``name`` otherwise."""
    if value is None and allow_none:
        return None
    if allow_auto and _is_auto(value):
        return value
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < low
        or (high is not None and value > high)
    ):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        either = "'auto' or " if allow_auto else ""
        raise ValueError(f"{name} must be {either}an integer {bound}, got {value!r}.")
    return int(value)


def check_real(
    name, value, low=None, high=None, *, low_open=False, high_open=False, allow_none=False,
    allow_auto=False,
):
    """``value`` as a finite float in the interval (or ``"auto"`` where allowed);
    a ValueError naming ``name`` otherwise."""
    if value is None and allow_none:
        return None
    if allow_auto and _is_auto(value):
        return value
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    ok = (
        not isinstance(value, bool)
        and isinstance(value, numbers.Real)
        and math.isfinite(value)
        and (value > lo if low_open else value >= lo)
        and (value < hi if high_open else value <= hi)
    )
    if not ok:
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        either = "'auto' or " if allow_auto else ""
        raise ValueError(
            f"{name} must be {either}a finite number in {left}{lo}, {hi}{right}, got {value!r}."
        )
    return float(value)


def check_option(name, value, options):
    """``value`` if it is one of ``options``; a ValueError naming ``name`` otherwise."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {sorted(options)}, got {value!r}.")
    return value
