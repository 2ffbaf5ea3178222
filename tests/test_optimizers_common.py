"""Conformance suite run over every strategy exported by sksearch.optimizers.

A new strategy joins by its row in the registry
(``sksearch.optimizers.all_optimizers()``); the strategies are exercised on
plain Python functions, with no estimator.
"""

import math
import pickle

import numpy as np
import pytest

import sksearch.optimizers as optimizers
from sksearch.optimizers import Optimizer
from sksearch.space import Categorical, Integer, Real, Space

from ._functions import run

# every registered strategy and sampler (a multi-level scheduler's sampler
# answers the same protocol), once each
ALL_OPTIMIZERS = sorted(
    {cls for role, _, cls, _ in optimizers.all_optimizers() if role != "scheduler"},
    key=lambda c: c.__name__,
)

MIXED = {
    "x": Real(-5.0, 5.0),
    "lr": Real(1e-4, 1.0, log=True),
    "n": Integer(1, 50),
    "kind": Categorical(["a", "b", "c"]),
}
SUBSPACES = [
    {"model": ["svm"], "C": Real(1e-3, 1e3, log=True), "gamma": Real(1e-4, 1.0, log=True)},
    {"model": ["tree"], "depth": Integer(1, 20), "criterion": ["gini", "entropy"]},
    {"model": ["knn"], "k": Integer(1, 30)},
]


def objective(c):
    """A smooth function of the MIXED space, best at x=1, lr=1e-2, n=20, kind='b'."""
    return -(
        (c["x"] - 1) ** 2
        + (math.log10(c["lr"]) + 2) ** 2
        + ((c["n"] - 20) / 10) ** 2
        + (0 if c["kind"] == "b" else 1)
    )


def sub_objective(c):
    if c["model"] == "svm":
        return -abs(math.log10(c["C"]) - 1) - abs(math.log10(c["gamma"]) + 2)
    if c["model"] == "tree":
        return -abs(c["depth"] - 5) / 5 - (c["criterion"] == "gini")
    return -abs(c["k"] - 7) / 7


def in_space(space, cand):
    space.encode(cand)  # raises if the candidate is not a member
    return True


@pytest.fixture(params=ALL_OPTIMIZERS, ids=lambda c: c.__name__)
def Opt(request):
    return request.param


def test_suite_covers_every_strategy():
    exported = {
        cls for name in optimizers.__all__
        if isinstance(cls := getattr(optimizers, name), type)
        and issubclass(cls, Optimizer) and cls is not Optimizer
    }
    assert exported == set(ALL_OPTIMIZERS)
    assert optimizers.BOHBOptimizer in ALL_OPTIMIZERS


def test_registry_names_are_checked():
    from sksearch.optimizers._registry import get_optimizer

    assert get_optimizer("scheduler", "asha").__name__ == "ASHAScheduler"
    with pytest.raises(ValueError, match="'simplex' is not a registered strategy.*'tpe'"):
        get_optimizer("strategy", "simplex")
    with pytest.raises(ValueError, match="role must be one of"):
        optimizers.all_optimizers("bogus")


@pytest.mark.parametrize("batch", [1, 4])
def test_candidates_are_valid_typed_and_new(Opt, batch):
    space = Space(MIXED)
    opt = Opt(space, random_state=0)
    seen = run(opt, objective, 30, batch)
    assert len(seen) == 30
    keys = set()
    for c in seen:
        assert in_space(space, c)
        assert type(c["x"]) is float and -5 <= c["x"] <= 5
        assert type(c["n"]) is int and 1 <= c["n"] <= 50
        assert c["kind"] in ("a", "b", "c")
        keys.add(space.key(space.encode(c)))
    assert len(keys) == 30, "a candidate was proposed twice"


def test_ask_returns_at_most_n_distinct(Opt):
    opt = Opt(Space(MIXED), random_state=1)
    run(opt, objective, 8, 4)
    cands = opt.ask(5)
    assert 1 <= len(cands) <= 5
    encoded = {opt.space.key(opt.space.encode(c)) for c in cands}
    assert len(encoded) == len(cands)


def test_same_seed_same_candidates(Opt):
    a = run(Opt(Space(MIXED), random_state=42), objective, 20, 3)
    b = run(Opt(Space(MIXED), random_state=42), objective, 20, 3)
    assert a == b


def test_different_seeds_differ(Opt):
    a = run(Opt(Space(MIXED), random_state=1), objective, 10, 2)
    b = run(Opt(Space(MIXED), random_state=2), objective, 10, 2)
    assert a != b


def test_failed_evaluations_are_survived(Opt):
    space = Space(MIXED)
    opt = Opt(space, random_state=0)

    def flaky(c):  # a third of the space fails, like a fit that raises
        return float("nan") if c["kind"] == "a" else objective(c)

    seen = run(opt, flaky, 25, 3)
    assert len(seen) == 25
    best, score = opt.best()
    assert best is not None and best["kind"] != "a" and np.isfinite(score)


def test_all_failures(Opt):
    opt = Opt(Space(MIXED), random_state=0)
    seen = run(opt, lambda c: float("nan"), 12, 3)
    assert len(seen) == 12
    assert opt.best() == (None, None) or np.isnan(opt.best()[1])


def test_subspaces_never_mix(Opt):
    space = Space(SUBSPACES)
    opt = Opt(space, random_state=0)
    seen = run(opt, sub_objective, 40, 4)
    assert len(seen) == 40
    allowed = [set(d) for d in SUBSPACES]
    for c in seen:
        assert set(c) in allowed
        assert in_space(space, c)


def test_exhausts_a_finite_space(Opt):
    space = Space({"a": [1, 2, 3], "b": ["x", "y"]})
    opt = Opt(space, random_state=0)
    seen = run(opt, lambda c: c["a"] + (c["b"] == "y"), 20, 2)
    assert len(seen) == 6
    assert len({(c["a"], c["b"]) for c in seen}) == 6
    assert opt.ask(3) == []


def test_told_foreign_candidates_are_accepted(Opt):
    """Results from elsewhere (a journal, an earlier search) can be told."""
    space = Space(MIXED)
    opt = Opt(space, random_state=0)
    known = [{"x": 1.0, "lr": 0.01, "n": 20, "kind": "b"}, {"x": -4.0, "lr": 0.5, "n": 3, "kind": "a"}]
    opt.tell(known, [objective(c) for c in known])
    assert opt.best()[0] == known[0]
    new = opt.ask(3)
    assert all(space.key(space.encode(c)) != space.key(space.encode(known[0])) for c in new)


def test_pickles_mid_search(Opt):
    opt = Opt(Space(MIXED), random_state=3)
    run(opt, objective, 10, 2)
    clone = pickle.loads(pickle.dumps(opt))
    a, b = opt.ask(2), clone.ask(2)
    assert a == b


def test_improves_on_a_smooth_function(Opt):
    """Every strategy finds a decent point of a simple function in 60 evaluations."""
    best = []
    for seed in range(3):
        opt = Opt(Space(MIXED), random_state=seed)
        run(opt, objective, 60, 4)
        best.append(opt.best()[1])
    # the optimum is 0; the prior mean is about -13
    assert np.mean(best) > -3.0


@pytest.mark.parametrize("n", [0, -1, 1.5, True])
def test_ask_rejects_bad_n(Opt, n):
    opt = Opt(Space(MIXED), random_state=0)
    with pytest.raises(ValueError, match="n must be an integer"):
        opt.ask(n)


def test_tell_rejects_mismatched_lengths(Opt):
    opt = Opt(Space(MIXED), random_state=0)
    cands = opt.ask(2)
    with pytest.raises(ValueError, match="2 candidates but 1 scores"):
        opt.tell(cands, [1.0])


# -- the scheduler protocol: every registered scheduler, and a plain strategy
# as a scheduler of one level, answer ask(n) -> units and tell(units, scores)

def _make_scheduler(name, sampler):
    from sksearch.optimizers._registry import get_optimizer
    from sksearch.optimizers._scheduler import OneLevelScheduler
    from sksearch.optimizers.hyperband import hyperband_plan

    if name == "one-level":
        return OneLevelScheduler(sampler)
    plan = hyperband_plan(13, 2, 3)
    if name == "asha":
        return get_optimizer("scheduler", name)(plan, sampler, factor=3, random_state=0)
    return get_optimizer("scheduler", name)(plan, sampler, batch_size=2, random_state=0)


@pytest.mark.parametrize(
    "name", ["one-level", *[n for _, n, _, _ in optimizers.all_optimizers("scheduler")]]
)
def test_every_scheduler_answers_ask_n_with_units_at_levels(name):
    from sksearch.optimizers import RandomOptimizer

    space = Space({"x": Real(0.0, 1.0)})
    sched = _make_scheduler(name, RandomOptimizer(space, random_state=0))
    n_told = 0
    for _ in range(40):
        if sched.done:
            break
        units = sched.ask(2)
        assert isinstance(units, list) and units
        for unit in units:
            assert in_space(space, unit.candidate) and unit.level >= 0
        sched.tell(units, [unit.candidate["x"] / (1 + unit.level) for unit in units])
        n_told += len(units)
    assert n_told >= 13 if name != "one-level" else n_told == 80
    with pytest.raises(ValueError):
        sched.tell([object()], [0.0])
