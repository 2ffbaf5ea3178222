"""sklearn's estimator checks and the SearchCV conformance suite, over every
public search class (and the test-only random search that tests the driver)."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import parametrize_with_checks

import sksearch
from sksearch._search import BaseSearch
from sksearch.model_selection import registered_searches
from sksearch.space import Categorical, Integer, Real

from ._searches import RandomSearch

# the registry's public classes (sksearch.optimizers.all_optimizers)
PUBLIC_SEARCHES = sorted(set(registered_searches().values()), key=lambda c: c.__name__)
ALL_SEARCHES = [RandomSearch, *PUBLIC_SEARCHES]

X, y = load_iris(return_X_y=True)
SKLEARN_VERSION = tuple(int(p) for p in sklearn.__version__.split(".")[:2])


def _instance(cls, **kwargs):
    params = dict(n_iter=3, cv=2, random_state=0)
    params.update(kwargs)
    return cls(LogisticRegression(max_iter=200), {"C": Real(1e-2, 1e2, log=True)}, **params)


@parametrize_with_checks([_instance(cls) for cls in ALL_SEARCHES])
def test_sklearn_estimator_checks(estimator, check):
    name = getattr(check, "func", check).__name__
    if name == "check_parameters_default_constructible" and SKLEARN_VERSION < (1, 6):
        # before 1.6 this check builds meta-estimators from `estimator` alone,
        # as GridSearchCV's own param_grid would not allow either
        pytest.skip("sklearn < 1.6 builds the search without param_distributions")
    check(estimator)


def test_the_registry_names_every_exported_search():
    exported = {
        cls for name in sksearch.__all__
        if isinstance(cls := getattr(sksearch, name), type) and issubclass(cls, BaseSearch)
    }
    assert exported == set(PUBLIC_SEARCHES)


@pytest.fixture(params=ALL_SEARCHES, ids=lambda c: c.__name__)
def Search(request):
    return request.param


def test_constructor_only_stores(Search):
    space = {"C": (2.0, 1.0)}  # an invalid range, but only fit may say so
    search = Search(LogisticRegression(), space, n_iter=-5, random_state="nonsense")
    assert search.param_distributions is space and search.n_iter == -5
    assert clone(search).get_params()["n_iter"] == -5


def test_reproducible_with_two_jobs(Search):
    space = {"C": Real(1e-2, 1e2, log=True), "fit_intercept": [True, False]}
    kw = dict(n_iter=6, cv=2, n_jobs=2, random_state=3)
    a = Search(LogisticRegression(max_iter=200), space, **kw).fit(X, y)
    b = Search(LogisticRegression(max_iter=200), space, **kw).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    assert len(a.cv_results_["params"]) == 6


def test_pickle_after_fit(Search):
    search = _instance(Search).fit(X, y)
    again = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(again.predict(X), search.predict(X))


def test_subspaces_and_estimator_choices(Search):
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier

    pipe = Pipeline([("clf", LogisticRegression(max_iter=200))])
    space = [
        {"clf": [LogisticRegression(max_iter=200)], "clf__C": Real(1e-2, 1e2, log=True)},
        {"clf": [DecisionTreeClassifier()], "clf__max_depth": Integer(1, 8),
         "clf__criterion": Categorical(["gini", "entropy"])},
    ]
    search = Search(pipe, space, n_iter=8, cv=2, random_state=0).fit(X, y)
    for p in search.cv_results_["params"]:
        names = set(p)
        assert names in ({"clf", "clf__C"}, {"clf", "clf__max_depth", "clf__criterion"})


def test_failed_fits_do_not_stop_the_search(Search):
    from .test_search import FailsOnLargeC

    search = Search(FailsOnLargeC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=8, cv=2,
                    random_state=0)
    with pytest.warns(UserWarning):
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert search.best_params_["C"] <= 1


def test_bad_budget_is_named(Search):
    with pytest.raises(ValueError, match="n_iter"):
        _instance(Search, n_iter=0).fit(X, y)
