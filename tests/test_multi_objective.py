"""Several objectives behind the sklearn API: ``objective=[...]`` gives a
Pareto front (``pareto_front_``, ``pareto_rank``), ``refit`` chooses from it,
and one objective behaves exactly as before.

The driver is tested on the random strategy (``tests._searches.RandomSearch``);
every public search whose strategy declares ``multi_objective`` runs the same
API test, and the others must refuse ``objective`` at ``fit``.
"""

import json
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from sksearch import HyperbandSearchCV
from sksearch._objectives import count_parameters, resolve_objectives, results_matrix
from sksearch._pareto import non_dominated
from sksearch.callbacks import EarlyStopping, TargetScore
from sksearch.optimizers import RandomOptimizer
from sksearch.space import Integer, Real

from ._searches import PUBLIC_SEARCHES, RandomSearch

X, y = load_breast_cancer(return_X_y=True)
X, y = X[::2], y[::2]  # 285 samples: fast trees
SPACE = {"max_depth": Integer(1, 12), "min_samples_leaf": Integer(1, 40)}
TREE = DecisionTreeClassifier(random_state=0)
# deterministic objectives (no timing): the same seed gives the same front
OBJ = {"accuracy": "maximize", "n_parameters": "minimize"}


def _search(cls=RandomSearch, **kw):
    kw = {"n_iter": 12, "cv": 3, "random_state": 0, "scoring": ["accuracy", "roc_auc"],
          "objective": OBJ, **kw}
    return cls(TREE, SPACE, **kw)


def _strategy_class(search_cls):
    search = search_cls(TREE, SPACE)
    from sksearch.space import Space

    return type(search._make_optimizer(Space(SPACE), random_state=0, batch_size=1))


def _results_equal(a, b):
    assert list(a) == list(b)
    for key in a:
        if "time" in key:
            continue
        if key == "params":
            assert a[key] == b[key]
        else:
            np.testing.assert_array_equal(np.asarray(a[key]), np.asarray(b[key]), err_msg=key)


# -- the API ------------------------------------------------------------------
def test_front_is_the_non_dominated_rows_of_the_mean_cv_scores():
    search = _search().fit(X, y)
    res = search.cv_results_
    Y = np.column_stack([res["mean_test_accuracy"], -res["mean_n_parameters"]])
    np.testing.assert_array_equal(search.pareto_front_, np.flatnonzero(non_dominated(Y)))
    assert set(res["pareto_rank"][search.pareto_front_]) == {0}
    assert (np.delete(res["pareto_rank"], search.pareto_front_) > 0).all()
    assert search.objectives_ == {"accuracy": "maximize", "n_parameters": "minimize"}
    # cv_results_ keeps GridSearchCV's keys
    grid = GridSearchCV(TREE, {"max_depth": [1, 2]}, cv=3, scoring=["accuracy", "roc_auc"],
                        refit="accuracy").fit(X, y)
    assert set(grid.cv_results_) - {"param_max_depth"} <= set(res)
    # the strategy was told the vector, higher is better
    told = np.asarray(search.optimizer_.y_)
    np.testing.assert_allclose(told, Y)


def test_a_list_of_names_takes_default_directions_and_costs_are_measured():
    search = _search(
        objective=["accuracy", "fit_time", "score_time", "latency", "model_size"],
        scoring=["accuracy"], refit=False, n_iter=6,
    ).fit(X, y)
    assert search.objectives_ == {
        "accuracy": "maximize", "fit_time": "minimize", "score_time": "minimize",
        "latency": "minimize", "model_size": "minimize",
    }
    res = search.cv_results_
    assert (res["mean_model_size"] > 0).all() and (res["mean_latency"] > 0).all()
    assert "std_model_size" in res
    # one metric: its scorer is "score"
    single = _search(objective=["score", "model_size"], scoring=None, n_iter=4).fit(X, y)
    assert list(single.objectives_) == ["score", "model_size"]
    assert single.best_score_ == single.cv_results_["mean_test_score"][single.best_index_]


def test_count_parameters():
    tree = clone(TREE).set_params(max_depth=2).fit(X, y)
    assert count_parameters(tree) == tree.tree_.node_count
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    n = X.shape[1]
    assert count_parameters(pipe) == 3 * n + n + 1  # mean, var, scale; coef, intercept


# -- errors name the parameter ---------------------------------------------------
@pytest.mark.parametrize(
    "objective, match",
    [
        (["accuracy"], "at least two"),
        (["accuracy", "nope"], "'nope' is neither a scorer"),
        ({"accuracy": "max", "fit_time": "minimize"}, "direction of 'accuracy'"),
        (["accuracy", "accuracy"], "twice"),
        (["accuracy", 3], "every objective is a name"),
    ],
)
def test_bad_objective_is_refused_at_fit(objective, match):
    search = _search(objective=objective)
    with pytest.raises((ValueError, TypeError), match=match) as info:
        search.fit(X, y)
    assert "objective=" in str(info.value)


def test_refit_naming_no_objective_is_refused():
    with pytest.raises(ValueError, match="refit='nope'"):
        _search(refit="nope").fit(X, y)


@pytest.mark.parametrize("cls", PUBLIC_SEARCHES, ids=lambda c: c.__name__)
def test_every_public_search_takes_several_objectives_or_says_it_does_not(cls):
    if cls is HyperbandSearchCV or not getattr(_strategy_class(cls), "multi_objective", False):
        with pytest.raises(ValueError, match=r"objective=.*takes one objective"):
            _search(cls).fit(X, y)
        return
    # a multi-objective strategy (NSGA-II, MOTPE, ...): the same API
    search = _search(cls, n_iter=8).fit(X, y)
    Y = results_matrix(search.cv_results_, resolve_objectives(OBJ, ["accuracy"]))
    np.testing.assert_array_equal(search.pareto_front_, np.flatnonzero(non_dominated(Y)))


def test_tell_nothing_after_rows():
    opt = RandomOptimizer({"x": Real(0, 1)}, random_state=0)
    batch = opt.ask(2)
    opt.tell(batch, [[1.0, 2.0], [2.0, 1.0]])
    opt.tell([], [])
    assert len(opt.y_) == 2 and opt.n_objectives_ == 2


# -- refit chooses from the front ---------------------------------------------------
def test_refit_true_is_the_fronts_best_on_the_first_objective():
    search = _search().fit(X, y)
    res, front = search.cv_results_, search.pareto_front_
    acc = res["mean_test_accuracy"]
    assert search.best_index_ in front
    assert acc[search.best_index_] == acc.max()
    assert search.best_score_ == acc[search.best_index_]
    assert search.best_params_ == res["params"][search.best_index_]
    assert search.predict(X).shape == y.shape
    assert search.score(X, y) == search.scorer_["accuracy"](search.best_estimator_, X, y)


def test_refit_by_name_callable_and_false():
    by_cost = _search(refit="n_parameters").fit(X, y)
    res, front = by_cost.cv_results_, by_cost.pareto_front_
    assert by_cost.best_index_ in front
    assert res["mean_n_parameters"][by_cost.best_index_] == res["mean_n_parameters"][front].min()
    # a scorer of scoring that is not an objective: the front's best on it
    by_auc = _search(refit="roc_auc").fit(X, y)
    auc = by_auc.cv_results_["mean_test_roc_auc"]
    assert auc[by_auc.best_index_] == auc[by_auc.pareto_front_].max()
    assert by_auc.best_score_ == auc[by_auc.best_index_]

    def smallest_on_front(results):
        front = np.flatnonzero(results["pareto_rank"] == 0)
        return int(front[np.argmin(results["mean_n_parameters"][front])])

    by_callable = _search(refit=smallest_on_front).fit(X, y)
    assert by_callable.best_index_ == by_cost.best_index_
    assert not hasattr(by_callable, "best_score_")
    no_refit = _search(refit=False).fit(X, y)
    assert not hasattr(no_refit, "best_estimator_") and not hasattr(no_refit, "best_index_")
    assert len(no_refit.pareto_front_)


# -- pickling, clone, determinism, resume, warm start ----------------------------------
def test_pickle_and_clone():
    search = _search(n_iter=6).fit(X, y)
    again = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(again.pareto_front_, search.pareto_front_)
    np.testing.assert_array_equal(again.predict(X), search.predict(X))
    cloned = clone(search)
    assert cloned.get_params()["objective"] == OBJ
    assert not hasattr(cloned, "pareto_front_")


def test_same_front_for_any_n_jobs():
    one = _search(n_iter=10, n_jobs=1).fit(X, y)
    two = _search(n_iter=10, n_jobs=2).fit(X, y)
    _results_equal(one.cv_results_, two.cv_results_)
    np.testing.assert_array_equal(one.pareto_front_, two.pareto_front_)


def test_resume_from_checkpoint_with_several_objectives(tmp_path):
    path = tmp_path / "journal.jsonl"
    full = _search(checkpoint=path, batch_size=2).fit(X, y)
    lines = path.read_text().splitlines()
    assert json.loads(lines[1])["score"] == list(full.optimizer_.y_[0])  # the vector
    path.write_text("\n".join(lines[: 1 + 5]) + "\n")  # a kill left 5 of 12
    resumed = _search(checkpoint=path, batch_size=2).fit(X, y)
    assert resumed.n_resumed_ == 5
    _results_equal(full.cv_results_, resumed.cv_results_)
    np.testing.assert_array_equal(full.pareto_front_, resumed.pareto_front_)
    # a journal of other objectives is not this search's
    with pytest.raises(ValueError):
        _search(checkpoint=path, objective=["accuracy", "model_size"]).fit(X, y)


def test_warm_start_with_several_objectives(tmp_path):
    path = tmp_path / "journal.jsonl"
    first = _search(n_iter=6, checkpoint=path).fit(X, y)
    for source in (first, first.cv_results_, path):
        second = _search(n_iter=4, warm_start_from=source, random_state=1).fit(X, y)
        assert second.n_warm_start_ == 6
        np.testing.assert_allclose(np.asarray(second.optimizer_.y_[:6]),
                                   np.asarray(first.optimizer_.y_))
    with pytest.raises(ValueError, match="warm_start_from"):
        _search(n_iter=4, warm_start_from=path, objective="accuracy",
                refit="accuracy").fit(X, y)


# -- one objective is as before --------------------------------------------------------
def test_one_objective_is_unchanged():
    plain = RandomSearch(TREE, SPACE, n_iter=8, cv=3, random_state=0).fit(X, y)
    assert not hasattr(plain, "pareto_front_") and "pareto_rank" not in plain.cv_results_
    named = RandomSearch(TREE, SPACE, n_iter=8, cv=3, random_state=0,
                         scoring=["accuracy", "roc_auc"], objective="accuracy",
                         refit="accuracy").fit(X, y)
    assert not hasattr(named, "pareto_front_")
    assert named.best_index_ == int(np.argmax(named.cv_results_["mean_test_accuracy"]))
    np.testing.assert_array_equal(
        plain.cv_results_["mean_test_score"], named.cv_results_["mean_test_accuracy"]
    )


# -- progress and callbacks ------------------------------------------------------------
def test_progress_line_shows_the_front(capsys):
    _search(n_iter=8, verbose=1).fit(X, y)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("[")]
    assert lines and all("front" in ln and "hypervolume" in ln for ln in lines)
    assert not any("best" in ln for ln in lines)


def test_callbacks_with_several_objectives():
    stopped = _search(n_iter=200, batch_size=1, callbacks=[EarlyStopping(patience=5)]).fit(X, y)
    assert stopped.stop_reason_ == "callback" and len(stopped.cv_results_["params"]) < 200
    reached = _search(n_iter=40, callbacks=[TargetScore([0.5, 1000])]).fit(X, y)
    assert reached.stop_reason_ == "callback"
    with pytest.raises(ValueError, match="one target per objective"):
        _search(callbacks=[TargetScore(0.9)]).fit(X, y)


# -- NAS: accuracy against the network's parameters --------------------------------------
def test_nas_front_of_networks():
    pytest.importorskip("torch")
    from sklearn.datasets import load_digits

    from sksearch import NASClassifier

    Xd, yd = load_digits(return_X_y=True)
    Xd, yd = Xd[:240], yd[:240]
    space = {"hidden_layer_sizes": [(4,), (16,), (32, 16)]}
    nas = NASClassifier(strategy="random", n_iter=3, max_epochs=2, cv=2, random_state=0,
                        search_space=space, objective=["score", "n_parameters"]).fit(Xd, yd)
    res = nas.cv_results_
    assert nas.objectives_ == {"score": "maximize", "n_parameters": "minimize"}
    # a network's parameters: 64 inputs, 10 classes
    sizes = {(4,): 64 * 4 + 4 + 4 * 10 + 10, (16,): 64 * 16 + 16 + 16 * 10 + 10}
    for params, n in zip(res["params"], res["mean_n_parameters"]):
        if params["hidden_layer_sizes"] in sizes:
            assert n == sizes[params["hidden_layer_sizes"]]
    assert nas.best_index_ in nas.pareto_front_
    assert nas.predict(Xd[:3]).shape == (3,)
    with pytest.raises(ValueError, match="objective="):
        NASClassifier(strategy="pso", n_iter=2, max_epochs=1, cv=2, search_space=space,
                      objective=["score", "n_parameters"]).fit(Xd, yd)
