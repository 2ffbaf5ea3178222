"""Architecture encodings of a cell: GP features that see the graph.

A *cell* is a directed acyclic graph whose edges each carry one operation
chosen by a categorical parameter (NAS-Bench-201's cell, DARTS's cells,
:class:`~sksearch.nas.CellNetClassifier`'s). :class:`Cell` declares which
parameters of a space are edges, and which operation means "no edge". The
encodings below replace those parameters' one-hot features in the GP:

* ``"flat"``: the one-hot features of each edge, one length scale per edge
  (the encoding of any categorical; blind to the graph);
* ``"path"``: the path encoding of BANANAS (White, Neiswanger & Savani,
  "BANANAS: Bayesian optimization with neural architectures for neural
  architecture search", AAAI 2021): one feature per sequence of operations,
  counting the paths from the input to an output that carry it; an edge
  whose operation is "none" cuts every path through it. Two cells with the
  same paths (isomorphic cells, or cells differing only on edges no path
  uses) have the same features. One length scale per path length;
* ``"wl"``: the Weisfeiler-Lehman subtree features of NAS-BOWL (Ru, Wan,
  Dong & Osborne, "Interpretable neural architecture search via Bayesian
  optimisation with Weisfeiler-Lehman kernels", ICLR 2021): the cell as a
  graph with one node per operation (the input, the output and every edge
  whose operation is not "none", pruned to the nodes on an input-output
  path), labels refined ``h`` times from the labels of each node's
  predecessors, and the histogram of all labels of rounds 0 to ``h``
  (``h = 1``: at ``h = 2`` NAS-Bench-201's cells have 4 608 distinct labels,
  too wide to score all 15 625 cells at every ask). One length scale per
  round. NAS-BOWL puts a linear kernel on the histograms
  (the WL kernel) and chooses ``h`` by marginal likelihood; here the GP's
  Matern kernel works on the histograms, a stationary kernel on the WL
  embedding (PSD as any Matern of a feature map), whose per-round length
  scales weigh the rounds as NAS-BOWL's choice of ``h`` does, so the
  hyperparameter fit and the acquisition code are those of every other
  space.

The WL features are written here (about 60 lines) rather than taken from a
graph-kernel package: GraKeL and similar compute kernel matrices between
graph collections, not a fixed feature map that the GP's posterior and the
exhaustive scoring of 15 625 cells can reuse; the labels are computed once
per distinct cell and cached.
"""

# SPDX-License-Identifier: BSD-3-Clause

import itertools
import re
import zlib
from collections.abc import Mapping

import numpy as np

from .search_space import ONE_HOT, FeatureMap

__all__ = ["Cell", "CellFeatureMap", "ENCODINGS", "detect_cell", "mutate_cells"]

ENCODINGS = ("flat", "path", "wl")
_NONE = ("none", "zero")
_EDGE_RE = re.compile(r"(?:.*__)?op_(0|[1-9][0-9]*)_([1-9][0-9]*)")
# Above this many cells, the WL labels are hashed into buckets instead of
# being enumerated over every cell
_WL_ENUMERATE = 2**15
_WL_BUCKETS = 1024


class Cell:
    """Declares a cell: categorical parameters that are the operations on
    the edges of a directed acyclic graph.

    Give it to :class:`~sksearch.optimizers.BayesOptimizer` or
    :class:`~sksearch.BayesSearchCV` as ``cell=`` so that the GP sees the
    graph (``encoding="path"`` or ``"wl"``) instead of independent
    categoricals. Parameters named ``op_<i>_<j>`` (the edges of
    :class:`~sksearch.nas.CellNetClassifier`, optionally behind a Pipeline
    prefix ``step__``) are recognised without it.

    Parameters
    ----------
    edges : dict or list of str
        Parameter name -> ``(i, j)``, the edge from node ``i`` to node
        ``j > i`` whose operation the parameter chooses; or a list of names
        ``op_<i>_<j>``. Node numbers are integers; the smallest is the cell's
        input.
    output : int or list of int, default=None
        The output node(s): a path counts when it reaches one of them.
        ``None``: the largest node (NAS-Bench-201). DARTS-like cells whose
        output concatenates every intermediate node give them all.
    none : str or list of str, default=("none", "zero")
        The operation names that mean "no edge": they cut every path
        through the edge.

    Examples
    --------
    NAS-Bench-201's cell: 4 nodes, 6 edges, 5 operations.

    >>> from sksearch.optimizers import BayesOptimizer, Cell
    >>> ops = ["none", "skip_connect", "conv_1x1", "conv_3x3", "avg_pool_3x3"]
    >>> edges = {"e01": (0, 1), "e02": (0, 2), "e12": (1, 2),
    ...          "e03": (0, 3), "e13": (1, 3), "e23": (2, 3)}
    >>> opt = BayesOptimizer({e: ops for e in edges}, cell=Cell(edges),
    ...                      encoding="path", random_state=0)
    >>> len(opt.ask(2))
    2
    """

    def __init__(self, edges, *, output=None, none=_NONE):
        self.edges = edges
        self.output = output
        self.none = none

    def __repr__(self):
        return f"Cell(edges={self.edges!r}, output={self.output!r}, none={self.none!r})"

    def _edge_map(self):
        edges = self.edges
        if isinstance(edges, Mapping):
            out = {}
            for name, e in edges.items():
                ok = (isinstance(e, (tuple, list)) and len(e) == 2
                      and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                              for v in e) and e[0] < e[1])
                if not ok:
                    raise ValueError(
                        f"cell: edge {name!r} must map to (i, j), two integer nodes with "
                        f"i < j, got {e!r}."
                    )
                out[name] = (int(e[0]), int(e[1]))
        elif isinstance(edges, (list, tuple)) and not isinstance(edges, str):
            out = {}
            for name in edges:
                m = _EDGE_RE.fullmatch(name) if isinstance(name, str) else None
                if m is None or int(m.group(1)) >= int(m.group(2)):
                    raise ValueError(
                        f"cell: edge {name!r} is not named op_<i>_<j> with i < j; give "
                        "edges as a dict of name -> (i, j)."
                    )
                out[name] = (int(m.group(1)), int(m.group(2)))
        else:
            raise TypeError(
                f"cell: edges must be a dict of name -> (i, j) or a list of names "
                f"op_<i>_<j>, got {type(edges).__name__}."
            )
        if not out:
            raise ValueError("cell: edges is empty; give at least one edge.")
        if len(set(out.values())) != len(out):
            raise ValueError("cell: two parameters name the same edge (i, j).")
        return out


def detect_cell(space):
    """A :class:`Cell` of the parameters named ``[step__]op_<i>_<j>`` of a
    one-dict ``space``, or ``None`` when there are none (or several
    prefixes, or sub-spaces)."""
    if space.n_subspaces != 1:
        return None
    names = [name for _, name, dim in space.columns
             if dim.is_categorical and _EDGE_RE.fullmatch(name)]
    prefixes = {n.rsplit("op_", 1)[0] for n in names}
    if not names or len(prefixes) != 1:
        return None
    edges = Cell(names)._edge_map()
    nodes = sorted({v for e in edges.values() for v in e})
    # the DARTS-like cells of CellNetClassifier: every node after the input
    # feeds the output (a concatenation)
    return Cell(edges, output=nodes[1:])


class _BoundCell:
    """A :class:`Cell` checked against a space: its columns, operations and
    the structural paths of its graph."""

    def __init__(self, cell, space):
        if not isinstance(cell, Cell):
            raise TypeError(f"cell must be a Cell or None, got {type(cell).__name__}.")
        if space.n_subspaces != 1:
            raise ValueError(
                "cell: the space has several sub-spaces (a list of dicts); a cell must be "
                "declared on a space given as one dict."
            )
        edges = cell._edge_map()
        none = (cell.none,) if isinstance(cell.none, str) else tuple(cell.none)
        index = {name: j for j, (_, name, _) in enumerate(space.columns)}
        self.columns, self.edges, self.ops = [], [], []
        for name, e in edges.items():
            if name not in index:
                raise ValueError(
                    f"cell: edge parameter {name!r} is not in the space; its parameters "
                    f"are {sorted(index)}."
                )
            dim = space.columns[index[name]][2]
            if not dim.is_categorical or not all(isinstance(c, str) for c in dim.choices):
                raise ValueError(
                    f"cell: edge parameter {name!r} must be a list of operation names "
                    f"(strings), got {dim!r}."
                )
            self.columns.append(index[name])
            self.edges.append(e)
        order = np.lexsort((np.array([e[0] for e in self.edges]),
                            np.array([e[1] for e in self.edges])))
        self.columns = [self.columns[i] for i in order]
        self.edges = [self.edges[i] for i in order]
        names = []
        for j in self.columns:
            for c in space.columns[j][2].choices:
                if c not in none and c not in names:
                    names.append(c)
        self.op_names = names  # the operations, "none" excluded
        # encoded choice index -> operation id (-1: none), per edge
        self.op_of = [np.array([-1 if c in none else names.index(c)
                                for c in space.columns[j][2].choices])
                      for j in self.columns]
        nodes = sorted({v for e in self.edges for v in e})
        self.input = nodes[0]
        out = cell.output
        out = [nodes[-1]] if out is None else [out] if isinstance(out, (int, np.integer)) \
            else list(out)
        bad = [o for o in out if o not in nodes]
        if bad or not out:
            raise ValueError(
                f"cell: output must name nodes of the cell {nodes}, got {cell.output!r}."
            )
        self.outputs = set(int(o) for o in out)
        self.n_cells = int(np.prod([len(o) for o in self.op_of]))
        self.paths = self._structural_paths()

    def _structural_paths(self):
        """Every path from the input that ends at an output, as edge indices."""
        out_edges = {}
        for k, (i, _) in enumerate(self.edges):
            out_edges.setdefault(i, []).append(k)
        paths, stack = [], [(self.input, ())]
        while stack:
            node, path = stack.pop()
            if path and node in self.outputs:
                paths.append(path)
            for k in out_edges.get(node, []):
                stack.append((self.edges[k][1], path + (k,)))
        return sorted(paths, key=lambda p: (len(p), p))

    def op_ids(self, V):
        """``(m, n_edges)`` operation ids (-1 = none) of encoded vectors."""
        V = np.atleast_2d(V)
        out = np.empty((V.shape[0], len(self.columns)), dtype=int)
        for k, (j, of) in enumerate(zip(self.columns, self.op_of)):
            idx = np.clip(np.round(np.nan_to_num(V[:, j])), 0, len(of) - 1).astype(int)
            out[:, k] = of[idx]
        return out


# -- the encodings -------------------------------------------------------------
class _PathEncoder:
    """BANANAS's path encoding: counts of the operation sequences of the
    input-output paths that no "none" cuts."""

    def __init__(self, bound, max_features=4096):
        self.bound = bound
        k = len(bound.op_names)
        lengths = sorted({len(p) for p in bound.paths})
        self.offset, n = {}, 0
        for L in lengths:
            # BANANAS truncates the longest paths when the encoding explodes
            if n + k**L > max_features and n:
                break
            self.offset[L] = n
            n += k**L
        self.n_features = n
        self.groups = np.concatenate(
            [np.full(k**L, g) for g, L in enumerate(self.offset)]
        ).astype(int) if n else np.zeros(0, dtype=int)
        self._k = k

    def transform(self, ops):
        m = ops.shape[0]
        F = np.zeros((m, self.n_features))
        rows = np.arange(m)
        for path in self.bound.paths:
            L = len(path)
            if L not in self.offset:
                continue
            seq = ops[:, list(path)]
            alive = np.all(seq >= 0, axis=1)
            code = np.zeros(m, dtype=int)
            for p in range(L):
                code = code * self._k + np.maximum(seq[:, p], 0)
            np.add.at(F, (rows[alive], self.offset[L] + code[alive]), 1.0)
        return F * ONE_HOT


def _wl_labels(bound, ops, h):
    """The WL labels of rounds 0..h of one cell (``ops``: op ids per edge),
    as a list (one per round) of lists of hashable labels."""
    edges, inp, outs = bound.edges, bound.input, bound.outputs
    live = [k for k in range(len(edges)) if ops[k] >= 0]
    # graph: "in" -> edge k (source is the input), edge k -> edge l (k ends
    # where l starts), edge k -> "out" (k ends at an output)
    succ = {"in": [k for k in live if edges[k][0] == inp]}
    for k in live:
        succ[k] = [m for m in live if edges[m][0] == edges[k][1]]
        if edges[k][1] in outs:
            succ[k].append("out")
    succ["out"] = []
    # keep the nodes on an input-output path
    fwd, stack = {"in"}, ["in"]
    while stack:
        for v in succ[stack.pop()]:
            if v not in fwd:
                fwd.add(v)
                stack.append(v)
    pred = {v: [] for v in succ}
    for u, vs in succ.items():
        for v in vs:
            pred[v].append(u)
    bwd, stack = {"out"}, ["out"]
    while stack:
        for u in pred[stack.pop()]:
            if u not in bwd:
                bwd.add(u)
                stack.append(u)
    keep = (fwd & bwd) | {"in", "out"}
    label = {v: ("in" if v == "in" else "out" if v == "out" else bound.op_names[ops[v]])
             for v in keep}
    rounds = [list(label.values())]
    for _ in range(h):
        label = {v: (label[v], tuple(sorted(
            str(label[u]) for u in pred[v] if u in keep)))
            for v in keep}
        label = {v: str(lab) for v, lab in label.items()}
        rounds.append(list(label.values()))
    return rounds


class _WLEncoder:
    """NAS-BOWL's Weisfeiler-Lehman features: label histograms of rounds
    0..h; the vocabulary enumerated over every cell when there are at most
    ``2**15`` (enumerating NAS-Bench-201's 15 625 takes 0.5 s), else the
    labels of rounds 1..h hashed into 1024 buckets per round."""

    def __init__(self, bound, h=1):
        self.bound, self.h = bound, h
        self._cache = {}
        self.vocab = [dict() for _ in range(h + 1)]
        self.hashed = bound.n_cells > _WL_ENUMERATE
        if self.hashed:
            sizes = [len(bound.op_names) + 2] + [_WL_BUCKETS] * h
            self.vocab = None
        else:
            for ops in itertools.product(*[np.unique(o) for o in bound.op_of]):
                for r, labels in enumerate(self._labels(np.array(ops))):
                    for lab in labels:
                        self.vocab[r].setdefault(lab, len(self.vocab[r]))
            sizes = [len(v) for v in self.vocab]
        self.offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(int)
        self.n_features = int(sum(sizes))
        self.groups = np.concatenate([np.full(s, r) for r, s in enumerate(sizes)]).astype(int)
        self._sizes = sizes

    def _labels(self, ops):
        key = tuple(ops.tolist())
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = _wl_labels(self.bound, ops, self.h)
        return hit

    def _column(self, r, lab):
        if self.hashed:
            if r == 0:
                names = ["in", "out"] + self.bound.op_names
                return self.offset[0] + names.index(lab)
            return self.offset[r] + zlib.crc32(lab.encode()) % _WL_BUCKETS
        return self.offset[r] + self.vocab[r][lab]

    def transform(self, ops):
        F = np.zeros((ops.shape[0], self.n_features))
        for i, row in enumerate(ops):
            for r, labels in enumerate(self._labels(row)):
                for lab in labels:
                    F[i, self._column(r, lab)] += 1.0
        return F * ONE_HOT


class CellFeatureMap(FeatureMap):
    """GP features of a space with a cell: every other column as
    :class:`FeatureMap` encodes it, and the cell's edge columns replaced by
    the features of ``encoding`` (``"path"`` or ``"wl"``).

    Features of one cell are computed once and cached (the exhaustive
    scoring of a finite space transforms the same cells at every ask).
    """

    def __init__(self, space, bound, encoding, wl_h=1):
        super().__init__(space)
        self._flat = FeatureMap(space)  # the features of the other columns
        self.bound = bound
        self.encoding = encoding
        enc = _PathEncoder(bound) if encoding == "path" else _WLEncoder(bound, wl_h)
        self.encoder = enc
        cell_cols = set(bound.columns)
        # the base features to keep: those of non-cell columns
        base_groups = np.asarray(self._groups)
        keep = np.array([g not in cell_cols for g in base_groups], dtype=bool)
        self._keep = np.flatnonzero(keep)
        # renumber the kept groups 0..; the encoding's after them
        kept = base_groups[keep]
        uniq = {g: i for i, g in enumerate(dict.fromkeys(kept.tolist()))}
        self._cell_groups = np.concatenate(
            [np.array([uniq[g] for g in kept], dtype=int), len(uniq) + enc.groups]
        ).astype(int)
        new_index = -np.ones(len(base_groups), dtype=int)
        new_index[self._keep] = np.arange(self._keep.size)
        self.numeric_features = new_index[self.numeric_features]
        self.n_features = int(self._keep.size + enc.n_features)
        self.categorical = [c for c in self.categorical if c[0] not in cell_cols]
        self._cache = {}

    @property
    def groups(self):
        return self._cell_groups

    @property
    def n_groups(self):
        return int(self._cell_groups.max()) + 1 if self.n_features else 0

    def transform(self, V):
        V = np.atleast_2d(np.asarray(V, dtype=float))
        base = self._flat.transform(V)[:, self._keep]
        ops = self.bound.op_ids(V)
        cell = np.empty((len(V), self.encoder.n_features))
        missing = []
        for i, row in enumerate(ops):
            hit = self._cache.get(row.tobytes())
            if hit is None:
                missing.append(i)
            else:
                cell[i] = hit
        if missing:
            new = self.encoder.transform(ops[missing])
            for i, f in zip(missing, new):
                cell[i] = f
                if len(self._cache) < 200_000:
                    self._cache[ops[i].tobytes()] = f
        return np.hstack([base, cell])


def mutate_cells(bound, space, parents, n_per_parent, rng):
    """Mutations of ``parents`` (encoded vectors), as BANANAS proposes: each
    edge's operation redrawn (to a different one) with probability
    ``1 / n_edges``, at least one edge per child; other columns kept."""
    parents = np.atleast_2d(np.asarray(parents, dtype=float))
    if not len(parents) or n_per_parent < 1:
        return np.empty((0, space.n_dims))
    X = np.repeat(parents, n_per_parent, axis=0)
    cols = np.array(bound.columns)
    k = space.n_choices[cols]
    flip = rng.random((len(X), cols.size)) < 1.0 / cols.size
    none = ~flip.any(axis=1)
    flip[none, rng.integers(0, cols.size, none.sum())] = True
    shift = 1 + np.floor(rng.random((len(X), cols.size)) * (k - 1))
    cur = np.round(X[:, cols])
    X[:, cols] = np.where(flip, np.mod(cur + shift, k), cur)
    return X


def neighbour_cells(bound, space, parents):
    """Every cell one edge away from one of ``parents`` (encoded vectors):
    each edge's operation changed to each other one, other columns kept;
    the neighbourhood of local search over cells (White, Nolen & Savani
    2021). ``len(parents) * sum(n_ops - 1)`` rows, duplicates possible."""
    parents = np.atleast_2d(np.asarray(parents, dtype=float))
    blocks = []
    for j in bound.columns:
        k = int(space.n_choices[j])
        for shift in range(1, k):
            X = parents.copy()
            X[:, j] = np.mod(np.round(X[:, j]) + shift, k)
            blocks.append(X)
    return np.vstack(blocks) if blocks and len(parents) else np.empty((0, space.n_dims))
