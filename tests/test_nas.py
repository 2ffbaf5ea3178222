"""NASClassifier / NASRegressor: topology search through the driver."""

import inspect
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from joblib import cpu_count, parallel_config  # noqa: E402
from sklearn.datasets import load_diabetes, load_digits, load_iris  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from sksearch import model_selection  # noqa: E402
from sksearch._search import BaseSearch  # noqa: E402
from sksearch.nas import (  # noqa: E402
    MLPNetClassifier,
    NASClassifier,
    NASRegressor,
    available_strategies,
    default_search_space,
)
from sksearch.space import Integer, Real  # noqa: E402

X_iris, y_iris = load_iris(return_X_y=True)
X_dig, y_dig = load_digits(return_X_y=True)
X_dig, y_dig = X_dig[:300], y_dig[:300]

NET = {"n_threads": 1, "batch_size": 32}
TINY_SPACE = {"hidden_layer_sizes": [(16,)], "lr": [1e-3, 1e-2]}


def _tiny(cls=NASClassifier, **kwargs):
    params = dict(strategy="random", n_iter=2, max_epochs=10, cv=2, random_state=0,
                  search_space=TINY_SPACE, net_params=NET)
    params.update(kwargs)
    return cls(**params)


# No check is excluded: with a two-candidate space of tiny nets, both classes
# pass all of sklearn's checks that apply.
@parametrize_with_checks([_tiny(NASClassifier), _tiny(NASRegressor)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_default_mlp_space_search_and_attributes():
    labels = np.array(["a", "b", "c"], dtype=object)[y_iris]
    nas = NASClassifier("mlp", "random", n_iter=4, max_epochs=5, cv=2, random_state=0,
                        net_params=NET).fit(X_iris, labels)
    assert nas.strategy_ == "random"
    assert isinstance(nas.search_, BaseSearch)
    assert isinstance(nas.best_estimator_, MLPNetClassifier)
    assert list(nas.classes_) == ["a", "b", "c"] and nas.n_features_in_ == 4
    assert len(nas.cv_results_["params"]) == 4
    assert nas.best_params_ == nas.cv_results_["params"][nas.best_index_]
    # each candidate holds exactly the layers of its depth
    for p in nas.cv_results_["params"]:
        assert {k for k in p if k.startswith("units_")} == {
            f"units_{i}" for i in range(1, p["n_layers"] + 1)}
    # the refitted network has the best topology
    best = nas.best_params_
    assert nas.best_estimator_.hidden_layer_sizes == tuple(
        best[f"units_{i}"] for i in range(1, best["n_layers"] + 1))
    assert nas.best_estimator_.max_epochs == 5
    assert nas.predict_proba(X_iris).shape == (150, 3)
    assert set(nas.predict(X_iris)) <= {"a", "b", "c"}
    assert 0 <= nas.score(X_iris, labels) <= 1


def test_same_seed_same_search():
    a = _tiny(n_iter=3, search_space={"hidden_layer_sizes": [(8,), (16,)],
                                      "lr": Real(1e-3, 1e-2, log=True)}).fit(X_iris, y_iris)
    b = _tiny(n_iter=3, search_space={"hidden_layer_sizes": [(8,), (16,)],
                                      "lr": Real(1e-3, 1e-2, log=True)}).fit(X_iris, y_iris)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(a.cv_results_["mean_test_score"],
                                  b.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(a.predict_proba(X_iris), b.predict_proba(X_iris))


def test_cnn_search_on_digits():
    space = [{"n_blocks": [1], "channels_1": Integer(4, 8), "dense_sizes": [()], "lr": [1e-2]},
             {"n_blocks": [2], "channels_1": Integer(4, 8), "channels_2": Integer(4, 8),
              "lr": [1e-2], "dense_sizes": [()]}]
    nas = NASClassifier("cnn", "random", n_iter=2, max_epochs=3, cv=2, random_state=0,
                        search_space=space, net_params=NET).fit(X_dig.reshape(-1, 8, 8), y_dig)
    assert nas.best_estimator_.input_shape_ == (1, 8, 8)
    assert nas.n_features_in_ == 64
    assert nas.predict(X_dig[:5].reshape(-1, 8, 8)).shape == (5,)
    assert nas.score(X_dig.reshape(-1, 8, 8), y_dig) > 0.5


def test_regressor():
    X, y = load_diabetes(return_X_y=True)
    nas = _tiny(NASRegressor).fit(X[:200], y[:200])
    assert nas.predict(X[:3]).shape == (3,)
    with pytest.raises(ValueError, match="architecture"):
        _tiny(NASRegressor, architecture="cnn").fit(X[:50], y[:50])


def test_regressor_default_space():
    # the default space of the regressor names only parameters it has
    X, y = load_diabetes(return_X_y=True)
    nas = NASRegressor(strategy="random", n_iter=1, max_epochs=2, cv=2, random_state=0,
                       net_params=NET, error_score="raise").fit(X[:100], y[:100])
    assert "label_smoothing" not in nas.best_params_


def test_threads_per_worker():
    budget = max(1, min(cpu_count(), torch.get_num_threads()))
    with parallel_config(backend="threading"):  # no worker processes to start
        nas = _tiny(n_jobs=2, net_params={"batch_size": 32}).fit(X_iris, y_iris)
        assert nas.best_estimator_.n_threads == max(1, budget // 2)
        # net_params win
        nas = _tiny(n_jobs=2, net_params={"n_threads": 1}).fit(X_iris, y_iris)
        assert nas.best_estimator_.n_threads == 1
    assert _tiny(n_jobs=None, net_params={}).fit(X_iris, y_iris).best_estimator_.n_threads \
        == budget


def test_failed_trainings_do_not_stop_the_search():
    # lr 1e12 makes SGD diverge: that candidate's fits fail and it scores NaN
    X, y = load_diabetes(return_X_y=True)
    space = {"hidden_layer_sizes": [(8,)], "lr": [1e-3, 1e12]}
    nas = _tiny(NASRegressor, search_space=space, n_iter=2,
                net_params={**NET, "optimizer": "sgd"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nas.fit(X[:100], y[:100])
    scores = nas.cv_results_["mean_test_score"]
    assert np.isnan(scores).sum() == 1 and nas.best_params_["lr"] == 1e-3


def test_strategy_resolution():
    found = available_strategies()
    assert found["random"] is not None
    for name, cls in found.items():
        assert issubclass(cls, BaseSearch), name
    with pytest.raises(ValueError, match="not a sksearch strategy"):
        _tiny(strategy="simplex").fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="BaseSearch"):
        _tiny(strategy=dict).fit(X_iris, y_iris)
    # a class is used as it is
    nas = _tiny(strategy=found["random"]).fit(X_iris, y_iris)
    assert nas.strategy_ == found["random"].__name__


def test_strategy_registry_lists_every_public_searchcv():
    """The registry is written out by hand; this is where a new public
    ``*SearchCV`` that was not added to it shows up."""
    public = {
        name[: -len("SearchCV")].lower(): cls
        for name in model_selection.__all__
        if isinstance(cls := getattr(model_selection, name), type)
        and issubclass(cls, BaseSearch) and name.endswith("SearchCV")
        and not inspect.isabstract(cls)
    }
    found = available_strategies()
    assert {k: v for k, v in found.items() if k != "random"} == public
    assert issubclass(found["random"], BaseSearch)
    found["tpe"] = None  # a copy: the registry itself is unchanged
    assert available_strategies()["tpe"] is model_selection.TPESearchCV


def test_unknown_strategy_lists_the_names():
    with pytest.raises(ValueError, match="not a sksearch strategy") as info:
        _tiny(strategy="simplex").fit(X_iris, y_iris)
    for name in available_strategies():
        assert repr(name) in str(info.value)
    assert "'darts'" in str(info.value)


@pytest.mark.parametrize("name", ["tpe", "bayes", "genetic", "hyperband"])
def test_named_strategies(name):
    nas = _tiny(strategy=name, n_iter=3,
                search_space=default_search_space("mlp", max_depth=2)).fit(X_iris, y_iris)
    assert nas.strategy_ == name
    assert type(nas.search_) is available_strategies()[name]
    assert nas.score(X_iris, y_iris) > 0
    if name == "hyperband":  # epochs are the resource, up to max_epochs
        assert nas.search_.resource == "max_epochs"
        assert max(nas.cv_results_["n_resources"]) <= 10
        assert nas.best_estimator_.max_epochs == 10


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="net_params"):
        _tiny(net_params={"n_hidden": 3}).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="strategy_params"):
        _tiny(strategy_params={"n_startup": 3}).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="n_iter"):
        _tiny(n_iter=0).fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="architecture"):
        _tiny(architecture="rnn").fit(X_iris, y_iris)
    with pytest.raises(ValueError, match="units_9"):
        _tiny(search_space={"units_9": [8]}).fit(X_iris, y_iris)


def test_pickle_after_fit():
    nas = _tiny().fit(X_iris, y_iris)
    again = pickle.loads(pickle.dumps(nas))
    np.testing.assert_array_equal(again.predict_proba(X_iris), nas.predict_proba(X_iris))
