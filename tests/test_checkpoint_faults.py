"""Faults of the checkpoint journal: foreign files, damage, locking, fingerprint."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import uniform
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from sksearch import TPESearchCV
from sksearch._journal import Journal, search_fingerprint

X, y = load_iris(return_X_y=True)


def _search(path=None, n_iter=4, **kw):
    kw.setdefault("param_distributions", {"max_depth": list(range(1, 9))})
    return TPESearchCV(
        DecisionTreeClassifier(random_state=0), n_iter=n_iter, cv=3, random_state=0,
        checkpoint=path, **kw,
    )


def test_csv_is_not_truncated(tmp_path):
    p = tmp_path / "data.csv"
    p.write_bytes(b"a,b\n1,2\n3,4")  # no final newline
    before = p.read_bytes()
    with pytest.raises(ValueError, match="not an sksearch journal"):
        _search(p).fit(X, y)
    assert p.read_bytes() == before


def test_symlink_refused(tmp_path):
    target = tmp_path / "config.json"
    target.write_text('{"a": 1}\n')
    link = tmp_path / "ck.jsonl"
    link.symlink_to(target)
    with pytest.raises(ValueError, match="symbolic link"):
        _search(link).fit(X, y)
    assert target.read_text() == '{"a": 1}\n'


def test_damaged_middle_line_raises_and_keeps_file(tmp_path):
    p = tmp_path / "ck.jsonl"
    _search(p).fit(X, y)
    lines = p.read_bytes().split(b"\n")
    lines[2] = b"{garbage"
    p.write_bytes(b"\n".join(lines))
    before = p.read_bytes()
    with pytest.raises(ValueError, match="line 3"):
        _search(p).fit(X, y)
    assert p.read_bytes() == before


def test_cut_last_line_and_cut_header(tmp_path):
    p = tmp_path / "ck.jsonl"
    _search(p).fit(X, y)
    p.write_bytes(p.read_bytes() + b'{"index": 9, "vec')
    s = _search(p, n_iter=6).fit(X, y)
    assert s.n_resumed_ == 4
    q = tmp_path / "cut.jsonl"
    q.write_bytes(b'{"sksearch_journal": 1, "finger')
    _search(q).fit(X, y)
    assert json.loads(q.read_text().splitlines()[0])["sksearch_journal"] == 1


def test_list_header_and_non_record(tmp_path):
    p = tmp_path / "ck.jsonl"
    p.write_text("[1, 2]\n")
    with pytest.raises(ValueError, match="checkpoint=.*line 1"):
        _search(p).fit(X, y)
    q = tmp_path / "ok.jsonl"
    _search(q).fit(X, y)
    q.write_text(q.read_text() + "[1]\n")
    with pytest.raises(ValueError, match="line 6 is not a journal record"):
        _search(q).fit(X, y)
    with pytest.raises(ValueError, match="warm_start_from=.*line 6"):
        _search(warm_start_from=str(q)).fit(X, y)
    csv = tmp_path / "x.csv"
    csv.write_text("a,b\n")
    with pytest.raises(ValueError, match="warm_start_from=.*not an sksearch journal"):
        _search(warm_start_from=str(csv)).fit(X, y)


def test_second_writer_refused(tmp_path):
    pytest.importorskip("fcntl")
    p = tmp_path / "ck.jsonl"
    header = {"sksearch_journal": 1, "fingerprint": "f", "parts": {}}
    j = Journal.open(p, header)
    try:
        with pytest.raises(ValueError, match="another search"):
            Journal.open(p, header)
    finally:
        j.close()
    Journal.open(p, header).close()


def _fp(search, **params):
    s = search
    from sklearn.model_selection import KFold

    from sksearch.space import Space

    splits = list(KFold(3).split(X))
    return search_fingerprint(s, Space(s.param_distributions), X, y, splits, params)[0]


def test_fingerprint_dist_kwargs_fit_params_and_list_y():
    a = _search(param_distributions={"C": uniform(loc=0.1, scale=0.9)})
    b = _search(param_distributions={"C": uniform(loc=5, scale=95)})
    assert _fp(a) != _fp(b)
    assert _fp(a) != _fp(a, sample_weight=np.ones(len(y)))
    assert _fp(a, sample_weight=np.ones(len(y))) != _fp(a, sample_weight=np.arange(len(y)))
    from sklearn.model_selection import KFold

    from sksearch.space import Space

    splits = list(KFold(3).split(X))
    sp = Space(a.param_distributions)
    assert (
        search_fingerprint(a, sp, X, list(y), splits)[0]
        == search_fingerprint(a, sp, X, np.asarray(y), splits)[0]
    )


def test_expanduser(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    _search("~/ck.jsonl").fit(X, y)
    assert (tmp_path / "ck.jsonl").exists()
    s = _search(warm_start_from="~/ck.jsonl").fit(X, y)
    assert s.best_score_ > 0


def test_callable_scoring_resumes_across_processes(tmp_path):
    p = tmp_path / "ck.jsonl"
    code = f"""
import sys; sys.path.insert(0, {os.getcwd()!r})
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier
from sksearch import TPESearchCV
def acc(est, X, y):
    return float((est.predict(X) == y).mean())
X, y = load_iris(return_X_y=True)
s = TPESearchCV(DecisionTreeClassifier(random_state=0), {{"max_depth": list(range(1, 9))}},
                n_iter=int(sys.argv[1]), cv=3, random_state=0, scoring=acc, checkpoint={str(p)!r}).fit(X, y)
print("RESUMED", s.n_resumed_)
"""
    for n_iter in ("3", "5"):
        out = subprocess.run(
            [sys.executable, "-c", code, n_iter], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
    assert "RESUMED 3" in out.stdout


def test_warm_start_tuple_choices_decoded(tmp_path):
    from sksearch._search import _warm_start_observations
    from sksearch.space import Space

    dists = {"class_weight": [None, {0: 1, 1: 2, 2: 1}], "max_depth": [(1,), 2]}
    p = tmp_path / "ck.jsonl"
    _search(p, param_distributions={"class_weight": dists["class_weight"],
                                    "max_depth": [1, 2]}).fit(X, y)
    space = Space({"class_weight": dists["class_weight"], "max_depth": [1, 2]})
    cands, _ = _warm_start_observations(str(p), True, space=space)
    for c in cands:
        assert c["class_weight"] in (None, {0: 1, 1: 2, 2: 1})
        space.encode(c)


class _CountingTree(DecisionTreeClassifier):
    fits = 0

    def fit(self, X, y, sample_weight=None, check_input=True):
        type(self).fits += 1
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def test_search_stopped_by_a_callback_resumes_to_nothing_new(tmp_path):
    from sksearch.callbacks import EarlyStopping

    path = tmp_path / "j.jsonl"
    space = {"max_depth": list(range(1, 30)), "min_samples_leaf": list(range(1, 30))}
    kw = dict(n_iter=200, cv=3, random_state=0, checkpoint=path,
              callbacks=[EarlyStopping(patience=4)])
    first = TPESearchCV(_CountingTree(random_state=0), space, **kw).fit(X, y)
    assert first.stop_reason_ == "callback"
    n = len(first.cv_results_["params"])
    _CountingTree.fits = 0
    again = TPESearchCV(_CountingTree(random_state=0), space, **kw).fit(X, y)
    assert again.stop_reason_ == "callback"
    assert again.n_resumed_ == n == len(again.cv_results_["params"])
    assert _CountingTree.fits == 1  # the refit only
    assert again.best_params_ == first.best_params_


@pytest.mark.parametrize("space", [{}, [{}]])
def test_empty_space_is_refused_naming_the_parameter(space):
    with pytest.raises(ValueError, match="param_distributions=.*no parameter"):
        TPESearchCV(DecisionTreeClassifier(), space, n_iter=3).fit(X, y)


def test_a_round_cut_by_a_kill_is_completed_not_replaced(tmp_path):
    import warnings

    path = tmp_path / "j.jsonl"
    space = {"max_depth": list(range(1, 30)), "min_samples_leaf": list(range(1, 30))}
    kw = dict(n_iter=12, cv=3, random_state=0, batch_size=4)
    full = TPESearchCV(_CountingTree(random_state=0), space, **kw).fit(X, y)
    TPESearchCV(_CountingTree(random_state=0), space, checkpoint=path, **kw).fit(X, y)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:7]))  # 6 candidates: the second round cut after 2
    _CountingTree.fits = 0
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*does not propose")
        resumed = TPESearchCV(_CountingTree(random_state=0), space, checkpoint=path,
                              **kw).fit(X, y)
    assert resumed.n_resumed_ == 6
    assert _CountingTree.fits == 6 * 3 + 1  # the missing candidates, then the refit
    assert resumed.cv_results_["params"] == full.cv_results_["params"]
    assert list(resumed.cv_results_["iter"]) == list(full.cv_results_["iter"])


def _shift(X):
    return X + 1.0


def test_warm_start_from_a_journal_tells_every_choice_of_any_type(tmp_path, recwarn):
    # tuples, dicts and estimator objects (a FunctionTransformer of a
    # function among them) come back from the journal as the space's own
    # choices: the strategy is told every candidate, as from the fitted search
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    pipe = Pipeline([("pre", StandardScaler()), ("clf", LogisticRegression(max_iter=500))])
    space = {
        "pre": [StandardScaler(), "passthrough", FunctionTransformer(_shift)],
        "clf__class_weight": [None, {0: 1, 1: 2, 2: 1}, "balanced"],
        "clf__C": [0.1, 1.0],
    }
    path = tmp_path / "j.jsonl"
    first = TPESearchCV(pipe, space, n_iter=5, cv=3, random_state=0, checkpoint=path).fit(X, y)
    from_file = TPESearchCV(pipe, space, n_iter=2, cv=3, random_state=1,
                            warm_start_from=str(path)).fit(X, y)
    from_search = TPESearchCV(pipe, space, n_iter=2, cv=3, random_state=1,
                              warm_start_from=first).fit(X, y)
    assert from_file.n_warm_start_ == from_search.n_warm_start_ == 5
    assert not [w for w in recwarn if "outside" in str(w.message)]
    # the same strategy state gives the same next candidates (estimators
    # compare by their parameters)
    assert [repr(p) for p in from_file.cv_results_["params"]] == [
        repr(p) for p in from_search.cv_results_["params"]
    ]


def test_warm_start_from_a_journal_with_tuple_values(tmp_path, recwarn):
    from sklearn.neural_network import MLPClassifier

    space = {"hidden_layer_sizes": [(4,), (8,), (4, 4)], "alpha": [1e-4, 1e-2]}
    est = MLPClassifier(max_iter=20, random_state=0)
    path = tmp_path / "j.jsonl"
    with pytest.warns(Warning):  # MLP does not converge in 20 iterations
        TPESearchCV(est, space, n_iter=4, cv=2, random_state=0, checkpoint=path).fit(X, y)
        again = TPESearchCV(est, space, n_iter=2, cv=2, random_state=1,
                            warm_start_from=str(path)).fit(X, y)
    assert again.n_warm_start_ == 4
    assert not [w for w in recwarn if "outside" in str(w.message)]
    assert all(isinstance(p["hidden_layer_sizes"], tuple) for p in again.cv_results_["params"])


# -- faults: a path that cannot hold a journal, a full disk, a kill, Ctrl-C,
# a dead worker ------------------------------------------------------------


@pytest.mark.parametrize("where", ["directory", "/dev/full", "/dev/null"])
def test_a_checkpoint_that_is_not_a_regular_file_is_refused_unread(tmp_path, where):
    from sksearch._journal import CheckpointError

    path = str(tmp_path) if where == "directory" else where
    if not os.path.exists(path):
        pytest.skip(f"{path} is missing")
    # /dev/full reads zeros for ever: reading it as a journal would hang
    with pytest.raises(ValueError, match="checkpoint=.*is not a regular file") as info:
        _search(path).fit(X, y)
    assert isinstance(info.value, CheckpointError) and isinstance(info.value, OSError)


def test_a_checkpoint_that_cannot_be_created_is_named(tmp_path):
    from sksearch._journal import CheckpointError

    (tmp_path / "a_file").write_text("x")
    with pytest.raises(CheckpointError, match="checkpoint=.*cannot be written"):
        _search(tmp_path / "a_file" / "j.jsonl").fit(X, y)
    assert (tmp_path / "a_file").read_text() == "x"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes to read-only directories")
def test_a_read_only_directory_is_named(tmp_path):
    from sksearch._journal import CheckpointError

    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(CheckpointError, match="checkpoint=.*cannot be written"):
            _search(d / "j.jsonl").fit(X, y)
    finally:
        d.chmod(0o700)


def _failing_fsync(monkeypatch, after):
    import errno

    import sksearch._journal as journal_module

    real, calls = os.fsync, []

    def fsync(fd):
        calls.append(fd)
        if len(calls) > after:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(journal_module.os, "fsync", fsync)


def test_a_full_disk_before_the_first_record_is_an_error_naming_checkpoint(tmp_path, monkeypatch):
    from sksearch._journal import CheckpointError

    _failing_fsync(monkeypatch, after=0)
    path = tmp_path / "j.jsonl"
    with pytest.raises(CheckpointError, match="checkpoint=.*No space left") as info:
        _search(path).fit(X, y)
    assert info.value.errno == 28
    assert path.read_bytes() == b""  # cut back: a later run starts it afresh


def test_a_full_disk_in_the_middle_keeps_every_result(tmp_path, monkeypatch):
    path = tmp_path / "j.jsonl"
    full = _search(n_iter=8, batch_size=2).fit(X, y)
    _failing_fsync(monkeypatch, after=3)  # the header and two rounds
    with pytest.warns(UserWarning, match="checkpoint=.*cannot be written.*keeps the 4 "):
        search = _search(path, n_iter=8, batch_size=2).fit(X, y)
    # nothing the search evaluated is lost: the fitted search has it all
    assert search.cv_results_["params"] == full.cv_results_["params"]
    # and the journal is whole: its 4 records, no cut line
    lines = path.read_text().splitlines()
    assert len(lines) == 5 and all(json.loads(line) for line in lines)
    monkeypatch.undo()
    resumed = _search(path, n_iter=8, batch_size=2).fit(X, y)
    assert resumed.n_resumed_ == 4
    assert resumed.cv_results_["params"] == full.cv_results_["params"]


class _FailsAfter(DecisionTreeClassifier):
    """A tree whose fits raise once ``limit`` fits have run in this process."""

    n_fits = 0
    limit = 0

    def fit(self, X, y, **kw):
        type(self).n_fits += 1
        if type(self).n_fits > type(self).limit:
            raise RuntimeError("out of luck")
        return super().fit(X, y, **kw)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes")
@pytest.mark.parametrize("journaled", [False, True])
def test_an_error_that_stops_fit_says_what_became_of_the_finished_ones(tmp_path, journaled):
    path = tmp_path / "j.jsonl" if journaled else None
    # the first round (4 candidates of 3 folds) finishes, the second fails
    _FailsAfter.n_fits, _FailsAfter.limit = 0, 4 * 3
    search = TPESearchCV(_FailsAfter(random_state=0), {"max_depth": list(range(1, 9))},
                         n_iter=6, cv=3, random_state=0, error_score="raise", checkpoint=path)
    with pytest.raises(RuntimeError, match="out of luck") as info:
        search.fit(X, y)
    (note,) = info.value.__notes__
    if journaled:
        assert note == (f"TPESearchCV: 4 finished evaluations are in checkpoint={str(path)!r}; "
                        "fit with the same checkpoint resumes from them, without fitting "
                        "them again.")
        _FailsAfter.n_fits, _FailsAfter.limit = 0, 2 * 3 + 1  # the 2 left and the refit
        resumed = search.fit(X, y)
        assert resumed.n_resumed_ == 4 and len(resumed.cv_results_["params"]) == 6
    else:
        assert "the 4 evaluations that had finished are lost; with checkpoint=" in note
    # an error before anything finished has no note
    _FailsAfter.n_fits, _FailsAfter.limit = 0, 0
    with pytest.raises(RuntimeError) as info:
        TPESearchCV(_FailsAfter(), {"max_depth": [1, 2]}, n_iter=2, cv=3,
                    error_score="raise").fit(X, y)
    assert not getattr(info.value, "__notes__", None)


_CHILD = """
import os, signal, sys, time
sys.path.insert(0, {root!r})
from sklearn.datasets import load_iris
from sklearn.svm import SVC
from sksearch import TPESearchCV
from sksearch.space import Real


class SlowSVC(SVC):
    def __init__(self, C=1.0, delay=0.1, flag=None):
        super().__init__(C=C)
        self.delay = delay
        self.flag = flag

    def fit(self, X, y, sample_weight=None):
        if self.flag and os.path.exists(self.flag) and self.C > 10:
            os.remove(self.flag)  # once: this worker dies in the middle of a fit
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(self.delay)
        return super().fit(X, y, sample_weight=sample_weight)


if __name__ == "__main__":
    # as at a terminal: a child of a background job inherits SIGINT ignored,
    # and Python then keeps it ignored, so Ctrl-C would never reach the search
    signal.signal(signal.SIGINT, signal.default_int_handler)
    X, y = load_iris(return_X_y=True)
    path, n_jobs, asynchronous, flag = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
    delay = float(sys.argv[5]) if len(sys.argv) > 5 else 0.1
    s = TPESearchCV(SlowSVC(delay=delay, flag=flag or None), {{"C": Real(1e-2, 1e2, log=True)}},
                    n_iter=12,
                    cv=3, random_state=5, n_jobs=n_jobs, asynchronous=asynchronous,
                    checkpoint=path).fit(X, y)
    print("RESUMED", s.n_resumed_, "ROWS", len(s.cv_results_["params"]))
    print("PARAMS", [round(p["C"], 9) for p in s.cv_results_["params"]])
"""


def _child(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(_CHILD.format(root=os.getcwd()))
    return script


def _journal_params(path):
    lines = path.read_text().splitlines()[1:]
    return [round(json.loads(line)["params"]["C"], 9) for line in lines]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("asynchronous", ["0", "1"])
def test_sigkill_with_two_workers_loses_nothing_and_fits_nothing_twice(tmp_path, asynchronous):
    from ._kill import kill_then_resume

    path = tmp_path / "j.jsonl"
    n_before, words = kill_then_resume(_child(tmp_path), path, "2", asynchronous, "",
                                       min_lines=4, wait=120)
    assert 3 <= n_before < 12
    assert words[:4] == ["RESUMED", str(n_before), "ROWS", "12"]
    params = _journal_params(path)
    assert len(params) == 12 and len(set(params)) == 12  # none evaluated twice
    if asynchronous == "0":  # the deterministic mode ends as an uninterrupted run
        env = dict(os.environ, PYTHONPATH=os.getcwd())
        fresh = subprocess.run([sys.executable, str(_child(tmp_path)),
                                str(tmp_path / "fresh.jsonl"), "2", "0", ""],
                               env=env, capture_output=True, text=True, timeout=300)
        assert fresh.returncode == 0, fresh.stderr
        assert _journal_params(tmp_path / "fresh.jsonl") == params


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
def test_ctrl_c_keeps_every_finished_evaluation(tmp_path):
    import signal
    import time

    path = tmp_path / "j.jsonl"
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    # 0.3 s a fold: the 10 evaluations left after the second leave the signal
    # ~9 s to arrive on a loaded machine before the search could finish
    cmd = [sys.executable, str(_child(tmp_path)), str(path), "1", "0", "", "0.3"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while time.time() < deadline and not (
        path.exists() and len(path.read_text().splitlines()) >= 3
    ):
        time.sleep(0.05)
    assert proc.poll() is None, "the search ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"KeyboardInterrupt" in err
    done = _journal_params(path)
    assert 2 <= len(done) < 12
    if sys.version_info >= (3, 11):
        assert f"TPESearchCV: {len(done)} finished evaluations are in".encode() in err
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:4] == ["RESUMED", str(len(done)), "ROWS", "12"]
    fresh = subprocess.run(cmd[:2] + [str(tmp_path / "fresh.jsonl"), *cmd[3:]], env=env,
                           capture_output=True, text=True, timeout=300)
    # Ctrl-C and resume end with exactly the uninterrupted run's candidates
    assert _journal_params(path) == _journal_params(tmp_path / "fresh.jsonl")
    assert fresh.returncode == 0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_worker_killed_mid_fit_loses_nothing_that_had_finished(tmp_path):
    path, flag = tmp_path / "j.jsonl", tmp_path / "kill-once"
    flag.write_text("")
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    cmd = [sys.executable, str(_child(tmp_path)), str(path), "2", "0", str(flag)]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode != 0 and "TerminatedWorkerError" in first.stderr
    assert not flag.exists()  # the worker died in its fit
    done = _journal_params(path)
    assert 0 < len(done) < 12
    if sys.version_info >= (3, 11):  # the error says where the finished ones are
        assert (f"TPESearchCV: {len(done)} finished evaluations are in "
                f"checkpoint={str(path)!r}; fit with the same checkpoint resumes") in first.stderr
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split()[:4] == ["RESUMED", str(len(done)), "ROWS", "12"]
    assert _journal_params(path)[: len(done)] == done
