"""A resumed search fits nothing the journal holds, whatever batch_size, n_jobs
or mode the resume uses.

The journal is cut to its first half, as a SIGKILL leaves it (whole lines,
fsync'd per round; ``test_checkpoint_faults.py`` kills real processes), then
the search is fitted again with another batch_size, n_jobs or mode, and every
fit is counted.
"""

import json

import pytest
from sklearn.datasets import load_iris

from sksearch import HyperbandSearchCV, TPESearchCV
from sksearch.space import Integer

from ._resume_child import LoggedTree

X, y = load_iris(return_X_y=True)


def _search(kind, path, log, **kw):
    # the estimator logs each fit to a file it is given: fits may run in
    # worker processes
    if kind == "hyperband":
        return HyperbandSearchCV(
            LoggedTree(random_state=0, log=str(log)), {"min_samples_leaf": Integer(1, 40)},
            resource="max_depth", min_resources=1, max_resources=9, n_iter=30, cv=2,
            random_state=0, checkpoint=path, **kw,
        )
    return TPESearchCV(
        LoggedTree(random_state=0, log=str(log)),
        {"min_samples_leaf": Integer(1, 40), "max_depth": Integer(1, 9)},
        n_iter=12, cv=2, random_state=0, checkpoint=path, **kw,
    )


def _fits(log):
    return [tuple(json.loads(line)) for line in log.read_text().splitlines()]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("kind", ["plain", "hyperband"])
@pytest.mark.parametrize(
    "first, second",
    [
        ({}, {"batch_size": 2}),
        ({}, {"n_jobs": 2}),
        ({}, {"asynchronous": True}),
        ({"asynchronous": True}, {}),
        ({"asynchronous": True}, {"asynchronous": True, "n_jobs": 2}),
    ],
    ids=["batch_size", "n_jobs", "to-asynchronous", "to-rounds", "asynchronous-n_jobs"],
)
def test_a_resume_fits_nothing_the_journal_holds(tmp_path, kind, first, second):
    path, log = tmp_path / "journal.jsonl", tmp_path / "fits.log"
    _search(kind, path, log, **first).fit(X, y)
    full = _fits(log)
    lines = path.read_text().splitlines()
    kept = (len(lines) - 1) // 2
    path.write_text("\n".join(lines[: 1 + kept]) + "\n")  # what a kill leaves
    journaled = set(full[: 2 * kept])  # two folds a record, one worker: in order
    log.unlink()
    search = _search(kind, path, log, **second).fit(X, y)
    again = [f for f in _fits(log)[:-1] if f in journaled]  # the last is the refit
    assert search.n_resumed_ == kept
    assert not again
