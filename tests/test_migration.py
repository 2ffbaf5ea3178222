"""Code written for GridSearchCV, RandomizedSearchCV, scikit-optimize's
BayesSearchCV and Optuna's OptunaSearchCV runs with one changed import: each
trap a user of those classes would fall into, and each peer's own example."""

import inspect
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import SVC

from sksearch import (
    BayesSearchCV,
    CoordinateDescentSearchCV,
    GeneticSearchCV,
    HyperbandSearchCV,
    TPESearchCV,
)
from sksearch.space import Categorical, Integer, Real, Space

X, y = load_iris(return_X_y=True)
FAST = dict(n_iter=5, cv=2, random_state=0)


# -- scikit-optimize's tuple ranges ---------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ((1e-3, 1e3, "log-uniform"), Real(1e-3, 1e3, log=True)),
        ((1e-3, 1e3, "uniform"), Real(1e-3, 1e3)),
        ((1e-3, 1e3), Real(1e-3, 1e3)),
        ((1, 8), Integer(1, 8)),
        ((1, 8.0), Real(1, 8.0)),  # a float bound makes it real, as in skopt
        ((np.int64(1), np.int64(8)), Integer(1, 8)),
        ((1, 1024, "log-uniform"), Integer(1, 1024, log=True)),
        ((1e-3, 1e3, "log-uniform", 10), Real(1e-3, 1e3, log=True)),
        ((1, 1024, "log-uniform", 2), Integer(1, 1024, log=True)),
        (("linear", "rbf"), Categorical(["linear", "rbf"])),
        ((1, 2, 3), Categorical([1, 2, 3])),
        ((SVC,), Categorical([SVC])),
    ],
)
def test_skopt_tuples_read_as_skopt_reads_them(value, expected):
    dim = Space({"p": value}).subspaces[0]["p"]
    assert dim == expected, (dim, expected)


def test_a_lists_of_two_numbers_is_still_two_choices():
    # GridSearchCV's lists keep their meaning: only tuples are ranges
    assert Space({"C": [1e-3, 1e3]}).subspaces[0]["C"] == Categorical([1e-3, 1e3])


@pytest.mark.parametrize(
    "value, error, match",
    [
        ((1e-3, 1e3, "log_uniform"), ValueError, "unknown prior 'log_uniform'.*write a list"),
        ((1e3, 1e-3, "log-uniform"), ValueError, r"\['C'\]: Real needs low < high"),
        ((0.0, 1.0, "log-uniform"), ValueError, r"\['C'\]: Real with log=True needs low > 0"),
        ((1e-3, 1e3, "log-uniform", 1), ValueError, "base .* other than 1"),
        ((1e-3, 1e3, "uniform", 10), ValueError, "needs prior 'log-uniform'"),
    ],
)
def test_bad_skopt_tuples_name_the_parameter(value, error, match):
    with pytest.raises(error, match=match):
        Space({"C": value})


def test_log_uniform_tuple_searches_the_range_not_three_choices():
    # once read as the choices 1e-3, 1e3 and "log-uniform" (a failed fit)
    search = BayesSearchCV(
        LogisticRegression(max_iter=300), {"C": (1e-3, 1e3, "log-uniform")}, **FAST
    ).fit(X, y)
    cs = [p["C"] for p in search.cv_results_["params"]]
    assert len(cs) == 5 and len(set(cs)) == 5
    assert all(isinstance(c, float) and 1e-3 <= c <= 1e3 for c in cs)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_skopt_budget_per_subspace_is_refused_with_the_way_out():
    with pytest.raises(TypeError, match=r"\(dict, n_iter\) pair.*list of dicts and n_iter"):
        Space([({"C": (1.0, 2.0)}, 10), ({"C": (1.0, 2.0)}, 5)])


# -- skopt.space and Optuna distributions ---------------------------------------


def test_skopt_space_objects():
    space = pytest.importorskip("skopt.space")
    parsed = Space({
        "a": space.Real(1e-6, 1e6, prior="log-uniform"),
        "b": space.Real(0, 1),
        "c": space.Integer(1, 8),
        "d": space.Integer(2, 512, prior="log-uniform", base=2),
        "e": space.Categorical(["linear", "rbf"]),
    }).subspaces[0]
    assert parsed == {
        "a": Real(1e-6, 1e6, log=True),
        "b": Real(0, 1),
        "c": Integer(1, 8),
        "d": Integer(2, 512, log=True),
        "e": Categorical(["linear", "rbf"]),
    }
    assert all(type(v) is int for v in (parsed["c"].low, parsed["c"].high))
    with pytest.raises(ValueError, match=r"\['w'\]: skopt Categorical with prior"):
        Space({"w": space.Categorical(["a", "b"], prior=[0.9, 0.1])})


def test_optuna_distributions():
    d = pytest.importorskip("optuna.distributions")
    parsed = Space({
        "a": d.FloatDistribution(1e-10, 1e10, log=True),
        "b": d.FloatDistribution(0, 1),
        "c": d.IntDistribution(1, 8),
        "d": d.IntDistribution(1, 10, step=3),
        "e": d.FloatDistribution(0, 1, step=0.25),
        "f": d.CategoricalDistribution(["x", None]),
        "g": d.IntDistribution(4, 4),
    }).subspaces[0]
    assert parsed == {
        "a": Real(1e-10, 1e10, log=True),
        "b": Real(0.0, 1.0),
        "c": Integer(1, 8),
        "d": Categorical([1, 4, 7, 10]),
        "e": Categorical([0.0, 0.25, 0.5, 0.75, 1.0]),
        "f": Categorical(["x", None]),
        "g": Categorical([4]),
    }


# -- the peers' keywords --------------------------------------------------------


def test_param_grid_and_param_distributions_by_keyword():
    grid = {"alpha": [0.1, 1.0, 10.0]}
    search = TPESearchCV(estimator=Ridge(), param_grid=grid, n_iter=3, cv=2).fit(X, y)
    assert search.param_distributions is grid
    assert sorted(p["alpha"] for p in search.cv_results_["params"]) == [0.1, 1.0, 10.0]
    dists = {"alpha": loguniform(1e-2, 1e2)}
    search = GeneticSearchCV(Ridge(), param_distributions=dists, **FAST).fit(X, y)
    assert len(search.cv_results_["params"]) == 5


@pytest.mark.parametrize(
    "kwargs, attribute, value",
    [
        (dict(search_spaces={"alpha": (0.1, 10.0)}), "param_distributions",
         {"alpha": (0.1, 10.0)}),
        (dict(param_grid={"alpha": [1.0]}), "param_distributions", {"alpha": [1.0]}),
        (dict(n_points=3), "batch_size", 3),
        (dict(n_trials=7), "n_iter", 7),
        (dict(timeout=60.0), "max_time", 60.0),
    ],
)
def test_peer_keywords_become_sksearch_parameters(kwargs, attribute, value):
    kwargs.setdefault("param_distributions", {"alpha": [1.0, 2.0]})
    if "search_spaces" in kwargs or "param_grid" in kwargs:
        del kwargs["param_distributions"]
    search = BayesSearchCV(Ridge(), **kwargs)
    assert getattr(search, attribute) == value
    # only sksearch names are parameters: get_params, clone and pickle see one
    # name per setting, and a clone is the same search
    params = search.get_params(deep=False)
    assert params[attribute] == value and not set(kwargs) - set(params) - {
        "search_spaces", "param_grid", "n_points", "n_trials", "timeout"
    }
    assert not {"search_spaces", "param_grid", "n_points", "n_trials", "timeout"} & set(params)
    again = clone(search)
    assert getattr(again, attribute) == value
    assert getattr(pickle.loads(pickle.dumps(search)), attribute) == value
    again.set_params(**{attribute: value})


def test_set_params_takes_the_peers_names_too():
    search = BayesSearchCV(Ridge(), {"alpha": [1.0]})
    search.set_params(search_spaces={"alpha": (0.1, 1.0)}, n_points=2, estimator__alpha=3.0)
    assert search.param_distributions == {"alpha": (0.1, 1.0)} and search.batch_size == 2
    assert search.estimator.alpha == 3.0
    with pytest.raises(TypeError, match="two values for batch_size"):
        search.set_params(n_points=2, batch_size=3)
    with pytest.raises(ValueError, match="Invalid parameter 'study'"):
        search.set_params(study=None)


def test_the_wrapped_constructor_shows_sksearch_signature():
    # sklearn's _get_param_names reads inspect.signature(cls.__init__)
    names = BayesSearchCV._get_param_names()
    assert "param_distributions" in names and "search_spaces" not in names
    assert list(inspect.signature(BayesSearchCV).parameters)[:2] == [
        "estimator", "param_distributions"
    ]


def test_coordinate_descent_keeps_its_own_n_points():
    search = CoordinateDescentSearchCV(Ridge(), {"alpha": [1.0, 2.0]}, n_points=7)
    assert search.n_points == 7 and search.batch_size == 4


def test_skopt_optimizer_kwargs_map_to_bayes_keywords():
    search = BayesSearchCV(
        Ridge(), {"alpha": (0.1, 10.0)},
        optimizer_kwargs={
            "base_estimator": "GP", "n_initial_points": 5, "acq_func": "LCB",
            "acq_func_kwargs": {"kappa": 3.0, "xi": 0.05},
            "initial_point_generator": "lhs", "acq_optimizer": "sampling",
            "acq_optimizer_kwargs": {"n_points": 300},
        },
    )
    got = search.get_params()
    assert (got["n_initial_points"], got["acq_func"], got["kappa"], got["xi"]) == (5, "lcb", 3.0, 0.05)
    assert (got["initial_design"], got["n_restarts"], got["n_candidates"]) == ("lhs", 0, 300)
    assert "optimizer_kwargs" not in got


@pytest.mark.parametrize(
    "Search, kwargs, match",
    [
        (BayesSearchCV, dict(optimizer_kwargs={"base_estimator": "RF"}),
         "always a Gaussian process; TPESearchCV"),
        (BayesSearchCV, dict(optimizer_kwargs={"acq_func": "gp_hedge"}), "acq_func takes 'ei'"),
        (BayesSearchCV, dict(optimizer_kwargs={"n_jobs": 2}), "BayesSearchCV reads"),
        (TPESearchCV, dict(optimizer_kwargs={"n_initial_points": 5}),
         "keywords of TPESearchCV \\(its own: .*n_startup"),
        (BayesSearchCV, dict(n_iter=5, n_trials=5), "both n_iter and n_trials"),
        (BayesSearchCV, dict(n_points=2, batch_size=2), "both batch_size and n_points"),
        (BayesSearchCV, dict(optimizer_kwargs={"n_initial_points": 5}, n_initial_points=5),
         "both n_initial_points and"),
        (TPESearchCV, dict(n_trials=None), "n_trials=None .* n_iter; add max_time"),
        (TPESearchCV, dict(study=object()), "checkpoint=.*warm_start_from"),
        (TPESearchCV, dict(enable_pruning=True), "HyperbandSearchCV"),
        (TPESearchCV, dict(subsample=0.5), "resource='n_samples'"),
        (TPESearchCV, dict(catch=(ValueError,)), "error_score"),
        (BayesSearchCV, dict(fit_params={"sample_weight": None}), r"search.fit\(X, y, \*\*fit"),
        (BayesSearchCV, dict(iid=False), "drop it"),
        (BayesSearchCV, dict(n_iters=5), "did you mean 'n_iter'"),
    ],
)
def test_peer_keywords_without_equivalent_name_the_sksearch_way(Search, kwargs, match):
    with pytest.raises(TypeError, match=match):
        Search(Ridge(), {"alpha": [1.0, 2.0]}, **kwargs)


def test_two_search_spaces_are_refused():
    with pytest.raises(TypeError, match="two search spaces"):
        BayesSearchCV(Ridge(), {"alpha": [1.0]}, search_spaces={"alpha": [2.0]})
    with pytest.raises(TypeError, match="both param_grid and search_spaces"):
        BayesSearchCV(Ridge(), param_grid={"alpha": [1.0]}, search_spaces={"alpha": [2.0]})


def test_hyperband_takes_the_peers_space_keywords():
    search = HyperbandSearchCV(Ridge(), param_grid={"alpha": (0.1, 10.0)}, n_points=2)
    assert search.param_distributions == {"alpha": (0.1, 10.0)} and search.batch_size == 2


# -- each peer's own example, with the import changed ----------------------------

# scikit-optimize's BayesSearchCV docstring example, as shipped (0.10)
SKOPT_EXAMPLE = """
from sksearch import BayesSearchCV  # was: from skopt import BayesSearchCV
# parameter ranges are specified by one of below
from skopt.space import Real, Categorical, Integer

from sklearn.datasets import load_iris
from sklearn.svm import SVC
from sklearn.model_selection import train_test_split

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y,
                                                    train_size=0.75,
                                                    random_state=0)

# log-uniform: understand as search over p = exp(x) by varying x
opt = BayesSearchCV(
    SVC(),
    {
        'C': Real(1e-6, 1e+6, prior='log-uniform'),
        'gamma': Real(1e-6, 1e+1, prior='log-uniform'),
        'degree': Integer(1,8),
        'kernel': Categorical(['linear', 'poly', 'rbf']),
    },
    n_iter=10, n_jobs=-1,
    random_state=0
)

# executes bayesian optimization
_ = opt.fit(X_train, y_train)

# model can be saved, used for predictions or scoring
print(opt.score(X_test, y_test))
"""

# the same search written with skopt's tuples, search_spaces= and n_points
SKOPT_TUPLES_EXAMPLE = """
from sksearch import BayesSearchCV  # was: from skopt import BayesSearchCV
from sklearn.datasets import load_iris
from sklearn.svm import SVC

X, y = load_iris(return_X_y=True)
opt = BayesSearchCV(
    SVC(),
    search_spaces={
        'C': (1e-6, 1e+6, 'log-uniform'),
        'gamma': (1e-6, 1e+1, 'log-uniform'),
        'degree': (1, 8),
        'kernel': ['linear', 'poly', 'rbf'],
    },
    n_iter=10, n_points=2, cv=3, random_state=0,
)
opt.fit(X, y)
assert len(opt.cv_results_["params"]) == 10
assert all(isinstance(p["degree"], int) for p in opt.cv_results_["params"])
print(opt.best_score_)
"""

# Optuna's OptunaSearchCV example (optuna-integration's docs and
# optuna-examples' sklearn_optuna_search_cv_simple.py); the one changed line
# is the class: optuna.integration.OptunaSearchCV -> OptunaSearchCV
OPTUNA_EXAMPLE = """
import optuna
from sksearch import TPESearchCV as OptunaSearchCV  # the changed import
from sklearn.datasets import load_iris
from sklearn.svm import SVC

clf = SVC(gamma="auto")
param_distributions = {
    "C": optuna.distributions.FloatDistribution(1e-10, 1e10, log=True)
}
optuna_search = OptunaSearchCV(clf, param_distributions, n_trials=20, timeout=600)
X, y = load_iris(return_X_y=True)
optuna_search.fit(X, y)
y_pred = optuna_search.predict(X)
assert len(optuna_search.cv_results_["params"]) == 20
print(optuna_search.best_params_)
"""


def _run(code, tmp_path):
    proc = subprocess.run([sys.executable, "-W", "default", "-"], input=textwrap.dedent(code),
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def test_skopt_own_example_runs_with_the_import_changed(tmp_path):
    pytest.importorskip("skopt")
    proc = _run(SKOPT_EXAMPLE, tmp_path)
    assert float(proc.stdout.strip().splitlines()[-1]) > 0.9


def test_skopt_tuples_example_runs_without_skopt(tmp_path):
    _run(SKOPT_TUPLES_EXAMPLE, tmp_path)


def test_optuna_own_example_runs_with_the_import_changed(tmp_path):
    pytest.importorskip("optuna")
    _run(OPTUNA_EXAMPLE, tmp_path)
