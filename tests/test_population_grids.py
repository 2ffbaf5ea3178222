"""The population and local-search strategies on small grids of ordinal
integers: no configuration proposed twice while unseen ones remain, and the
same candidates whatever order a batch is told in."""

import inspect

import pytest

from sksearch.optimizers import (
    AnnealingOptimizer,
    CoordinateDescentOptimizer,
    GeneticOptimizer,
    PSOOptimizer,
    ReinforceOptimizer,
)
from sksearch.space import Integer

from ._functions import run

GRID = {"a": Integer(0, 3), "b": Integer(0, 2), "c": ["x", "y"]}  # 24 configurations


def _objective(c):
    return -abs(c["a"] - 2) - abs(c["b"] - 1) - (c["c"] == "y")


def _make(cls, space, n_iter, seed):
    # with the budget, for the strategies whose schedule depends on it
    budget = {"n_iter": n_iter} if "n_iter" in inspect.signature(cls).parameters else {}
    return cls(space, random_state=seed, **budget)


STRATEGIES = [AnnealingOptimizer, CoordinateDescentOptimizer, GeneticOptimizer, PSOOptimizer,
              ReinforceOptimizer]


@pytest.mark.parametrize("cls", STRATEGIES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("batch", [1, 4])
def test_the_whole_grid_before_any_repeat(cls, batch):
    opt = _make(cls, GRID, 24, 0)
    space = opt.space
    seen = run(opt, _objective, 24, batch)
    keys = [space.key(space.encode(c)) for c in seen]
    assert len(keys) == 24 and len(set(keys)) == 24
    assert opt.ask(1) == []  # exhausted: nothing left, nothing repeated


# annealing is left out: a chain applies its pending results in the order told
@pytest.mark.parametrize("cls", [c for c in STRATEGIES if c is not AnnealingOptimizer],
                         ids=lambda c: c.__name__)
def test_tell_order_within_a_batch_does_not_matter(cls):
    space = {"a": Integer(0, 9), "b": Integer(0, 9), "c": ["x", "y", "z"]}

    def f(c):
        return -abs(c["a"] - 7) - abs(c["b"] - 2) - (c["c"] != "z")

    out = []
    for reverse in (False, True):
        opt = _make(cls, space, 40, 3)
        seen = []
        for _ in range(10):
            batch = opt.ask(4)
            order = batch[::-1] if reverse else batch
            opt.tell(order, [f(c) for c in order])
            seen.extend(batch)
        out.append(seen)
    assert out[0] == out[1]
