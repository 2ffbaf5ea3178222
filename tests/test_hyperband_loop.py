"""Hyperband on the one evaluation loop: asynchronous successive halving,
checkpoint and resume, and sklearn left as it is."""

import sys
import textwrap
import threading

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.datasets import load_iris, make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC

from sksearch import HyperbandSearchCV
from sksearch.optimizers import RandomOptimizer
from sksearch.optimizers._scheduler import Unit
from sksearch.optimizers.hyperband import (
    ASHAScheduler,
    BOHBOptimizer,
    hyperband_plan,
)
from sksearch.space import Integer, Real

from ._kill import kill_then_resume

X, y = load_iris(return_X_y=True)
SVC_SPACE = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1, log=True)}
FOREST_SPACE = {"max_depth": Integer(1, 8), "max_features": Real(0.2, 1.0)}


def _params(search):
    return [{k: (round(v, 12) if isinstance(v, float) else v) for k, v in p.items()}
            for p in search.cv_results_["params"]]


# -- the scheduler ------------------------------------------------------------


def _run_asha(plan, n_evaluations=None, sampler=None, score=lambda job: job.candidate["x"]):
    sampler = sampler or RandomOptimizer({"x": Real(0, 1)}, random_state=0)
    sched = ASHAScheduler(plan, sampler, factor=3, n_evaluations=n_evaluations)
    history = []
    while not sched.done:
        jobs = sched.ask()
        sched.tell(jobs, [score(job) for job in jobs])
        history.extend(jobs)
    return sched, history


def test_asha_spends_exactly_the_budget_and_promotes_only_the_top():
    plan = hyperband_plan(22, 2, 3)
    sched, history = _run_asha(plan, n_evaluations=40)
    assert len(history) == 40 and sched.n_asked == 40 and sched.ask() == []
    # every promotion was in the top third of the finished results of its rung
    # at the moment it was asked
    finished = {}
    for job in history:
        key = (job.bracket, job.rung)
        if job.rung > 0:
            below = finished[(job.bracket, job.rung - 1)]
            k = len(below) // 3
            assert k >= 1
            assert job.candidate["x"] >= sorted(below, reverse=True)[k - 1]
        finished.setdefault(key, []).append(job.candidate["x"])
    assert any(job.level == 0 for job in history)  # full-resource results arrive


def test_asha_spreads_new_candidates_over_the_brackets_of_the_plan():
    plan = hyperband_plan(22, 2, 3)  # brackets starting 9, 5 and 3 candidates
    sched, history = _run_asha(plan, n_evaluations=60)
    assert [b.depth for b in sched.brackets] == [2, 1, 0]
    starts = [sum(1 for j in history if j.bracket == b and j.rung == 0) for b in range(3)]
    shares = np.array(starts) / sum(starts)
    np.testing.assert_allclose(shares, np.array([9, 5, 3]) / 17, atol=0.08)


def test_asha_promotes_the_highest_resource_first_and_keeps_lineages():
    plan = hyperband_plan(22, 2, 3)[:1]  # one bracket 9, 3, 1
    sched, history = _run_asha(plan)
    assert sched.brackets[0].n_candidates == [9, 3, 1]
    top = [j for j in history if j.rung == 2][0]
    same = [j for j in history if j.candidate is top.candidate]
    assert [j.rung for j in same] == [0, 1, 2]


def test_asha_tells_a_multi_fidelity_sampler_every_rung():
    sampler = BOHBOptimizer({"x": Real(0, 1)}, random_state=0)
    sched, history = _run_asha(hyperband_plan(22, 2, 3)[:1], sampler=sampler)
    assert sorted(sampler.models_) == [0, 1, 2]
    for level in (0, 1, 2):
        assert len(sampler.models_[level].y_) == sum(j.level == level for j in history)


def test_asha_restore_continues_as_the_uninterrupted_run():
    plan = hyperband_plan(22, 2, 3)
    full_sched, full = _run_asha(plan, n_evaluations=30)
    sampler = RandomOptimizer({"x": Real(0, 1)}, random_state=0)
    sched = ASHAScheduler(plan, sampler, factor=3, n_evaluations=30)
    for job in full[:17]:
        if job.rung == 0:
            sampler.ask(1)  # the sampler had proposed the new candidates
        # as a journal holds it: the candidate at its level, in its bracket
        sched.restore([Unit(job.candidate, job.level, job.bracket)], [job.candidate["x"]])
    rest = []
    while not sched.done:
        jobs = sched.ask()
        sched.tell(jobs, [job.candidate["x"] for job in jobs])
        rest.extend(jobs)
    assert [(j.candidate, j.bracket, j.rung) for j in rest] == [
        (j.candidate, j.bracket, j.rung) for j in full[17:]
    ]


def test_asha_errors_name_what_is_wrong():
    sampler = RandomOptimizer({"x": Real(0, 1)}, random_state=0)
    with pytest.raises(ValueError, match="factor"):
        ASHAScheduler(hyperband_plan(13, 2, 3), sampler, factor=1)
    with pytest.raises(ValueError, match="at least one bracket"):
        ASHAScheduler([], sampler, factor=3)
    sched = ASHAScheduler(hyperband_plan(13, 2, 3), sampler, factor=3)
    jobs = sched.ask()
    sched.tell(jobs, [0.5])
    with pytest.raises(ValueError, match="not told yet"):
        sched.tell(jobs, [0.5])
    with pytest.raises(ValueError, match="1 jobs but 2 scores"):
        sched.tell(sched.ask(), [0.5, 0.5])
    with pytest.raises(ValueError, match="no bracket has level 9"):
        sched.restore([Unit({"x": 0.1}, 9, 0)], [0.1])
    # a bracket of another plan (synchronous brackets): the one that starts at its level
    before = sched.brackets[0].n_candidates[0]
    assert sched.restore([Unit({"x": 0.1}, 1, 7)], [0.1]) == 1
    assert sched.brackets[0].levels[0] == 1 and sched.brackets[0].n_candidates[0] == before + 1


# -- asynchronous successive halving in the search ----------------------------


@pytest.mark.parametrize("backend", ["threading", "loky"])
def test_asynchronous_hyperband_runs_its_budget_on_any_backend(backend):
    search = HyperbandSearchCV(SVC(), SVC_SPACE, resource="n_samples", min_resources=15,
                               cv=3, n_jobs=2, random_state=0, asynchronous=True)
    with parallel_config(backend=backend):
        search.fit(X, y)
    res = search.cv_results_
    assert len(res["params"]) == search.n_iter_
    assert search.stop_reason_ == "n_iter"
    assert set(res["n_resources"]) <= set(search.n_resources_)
    assert (res["n_resources"] == search.max_resources_).any()
    # best_* come from the highest resource reached
    assert res["n_resources"][search.best_index_] == res["n_resources"].max()
    assert sum(sum(b["n_candidates"]) for b in search.brackets_) == search.n_iter_


def test_asynchronous_hyperband_with_one_worker_is_deterministic():
    kw = dict(resource="n_samples", min_resources=15, cv=3, random_state=0,
              asynchronous=True)
    a = HyperbandSearchCV(SVC(), SVC_SPACE, **kw).fit(X, y)
    b = HyperbandSearchCV(SVC(), SVC_SPACE, **kw).fit(X, y)
    assert _params(a) == _params(b)
    assert list(a.cv_results_["n_resources"]) == list(b.cv_results_["n_resources"])


def test_asynchronous_hyperband_continues_training_and_bohb_runs():
    Xc, yc = make_classification(300, 8, random_state=0)
    search = HyperbandSearchCV(
        RandomForestClassifier(random_state=0), FOREST_SPACE, resource="n_estimators",
        min_resources=3, max_resources=27, cv=3, n_jobs=2, random_state=0,
        asynchronous=True, sampler="tpe",
    ).fit(Xc, yc)
    res = search.cv_results_
    first = np.array([search.brackets_[b]["n_resources"][0] for b in res["bracket"]])
    promoted = res["n_resources"] > first  # a later rung of the candidate's bracket
    assert promoted.any()
    assert res["warm_started"][promoted].all()
    assert not res["warm_started"][~promoted].any()
    # the resource is shown in the parameters of each rung
    assert [p["n_estimators"] for p in res["params"]] == list(res["n_resources"])


def test_asynchronous_hyperband_verbose_reports_each_evaluation(capsys):
    search = HyperbandSearchCV(SVC(), SVC_SPACE, resource="n_samples", min_resources=15,
                               cv=3, random_state=0, asynchronous=True, verbose=1)
    search.fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Fitting 3 folds") == 1
    lines = [line for line in out.splitlines() if "] " in line and "evaluations, " in line]
    assert len(lines) == search.n_iter_
    # the best so far, at the largest resource reached: never "nan" before a
    # candidate reaches max_resources, and at max_resources by the end
    assert not any("nan" in line for line in lines)
    assert "best" in lines[0] and "at max_resources" in lines[-1]
    assert "(none at max_resources yet)" in lines[0]


# -- checkpoint ---------------------------------------------------------------


@pytest.mark.parametrize("asynchronous", [False, True], ids=["brackets", "asha"])
def test_hyperband_checkpoint_resumes_to_the_same_results(tmp_path, asynchronous):
    path = tmp_path / "hb.jsonl"
    kw = dict(resource="n_samples", min_resources=15, cv=3, random_state=0,
              batch_size=2, asynchronous=asynchronous)
    full = HyperbandSearchCV(SVC(), SVC_SPACE, **kw).fit(X, y)
    first = HyperbandSearchCV(SVC(), SVC_SPACE, checkpoint=path, **kw).fit(X, y)
    assert _params(first) == _params(full)
    # cut the journal after some evaluations, as a kill would
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[: 1 + len(lines) // 2]))
    resumed = HyperbandSearchCV(SVC(), SVC_SPACE, checkpoint=path, **kw).fit(X, y)
    assert resumed.n_resumed_ == len(lines) // 2
    assert _params(resumed) == _params(full)
    np.testing.assert_allclose(resumed.cv_results_["mean_test_score"],
                               full.cv_results_["mean_test_score"])
    assert list(resumed.cv_results_["bracket"]) == list(full.cv_results_["bracket"])
    assert resumed.best_params_ == full.best_params_


def test_hyperband_checkpoint_continued_models_are_retrained(tmp_path):
    path = tmp_path / "hb.jsonl"
    Xc, yc = make_classification(300, 8, random_state=0)
    kw = dict(resource="n_estimators", min_resources=3, max_resources=27, cv=3,
              random_state=0)
    est = RandomForestClassifier(random_state=0)
    full = HyperbandSearchCV(est, FOREST_SPACE, **kw).fit(Xc, yc)
    HyperbandSearchCV(est, FOREST_SPACE, checkpoint=path, **kw).fit(Xc, yc)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:12]))
    resumed = HyperbandSearchCV(est, FOREST_SPACE, checkpoint=path, **kw).fit(Xc, yc)
    # a forest grown tree by tree equals one fitted from scratch: the scores
    # match though the models of the cut rungs were trained again
    assert _params(resumed) == _params(full)
    np.testing.assert_allclose(resumed.cv_results_["mean_test_score"],
                               full.cv_results_["mean_test_score"])


def test_hyperband_journal_of_other_levels_is_refused(tmp_path):
    path = tmp_path / "hb.jsonl"
    kw = dict(resource="n_samples", cv=3, random_state=0)
    HyperbandSearchCV(SVC(), SVC_SPACE, min_resources=15, checkpoint=path, **kw).fit(X, y)
    with pytest.raises(ValueError, match="checkpoint=.*its levels differ from"):
        HyperbandSearchCV(SVC(), SVC_SPACE, min_resources=40, checkpoint=path,
                          **kw).fit(X, y)


_KILLED = textwrap.dedent("""
    import sys, time
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC
    from sksearch import HyperbandSearchCV
    from sksearch.space import Real

    class SlowSVC(SVC):
        def fit(self, X, y, sample_weight=None):
            time.sleep(0.05)
            return super().fit(X, y, sample_weight=sample_weight)

    X, y = load_iris(return_X_y=True)
    space = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1, log=True)}
    search = HyperbandSearchCV(SlowSVC(), space, resource="n_samples", min_resources=15,
                               cv=3, random_state=0, batch_size=2,
                               asynchronous=sys.argv[2] == "1", checkpoint=sys.argv[1])
    search.fit(X, y)
    print(len(search.cv_results_["params"]), search.n_resumed_)
""")


@pytest.mark.timeout(300)
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("asynchronous", ["0", "1"], ids=["brackets", "asha"])
def test_hyperband_sigkill_and_resume(tmp_path, asynchronous):
    path = tmp_path / "hb.jsonl"
    script = tmp_path / "run.py"
    script.write_text(_KILLED)
    n_before, words = kill_then_resume(script, path, asynchronous, min_lines=7, wait=120,
                                       timeout=240)
    assert n_before > 0
    n_rows, n_resumed = map(int, words)
    assert n_resumed >= n_before
    assert n_rows == len(path.read_text().splitlines()) - 1  # nothing lost or doubled


# -- sklearn is sklearn --------------------------------------------------------


class _SlowForest(RandomForestClassifier):
    def fit(self, X, y, sample_weight=None):
        _SlowForest.started.set()
        _SlowForest.release.wait(30)
        return super().fit(X, y, sample_weight=sample_weight)


def test_gridsearch_in_another_thread_during_a_hyperband_search():
    Xc, yc = make_classification(200, 6, random_state=0)
    grid = {"n_estimators": [3, 9], "warm_start": [False, True]}
    alone = GridSearchCV(RandomForestClassifier(random_state=0), grid, cv=3).fit(Xc, yc)
    _SlowForest.started, _SlowForest.release = threading.Event(), threading.Event()
    search = HyperbandSearchCV(_SlowForest(random_state=0), FOREST_SPACE,
                               resource="n_estimators", min_resources=3, max_resources=9,
                               cv=3, random_state=0)
    runner = threading.Thread(target=search.fit, args=(Xc, yc))
    runner.start()
    try:
        assert _SlowForest.started.wait(30)
        # the loop owns its fit-and-score jobs and nothing of sklearn is
        # replaced: a GridSearchCV now is exactly sklearn's
        during = GridSearchCV(RandomForestClassifier(random_state=0), grid, cv=3,
                              n_jobs=2).fit(Xc, yc)
    finally:
        _SlowForest.release.set()
        runner.join(60)
    np.testing.assert_array_equal(during.cv_results_["mean_test_score"],
                                  alone.cv_results_["mean_test_score"])


def test_warm_start_from_a_hyperband_journal_takes_its_top_rung(tmp_path):
    from sksearch import TPESearchCV

    path = tmp_path / "hb.jsonl"
    hb = HyperbandSearchCV(SVC(), SVC_SPACE, resource="n_samples", min_resources=15, cv=3,
                           random_state=0, checkpoint=path).fit(X, y)
    top = int((hb.cv_results_["n_resources"] == hb.max_resources_).sum())
    for source in (path, hb, hb.cv_results_):
        warm = TPESearchCV(SVC(), SVC_SPACE, n_iter=2, cv=3, random_state=0,
                           warm_start_from=source).fit(X, y)
        assert warm.n_warm_start_ == top < len(hb.cv_results_["params"])
