"""Weisfeiler-Lehman kernel on NAS-Bench-201 cells: sksearch's features
against GraKeL's ``WeisfeilerLehman`` kernel.

2 000 random cells (6 edges, 4 operations or none, seed 0), one WL round; the
time to build the 2 000 x 2 000 kernel matrix (sksearch: the label
histograms and their inner products, after its one-time vocabulary; GraKeL:
graph objects and ``fit_transform``). GraKeL is not a dependency; time it in
an environment that has it::

    OMP_NUM_THREADS=1 python -m benchmarks.wl_kernel_speed           # sksearch
    OMP_NUM_THREADS=1 python -m benchmarks.wl_kernel_speed --grakel  # pip install grakel
"""

# SPDX-License-Identifier: BSD-3-Clause

import sys
import time

import numpy as np

OPS = ["skip", "c1", "c3", "pool"]
EDGES = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]


def cells(n=2000, seed=0):
    return np.random.default_rng(seed).integers(-1, len(OPS), size=(n, len(EDGES)))


def graph(c):
    """Operation nodes (input 0, output 1) and their edges, as sksearch builds
    them (without the pruning, which random cells need little)."""
    live = [k for k in range(len(EDGES)) if c[k] >= 0]
    node, labels = {}, {0: "in", 1: "out"}
    for k in live:
        node[k] = len(labels)
        labels[node[k]] = OPS[c[k]]
    arcs = set()
    for k in live:
        i, j = EDGES[k]
        if i == 0:
            arcs.add((0, node[k]))
        if j == 3:
            arcs.add((node[k], 1))
        arcs.update((node[k], node[m]) for m in live if EDGES[m][0] == j)
    return arcs, labels


def time_grakel(C):
    from grakel import Graph
    from grakel.kernels import VertexHistogram, WeisfeilerLehman

    t = time.perf_counter()
    graphs = []
    for c in C:
        arcs, labels = graph(c)
        adj = {v: [] for v in labels}
        for a, b in arcs:
            adj[a].append(b)
        graphs.append(Graph(adj, node_labels=labels))
    K = WeisfeilerLehman(n_iter=1, base_graph_kernel=VertexHistogram).fit_transform(graphs)
    return K.shape, time.perf_counter() - t, 0.0


def time_sksearch(C):
    from sksearch.optimizers import Cell
    from sksearch.optimizers._gp.cell import _BoundCell, _WLEncoder
    from sksearch.space import Space

    space = Space({f"e{k}": ["none"] + OPS for k in range(len(EDGES))})
    bound = _BoundCell(Cell({f"e{k}": e for k, e in enumerate(EDGES)}), space)
    t0 = time.perf_counter()
    enc = _WLEncoder(bound, 1)
    t1 = time.perf_counter()
    F = enc.transform(C)
    K = F @ F.T
    return K.shape, time.perf_counter() - t1, t1 - t0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    name = "grakel" if "--grakel" in argv else "sksearch"
    shape, seconds, once = (time_grakel if name == "grakel" else time_sksearch)(cells())
    print(f"{name}: kernel {shape} in {seconds:.2f} s (one-time vocabulary {once:.2f} s)")


if __name__ == "__main__":
    main()
