"""Time budget, checkpoint and resume, warm start, and stopping callbacks."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.svm import SVC

from sksearch import TPESearchCV
from sksearch.callbacks import EarlyStopping, TargetScore
from sksearch.space import Real

from ._searches import RandomSearch

X, y = load_iris(return_X_y=True)
SPACE = {"C": Real(1e-3, 1e3, log=True), "gamma": Real(1e-4, 1.0, log=True)}
CV = StratifiedKFold(3, shuffle=True, random_state=0)
ROOT = Path(__file__).resolve().parents[1]


class SlowSVC(SVC):
    """An SVC whose fit takes at least ``delay`` seconds."""

    def __init__(self, C=1.0, gamma="scale", delay=0.05):
        super().__init__(C=C, gamma=gamma)
        self.delay = delay

    def fit(self, X, y, sample_weight=None):
        time.sleep(self.delay)
        return super().fit(X, y, sample_weight=sample_weight)


def _same_results(a, b):
    assert a["params"] == b["params"]
    for key in a:
        if key.startswith(("split", "mean_test", "std_test", "rank_test", "iter")):
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)


# -- max_time -------------------------------------------------------------


def test_max_time_stops_proposing_and_refits_the_best():
    search = RandomSearch(SlowSVC(delay=0.05), SPACE, n_iter=200, cv=CV, max_time=0.8,
                          random_state=0)
    start = time.perf_counter()
    search.fit(X, y)
    elapsed = time.perf_counter() - start
    n = len(search.cv_results_["params"])
    assert search.stop_reason_ == "max_time"
    assert 1 <= n < 200
    assert hasattr(search.best_estimator_, "support_")
    # the batch in flight is finished, then it stops: far less than 200 candidates' time
    assert elapsed < 200 * 3 * 0.05


def test_stop_reason_n_iter_and_exhausted():
    search = RandomSearch(SVC(), SPACE, n_iter=3, cv=2, random_state=0).fit(X, y)
    assert search.stop_reason_ == "n_iter"
    with pytest.warns(UserWarning, match="fewer than n_iter"):
        search = RandomSearch(SVC(), {"C": [1, 2]}, n_iter=5, cv=2).fit(X, y)
    assert search.stop_reason_ == "n_iter" and len(search.cv_results_["params"]) == 2


@pytest.mark.parametrize("max_time", [0, -1.0, "1"])
def test_bad_max_time_is_named(max_time):
    with pytest.raises(ValueError, match="max_time"):
        RandomSearch(SVC(), SPACE, n_iter=2, cv=2, max_time=max_time).fit(X, y)


# -- callbacks ------------------------------------------------------------


def test_early_stopping_callback():
    search = RandomSearch(SVC(), SPACE, n_iter=100, cv=CV, callbacks=[EarlyStopping(patience=4)],
                          random_state=0, batch_size=1).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert search.stop_reason_ == "callback" and len(scores) < 100
    best_at = int(np.argmax(scores))
    assert len(scores) - best_at - 1 == 4  # exactly `patience` candidates without a gain


def test_target_score_callback_and_plain_callables():
    search = RandomSearch(SVC(), SPACE, n_iter=100, cv=CV, callbacks=[TargetScore(0.9)],
                          random_state=0, batch_size=1).fit(X, y)
    assert search.stop_reason_ == "callback"
    assert search.cv_results_["mean_test_score"][-1] >= 0.9
    assert (search.cv_results_["mean_test_score"][:-1] < 0.9).all()

    seen = []
    search = RandomSearch(SVC(), SPACE, n_iter=6, n_jobs=2, cv=2, random_state=0, batch_size=2,
                          callbacks=[lambda s: seen.append(len(s.optimizer_.y_)) or False])
    search.fit(X, y)
    assert seen == [2, 4, 6] and search.stop_reason_ == "n_iter"


def test_callbacks_through_sklearn_callback_api():
    pytest.importorskip("sklearn.callback")
    search = RandomSearch(SVC(), SPACE, n_iter=100, cv=CV, random_state=0)
    search.set_callbacks(EarlyStopping(patience=4))
    search.fit(X, y)
    assert search.stop_reason_ == "callback" and len(search.cv_results_["params"]) < 100


def test_bad_callbacks_are_named():
    with pytest.raises(TypeError, match="callbacks must be a list of callables"):
        RandomSearch(SVC(), SPACE, n_iter=2, cv=2, callbacks=[3]).fit(X, y)
    with pytest.raises(ValueError, match="callbacks"):
        RandomSearch(SVC(), SPACE, n_iter=2, cv=2, callbacks=EarlyStopping()).fit(X, y)
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="score must be a number"):
        TargetScore("high")


# -- warm start -------------------------------------------------------------


def test_warm_start_from_a_fitted_search_cv_results_or_journal(tmp_path):
    path = tmp_path / "first.jsonl"
    first = RandomSearch(SVC(), SPACE, n_iter=8, cv=CV, random_state=0, checkpoint=path).fit(X, y)
    for source in (first, first.cv_results_, path, str(path)):
        second = TPESearchCV(SVC(), SPACE, n_iter=4, cv=CV, random_state=1,
                             warm_start_from=source).fit(X, y)
        assert second.n_warm_start_ == 8
        told = second.optimizer_.y_
        np.testing.assert_allclose(told[:8], first.cv_results_["mean_test_score"])
        assert len(second.cv_results_["params"]) == 4  # earlier results are not re-evaluated
        first_keys = {tuple(sorted(p.items())) for p in first.cv_results_["params"]}
        assert not first_keys & {tuple(sorted(p.items())) for p in second.cv_results_["params"]}


def test_warm_start_skips_candidates_outside_the_space():
    first = RandomSearch(SVC(), SPACE, n_iter=6, cv=CV, random_state=0).fit(X, y)
    narrow = {"C": Real(1e-3, 1.0, log=True), "gamma": Real(1e-4, 1.0, log=True)}
    inside = sum(p["C"] <= 1.0 for p in first.cv_results_["params"])
    second = RandomSearch(SVC(), narrow, n_iter=2, cv=CV, warm_start_from=first).fit(X, y)
    assert second.n_warm_start_ == inside
    with pytest.warns(UserWarning, match="none of its 6 candidates"):
        RandomSearch(SVC(), {"kernel": ["linear"]}, n_iter=1, cv=CV,
                     warm_start_from=first).fit(X, y)


def test_bad_warm_start_is_named(tmp_path):
    with pytest.raises(TypeError, match="warm_start_from must be"):
        RandomSearch(SVC(), SPACE, n_iter=2, cv=2, warm_start_from=[1, 2]).fit(X, y)
    with pytest.raises(ValueError, match="warm_start_from=.*no such journal"):
        RandomSearch(SVC(), SPACE, n_iter=2, cv=2, warm_start_from=str(tmp_path / "x")).fit(X, y)


# -- checkpoint -------------------------------------------------------------


def test_journal_is_one_json_line_per_evaluation_and_reads_with_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    path = tmp_path / "search.jsonl"
    search = RandomSearch(SVC(), SPACE, n_iter=5, cv=CV, n_jobs=2, random_state=0,
                          checkpoint=path).fit(X, y)
    lines = path.read_text().splitlines()
    assert len(lines) == 6
    header = json.loads(lines[0])
    assert header["sksearch_journal"] == 1 and header["n_splits"] == 3
    df = pd.read_json(path, lines=True).iloc[1:]
    np.testing.assert_allclose(df["score"].astype(float), search.cv_results_["mean_test_score"])
    assert [p["C"] for p in df["params"]] == pytest.approx(
        [p["C"] for p in search.cv_results_["params"]], rel=1e-12
    )
    # the journal itself is exact (Python's json writes shortest round-trip floats)
    records = [json.loads(line) for line in lines[1:]]
    assert [r["params"]["C"] for r in records] == [p["C"] for p in search.cv_results_["params"]]


def test_resume_a_finished_journal_gives_the_same_results(tmp_path):
    path = tmp_path / "search.jsonl"
    kw = dict(n_iter=6, cv=CV, n_jobs=2, random_state=0, checkpoint=path)
    first = RandomSearch(SVC(), SPACE, **kw).fit(X, y)
    again = RandomSearch(SVC(), SPACE, **kw).fit(X, y)
    assert again.n_resumed_ == 6  # the whole search: only the refit is fitted
    _same_results(first.cv_results_, again.cv_results_)
    assert len(path.read_text().splitlines()) == 7  # nothing appended twice


def test_resume_after_a_cut_journal(tmp_path):
    path = tmp_path / "search.jsonl"
    kw = dict(n_iter=7, cv=CV, random_state=3)
    full = TPESearchCV(SVC(), SPACE, **kw).fit(X, y)
    TPESearchCV(SVC(), SPACE, checkpoint=path, **kw).fit(X, y)
    lines = path.read_text().splitlines(keepends=True)
    # as if killed after 4 evaluations, in the middle of writing the 5th line
    path.write_text("".join(lines[:5]) + lines[5][:40])
    resumed = TPESearchCV(SVC(), SPACE, checkpoint=path, **kw).fit(X, y)
    assert resumed.n_resumed_ == 4
    _same_results(full.cv_results_, resumed.cv_results_)
    assert resumed.best_params_ == full.best_params_
    assert len(path.read_text().splitlines()) == 8


def test_journal_of_another_search_is_refused(tmp_path):
    path = tmp_path / "search.jsonl"
    RandomSearch(SVC(), SPACE, n_iter=2, cv=CV, random_state=0, checkpoint=path).fit(X, y)
    other_space = {"C": Real(1e-2, 1e2, log=True)}
    with pytest.raises(ValueError, match="checkpoint=.*another search: its space differs"):
        RandomSearch(SVC(), other_space, n_iter=2, cv=CV, checkpoint=path).fit(X, y)
    with pytest.raises(ValueError, match="its estimator differs"):
        RandomSearch(SVC(kernel="linear"), SPACE, n_iter=2, cv=CV, checkpoint=path).fit(X, y)
    with pytest.raises(ValueError, match="X differs"):
        RandomSearch(SVC(), SPACE, n_iter=2, cv=CV, checkpoint=path).fit(X + 1, y)
    with pytest.raises(ValueError, match="folds differ.*random_state"):
        RandomSearch(SVC(), SPACE, n_iter=2, cv=KFold(3, shuffle=True),
                     checkpoint=path).fit(X, y)
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n")
    with pytest.raises(ValueError, match="not an sksearch journal"):
        RandomSearch(SVC(), SPACE, n_iter=2, cv=CV, checkpoint=bad).fit(X, y)


def test_resume_that_proposes_other_candidates_reuses_the_journal(tmp_path):
    path = tmp_path / "search.jsonl"
    first = TPESearchCV(SVC(), SPACE, n_iter=6, cv=CV, random_state=0, checkpoint=path)
    first.fit(X, y)
    # another seed proposes other candidates: the journal is reused as it is
    with pytest.warns(UserWarning, match="reused as they are"):
        search = TPESearchCV(SVC(), SPACE, n_iter=8, cv=CV, random_state=1,
                             checkpoint=path).fit(X, y)
    assert search.n_resumed_ == 6 and len(search.cv_results_["params"]) == 8
    assert search.cv_results_["params"][:6] == first.cv_results_["params"]
    assert len(path.read_text().splitlines()) == 9


class _Failing(BaseEstimator, ClassifierMixin):
    def __init__(self, C=1.0, gamma=1.0):
        self.C, self.gamma = C, gamma

    def fit(self, X, y):
        raise RuntimeError("always fails")


def test_failures_resumed_from_a_journal_still_count(tmp_path):
    path = tmp_path / "search.jsonl"
    kw = dict(n_iter=3, cv=CV, random_state=0, checkpoint=path)
    for _ in range(2):  # the second run resumes two candidates from the journal
        with pytest.raises(ValueError, match="All the 9 fits"):
            with pytest.warns(FitFailedWarning):
                RandomSearch(_Failing(), SPACE, **kw).fit(X, y)
    assert len(path.read_text().splitlines()) == 4


_CHILD = """
import sys
sys.path.insert(0, {root!r})
from sklearn.datasets import load_iris
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import StratifiedKFold
from sksearch import TPESearchCV
from sksearch.space import Real
from tests.test_everyday import SlowSVC, SPACE
X, y = load_iris(return_X_y=True)
TPESearchCV(SlowSVC(delay=0.1), SPACE, n_iter=12, random_state=5, checkpoint={path!r},
            cv=StratifiedKFold(3, shuffle=True, random_state=0)).fit(X, y)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_search_killed_with_sigkill_resumes_without_refitting(tmp_path):
    path = str(tmp_path / "killed.jsonl")
    child = subprocess.Popen([sys.executable, "-c", _CHILD.format(root=str(ROOT), path=path)],
                             cwd=str(ROOT))
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            if os.path.exists(path) and len(Path(path).read_text().splitlines()) >= 5:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the child search wrote no journal")
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    done = len(Path(path).read_text().splitlines()) - 1
    assert 4 <= done < 12

    kw = dict(n_iter=12, random_state=5, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    fits = []

    class CountingSVC(SlowSVC):
        def fit(self, X, y, sample_weight=None):
            fits.append(1)
            return super().fit(X, y, sample_weight=sample_weight)

    resumed = TPESearchCV(SlowSVC(delay=0.1), SPACE, checkpoint=path, **kw).fit(X, y)
    assert resumed.n_resumed_ == done
    full = TPESearchCV(SlowSVC(delay=0.0), SPACE, **kw)
    full.set_params(estimator__delay=0.1).fit(X, y)
    _same_results(full.cv_results_, resumed.cv_results_)
    assert len(Path(path).read_text().splitlines()) == 13
