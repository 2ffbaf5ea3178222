"""n_jobs and the joblib backend change speed only: the same random_state and
data give the same candidates; sklearn is never written to, before, during or
after a search."""

import sys
import threading

import joblib
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from sksearch import HyperbandSearchCV, TPESearchCV
from sksearch.space import Integer, Real

from ._searches import PUBLIC_SEARCHES

X, y = load_iris(return_X_y=True)
SPACE = {"C": Real(1e-3, 1e3, log=True)}
CLASSES = PUBLIC_SEARCHES  # Hyperband included


def _params(search):
    return [{k: (round(v, 12) if isinstance(v, float) else v) for k, v in p.items()}
            for p in search.cv_results_["params"]]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_candidates_do_not_depend_on_n_jobs(cls):
    runs = []
    for n_jobs in (1, 2, 3):
        search = cls(LogisticRegression(max_iter=300), SPACE, n_iter=12, cv=3,
                     n_jobs=n_jobs, random_state=0)
        runs.append(_params(search.fit(X, y)))
    assert len(runs[0]) == 12
    assert runs[0] == runs[1] == runs[2]


def test_hyperband_candidates_do_not_depend_on_n_jobs():
    space = {"max_depth": Integer(1, 8), "min_samples_leaf": Integer(1, 10)}
    runs = []
    for n_jobs in (1, 3):
        search = HyperbandSearchCV(DecisionTreeClassifier(random_state=0), space, cv=3,
                                   n_jobs=n_jobs, random_state=0)
        runs.append((_params(search.fit(X, y)), list(search.cv_results_["n_resources"])))
    assert runs[0] == runs[1]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_candidates_on_a_dask_cluster_equal_n_jobs_1(cls):
    distributed = pytest.importorskip("distributed")
    local = cls(LogisticRegression(max_iter=300), SPACE, n_iter=8, cv=3, random_state=0)
    local.fit(X, y)
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        remote = cls(LogisticRegression(max_iter=300), SPACE, n_iter=8, cv=3, n_jobs=-1,
                     random_state=0)
        with joblib.parallel_config(backend="dask"):
            remote.fit(X, y)
    assert _params(local) == _params(remote)


def test_batch_size_is_validated():
    search = TPESearchCV(LogisticRegression(), SPACE, n_iter=4, batch_size=0)
    with pytest.raises(ValueError, match="batch_size"):
        search.fit(X, y)


def sklearn_modules():
    """Every attribute of every loaded sklearn module, by identity."""
    return {
        name: {k: id(v) for k, v in vars(module).items()}
        for name, module in list(sys.modules.items())
        if name.split(".")[0] == "sklearn" and module is not None
    }


def assert_unchanged(before, after):
    """Nothing of ``before`` was replaced or removed in ``after``, and no
    sksearch name was added (modules imported later add their own names)."""
    for name, attrs in before.items():
        now = after[name]
        assert not [k for k in now if "sksearch" in k], name
        changed = [k for k, v in attrs.items() if now.get(k) != v]
        assert not changed, f"{name}: {changed}"


@pytest.mark.parametrize("cls", [TPESearchCV, HyperbandSearchCV], ids=lambda c: c.__name__)
def test_sklearn_is_never_written_to(cls):
    import sksearch  # noqa: F401

    before = sklearn_modules()
    seen = {}

    class Spy(DecisionTreeClassifier):
        def fit(self, X, y, sample_weight=None):
            seen["during"] = sklearn_modules()
            return super().fit(X, y, sample_weight=sample_weight)

    space = {"max_depth": Integer(1, 20)}
    cls(Spy(random_state=0), space, n_iter=9, cv=2, random_state=0).fit(X, y)
    assert_unchanged(before, seen["during"])
    assert_unchanged(before, sklearn_modules())


class _Fails(ClassifierMixin, BaseEstimator):
    def __init__(self, a=0):
        self.a = a

    def fit(self, X, y):
        raise RuntimeError("always fails")


class _Slow(LogisticRegression):
    def fit(self, X, y):
        _Slow.started.set()
        _Slow.release.wait(30)
        return super().fit(X, y)


def test_gridsearch_in_another_thread_behaves_as_sklearns():
    # while an sksearch search runs (its replacements installed), a
    # GridSearchCV in another thread whose fits all fail raises as sklearn's
    _Slow.started, _Slow.release = threading.Event(), threading.Event()
    search = TPESearchCV(_Slow(max_iter=300), SPACE, n_iter=2, cv=2, random_state=0)
    runner = threading.Thread(target=search.fit, args=(X, y))
    runner.start()
    try:
        assert _Slow.started.wait(30)
        with pytest.raises(ValueError, match="All the .* fits failed"):
            GridSearchCV(_Fails(), {"a": [0, 1]}, cv=2).fit(X, y)
    finally:
        _Slow.release.set()
        runner.join(60)


def test_verbose_prints_one_fitting_line(capsys):
    TPESearchCV(LogisticRegression(max_iter=300), SPACE, n_iter=8, cv=3, random_state=0,
                verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Fitting 3 folds") == 1
    assert "for each of 8 candidates, totalling 24 fits" in out


@pytest.mark.timeout(300)
def test_hyperband_candidates_on_a_dask_cluster_equal_n_jobs_1():
    distributed = pytest.importorskip("distributed")
    space = {"max_depth": Integer(1, 8), "min_samples_leaf": Integer(1, 10)}
    kw = dict(resource="n_samples", min_resources=20, cv=3, random_state=0)
    local = HyperbandSearchCV(DecisionTreeClassifier(random_state=0), space, **kw).fit(X, y)
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        remote = HyperbandSearchCV(DecisionTreeClassifier(random_state=0), space, n_jobs=-1,
                                   **kw)
        with joblib.parallel_config(backend="dask"):
            remote.fit(X, y)
    assert _params(local) == _params(remote)
    assert list(local.cv_results_["n_resources"]) == list(remote.cv_results_["n_resources"])
