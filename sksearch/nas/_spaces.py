"""Default topology search spaces for small tabular and small image data.

Depth is structural: the space is a list of dicts, one sub-space per depth,
each holding only the per-layer dimensions that exist at that depth
(``units_1`` .. ``units_d``). In the shared encoding of
:class:`~sksearch.space.Space` the depth is then the sub-space selector, a
categorical, and the per-layer columns of the other depths are inactive, so
model-based strategies (TPE follows the sub-space tree; a GP sees inactive
columns as such) never model the width of a layer that does not exist.
"""

# SPDX-License-Identifier: BSD-3-Clause

from ..space import Integer, Real
from ._cell_grammar import CELL_OPS, _cell_edges, _edge_name

__all__ = ["default_search_space"]


def _training_space(architecture, task):
    if architecture == "cnn":
        return {
            "lr": Real(3e-4, 1e-2, log=True),
            "weight_decay": Real(1e-6, 1e-3, log=True),
            "batch_size": [32, 64, 128],
            "lr_schedule": ["constant", "cosine"],
        }
    # The MLP recipe, chosen by 3-fold CV on the training part of load_digits
    # (python -m benchmarks.nas_recipe has the figures): AdamW (decoupled decay)
    # with a cosine schedule over the epochs; label smoothing (+0.4 points);
    # per-feature standardisation is searched, not fixed, because it blows up
    # near-constant features (pixels): off was +0.4 points on the digits,
    # while features on different scales need it on.
    space = {
        "lr": Real(3e-4, 1e-2, log=True),
        "weight_decay": Real(1e-5, 1e-1, log=True),
        "batch_size": [32, 64, 128],
        "optimizer": ["adamw"],
        "lr_schedule": ["cosine"],
        "label_smoothing": Real(0.0, 0.2),
        "standardize": [True, False],
    }
    if task == "regression":  # MLPNetRegressor has no label smoothing
        del space["label_smoothing"]
    return space


def default_search_space(architecture="mlp", *, max_depth=3, task="classification"):
    """The default topology space of :class:`NASClassifier` / :class:`NASRegressor`.

    Parameters
    ----------
    architecture : {"mlp", "cnn"}, default="mlp"
        ``"mlp"``: 1 to ``max_depth`` hidden layers, the first of 64 to 1024
        units, the others of 32 to 256 (log-uniform), the activation, dropout
        (0 to 0.6), batch norm, label smoothing (0 to 0.2) and whether to
        standardize the inputs per feature; every network trains with AdamW
        and a cosine learning-rate schedule. ``"cnn"``: 1 to ``max_depth``
        conv blocks of 8 to 64 channels (log-uniform) with a 3x3 or 5x5
        kernel each, max or average pooling, a dense head of none, 64 or 128
        units, dropout, batch norm, and the learning-rate schedule (constant
        or cosine). Both also search the learning rate (log-uniform), weight
        decay (log-uniform) and batch size.
    max_depth : int, default=3
        Largest number of hidden layers (MLP) or conv blocks (CNN). Each
        depth is one sub-space.
    task : {"classification", "regression"}, default="classification"
        The network's task: the regression space (for
        :class:`MLPNetRegressor`) has no label smoothing.

    Returns
    -------
    space : list of dict
        One dict per depth, for the ``param_distributions`` of any sksearch
        search over :class:`MLPNetClassifier`, :class:`MLPNetRegressor` or
        :class:`ConvNetClassifier`.

    Examples
    --------
    >>> from sksearch.nas import default_search_space
    >>> space = default_search_space("mlp", max_depth=2)
    >>> [sorted(k for k in sub if k.startswith(("n_layers", "units"))) for sub in space]
    [['n_layers', 'units_1'], ['n_layers', 'units_1', 'units_2']]
    """
    if architecture not in ("mlp", "cnn"):
        raise ValueError(f"architecture must be 'mlp' or 'cnn', got {architecture!r}.")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
        raise ValueError(f"max_depth must be an integer >= 1, got {max_depth!r}.")
    if task not in ("classification", "regression"):
        raise ValueError(
            f"task must be 'classification' or 'regression', got {task!r}."
        )
    space = []
    for depth in range(1, max_depth + 1):
        if architecture == "mlp":
            sub = {"n_layers": [depth]}
            # wide first layer, narrower ones after it: on 2 CPU cores a
            # 1024-1024 pair trains ~7x slower than one 1024 layer, for no
            # gain in cross-validated accuracy on the digits
            sub["units_1"] = Integer(64, 1024, log=True)
            for i in range(2, depth + 1):
                sub[f"units_{i}"] = Integer(32, 256, log=True)
            sub.update(
                activation=["relu", "gelu", "silu", "tanh"],
                dropout=Real(0.0, 0.6),
                batch_norm=[False, True],
            )
        else:
            sub = {"n_blocks": [depth]}
            for i in range(1, depth + 1):
                sub[f"channels_{i}"] = Integer(8, 64, log=True)
                sub[f"kernel_size_{i}"] = [3, 5]
            sub.update(
                pooling=["max", "avg"],
                dense_sizes=[(), (64,), (128,)],
                activation=["relu", "gelu"],
                dropout=Real(0.0, 0.5),
                batch_norm=[False, True],
            )
        sub.update(_training_space(architecture, task))
        space.append(sub)
    return space


def cell_search_space(n_nodes=3, ops=None):
    """The space of DARTS-like cells of :class:`CellNetClassifier`: one
    choice of operation per edge.

    It is the one-shot space of ``NASClassifier``'s cell family (DARTS,
    ENAS, random search with weight sharing), and also a valid
    ``param_distributions`` for a black-box search over
    :class:`CellNetClassifier` (e.g. :class:`~sksearch.TPESearchCV`), whose
    parameters its names are.

    Parameters
    ----------
    n_nodes : int, default=3
        Intermediate nodes of the cell: ``n_nodes * (n_nodes + 1) / 2``
        edges ``op_<i>_<j>`` (node ``i`` feeds node ``j > i``).
    ops : sequence of str, default=None
        The operations each edge chooses among; ``None`` is all of
        ``CELL_OPS``: ``"conv3x3"``, ``"conv5x5"``, ``"sep_conv3x3"``,
        ``"max_pool"``, ``"avg_pool"``, ``"skip"``, ``"zero"``.

    Returns
    -------
    space : dict
        ``{"n_nodes": [n_nodes], "op_0_1": ops, "op_0_2": ops, ...}``, the
        edges in the order of ``CellNetClassifier``'s ``cell`` (by target
        node, then source node). ``n_nodes`` (a single choice) makes the
        space valid for a ``CellNetClassifier`` of any ``n_nodes``.

    Examples
    --------
    >>> from sksearch.nas import cell_search_space
    >>> space = cell_search_space(n_nodes=2, ops=["conv3x3", "skip", "zero"])
    >>> list(space)
    ['n_nodes', 'op_0_1', 'op_0_2', 'op_1_2']
    >>> space["op_1_2"]
    ['conv3x3', 'skip', 'zero']
    """
    if isinstance(n_nodes, bool) or not isinstance(n_nodes, int) or n_nodes < 1:
        raise ValueError(f"n_nodes must be an integer >= 1, got {n_nodes!r}.")
    ops = CELL_OPS if ops is None else ops
    if isinstance(ops, str) or not isinstance(ops, (list, tuple)):
        raise ValueError(f"ops must be a list of operations, got {ops!r}.")
    bad = [op for op in ops if op not in CELL_OPS]
    if not ops or bad or len(set(ops)) != len(ops):
        raise ValueError(
            f"ops must be a non-empty list of distinct operations among {list(CELL_OPS)}, "
            f"got {list(ops)!r}."
        )
    space = {"n_nodes": [n_nodes]}
    for i, j in _cell_edges(n_nodes):
        space[_edge_name(i, j)] = list(ops)
    return space
