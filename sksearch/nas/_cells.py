"""DARTS-like cells: the discrete cell network and its one-shot supernet.

Liu, Simonyan & Yang, "DARTS: Differentiable Architecture Search", ICLR 2019.
A cell is a directed acyclic graph: node 0 is the cell input (after a 1x1
ReLU-Conv-BN to the cell's channels), node ``j = 1 .. n_nodes`` is
``sum_{i<j} op_{i,j}(node i)``, and the cell output is a 1x1 ReLU-Conv-BN
of the concatenation of nodes ``1 .. n_nodes``. The network: a 3x3 conv
stem, ``n_cells`` cells with a 2x2 max pooling between two (channels double
after each), global average pooling, a linear layer.

The supernet (the SuperNet protocol of the one-shot strategies) puts on every
searched edge a mixed operation: ``sum_k softmax(alpha)_k op_k(x)`` for the
DARTS relaxation, or the one operation an architecture picks, with the
weights shared between all architectures. The ``alpha`` of an edge is shared
by all cells (DARTS's single "normal" cell type). Where it departs from
DARTS: the reductions between cells are a fixed max pooling rather than a
searched reduction cell (an 8x8 image has room for one or two of them);
pooling edges carry no BatchNorm in the supernet, so that a single path of
the supernet computes exactly the discrete network's function.

Imported only from inside ``fit`` (and unpickling) of the estimators and by
the one-shot strategies, so that ``import sksearch`` works without PyTorch.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import warnings
from collections import defaultdict

import torch
from torch import nn

from ..space import Categorical, Space
from ._cell_grammar import (
    CELL_OPS,
    _cell_edges,
    _check_cell,
    _edge_name,
    _nodes_of,
    _parse_edge_name,
    _resize_cell,
    _valid_n_nodes,
)
from ._cnn import _infer_image_shape

__all__ = [
    "CELL_OPS",
    "CellSuperNet",
    "build_cell_net",
    "build_supernet",
    "cell_decisions",
    "cell_oneshot_decisions",
]


# --- operations -----------------------------------------------------------------


class _ReLUConvBN(nn.Sequential):
    def __init__(self, c_in, c_out, kernel_size, affine=True):
        super().__init__(
            nn.ReLU(),
            nn.Conv2d(c_in, c_out, kernel_size, padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(c_out, affine=affine),
        )


class _SepConv(nn.Sequential):
    """DARTS's separable convolution: (ReLU, depthwise, pointwise, BN) twice."""

    def __init__(self, c, kernel_size, affine=True):
        pad = kernel_size // 2
        layers = []
        for _ in range(2):
            layers += [
                nn.ReLU(),
                nn.Conv2d(c, c, kernel_size, padding=pad, groups=c, bias=False),
                nn.Conv2d(c, c, 1, bias=False),
                nn.BatchNorm2d(c, affine=affine),
            ]
        super().__init__(*layers)


def _make_op(name, c, affine=True):
    """The module of operation ``name`` on ``c`` channels (``None`` for "zero")."""
    if name == "conv3x3":
        return _ReLUConvBN(c, c, 3, affine)
    if name == "conv5x5":
        return _ReLUConvBN(c, c, 5, affine)
    if name == "sep_conv3x3":
        return _SepConv(c, 3, affine)
    if name == "max_pool":
        return nn.MaxPool2d(3, stride=1, padding=1)
    if name == "avg_pool":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    if name == "skip":
        return nn.Identity()
    if name == "zero":
        return None
    raise ValueError(f"Unknown cell operation {name!r}; choose among {list(CELL_OPS)}.")


class _MixedOp(nn.Module):
    """One searched edge: every candidate operation, with its own weights.

    ``forward(x, how)``: ``how`` a vector of weights (one per choice) mixes
    the operations (DARTS); an int runs the single chosen one. "zero"
    contributes nothing (``None`` when it is all there is).
    """

    def __init__(self, choices, c, affine):
        super().__init__()
        self.choices = tuple(choices)
        self.ops = nn.ModuleDict(
            {name: _make_op(name, c, affine) for name in self.choices if name != "zero"}
        )

    def forward(self, x, how):
        if isinstance(how, int):
            name = self.choices[how]
            return None if name == "zero" else self.ops[name](x)
        out = None
        for k, name in enumerate(self.choices):
            if name != "zero":
                y = how[k] * self.ops[name](x)
                out = y if out is None else out + y
        return out


# --- the network ----------------------------------------------------------------------


class _Cell(nn.Module):
    """Node 0 = 1x1 preprocessing of the input; node j = sum of its in-edges;
    output = 1x1 ReLU-Conv-BN of the concatenated intermediate nodes.

    ``edges`` maps ``"i_j"`` to the module of that edge (a plain operation,
    or a :class:`_MixedOp` that takes an extra argument); an edge that is
    not there is "zero".
    """

    def __init__(self, c_in, c, n_nodes, edges):
        super().__init__()
        self.n_nodes = n_nodes
        self.pre = _ReLUConvBN(c_in, c, 1)
        self.edges = nn.ModuleDict(edges)
        self.post = _ReLUConvBN(n_nodes * c, c, 1)

    def forward(self, x, how=None):
        states = [self.pre(x)]
        for j in range(1, self.n_nodes + 1):
            node = None
            for i in range(j):
                key = f"{i}_{j}"
                if key not in self.edges:
                    continue
                op = self.edges[key]
                out = op(states[i], how[key]) if isinstance(op, _MixedOp) else op(states[i])
                if out is not None:
                    node = out if node is None else node + out
            states.append(torch.zeros_like(states[0]) if node is None else node)
        return self.post(torch.cat(states[1:], dim=1))


class _CellNet(nn.Module):
    """Stem, cells with 2x2 max pooling between them, global average pooling,
    linear. ``make_edges(c)`` gives the edges of a cell of ``c`` channels."""

    def __init__(self, input_shape, n_out, *, n_nodes, channels, n_cells, make_edges):
        super().__init__()
        c_img, h, w = input_shape
        self.stem = nn.Sequential(
            nn.Conv2d(c_img, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)
        )
        self.reductions = nn.ModuleList()
        self.cells = nn.ModuleList()
        c_prev = c = channels
        for k in range(n_cells):
            if k > 0:
                kernel = (2 if h >= 2 else 1, 2 if w >= 2 else 1)
                if kernel == (1, 1):
                    self.reductions.append(nn.Identity())
                else:  # ceil: an odd side keeps its last row / column
                    self.reductions.append(nn.MaxPool2d(kernel, ceil_mode=True))
                    h, w = math.ceil(h / kernel[0]), math.ceil(w / kernel[1])
                c = 2 * c
            self.cells.append(_Cell(c_prev, c, n_nodes, make_edges(c)))
            c_prev = c
        self.classifier = nn.Linear(c_prev, n_out)

    def forward(self, x, how=None):
        x = self.stem(x)
        for k, cell in enumerate(self.cells):
            if k > 0:
                x = self.reductions[k - 1](x)
            x = cell(x, how)
        return self.classifier(x.mean(dim=(2, 3)))


def build_cell_net(input_shape, n_out, *, ops, n_nodes, channels, n_cells):
    """The discrete cell network.

    Parameters
    ----------
    input_shape : tuple of int
        ``(C, H, W)`` of one sample.
    n_out : int
        Number of outputs (logits).
    ops : sequence of str
        The operation of every edge, in the order of
        :class:`CellNetClassifier`'s ``cell`` (edges with "zero" are absent).
    n_nodes, channels, n_cells : int
        As :class:`CellNetClassifier`'s parameters.

    Returns
    -------
    module : torch.nn.Module
        ``module(x)`` maps ``(n, C, H, W)`` images to ``(n, n_out)`` logits.
    """
    ops = _check_cell(ops, n_nodes)

    def make_edges(c):
        return {f"{i}_{j}": _make_op(op, c) for (i, j), op in zip(_cell_edges(n_nodes), ops)
                if op != "zero"}

    return _CellNet(tuple(input_shape), n_out, n_nodes=n_nodes, channels=channels,
                    n_cells=n_cells, make_edges=make_edges)


# --- the one-shot space ------------------------------------------------------------


def cell_decisions(search_space):
    """The one-shot decisions of a cell search space.

    Parameters
    ----------
    search_space : dict
        As :func:`sksearch.nas.cell_search_space` gives: edge parameter
        names (``op_<i>_<j>``) to lists (or ``Categorical``) of operations
        from ``CELL_OPS``. Other entries (``n_nodes``, training
        settings) are not edge decisions and are left out.

    Returns
    -------
    decisions : list of (str, list of str)
        One ``(edge name, operations)`` per searched edge, in the order of
        the edges of ``cell`` (by target node, then source node).
    """
    if isinstance(search_space, (list, tuple)) and len(search_space) == 1:
        search_space = search_space[0]
    if not isinstance(search_space, dict):
        raise ValueError(
            "search_space of a cell must be a dict {op_<i>_<j>: list of operations}, "
            f"got {type(search_space).__name__}."
        )
    decisions = []
    for name, choices in search_space.items():
        edge = _parse_edge_name(name)
        if edge is None:
            continue
        choices = getattr(choices, "choices", choices)  # Categorical
        if isinstance(choices, (str, bytes)) or not isinstance(choices, (list, tuple)):
            raise ValueError(
                f"search_space[{name!r}] must be a list of operations, got {choices!r}."
            )
        bad = [c for c in choices if not isinstance(c, str) or c not in CELL_OPS]
        if not choices or bad or len(set(choices)) != len(choices):
            raise ValueError(
                f"search_space[{name!r}] must be a non-empty list of distinct operations "
                f"among {list(CELL_OPS)}, got {list(choices)!r}."
            )
        decisions.append((edge, name, list(choices)))
    if not decisions:
        raise ValueError(
            "search_space has no edge of the cell (op_<i>_<j> names); see "
            "sksearch.nas.cell_search_space."
        )
    decisions.sort(key=lambda d: (d[0][1], d[0][0]))
    return [(name, choices) for _, name, choices in decisions]


def cell_oneshot_decisions(search_space, net, *, user_space=True):
    """The decisions of a cell search space, and the settings it fixes, for
    the one-shot engine (its family interface).

    Parameters
    ----------
    search_space : dict or list of one dict
        NASClassifier's space, in :class:`CellNetClassifier`'s parameters
        (as :func:`sksearch.nas.cell_search_space`).
    net : CellNetClassifier
        The (unfitted) network template.
    user_space : bool, default=True
        Warn about parameters the space searches (several values) but
        one-shot search does not (anything but the edges).

    Returns
    -------
    decisions : list of (str, list of str)
        As :func:`cell_decisions`.
    fixed : dict
        The parameters the space gives one value each (``n_nodes``, ...),
        to set on the network before the supernet is built.
    """
    space = Space(search_space)
    if len(space.subspaces) != 1:
        raise ValueError("search_space of a cell must be one dict, not a list of sub-spaces.")
    sub = space.subspaces[0]
    known = net.get_params(deep=True)
    fixed, ignored = {}, []
    for name, dim in sub.items():
        if _parse_edge_name(name) is not None:
            continue
        if name not in known:
            raise ValueError(
                f"search_space has {name!r}, which is not a parameter of {type(net).__name__}."
            )
        if isinstance(dim, Categorical) and dim.n_values == 1:
            fixed[name] = dim.choices[0]
        else:
            ignored.append(name)
    if ignored and user_space:
        warnings.warn(
            f"search_space searches {sorted(ignored)}, which the supernet does not search "
            "(it searches the operation of every edge of the cell) and strategy_params "
            "{'tune_training': 0} does not tune: they keep the network's values (set them "
            "with net_params, or tune them with tune_training >= 1).",
            UserWarning,
            stacklevel=2,
        )
    return cell_decisions({name: dim for name, dim in sub.items()}), fixed


# --- the supernet --------------------------------------------------------------------


class CellSuperNet(_CellNet):
    """The cell network with a mixed operation on every searched edge.

    Implements the SuperNet protocol of the one-shot strategies: see
    :func:`build_supernet`.

    Parameters
    ----------
    input_shape : tuple of int
        ``(C, H, W)`` of one sample.
    n_out : int
        Number of outputs.
    decisions : list of (str, list of str)
        The searched edges and their operations (:func:`cell_decisions`).
    fixed : dict
        ``{edge name: operation}`` of the edges that are not searched.
    n_nodes, channels, n_cells : int
        As :class:`CellNetClassifier`'s parameters.
    in_degree : int, default=2
        Incoming edges a node keeps in :meth:`derive` (2 in DARTS).
    """

    def __init__(self, input_shape, n_out, decisions, fixed, *, n_nodes, channels, n_cells,
                 in_degree=2):
        decisions = [(name, list(choices)) for name, choices in decisions]
        fixed = dict(fixed)
        searched = dict(decisions)

        def make_edges(c):
            edges = {}
            for i, j in _cell_edges(n_nodes):
                name = _edge_name(i, j)
                if name in searched:
                    # affine=False as DARTS: a learnt BN scale would compete with alpha
                    edges[f"{i}_{j}"] = _MixedOp(searched[name], c, affine=False)
                elif fixed[name] != "zero":
                    edges[f"{i}_{j}"] = _make_op(fixed[name], c)
            return edges

        super().__init__(tuple(input_shape), n_out, n_nodes=n_nodes, channels=channels,
                         n_cells=n_cells, make_edges=make_edges)
        self.decisions = decisions
        self.fixed = fixed
        self.n_nodes = n_nodes
        self.in_degree = in_degree
        self.alphas = nn.ParameterList(
            [nn.Parameter(torch.zeros(len(choices))) for _, choices in self.decisions]
        )

    def forward(self, x, arch=None):
        """Logits of ``x``: the DARTS mixture (``arch=None``) or the single
        path of ``arch`` = ``{edge name: choice index}``."""
        if arch is None:
            how = {name: torch.softmax(alpha, dim=0)
                   for (name, _), alpha in zip(self.decisions, self.alphas)}
        else:
            missing = [name for name, _ in self.decisions if name not in arch]
            if missing:
                raise ValueError(f"arch has no choice for the edges {missing}.")
            how = {}
            for name, choices in self.decisions:
                index = int(arch[name])
                if not 0 <= index < len(choices):
                    raise ValueError(
                        f"arch[{name!r}]={arch[name]!r} is not the index of one of {choices}."
                    )
                how[name] = index
        how = {f"{i}_{j}": v for name, v in how.items() for i, j in [_parse_edge_name(name)]}
        return super().forward(x, how)

    def arch_parameters(self):
        """The architecture logits, one vector per decision (initially zeros)."""
        return list(self.alphas)

    def weight_parameters(self):
        """Every parameter but the architecture logits."""
        alphas = {id(a) for a in self.alphas}
        return [p for p in self.parameters() if id(p) not in alphas]

    def derive(self):
        """The discrete architecture of the alphas, by DARTS's rule.

        Each searched edge takes its strongest operation other than "zero"
        (largest ``softmax(alpha)``); each node then keeps the
        ``in_degree`` (2) searched in-edges whose chosen operation is the
        strongest, and the others become "zero" (ties: the edge from the
        earlier node wins). An edge whose choices lack "zero" is always kept;
        one that has nothing else is "zero".

        Returns
        -------
        arch : dict
            ``{edge name: operation}`` for every decision.
        """
        arch, by_node = {}, defaultdict(list)
        for (name, choices), alpha in zip(self.decisions, self.alphas):
            weights = torch.softmax(alpha.detach().float(), dim=0).tolist()
            candidates = [k for k, op in enumerate(choices) if op != "zero"]
            if not candidates:
                arch[name] = "zero"
                continue
            best = max(candidates, key=lambda k: (weights[k], -k))
            arch[name] = choices[best]
            if "zero" in choices:
                i, j = _parse_edge_name(name)
                by_node[j].append((-weights[best], i, name))
        for edges in by_node.values():
            for _, _, name in sorted(edges)[self.in_degree:]:
                arch[name] = "zero"
        return {name: arch[name] for name, _ in self.decisions}

    def to_params(self, arch_values):
        """:class:`CellNetClassifier` parameters of an architecture.

        Parameters
        ----------
        arch_values : dict
            ``{edge name: operation}`` for the decisions (as :meth:`derive`
            gives).

        Returns
        -------
        params : dict
            ``n_nodes`` and every edge ``op_<i>_<j>`` (searched and fixed), for
            ``CellNetClassifier.set_params``.
        """
        params = {"n_nodes": self.n_nodes}
        for name, choices in self.decisions:
            if name not in arch_values:
                raise ValueError(f"arch_values has no operation for the edge {name!r}.")
            if arch_values[name] not in choices:
                raise ValueError(
                    f"arch_values[{name!r}]={arch_values[name]!r} is not one of {choices}."
                )
        for i, j in _cell_edges(self.n_nodes):
            name = _edge_name(i, j)
            params[name] = arch_values[name] if name in arch_values else self.fixed[name]
        return params


def build_supernet(net, decisions, input_shape, n_out):
    """The supernet of a cell search space.

    Parameters
    ----------
    net : CellNetClassifier
        The (unfitted) template network: its ``channels``, ``n_cells``,
        ``n_nodes`` and the edges that are not searched (from ``cell``) are
        the supernet's.
    decisions : list of (str, list of str)
        From :func:`cell_decisions`. A decision on an edge into a node past
        ``net.n_nodes`` grows the cell to that node.
    input_shape : int or tuple of int
        ``(C, H, W)`` of one sample (as ``net.input_shape_`` after a fit),
        ``(H, W)``, or a number of features (read as ``net`` reads flat rows).
    n_out : int
        Number of classes.

    Returns
    -------
    supernet : CellSuperNet
        ``forward(x, arch=None)`` (``x`` of shape ``(n, C, H, W)``),
        ``arch_parameters()``, ``weight_parameters()``, ``derive()``,
        ``to_params(arch_values)``.
    """
    if isinstance(input_shape, (int,)) or hasattr(input_shape, "__index__"):
        shape = _infer_image_shape((0, int(input_shape)), net.input_shape, "X")
    else:
        shape = tuple(int(s) for s in input_shape)
        shape = (1, *shape) if len(shape) == 2 else shape
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (C, H, W), (H, W) or an int, got {input_shape!r}.")
    if not _valid_n_nodes(net.n_nodes):
        raise ValueError(f"n_nodes={net.n_nodes!r} must be an integer >= 1.")
    decisions = [(name, list(choices)) for name, choices in decisions]
    nodes = [_parse_edge_name(name) for name, _ in decisions]
    if any(e is None for e in nodes):
        bad = [name for (name, _), e in zip(decisions, nodes) if e is None]
        raise ValueError(f"decisions {bad} are not edges of a cell (op_<i>_<j>).")
    n_nodes = max([int(net.n_nodes)] + [j for _, j in nodes])
    base = net.cell
    if base is not None and _nodes_of(len(base)) not in (None, int(net.n_nodes)):
        base = _resize_cell(list(base), int(net.n_nodes))  # n_nodes was set, not the cell
    base = _check_cell(base, int(net.n_nodes))
    fixed = dict(zip((_edge_name(*e) for e in _cell_edges(n_nodes)),
                     _resize_cell(list(base), n_nodes)))
    return CellSuperNet(shape, int(n_out), decisions, fixed, n_nodes=n_nodes,
                        channels=int(net.channels), n_cells=int(net.n_cells))
