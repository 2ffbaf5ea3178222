"""PSOOptimizer and PSOSearchCV, on plain functions (fast)."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from sksearch import PSOSearchCV
from sksearch.optimizers import PSOOptimizer, RandomOptimizer
from sksearch.space import Integer, Real, Space

from ._functions import SPACE, SUBSPACES, keys, quadratic, run, sub_objective


@pytest.mark.parametrize("batch", [1, 4, 8])
def test_beats_random_on_average(batch):
    ours, rand = [], []
    for seed in range(5):
        opt = PSOOptimizer(SPACE, n_iter=60, n_workers=batch, random_state=seed)
        run(opt, quadratic, 60, batch)
        ours.append(opt.best()[1])
        ref = RandomOptimizer(SPACE, random_state=seed)
        run(ref, quadratic, 60, batch)
        rand.append(ref.best()[1])
    assert np.mean(ours) > np.mean(rand)


def test_swarm_size_does_not_depend_on_the_batch():
    # about sqrt(n_iter), at least 5; more only when a round asks for more
    assert PSOOptimizer(SPACE, n_iter=100, n_workers=1).swarm_size_ == 10
    assert PSOOptimizer(SPACE, n_iter=100, n_workers=4).swarm_size_ == 10
    assert PSOOptimizer(SPACE, n_iter=40, n_workers=4).swarm_size_ == 7
    assert PSOOptimizer(SPACE, n_iter=10, n_workers=4).swarm_size_ == 5
    assert PSOOptimizer(SPACE, n_iter=100, n_workers=32).swarm_size_ == 32
    assert PSOOptimizer(SPACE, swarm_size=3, n_workers=8).swarm_size_ == 3


def test_each_particle_takes_its_turn_in_the_order_told():
    opt = PSOOptimizer(SPACE, swarm_size=5, random_state=0)
    for i in range(4):  # batches of 4: a swarm iteration is not a batch
        batch = opt.ask(4)
        assert len(batch) == 4
        assert [opt._asked[opt.space.key(opt.space.encode(c))][0] for c in batch] == [
            (4 * i + j) % 5 for j in range(4)
        ]
        opt.tell(batch, [quadratic(c) for c in batch])
    assert list(opt._moves) == [4, 3, 3, 3, 3]
    assert opt.n_iterations_ == 4


@pytest.mark.parametrize("batch", [2, 3, 5])
def test_candidates_do_not_depend_on_how_asks_are_grouped(batch):
    one_at_a_time = run(PSOOptimizer(SPACE, n_iter=40, random_state=4), quadratic, 40, 1)
    batched = run(PSOOptimizer(SPACE, n_iter=40, n_workers=batch, random_state=4),
                  quadratic, 40, batch)
    assert batched == one_at_a_time


def test_order_of_a_told_batch_does_not_matter():
    a = PSOOptimizer(SPACE, swarm_size=5, random_state=1)
    b = PSOOptimizer(SPACE, swarm_size=5, random_state=1)
    for _ in range(4):
        ca, cb = a.ask(5), b.ask(5)
        assert ca == cb
        a.tell(ca, [quadratic(c) for c in ca])
        b.tell(cb[::-1], [quadratic(c) for c in cb[::-1]])
    assert a.ask(5) == b.ask(5)


def test_a_particle_waits_for_its_score():
    opt = PSOOptimizer(SPACE, swarm_size=3, random_state=0)
    first = opt.ask(3)
    extra = opt.ask(2)  # every particle is waiting: prior draws
    assert [opt._asked[opt.space.key(opt.space.encode(c))][0] for c in extra] == [-1, -1]
    opt.tell(first[1:2], [quadratic(first[1])])
    nxt = opt.ask(1)  # particle 1, the only one told, moves
    assert opt._asked[opt.space.key(opt.space.encode(nxt[0]))][0] == 1
    assert list(opt._moves) == [1, 2, 1]


def test_particles_stay_in_the_unit_cube_with_clamped_velocity():
    opt = PSOOptimizer(SPACE, swarm_size=6, max_velocity=0.1, random_state=0)
    for _ in range(10):
        batch = opt.ask(6)
        opt.tell(batch, [quadratic(c) for c in batch])
        assert np.all((opt._pos >= 0) & (opt._pos <= 1))
        assert np.all(np.abs(opt._vel) <= 0.1 + 1e-12)


def test_inertia_decreases_linearly_over_the_budget():
    opt = PSOOptimizer(SPACE, swarm_size=5, n_iter=50, random_state=0)
    assert opt._planned == 10  # positions per particle: the initial one and 9 moves
    weights = [opt._inertia(m) for m in range(1, 10)]
    assert weights[0] == pytest.approx(0.9)
    assert weights[-1] == pytest.approx(0.4)
    np.testing.assert_allclose(np.diff(weights), -0.5 / 8)
    run(opt, quadratic, 50, 4)
    assert list(opt._moves) == [10] * 5  # the budget spends the planned moves


def test_never_repeats_on_a_small_discrete_space():
    # particles converge onto few candidates: they must be moved to new ones
    space = Space({"a": Integer(0, 9), "b": ["x", "y", "z"]})
    opt = PSOOptimizer(space, swarm_size=4, random_state=0)
    seen = run(opt, lambda c: -abs(c["a"] - 3) - (c["b"] != "y"), 30, 4)
    assert len(seen) == 30
    assert len(set(keys(space, seen))) == 30


def test_failed_evaluations_are_the_worst():
    opt = PSOOptimizer(SPACE, n_iter=60, random_state=0)

    def flaky(c):
        return float("nan") if c["x"] > 0 else quadratic(c)

    run(opt, flaky, 60, 4)
    best, score = opt.best()
    assert best["x"] <= 0 and np.isfinite(score)
    assert np.isfinite(opt._gbest_score)


def test_subspaces_never_mix():
    space = Space(SUBSPACES)
    opt = PSOOptimizer(space, random_state=0)
    seen = run(opt, sub_objective, 60, 4)
    names = [set(d) for d in SUBSPACES]
    assert len(seen) == 60
    for c in seen:
        assert set(c) in names
        space.encode(c)
    assert opt.best()[1] > -0.3


def test_reproducible():
    a = run(PSOOptimizer(SPACE, random_state=7), quadratic, 40, 3)
    b = run(PSOOptimizer(SPACE, random_state=7), quadratic, 40, 3)
    c = run(PSOOptimizer(SPACE, random_state=8), quadratic, 40, 3)
    assert a == b and a != c


def test_ask_before_tell_hands_out_more_particles_then_draws():
    opt = PSOOptimizer(SPACE, swarm_size=4, random_state=0)
    first = opt.ask(3)
    second = opt.ask(3)  # one particle left, then prior draws
    space = opt.space
    assert len(set(keys(space, first + second))) == 6
    opt.tell(second + first, [quadratic(c) for c in second + first])
    assert len(opt.ask(4)) == 4


def test_pickles_mid_search():
    opt = PSOOptimizer(SPACE, swarm_size=6, random_state=3)
    run(opt, quadratic, 10, 4)
    copy = pickle.loads(pickle.dumps(opt))
    assert run(opt, quadratic, 20, 4) == run(copy, quadratic, 20, 4)


@pytest.mark.parametrize(
    "knob, value",
    [
        ("swarm_size", 0),
        ("inertia_start", 1.5),
        ("inertia_end", -0.1),
        ("cognitive", -1.0),
        ("social", float("inf")),
        ("max_velocity", 0.0),
    ],
)
def test_bad_knobs_are_named(knob, value):
    with pytest.raises(ValueError, match=knob):
        PSOOptimizer(SPACE, **{knob: value})
    X, y = load_iris(return_X_y=True)
    search = PSOSearchCV(DecisionTreeClassifier(), {"max_depth": Integer(1, 5)}, n_iter=2, cv=2,
                         **{knob: value})
    with pytest.raises(ValueError, match=knob):
        search.fit(X, y)


def test_search_cv_passes_its_knobs():
    X, y = load_iris(return_X_y=True)
    search = PSOSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Integer(1, 8), "min_samples_leaf": Real(0.01, 0.2)},
        n_iter=9, cv=2, swarm_size=3, max_velocity=0.2, random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 9
    assert search.optimizer_.swarm_size_ == 3
    assert search.optimizer_.max_velocity == 0.2


def test_search_cv_candidates_do_not_depend_on_batch_size_nor_mode():
    X, y = load_iris(return_X_y=True)
    space = {"max_depth": Integer(1, 8), "min_samples_leaf": Real(0.01, 0.2)}

    def params(**kwargs):
        search = PSOSearchCV(DecisionTreeClassifier(random_state=0), space, n_iter=14,
                             cv=2, random_state=0, **kwargs).fit(X, y)
        assert search.optimizer_.swarm_size_ == 5
        return search.cv_results_["params"]

    ref = params(batch_size=1)
    assert params(batch_size=4) == ref
    assert params(asynchronous=True, n_jobs=1) == ref
