"""AnnealingOptimizer and AnnealingSearchCV, on plain functions (fast)."""

import math
import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from sksearch import AnnealingSearchCV
from sksearch.optimizers import AnnealingOptimizer, RandomOptimizer
from sksearch.space import Integer, Real, Space

from ._functions import SPACE, SUBSPACES, keys, quadratic, run, sub_objective


@pytest.mark.parametrize("batch", [1, 4, 8])
def test_beats_random_on_average(batch):
    ours, rand = [], []
    for seed in range(5):
        opt = AnnealingOptimizer(SPACE, n_iter=60, n_workers=batch, random_state=seed)
        run(opt, quadratic, 60, batch)
        ours.append(opt.best()[1])
        ref = RandomOptimizer(SPACE, random_state=seed)
        run(ref, quadratic, 60, batch)
        rand.append(ref.best()[1])
    assert np.mean(ours) > np.mean(rand)


def test_one_chain_per_worker_and_one_neighbour_per_chain_and_batch():
    opt = AnnealingOptimizer(SPACE, n_workers=4, random_state=0)
    assert opt.n_chains_ == 4
    batch = opt.ask(4)  # the initial design: one prior draw per chain
    assert sorted(opt._asked.values()) == [-1, -1, -1, -1]
    opt.tell(batch, [quadratic(c) for c in batch])
    batch = opt.ask(4)
    assert all(c is not None for c in opt._current)
    start = opt._best[0]
    for chain, cand in enumerate(batch):  # each a neighbour of its chain's start
        np.testing.assert_array_equal(opt._current[chain], start)
        v = opt.space.encode(cand)
        assert np.sum(~np.isclose(v, start, atol=1e-9)) >= 1
    assert sorted(opt._asked.values()) == [0, 1, 2, 3]


def test_initial_design_is_a_fifth_of_the_budget_then_chains_start_from_its_best():
    opt = AnnealingOptimizer(SPACE, n_iter=50, n_workers=2, random_state=0)
    assert opt._n_design == 10
    for _ in range(5):
        batch = opt.ask(2)
        assert all(opt._asked[opt.space.key(opt.space.encode(c))] == -1 for c in batch)
        opt.tell(batch, [quadratic(c) for c in batch])
    assert all(c is None for c in opt._current)  # no chain before the design is told
    batch = opt.ask(2)
    best = int(np.argmax(opt.y_))
    for chain in range(2):
        np.testing.assert_array_equal(opt._current[chain], opt.X_[best])
    # a budget smaller than the chains: one draw per chain
    assert AnnealingOptimizer(SPACE, n_iter=10, n_chains=4)._n_design == 4


def test_cooling_is_geometric_and_reaches_one_percent_at_the_budget():
    opt = AnnealingOptimizer(SPACE, n_iter=40, n_workers=2, random_state=0)
    run(opt, quadratic, 40, 2)
    np.testing.assert_allclose(opt.temperatures_, 0.3 * 0.01, rtol=1e-6)
    opt = AnnealingOptimizer(SPACE, cooling=0.5, initial_temperature=2.0, random_state=0)
    run(opt, quadratic, 4, 1)
    assert opt.temperatures_[0] == pytest.approx(2.0 * 0.5**3)  # the first told is the start


def test_metropolis_acceptance():
    opt = AnnealingOptimizer(SPACE, random_state=0)
    assert opt._accept(1.0, 0.0, 1.0, 1.0)
    assert not opt._accept(-np.inf, 0.0, 1.0, 1e6)  # a failed fit is never accepted
    assert opt._accept(0.0, -np.inf, 1.0, 1e-9)  # and a chain leaves one at once
    rate = np.mean([opt._accept(-1.0, 0.0, 1.0, 1.0) for _ in range(4000)])
    assert rate == pytest.approx(math.exp(-1), abs=0.03)
    rate = np.mean([opt._accept(-2.0, 0.0, 2.0, 1.0) for _ in range(4000)])  # standardised
    assert rate == pytest.approx(math.exp(-1), abs=0.03)


def test_stagnating_chain_restarts_from_the_best():
    opt = AnnealingOptimizer(SPACE, restart_after=2, random_state=0)
    run(opt, lambda c: 0.0 if c["x"] < 0 else -1.0, 30, 1)
    # a flat function improves nothing: the chain keeps jumping back to the best
    assert opt._stale[0] < 2
    best = opt._best[0]
    assert opt.best()[1] == 0.0 and opt.space.decode(best)["x"] < 0


def test_never_repeats_on_a_small_discrete_space():
    space = Space({"a": Integer(0, 9), "b": ["x", "y", "z"]})
    opt = AnnealingOptimizer(space, n_workers=3, random_state=0)
    seen = run(opt, lambda c: -abs(c["a"] - 3) - (c["b"] != "y"), 30, 3)
    assert len(seen) == 30
    assert len(set(keys(space, seen))) == 30


def test_failed_evaluations_are_the_worst():
    opt = AnnealingOptimizer(SPACE, n_iter=60, random_state=0)

    def flaky(c):
        return float("nan") if c["x"] > 0 else quadratic(c)

    run(opt, flaky, 60, 2)
    best, score = opt.best()
    assert best["x"] <= 0 and np.isfinite(score)
    assert np.isfinite(opt._current_score).all()


def test_subspaces_never_mix():
    space = Space(SUBSPACES)
    opt = AnnealingOptimizer(space, random_state=0)
    seen = run(opt, sub_objective, 60, 4)
    names = [set(d) for d in SUBSPACES]
    for c in seen:
        assert set(c) in names
        space.encode(c)
    assert {frozenset(c) for c in seen} == {frozenset(n) for n in names}
    assert opt.best()[1] > -0.3


def test_reproducible():
    a = run(AnnealingOptimizer(SPACE, random_state=7), quadratic, 40, 3)
    b = run(AnnealingOptimizer(SPACE, random_state=7), quadratic, 40, 3)
    c = run(AnnealingOptimizer(SPACE, random_state=8), quadratic, 40, 3)
    assert a == b and a != c


def test_pickles_mid_search():
    opt = AnnealingOptimizer(SPACE, n_chains=3, random_state=3)
    run(opt, quadratic, 10, 4)
    copy = pickle.loads(pickle.dumps(opt))
    assert run(opt, quadratic, 20, 4) == run(copy, quadratic, 20, 4)


@pytest.mark.parametrize(
    "knob, value",
    [
        ("initial_temperature", 0.0),
        ("initial_temperature", -1),
        ("cooling", 1.0),
        ("cooling", 0),
        ("n_chains", 0),
        ("restart_after", 0),
    ],
)
def test_bad_knobs_are_named(knob, value):
    with pytest.raises(ValueError, match=knob):
        AnnealingOptimizer(SPACE, **{knob: value})
    X, y = load_iris(return_X_y=True)
    search = AnnealingSearchCV(DecisionTreeClassifier(), {"max_depth": Integer(1, 5)}, n_iter=2,
                               cv=2, **{knob: value})
    with pytest.raises(ValueError, match=knob):
        search.fit(X, y)


def test_search_cv_passes_its_knobs():
    X, y = load_iris(return_X_y=True)
    search = AnnealingSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Integer(1, 8), "min_samples_leaf": Real(0.01, 0.2)},
        n_iter=9, cv=2, n_chains=2, cooling=0.8, random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 9
    assert search.optimizer_.n_chains_ == 2 and search.optimizer_.cooling_ == 0.8
