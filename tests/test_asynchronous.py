"""The evaluation loop owns its fit-and-score jobs: no fit is repeated to
build the fitted search, and the asynchronous mode proposes a candidate as
soon as a worker frees."""

import threading

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from sksearch import (
    HyperbandSearchCV,
    TPESearchCV,
)
from sksearch.callbacks import EarlyStopping
from sksearch.space import Real

from ._searches import PUBLIC_SEARCHES

X, y = load_iris(return_X_y=True)
SPACE = {"C": Real(1e-3, 1e3, log=True)}
CLASSES = PUBLIC_SEARCHES  # Hyperband (asynchronous successive halving) included


class _Counting(LogisticRegression):
    lock = threading.Lock()
    n_fits = 0

    def fit(self, X, y):
        with _Counting.lock:
            _Counting.n_fits += 1
        return super().fit(X, y)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_every_fit_runs_once(asynchronous):
    _Counting.n_fits = 0
    search = TPESearchCV(_Counting(max_iter=300), SPACE, n_iter=6, cv=3, n_jobs=2,
                         random_state=0, asynchronous=asynchronous)
    with joblib.parallel_config(backend="threading"):
        search.fit(X, y)
    assert _Counting.n_fits == 6 * 3 + 1  # the candidates' folds, then the refit
    assert len(search.cv_results_["params"]) == 6


def test_resumed_whole_search_fits_nothing_but_the_refit(tmp_path):
    path = tmp_path / "journal.jsonl"
    kwargs = dict(n_iter=6, cv=3, random_state=0, checkpoint=path)
    first = TPESearchCV(_Counting(max_iter=300), SPACE, **kwargs).fit(X, y)
    _Counting.n_fits = 0
    again = TPESearchCV(_Counting(max_iter=300), SPACE, **kwargs).fit(X, y)
    assert _Counting.n_fits == 1
    assert again.n_resumed_ == 6
    assert again.cv_results_["params"] == first.cv_results_["params"]
    np.testing.assert_allclose(again.cv_results_["mean_test_score"],
                               first.cv_results_["mean_test_score"])


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_asynchronous_evaluates_n_iter_distinct_candidates(cls):
    search = cls(LogisticRegression(max_iter=300), SPACE, n_iter=10, cv=3, n_jobs=2,
                 random_state=0, asynchronous=True)
    search.fit(X, y)
    results = search.cv_results_
    # a unit is a candidate at a resource (a promotion is the same candidate
    # at a larger one)
    units = [(p["C"], *results.get("n_resources", [None] * 10)[i:i + 1])
             for i, p in enumerate(results["params"])]
    assert len(units) == len(set(units)) == 10
    assert sorted(results["iter"]) == list(range(10))
    assert search.stop_reason_ == "n_iter"
    if "n_resources" not in results:  # a multi-level search tells only full resources
        assert len(search.optimizer_.y_) == 10
    best = int(np.nanargmax(search.cv_results_["mean_test_score"]))
    assert search.best_params_ == search.cv_results_["params"][best]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_asynchronous_with_one_worker_is_reproducible(cls):
    runs = [
        cls(LogisticRegression(max_iter=300), SPACE, n_iter=8, cv=3, n_jobs=1,
            random_state=0, asynchronous=True).fit(X, y).cv_results_["params"]
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


@pytest.mark.timeout(300)
def test_asynchronous_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        search = TPESearchCV(LogisticRegression(max_iter=300), SPACE, n_iter=8, cv=3,
                             n_jobs=-1, random_state=0, asynchronous=True)
        with joblib.parallel_config(backend="dask"):
            search.fit(X, y)
    assert len({p["C"] for p in search.cv_results_["params"]}) == 8
    assert search.best_score_ > 0.9


def test_asynchronous_stops_on_a_callback():
    search = TPESearchCV(LogisticRegression(max_iter=300), SPACE, n_iter=40, cv=3,
                         n_jobs=2, random_state=0, asynchronous=True,
                         callbacks=[EarlyStopping(patience=3)])
    search.fit(X, y)
    assert search.stop_reason_ == "callback"
    # the candidates in flight when it stopped finish and are kept
    assert 4 <= len(search.cv_results_["params"]) < 40
    assert len(search.optimizer_.y_) == len(search.cv_results_["params"])


def test_asynchronous_resumes_from_its_journal(tmp_path):
    path = tmp_path / "journal.jsonl"
    kwargs = dict(cv=3, n_jobs=2, random_state=0, asynchronous=True, checkpoint=path)
    first = TPESearchCV(LogisticRegression(max_iter=300), SPACE, n_iter=5, **kwargs)
    first.fit(X, y)
    more = TPESearchCV(LogisticRegression(max_iter=300), SPACE, n_iter=9, **kwargs)
    more.fit(X, y)
    assert more.n_resumed_ == 5
    # the first run's rows are in the order its fits finished (two workers:
    # not always the order asked); the resumed run replays them in the order
    # asked, which their iter column numbers
    asked = np.argsort(first.cv_results_["iter"], kind="stable")
    assert more.cv_results_["params"][:5] == [first.cv_results_["params"][i] for i in asked]
    assert list(more.cv_results_["iter"][:5]) == sorted(first.cv_results_["iter"])
    assert len({p["C"] for p in more.cv_results_["params"]}) == 9


def test_asynchronous_is_validated():
    with pytest.raises(ValueError, match="asynchronous"):
        TPESearchCV(LogisticRegression(), SPACE, n_iter=2, asynchronous="yes").fit(X, y)
    search = HyperbandSearchCV(LogisticRegression(), {"C": Real(0.1, 10)}, cv=2,
                               asynchronous=1.5)
    with pytest.raises(ValueError, match="asynchronous"):
        search.fit(X, y)


def test_asynchronous_verbose_reports_each_candidate(capsys):
    TPESearchCV(LogisticRegression(max_iter=300), SPACE, n_iter=5, cv=3, random_state=0,
                verbose=1, asynchronous=True).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Fitting 3 folds") == 1
    assert out.count("candidates, best") == 5


@pytest.mark.parametrize("backend", ["loky", "threading"])
@pytest.mark.parametrize("asynchronous", [False, True])
def test_runs_under_an_explicit_joblib_backend(backend, asynchronous):
    # parallel_config shares one backend instance between every Parallel
    search = TPESearchCV(LogisticRegression(max_iter=300), SPACE, n_iter=4, cv=2, n_jobs=2,
                         random_state=0, asynchronous=asynchronous)
    with joblib.parallel_config(backend=backend):
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 4
