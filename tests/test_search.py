"""The driver, through a test-only SearchCV on the random strategy."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.stats as st
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_iris, make_classification
from sklearn.decomposition import PCA
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    KFold,
    RandomizedSearchCV,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sksearch.space import Integer, Real

from ._searches import RandomSearch

X, y = load_iris(return_X_y=True)
SPACE = {"C": Real(1e-3, 1e3, log=True)}


def test_basic_fit_and_attributes():
    search = RandomSearch(LogisticRegression(max_iter=200), SPACE, n_iter=6, cv=3, random_state=0)
    search.fit(X, y)
    res = search.cv_results_
    assert len(res["params"]) == 6
    for key in ["mean_test_score", "std_test_score", "rank_test_score", "mean_fit_time",
                "std_fit_time", "mean_score_time", "std_score_time", "param_C", "params",
                "split0_test_score", "split2_test_score", "iter"]:
        assert key in res, key
    assert search.best_score_ == np.max(res["mean_test_score"])
    assert search.best_params_ == res["params"][search.best_index_]
    assert search.predict(X).shape == (150,)
    assert search.predict_proba(X).shape == (150, 3)
    assert search.score(X, y) > 0.9
    assert list(search.classes_) == [0, 1, 2]
    assert search.n_features_in_ == 4
    assert search.n_splits_ == 3
    assert isinstance(search.optimizer_.space, type(search.space_))


def test_cv_results_have_gridsearch_keys_and_dtypes():
    grid = GridSearchCV(SVC(), {"C": [0.1, 1.0], "kernel": ["rbf", "linear"]}, cv=3,
                        return_train_score=True).fit(X, y)
    ours = RandomSearch(SVC(), {"C": [0.1, 1.0], "kernel": ["rbf", "linear"]}, n_iter=4, cv=3,
                        return_train_score=True, random_state=0).fit(X, y)
    assert set(grid.cv_results_) <= set(ours.cv_results_)
    assert set(ours.cv_results_) - set(grid.cv_results_) == {"iter"}
    for key in grid.cv_results_:
        a, b = grid.cv_results_[key], ours.cv_results_[key]
        assert type(a) is type(b), key
        if isinstance(a, np.ndarray):
            assert a.dtype.kind == b.dtype.kind and a.shape == b.shape, key
    # same candidates, same scores (same deterministic folds)
    ga = {(p["C"], p["kernel"]): s for p, s in zip(grid.cv_results_["params"],
                                                  grid.cv_results_["mean_test_score"])}
    for p, s in zip(ours.cv_results_["params"], ours.cv_results_["mean_test_score"]):
        assert s == pytest.approx(ga[(p["C"], p["kernel"])])


def test_exactly_n_iter_candidates_with_partial_batches():
    search = RandomSearch(DecisionTreeClassifier(), {"max_depth": Integer(1, 30),
                          "min_samples_leaf": Integer(1, 20)}, n_iter=7, n_jobs=2, cv=2,
                          random_state=0, batch_size=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 7
    assert search.batch_size_ == 2 and search.n_batches_ == 4
    assert list(search.cv_results_["iter"]) == [0, 0, 1, 1, 2, 2, 3]


def test_small_finite_space_warns_and_runs_every_candidate():
    search = RandomSearch(SVC(), {"C": [0.1, 1.0, 10.0]}, n_iter=10, cv=2, random_state=0)
    with pytest.warns(UserWarning, match="3 distinct candidates, fewer than n_iter=10"):
        search.fit(X, y)
    assert sorted(search.cv_results_["param_C"]) == [0.1, 1.0, 10.0]


def test_same_random_state_same_candidates_also_in_parallel():
    kw = dict(n_iter=6, cv=3, random_state=7)
    a = RandomSearch(SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_jobs=2, **kw).fit(X, y)
    b = RandomSearch(SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_jobs=2, **kw).fit(X, y)
    c = RandomSearch(SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_jobs=1, **kw).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"])
    # the random strategy does not depend on the batch size
    assert a.cv_results_["params"] == c.cv_results_["params"]
    d = RandomSearch(SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=6, cv=3, random_state=8)
    assert d.fit(X, y).cv_results_["params"] != a.cv_results_["params"]


def test_random_state_instance_is_accepted():
    rs = np.random.RandomState(0)
    RandomSearch(SVC(), SPACE, n_iter=2, cv=2, random_state=rs).fit(X, y)


def test_unseeded_shuffling_splitter_gives_every_candidate_the_same_folds():
    class Recorder(BaseEstimator, ClassifierMixin):
        def __init__(self, a=0.0):
            self.a = a

        def fit(self, X, y):
            self.classes_ = np.unique(y)
            self.train_ = frozenset(X[:, 0].tolist())
            return self

        def predict(self, X):
            return np.zeros(len(X), dtype=int)

        def score(self, X, y):
            # a fingerprint of the test fold, read back through cv_results_
            return float(np.sum(X[:, 0] * np.arange(1, len(X) + 1)) % 997)

    Xr = np.arange(60, dtype=float).reshape(-1, 1)
    yr = np.arange(60) % 2
    search = RandomSearch(Recorder(), {"a": Real(0, 1)}, n_iter=5, cv=KFold(3, shuffle=True),
                          random_state=0).fit(Xr, yr)
    fold0 = search.cv_results_["split0_test_score"]
    assert np.all(fold0 == fold0[0])


def test_pipeline_with_step_params():
    pipe = Pipeline([("scale", StandardScaler()), ("pca", PCA()), ("clf", SVC())])
    space = {"pca__n_components": Integer(1, 4), "clf__C": Real(1e-2, 1e2, log=True),
             "scale": [StandardScaler(), "passthrough"]}
    search = RandomSearch(pipe, space, n_iter=6, cv=3, random_state=0).fit(X, y)
    assert set(search.best_params_) == set(space)
    assert isinstance(search.best_estimator_, Pipeline)
    assert search.best_estimator_.named_steps["clf"].C == search.best_params_["clf__C"]


def test_automl_estimator_choice_with_subspaces():
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    space = [
        {"clf": [SVC()], "clf__C": Real(1e-2, 1e2, log=True)},
        {"clf": [LogisticRegression(max_iter=300)], "clf__C": Real(1e-2, 1e2, log=True)},
        {"clf": [DecisionTreeClassifier()], "clf__max_depth": Integer(1, 10)},
    ]
    search = RandomSearch(pipe, space, n_iter=12, cv=3, random_state=0).fit(X, y)
    kinds = {type(p["clf"]).__name__ for p in search.cv_results_["params"]}
    assert kinds == {"SVC", "LogisticRegression", "DecisionTreeClassifier"}
    for p in search.cv_results_["params"]:
        if isinstance(p["clf"], DecisionTreeClassifier):
            assert set(p) == {"clf", "clf__max_depth"}
        else:
            assert set(p) == {"clf", "clf__C"}
    # masked where a parameter does not apply
    assert np.ma.is_masked(search.cv_results_["param_clf__max_depth"])
    # estimator choices are never shared between candidates or with the space
    objs = [p["clf"] for p in search.cv_results_["params"]]
    assert len({id(o) for o in objs}) == len(objs)
    assert all(o is not d["clf"][0] for o in objs for d in space)
    # the refitted estimator is a clone, not the object in cv_results_
    assert search.best_estimator_.named_steps["clf"] is not search.best_params_["clf"]


def test_user_estimator_is_never_fitted():
    est = LogisticRegression(max_iter=200)
    RandomSearch(est, SPACE, n_iter=2, cv=2, random_state=0).fit(X, y)
    assert not hasattr(est, "coef_")


def test_multimetric_refit_by_name():
    search = RandomSearch(SVC(), {"C": Real(1e-3, 1e3, log=True)}, n_iter=5, cv=3,
                          scoring={"acc": "accuracy", "f1": "f1_macro"}, refit="f1",
                          random_state=0).fit(X, y)
    res = search.cv_results_
    assert "mean_test_acc" in res and "mean_test_f1" in res
    assert search.best_score_ == res["mean_test_f1"][search.best_index_]
    # the strategy was told the refit metric
    np.testing.assert_allclose(search.optimizer_.y_, res["mean_test_f1"])


@pytest.mark.parametrize("refit", [True, False])
def test_multimetric_without_a_named_objective_is_a_clear_error(refit):
    search = RandomSearch(SVC(), SPACE, n_iter=2, scoring=["accuracy", "f1_macro"], refit=refit)
    with pytest.raises(ValueError, match=r"set objective \(or refit\) to one of the scorers"):
        search.fit(X, y)


def test_callable_multimetric_scoring_needs_refit_name():
    def scorer(est, X, y):
        return {"a": est.score(X, y), "b": 1.0}

    search = RandomSearch(SVC(), SPACE, n_iter=2, cv=2, scoring=scorer, refit=False)
    with pytest.raises(ValueError, match=r"set objective \(or refit\) to one of"):
        search.fit(X, y)
    search.set_params(refit="a").fit(X, y)
    from sksearch import TPESearchCV

    TPESearchCV(SVC(), SPACE, n_iter=2, cv=2, scoring=scorer, refit=False,
                objective="b").fit(X, y)
    np.testing.assert_allclose(search.optimizer_.y_, search.cv_results_["mean_test_a"])


def test_groups_reach_the_splitter():
    groups = np.repeat(np.arange(10), 15)
    search = RandomSearch(SVC(), SPACE, n_iter=3, cv=GroupKFold(5), random_state=0)
    search.fit(X, y, groups=groups)
    assert search.n_splits_ == 5
    with pytest.raises(ValueError, match="groups"):
        RandomSearch(SVC(), SPACE, n_iter=2, cv=GroupKFold(5)).fit(X, y)


def test_sample_weight_reaches_the_estimator():
    class WeightChecker(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            assert sample_weight is not None and len(sample_weight) == len(X)
            return super().fit(X, y, sample_weight=sample_weight)

    w = np.ones(len(X))
    search = RandomSearch(WeightChecker(max_iter=200), SPACE, n_iter=2, cv=2, error_score="raise",
                          random_state=0)
    search.fit(X, y, sample_weight=w)
    assert hasattr(search.best_estimator_, "coef_")


def test_pandas_and_sparse_input():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    search = RandomSearch(LogisticRegression(max_iter=300), SPACE, n_iter=2, cv=2,
                          random_state=0).fit(df, pd.Series(y))
    assert list(search.feature_names_in_) == ["a", "b", "c", "d"]
    assert search.predict(df).shape == (150,)
    Xs = sp.csr_matrix(X)
    search = RandomSearch(LogisticRegression(max_iter=300), SPACE, n_iter=2, cv=2,
                          random_state=0).fit(Xs, y)
    assert search.predict(Xs).shape == (150,)


class FailsOnLargeC(BaseEstimator, ClassifierMixin):
    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        if self.C > 1:
            raise RuntimeError("C too large for this test")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_failed_fits_get_error_score_and_the_search_goes_on():
    search = RandomSearch(FailsOnLargeC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=10, cv=2,
                          random_state=0)
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    cs = search.cv_results_["param_C"].astype(float)
    assert np.isnan(scores[cs > 1]).all() and (cs > 1).any()
    assert np.isfinite(scores[cs <= 1]).all()
    assert search.best_params_["C"] <= 1
    assert np.isnan(search.optimizer_.y_).sum() == (cs > 1).sum()


def test_numeric_error_score():
    search = RandomSearch(FailsOnLargeC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=6, cv=2,
                          error_score=-1.0, random_state=0)
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    cs = search.cv_results_["param_C"].astype(float)
    assert (search.cv_results_["mean_test_score"][cs > 1] == -1.0).all()


def test_error_score_raise():
    search = RandomSearch(FailsOnLargeC(), {"C": Real(10, 100)}, n_iter=3, cv=2,
                          error_score="raise")
    with pytest.raises(RuntimeError, match="C too large"):
        search.fit(X, y)


def test_all_fits_failing_says_so():
    search = RandomSearch(FailsOnLargeC(), {"C": Real(10, 100)}, n_iter=4, cv=2)
    with pytest.raises(ValueError, match="All the 8 fits of the 4 candidates failed"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitFailedWarning)
            search.fit(X, y)


def test_gridsearch_all_failed_check_is_unchanged_outside_sksearch():
    # our deferral of sklearn's check must not leak into sklearn's own searches
    grid = GridSearchCV(FailsOnLargeC(), {"C": [10, 20]}, cv=2)
    with pytest.raises(ValueError, match="All the 4 fits failed"):
        grid.fit(X, y)


def test_nested_cross_validation():
    search = RandomSearch(SVC(), SPACE, n_iter=3, cv=2, random_state=0)
    scores = cross_val_score(search, X, y, cv=3)
    assert scores.shape == (3,) and (scores > 0.5).all()


def test_clone_get_set_params_and_pickle():
    search = RandomSearch(SVC(), SPACE, n_iter=3, cv=2, random_state=0)
    params = search.get_params()
    assert params["n_iter"] == 3 and params["param_distributions"] is SPACE
    assert "estimator__C" in params
    cloned = clone(search)
    assert cloned.get_params()["n_iter"] == 3
    cloned.set_params(n_iter=4, estimator__kernel="linear")
    assert cloned.n_iter == 4 and cloned.estimator.kernel == "linear"
    assert search.estimator.kernel == "rbf"
    search.fit(X, y)
    again = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(again.predict(X), search.predict(X))
    assert again.best_params_ == search.best_params_


def test_refit_false_and_callable():
    search = RandomSearch(SVC(), SPACE, n_iter=3, cv=2, refit=False, random_state=0).fit(X, y)
    assert not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError):
        search.predict(X)

    def lowest_c(results):
        return int(np.argmin(results["param_C"].astype(float)))

    search = RandomSearch(SVC(), SPACE, n_iter=4, cv=2, refit=lowest_c, random_state=0).fit(X, y)
    assert search.best_params_["C"] == min(search.cv_results_["param_C"])


def test_scipy_distributions_as_in_randomized_search():
    dists = {"C": st.loguniform(1e-3, 1e3), "degree": st.randint(1, 4), "kernel": ["rbf", "poly"]}
    ours = RandomSearch(SVC(), dists, n_iter=5, cv=2, random_state=0).fit(X, y)
    RandomizedSearchCV(SVC(), dists, n_iter=5, cv=2, random_state=0).fit(X, y)
    for p in ours.cv_results_["params"]:
        assert 1e-3 <= p["C"] <= 1e3 and p["degree"] in (1, 2, 3) and type(p["degree"]) is int


def test_regression_and_default_scoring():
    Xr, yr = make_classification(n_samples=80, random_state=0)[0], np.linspace(0, 1, 80)
    search = RandomSearch(Ridge(), {"alpha": Real(1e-3, 10, log=True)}, n_iter=3, cv=3,
                          random_state=0).fit(Xr, yr)
    assert np.isfinite(search.best_score_)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_iter=0), ValueError, "n_iter"),
        (dict(n_iter=2.5), ValueError, "n_iter"),
        (dict(param_distributions="C"), ValueError, "param_distributions"),
        (dict(param_distributions={"C": (2.0, 1.0)}), ValueError, r"param_distributions\['C'\]"),
        (dict(param_distributions={"C": (0.0, 1.0, "log-uniform")}), ValueError, "log=True"),
        (dict(param_distributions={"C": []}), ValueError, "at least one choice"),
        (dict(param_distributions={"bogus": [1, 2]}), ValueError, "'bogus' is not a parameter"),
        (dict(param_distributions=[{"C": [1]}, {"clf__C": [1]}]), ValueError,
         r"param_distributions\[1\]: 'clf__C' is not a parameter"),
        (dict(random_state="x"), ValueError, "random_state"),
        (dict(cv="x"), ValueError, "cv"),
        (dict(scoring="not-a-scorer"), ValueError, "scoring"),
        (dict(error_score="ignore"), ValueError, "error_score"),
    ],
)
def test_bad_input_raises_at_fit_naming_the_parameter(kwargs, error, match):
    params = dict(param_distributions=SPACE, n_iter=2, cv=2)
    params.update(kwargs)
    search = RandomSearch(SVC(), **params)  # constructing never validates
    with pytest.raises(error, match=match):
        search.fit(X, y)


def test_params_of_an_estimator_choice_are_validated_against_every_choice():
    pipe = Pipeline([("clf", SVC())])
    ok = {"clf": [LogisticRegression(), SVC()], "clf__C": [0.1, 1.0]}
    RandomSearch(pipe, ok, n_iter=2, cv=2, random_state=0).fit(X, y)
    bad = {"clf": [LogisticRegression(), DecisionTreeClassifier()], "clf__C": [0.1, 1.0]}
    with pytest.raises(ValueError, match="'clf__C' is not a parameter"):
        RandomSearch(pipe, bad, n_iter=2, cv=2).fit(X, y)


def test_verbose_prints_one_line_per_batch(capsys):
    RandomSearch(SVC(), SPACE, n_iter=4, n_jobs=2, cv=2, verbose=1, random_state=0,
                 batch_size=2).fit(X, y)
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("[RandomSearch]")]
    assert len(lines) == 2 and "4/4 candidates" in lines[-1] and "best" in lines[-1]


def test_overhead_compared_with_cross_validate_is_small_in_fits():
    """Same candidates through the driver and through cross_validate give the same scores."""
    search = RandomSearch(SVC(), SPACE, n_iter=4, cv=3, random_state=0).fit(X, y)
    for p, s in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        ref = cross_validate(SVC(**p), X, y, cv=3)["test_score"].mean()
        assert s == pytest.approx(ref)


def test_metadata_routing_of_sample_weight():
    from sklearn import config_context

    class WeightChecker(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            assert sample_weight is not None
            return super().fit(X, y, sample_weight=sample_weight)

    with config_context(enable_metadata_routing=True):
        est = WeightChecker(max_iter=200).set_fit_request(sample_weight=True)
        est.set_score_request(sample_weight=False)
        search = RandomSearch(est, SPACE, n_iter=2, cv=2, error_score="raise", random_state=0)
        search.fit(X, y, sample_weight=np.ones(len(X)))
        assert hasattr(search.best_estimator_, "coef_")
        # not requested: routing refuses the unrequested metadata, as GridSearchCV does
        search = RandomSearch(LogisticRegression(), SPACE, n_iter=2, cv=2)
        with pytest.raises(Exception, match="sample_weight"):
            search.fit(X, y, sample_weight=np.ones(len(X)))


def test_names_that_only_set_params_accepts_are_valid():
    class Aliased(LogisticRegression):
        """Takes 'strength' as an alias of 1 / C, which get_params does not list."""

        def set_params(self, **params):
            if "strength" in params:
                params["C"] = 1.0 / params.pop("strength")
            return super().set_params(**params)

    search = RandomSearch(Aliased(max_iter=300), {"strength": Real(0.1, 10, log=True)}, n_iter=2,
                          cv=2, random_state=0, error_score="raise").fit(X, y)
    assert "strength" in search.best_params_
    with pytest.raises(ValueError, match="'bogus' is not a parameter"):
        RandomSearch(Aliased(), {"bogus": [1]}, n_iter=1, cv=2).fit(X, y)


def test_objective_names_the_metric_with_refit_false_or_a_callable():
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC

    from sksearch import HyperbandSearchCV, TPESearchCV
    from sksearch.space import Real

    X, y = load_iris(return_X_y=True)
    space = {"C": Real(1e-2, 1e2, log=True)}
    scoring = {"acc": "accuracy", "f1": "f1_macro"}
    search = TPESearchCV(SVC(), space, n_iter=6, cv=3, scoring=scoring, refit=False,
                         objective="f1", random_state=0).fit(X, y)
    assert not hasattr(search, "best_params_")  # as GridSearchCV with refit=False
    np.testing.assert_allclose(search.optimizer_.y_, search.cv_results_["mean_test_f1"])
    # a refit callable chooses best_index_ itself; the strategy learns from objective
    pick = TPESearchCV(SVC(), space, n_iter=6, cv=3, scoring=scoring, objective="acc",
                       refit=lambda r: int(np.argmin(r["mean_test_f1"])),
                       random_state=0).fit(X, y)
    np.testing.assert_allclose(pick.optimizer_.y_, pick.cv_results_["mean_test_acc"])
    assert pick.best_index_ == int(np.argmin(pick.cv_results_["mean_test_f1"]))
    hb = HyperbandSearchCV(SVC(), space, resource="n_samples", min_resources=30, cv=3,
                           scoring=scoring, refit=False, objective="acc",
                           random_state=0).fit(X, y)
    assert len(hb.cv_results_["params"]) == hb.n_iter_


@pytest.mark.parametrize("kw, match", [
    (dict(scoring=["accuracy", "f1_macro"], refit=False), "set objective"),
    (dict(scoring=["accuracy", "f1_macro"], objective="recall"), "objective='recall' is not"),
    (dict(objective="accuracy"), "with a single metric"),
    (dict(scoring=["accuracy"], objective=3), "objective"),
])
def test_objective_errors_name_the_parameter(kw, match):
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC

    from sksearch import TPESearchCV
    from sksearch.space import Real

    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match=match):
        TPESearchCV(SVC(), {"C": Real(0.1, 10)}, n_iter=2, cv=2, **kw).fit(X, y)
