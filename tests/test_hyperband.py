"""Hyperband and BOHB: the plan's arithmetic, the scheduler, and HyperbandSearchCV."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sksearch import HyperbandSearchCV
from sksearch.optimizers import RandomOptimizer
from sksearch.optimizers.hyperband import (
    BOHBOptimizer,
    HyperbandScheduler,
    _schedule_steps,
    auto_evaluations,
    hyperband_plan,
    hyperband_round,
    max_depth,
    resource_levels,
    round_compute,
    round_evaluations,
)
from sksearch.space import Categorical, Integer, Real, Space

X, y = load_iris(return_X_y=True)


# -- the plan ---------------------------------------------------------------
def test_round_is_the_papers_table():
    # Li et al. (2018), Table 1: R = 81, eta = 3
    assert hyperband_round(4, 3) == [
        (4, [81, 27, 9, 3, 1]),
        (3, [34, 11, 3, 1]),
        (2, [15, 5, 1]),
        (1, [8, 2]),
        (0, [5]),
    ]
    assert resource_levels(81, 3, 4) == [81, 27, 9, 3, 1]
    assert round_evaluations(4, 3) == 121 + 49 + 21 + 10 + 5 == 206
    assert max_depth(1, 81, 3) == 4
    assert max_depth(1, 80, 3) == 3
    assert max_depth(12, 150, 3) == 2
    assert max_depth(5, 5, 3) == 0


def test_round_with_other_factors():
    assert hyperband_round(3, 2) == [(3, [8, 4, 2, 1]), (2, [6, 3, 1]), (1, [4, 2]), (0, [4])]
    assert resource_levels(100, 3, 4) == [100, 33, 11, 4, 1]
    # a float factor works the same way
    assert [c for _, c in hyperband_round(2, 2.5)] == [[7, 2, 1], [4, 1], [3]]


@pytest.mark.parametrize("n_iter", [1, 5, 6, 7, 22, 23, 50, 206, 207, 500])
def test_plan_spends_exactly_n_iter(n_iter):
    plan = hyperband_plan(n_iter, 4, 3)
    assert sum(b.n_evaluations for b in plan) == n_iter
    assert [b.index for b in plan] == list(range(len(plan)))
    for b in plan:
        assert b.levels[-1] == 0  # every bracket ends at the maximum resource
        assert b.levels == list(range(b.depth, -1, -1))
        assert all(a > c >= 1 for a, c in zip(b.n_candidates, b.n_candidates[1:]))
    if n_iter >= 206:
        # whole rounds of the full depth first
        assert [b.depth for b in plan[:5]] == [4, 3, 2, 1, 0]


def test_plan_decomposes_leftovers_into_smaller_rounds():
    plan = hyperband_plan(8, 1, 3)
    assert [(b.round, b.depth, b.n_candidates) for b in plan] == [
        (0, 1, [3, 1]), (0, 0, [2]), (1, 0, [1]), (2, 0, [1])
    ]
    with pytest.raises(ValueError, match="n_iter"):
        hyperband_plan(0, 2, 3)


def _eager_plan(n_iter, s_max, factor):
    # the plan written out bracket by bracket, as the paper does
    costs = [round_evaluations(s, factor) for s in range(s_max + 1)]
    out, remaining, r = [], n_iter, 0
    while remaining > 0:
        depth = max(s for s in range(s_max + 1) if costs[s] <= remaining)
        out.extend((r, s, c) for s, c in hyperband_round(depth, factor))
        remaining -= costs[depth]
        r += 1
    return out


@pytest.mark.parametrize("n_iter", [1, 8, 22, 23, 206, 207, 1000, 4321])
def test_lazy_plan_is_the_eager_plan(n_iter):
    plan = hyperband_plan(n_iter, 4, 3)
    eager = _eager_plan(n_iter, 4, 3)
    assert len(plan) == len(eager)
    assert [(b.round, b.depth, b.n_candidates) for b in plan] == eager
    assert [b.index for b in plan[-3:]] == list(range(max(0, len(plan) - 3), len(plan)))
    assert plan[-1].index == len(plan) - 1
    with pytest.raises(IndexError):
        plan[len(plan)]
    starts = {}
    for _, s, c in eager:
        starts[s] = starts.get(s, 0) + c[0]
    assert plan.starts_by_depth() == starts
    assert plan.n_evaluations == n_iter


def test_a_huge_plan_costs_nothing_until_read():
    plan = hyperband_plan(10**15, 4, 3)
    assert len(plan) > 10**12
    b = plan[10**12 + 3]
    assert (b.index, b.depth) == (10**12 + 3, hyperband_round(4, 3)[3][0])
    steps = _schedule_steps(plan, 8)
    assert [next(steps) for _ in range(4)] == [[(0, 0)], [(0, 1)], [(0, 2)], [(0, 3), (1, 0)]]


def test_huge_n_iter_with_max_time_stops_like_the_other_searches():
    X, y = load_iris(return_X_y=True)
    search = HyperbandSearchCV(
        DecisionTreeClassifier(random_state=0), {"max_depth": Integer(1, 5)},
        resource="n_samples", n_iter=10**9, max_time=0.2, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # candidates drawn again
        search.fit(X, y)
    assert search.n_iter_ == 10**9
    assert search.stop_reason_ == "max_time"
    # brackets_ lists the brackets that ran, not the billion planned
    ran = set(search.cv_results_["bracket"])
    assert [b["bracket"] for b in search.brackets_] == list(range(max(ran) + 1))


def test_schedule_runs_every_rung_once_in_order():
    plan = hyperband_plan(206, 4, 3)
    for batch_size in (1, 2, 40, 1000):
        steps = list(_schedule_steps(plan, batch_size))
        seen = {}
        for t, step in enumerate(steps):
            for b, i in step:
                assert (b, i) not in seen
                if i:
                    assert seen[(b, i - 1)] == t - 1  # the next rung right after
                seen[(b, i)] = t
        assert len(seen) == sum(len(b.n_candidates) for b in plan)
    # one worker: brackets run one after the other
    assert [len(s) for s in list(_schedule_steps(plan, 1))] == [1] * 15
    # many workers: every bracket starts at once
    assert next(_schedule_steps(plan, 1000)) == [(b.index, 0) for b in plan]


def _run(scheduler, func):
    while not scheduler.done:
        jobs = scheduler.ask()
        scheduler.tell(jobs, [func(j) for j in jobs])
    return [j for step in scheduler.history_ for j in step]


def test_scheduler_promotes_the_best_and_never_a_failure_over_a_success():
    space = {"x": Real(0, 1)}
    plan = hyperband_plan(22, 2, 3)
    sched = HyperbandScheduler(plan, RandomOptimizer(space, random_state=0), batch_size=1)

    def func(job):  # failures for x > 0.7
        return np.nan if job.candidate["x"] > 0.7 else job.candidate["x"]

    jobs = _run(sched, func)
    assert len(jobs) == 22
    by = {}
    for j in jobs:
        by.setdefault((j.bracket, j.rung), []).append(j.candidate)
    for (b, i), members in by.items():
        if i == 0:
            continue
        previous = by[(b, i - 1)]
        scores = [np.nan if c["x"] > 0.7 else c["x"] for c in previous]
        finite = sorted((s for s in scores if np.isfinite(s)), reverse=True)
        kept = [np.nan if c["x"] > 0.7 else c["x"] for c in members]
        assert kept[: min(len(kept), len(finite))] == finite[: len(kept)]
        assert all(any(m is p for p in previous) for m in members)


def test_scheduler_checks_its_protocol():
    sched = HyperbandScheduler(hyperband_plan(6, 1, 3),
                               RandomOptimizer({"x": Real(0, 1)}, random_state=0))
    jobs = sched.ask()
    with pytest.raises(RuntimeError):
        sched.ask()
    with pytest.raises(ValueError, match="jobs"):
        sched.tell(jobs[:-1], [0.0] * (len(jobs) - 1))
    sched.tell(jobs, [0.0] * len(jobs))


def test_scheduler_tells_plain_optimizers_only_the_top_rung():
    opt = RandomOptimizer({"x": Real(0, 1)}, random_state=0)
    jobs = _run(HyperbandScheduler(hyperband_plan(22, 2, 3), opt), lambda j: 1.0)
    assert len(opt.y_) == sum(j.level == 0 for j in jobs) == 5


def test_scheduler_repeats_candidates_of_a_too_small_space():
    sched = HyperbandScheduler(hyperband_plan(22, 2, 3),
                               RandomOptimizer({"k": [1, 2, 3, 4]}, random_state=0),
                               random_state=0)
    jobs = _run(sched, lambda j: j.candidate["k"])
    assert len(jobs) == 22 and sched.n_repeated_ == 17 - 4
    assert all(j.candidate["k"] in (1, 2, 3, 4) for j in jobs)


# -- BOHB -------------------------------------------------------------------
SPACE = {"x": Real(-5, 5), "lr": Real(1e-4, 1, log=True), "kind": Categorical(["a", "b"])}


def _f(c):
    return -((c["x"] - 1) ** 2) - (np.log10(c["lr"]) + 2) ** 2 - (c["kind"] == "a")


def test_bohb_uses_the_highest_level_with_enough_points():
    opt = BOHBOptimizer(SPACE, random_state=0, min_points_in_model=5)
    assert opt.model_level() is None
    batch = opt.ask(9)
    opt.tell(batch, [_f(c) for c in batch], level=2)
    assert opt.model_level() == 2
    top = batch[:4]
    opt.tell(top, [_f(c) for c in top], level=1)
    assert opt.model_level() == 2  # 4 < 5 points at level 1
    # failed evaluations do not count as points
    more = opt.ask(3)
    opt.tell(more, [np.nan] * 3, level=1)
    assert opt.model_level() == 2
    opt.tell(opt.ask(1), [0.0], level=1)
    assert opt.model_level() == 1
    assert set(opt.models_) == {1, 2}
    assert len(opt.models_[2].y_) == 9 and len(opt.models_[1].y_) == 8


def test_bohb_proposals_are_valid_new_and_learn():
    space = Space(SPACE)
    opt = BOHBOptimizer(space, random_state=1, random_fraction=0.0)
    seen = []
    for level in (1, 1, 0, 0, 0, 0):
        batch = opt.ask(6)
        assert len(batch) == 6
        for c in batch:
            v = space.encode(c)  # raises if outside the space
            assert set(c) == set(SPACE) and np.isfinite(v).all()
        seen.extend(space.key(space.encode(c)) for c in batch)
        opt.tell(batch, [_f(c) for c in batch], level=level)
    assert len(set(seen)) == len(seen)
    # with a model at the top level, the last proposals beat random ones
    model_scores = [_f(c) for c in opt.ask(20)]
    rand = RandomOptimizer(SPACE, random_state=1)
    random_scores = [_f(c) for c in rand.ask(20)]
    assert np.median(model_scores) > np.median(random_scores)


def test_bohb_subspaces_and_pickle():
    spaces = [{"m": ["svm"], "C": Real(1e-3, 1e3, log=True)},
              {"m": ["tree"], "depth": Integer(1, 20)}]
    opt = BOHBOptimizer(spaces, random_state=0, min_points_in_model=4)
    for _ in range(3):
        batch = opt.ask(5)
        opt.tell(batch, [c.get("depth", 3) / 10 for c in batch], level=0)
    again = pickle.loads(pickle.dumps(opt))
    a, b = opt.ask(4), again.ask(4)
    assert a == b
    assert all(set(c) in ({"m", "C"}, {"m", "depth"}) for c in a)


def test_bohb_checks_its_knobs():
    with pytest.raises(ValueError, match="random_fraction"):
        BOHBOptimizer(SPACE, random_fraction=1.5)
    with pytest.raises(ValueError, match="min_points_in_model"):
        BOHBOptimizer(SPACE, min_points_in_model=1)
    with pytest.raises(ValueError, match="n_ei_candidates"):  # at once, not at the first tell
        BOHBOptimizer(SPACE, n_ei_candidates=0)


# -- HyperbandSearchCV --------------------------------------------------------
class SizeScorer(ClassifierMixin, BaseEstimator):
    """Scores ``bonus - n_fit / 1000``: fewer training samples score higher."""

    def __init__(self, bonus=0.0, n_estimators=10, kind="a"):
        self.bonus = bonus
        self.n_estimators = n_estimators
        self.kind = kind

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_fit_ = len(X)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return self.bonus - self.n_fit_ / 1000 - self.n_estimators / 1000


class CountScorer(RegressorMixin, BaseEstimator):
    """Scores the number of samples it was trained on (and the test size)."""

    def __init__(self, a=0.0):
        self.a = a

    def fit(self, X, y):
        self.n_fit_ = len(X)
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y):
        return self.n_fit_ + len(X) / 1000


def _search(**kw):
    params = dict(n_iter=22, cv=3, random_state=0)
    params.update(kw)
    return HyperbandSearchCV(DecisionTreeClassifier(random_state=0),
                             {"max_depth": Integer(1, 10)}, **params)


def test_cv_results_columns_rows_and_plan():
    search = HyperbandSearchCV(SizeScorer(), {"bonus": Real(0, 1)}, n_iter=23,
                               resource="n_estimators", max_resources=27, cv=2,
                               return_train_score=True, random_state=0).fit(X, y)
    res = search.cv_results_
    assert len(res["params"]) == 23 == search.n_iter_
    for key in ("iter", "n_resources", "bracket", "mean_test_score", "rank_test_score",
                "mean_train_score", "param_bonus", "param_n_estimators", "split1_test_score"):
        assert key in res, key
    assert search.n_resources_ == [3, 9, 27] and search.min_resources_ == 3
    assert search.max_resources_ == 27
    assert [b["n_candidates"] for b in search.brackets_] == [[9, 3, 1], [5, 1], [3], [1]]
    # every row is its bracket's rung at that rung's resource
    for b in search.brackets_:
        rows = np.flatnonzero(res["bracket"] == b["bracket"])
        got = [(int(n), int((res["n_resources"][rows] == n).sum()))
               for n in sorted(set(res["n_resources"][rows]))]
        assert got == sorted(zip(b["n_resources"], b["n_candidates"]))
    np.testing.assert_array_equal(res["param_n_estimators"].astype(int), res["n_resources"])
    # a candidate at a rung was among the best of the bracket's previous rung
    assert np.all(np.diff(res["iter"]) >= 0)


def test_n_iter_auto_is_whole_rounds_of_about_fifty_full_evaluations():
    search = HyperbandSearchCV(SizeScorer(), {"bonus": Real(0, 1)}, resource="n_estimators",
                               min_resources="smallest", max_resources=81, factor=3,
                               cv=2, random_state=0, n_jobs=1)
    search.fit(X, y)
    # one round of the paper's table (206 evaluations) costs 23.5 full ones: two rounds
    assert round_compute(4, 3) == pytest.approx(23.48, abs=0.01)
    assert search.n_iter_ == 412 == len(search.cv_results_["params"])
    assert [b["n_candidates"] for b in search.brackets_][:6] == [
        [81, 27, 9, 3, 1], [34, 11, 3, 1], [15, 5, 1], [8, 2], [5], [81, 27, 9, 3, 1]]
    assert search.n_resources_ == [1, 3, 9, 27, 81]
    # the compute, counted as the search spent it (cold: no continued training here)
    res = search.cv_results_
    assert np.sum(res["n_resources"]) / 81 == pytest.approx(2 * round_compute(4, 3))


@pytest.mark.parametrize("s_max, rounds", [(0, 50), (1, 12), (2, 6), (3, 3), (4, 2), (5, 1)])
def test_auto_evaluations_rounds_to_fifty_full_evaluations(s_max, rounds):
    assert auto_evaluations(s_max, 3) == rounds * round_evaluations(s_max, 3)
    assert abs(rounds * round_compute(s_max, 3) - 50) <= round_compute(s_max, 3) / 2 + 1e-9 \
        or rounds == 1


def test_best_is_chosen_at_the_highest_resource():
    # fewer samples score higher, so the best score overall is at the lowest rung
    search = HyperbandSearchCV(SizeScorer(), {"bonus": Real(0, 0.01)}, n_iter=22, cv=3,
                               random_state=0).fit(X, y)
    res = search.cv_results_
    top = res["n_resources"] == search.max_resources_
    assert search.max_resources_ == 150
    assert np.argmax(res["mean_test_score"]) != search.best_index_
    assert top[search.best_index_]
    assert search.best_score_ == res["mean_test_score"][top].max()
    assert search.best_params_ == res["params"][search.best_index_]
    assert search.best_estimator_.n_fit_ == 150  # refit on all the data


def test_n_samples_subsamples_the_training_folds_only():
    search = HyperbandSearchCV(CountScorer(), {"a": Real(0, 1)}, n_iter=22,
                               min_resources=10, max_resources="auto",
                               cv=KFold(3), random_state=0).fit(X, y)
    res = search.cv_results_
    assert search.n_resources_ == [17, 50, 150]
    for n, score in zip(res["n_resources"], res["mean_test_score"]):
        # the training fold (100 samples) subsampled to n / 150 of it; the
        # test fold (50 samples) whole
        assert score == pytest.approx(int(n / 150 * 100) + 0.05)
    # the same subsample for every candidate at one resource
    for n in search.n_resources_:
        assert len(set(res["split0_test_score"][res["n_resources"] == n])) == 1


def test_parameter_resource_with_auto_max_from_the_estimator():
    pipe = Pipeline([("scale", StandardScaler()),
                     ("sgd", SGDClassifier(max_iter=27, tol=None, random_state=0))])
    search = HyperbandSearchCV(pipe, {"sgd__alpha": Real(1e-5, 1e-1, log=True)},
                               resource="sgd__max_iter", min_resources=3, n_iter=22,
                               cv=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SGD's ConvergenceWarning at 3 iterations
        search.fit(X, y)
    res = search.cv_results_
    assert search.max_resources_ == 27 and len(res["params"]) == 22
    assert set(res["param_sgd__max_iter"].astype(int)) == {3, 9, 27}
    assert search.best_params_["sgd__max_iter"] == 27
    assert search.best_estimator_.named_steps["sgd"].max_iter == 27
    assert search.score(X, y) > 0.8


def test_exhaust_picks_the_deepest_round_that_fits():
    # max/smallest = 81 would need 206 evaluations; 30 fill a round of depth 2
    search = HyperbandSearchCV(SizeScorer(), {"bonus": Real(0, 1)}, n_iter=30,
                               resource="n_estimators", max_resources=81, cv=2,
                               random_state=0).fit(X, y)
    assert search.n_resources_ == [9, 27, 81] and search.min_resources_ == 9
    assert [b["n_candidates"] for b in search.brackets_] == [
        [9, 3, 1], [5, 1], [3], [3, 1], [2], [1], [1]
    ]
    assert len(search.cv_results_["params"]) == 30


def _hgb(max_iter):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=max_iter, early_stopping=False,
                                          random_state=0)


def _extra_trees(n_estimators):
    from sklearn.ensemble import ExtraTreesClassifier

    return ExtraTreesClassifier(n_estimators=n_estimators, random_state=0)


def _scaled_sgd(max_iter):
    return Pipeline([("scale", StandardScaler()),
                     ("sgd", SGDClassifier(max_iter=max_iter, tol=None, random_state=0))])


@pytest.mark.parametrize(
    "estimator, resource, space, expected",
    [
        # HistGradientBoosting's fixed cost is ~16 iterations: the rung at 16
        # is the smallest whose fixed part is at most half of what it costs
        # ('exhaust': [2, 5, 16, 48])
        (_hgb(48), "max_iter", {"learning_rate": Real(0.01, 1, log=True)}, [16, 48]),
        # SGD's epochs have no figure (a 3-epoch rung pays for itself, as
        # measured), also as a Pipeline step: as 'exhaust'
        (_scaled_sgd(27), "sgd__max_iter", {"sgd__alpha": Real(1e-5, 1e-1, log=True)},
         [1, 3, 9, 27]),
        # a forest's is about one tree: as 'exhaust'
        (_extra_trees(3), "n_estimators", {"min_samples_leaf": Integer(1, 5)}, [1, 3]),
        # with n_samples (cv=2: 'exhaust' is [17, 50, 150]) a forest's is
        # ~0.15 of the data (23 of 150 samples), also as a Pipeline's last step
        (_extra_trees(2), "n_samples", {"min_samples_leaf": Integer(1, 5)}, [50, 150]),
        (Pipeline([("scale", StandardScaler()), ("trees", _extra_trees(2))]), "n_samples",
         {"trees__min_samples_leaf": Integer(1, 5)}, [50, 150]),
        # HistGradientBoosting's histograms cost per bin, not per sample: 1/3
        (_hgb(3), "n_samples", {"learning_rate": Real(0.01, 1, log=True)}, [50, 150]),
        # an estimator without a figure starts where 'exhaust' does
        (DecisionTreeClassifier(random_state=0), "n_samples",
         {"min_impurity_decrease": Real(0, 0.1)}, [17, 50, 150]),
    ],
)
def test_min_resources_auto_skips_rungs_dominated_by_fixed_costs(
    estimator, resource, space, expected
):
    # one round's budget from the expected rungs: "auto" chooses the same rungs
    n_iter = round_evaluations(len(expected) - 1, 3)
    search = HyperbandSearchCV(estimator, space, resource=resource, min_resources="auto",
                               n_iter=n_iter, cv=2, refit=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SGD's ConvergenceWarning at few epochs
        search.fit(X, y)
    assert search.n_resources_ == expected and search.min_resources_ == expected[0]
    assert len(search.cv_results_["params"]) == n_iter
    if isinstance(estimator, DecisionTreeClassifier):
        exhaust = HyperbandSearchCV(estimator, space, resource=resource, cv=2, refit=False,
                                    min_resources="exhaust", random_state=0).fit(X, y)
        assert exhaust.n_resources_ == expected


def test_min_resources_auto_adapts_to_a_small_n_iter():
    space = {"learning_rate": Real(0.01, 1, log=True)}
    # from 16 iterations a round needs 6 evaluations; 'auto' then starts
    # higher, as 'exhaust' does, where 'smallest' is an error
    search = HyperbandSearchCV(_hgb(48), space, resource="max_iter", n_iter=4,
                               min_resources="auto", cv=2, refit=False,
                               random_state=0).fit(X, y)
    assert search.n_resources_ == [48] and len(search.cv_results_["params"]) == 4
    with pytest.raises(ValueError, match=r"n_iter=4 cannot fill one Hyperband round"):
        HyperbandSearchCV(_hgb(48), space, resource="max_iter", n_iter=4,
                          min_resources=16, cv=2, refit=False, random_state=0).fit(X, y)


def test_min_resources_auto_is_a_rule_not_a_timing():
    # the same candidates at the same rungs, fit after fit (proposals never
    # depend on how long an evaluation took)
    space = {"learning_rate": Real(0.01, 1, log=True), "max_leaf_nodes": Integer(2, 8)}
    runs = [
        HyperbandSearchCV(_hgb(48), space, resource="max_iter", n_iter=12,
                          min_resources="auto", cv=2, refit=False, random_state=3,
                          n_jobs=n_jobs).fit(X, y).cv_results_
        for n_jobs in (1, 2)
    ]
    assert runs[0]["params"] == runs[1]["params"]
    np.testing.assert_array_equal(runs[0]["n_resources"], runs[1]["n_resources"])
    assert set(runs[0]["n_resources"]) == {16, 48}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(resource="n_trees"), r"resource='n_trees' is not a parameter of the estimator"),
        (dict(resource="max_depth"), r"resource='max_depth' is also a searched parameter"),
        (dict(min_resources=200), r"min_resources=200 is greater than max_resources=150"),
        (dict(resource="max_leaf_nodes", min_resources=50, max_resources=40),
         "min_resources=50 is greater than max_resources=40"),
        (dict(factor=1.5), "factor"),
        (dict(sampler="bayes"), "sampler"),
        (dict(n_iter=0), "n_iter"),
        (dict(min_resources="nope"), r"min_resources.*'auto'"),
        (dict(resource="random_state"), r"max_resources='auto' uses the estimator's "
                                         r"random_state=0 "),
        (dict(n_iter=10, min_resources="smallest", cv=2),
         r"n_iter=10 cannot fill one Hyperband round from min_resources=17 to "
         r"max_resources=150 with factor=3: its 3 brackets need 22 evaluations. "
         r"n_iter=10 can fill a round of 2 brackets from min_resources=50 \(6 evaluations\)"),
    ],
)
def test_errors_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _search(**kwargs).fit(X, y)


def test_smallest_too_large_is_explained():
    with pytest.raises(ValueError, match=r"min_resources='smallest' is 30 \(2 x n_splits=5 "
                                         r"x n_classes=3\) is greater than max_resources=20"):
        _search(min_resources="smallest", max_resources=20, cv=5).fit(X, y)


@pytest.mark.parametrize("sampler", ["random", "tpe", "gp"])
def test_reproducible_with_two_jobs_and_pickles(sampler):
    kw = dict(n_iter=30, resource="n_estimators", max_resources=27, cv=2, n_jobs=2,
              random_state=3, sampler=sampler)
    space = {"bonus": Real(0, 1), "kind": ["a", "b"]}
    a = HyperbandSearchCV(SizeScorer(), space, **kw).fit(X, y)
    b = HyperbandSearchCV(SizeScorer(), space, **kw).fit(X, y)
    assert a.cv_results_["params"] == b.cv_results_["params"]
    assert len(a.cv_results_["params"]) == 30
    again = pickle.loads(pickle.dumps(a))
    assert again.best_params_ == a.best_params_
    np.testing.assert_array_equal(again.predict(X), a.predict(X))
    # synchronous brackets: the same evaluations in the same order, whatever n_jobs
    kw["n_jobs"] = 1
    c = HyperbandSearchCV(SizeScorer(), space, **kw).fit(X, y)
    assert c.cv_results_["params"] == a.cv_results_["params"]


def test_bohb_search_proposes_from_the_model():
    search = HyperbandSearchCV(SizeScorer(), {"bonus": Real(0, 1)}, n_iter=3 * 69,
                               resource="n_estimators", max_resources=27, cv=2,
                               sampler="tpe", random_state=0)
    search.fit(X, y)
    opt = search.optimizer_
    assert isinstance(opt, BOHBOptimizer)
    res = search.cv_results_
    assert search.n_resources_ == [1, 3, 9, 27]
    assert set(opt.models_) == {0, 1, 2, 3}  # a model per level (0: 27 estimators)
    for level, n in enumerate([27, 9, 3, 1]):
        assert len(opt.models_[level].y_) == int((res["n_resources"] == n).sum())
    bonus = res["param_bonus"].astype(float)
    assert all(0 <= b <= 1 for b in bonus)
    # candidates sampled once a model exists lean to a high bonus
    new = np.zeros(len(bonus), dtype=bool)
    for b in search.brackets_:
        new |= (res["bracket"] == b["bracket"]) & (res["n_resources"] == b["n_resources"][0])
    rounds = np.array([b["round"] for b in search.brackets_])[res["bracket"]]
    assert bonus[new & (rounds == 2)].mean() > bonus[new & (rounds == 0)].mean() + 0.1


class FailsOnLargeC(ClassifierMixin, BaseEstimator):
    def __init__(self, C=1.0, n_estimators=1):
        self.C = C
        self.n_estimators = n_estimators

    def fit(self, X, y):
        if self.C > 1:
            raise RuntimeError("C too large for this test")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return 1 - self.C / 10


def test_failed_fits_get_error_score_and_are_not_promoted():
    search = HyperbandSearchCV(FailsOnLargeC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=22,
                               resource="n_estimators", max_resources=9, cv=2,
                               random_state=0)
    with pytest.warns(FitFailedWarning), pytest.warns(UserWarning, match="non-finite"):
        search.fit(X, y)
    res = search.cv_results_
    c = res["param_C"].astype(float)
    assert np.isnan(res["mean_test_score"][c > 1]).all()
    for b in search.brackets_:
        rows = res["bracket"] == b["bracket"]
        first = rows & (res["n_resources"] == b["n_resources"][0])
        n_ok = int((c[first] <= 1).sum())
        later = rows & ~first
        # a failure goes on only when there are not enough successes
        assert (c[later] > 1).sum() <= max(0, later.sum() - n_ok)
    assert search.best_params_["C"] <= 1
    with pytest.raises(RuntimeError, match="C too large"):
        HyperbandSearchCV(FailsOnLargeC(), {"C": Real(2, 3)}, n_iter=6,
                          resource="n_estimators", max_resources=9, cv=2,
                          error_score="raise", random_state=0).fit(X, y)


def test_refit_callable_and_multimetric():
    def pick_last(results):
        return len(results["params"]) - 1

    search = _search(refit=pick_last, n_iter=6).fit(X, y)
    assert search.best_index_ == 5
    search = _search(scoring=["accuracy", "balanced_accuracy"], refit="balanced_accuracy",
                     n_iter=6).fit(X, y)
    res = search.cv_results_
    top = np.flatnonzero(res["n_resources"] == 150)
    assert search.best_index_ == top[np.argmax(res["mean_test_balanced_accuracy"][top])]
    assert search.best_score_ == res["mean_test_balanced_accuracy"][search.best_index_]


def test_everyday_parameters_on_hyperband():
    from sklearn.datasets import load_iris
    from sklearn.svm import SVC

    from sksearch import HyperbandSearchCV
    from sksearch.callbacks import TargetScore
    from sksearch.space import Real

    X, y = load_iris(return_X_y=True)
    space = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1, log=True)}
    kw = dict(resource="n_samples", min_resources=10, factor=3, cv=3, random_state=0,
              batch_size=1)
    full = HyperbandSearchCV(SVC(), space, **kw).fit(X, y)
    assert full.stop_reason_ == "n_iter"
    early = HyperbandSearchCV(SVC(), space, callbacks=[TargetScore(0.0)], **kw).fit(X, y)
    assert early.stop_reason_ == "callback"
    assert len(early.cv_results_["params"]) < len(full.cv_results_["params"])
    warm = HyperbandSearchCV(SVC(), space, sampler="tpe", warm_start_from=full, **kw).fit(X, y)
    # only the evaluations at the highest resource are told
    top = full.cv_results_["n_resources"] == full.max_resources_
    assert warm.n_warm_start_ == int(top.sum()) < len(full.cv_results_["params"])


# -- continued training (warm_start) ------------------------------------------


class CountingForest(RandomForestClassifier):
    """A random forest that appends the number of trees each fit built to ``log``."""

    def __init__(
        self, n_estimators=100, *, max_features="sqrt", random_state=None,
        warm_start=False, log=None,
    ):
        super().__init__(
            n_estimators=n_estimators, max_features=max_features,
            random_state=random_state, warm_start=warm_start,
        )
        self.log = log

    def fit(self, X, y, sample_weight=None):
        before = len(getattr(self, "estimators_", [])) if self.warm_start else 0
        super().fit(X, y, sample_weight=sample_weight)
        with open(self.log, "a") as f:
            f.write(f"{len(self.estimators_) - before}\n")
        return self


def _trees_built(log):
    with open(log) as f:
        return sum(int(line) for line in f)


def _forest_search(log, **kw):
    params = dict(
        resource="n_estimators", min_resources=2, max_resources=18, factor=3,
        cv=3, random_state=0, refit=False,
    )
    params.update(kw)
    return HyperbandSearchCV(
        CountingForest(random_state=0, log=str(log)),
        {"max_features": Real(0.1, 1.0)},
        **params,
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_promoted_candidates_continue_their_models(tmp_path, n_jobs):
    X, y = load_iris(return_X_y=True)
    cold = _forest_search(tmp_path / "cold", warm_start=False, n_jobs=n_jobs).fit(X, y)
    warm = _forest_search(tmp_path / "warm", n_jobs=n_jobs).fit(X, y)
    res = warm.cv_results_
    n_res = np.asarray(res["n_resources"])

    # a lineage is a candidate in its bracket: it ends with the largest
    # resource it reached, and grew its forests to it, one tree at a time
    top = {}
    for params, bracket, r in zip(res["params"], res["bracket"], n_res):
        key = (bracket, params["max_features"])
        top[key] = max(top.get(key, 0), r)
    assert _trees_built(tmp_path / "warm") == 3 * sum(top.values())
    assert _trees_built(tmp_path / "cold") == 3 * n_res.sum()
    assert 3 * sum(top.values()) < 3 * n_res.sum()

    # the first rung of a bracket starts from scratch, every later one continues
    first = {}
    for b, r in zip(res["bracket"], n_res):
        first.setdefault(b, r)
    expected = [r != first[b] for b, r in zip(res["bracket"], n_res)]
    assert list(res["warm_started"]) == expected and any(expected)
    assert not any(cold.cv_results_["warm_started"])

    # a forest grown tree by tree is the forest trained at once
    np.testing.assert_array_equal(
        res["mean_test_score"], cold.cv_results_["mean_test_score"]
    )
    assert res["params"] == cold.cv_results_["params"]
    assert warm.best_params_ == cold.best_params_


def test_continued_models_are_deleted_when_not_promoted(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    X, y = load_iris(return_X_y=True)
    on_disk = []

    def count(search):
        [directory] = tmp_path.glob("sksearch-hyperband-*")
        on_disk.append(len(list(directory.iterdir())))
        return False

    search = _forest_search(tmp_path / "log", callbacks=[count], refit=True).fit(X, y)
    res = search.cv_results_
    # after each step: the models of its candidates that may be promoted
    # (those not yet at max_resources), one per fold; none of earlier rungs
    steps = np.asarray(res["iter"])
    below_top = np.asarray(res["n_resources"]) < search.max_resources_
    assert on_disk == [3 * int((below_top & (steps == k)).sum()) for k in range(len(on_disk))]
    assert max(on_disk) > 0
    assert not list(tmp_path.glob("sksearch-hyperband-*"))  # removed at the end
    # nothing of the continuation is left in the fitted search
    assert not any("__sksearch" in k for p in res["params"] for k in p)
    assert search.best_estimator_.n_estimators == 18
    search.set_params(callbacks=None)  # a local function does not pickle
    again = pickle.loads(pickle.dumps(search))
    assert again.score(X, y) == search.score(X, y)


def test_candidates_that_replace_the_resource_owner_are_retrained(tmp_path):
    from sklearn.ensemble import ExtraTreesClassifier

    X, y = load_iris(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", RandomForestClassifier())])
    search = HyperbandSearchCV(
        pipe,
        {"clf": [RandomForestClassifier(random_state=0), ExtraTreesClassifier(random_state=0)],
         "clf__max_depth": Integer(1, 5)},
        resource="clf__n_estimators", min_resources=2, max_resources=6, cv=3,
        random_state=0,
    ).fit(X, y)
    assert not any(search.cv_results_["warm_started"])
    # a Pipeline step that owns the resource continues
    search = HyperbandSearchCV(
        pipe, {"clf__max_depth": Integer(1, 5)}, resource="clf__n_estimators",
        min_resources=2, max_resources=6, cv=3, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a small space: repeats
        search.fit(X, y)
    assert any(search.cv_results_["warm_started"])


@pytest.mark.parametrize(
    "estimator, resource",
    [
        (DecisionTreeClassifier(), "max_depth"),
        (SGDClassifier(), "n_samples"),
    ],
)
def test_warm_start_true_refuses_what_cannot_continue(estimator, resource):
    X, y = load_iris(return_X_y=True)
    kw = dict(resource=resource, max_resources=9, min_resources=3, cv=3, random_state=0)
    if resource == "n_samples":
        kw.update(max_resources=90, min_resources=30)
    space = {"min_samples_split": Integer(2, 9)} if resource == "max_depth" else {
        "alpha": Real(1e-5, 1e-1, log=True)
    }
    with pytest.raises(ValueError, match="warm_start=True: training cannot be continued"):
        HyperbandSearchCV(estimator, space, warm_start=True, **kw).fit(X, y)
    search = HyperbandSearchCV(estimator, space, **kw).fit(X, y)  # "auto" retrains
    assert not any(search.cv_results_["warm_started"])


def test_epochwise_estimators_continue_with_the_remaining_epochs():
    X, y = load_iris(return_X_y=True)
    pipe = Pipeline([("scale", StandardScaler()), ("sgd", SGDClassifier(tol=None, random_state=0))])
    search = HyperbandSearchCV(
        pipe, {"sgd__alpha": Real(1e-5, 1e-1, log=True)}, resource="sgd__max_iter",
        min_resources=3, max_resources=27, cv=3, random_state=0, warm_start=True,
    ).fit(X, y)
    res = search.cv_results_
    assert any(res["warm_started"])
    # cv_results_ shows the total number of epochs, not the increment
    assert sorted(set(res["param_sgd__max_iter"])) == [3, 9, 27]
    assert search.best_estimator_.named_steps["sgd"].max_iter == 27


def test_boosting_grown_from_rung_to_rung_equals_a_cold_search():
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = load_iris(return_X_y=True)
    kw = dict(
        resource="max_iter", min_resources=2, max_resources=18, cv=3, random_state=0,
    )
    est = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
    space = {"learning_rate": Real(0.01, 1, log=True), "max_leaf_nodes": Integer(2, 15)}
    warm = HyperbandSearchCV(est, space, **kw).fit(X, y)
    cold = HyperbandSearchCV(est, space, warm_start=False, **kw).fit(X, y)
    assert any(warm.cv_results_["warm_started"])
    np.testing.assert_allclose(
        warm.cv_results_["mean_test_score"], cold.cv_results_["mean_test_score"]
    )
    assert warm.best_params_ == cold.best_params_


def test_rung_costs_are_measured_advice():
    search = HyperbandSearchCV(_extra_trees(9), {"min_samples_leaf": Integer(1, 20)},
                               resource="n_estimators", min_resources=1, n_iter=22, cv=2,
                               refit=False, warm_start=False, random_state=0).fit(X, y)
    costs = search.rung_costs_
    assert sorted(costs) == search.n_resources_ == [1, 3, 9]
    assert costs[9] == 1.0
    assert all(np.isfinite(c) and c > 0 for c in costs.values())
    # with continued training, only evaluations trained from scratch count:
    # the promoted ones paid for their increment alone
    warm = HyperbandSearchCV(_extra_trees(9), {"min_samples_leaf": Integer(1, 20)},
                             resource="n_estimators", min_resources=1, n_iter=22, cv=2,
                             refit=False, random_state=0).fit(X, y)
    res = warm.cv_results_
    assert res["warm_started"].any()
    cold = ~res["warm_started"] & (res["n_resources"] == 3)
    expected = np.median(res["mean_fit_time"][cold] + res["mean_score_time"][cold])
    top = ~res["warm_started"] & (res["n_resources"] == 9)
    expected /= np.median(res["mean_fit_time"][top] + res["mean_score_time"][top])
    assert warm.rung_costs_[3] == pytest.approx(expected)
