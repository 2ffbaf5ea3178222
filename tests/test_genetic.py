"""GeneticOptimizer and GeneticSearchCV, on plain functions (fast)."""

import pickle
import random

import deap.creator
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from sksearch import GeneticSearchCV
from sksearch.optimizers import GeneticOptimizer, RandomOptimizer
from sksearch.space import Integer, Real, Space

from ._functions import SPACE, SUBSPACES, keys, quadratic, run, sub_objective


@pytest.mark.parametrize("batch", [1, 4, 8])
def test_beats_random_on_average(batch):
    ours, rand = [], []
    for seed in range(5):
        opt = GeneticOptimizer(SPACE, n_iter=60, n_workers=batch, random_state=seed)
        run(opt, quadratic, 60, batch)
        ours.append(opt.best()[1])
        ref = RandomOptimizer(SPACE, random_state=seed)
        run(ref, quadratic, 60, batch)
        rand.append(ref.best()[1])
    assert np.mean(ours) > np.mean(rand)


@pytest.mark.parametrize("cxpb, mutpb", [(0.0, 0.0), (1.0, 1.0), (0.8, 0.3)])
def test_never_repeats_and_spends_exactly_the_budget(cxpb, mutpb):
    space = Space(SPACE)
    opt = GeneticOptimizer(
        space, population_size=6, crossover_probability=cxpb, mutation_probability=mutpb,
        random_state=0,
    )
    seen = run(opt, quadratic, 50, 4)  # 4 does not divide the population
    assert len(seen) == 50
    assert len(set(keys(space, seen))) == 50


def test_offspring_equal_to_an_evaluated_genome_take_the_cached_score():
    # a small discrete space makes children collide with evaluated genomes
    space = Space({"a": [0, 1, 2, 3], "b": [0, 1, 2]})
    opt = GeneticOptimizer(space, population_size=4, random_state=0)
    seen = run(opt, lambda c: -(c["a"] - 2) ** 2 - c["b"], 12, 4)
    assert len(set(keys(space, seen))) == 12
    for genome in opt._generation:  # every member of a generation has a known or pending score
        if genome.fitness.valid:
            assert opt._cache[genome.key] == genome.fitness.values[0]
    assert len(opt._cache) == 12


def test_population_sized_from_budget_and_workers():
    assert GeneticOptimizer(SPACE, n_iter=100, n_workers=1).population_size_ == 10
    assert GeneticOptimizer(SPACE, n_iter=100, n_workers=4).population_size_ == 12
    assert GeneticOptimizer(SPACE, n_iter=100, n_workers=16).population_size_ == 16
    assert GeneticOptimizer(SPACE, population_size=7, n_workers=4).population_size_ == 7


def test_a_generation_is_whole_batches():
    opt = GeneticOptimizer(SPACE, n_iter=64, n_workers=4, random_state=0)
    run(opt, quadratic, 64, 4)
    assert opt.population_size_ == 8
    assert opt.n_generations_ == 8


def test_parents_are_the_best_evaluated_so_far():
    opt = GeneticOptimizer(SPACE, n_iter=60, n_workers=4, random_state=0)
    run(opt, quadratic, 32, 4)  # four generations of 8
    opt.ask(4)  # breeds the fifth from every genome told, not the fourth alone
    best = sorted(opt._cache.values(), reverse=True)[: opt.population_size_]
    assert sorted((g.fitness.values[0] for g in opt._population), reverse=True) == best
    assert opt.hall_of_fame_[0].fitness.values[0] == best[0]


def test_failed_evaluations_are_the_worst():
    opt = GeneticOptimizer(SPACE, n_iter=60, random_state=0)

    def flaky(c):
        return float("nan") if c["kind"] == "a" else quadratic(c)

    run(opt, flaky, 60, 4)
    best, score = opt.best()
    assert best["kind"] != "a" and np.isfinite(score)
    assert all(g.fitness.values[0] > -np.inf for g in opt.hall_of_fame_)


def test_subspaces_never_mix_and_crossover_between_them_is_valid():
    space = Space(SUBSPACES)
    opt = GeneticOptimizer(space, population_size=8, crossover_probability=1.0, random_state=0)
    seen = run(opt, sub_objective, 60, 4)
    assert len(seen) == 60
    names = [set(d) for d in SUBSPACES]
    assert {frozenset(c) for c in seen} == {frozenset(n) for n in names}
    for c in seen:
        assert set(c) in names
        space.encode(c)  # a member of the space
    assert opt.best()[1] > -0.3


def test_reproducible_and_leaves_the_global_random_state_alone():
    random.seed(123)
    before = random.getstate()
    a = run(GeneticOptimizer(SPACE, random_state=7), quadratic, 40, 3)
    assert random.getstate() == before
    b = run(GeneticOptimizer(SPACE, random_state=7), quadratic, 40, 3)
    assert a == b
    c = run(GeneticOptimizer(SPACE, random_state=8), quadratic, 40, 3)
    assert a != c


def test_two_searches_in_one_process_do_not_interfere():
    created = set(vars(deap.creator))
    alone = run(GeneticOptimizer(SPACE, random_state=1), quadratic, 30, 3)
    one = GeneticOptimizer(SPACE, random_state=1)
    other = GeneticOptimizer(SUBSPACES, random_state=2)
    interleaved = []
    while len(interleaved) < 30:
        cands = one.ask(3)
        more = other.ask(3)
        other.tell(more, [sub_objective(c) for c in more])
        one.tell(cands, [quadratic(c) for c in cands])
        interleaved.extend(cands)
    assert interleaved == alone
    assert set(vars(deap.creator)) == created  # no class made in DEAP's global namespace


def test_pickles_mid_search():
    opt = GeneticOptimizer(SPACE, population_size=6, random_state=3)
    run(opt, quadratic, 10, 4)  # part-way through a generation
    copy = pickle.loads(pickle.dumps(opt))
    a = run(opt, quadratic, 20, 4)
    b = run(copy, quadratic, 20, 4)
    assert a == b
    assert len(copy.hall_of_fame_) >= 1


@pytest.mark.parametrize(
    "knob, value",
    [
        ("crossover_probability", 1.5),
        ("crossover_probability", -0.1),
        ("mutation_probability", 2),
        ("mutation_probability", float("nan")),
        ("population_size", 1),
        ("population_size", 2.5),
        ("tournament_size", 0),
    ],
)
def test_bad_knobs_are_named(knob, value):
    with pytest.raises(ValueError, match=knob):
        GeneticOptimizer(SPACE, **{knob: value})
    X, y = load_iris(return_X_y=True)
    search = GeneticSearchCV(LogisticRegression(), {"C": Real(0.1, 10)}, n_iter=2, cv=2,
                             **{knob: value})
    with pytest.raises(ValueError, match=knob):
        search.fit(X, y)


def test_search_cv_clone_pickle_and_budget():
    X, y = load_iris(return_X_y=True)
    search = GeneticSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Integer(1, 8), "criterion": ["gini", "entropy"]},
        n_iter=9, cv=2, population_size=4, mutation_probability=0.5, random_state=0,
    )
    params = clone(search).get_params(deep=False)
    for knob in ("population_size", "crossover_probability", "mutation_probability",
                 "tournament_size", "n_iter", "random_state"):
        assert params[knob] == search.get_params()[knob]
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 9
    assert search.optimizer_.population_size_ == 4
    assert search.optimizer_.mutation_probability == 0.5
    again = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(again.predict(X), search.predict(X))


def _depth_space():
    # two depths sharing the learning rate and the first width, as the
    # default MLP space of NASClassifier
    shared = {"lr": Real(1e-4, 1e-1, log=True), "units_1": Integer(8, 512, log=True)}
    return Space([
        {"n_layers": [1], **shared},
        {"n_layers": [2], **shared, "units_2": Integer(8, 512, log=True)},
    ])


def test_shared_parameters_are_mirrored_across_subspaces():
    space = _depth_space()
    opt = GeneticOptimizer(space, population_size=6, random_state=0)
    cols = {name: [j for j, c in enumerate(space.columns) if c[1] == name]
            for name in ("lr", "units_1", "units_2")}
    assert len(cols["lr"]) == len(cols["units_1"]) == 2 and len(cols["units_2"]) == 1
    run(opt, lambda c: -abs(np.log10(c["lr"]) + 2.5), 60, 3)
    genomes = opt._population + opt._generation
    assert {space.subspace_of(g) for g in genomes} == {0, 1}
    for g in genomes:
        for name in ("lr", "units_1"):
            a, b = (g[j] for j in cols[name])
            assert a == b, name


def test_a_child_that_changes_subspace_keeps_the_parameters_both_share():
    # parents all of depth 1 with the learning rate near 1e-3: children
    # bred into depth 2 keep it, instead of a prior draw over 1e-4..1e-1
    space = _depth_space()
    rng = np.random.default_rng(0)
    parents = [{"n_layers": 1, "lr": float(10 ** rng.uniform(-3.05, -2.95)),
                "units_1": int(rng.integers(8, 512))} for _ in range(12)]
    lr_at_depth_2 = []
    for seed in range(20):
        opt = GeneticOptimizer(space, population_size=12, random_state=seed)
        opt.tell(parents, [-abs(np.log10(c["lr"]) + 3) for c in parents])
        lr_at_depth_2 += [c["lr"] for c in opt.ask(12) if c["n_layers"] == 2]
    assert len(lr_at_depth_2) >= 10
    # a prior draw lands within half a decade of 1e-3 a third of the time
    assert np.mean(np.abs(np.log10(lr_at_depth_2) + 3) < 0.5) > 0.8
