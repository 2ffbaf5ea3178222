"""SIGKILL a search, fit it again with another batch_size or n_jobs: nothing
journaled is fitted again, for every scheduler (a plain strategy, synchronous
Hyperband, asynchronous successive halving) in both modes.

The killed search is a real process (``tests/_resume_child.py``) that sends
itself SIGKILL once its journal holds ``K`` evaluations; the resume runs
here, and every fit of both runs is counted from the estimator's log.
"""

import json
import os
import signal
import subprocess
import sys

import pytest

from ._resume_child import N_SPLITS, X, journaled, make_search, y

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

K = 4  # evaluations journaled when the first run is killed
FIRST = {"batch_size": 2, "n_jobs": 1}
CHANGES = {"batch_size": {"batch_size": 3}, "n_jobs": {"n_jobs": 2}}
SCHEDULERS = [("plain", "rounds"), ("plain", "asynchronous"),
              ("hyperband", "rounds"), ("hyperband", "asynchronous")]


def _fits(log):
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [tuple(json.loads(line)) for line in f.read().splitlines()]


def _kill_after_k(tmp_path, kind, mode, first):
    """Run the search in a fresh interpreter until it kills itself."""
    checkpoint, log = tmp_path / "journal.jsonl", tmp_path / "fits.log"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root, OMP_NUM_THREADS="1")
    # no pipes (the killed process's idle workers would hold them open), and a
    # session of its own, whose leftover workers are ended with it
    with open(tmp_path / "stderr.txt", "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests._resume_child", kind, mode,
             str(first["batch_size"]), str(first["n_jobs"]), str(checkpoint), str(log), str(K)],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
        )
        try:
            proc.wait(timeout=120)
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    # killed, not finished
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "stderr.txt").read_text()
    return checkpoint, log


_REFERENCE = {}


def _uninterrupted(tmp_path, kind, mode, settings):
    """The rows of the same search fitted without a kill."""
    key = (kind, mode, tuple(sorted(settings.items())))
    if key not in _REFERENCE:
        search = make_search(kind, mode, checkpoint=None, log=None, **settings).fit(X, y)
        _REFERENCE[key] = search.cv_results_["params"]
    return _REFERENCE[key]


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("kind, mode", SCHEDULERS, ids=["-".join(s) for s in SCHEDULERS])
def test_a_killed_search_resumes_without_fitting_anything_journaled(
    tmp_path, kind, mode, change
):
    first = dict(FIRST)
    if change == "n_jobs":  # the bug as users met it: killed with two workers
        first["n_jobs"] = 2
    checkpoint, log = _kill_after_k(tmp_path, kind, mode, first)
    n_killed = len(_fits(log))  # the killed run's fits (the same log: the same estimator)
    done = journaled(checkpoint)
    assert len(done) >= K

    second = {**FIRST, **CHANGES[change]}
    if change == "n_jobs":
        second["n_jobs"] = 1
    search = make_search(kind, mode, checkpoint=checkpoint, log=str(log), **second)
    search.fit(X, y)

    assert search.n_resumed_ == len(done)
    fits = _fits(log)[n_killed:]
    assert not set(fits) & set(done), "a journaled evaluation was fitted again"
    n_rows = len(search.cv_results_["params"])
    # every new evaluation is fitted once per fold, and nothing else is fitted
    assert len(fits) == N_SPLITS * (n_rows - len(done))
    # the journal keeps what it held and holds each evaluation once
    assert journaled(checkpoint)[: len(done)] == done
    assert len(journaled(checkpoint)) == n_rows
    if mode == "rounds" and change == "n_jobs":
        reference = _uninterrupted(tmp_path, kind, mode, second)
        # the same batch_size: the resumed run ends as the uninterrupted one
        assert search.cv_results_["params"] == reference
