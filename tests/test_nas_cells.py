"""DARTS-like cells: the operations, the discrete network, the supernet
(single paths, the relaxation, derive), CellNetClassifier as a sklearn
estimator and its edge aliases, and cell_search_space for black-box search."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from sksearch import TPESearchCV  # noqa: E402
from sksearch.nas import CELL_OPS, CellNetClassifier, cell_search_space  # noqa: E402
from sksearch.nas._cells import (  # noqa: E402
    _make_op,
    build_cell_net,
    build_supernet,
    cell_decisions,
    cell_oneshot_decisions,
)
from sksearch.space import Space  # noqa: E402

FAST = dict(max_epochs=30, lr=1e-2, batch_size=32, n_threads=1, random_state=0)
TINY = dict(channels=4, n_cells=1)

X_dig, y_dig = load_digits(return_X_y=True)
X_dig, y_dig = X_dig[:240], y_dig[:240]


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# --- operations and the discrete network -------------------------------------------


@pytest.mark.parametrize("op", CELL_OPS)
@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 1, 7), (3, 2, 3)])
def test_every_op_keeps_the_shape_and_every_cell_net_runs(op, shape):
    torch.manual_seed(0)
    x = torch.randn(4, 6, *shape[1:])
    module = _make_op(op, 6)
    if op == "zero":
        assert module is None
    else:
        assert module(x).shape == x.shape
    # a whole network of that op on every edge, small images and 1 x n rows
    net = build_cell_net(shape, 5, ops=(op,) * 6, n_nodes=3, channels=4, n_cells=3)
    out = net(torch.randn(3, *shape))
    assert out.shape == (3, 5) and torch.isfinite(out).all()


def test_network_structure():
    ops = ("conv3x3", "zero", "sep_conv3x3", "skip", "zero", "conv5x5")
    net = build_cell_net((1, 8, 8), 10, ops=ops, n_nodes=3, channels=8, n_cells=2)
    assert len(net.cells) == 2
    for cell, c in zip(net.cells, (8, 16)):  # channels double after the pooling
        assert sorted(cell.edges) == ["0_1", "0_3", "1_2", "2_3"]  # "zero" edges are absent
        assert cell.pre[1].out_channels == c and cell.post[1].in_channels == 3 * c
        assert cell.edges["2_3"][1].kernel_size == (5, 5)
    assert isinstance(net.reductions[0], torch.nn.MaxPool2d)
    assert net.classifier.in_features == 16
    with pytest.raises(ValueError, match="n_nodes=2 needs 3"):
        build_cell_net((1, 8, 8), 10, ops=ops, n_nodes=2, channels=8, n_cells=2)


def test_a_node_without_in_edges_is_zero():
    ops = ("conv3x3", "zero", "zero", "skip", "zero", "zero")  # node 2 has no in-edge
    net = build_cell_net((1, 4, 4), 3, ops=ops, n_nodes=3, channels=4, n_cells=1).eval()
    seen = {}
    net.cells[0].post.register_forward_hook(lambda m, args, out: seen.update(x=args[0]))
    net(torch.randn(2, 1, 4, 4))
    concat = seen["x"]
    assert concat.shape == (2, 12, 4, 4)
    assert torch.count_nonzero(concat[:, 4:8]) == 0 and torch.count_nonzero(concat[:, :4]) > 0


# --- the supernet -------------------------------------------------------------------


def _supernet(space=None, net=None, shape=(1, 8, 8), n_out=4):
    net = CellNetClassifier(channels=4, n_cells=2) if net is None else net
    return build_supernet(net, cell_decisions(space or cell_search_space()), shape, n_out)


def _set_alphas(supernet, logits):
    with torch.no_grad():
        for (name, _), alpha in zip(supernet.decisions, supernet.arch_parameters()):
            alpha.copy_(torch.as_tensor(logits[name], dtype=alpha.dtype))


def test_decisions_parameters_and_protocol():
    sup = _supernet()
    assert [n for n, _ in sup.decisions] == ["op_0_1", "op_0_2", "op_1_2", "op_0_3", "op_1_3",
                                             "op_2_3"]
    alphas = sup.arch_parameters()
    assert len(alphas) == 6 and all(a.shape == (7,) and not a.any() for a in alphas)
    ids = [id(p) for p in sup.weight_parameters()] + [id(a) for a in alphas]
    assert sorted(ids) == sorted(id(p) for p in sup.parameters())  # a partition
    x = torch.randn(6, 1, 8, 8)
    # the relaxation: gradients reach the alphas
    sup(x).logsumexp(1).sum().backward()
    assert all(a.grad is not None and a.grad.abs().sum() > 0 for a in alphas)
    # a single path: no alpha takes part, only the chosen ops have gradients
    sup.zero_grad(set_to_none=True)
    sup(x, {n: CELL_OPS.index("conv3x3") for n, _ in sup.decisions}).sum().backward()
    assert all(a.grad is None for a in alphas)
    mixed = sup.cells[0].edges["0_1"]
    assert mixed.ops["conv3x3"][1].weight.grad is not None
    assert mixed.ops["conv5x5"][1].weight.grad is None
    with pytest.raises(ValueError, match="no choice for the edges"):
        sup(x, {"op_0_1": 0})
    with pytest.raises(ValueError, match="is not the index"):
        sup(x, {n: 7 for n, _ in sup.decisions})


def test_derive_keeps_the_top_two_non_zero_in_edges():
    sup = _supernet()
    ops = list(CELL_OPS)

    def logits(strong, weight):
        v = np.zeros(len(ops))
        v[ops.index(strong)] = weight
        return v

    zero_wins = logits("zero", 9.0)
    zero_wins[ops.index("max_pool")] = 1.0  # the best non-zero op of an edge zero dominates
    _set_alphas(sup, {
        "op_0_1": zero_wins,                      # node 1's only edge: kept, never "zero"
        "op_0_2": logits("skip", 1.0),
        "op_1_2": logits("conv5x5", 3.0),         # node 2 keeps both of its two edges
        "op_0_3": logits("avg_pool", 2.0),
        "op_1_3": logits("sep_conv3x3", 4.0),
        "op_2_3": logits("conv3x3", 0.5),         # node 3: the weakest of three, dropped
    })
    arch = sup.derive()
    assert arch == {"op_0_1": "max_pool", "op_0_2": "skip", "op_1_2": "conv5x5",
                    "op_0_3": "avg_pool", "op_1_3": "sep_conv3x3", "op_2_3": "zero"}
    # every node keeps min(2, in-degree) edges, none of them "zero"
    for j in (1, 2, 3):
        kept = [n for n, op in arch.items() if n.endswith(f"_{j}") and op != "zero"]
        assert len(kept) == min(2, j)
    # ties (all alphas 0): the edges from the earlier nodes, the first op
    _set_alphas(sup, {n: np.zeros(7) for n, _ in sup.decisions})
    assert sup.derive() == {"op_0_1": "conv3x3", "op_0_2": "conv3x3", "op_1_2": "conv3x3",
                            "op_0_3": "conv3x3", "op_1_3": "conv3x3", "op_2_3": "zero"}


def test_derive_edges_without_a_zero_choice_are_kept():
    space = {"op_0_3": ["skip", "conv3x3"], "op_1_3": ["skip", "zero"],
             "op_2_3": ["conv3x3", "zero"], "op_0_2": ["zero"]}
    sup = _supernet(space)
    _set_alphas(sup, {"op_0_3": [0.0, 0.0], "op_1_3": [2.0, 0.0], "op_2_3": [1.0, 0.0],
                      "op_0_2": [0.0]})
    arch = sup.derive()
    # op_0_3 cannot be dropped; the top-2 of the droppable ones are kept
    assert arch == {"op_0_2": "zero", "op_0_3": "skip", "op_1_3": "skip", "op_2_3": "conv3x3"}
    params = sup.to_params(arch)
    # the edges that are not searched keep the template's operations
    assert params == {"n_nodes": 3, "op_0_1": "conv3x3", "op_0_2": "zero", "op_1_2": "conv3x3",
                      "op_0_3": "skip", "op_1_3": "skip", "op_2_3": "conv3x3"}
    with pytest.raises(ValueError, match="is not one of"):
        sup.to_params({**arch, "op_0_2": "skip"})


def _copy_single_path(sup, net, arch_values):
    """The supernet's weights of one architecture, into the discrete network."""
    state = {}
    for key, value in sup.state_dict().items():
        if key.startswith("alphas."):
            continue
        parts = key.split(".")
        if len(parts) > 6 and parts[2] == "edges" and parts[4] == "ops":  # cells.k.edges.i_j.ops.<op>.rest
            i, j = parts[3].split("_")
            if parts[5] != arch_values[f"op_{i}_{j}"]:
                continue
            key = ".".join(parts[:4] + parts[6:])
        state[key] = value
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert not unexpected
    # only the affine BN parameters that the supernet's mixed ops lack (DARTS)
    assert all(k.endswith((".weight", ".bias")) for k in missing), missing
    return net


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 1, 9)])
def test_a_single_path_of_the_supernet_is_the_discrete_network(shape):
    torch.manual_seed(0)
    sup = _supernet(shape=shape)
    arch_values = {"op_0_1": "sep_conv3x3", "op_0_2": "zero", "op_1_2": "max_pool",
                   "op_0_3": "conv5x5", "op_1_3": "avg_pool", "op_2_3": "skip"}
    arch = {name: choices.index(arch_values[name]) for name, choices in sup.decisions}
    x = torch.randn(16, *shape)
    sup.train()
    for _ in range(3):  # running statistics of that path
        sup(x + torch.randn_like(x), arch)
    params = sup.to_params(arch_values)
    est = CellNetClassifier(channels=4, n_cells=2).set_params(**params)
    net = build_cell_net(shape, 4, ops=est.cell, n_nodes=3, channels=4, n_cells=2)
    assert "0_2" not in net.cells[0].edges  # the "zero" edge is absent
    _copy_single_path(sup, net, arch_values)
    for mode in ("eval", "train"):
        sup.train(mode == "train")
        net.train(mode == "train")
        with torch.no_grad():
            torch.testing.assert_close(sup(x, arch), net(x), rtol=1e-5, atol=1e-6)
    # a one-hot relaxation is that path too
    _set_alphas(sup, {name: np.where(np.arange(len(c)) == arch[name], 50.0, -50.0)
                      for name, c in sup.decisions})
    sup.eval()
    net.eval()
    with torch.no_grad():
        torch.testing.assert_close(sup(x), net(x), rtol=1e-4, atol=1e-5)


def test_build_supernet_grows_the_cell_and_reads_the_input_shape():
    net = CellNetClassifier(channels=4, n_cells=1, input_shape=(4, 16))
    sup = build_supernet(net, cell_decisions(cell_search_space(4, ["skip", "zero"])), 64, 3)
    assert sup.n_nodes == 4 and len(sup.decisions) == 10
    assert sup(torch.randn(2, 1, 4, 16)).shape == (2, 3)
    params = sup.to_params(sup.derive())
    net.set_params(**params)
    assert net.n_nodes == 4 and len(net.cell) == 10 and net.cell == tuple(
        params[f"op_{i}_{j}"] for j in range(1, 5) for i in range(j))
    # flat rows without input_shape: squares are images, others 1 x n rows
    sup = build_supernet(CellNetClassifier(channels=4, n_cells=1),
                         cell_decisions(cell_search_space(2)), 10, 3)
    assert sup(torch.randn(2, 1, 1, 10)).shape == (2, 3)


def test_cell_decisions_order_and_errors():
    space = {"lr": [0.1], "op_1_2": ["skip", "zero"], "op_0_1": ["conv3x3"], "n_nodes": [2]}
    assert cell_decisions(space) == [("op_0_1", ["conv3x3"]), ("op_1_2", ["skip", "zero"])]
    assert cell_decisions([space]) == cell_decisions(space)
    with pytest.raises(ValueError, match=r"search_space\['op_0_1'\] must be a non-empty"):
        cell_decisions({"op_0_1": ["conv7x7"]})
    with pytest.raises(ValueError, match="no edge of the cell"):
        cell_decisions({"lr": [0.1]})
    with pytest.raises(ValueError, match="must be a dict"):
        cell_decisions([space, space])


def test_oneshot_family_interface_round_trip():
    """As the one-shot engine uses a family: decisions and fixed settings from
    the space, the template gets the fixed settings, the supernet is built,
    and the derived architecture (with the fixed settings) retrains."""
    net = CellNetClassifier(cell=("skip",) * 6, channels=4, n_cells=1,
                            **{**FAST, "max_epochs": 1})
    space = {**cell_search_space(4, ["conv3x3", "avg_pool", "zero"]), "lr": [0.01],
             "batch_size": [16, 32]}
    with pytest.warns(UserWarning, match=r"searches \['batch_size'\]"):
        decisions, fixed = cell_oneshot_decisions(space, net)
    assert fixed == {"n_nodes": 4, "lr": 0.01} and len(decisions) == 10
    template = clone(net).set_params(**fixed)
    sup = build_supernet(template, decisions, (1, 8, 8), 10)
    assert sup.n_nodes == 4 and sup(torch.randn(3, 1, 8, 8)).shape == (3, 10)
    params = {**fixed, **sup.to_params(sup.derive())}
    best = clone(template).set_params(**params).fit(X_dig, y_dig)
    assert best.n_nodes == 4 and best.cell == tuple(
        params[f"op_{i}_{j}"] for j in range(1, 5) for i in range(j))
    with pytest.raises(ValueError, match="'units_1', which is not a parameter"):
        cell_oneshot_decisions({**space, "units_1": [3]}, net, user_space=False)


# --- CellNetClassifier ----------------------------------------------------------------------


# Every check applies and passes. A one-node cell keeps them fast (30
# epochs reach sklearn's accuracy thresholds); the full cell is trained below.
@parametrize_with_checks([CellNetClassifier(cell=("conv3x3",), n_nodes=1, **TINY,
                                           **{**FAST, "batch_size": 64, "max_epochs": 30})])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_edge_aliases():
    net = CellNetClassifier()
    deep = net.get_params(deep=True)
    assert deep["op_0_1"] == "conv3x3" and deep["op_0_3"] == "zero" and deep["op_0_4"] is None
    assert "op_4_5" in deep and "op_0_6" not in deep and "op_1_1" not in deep
    assert "op_0_1" not in net.get_params(deep=False)
    net.set_params(op_0_3="max_pool", op_2_3="sep_conv3x3")
    assert net.cell == ("conv3x3", "skip", "conv3x3", "max_pool", "skip", "sep_conv3x3")
    net.set_params(**net.get_params(deep=True))  # deep params round-trip
    assert net.cell == ("conv3x3", "skip", "conv3x3", "max_pool", "skip", "sep_conv3x3")
    assert clone(net).cell == net.cell
    # the default cell stays None when the aliases repeat it
    assert CellNetClassifier().set_params(op_0_1="conv3x3").cell is None
    # growing the cell: n_nodes in the same call, new edges from the default rule
    net.set_params(n_nodes=4, op_0_4="avg_pool")
    assert net.cell == ("conv3x3", "skip", "conv3x3", "max_pool", "skip", "sep_conv3x3",
                        "avg_pool", "zero", "skip", "conv3x3")
    with pytest.raises(ValueError, match="op_0_5='skip' sets an edge into node 5.*set n_nodes"):
        net.set_params(op_0_5="skip")
    with pytest.raises(ValueError, match="Invalid parameter 'op_1_0'"):
        net.set_params(op_1_0="skip")
    with pytest.raises(ValueError, match="is not a sequence"):
        CellNetClassifier(cell="conv3x3").set_params(op_0_1="skip")


def test_invalid_cells_are_errors_at_fit():
    with pytest.raises(ValueError, match="n_nodes=3 needs 6, one per edge"):
        CellNetClassifier(cell=("skip",) * 3, **TINY, **FAST).fit(X_dig, y_dig)
    with pytest.raises(ValueError, match="cell must be a sequence of operations"):
        CellNetClassifier(cell=("skip",) * 5 + ("conv7x7",), **TINY, **FAST).fit(X_dig, y_dig)


def test_cell_follows_the_parameters():
    cell = ("sep_conv3x3", "zero", "avg_pool", "skip", "conv5x5", "zero")
    net = CellNetClassifier(cell=cell, channels=3, n_cells=3,
                            **{**FAST, "max_epochs": 1}).fit(X_dig, y_dig)
    assert len(net.module_.cells) == 3
    assert [c.pre[1].out_channels for c in net.module_.cells] == [3, 6, 12]
    assert sorted(net.module_.cells[0].edges) == ["0_1", "0_3", "1_2", "1_3"]
    assert net.module_.classifier.out_features == 10


def test_images_flat_rows_and_string_labels():
    kw = dict(TINY, **{**FAST, "max_epochs": 3})
    labels = np.array(list("abcdefghij"), dtype=object)[y_dig]
    images = X_dig.reshape(-1, 8, 8)
    ref = CellNetClassifier(input_shape=(8, 8), **kw).fit(X_dig, labels)
    assert ref.input_shape_ == (1, 8, 8) and list(ref.classes_) == list("abcdefghij")
    p = ref.predict_proba(X_dig)
    for X in (images, images[:, None]):
        np.testing.assert_allclose(CellNetClassifier(**kw).fit(X, labels).predict_proba(X), p,
                                   rtol=1e-5, atol=1e-6)
    assert set(ref.predict(images)) <= set("abcdefghij")
    # a 1 x n row per sample
    rows = CellNetClassifier(input_shape=(1, 64), **kw).fit(X_dig, y_dig)
    assert rows.input_shape_ == (1, 1, 64) and rows.predict(X_dig).shape == (240,)


def test_reproducible_and_warm_start_equals_one_fit():
    kw = dict(TINY, **{**FAST, "max_epochs": 3})
    a = CellNetClassifier(**kw).fit(X_dig, y_dig)
    b = CellNetClassifier(**kw).fit(X_dig, y_dig)
    np.testing.assert_array_equal(a.predict_proba(X_dig), b.predict_proba(X_dig))
    c = CellNetClassifier(**{**kw, "random_state": 1}).fit(X_dig, y_dig)
    assert not np.array_equal(a.predict_proba(X_dig), c.predict_proba(X_dig))
    inc = CellNetClassifier(**kw)
    for _ in range(3):
        inc.partial_fit(X_dig, y_dig, classes=np.unique(y_dig))
    assert inc.n_iter_ == 3
    np.testing.assert_allclose(inc.predict_proba(X_dig), a.predict_proba(X_dig),
                               rtol=1e-5, atol=1e-6)
    warm = CellNetClassifier(warm_start=True, **{**kw, "max_epochs": 1})
    for _ in range(3):
        warm.fit(X_dig, y_dig)
    np.testing.assert_allclose(warm.predict_proba(X_dig), a.predict_proba(X_dig),
                               rtol=1e-5, atol=1e-6)
    # a new cell is a new topology: training starts again
    warm.set_params(op_0_2="max_pool").fit(X_dig, y_dig)
    assert warm.n_iter_ == 1


def test_pickle_round_trip_and_continue():
    net = CellNetClassifier(**TINY, **{**FAST, "max_epochs": 2}).fit(X_dig, y_dig)
    again = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(again.predict_proba(X_dig), net.predict_proba(X_dig))
    net.partial_fit(X_dig, y_dig)
    again.partial_fit(X_dig, y_dig)
    np.testing.assert_allclose(again.predict_proba(X_dig), net.predict_proba(X_dig),
                               rtol=1e-5, atol=1e-6)


# --- the search space ----------------------------------------------------------------------


def test_cell_search_space():
    space = cell_search_space()
    assert list(space) == ["n_nodes", "op_0_1", "op_0_2", "op_1_2", "op_0_3", "op_1_3",
                           "op_2_3"]
    assert all(space[k] == list(CELL_OPS) for k in space if k != "n_nodes")
    assert Space(space).size == 7 ** 6
    with pytest.raises(ValueError, match="n_nodes"):
        cell_search_space(0)
    with pytest.raises(ValueError, match="ops must be"):
        cell_search_space(ops=["conv3x3", "conv3x3"])


def test_black_box_search_over_cells():
    space = cell_search_space(2, ["conv3x3", "max_pool", "skip", "zero"])
    net = CellNetClassifier(channels=4, n_cells=1, **{**FAST, "max_epochs": 2})
    search = TPESearchCV(net, space, n_iter=3, cv=2, random_state=0)
    search.fit(X_dig[:120], y_dig[:120])
    assert len(search.cv_results_["params"]) == 3
    assert set(search.best_params_) == set(space)
    best = search.best_estimator_
    assert best.n_nodes == 2 and best.cell == tuple(
        search.best_params_[k] for k in ("op_0_1", "op_0_2", "op_1_2"))
    assert best.predict(X_dig[:5]).shape == (5,)


def test_estimator_module_imports_without_torch():
    code = textwrap.dedent(
        """
        import importlib.abc
        import sys

        class NoTorch(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "torch":
                    raise ModuleNotFoundError("No module named 'torch'", name="torch")

        sys.meta_path.insert(0, NoTorch())
        from sksearch.nas import CellNetClassifier, cell_search_space
        CellNetClassifier().set_params(n_nodes=2, op_1_2="skip")
        cell_search_space(2, ["skip", "zero"])
        try:
            CellNetClassifier().fit([[0.0, 1.0], [1.0, 0.0]], [0, 1])
        except ImportError as exc:
            assert 'pip install "sksearch[nas]"' in str(exc), exc
        assert "torch" not in sys.modules
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
