"""The torch networks as sklearn estimators: sklearn's checks, topology
parameters, training (seeds, warm start, early stopping), inputs, pickling."""

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, load_iris, make_regression  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from sksearch.nas import ConvNetClassifier, MLPNetClassifier, MLPNetRegressor  # noqa: E402
from sksearch.nas._training import _device_available  # noqa: E402

# tiny, one-threaded nets: fast and deterministic on a loaded CI machine
FAST = dict(max_epochs=30, lr=1e-2, batch_size=32, n_threads=1, random_state=0)

X_iris, y_iris = load_iris(return_X_y=True)
X_dig, y_dig = load_digits(return_X_y=True)
X_dig, y_dig = X_dig[:240], y_dig[:240]


# Every check applies and passes: none is excluded. With ``max_epochs=30`` and
# ``lr=1e-2`` the tiny nets reach sklearn's accuracy / R^2 thresholds.
@parametrize_with_checks(
    [
        MLPNetClassifier((16,), **FAST),
        MLPNetRegressor((16,), **FAST),
        ConvNetClassifier(conv_channels=(4,), dense_sizes=(), **FAST),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# --- topology parameters ------------------------------------------------------


def test_layer_aliases_set_and_get():
    net = MLPNetClassifier((64,))
    net.set_params(n_layers=3, units_2=32, units_3=8)
    assert net.hidden_layer_sizes == (64, 32, 8)
    deep = net.get_params(deep=True)
    assert deep["n_layers"] == 3 and deep["units_3"] == 8 and deep["units_4"] is None
    assert "units_8" in deep and "units_9" not in deep
    # depth first, repeating the last width
    assert net.set_params(n_layers=4).hidden_layer_sizes == (64, 32, 8, 8)
    assert net.set_params(n_layers=1).hidden_layer_sizes == (64,)
    assert net.set_params(n_layers=0).hidden_layer_sizes == ()
    # shallow params are only the constructor's, so clone keeps the tuple
    assert "units_1" not in net.get_params(deep=False)
    assert clone(net.set_params(hidden_layer_sizes=(5, 6))).hidden_layer_sizes == (5, 6)
    # deep params round-trip (None past the depth is a no-op)
    net.set_params(**net.get_params(deep=True))
    assert net.hidden_layer_sizes == (5, 6)


def test_layer_alias_past_the_depth_is_an_error():
    net = MLPNetClassifier((64,))
    with pytest.raises(ValueError, match="units_3=16 sets layer 3.*set n_layers"):
        net.set_params(units_3=16)
    with pytest.raises(ValueError, match="n_layers must be an integer"):
        net.set_params(n_layers=-1)
    with pytest.raises(ValueError, match="Invalid parameter 'unit_1'"):
        net.set_params(unit_1=16)


def test_cnn_aliases():
    net = ConvNetClassifier(conv_channels=(8,), kernel_sizes=3, dense_sizes=())
    net.set_params(n_blocks=2, channels_2=16, kernel_size_2=5, n_dense=1, dense_1=32)
    assert net.conv_channels == (8, 16)
    assert net.kernel_sizes == (3, 5)
    assert net.dense_sizes == (32,)
    deep = net.get_params(deep=True)
    assert deep["n_blocks"] == 2 and deep["kernel_size_1"] == 3 and deep["n_dense"] == 1


def test_invalid_get_params_does_not_raise_but_fit_does():
    net = MLPNetClassifier("wide", **FAST)
    assert net.get_params(deep=True)["n_layers"] is None
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        net.fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="positive integers"):
        MLPNetClassifier((16, 0), **FAST).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="kernel_sizes"):
        ConvNetClassifier(conv_channels=(4, 4), kernel_sizes=(3,), **FAST).fit(X_dig, y_dig)


def test_module_follows_the_parameters():
    net = MLPNetClassifier((7, 5), batch_norm=True, dropout=0.5, activation="tanh",
                           **{**FAST, "max_epochs": 1}).fit(X_iris, y_iris)
    kinds = [type(m).__name__ for m in net.module_]
    assert kinds == ["Linear", "BatchNorm1d", "Tanh", "Dropout",
                     "Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear"]
    assert net.module_[0].in_features == 4 and net.module_[-1].out_features == 3
    cnn = ConvNetClassifier(conv_channels=(4, 6), kernel_sizes=(3, 5), pooling="avg",
                            dense_sizes=(12,), **{**FAST, "max_epochs": 1}).fit(X_dig, y_dig)
    convs = [m for m in cnn.module_ if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == [4, 6]
    assert [c.kernel_size for c in convs] == [(3, 3), (5, 5)]
    assert any(isinstance(m, torch.nn.AvgPool2d) for m in cnn.module_)
    assert cnn.module_[-1].out_features == 10


# --- labels, targets, inputs -------------------------------------------------------


def test_string_labels_and_probabilities():
    labels = np.array(["setosa", "versicolor", "virginica"], dtype=object)[y_iris]
    net = MLPNetClassifier((16,), **FAST).fit(X_iris, labels)
    assert list(net.classes_) == ["setosa", "versicolor", "virginica"]
    proba = net.predict_proba(X_iris)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(net.predict(X_iris), net.classes_[proba.argmax(axis=1)])
    assert net.score(X_iris, labels) > 0.9


def test_regressor_single_and_multi_output():
    X, y = make_regression(n_samples=120, n_features=5, n_targets=2, noise=0.1,
                           random_state=0)
    y = y * 100 + 50  # targets far from the unit scale: standardized inside
    net = MLPNetRegressor((32,), **FAST).fit(X, y)
    assert net.predict(X).shape == (120, 2) and net.n_outputs_ == 2
    assert net.score(X, y) > 0.8
    assert MLPNetRegressor((8,), **FAST).fit(X, y[:, 0]).predict(X).shape == (120,)


def test_cnn_reads_flat_rows_and_images_alike():
    kw = dict(conv_channels=(4,), dense_sizes=(), **{**FAST, "max_epochs": 3})
    flat = ConvNetClassifier(**kw).fit(X_dig, y_dig)  # 64 = 8x8, inferred
    assert flat.input_shape_ == (1, 8, 8) and flat.n_features_in_ == 64
    images = X_dig.reshape(-1, 8, 8)
    p = flat.predict_proba(X_dig)
    for X in (images, images[:, None], X_dig):
        np.testing.assert_allclose(ConvNetClassifier(**kw).fit(X, y_dig).predict_proba(X), p,
                                   rtol=1e-5, atol=1e-6)
    # predict takes the flat rows or the images, whatever fit saw
    np.testing.assert_allclose(flat.predict_proba(images), p, rtol=1e-6)
    # an explicit input_shape: 2 channels of 4x8
    two = ConvNetClassifier(input_shape=(2, 4, 8), **kw).fit(X_dig, y_dig)
    assert two.input_shape_ == (2, 4, 8)
    assert two.module_[0].in_channels == 2


def test_cnn_input_errors():
    kw = dict(conv_channels=(4,), **{**FAST, "max_epochs": 1})
    with pytest.raises(ValueError, match="input_shape=.*does not fit"):
        ConvNetClassifier(input_shape=(7, 7), **kw).fit(X_dig, y_dig)
    net = ConvNetClassifier(**kw).fit(X_dig.reshape(-1, 8, 8), y_dig)
    with pytest.raises(ValueError, match="X has 36 features, but ConvNetClassifier is expecting"):
        net.predict(np.zeros((2, 6, 6)))
    with pytest.raises(ValueError, match="images of shape"):
        net.predict(np.zeros((2, 4, 16)))


# --- training -----------------------------------------------------------------------


def test_random_state_reproducible_and_global_rng_untouched():
    torch.manual_seed(123)
    before = torch.get_rng_state()
    a = MLPNetClassifier((16,), dropout=0.2, **FAST).fit(X_iris, y_iris)
    assert torch.equal(torch.get_rng_state(), before)
    b = MLPNetClassifier((16,), dropout=0.2, **FAST).fit(X_iris, y_iris)
    np.testing.assert_array_equal(a.predict_proba(X_iris), b.predict_proba(X_iris))
    c = MLPNetClassifier((16,), dropout=0.2, **{**FAST, "random_state": 1}).fit(X_iris, y_iris)
    assert not np.array_equal(a.predict_proba(X_iris), c.predict_proba(X_iris))


def test_partial_fit_epochs_equal_one_fit():
    """Epoch fidelity: k partial_fit calls (or warm-started fits) train exactly
    as one fit of k epochs, RNG stream and optimizer state included."""
    kw = dict(FAST, max_epochs=3, dropout=0.1)
    full = MLPNetClassifier((16,), **kw).fit(X_iris, y_iris)
    inc = MLPNetClassifier((16,), **kw)
    for _ in range(3):
        inc.partial_fit(X_iris, y_iris, classes=np.unique(y_iris))
    assert inc.n_iter_ == 3 and len(inc.history_) == 3
    np.testing.assert_allclose(inc.predict_proba(X_iris), full.predict_proba(X_iris),
                               rtol=1e-5, atol=1e-7)
    warm = MLPNetClassifier((16,), warm_start=True, **{**kw, "max_epochs": 1})
    for _ in range(3):
        warm.fit(X_iris, y_iris)
    assert warm.n_iter_ == 3
    np.testing.assert_allclose(warm.predict_proba(X_iris), full.predict_proba(X_iris),
                               rtol=1e-5, atol=1e-7)
    # without warm_start a second fit starts again
    cold = MLPNetClassifier((16,), **{**kw, "max_epochs": 1})
    cold.fit(X_iris, y_iris).fit(X_iris, y_iris)
    assert cold.n_iter_ == 1


def test_partial_fit_needs_classes_first():
    net = MLPNetClassifier((8,), **FAST)
    with pytest.raises(ValueError, match="classes must be passed"):
        net.partial_fit(X_iris, y_iris)
    net.partial_fit(X_iris[:10], y_iris[:10], classes=[0, 1, 2])  # only class 0 seen
    assert list(net.classes_) == [0, 1, 2]
    with pytest.raises(ValueError, match="not seen in the first fit"):
        net.partial_fit(X_iris[:5], np.full(5, 7))


def test_warm_start_with_a_new_topology_starts_again():
    net = MLPNetClassifier((8,), warm_start=True, **{**FAST, "max_epochs": 2}).fit(X_iris, y_iris)
    net.set_params(hidden_layer_sizes=(8, 4)).fit(X_iris, y_iris)
    assert net.n_iter_ == 2 and len(net.module_) == 5


class _FixedSplitNet(MLPNetClassifier):
    """Validates on the last 20 samples, so a test can recompute the loss."""

    def _validation_split(self, torch, X, y):
        return X[:-20], X[-20:], y[:-20], y[-20:]


def test_early_stopping_keeps_the_best_epoch():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(80, 20)), rng.randint(2, size=80)  # noise: overfits at once
    net = _FixedSplitNet((64,), early_stopping=True, patience=3,
                         **{**FAST, "max_epochs": 200}).fit(X, y)
    assert net.n_iter_ < 200
    valid = [h["valid_loss"] for h in net.history_]
    assert len(valid) == net.n_iter_
    assert len(valid) - 1 - int(np.argmin(valid)) == 3  # stopped `patience` epochs after the best
    # the kept weights are the best epoch's, not the last one's
    proba = net.predict_proba(X[-20:])
    kept_loss = -np.mean(np.log(proba[np.arange(20), y[-20:]]))
    assert kept_loss == pytest.approx(min(valid), rel=1e-4)
    assert kept_loss < valid[-1]


def test_batch_norm_needs_two_samples():
    with pytest.raises(ValueError, match="1 sample"):
        MLPNetClassifier((4,), batch_norm=True, **FAST).fit(X_iris[:1], y_iris[:1])
    # a last minibatch of one joins the previous one
    MLPNetClassifier((4,), batch_norm=True, **{**FAST, "batch_size": 4}).fit(X_iris[:9], y_iris[:9])


def test_divergence_is_an_error():
    X = X_iris * 1e20
    with pytest.raises(ValueError, match="diverged"):
        MLPNetRegressor((8,), standardize=False, **FAST).fit(X, X[:, 0] ** 2)


def test_threads_are_restored():
    before = torch.get_num_threads()
    net = MLPNetClassifier((8,), **FAST).fit(X_iris, y_iris)
    assert net.n_threads == 1 and torch.get_num_threads() == before


def test_device_auto_is_cpu_without_cuda():
    net = MLPNetClassifier((8,), **{**FAST, "max_epochs": 1}).fit(X_iris, y_iris)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert net.device_.type == expected
    assert next(net.module_.parameters()).device.type == expected


# --- pickling ---------------------------------------------------------------------------


@pytest.mark.parametrize("Net", [MLPNetClassifier, ConvNetClassifier])
def test_pickle_round_trip_and_continue(Net):
    net = Net(**{**FAST, "max_epochs": 2}).fit(X_dig, y_dig)
    blob = pickle.dumps(net)
    again = pickle.loads(blob)
    np.testing.assert_array_equal(again.predict_proba(X_dig), net.predict_proba(X_dig))
    # the optimizer state travels too: continuing gives the same network
    net.partial_fit(X_dig, y_dig)
    again.partial_fit(X_dig, y_dig)
    np.testing.assert_allclose(again.predict_proba(X_dig), net.predict_proba(X_dig),
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("device", ["cuda:0", "cuda:7", "mps"])
def test_pickle_holds_cpu_tensors_and_loads_a_gpu_model_on_cpu(device):
    net = MLPNetClassifier((8,), **{**FAST, "max_epochs": 1}).fit(X_iris, y_iris)
    state = net.__getstate__()
    assert state["module_"] is None and isinstance(state["_torch_state"], bytes)
    saved = torch.load(__import__("io").BytesIO(state["_torch_state"]), weights_only=True)
    assert all(t.device.type == "cpu" for t in saved["module"].values())
    if _device_available(torch, torch.device(device)):
        pytest.skip(f"this machine has {device}: a model trained there would load on it")
    # as if trained on a GPU this machine lacks: loads on the CPU with a warning
    state["device_"] = device
    clone_ = MLPNetClassifier.__new__(MLPNetClassifier)
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        clone_.__setstate__(state)
    assert clone_.device_.type == "cpu"
    np.testing.assert_array_equal(clone_.predict(X_iris), net.predict(X_iris))


def test_cosine_schedule_anneals_within_a_fit():
    kw = dict(FAST, max_epochs=4)
    cos = MLPNetClassifier((8,), lr_schedule="cosine", **kw).fit(X_iris, y_iris)
    last = cos.optimizer_.param_groups[0]["lr"]
    assert last == pytest.approx(0.5 * kw["lr"] * (1 + np.cos(np.pi * 3 / 4)))
    const = MLPNetClassifier((8,), **kw).fit(X_iris, y_iris)
    assert const.optimizer_.param_groups[0]["lr"] == kw["lr"]
    assert not np.allclose(cos.predict_proba(X_iris), const.predict_proba(X_iris))
    # partial_fit trains at lr
    cos.partial_fit(X_iris, y_iris)
    assert cos.optimizer_.param_groups[0]["lr"] == kw["lr"]


@pytest.mark.parametrize("Net, kw", [(MLPNetClassifier, dict(hidden_layer_sizes=(16,))),
                                     (ConvNetClassifier, dict(conv_channels=(4,)))])
def test_label_smoothing_caps_the_confidence(Net, kw):
    # with smoothing eps the loss is minimal at p(true) = 1 - eps + eps / k,
    # so a well-fitted net is far less confident than without smoothing
    X, y = X_dig[:120], y_dig[:120]
    plain = Net(**kw, **dict(FAST, max_epochs=60)).fit(X, y)
    smooth = Net(**kw, label_smoothing=0.5, **dict(FAST, max_epochs=60)).fit(X, y)
    top_plain = plain.predict_proba(X).max(axis=1)
    top_smooth = smooth.predict_proba(X).max(axis=1)
    assert top_plain.mean() > 0.9
    assert top_smooth.max() < 0.7 < top_plain.mean()
    assert "label_smoothing" not in MLPNetRegressor().get_params()


@pytest.mark.parametrize("Net", [MLPNetClassifier, MLPNetRegressor, ConvNetClassifier])
def test_hyperband_continues_the_networks_epochs(Net):
    # Hyperband's warm_start='auto' continues a network from rung to rung
    # only if it knows the network class; otherwise every rung retrains
    from sksearch._hyperband import _continuation_mode

    mode, how = _continuation_mode(Net(), "max_epochs")
    assert mode is not None, how
