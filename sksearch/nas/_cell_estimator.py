"""CellNetClassifier: a network of DARTS-like cells as a scikit-learn estimator.

The cell (Liu et al., "DARTS: Differentiable Architecture Search", ICLR 2019)
is a small directed acyclic graph: node 0 is the cell input, nodes
``1 .. n_nodes`` are each the sum of one operation per edge ``i -> j`` from
every earlier node. The estimator's parameter ``cell`` names the operation
of every edge, and every edge is also a parameter of its own (``op_0_1``,
``op_0_2``, ``op_1_2``, ...), so that a search space (black-box, or the
one-shot strategies of :class:`NASClassifier`) can name single edges.

This module does not import torch; the torch modules are in ``_cells.py``.
"""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from sklearn.base import ClassifierMixin

from .._compat import Interval
from ._cell_grammar import (
    CELL_OPS,
    _cell_edges,
    _check_cell,
    _edge_name,
    _nodes_of,
    _parse_edge_name,
    _resize_cell,
    _valid_n_nodes,
    default_cell,
)
from ._cnn import _image_net_doc, _ImageInputMixin
from ._targets import _LABEL_SMOOTHING_CONSTRAINT, _ClassifierTargets
from ._training import _COMMON_CONSTRAINTS, _TorchNet

__all__ = ["CELL_OPS", "CellNetClassifier"]


# Edge aliases that ``get_params(deep=True)`` lists even for smaller cells
# (``None`` past ``n_nodes``), so that a search space may name them.
_N_LISTED_NODES = 5


class CellNetClassifier(_ClassifierTargets, ClassifierMixin, _ImageInputMixin, _TorchNet):
    """A network of DARTS-like cells, as a scikit-learn classifier.

    The network is a 3x3 conv stem, then ``n_cells`` cells, with a 2x2
    max pooling between two cells (that doubles the channels, as DARTS's
    reduction cells do; a side of length 1 is not pooled, so 8x8 digits and
    ``1 x n`` rows of tabular data fit), then global average pooling and a
    linear layer, trained with cross-entropy. All cells have the same
    structure, ``cell`` (one operation per edge), and their own weights.

    A cell (Liu et al., 2019) is a small directed acyclic graph. Node 0 is
    the cell input after a 1x1 convolution to the cell's channels; each
    intermediate node ``j = 1 .. n_nodes`` is the sum over the earlier nodes
    ``i < j`` of ``op_i_j(node i)``, ``op_i_j`` one of ``CELL_OPS``:
    ``"conv3x3"``, ``"conv5x5"``, ``"sep_conv3x3"`` (ReLU -> Conv ->
    BatchNorm, stride 1), ``"max_pool"``, ``"avg_pool"`` (3x3, stride 1),
    ``"skip"`` (the identity) or ``"zero"`` (no edge). The cell output is a
    1x1 convolution (ReLU -> Conv -> BatchNorm) of the concatenation of the
    intermediate nodes. Concatenation rather than a sum, as DARTS: each
    node keeps its own channels, so the 1x1 convolution weighs them, and a
    node computed by pooling or skip edges only is not swamped by a
    convolved one.

    Images may be given as ``(n, H, W)`` or ``(n, C, H, W)`` arrays, or as
    flat rows ``(n, C*H*W)`` with ``input_shape``; flat rows without
    ``input_shape`` are read as square one-channel images when their length
    is a square (``load_digits``: 64 = 8x8), else as ``1 x n`` images.

    Parameters
    ----------
    input_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` of one sample, to read flat rows as images.
    cell : sequence of str or None, default=None
        The operation of every edge of the cell, in the order ``op_0_1,
        op_0_2, op_1_2, op_0_3, op_1_3, op_2_3, ...`` (by target node, then
        source node): ``n_nodes * (n_nodes + 1) / 2`` names from
        ``CELL_OPS``. ``None`` is the default cell of ``n_nodes`` nodes, a
        residual chain ``node j = conv3x3(node j-1) + node j-2``. Every edge
        is a parameter of its own, ``op_<i>_<j>`` (see Notes).
    n_nodes : int, default=3
        Number of intermediate nodes of the cell.
    channels : int, default=16
        Channels of the stem and the first cell; each later cell has twice
        the channels of the one before.
    n_cells : int, default=2
        Number of cells (with a 2x2 pooling between two).{label_smoothing}
    {training}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels (any type: ints, strings, ...).
    input_shape_ : tuple of int
        ``(C, H, W)`` of one sample, as the network reads it.{attributes}

    See Also
    --------
    ConvNetClassifier : A plain convolutional network.
    sksearch.nas.cell_search_space : The space of cells, one choice per edge.
    NASClassifier : Searches network topologies.

    Notes
    -----
    ``set_params(op_1_3="sep_conv3x3")`` sets one edge in ``cell``;
    ``get_params(deep=True)`` lists the edges of up to 5 nodes (``None``
    past ``n_nodes``), as ``Pipeline`` lists ``step__param``. An edge into a
    node past ``n_nodes`` is an error, unless ``n_nodes`` is set in the same
    call: the cell then grows (new edges follow the default cell) or
    shrinks first.

    Every operation but pooling, skip and zero batch-normalises, over the
    samples and pixels of a minibatch (in the training mode, and over the
    running averages when predicting).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sksearch.nas import CellNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> net = CellNetClassifier(input_shape=(8, 8), channels=8, max_epochs=2,
    ...                         random_state=0)
    >>> net.set_params(op_1_3="sep_conv3x3").cell
    ('conv3x3', 'skip', 'conv3x3', 'zero', 'sep_conv3x3', 'conv3x3')
    >>> net.fit(X[:200], y[:200]).predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints = {
        "input_shape": ["array-like", None],
        "cell": ["array-like", None],
        "n_nodes": [Interval(Integral, 1, None, closed="left")],
        "channels": [Interval(Integral, 1, None, closed="left")],
        "n_cells": [Interval(Integral, 1, None, closed="left")],
        **{k: v for k, v in _COMMON_CONSTRAINTS.items()
           if k not in ("activation", "dropout", "batch_norm")},
        **_LABEL_SMOOTHING_CONSTRAINT,
    }

    # Read by _TorchNet, which refuses one-sample training sets for
    # BatchNorm1d. The cells' BatchNorm2d normalises over samples *and*
    # pixels, so a single image trains whenever its feature maps have more
    # than one pixel (torch's own ValueError says so otherwise).
    batch_norm = False

    def __init__(
        self,
        input_shape=None,
        cell=None,
        *,
        n_nodes=3,
        channels=16,
        n_cells=2,
        label_smoothing=0.0,
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        optimizer="adam",
        lr_schedule="constant",
        max_epochs=50,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        standardize=True,
        warm_start=False,
        device="auto",
        n_threads=None,
        random_state=None,
        verbose=0,
    ):
        self.input_shape = input_shape
        self.cell = cell
        self.n_nodes = n_nodes
        self.channels = channels
        self.n_cells = n_cells
        self.label_smoothing = label_smoothing
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.standardize = standardize
        self.warm_start = warm_start
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    # -- edge aliases ---------------------------------------------------------
    def _current_ops(self):
        """The operations of the cell as a list, or None if unreadable."""
        if self.cell is None:
            return list(default_cell(self.n_nodes)) if _valid_n_nodes(self.n_nodes) else None
        if isinstance(self.cell, (list, tuple, np.ndarray)):
            return list(self.cell)
        return None

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        if not deep:
            return params
        n = int(self.n_nodes) if _valid_n_nodes(self.n_nodes) else 0
        ops = self._current_ops()
        for k, (i, j) in enumerate(_cell_edges(max(n, _N_LISTED_NODES))):
            known = ops is not None and j <= n and k < len(ops)
            params[_edge_name(i, j)] = ops[k] if known else None
        return params

    def set_params(self, **params):
        edges = {k: v for k, v in params.items() if _parse_edge_name(k) is not None}
        super().set_params(**{k: v for k, v in params.items() if k not in edges})
        edges = {k: v for k, v in edges.items() if v is not None}  # None: a no-op
        if not edges:
            return self
        n = self.n_nodes
        if not _valid_n_nodes(n):
            raise ValueError(f"Cannot set {sorted(edges)}: n_nodes={n!r} is not an integer >= 1.")
        ops = self._current_ops()
        if ops is None or _nodes_of(len(ops)) is None:
            raise ValueError(
                f"Cannot set {sorted(edges)}: cell={self.cell!r} is not a sequence of one "
                "operation per edge."
            )
        ops = _resize_cell(ops, int(n))
        index = {e: k for k, e in enumerate(_cell_edges(int(n)))}
        for key, value in edges.items():
            i, j = _parse_edge_name(key)
            if j > n:
                raise ValueError(
                    f"{key}={value!r} sets an edge into node {j}, but the cell has "
                    f"n_nodes={n}; set n_nodes as well."
                )
            ops[index[(i, j)]] = value
        if not (self.cell is None and tuple(ops) == default_cell(int(n))):
            self.cell = tuple(ops)
        return self

    # -- the module -----------------------------------------------------------
    def _module_spec(self):
        n_nodes = int(self.n_nodes)
        return {
            "input_shape": tuple(self.input_shape_),
            "n_out": int(self._n_out()),
            "ops": _check_cell(self.cell, n_nodes),
            "n_nodes": n_nodes,
            "channels": int(self.channels),
            "n_cells": int(self.n_cells),
        }

    def _build_module(self, spec):
        from ._cells import build_cell_net

        spec = dict(spec)
        return build_cell_net(spec.pop("input_shape"), spec.pop("n_out"), **spec)


CellNetClassifier.__doc__ = _image_net_doc(CellNetClassifier.__doc__)
