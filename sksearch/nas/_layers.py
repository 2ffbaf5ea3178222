"""Depth and per-layer parameters of the network estimators (``n_layers``,
``units_1``, ...) as aliases of their tuple parameters, and the check of a
tuple of layer sizes.
"""

# SPDX-License-Identifier: BSD-3-Clause

import re
from numbers import Integral

import numpy as np

# Per-layer aliases (``units_1``, ...) that ``get_params(deep=True)`` lists
# even for shallower networks, so that a search space may name them.
_N_LISTED_LAYERS = 8


def _as_list(value):
    """The per-layer values of a topology parameter, or None if unreadable."""
    if isinstance(value, (Integral, np.integer)) and not isinstance(value, bool):
        return [value]
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    return None


class _LayerAliasesMixin:
    """Depth and per-layer parameters as aliases of the tuple parameters.

    A topology is stored the sklearn way, as tuples (``hidden_layer_sizes=(64,
    32)``). For a search space whose sub-spaces hold only the layers that
    exist, every layer also answers to its own name: ``n_layers`` (the depth)
    and ``units_1``, ``units_2``, ... (one layer's width), as Pipeline answers
    to ``step__param``. ``get_params(deep=True)`` lists them (up to layer 8,
    or the depth if larger; ``None`` past the depth) and ``set_params``
    writes them into the tuples: the depth first (truncating, or repeating
    the last layer), then the layers. Setting a layer past the depth is an
    error; setting it to ``None`` there is a no-op, so ``get_params(deep=True)``
    round-trips.

    Subclasses define ``_layer_groups``: ``(depth_alias, {prefix: tuple
    parameter}, {tuple parameter: default layer value})``; the first tuple
    parameter of a group defines its depth; the others may be a scalar (one
    value for every layer).
    """

    _layer_groups = ()

    def _group_lists(self, group):
        depth_alias, prefixes, _ = group
        params = list(prefixes.values())
        first = _as_list(getattr(self, params[0]))
        if first is None:
            return None, None
        lists = {params[0]: first}
        for p in params[1:]:
            value = getattr(self, p)
            if isinstance(value, (list, tuple, np.ndarray)):
                lists[p] = list(value)
            else:
                lists[p] = [value] * len(first)
        return len(first), lists

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        if not deep:
            return params
        for group in self._layer_groups:
            depth_alias, prefixes, _ = group
            depth, lists = self._group_lists(group)
            params[depth_alias] = depth
            for i in range(max(depth or 0, _N_LISTED_LAYERS)):
                for prefix, p in prefixes.items():
                    values = lists[p] if lists is not None else []
                    params[f"{prefix}_{i + 1}"] = values[i] if i < len(values) else None
        return params

    def _alias(self, key):
        """``(group, prefix or None, layer index or None)`` if ``key`` is an alias."""
        for group in self._layer_groups:
            if key == group[0]:
                return group, None, None
            for prefix in group[1]:
                m = re.fullmatch(re.escape(prefix) + r"_([1-9][0-9]*)", key)
                if m:
                    return group, prefix, int(m.group(1))
        return None

    def set_params(self, **params):
        aliases = {k: v for k, v in params.items() if self._alias(k) is not None}
        super().set_params(**{k: v for k, v in params.items() if k not in aliases})
        for group in self._layer_groups:
            depth_alias, prefixes, defaults = group
            mine = {k: v for k, v in aliases.items() if self._alias(k)[0] is group}
            if not mine:
                continue
            depth, lists = self._group_lists(group)
            if lists is None:
                first = next(iter(prefixes.values()))
                raise ValueError(
                    f"Cannot set {sorted(mine)}: {first}={getattr(self, first)!r} is not "
                    "a sequence of layer sizes."
                )
            if depth_alias in mine:
                new = mine.pop(depth_alias)
                if isinstance(new, bool) or not isinstance(new, (Integral, np.integer)) or new < 0:
                    raise ValueError(f"{depth_alias} must be an integer >= 0, got {new!r}.")
                for p, values in lists.items():
                    pad = values[-1] if values else defaults[p]
                    lists[p] = values[:new] + [pad] * (new - len(values))
                depth = int(new)
            for key, value in mine.items():
                _, prefix, i = self._alias(key)
                if i > depth:
                    if value is None:
                        continue
                    raise ValueError(
                        f"{key}={value!r} sets layer {i}, but the network has {depth} "
                        f"layers; set {depth_alias} as well."
                    )
                lists[prefixes[prefix]][i - 1] = value
            for p, values in lists.items():
                setattr(self, p, tuple(values))
        return self


def _check_layers(name, value, *, allow_scalar=False):
    """Validate a tuple of positive ints (the sizes of the layers of a group)."""
    if allow_scalar and isinstance(value, (Integral, np.integer)) and not isinstance(value, bool):
        value = (value,)
    values = _as_list(value)
    if values is None or any(
        isinstance(v, bool) or not isinstance(v, (Integral, np.integer)) or v < 1 for v in values
    ):
        raise ValueError(f"{name} must be a sequence of positive integers, got {value!r}.")
    return tuple(int(v) for v in values)
