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
from sklearn.tree import DecisionTreeClassifier

from sksearch import HyperbandSearchCV, TPESearchCV
from sksearch.space import Integer

X, y = load_iris(return_X_y=True)


class Counted(DecisionTreeClassifier):
    """Writes (min_samples_leaf, max_depth) of every fit to ``log``
    (a file: fits may run in other processes)."""

    log = None

    def fit(self, X, y, sample_weight=None, check_input=True):
        with open(Counted.log, "a") as f:
            f.write(json.dumps([self.min_samples_leaf, self.max_depth]) + "\n")
        return super().fit(X, y, sample_weight=sample_weight)


def _search(kind, path, **kw):
    if kind == "hyperband":
        return HyperbandSearchCV(
            Counted(random_state=0), {"min_samples_leaf": Integer(1, 40)},
            resource="max_depth", min_resources=1, max_resources=9, n_iter=30, cv=2,
            random_state=0, checkpoint=path, **kw,
        )
    return TPESearchCV(
        Counted(random_state=0), {"min_samples_leaf": Integer(1, 40), "max_depth": Integer(1, 9)},
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
    path, Counted.log = tmp_path / "journal.jsonl", tmp_path / "fits.log"
    _search(kind, path, **first).fit(X, y)
    full = _fits(Counted.log)
    lines = path.read_text().splitlines()
    kept = (len(lines) - 1) // 2
    path.write_text("\n".join(lines[: 1 + kept]) + "\n")  # what a kill leaves
    journaled = set(full[: 2 * kept])  # two folds a record, one worker: in order
    Counted.log.unlink()
    search = _search(kind, path, **second).fit(X, y)
    again = [f for f in _fits(Counted.log)[:-1] if f in journaled]  # the last is the refit
    assert search.n_resumed_ == kept
    assert not again
