"""One-shot NAS (darts, enas, random-ws): the MLP supernet, the engine and
NASClassifier / NASRegressor with a one-shot strategy. Tiny budgets."""

import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_diabetes, load_digits, load_iris  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import sksearch.nas._nas as nas_module  # noqa: E402
import sksearch.nas._oneshot as oneshot  # noqa: E402
from sksearch.nas import (  # noqa: E402
    MLPNetClassifier,
    MLPNetRegressor,
    NASClassifier,
    NASRegressor,
    available_strategies,
    cell_search_space,
    default_search_space,
)
from sksearch.nas._supernet import SKIP, build_supernet, mlp_decisions  # noqa: E402
from sksearch.optimizers import ReinforceOptimizer  # noqa: E402
from sksearch.space import Integer, Real  # noqa: E402

X_iris, y_iris = load_iris(return_X_y=True)
X_dig, y_dig = load_digits(return_X_y=True)
X_dig, y_dig = X_dig[:400], y_dig[:400]

NET = {"n_threads": 1, "batch_size": 32}
SPACE = [{"n_layers": [1], "units_1": Integer(8, 32), "activation": ["relu", "tanh"]},
         {"n_layers": [2], "units_1": Integer(8, 32), "units_2": Integer(8, 32),
          "activation": ["relu", "tanh"]}]
SETTINGS = {"supernet_epochs": 3}


def _nas(strategy, cls=NASClassifier, **kwargs):
    params = dict(strategy=strategy, n_iter=4, max_epochs=5, random_state=0,
                  search_space=SPACE, net_params=NET, strategy_params=SETTINGS)
    params.update(kwargs)
    return cls(**params)


# No check is excluded: with lr=1e-2 and 10 epochs the retrained tiny nets
# reach sklearn's accuracy / R^2 thresholds.
_CHECKED = dict(n_iter=2, max_epochs=10, random_state=0, search_space={"units_1": [8, 16]},
                net_params={**NET, "lr": 1e-2}, strategy_params={"supernet_epochs": 2})


@parametrize_with_checks([NASClassifier("mlp", "random-ws", **_CHECKED),
                          NASRegressor("mlp", "darts", **_CHECKED)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# --- the one-shot space --------------------------------------------------------


def test_decisions_of_the_default_space():
    decisions, fixed = mlp_decisions(default_search_space("mlp"), MLPNetClassifier(),
                                     user_space=False)
    # the powers of 2 inside each layer's range (first layer 64-1024, later 32-256)
    first, later = [64, 128, 256, 512, 1024], [32, 64, 128, 256]
    assert decisions == [("units_1", first), ("units_2", later + [SKIP]),
                         ("units_3", later + [SKIP]),
                         ("activation", ["relu", "gelu", "silu", "tanh"])]
    # training settings with a single value in the space are fixed settings
    assert fixed == {"optimizer": "adamw", "lr_schedule": "cosine"}


def test_decisions_of_user_spaces():
    net = MLPNetClassifier((50,))
    with pytest.warns(UserWarning, match=r"\['lr'\]"):
        decisions, fixed = mlp_decisions(
            {"hidden_layer_sizes": [(16,), (32, 8)], "lr": Real(1e-3, 1e-2),
             "batch_size": [32], "activation": ["tanh"]}, net)
    assert decisions == [("units_1", [16, 32]), ("units_2", [8, SKIP])]
    assert fixed == {"batch_size": 32, "activation": "tanh"}
    # no power of 2 inside the range: its ends; missing widths: the template's
    decisions, _ = mlp_decisions({"n_layers": [2, 3], "units_2": Integer(20, 30)}, net)
    assert decisions == [("units_1", [50]), ("units_2", [20, 30]), ("units_3", [50, SKIP])]
    with pytest.raises(ValueError, match="units_1"):
        mlp_decisions({"units_1": Real(8, 64)}, net)
    with pytest.raises(ValueError, match="activation_1"):
        mlp_decisions({"activation_1": ["relu"]}, net)
    with pytest.raises(ValueError, match="not a parameter"):
        mlp_decisions({"n_hidden": [3]}, net)


def test_single_path_is_the_mlp_with_sliced_weights():
    decisions = [("units_1", [4, 8]), ("units_2", [2, 8, SKIP]), ("units_3", [4, 8, SKIP]),
                 ("activation", ["relu", "tanh"])]
    supernet = build_supernet(MLPNetClassifier(), decisions, 5, 3).eval()
    arch = {"units_1": 0, "units_2": 2, "units_3": 1, "activation": 1}  # (4, 8), tanh
    values = {n: c[arch[n]] for n, c in decisions}
    params = supernet.to_params(values)
    assert params == {"n_layers": 2, "units_1": 4, "units_2": 8, "activation": "tanh"}
    net = MLPNetClassifier().set_params(**params)
    assert net.hidden_layer_sizes == (4, 8)
    from sksearch.nas._networks import build_mlp

    mlp = build_mlp(5, 3, hidden=(4, 8), activation="tanh", dropout=0.0, batch_norm=False)
    lin = supernet.linears
    with torch.no_grad():
        mlp[0].weight.copy_(lin[0].weight[:4, :5]), mlp[0].bias.copy_(lin[0].bias[:4])
        mlp[2].weight.copy_(lin[2].weight[:8, :4]), mlp[2].bias.copy_(lin[2].bias[:8])
        mlp[4].weight.copy_(supernet.out.weight[:, :8]), mlp[4].bias.copy_(supernet.out.bias)
    x = torch.randn(7, 5)
    torch.testing.assert_close(supernet(x, arch), mlp(x))
    # the relaxation mixes every choice; the alphas are one vector per decision
    assert supernet(x).shape == (7, 3)
    assert [len(a) for a in supernet.arch_parameters()] == [2, 3, 3, 2]
    assert not {id(p) for p in supernet.arch_parameters()} & {
        id(p) for p in supernet.weight_parameters()}


# --- the strategies --------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["darts", "enas", "random-ws"])
def test_strategy_fits_predicts_pickles(strategy):
    labels = np.array(["a", "b", "c"], dtype=object)[y_iris]
    nas = _nas(strategy).fit(X_iris, labels)
    assert nas.strategy_ == strategy
    assert list(nas.classes_) == ["a", "b", "c"] and nas.n_features_in_ == 4
    # best_params_ is set_params-able and is the retrained network's topology
    best = nas.best_estimator_
    assert isinstance(best, MLPNetClassifier) and best.max_epochs == 5
    deep = best.get_params(deep=True)
    assert {k: deep[k] for k in nas.best_params_} == nas.best_params_
    again = clone(MLPNetClassifier(**NET)).set_params(**nas.best_params_)
    assert again.hidden_layer_sizes == best.hidden_layer_sizes
    assert set(nas.best_params_) == {"n_layers", "activation"} | {
        f"units_{i}" for i in range(1, nas.best_params_["n_layers"] + 1)}
    # cv_results_ as GridSearchCV's, plus epoch and source
    res = nas.cv_results_
    n = len(res["params"])
    for key in ("mean_test_score", "std_test_score", "rank_test_score", "split0_test_score",
                "mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time",
                "param_n_layers", "param_units_1", "param_activation", "epoch", "source"):
        assert len(res[key]) == n, key
    assert isinstance(res["param_units_2"], np.ma.MaskedArray)
    for i, p in enumerate(res["params"]):
        assert bool(res["param_units_2"].mask[i]) == ("units_2" not in p)
    assert res["rank_test_score"].dtype == np.int32 and res["rank_test_score"].min() == 1
    assert nas.best_params_ == res["params"][nas.best_index_]
    assert nas.best_score_ == res["mean_test_score"][nas.best_index_]
    assert 0 <= nas.best_score_ <= 1
    # predicts like any network, and pickles
    assert nas.predict_proba(X_iris).shape == (150, 3)
    assert set(nas.predict(X_iris)) <= {"a", "b", "c"}
    loaded = pickle.loads(pickle.dumps(nas))
    np.testing.assert_array_equal(loaded.predict_proba(X_iris), nas.predict_proba(X_iris))
    assert not hasattr(nas.search_, "supernet_")  # the supernet is not kept


def test_darts_records_the_derived_architecture_every_epoch():
    nas = _nas("darts", strategy_params={"supernet_epochs": 4, "warmup_epochs": 1})
    nas.fit(X_iris, y_iris)
    res = nas.cv_results_
    assert list(res["epoch"]) == [2, 3, 4] and set(res["source"]) == {"derived"}
    # the best scored derived architecture (early stopping on validation)
    assert nas.best_score_ == res["mean_test_score"].max()
    assert res["rank_test_score"][nas.best_index_] == 1
    assert len(nas.search_.history_) == 4 and "alphas" in nas.search_.history_[-1]


def test_darts_alphas_move_to_the_width_the_problem_needs():
    # ten classes through a hidden layer of 1 unit is hopeless; 64 units are not
    nas = NASClassifier("mlp", "darts", max_epochs=1, random_state=0, net_params=NET,
                        search_space={"units_1": [1, 64]},
                        strategy_params={"supernet_epochs": 8, "arch_learning_rate": 0.05})
    nas.fit(X_dig, y_dig)
    first, last = nas.search_.history_[0]["alphas"], nas.search_.history_[-1]["alphas"]
    assert last["units_1"][1] > first["units_1"][1] and last["units_1"][1] > 0.7
    assert nas.best_params_["units_1"] == 64


def test_random_ws_keeps_the_best_of_the_sampled_architectures():
    nas = _nas("random-ws", n_iter=6).fit(X_iris, y_iris)
    res = nas.cv_results_
    assert len(res["params"]) == 6 and set(res["source"]) == {"sampled"}
    keys = {tuple(sorted(p.items())) for p in res["params"]}
    assert len(keys) == 6  # distinct architectures
    assert nas.best_score_ == np.max(res["mean_test_score"])
    assert res["rank_test_score"][nas.best_index_] == 1
    # n_iter larger than the space: every architecture once
    small = {"units_1": [8, 16], "activation": ["relu", "tanh"]}
    nas = _nas("random-ws", n_iter=10, search_space=small).fit(X_iris, y_iris)
    assert len(nas.cv_results_["params"]) == 4


def test_enas_scores_controller_samples():
    nas = _nas("enas", n_iter=3,
               strategy_params={"supernet_epochs": 2, "controller_steps": 2}).fit(X_iris, y_iris)
    res = nas.cv_results_
    assert list(res["source"]) == ["mode", "mode", "sampled", "sampled", "sampled"]
    assert res["source"][nas.best_index_] in ("mode", "sampled")
    assert nas.best_index_ >= 1  # chosen with the final weights
    controller = nas.search_.controller_
    assert isinstance(controller, ReinforceOptimizer)
    # batch rewards taught the policy; only the scored architectures were told
    assert any(np.ptp(z) > 0 for z in controller.policy_)
    assert len(controller.y_) == 3


def test_same_seed_same_result():
    a = _nas("random-ws").fit(X_iris, y_iris)
    b = _nas("random-ws").fit(X_iris, y_iris)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(a.cv_results_["mean_test_score"],
                                  b.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(a.predict_proba(X_iris), b.predict_proba(X_iris))


def test_batch_norm_supernet():
    nas = _nas("random-ws", net_params={**NET, "batch_norm": True}).fit(X_iris, y_iris)
    assert nas.best_estimator_.batch_norm and nas.score(X_iris, y_iris) > 0.5


def test_regressor():
    X, y = load_diabetes(return_X_y=True)
    nas = _nas("darts", NASRegressor).fit(X[:200], y[:200])
    assert isinstance(nas.best_estimator_, MLPNetRegressor)
    assert nas.predict(X[:3]).shape == (3,)
    assert nas.best_score_ <= 1  # R^2 on the validation part
    nas = _nas("random-ws", NASRegressor).fit(X[:200], y[:200])
    assert np.isfinite(nas.cv_results_["mean_test_score"]).all()


def test_default_space_is_quiet_and_oneshot_is_not_a_searchcv():
    assert not set(oneshot.ONESHOT_STRATEGIES) & set(available_strategies())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NASClassifier("mlp", "darts", max_epochs=1, random_state=0, net_params=NET,
                      strategy_params={"supernet_epochs": 1}).fit(X_iris, y_iris)


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match=r"strategy_params.*\['n_startup'\]"):
        _nas("darts", strategy_params={"n_startup": 3}).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match=r"\['controller_steps'\]"):
        _nas("darts", strategy_params={"controller_steps": 3}).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match=r"strategy_params\['validation_fraction'\]"):
        _nas("random-ws", strategy_params={"validation_fraction": 1.0}).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match=r"strategy_params\['supernet_epochs'\]"):
        _nas("enas", strategy_params={"supernet_epochs": 0}).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="warmup_epochs"):
        _nas("darts", strategy_params={"supernet_epochs": 2, "warmup_epochs": 2}).fit(
            X_iris, y_iris)
    with pytest.raises(ValueError, match="search_space"):
        _nas("darts", search_space={"units_1": Real(8, 64)}).fit(X_iris, y_iris)
    with pytest.warns(UserWarning, match="scoring"):
        _nas("random-ws", scoring="accuracy").fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="architecture='rnn'"):
        oneshot._family("rnn")


@pytest.mark.parametrize("strategy", ["darts", "random-ws"])
def test_cnn_cells(strategy):
    from sksearch.nas import CellNetClassifier

    nas = NASClassifier("cnn", strategy, n_iter=2, max_epochs=1, random_state=0,
                        net_params={**NET, "channels": 4, "n_cells": 1},
                        strategy_params={"supernet_epochs": 1})
    nas.fit(X_dig[:120].reshape(-1, 8, 8), y_dig[:120])
    assert isinstance(nas.best_estimator_, CellNetClassifier)
    deep = nas.best_estimator_.get_params(deep=True)
    assert {k: deep[k] for k in nas.best_params_} == nas.best_params_
    assert nas.predict(X_dig[:3].reshape(-1, 8, 8)).shape == (3,)
    # the cell space has no multi-valued training setting: no training stage,
    # no cost; the default one-shot CNN space fixes the cell network's recipe
    assert nas.search_.training_results_ is None and nas.search_.tune_time_ == 0
    recipe = {"optimizer": "adamw", "lr_schedule": "cosine", "weight_decay": 1e-2,
              "label_smoothing": 0.1, "batch_size": 32}
    assert {k: nas.best_params_[k] for k in recipe} == recipe
    assert {k: deep[k] for k in recipe} == recipe


def test_supernet_epochs_default_per_family():
    assert oneshot.oneshot_settings("darts", None, "mlp")["supernet_epochs"] == 30
    assert oneshot.oneshot_settings("darts", None, "cnn")["supernet_epochs"] == 6
    given = oneshot.oneshot_settings("enas", {"supernet_epochs": 3}, "cnn")
    assert given["supernet_epochs"] == 3


def test_oneshot_threads(monkeypatch):
    """The supernet and the final network train alone, on all the threads; the
    training-settings stage shares them among its n_jobs workers."""
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)
    monkeypatch.setattr(nas_module, "cpu_count", lambda: 4)
    nas = NASClassifier("mlp", "random-ws", n_jobs=2)
    assert nas._net_threads() == 2
    assert nas._net_threads(workers=1) == 4


# --- the training-settings stage ---------------------------------------------------

TUNED_SPACE = [{**sub, "lr": Real(1e-3, 3e-2, log=True), "batch_size": [16, 32],
                "dropout": [0.0]} for sub in SPACE]


def test_training_dims_of_the_selected_architecture():
    space = default_search_space("mlp", max_depth=2)
    dims, fixed = oneshot.training_dims("mlp", space, {"n_layers": 2, "units_1": 64,
                                                       "units_2": 32, "activation": "relu"})
    assert sorted(dims) == ["batch_norm", "batch_size", "dropout", "label_smoothing", "lr",
                            "standardize", "weight_decay"]
    assert fixed == {"optimizer": "adamw", "lr_schedule": "cosine"}
    # sub-spaces with their own ranges: those of the architecture's depth
    space = [{"n_layers": [1], "dropout": Real(0.0, 0.1), "lr": [1e-3]},
             {"n_layers": [2], "dropout": Real(0.3, 0.6), "batch_size": [16, 32]}]
    dims, fixed = oneshot.training_dims("mlp", space, {"n_layers": 1, "units_1": 8})
    assert dims["dropout"].high == 0.1 and "batch_size" not in dims and fixed == {"lr": 1e-3}
    dims, fixed = oneshot.training_dims("mlp", space, {"n_layers": 2})
    assert dims["dropout"].low == 0.3 and "batch_size" in dims and fixed == {}
    # no sub-space holds the architecture: the union
    dims, fixed = oneshot.training_dims("mlp", space, {"n_layers": 3})
    assert sorted(dims) == ["batch_size", "dropout"] and fixed == {"lr": 1e-3}
    # the cell space has no training dimension
    assert oneshot.training_dims("cnn", cell_search_space(2), {}) == ({}, {"n_nodes": 2})


def test_training_stage_tunes_the_space_training_settings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tuned, so not "ignored": no warning
        nas = _nas("darts", search_space=TUNED_SPACE,
                   strategy_params={**SETTINGS, "tune_training": 3}).fit(X_iris, y_iris)
    search = nas.search_
    res = search.training_results_
    assert len(res["params"]) == 3 and set(res["params"][0]) == {"lr", "batch_size"}
    best_row = int(np.nanargmax(res["mean_test_score"]))
    assert search.training_best_score_ == res["mean_test_score"][best_row]
    # best_params_: the architecture (cv_results_'s best row) + the chosen settings
    arch = nas.cv_results_["params"][nas.best_index_]
    assert "lr" not in arch and arch["dropout"] == 0.0
    assert nas.best_params_ == {**arch, **res["params"][best_row]}
    deep = nas.best_estimator_.get_params(deep=True)
    assert {k: deep[k] for k in nas.best_params_} == nas.best_params_
    assert search.tune_time_ > 0
    # reproducible
    again = _nas("darts", search_space=TUNED_SPACE,
                 strategy_params={**SETTINGS, "tune_training": 3}).fit(X_iris, y_iris)
    assert again.best_params_ == nas.best_params_
    np.testing.assert_array_equal(again.search_.training_results_["mean_test_score"],
                                  res["mean_test_score"])
    np.testing.assert_array_equal(again.predict_proba(X_iris), nas.predict_proba(X_iris))


def test_tune_training_0_keeps_the_network_settings():
    with pytest.warns(UserWarning, match=r"searches \['batch_size', 'lr'\]"):
        nas = _nas("random-ws", search_space=TUNED_SPACE,
                   strategy_params={**SETTINGS, "tune_training": 0}).fit(X_iris, y_iris)
    assert nas.search_.training_results_ is None and nas.search_.tune_time_ == 0
    assert nas.best_params_ == nas.cv_results_["params"][nas.best_index_]
    assert "lr" not in nas.best_params_ and nas.best_estimator_.lr == MLPNetClassifier().lr


@pytest.mark.parametrize("value", [-1, 1.5, True, "8"])
def test_bad_tune_training_is_named(value):
    with pytest.raises(ValueError, match=r"strategy_params\['tune_training'\]"):
        _nas("darts", strategy_params={"tune_training": value}).fit(X_iris, y_iris)
