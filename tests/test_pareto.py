"""Pareto dominance, non-dominated sorting and the hypervolume, and the
optimizers' protocol for several objectives."""

import itertools

import numpy as np
import pytest

from sksearch._pareto import dominates, hypervolume, non_dominated, pareto_ranks
from sksearch.optimizers import PSOOptimizer, RandomOptimizer
from sksearch.space import Real


def test_dominates():
    assert dominates([1, 2], [1, 1])
    assert not dominates([1, 1], [1, 1])
    assert not dominates([2, 0], [1, 1])


def test_non_dominated_and_ranks():
    Y = np.array([[1, 2], [2, 1], [0, 0], [1, 2], [np.nan, 5]])
    assert non_dominated(Y).tolist() == [True, True, False, True, False]
    assert pareto_ranks(Y).tolist() == [0, 0, 1, 0, 2]
    # every row failed: all are kept
    assert non_dominated([[np.nan, 1], [np.nan, 2]]).all()


def _pairwise_non_dominated(Y):
    return np.array([not any(dominates(b, a) for b in Y) for a in Y])


@pytest.mark.parametrize("seed", range(20))
def test_two_objective_sort_agrees_with_the_pairwise_test(seed):
    # small integer grids: many ties and equal rows, which are all kept
    rng = np.random.default_rng(seed)
    Y = rng.integers(0, 4, size=(rng.integers(1, 30), 2)).astype(float)
    mask = non_dominated(Y)
    np.testing.assert_array_equal(mask, _pairwise_non_dominated(Y))
    # the 3-objective path on the same rows, a constant third objective
    np.testing.assert_array_equal(non_dominated(np.column_stack([Y, np.ones(len(Y))])), mask)
    assert hypervolume(Y, [-1, -1]) == pytest.approx(hypervolume(Y[mask], [-1, -1]))


def _hv_monte_carlo(Y, ref, n=200_000, seed=0):
    Y = np.asarray(Y, dtype=float)
    hi = Y.max(axis=0)
    rng = np.random.default_rng(seed)
    U = ref + rng.random((n, Y.shape[1])) * (hi - ref)
    covered = np.zeros(n, dtype=bool)
    for y in Y:
        covered |= np.all(U <= y, axis=1)
    return covered.mean() * np.prod(hi - ref)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_hypervolume_matches_monte_carlo(k):
    rng = np.random.default_rng(k)
    Y = rng.random((12, k))
    ref = np.zeros(k)
    exact = hypervolume(Y, ref)
    assert exact == pytest.approx(_hv_monte_carlo(Y, ref), rel=0.02)


def test_hypervolume_boxes_and_reference():
    # three unit-overlapping boxes: inclusion-exclusion gives 4
    assert hypervolume([[1, 2, 1], [2, 1, 1], [1, 1, 2]], [0, 0, 0]) == pytest.approx(4.0)
    assert hypervolume([[1, 2], [2, 1]], [0, 0]) == pytest.approx(3.0)
    # points that do not dominate the reference add nothing
    assert hypervolume([[-1, 5]], [0, 0]) == 0.0
    # a dominated point adds nothing
    assert hypervolume([[1, 2], [2, 1], [0.5, 0.5]], [0, 0]) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="reference"):
        hypervolume([[1, 2]], [0, 0, 0])


def test_hypervolume_grows_with_points():
    rng = np.random.default_rng(0)
    Y = rng.random((20, 3))
    hv = [hypervolume(Y[:i], [0, 0, 0]) for i in range(1, 21)]
    assert all(b >= a for a, b in itertools.pairwise(hv))


def test_random_takes_several_objectives():
    opt = RandomOptimizer({"x": Real(0, 1)}, random_state=0)
    batch = opt.ask(4)
    opt.tell(batch, [[c["x"], 1 - c["x"]] for c in batch[:3]] + [[np.nan, 1.0]])
    assert opt.n_objectives_ == 2
    front, scores = opt.pareto_front()
    assert len(front) == 3 and scores.shape == (3, 2)
    with pytest.raises(ValueError, match="pareto_front"):
        opt.best()
    with pytest.raises(ValueError, match="earlier candidates were told 2"):
        opt.tell(opt.ask(1), [0.5])
    with pytest.raises(ValueError, match="earlier candidates were told 2"):
        opt.tell(opt.ask(1), [[0.5, 0.5, 0.5]])


def test_single_objective_strategy_refuses_rows():
    # TPE, GA and the GP take rows now (tests/test_multi_objective_optimizers.py)
    opt = PSOOptimizer({"x": Real(0, 1)}, random_state=0)
    with pytest.raises(ValueError, match="PSOOptimizer takes one objective"):
        opt.tell(opt.ask(2), [[1, 2], [3, 4]])
    # a column of one objective is one objective
    opt.tell(opt.ask(2), [[1.0], [2.0]])
    assert opt.best()[1] == 2.0
