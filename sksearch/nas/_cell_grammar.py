"""The grammar of a DARTS-like cell, shared by the estimator and the torch
modules: the operations, the edges ``i -> j`` and their names ``op_<i>_<j>``,
the default cell, and the check of a cell.

No torch and no estimator here: :mod:`._cell_estimator` (the estimator) and
:mod:`._cells` (the torch modules) both import it, and neither imports the other
at module level.
"""

# SPDX-License-Identifier: BSD-3-Clause

import re
from numbers import Integral

import numpy as np

#: The operations of an edge, in DARTS's ReLU -> Conv -> BatchNorm order, all
#: of stride 1 and keeping the number of channels: a 3x3 and a 5x5
#: convolution, a separable 3x3 convolution (depthwise + pointwise, twice, as
#: DARTS), 3x3 max and average pooling, the identity, and no edge at all.
CELL_OPS = ("conv3x3", "conv5x5", "sep_conv3x3", "max_pool", "avg_pool", "skip", "zero")

_EDGE_RE = re.compile(r"op_(0|[1-9][0-9]*)_([1-9][0-9]*)")


def _cell_edges(n_nodes):
    """The edges ``(i, j)`` of a cell, in the order of ``cell``: by target
    node ``j``, then by source node ``i``."""
    return [(i, j) for j in range(1, n_nodes + 1) for i in range(j)]


def _edge_name(i, j):
    return f"op_{i}_{j}"


def _parse_edge_name(name):
    """``(i, j)`` if ``name`` is an edge alias ``op_<i>_<j>`` with ``i < j``, else None."""
    m = _EDGE_RE.fullmatch(name) if isinstance(name, str) else None
    if m is None:
        return None
    i, j = int(m.group(1)), int(m.group(2))
    return (i, j) if i < j else None


def _nodes_of(n_edges):
    """The number of nodes of a cell with ``n_edges`` edges, or None."""
    n = (int(np.sqrt(8 * n_edges + 1)) - 1) // 2
    return n if n * (n + 1) // 2 == n_edges else None


def _default_op(i, j):
    # a residual chain: node j = conv3x3(node j-1) + node j-2
    return "conv3x3" if i == j - 1 else "skip" if i == j - 2 else "zero"


def default_cell(n_nodes=3):
    """The default cell of ``n_nodes`` nodes, one operation per edge.

    A residual chain, ``node j = conv3x3(node j - 1) + node j - 2``: for 3
    nodes ``("conv3x3", "skip", "conv3x3", "zero", "skip", "conv3x3")`` on
    the edges ``op_0_1, op_0_2, op_1_2, op_0_3, op_1_3, op_2_3``.
    """
    return tuple(_default_op(i, j) for i, j in _cell_edges(n_nodes))


def _resize_cell(ops, n_nodes):
    """``ops`` (the cell of some number of nodes) as a cell of ``n_nodes``
    nodes: the edges both have keep their operation, new edges get the
    default rule's."""
    old = dict(zip(_cell_edges(_nodes_of(len(ops)) or 0), ops))
    return [old.get(e, _default_op(*e)) for e in _cell_edges(n_nodes)]


def _check_cell(cell, n_nodes):
    """The cell as a validated tuple of operation names."""
    if cell is None:
        return default_cell(n_nodes)
    if isinstance(cell, (str, bytes)) or not isinstance(cell, (list, tuple, np.ndarray)):
        ops = None
    else:
        ops = list(cell)
    if ops is None or any(not isinstance(op, str) or op not in CELL_OPS for op in ops):
        raise ValueError(
            f"cell must be a sequence of operations among {list(CELL_OPS)}, got {cell!r}."
        )
    edges = _cell_edges(n_nodes)
    if len(ops) != len(edges):
        names = ", ".join(_edge_name(*e) for e in edges)
        raise ValueError(
            f"cell has {len(ops)} operations, but n_nodes={n_nodes} needs {len(edges)}, "
            f"one per edge ({names})."
        )
    return tuple(str(op) for op in ops)


def _valid_n_nodes(n_nodes):
    return (isinstance(n_nodes, (Integral, np.integer)) and not isinstance(n_nodes, bool)
            and n_nodes >= 1)
