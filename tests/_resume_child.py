"""A small search that logs every fit, and, run as a script, kills itself.

``python -m tests._resume_child KIND MODE BATCH_SIZE N_JOBS CHECKPOINT LOG K``
fits the search of :func:`make_search` and sends itself SIGKILL as soon as
its journal holds ``K`` evaluations (from a callback, after the journal is
written): the process dies as under ``kill -9``, its workers with it.
"""

import json
import os
import signal
import sys

from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from sksearch import HyperbandSearchCV, TPESearchCV
from sksearch.space import Integer

X, y = load_iris(return_X_y=True)
N_SPLITS = 2


class LoggedTree(DecisionTreeClassifier):
    """A decision tree that appends ``[min_samples_leaf, max_depth]`` of
    every fit to the file ``log``; a parameter, so fits in worker
    processes are logged too."""

    def __init__(self, *, max_depth=None, min_samples_leaf=1, random_state=None, log=None):
        super().__init__(
            max_depth=max_depth, min_samples_leaf=min_samples_leaf, random_state=random_state
        )
        self.log = log

    def fit(self, X, y, sample_weight=None, check_input=True):
        if self.log is not None:
            with open(self.log, "a") as f:
                f.write(json.dumps([self.min_samples_leaf, self.max_depth]) + "\n")
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def make_search(kind, mode, *, batch_size, n_jobs, checkpoint, log, callbacks=None):
    """A plain strategy (TPE) or Hyperband, in rounds or asynchronously."""
    common = dict(
        cv=N_SPLITS, random_state=0, refit=False, checkpoint=checkpoint, n_jobs=n_jobs,
        batch_size=batch_size, asynchronous=mode == "asynchronous", callbacks=callbacks,
    )
    if kind == "hyperband":
        return HyperbandSearchCV(
            LoggedTree(random_state=0, log=log), {"min_samples_leaf": Integer(1, 40)},
            resource="max_depth", min_resources=1, max_resources=9, n_iter=24, **common,
        )
    return TPESearchCV(
        LoggedTree(random_state=0, log=log),
        {"min_samples_leaf": Integer(1, 40), "max_depth": Integer(1, 9)},
        n_iter=10, **common,
    )


def journaled(checkpoint):
    """The (min_samples_leaf, max_depth) of every evaluation in the journal
    (Hyperband: its resource, max_depth, is in ``n_resources``)."""
    keys = []
    with open(checkpoint) as f:
        for line in f.read().splitlines()[1:]:
            record = json.loads(line)
            params, more = record["params"], record["more"]
            keys.append((params["min_samples_leaf"], more.get("n_resources", params.get("max_depth"))))
    return keys


class KillAfter:
    """A callback that SIGKILLs this process once the journal holds ``k``
    evaluations."""

    def __init__(self, checkpoint, k):
        self.checkpoint, self.k = checkpoint, k

    def __call__(self, search):
        if len(journaled(self.checkpoint)) >= self.k:
            os.kill(os.getpid(), signal.SIGKILL)
        return False


if __name__ == "__main__":
    # the classes of the module, not of __main__: the journal's fingerprint
    # names the estimator's class, and the resume imports it as a module
    from tests._resume_child import KillAfter, make_search

    kind, mode, batch_size, n_jobs, checkpoint, log, k = sys.argv[1:8]
    make_search(
        kind, mode, batch_size=int(batch_size), n_jobs=int(n_jobs), checkpoint=checkpoint,
        log=log, callbacks=[KillAfter(checkpoint, int(k))],
    ).fit(X, y)
    sys.exit(3)  # not killed: the test's k is too large
