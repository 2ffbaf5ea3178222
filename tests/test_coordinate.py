"""CoordinateDescentOptimizer and CoordinateDescentSearchCV, on plain functions (fast)."""

import math
import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from sksearch import CoordinateDescentSearchCV
from sksearch.optimizers import CoordinateDescentOptimizer, RandomOptimizer
from sksearch.space import Integer, Real, Space

from ._functions import SPACE, SUBSPACES, keys, quadratic, run, sub_objective


def rotated(c):
    """Not separable: coordinate descent must zig-zag along the valley."""
    u, v = (c["x"] + c["y"]) / 2, (c["x"] - c["y"]) / 2
    return -(u - 1) ** 2 - 10 * v**2 - (math.log10(c["lr"]) + 2) ** 2 - (c["kind"] != "b")


@pytest.mark.parametrize("func", [quadratic, rotated])
@pytest.mark.parametrize("batch", [1, 4, 8])
def test_beats_random_on_average(func, batch):
    ours, rand = [], []
    for seed in range(5):
        opt = CoordinateDescentOptimizer(SPACE, random_state=seed)
        run(opt, func, 60, batch)
        ours.append(opt.best()[1])
        ref = RandomOptimizer(SPACE, random_state=seed)
        run(ref, func, 60, batch)
        rand.append(ref.best()[1])
    assert np.mean(ours) > np.mean(rand)


def test_a_batch_is_one_line_through_the_incumbent():
    space = Space(SPACE)
    opt = CoordinateDescentOptimizer(space, n_points=4, n_initial_points=3, random_state=0)
    start = opt.ask(3)
    opt.tell(start, [quadratic(c) for c in start])
    incumbent = space.encode(opt.best()[0])
    for j in range(space.n_dims):  # the cycle visits the columns in order
        size = 2 if space.is_categorical[j] else 4
        line = [space.encode(c) for c in opt.ask(size)]
        changed = {int(j) for v in line for j in np.flatnonzero(~np.isclose(v, incumbent))}
        assert len(changed) == 1  # one coordinate moves, the others stay
        assert changed == {j}
        if space.is_categorical[j]:  # every other choice
            assert {v[j] for v in line} == {0.0, 1.0, 2.0} - {incumbent[j]}
        else:  # the first line along a numeric column is a grid of cell centres
            np.testing.assert_allclose(sorted(v[j] for v in line), [0.125, 0.375, 0.625, 0.875])
        # tell worse scores: the incumbent stays put
        opt.tell([space.decode(v) for v in line], [-1e9] * len(line))


def test_line_closes_in_when_it_does_not_improve():
    opt = CoordinateDescentOptimizer({"x": Real(0, 1)}, n_points=4, random_state=0)
    run(opt, lambda c: -abs(c["x"] - 0.4), 5, 5)
    widths = []
    for _ in range(4):
        batch = opt.ask(4)
        opt.tell(batch, [-abs(c["x"] - 0.4) for c in batch])
        widths.append(opt.widths_[0])
    assert widths[0] == 0.25  # the first line: a grid of 4 cells
    assert widths[-1] < widths[0]
    assert abs(opt.best()[0]["x"] - 0.4) < 0.02


def test_small_integers_and_categoricals_are_searched_exhaustively():
    space = Space({"n": Integer(1, 4), "k": ["a", "b", "c", "d", "e"]})
    opt = CoordinateDescentOptimizer(space, n_points=4, n_initial_points=1, random_state=0)
    seen = run(opt, lambda c: -abs(c["n"] - 3) - (c["k"] != "d"), 20, 4)
    assert len(seen) == 20 and len(set(keys(space, seen))) == 20
    assert opt.best()[0] == {"n": 3, "k": "d"}


def test_failed_evaluations_are_the_worst():
    opt = CoordinateDescentOptimizer(SPACE, random_state=0)

    def flaky(c):
        return float("nan") if c["x"] > 0 else quadratic(c)

    run(opt, flaky, 60, 4)
    best, score = opt.best()
    assert best["x"] <= 0 and np.isfinite(score)
    assert np.isfinite(opt._incumbent[1])


def test_subspaces_never_mix_and_the_subspace_is_a_coordinate():
    space = Space(SUBSPACES)
    opt = CoordinateDescentOptimizer(space, random_state=0)
    seen = run(opt, sub_objective, 60, 4)
    names = [set(d) for d in SUBSPACES]
    for c in seen:
        assert set(c) in names
        space.encode(c)
    assert {frozenset(c) for c in seen} == {frozenset(n) for n in names}
    assert opt.best()[1] > -0.1


def test_reproducible():
    a = run(CoordinateDescentOptimizer(SPACE, random_state=7), quadratic, 40, 3)
    b = run(CoordinateDescentOptimizer(SPACE, random_state=7), quadratic, 40, 3)
    c = run(CoordinateDescentOptimizer(SPACE, random_state=8), quadratic, 40, 3)
    assert a == b and a != c


def test_pickles_mid_search():
    opt = CoordinateDescentOptimizer(SPACE, random_state=3)
    run(opt, quadratic, 10, 3)
    copy = pickle.loads(pickle.dumps(opt))
    assert run(opt, quadratic, 20, 3) == run(copy, quadratic, 20, 3)


@pytest.mark.parametrize(
    "knob, value", [("n_points", 1), ("n_points", 2.0), ("n_initial_points", 0)]
)
def test_bad_knobs_are_named(knob, value):
    with pytest.raises(ValueError, match=knob):
        CoordinateDescentOptimizer(SPACE, **{knob: value})
    X, y = load_iris(return_X_y=True)
    search = CoordinateDescentSearchCV(DecisionTreeClassifier(), {"max_depth": Integer(1, 5)},
                                       n_iter=2, cv=2, **{knob: value})
    with pytest.raises(ValueError, match=knob):
        search.fit(X, y)


def test_search_cv_passes_its_knobs():
    X, y = load_iris(return_X_y=True)
    search = CoordinateDescentSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Integer(1, 8), "min_samples_leaf": Real(0.01, 0.2)},
        n_iter=9, cv=2, n_points=3, n_initial_points=2, random_state=0,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 9
    assert search.optimizer_.n_points == 3 and search.optimizer_.n_initial_points == 2
