"""One replay for every scheduler: a resumed search feeds the journal's
evaluations to a fresh scheduler in the order they were asked, then goes on.

For each scheduler (a plain strategy, synchronous Hyperband, asynchronous
successive halving), in rounds and in asynchronous mode, resumed with another
``batch_size``, ``n_jobs`` or mode: every fit is counted (nothing journaled
is fitted again), and the results hold every journaled evaluation with the
journal's score. With the same settings the resumed search ends as the
uninterrupted one. The kills here cut the journal as SIGKILL leaves it (whole
rounds); ``test_sigkill_resume.py`` kills real processes.
"""

import json
import os
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris

from sksearch import HyperbandSearchCV, TPESearchCV
from sksearch._journal import Journal
from sksearch.optimizers import RandomOptimizer
from sksearch.optimizers.hyperband import ASHAScheduler, HyperbandScheduler, hyperband_plan
from sksearch.space import Integer, Real

from ._resume_child import LoggedTree

X, y = load_iris(return_X_y=True)
N_SPLITS = 2
KINDS = [("plain", False), ("plain", True), ("hyperband", False), ("hyperband", True)]
KIND_IDS = ["plain-rounds", "plain-asynchronous", "hyperband-rounds", "asha"]


def _search(kind, asynchronous, path, log, **kw):
    common = dict(cv=N_SPLITS, random_state=0, refit=False, checkpoint=path,
                  asynchronous=asynchronous)
    common.update(kw)
    if kind == "hyperband":
        return HyperbandSearchCV(
            LoggedTree(random_state=0, log=str(log)), {"min_samples_leaf": Integer(1, 40)},
            resource="max_depth", min_resources=1, max_resources=9, n_iter=30, **common,
        )
    return TPESearchCV(
        LoggedTree(random_state=0, log=str(log)),
        {"min_samples_leaf": Integer(1, 40), "max_depth": Integer(1, 9)},
        n_iter=12, **common,
    )


def _fits(log):
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [tuple(json.loads(line)) for line in f.read().splitlines()]


def _records(path):
    with open(path) as f:
        return [json.loads(line) for line in f.read().splitlines()[1:]]


def _key(params, more):
    # (min_samples_leaf, max_depth): Hyperband's max_depth is its resource
    return (params["min_samples_leaf"], more.get("n_resources", params.get("max_depth")))


def _cut(path, keep):
    """The journal as a kill leaves it: its header and first ``keep`` records."""
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[: 1 + keep]) + "\n")
    return _records(path)


def _rows(search):
    results = search.cv_results_
    n_res = results.get("n_resources")
    return [
        (_key(p, {} if n_res is None else {"n_resources": int(n_res[i])}),
         float(results["mean_test_score"][i]))
        for i, p in enumerate(results["params"])
    ]


CHANGES = {
    "batch_size": {"batch_size": 3},
    "n_jobs": {"n_jobs": 2},
    "mode": None,  # the other mode
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("kind, asynchronous", KINDS, ids=KIND_IDS)
def test_a_resume_reuses_every_journaled_evaluation_and_fits_none_again(
    tmp_path, kind, asynchronous, change
):
    path, log = tmp_path / "journal.jsonl", tmp_path / "fits.log"
    first = {"batch_size": 2}
    _search(kind, asynchronous, path, log, **first).fit(X, y)
    done = _cut(path, len(_records(path)) // 2)
    log.unlink()

    second = dict(first)
    if CHANGES[change] is None:
        resumed_async = not asynchronous
    else:
        resumed_async = asynchronous
        second.update(CHANGES[change])
    search = _search(kind, resumed_async, path, log, **second).fit(X, y)

    journaled = [_key(r["params"], r["more"]) for r in done]
    fits = _fits(log)
    assert search.n_resumed_ == len(done)
    assert not set(fits) & set(journaled), "a journaled evaluation was fitted again"
    rows = _rows(search)
    # every new evaluation is fitted once per fold, and nothing else is fitted
    assert len(fits) == N_SPLITS * (len(rows) - len(done))
    # every journaled evaluation is in the results, with the journal's score
    scores = {}
    for key, score in rows:
        scores.setdefault(key, []).append(score)
    for record, key in zip(done, journaled):
        assert key in scores
        assert any(np.isclose(s, Journal.score(record), equal_nan=True) for s in scores[key])
    # the journal keeps what it held, and holds each new evaluation once
    assert _records(path)[: len(done)] == done
    assert len(_records(path)) == len(rows)


@pytest.mark.parametrize("kind", ["plain", "hyperband"])
def test_a_resume_with_the_same_settings_ends_as_the_uninterrupted_run(tmp_path, kind):
    path, log = tmp_path / "journal.jsonl", tmp_path / "fits.log"
    full = _search(kind, False, path, log, batch_size=2).fit(X, y)
    done = _cut(path, len(_records(path)) // 2 + 1)  # a round cut in the middle, maybe
    log.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # replayed: nothing to warn about
        search = _search(kind, False, path, log, batch_size=2, n_jobs=2).fit(X, y)
    assert search.n_resumed_ == len(done)
    assert search.cv_results_["params"] == full.cv_results_["params"]
    assert list(search.cv_results_["iter"]) == list(full.cv_results_["iter"])
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               full.cv_results_["mean_test_score"])
    assert len(_fits(log)) == N_SPLITS * (len(full.cv_results_["params"]) - len(done))


# -- the schedulers' restore ---------------------------------------------------


def _run(scheduler):
    """Run a scheduler to its end on f(x) = x; its units in the order asked."""
    units = []
    while not scheduler.done:
        asked = scheduler.ask(1)
        if not asked:
            break
        scheduler.tell(asked, [u.candidate["x"] for u in asked])
        units.extend(asked)
    return units


@pytest.mark.parametrize("batch_size", [1, 4, 100])
def test_hyperband_restore_rebuilds_every_complete_rung_whatever_the_batch_size(batch_size):
    plan = hyperband_plan(60, 2, 3)
    full = _run(HyperbandScheduler(plan, RandomOptimizer({"x": Real(0, 1)}, random_state=0),
                                   batch_size=2))
    n_first_two = plan[0].n_evaluations + plan[1].n_evaluations
    journal = [u for u in full if u.bracket < 2]  # what the kill left: two brackets
    assert len(journal) == n_first_two
    fresh = HyperbandScheduler(plan, RandomOptimizer({"x": Real(0, 1)}, random_state=1),
                               batch_size=batch_size)
    assert fresh.restore(journal, [u.candidate["x"] for u in journal]) == len(journal)
    rest = _run(fresh)
    # the plan goes on from the third bracket: nothing of the first two again
    assert {u.bracket for u in rest} == set(range(2, len(plan)))
    assert len(journal) + len(rest) == len(full)


def test_hyperband_restore_tells_a_cut_rung_as_known_observations():
    plan = hyperband_plan(30, 2, 3)
    full = _run(HyperbandScheduler(plan, RandomOptimizer({"x": Real(0, 1)}, random_state=0)))
    cut = full[: plan[0].n_candidates[0] - 1]  # the first rung, less one candidate
    sampler = RandomOptimizer({"x": Real(0, 1)}, random_state=0)
    fresh = HyperbandScheduler(plan, sampler)
    assert fresh.restore(cut, [u.candidate["x"] for u in cut]) == 0
    asked = fresh.ask()
    seen = {u.candidate["x"] for u in cut}
    assert asked and not {u.candidate["x"] for u in asked} & seen


def test_asha_restore_takes_a_synchronous_journal_into_its_rungs():
    plan = hyperband_plan(30, 2, 3)
    full = _run(HyperbandScheduler(plan, RandomOptimizer({"x": Real(0, 1)}, random_state=0)))
    asha = ASHAScheduler(plan, RandomOptimizer({"x": Real(0, 1)}, random_state=1), factor=3)
    assert asha.restore(full[:10], [u.candidate["x"] for u in full[:10]]) == 10
    assert asha.n_asked == 10
    done = {(u.level, u.candidate["x"]) for u in full[:10]}
    rest = _run(asha)
    assert not {(u.level, u.candidate["x"]) for u in rest} & done
    # a promotion continues the lineage of the evaluation it promotes
    by_lineage = {}
    for u in rest:
        by_lineage.setdefault(u.lineage, []).append(u)
    for units in by_lineage.values():
        assert len({u.candidate["x"] for u in units}) == 1


# -- warnings point at the user's fit ------------------------------------------


def test_a_resume_that_restores_warns_at_the_users_fit(tmp_path):
    path, log = tmp_path / "journal.jsonl", tmp_path / "fits.log"
    _search("plain", False, path, log, batch_size=2).fit(X, y)
    _cut(path, 5)
    # another seed proposes other candidates: the scheduler restores the journal
    with pytest.warns(UserWarning, match="reused as they are") as record:
        _search("plain", False, path, log, batch_size=2, random_state=1).fit(X, y)
    assert [w.filename for w in record if "reused" in str(w.message)] == [__file__]


def test_hyperband_repeats_warn_at_the_users_fit():
    search = HyperbandSearchCV(
        LoggedTree(random_state=0), {"min_samples_leaf": [1, 2]}, resource="max_depth",
        min_resources=1, max_resources=9, n_iter=30, cv=N_SPLITS, random_state=0,
    )
    with pytest.warns(UserWarning, match="drawn again") as record:
        search.fit(X, y)
    assert [w.filename for w in record if "drawn again" in str(w.message)] == [__file__]


def test_a_small_space_warns_at_the_users_fit():
    search = TPESearchCV(LoggedTree(random_state=0), {"min_samples_leaf": [1, 2]},
                         n_iter=5, cv=N_SPLITS, random_state=0)
    with pytest.warns(UserWarning, match="fewer than n_iter") as record:
        search.fit(X, y)
    assert record[0].filename == __file__
