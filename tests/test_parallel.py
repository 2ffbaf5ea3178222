"""Parallel back-ends and callbacks: workers kept busy, Dask, sklearn's ProgressBar."""

import os

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.svm import SVC

from sksearch.space import Real

from ._searches import RandomSearch

X, y = load_iris(return_X_y=True)


class PidScorer(ClassifierMixin, BaseEstimator):
    """Scores the id of the process that fitted it: shows where fits ran."""

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.pid_ = os.getpid()
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return float(self.pid_)
SPACE = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1, log=True)}


def test_batch_size_is_the_searchs_not_the_backends():
    search = RandomSearch(SVC(), SPACE, n_iter=6, cv=2, random_state=0, batch_size=3)
    with joblib.parallel_config(backend="threading", n_jobs=5):
        search.fit(X, y)
    assert search.batch_size_ == 3 and search.n_batches_ == 2
    search.set_params(n_jobs=-1).fit(X, y)
    assert search.batch_size_ == 3 and search.n_batches_ == 2


@pytest.mark.timeout(300)
def test_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        search = RandomSearch(SVC(), SPACE, n_iter=6, cv=3, n_jobs=-1, random_state=0)
        with joblib.parallel_config(backend="dask"):
            search.fit(X, y)
        assert search.batch_size_ == 4  # the default, whatever the cluster
        assert len(search.cv_results_["params"]) == 6
        # the fits ran in the cluster's worker processes, not in this one
        pids = set(client.run(os.getpid).values())
        where = RandomSearch(PidScorer(), {"a": Real(0, 1)}, n_iter=4, cv=2, n_jobs=-1,
                             random_state=0)
        with joblib.parallel_config(backend="dask"):
            where.fit(X, y)
        used = {int(s) for k in ("split0_test_score", "split1_test_score")
                for s in where.cv_results_[k]}
        assert used <= pids and os.getpid() not in used
        local = RandomSearch(SVC(), SPACE, n_iter=6, cv=3, n_jobs=2, random_state=0).fit(X, y)
        assert search.cv_results_["params"] == local.cv_results_["params"]
        np.testing.assert_allclose(
            search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
        )


def test_sklearn_progress_bar_callback():
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    search = RandomSearch(SVC(), SPACE, n_iter=4, cv=2, n_jobs=2, random_state=0)
    search.set_callbacks(callback.ProgressBar())
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4


def test_callbacks_see_every_batch():
    pytest.importorskip("sklearn.callback")

    class Recorder:
        def __init__(self):
            self.begun = []

        def setup(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context, **kwargs):
            self.begun.append(context.task_name)

        def on_fit_task_end(self, estimator, context, **kwargs):
            pass

        def teardown(self, estimator, context):
            pass

    rec = Recorder()
    search = RandomSearch(SVC(), SPACE, n_iter=5, cv=2, n_jobs=2, random_state=0)
    try:
        search.set_callbacks(rec)
    except (TypeError, ValueError) as exc:  # the callback protocol differs
        pytest.skip(f"callback protocol: {exc}")
    search.fit(X, y)
    assert rec.begun.count("search-batch") == 2  # batch_size=4: 4 + 1 candidates
    assert "search" in rec.begun


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_asynchronous_with_sklearn_callbacks_on_processes_and_threads(backend):
    # in asynchronous mode the callback context tree grows while joblib
    # pickles earlier tasks in another thread: each task carries a snapshot
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    from sksearch import HyperbandSearchCV, TPESearchCV

    search = TPESearchCV(SVC(), SPACE, n_iter=12, cv=3, n_jobs=2, random_state=0,
                         asynchronous=True)
    search.set_callbacks(callback.ProgressBar())
    with joblib.parallel_config(backend=backend):
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 12
    hb = HyperbandSearchCV(SVC(), SPACE, resource="n_samples", min_resources=15, cv=3,
                           n_jobs=2, random_state=0, asynchronous=True)
    hb.set_callbacks(callback.ProgressBar())
    with joblib.parallel_config(backend=backend):
        hb.fit(X, y)
    assert len(hb.cv_results_["params"]) == hb.n_iter_


def test_callbacks_with_a_finite_space_that_runs_short():
    # a finite space can give short rounds (the strategy finds fewer new
    # candidates than asked): the callback context must not be told a count
    callback = pytest.importorskip("sklearn.callback")
    pytest.importorskip("rich")
    from sksearch import TPESearchCV

    space = {"C": [0.1, 0.3, 1.0, 3.0, 10.0], "kernel": ["rbf", "linear"]}
    search = TPESearchCV(SVC(), space, n_iter=10, cv=2, batch_size=3, random_state=0)
    search.set_callbacks(callback.ProgressBar())
    with pytest.warns(UserWarning):
        search.fit(X, y)
    assert len({tuple(sorted(p.items())) for p in search.cv_results_["params"]}) == 10


class _FailsOnC(ClassifierMixin, BaseEstimator):
    """Fails to fit when C > 1 (a NaN score), else predicts the majority."""

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        if self.C > 1:
            raise ValueError("C too large")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def _search_with_failures(seed):
    X, y = load_iris(return_X_y=True)
    search = RandomSearch(_FailsOnC(), {"C": Real(0.1, 2.0)}, n_iter=6, cv=2,
                          random_state=seed)
    return search.fit(X, y)


def _all_search_classes():
    import sksearch

    return [RandomSearch] + [getattr(sksearch, n) for n in sksearch.__all__
                             if n.endswith("SearchCV")]


@pytest.mark.parametrize("cls", _all_search_classes(), ids=lambda c: c.__name__)
def test_a_search_never_installs_a_warning_filter(monkeypatch, cls):
    # warnings.catch_warnings is process-wide and not thread-safe: two
    # searches fitted in threads would leave a filter installed for good
    import sys
    import warnings

    entered = []
    real = warnings.catch_warnings

    class Recorder(real):
        def __enter__(self):
            entered.append(sys._getframe(1).f_globals.get("__name__", ""))
            return super().__enter__()

    X, y = load_iris(return_X_y=True)
    monkeypatch.setattr(warnings, "catch_warnings", Recorder)
    kw = {"resource": "n_samples"} if "Hyperband" in cls.__name__ else {}
    search = cls(SVC(), {"C": Real(0.1, 2.0, log=True)}, n_iter=24, cv=2, random_state=0, **kw)
    search.fit(X, y)
    assert [m for m in entered if m.startswith("sksearch")] == []


def test_searches_in_threads_leave_no_filter_that_hides_sklearns_warnings():
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    # one recorder, entered by this thread only, sees every thread's warnings
    with pytest.warns(UserWarning) as seen:
        with ThreadPoolExecutor(4) as pool:
            searches = list(pool.map(_search_with_failures, range(8)))
    assert all(np.isnan(s.cv_results_["mean_test_score"]).any() for s in searches)
    # NaN scores are reported as GridSearchCV reports them, for each search
    sklearns = "One or more of the test scores are non-finite"
    assert sum(sklearns in str(w.message) for w in seen) == len(searches)
    # (sklearn's own type_of_target enters catch_warnings in each thread, so
    # the filter list itself may not come back as it was; none of its
    # entries may hide the non-finite warning)
    hides = [f for f in warnings.filters if f[0] == "ignore" and f[1] is not None
             and f[1].search(sklearns)]
    assert hides == []
    with pytest.warns(UserWarning, match=sklearns):
        _search_with_failures(0)
