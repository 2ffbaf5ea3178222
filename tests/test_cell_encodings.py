"""Cell spaces in the GP: the Cell declaration, the path and WL encodings on
hand-made cells, the kernel on them, the acquisition over cells (exhaustive
and by mutation), BayesOptimizer / BayesSearchCV on a cell space, and the
errors that name the parameter."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from sksearch import BayesSearchCV
from sksearch.optimizers import BayesOptimizer, Cell
from sksearch.optimizers._gp.cell import (
    CellFeatureMap,
    _BoundCell,
    detect_cell,
    mutate_cells,
    neighbour_cells,
)
from sksearch.optimizers._gp.gp import Posterior, fit_kernel
from sksearch.optimizers._gp.search_space import FeatureMap
from sksearch.space import Categorical, Real, Space

# NAS-Bench-201's cell: 4 nodes, 6 edges, 5 operations
OPS = ["none", "skip_connect", "conv_1x1", "conv_3x3", "avg_pool_3x3"]
EDGES = {"e01": (0, 1), "e02": (0, 2), "e12": (1, 2), "e03": (0, 3), "e13": (1, 3),
         "e23": (2, 3)}
SPACE = Space({e: OPS for e in EDGES})
CELL = Cell(EDGES)


def vec(**ops):
    """The encoded vector of a cell; edges not named are "none"."""
    return SPACE.encode({e: ops.get(e, "none") for e in EDGES})


def features(encoding, *cells):
    fmap = CellFeatureMap(SPACE, _BoundCell(CELL, SPACE), encoding)
    return fmap.transform(np.array(cells))


# -- the encodings on hand-made cells ----------------------------------------------
def test_path_encoding_counts_the_paths_of_each_operation_sequence():
    bound = _BoundCell(CELL, SPACE)
    # input -> output: 0-3, 0-1-3, 0-2-3, 0-1-2-3
    assert sorted(len(p) for p in bound.paths) == [1, 2, 2, 3]
    all_conv = vec(**{e: "conv_3x3" for e in EDGES})
    F = features("path", all_conv)[0]
    # one path of length 1, two of length 2 and one of length 3, all conv_3x3
    assert np.count_nonzero(F) == 3
    np.testing.assert_allclose(np.sort(F[F > 0]) / F[F > 0].min(), [1, 1, 2])


def test_none_cuts_every_path_through_its_edge():
    full = {e: "conv_3x3" for e in EDGES}
    cut = dict(full, e01="none")  # kills 0-1-3 and 0-1-2-3
    F_full, F_cut = features("path", vec(**full), vec(**cut))
    assert F_cut.sum() < F_full.sum()
    # what is left is the paths 0-3 and 0-2-3, whatever the dead edges carry
    dead_edges_differ = dict(cut, e12="avg_pool_3x3", e13="skip_connect")
    for encoding in ("path", "wl"):
        a, b = features(encoding, vec(**cut), vec(**dead_edges_differ))
        np.testing.assert_array_equal(a, b)
    # no path at all: the empty encoding
    assert not features("path", vec(e01="conv_3x3", e12="conv_3x3")).any()


@pytest.mark.parametrize("encoding", ["path", "wl"])
def test_isomorphic_cells_have_the_same_features(encoding):
    # one conv-then-pool path through node 1, or the same through node 2
    a = vec(e01="conv_3x3", e13="avg_pool_3x3")
    b = vec(e02="conv_3x3", e23="avg_pool_3x3")
    Fa, Fb = features(encoding, a, b)
    np.testing.assert_array_equal(Fa, Fb)
    assert SPACE.key(a) != SPACE.key(b)
    # the order of the operations on the path matters
    c = vec(e01="avg_pool_3x3", e13="conv_3x3")
    assert not np.array_equal(features(encoding, c)[0], Fa)


def test_wl_features_see_the_structure_beyond_the_operation_counts():
    # the same operations: two parallel convs, or two convs in a chain
    parallel = vec(e03="conv_3x3", e01="skip_connect", e13="conv_3x3")
    chain = vec(e01="conv_3x3", e12="skip_connect", e23="conv_3x3")
    Fp, Fc = features("wl", parallel, chain)
    fmap = CellFeatureMap(SPACE, _BoundCell(CELL, SPACE), "wl")
    round0 = fmap.groups == 0
    np.testing.assert_array_equal(Fp[round0], Fc[round0])
    assert not np.array_equal(Fp, Fc)


@pytest.mark.parametrize("encoding", ["path", "wl"])
def test_kernel_on_cell_features_is_positive_semidefinite(encoding):
    rng = np.random.default_rng(0)
    V = SPACE.sample_vectors(60, rng)
    fmap = CellFeatureMap(SPACE, _BoundCell(CELL, SPACE), encoding)
    F = fmap.transform(V)
    y = rng.standard_normal(len(V))
    kernel = fit_kernel(F, y, groups=fmap.groups)
    post = Posterior(kernel, F, y, fmap.groups)
    K = post._k(post._Fs, post._Fs_sq, F)  # the kernel matrix, without the noise
    assert np.linalg.eigvalsh((K + K.T) / 2).min() > -1e-8 * np.abs(K).max()
    # and the posterior built on it predicts finite values
    mean, std = post.predict(F[:5])
    assert np.all(np.isfinite(mean)) and np.all(std > 0)


def test_feature_map_keeps_the_other_columns_as_the_flat_map_encodes_them():
    space = Space({**{e: OPS for e in EDGES}, "lr": Real(1e-3, 1.0, log=True),
                   "act": ["relu", "gelu"]})
    cell = CellFeatureMap(space, _BoundCell(CELL, space), "path")
    flat = FeatureMap(space)
    V = space.sample_vectors(7, np.random.default_rng(1))
    Fc, Ff = cell.transform(V), flat.transform(V)
    # the numeric column and the one-hot of "act" are unchanged
    lr = space.columns.index(next(c for c in space.columns if c[1] == "lr"))
    np.testing.assert_array_equal(Fc[:, cell.numeric_features], Ff[:, flat.numeric_features])
    assert cell.numeric_columns.tolist() == [lr]
    assert len(cell.groups) == cell.n_features == Fc.shape[1]


def test_mutations_change_edges_only():
    bound = _BoundCell(CELL, SPACE)
    parents = SPACE.sample_vectors(3, np.random.default_rng(2))
    kids = mutate_cells(bound, SPACE, parents, 20, np.random.default_rng(3))
    assert kids.shape == (60, SPACE.n_dims)
    changed = (kids != np.repeat(parents, 20, axis=0)).sum(axis=1)
    assert changed.min() >= 1
    assert np.all(kids == np.round(kids)) and np.all(kids < len(OPS))


def test_neighbours_are_every_one_edge_change_of_each_parent():
    bound = _BoundCell(CELL, SPACE)
    parents = np.array([vec(e01="conv_3x3"), vec(e12="skip_connect", e23="conv_1x1")])
    out = neighbour_cells(bound, SPACE, parents)
    assert out.shape == (2 * 6 * 4, SPACE.n_dims)
    for p in parents:
        mine = out[np.sum(out != p, axis=1) == 1]
        # each of the 6 edges to each of its 4 other operations, once
        assert len({tuple(r) for r in mine}) == 24
    assert np.all(np.min([np.sum(out != p, axis=1) for p in parents], axis=0) == 1)
    assert neighbour_cells(bound, SPACE, np.empty((0, SPACE.n_dims))).shape == (0, 6)


def test_local_proposals_are_neighbours_of_the_best_until_none_is_left():
    opt = BayesOptimizer(SPACE, cell=CELL, encoding="wl", cell_proposals="local",
                         n_initial_points=5, random_state=0)
    for _ in range(5):
        batch = opt.ask(1)
        opt.tell(batch, [_score(batch[0])])
    for _ in range(6):
        X = np.array(opt.X_)
        best5 = X[np.argsort(-np.array(opt.y_), kind="stable")[:5]]
        v = SPACE.encode(opt.ask(1)[0])
        assert np.min(np.sum(best5 != v, axis=1)) == 1
        opt.tell([SPACE.decode(v)], [_score(SPACE.decode(v))])
    # a space of 4 cells: the neighbourhood is spent at once, the rest is
    # still proposed, each cell once
    tiny = Space({"e01": ["none", "conv_3x3"], "e12": ["none", "conv_3x3"]})
    opt = BayesOptimizer(tiny, cell=Cell({"e01": (0, 1), "e12": (1, 2)}), encoding="wl",
                         cell_proposals="local", n_initial_points=2, random_state=0)
    seen = set()
    for _ in range(4):
        batch = opt.ask(1)
        seen.add(tuple(batch[0].values()))
        opt.tell(batch, [float(sum(op == "conv_3x3" for op in batch[0].values()))])
    assert len(seen) == 4 and opt.ask(1) == []


def test_auto_proposals_are_local_also_where_the_space_is_not_finite(monkeypatch):
    import sksearch.optimizers.bayes as bayes_module

    calls = []
    real = bayes_module.neighbour_cells
    monkeypatch.setattr(bayes_module, "neighbour_cells",
                        lambda *a: calls.append(1) or real(*a))
    opt = BayesOptimizer(SPACE, cell=CELL, n_initial_points=4, random_state=0)
    for _ in range(6):
        batch = opt.ask(1)
        opt.tell(batch, [_score(batch[0])])
    assert len(calls) == 2  # one per model-based ask
    # a real-valued column beside the edges: too large to enumerate
    big = {**{e: OPS for e in EDGES}, "lr": Real(1e-3, 1.0, log=True)}
    calls.clear()
    opt = BayesOptimizer(big, cell=CELL, n_initial_points=4, n_candidates=50, random_state=0)
    assert opt._all is None
    for _ in range(4):
        batch = opt.ask(1)
        opt.tell(batch, [_score({e: batch[0][e] for e in EDGES}) - batch[0]["lr"]])
    X, y = np.array(opt.X_), np.array(opt.y_)
    edges = [i for i, (_, name, _) in enumerate(opt.space.columns) if name in EDGES]
    assert len(edges) == 6
    best5 = X[np.argsort(-y, kind="stable")[:5]][:, edges]
    v = opt.space.encode(opt.ask(1)[0])[edges]
    assert len(calls) == 1
    assert np.min(np.sum(best5 != v, axis=1)) == 1  # one edge from a best cell


def test_cells_named_like_cellnet_edges_are_recognised():
    space = Space({"n_nodes": [2], "op_0_1": ["conv3x3", "zero"],
                   "op_0_2": ["conv3x3", "zero"], "op_1_2": ["skip", "zero"], "lr": [0.1]})
    cell = detect_cell(space)
    assert cell is not None and cell._edge_map() == {"op_0_1": (0, 1), "op_0_2": (0, 2),
                                                     "op_1_2": (1, 2)}
    assert cell.output == [1, 2]
    assert detect_cell(Space({"C": [1, 2], "kernel": ["rbf"]})) is None
    prefixed = Space({"net__op_0_1": ["a", "zero"], "net__op_1_2": ["b", "zero"]})
    assert detect_cell(prefixed) is not None


# -- the optimizer -----------------------------------------------------------------
def _score(c):
    """The live paths of the cell plus its conv_3x3 edges: 10 at best (all
    edges conv_3x3)."""
    live = features("path", SPACE.encode(c))[0].sum() * np.sqrt(2.0)
    return float(round(live) + sum(op == "conv_3x3" for op in c.values()))


@pytest.mark.parametrize("encoding", ["flat", "path", "wl"])
@pytest.mark.parametrize("proposals", ["local", "exhaustive", "mutation"])
def test_bayes_optimizer_searches_a_cell(encoding, proposals):
    opt = BayesOptimizer(SPACE, cell=CELL, encoding=encoding, cell_proposals=proposals,
                         n_initial_points=5, random_state=0)
    assert opt.encoding_ == encoding
    keys = set()
    for _ in range(12):
        batch = opt.ask(2)
        keys.update(SPACE.key(SPACE.encode(c)) for c in batch)
        opt.tell(batch, [_score(c) for c in batch])
    assert len(keys) == 24  # never the same cell twice
    assert opt.best()[1] >= 8


def test_cell_search_is_reproducible():
    def run():
        opt = BayesOptimizer(SPACE, cell=CELL, n_initial_points=4, random_state=3)
        out = []
        for _ in range(6):
            batch = opt.ask(1)
            opt.tell(batch, [_score(c) for c in batch])
            out += batch
        return out

    assert run() == run()


def test_default_encoding_and_the_flat_spaces():
    assert BayesOptimizer(SPACE, cell=CELL).encoding_ == "wl"
    plain = BayesOptimizer({"x": Real(0, 1), "k": ["a", "b"]})
    assert plain.encoding_ == "flat" and type(plain._fmap) is FeatureMap
    assert plain._cell is None
    # a cell declared but encoded flat sees one-hot edges, as any categorical
    flat = BayesOptimizer(SPACE, cell=CELL, encoding="flat")
    assert type(flat._fmap) is FeatureMap


def test_mixed_space_with_a_cell_too_large_to_enumerate():
    space = {**{e: OPS for e in EDGES}, "lr": Real(1e-3, 1.0, log=True)}
    opt = BayesOptimizer(space, cell=CELL, encoding="wl", n_initial_points=4,
                         n_candidates=50, random_state=0)
    assert opt._all is None
    for _ in range(8):
        batch = opt.ask(1)
        opt.tell(batch, [_score({e: batch[0][e] for e in EDGES}) - batch[0]["lr"]])
    assert len(opt.y_) == 8


# -- errors ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(cell=Cell({"nope": (0, 1)})), "'nope' is not in the space"),
        (dict(cell=Cell({"e01": (1, 0)})), "edge 'e01' must map to"),
        (dict(cell=Cell(["e01"])), "not named op_<i>_<j>"),
        (dict(cell=Cell({})), "edges is empty"),
        (dict(cell=Cell(EDGES, output=7)), "output must name nodes"),
        (dict(encoding="graph"), "encoding must be one of"),
        (dict(cell=CELL, cell_proposals="all"), "cell_proposals must be one of"),
    ],
)
def test_bad_cells_are_refused_naming_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        BayesOptimizer(SPACE, **kwargs)


def test_other_bad_input():
    with pytest.raises(ValueError, match="encoding='path' needs a cell"):
        BayesOptimizer({"x": Real(0, 1)}, encoding="path")
    with pytest.raises(TypeError, match="cell must be a sksearch.optimizers.Cell"):
        BayesOptimizer(SPACE, cell={"e01": (0, 1)})
    with pytest.raises(ValueError, match="edge parameter 'x' must be a list of operation"):
        BayesOptimizer({"x": Real(0, 1), "y": ["a", "none"]}, cell=Cell({"x": (0, 1)}))
    with pytest.raises(ValueError, match="several sub-spaces"):
        BayesOptimizer([{"e01": OPS}, {"e01": OPS, "z": [1]}], cell=Cell({"e01": (0, 1)}))
    big = {**{e: OPS for e in EDGES}, "lr": Real(0, 1)}
    with pytest.raises(ValueError, match="cell_proposals='exhaustive' needs a finite"):
        BayesOptimizer(big, cell=CELL, cell_proposals="exhaustive")


# -- BayesSearchCV -----------------------------------------------------------------
class CellModel(BaseEstimator):
    """A model whose score is the number of conv_3x3 on the cell's paths."""

    def __init__(self, op_0_1="none", op_0_2="none", op_1_2="none"):
        self.op_0_1 = op_0_1
        self.op_0_2 = op_0_2
        self.op_1_2 = op_1_2

    def fit(self, X, y=None):
        return self

    def score(self, X, y=None):
        direct = self.op_0_2 == "conv_3x3"
        chain = self.op_0_1 == "conv_3x3" and self.op_1_2 != "none"
        return float(direct) + float(chain) + float(self.op_1_2 == "conv_3x3") * chain


def test_bayes_search_cv_recognises_and_takes_a_cell():
    X = np.zeros((6, 1))
    space = {f"op_{i}_{j}": OPS for i, j in [(0, 1), (0, 2), (1, 2)]}
    search = BayesSearchCV(CellModel(), space, n_iter=14, cv=2, random_state=0,
                           n_initial_points=4).fit(X)
    assert search.optimizer_.encoding_ == "wl"
    assert search.best_score_ == 3.0
    # the same with the cell declared and another encoding
    cell = Cell({"op_0_1": (0, 1), "op_0_2": (0, 2), "op_1_2": (1, 2)}, output=2)
    search = BayesSearchCV(CellModel(), space, n_iter=14, cv=2, random_state=0,
                           n_initial_points=4, cell=cell, encoding="path").fit(X)
    assert search.optimizer_.encoding_ == "path"
    assert search.best_score_ >= 2.0


def test_local_cell_search_is_the_same_for_any_n_jobs():
    X = np.zeros((6, 1))
    space = {f"op_{i}_{j}": OPS for i, j in [(0, 1), (0, 2), (1, 2)]}

    def run(n_jobs):
        search = BayesSearchCV(CellModel(), space, n_iter=12, cv=2, random_state=1,
                               n_initial_points=4, cell_proposals="local", n_jobs=n_jobs)
        return [dict(p) for p in search.fit(X).cv_results_["params"]]

    assert run(1) == run(2)


class CountedCellModel(CellModel):
    fits = []

    def fit(self, X, y=None):
        CountedCellModel.fits.append((self.op_0_1, self.op_0_2, self.op_1_2))
        return super().fit(X, y)


def test_a_resumed_local_cell_search_fits_only_what_the_journal_lacks(tmp_path):
    X = np.zeros((6, 1))
    space = {f"op_{i}_{j}": OPS for i, j in [(0, 1), (0, 2), (1, 2)]}
    path = tmp_path / "journal.jsonl"

    def search():
        return BayesSearchCV(CountedCellModel(), space, n_iter=12, cv=2, random_state=0,
                             n_initial_points=4, checkpoint=path)

    full = [dict(p) for p in search().fit(X).cv_results_["params"]]
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[: len(lines) // 2]) + "\n")  # as a kill leaves it
    kept = len(lines) // 2 - 1  # candidates the cut journal still holds
    CountedCellModel.fits.clear()
    resumed = search().fit(X)
    assert [dict(p) for p in resumed.cv_results_["params"]] == full
    assert len(CountedCellModel.fits) == (12 - kept) * 2 + 1  # the rest, then the refit


def test_bayes_search_cv_names_a_bad_encoding():
    with pytest.raises(ValueError, match="encoding"):
        BayesSearchCV(CellModel(), {"op_0_1": OPS}, n_iter=2, encoding="graph").fit(
            np.zeros((4, 1)))
    with pytest.raises(ValueError, match="cell_proposals"):
        BayesSearchCV(CellModel(), {"op_0_1": OPS}, n_iter=2, cell_proposals="pool").fit(
            np.zeros((4, 1)))
    with pytest.raises(ValueError, match="edge parameter 'op_0_1' must be a list of"):
        BayesSearchCV(CellModel(), {"op_0_1": Categorical([1, 2])}, n_iter=2, cv=2,
                      cell=Cell(["op_0_1"])).fit(np.zeros((4, 1)))


def test_wide_features_grouped_distances_agree_with_the_direct_ones():
    from sksearch.optimizers._gp.gp import grouped_sq_diff

    rng = np.random.default_rng(0)
    F, groups = rng.random((20, 600)), rng.integers(0, 3, 600)
    direct = ((F[:, None, :] - F[None, :, :]) ** 2) @ np.eye(3)[groups]
    np.testing.assert_allclose(grouped_sq_diff(F, groups), direct, atol=1e-10)


def test_a_large_cell_space_hashes_its_wl_labels():
    from sksearch.nas._spaces import cell_search_space

    opt = BayesOptimizer(cell_search_space(), n_initial_points=4, n_candidates=40,
                         random_state=0)
    assert opt.encoding_ == "wl" and opt._fmap.encoder.hashed
    for _ in range(6):
        batch = opt.ask(1)
        opt.tell(batch, [float(sum(v == "conv3x3" for v in batch[0].values()))])
    assert len(set(map(str, opt.candidates_))) == 6
