"""The strategies that take several objectives (rows of scores): NSGA-II
(genetic), MOTPE (TPE), the GP with ParEGO and with EHVI, and random search;
and the clear refusal of the others."""

import math
import pickle

import numpy as np
import pytest

import sksearch.optimizers as optimizers
from sksearch._pareto import hypervolume, non_dominated
from sksearch.optimizers import (
    BayesOptimizer,
    GeneticOptimizer,
    RandomOptimizer,
    TPEOptimizer,
)
from sksearch.space import Categorical, Integer, Real

SPACE = {"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)}
MIXED = {"x": Real(0.0, 1.0), "n": Integer(1, 10), "kind": Categorical(["a", "b", "c"])}


def zdt1(c):
    """ZDT1 in two variables, both objectives maximised (negated)."""
    g = 1.0 + 9.0 * c["y"]
    return [-c["x"], -g * (1.0 - math.sqrt(c["x"] / g))]


def mixed(c):
    x = c["x"] + 0.05 * (c["n"] - 5) ** 2 / 25 + (c["kind"] != "b") * 0.3
    return [-x, -(1.0 - x) ** 2 - 0.01 * c["n"]]


FACTORIES = {
    "random": lambda space, seed, n: RandomOptimizer(space, random_state=seed),
    "nsga2": lambda space, seed, n: GeneticOptimizer(space, n_iter=n, random_state=seed),
    "motpe": lambda space, seed, n: TPEOptimizer(space, random_state=seed),
    "gp-parego": lambda space, seed, n: BayesOptimizer(
        space, multi_objective_acquisition="parego", n_initial_points=6, random_state=seed),
    "gp-ehvi": lambda space, seed, n: BayesOptimizer(
        space, multi_objective_acquisition="ehvi", n_initial_points=6, random_state=seed),
}
MO = sorted(FACTORIES)
LEARNERS = [m for m in MO if m != "random"]


def run(name, f, space, seed, n_evals, batch=1):
    opt = FACTORIES[name](space, seed, n_evals)
    while len(opt.y_) < n_evals:
        cands = opt.ask(batch)
        opt.tell(cands, [f(c) for c in cands])
    return opt


@pytest.mark.parametrize("name", MO)
def test_rows_of_scores_shapes_and_front(name):
    opt = run(name, mixed, MIXED, 0, 16, batch=4)
    assert opt.n_objectives_ == 2
    Y = np.asarray(opt.y_)
    assert Y.shape == (16, 2) and len(opt.X_) == len(opt.candidates_) == 16
    cands, scores = opt.pareto_front()
    assert scores.shape == (len(cands), 2) and len(cands) >= 1
    np.testing.assert_array_equal(scores, Y[non_dominated(Y)])
    keys = {tuple(sorted(c.items())) for c in opt.candidates_}
    assert len(keys) == 16  # never the same candidate twice
    with pytest.raises(ValueError, match="pareto_front"):
        opt.best()


@pytest.mark.parametrize("name", MO)
def test_same_seed_same_candidates(name):
    a = run(name, zdt1, SPACE, 3, 14, batch=2)
    b = run(name, zdt1, SPACE, 3, 14, batch=2)
    assert a.candidates_ == b.candidates_


@pytest.mark.parametrize("name", LEARNERS)
def test_the_front_beats_random_search(name):
    ref = [-1.1, -10.0]

    def hv(n):
        return np.mean([hypervolume(np.asarray(run(n, zdt1, SPACE, s, 40).y_), ref)
                        for s in range(3)])

    assert hv(name) > hv("random")


@pytest.mark.parametrize("name", LEARNERS)
def test_failed_rows_and_empty_reports(name):
    opt = FACTORIES[name](MIXED, 0, 20)
    for i in range(16):
        cands = opt.ask(1)
        opt.tell(cands, [[np.nan, np.nan] if i % 5 == 0 else mixed(cands[0])])
        opt.tell([], [])
    assert np.isnan(np.asarray(opt.y_)[::5]).all()
    assert len(opt.ask(2)) == 2
    front, scores = opt.pareto_front()
    assert np.isfinite(scores).all()


@pytest.mark.parametrize("name", LEARNERS)
def test_three_objectives(name):
    def f(c):
        return [-c["x"], -c["y"], -((c["x"] - 0.5) ** 2 + (c["y"] - 0.5) ** 2)]

    opt = run(name, f, SPACE, 0, 14, batch=2)
    assert np.asarray(opt.y_).shape == (14, 3)


@pytest.mark.parametrize("name", LEARNERS)
def test_pickles_and_goes_on(name):
    opt = run(name, zdt1, SPACE, 0, 12, batch=3)
    clone = pickle.loads(pickle.dumps(opt))
    a, b = opt.ask(2), clone.ask(2)
    assert a == b
    clone.tell(b, [zdt1(c) for c in b])


def test_one_objective_is_unchanged_by_the_multi_objective_code():
    # NSGA-II's path is taken only for rows of scores; one column is one objective
    a = GeneticOptimizer(SPACE, n_iter=20, random_state=0)
    b = GeneticOptimizer(SPACE, n_iter=20, random_state=0)
    for _ in range(4):
        ca, cb = a.ask(5), b.ask(5)
        assert ca == cb
        a.tell(ca, [zdt1(c)[1] for c in ca])
        b.tell(cb, [[zdt1(c)[1]] for c in cb])
    assert a.n_objectives_ == b.n_objectives_ == 1


@pytest.mark.parametrize(
    "cls",
    sorted({cls for role, _, cls, _ in optimizers.all_optimizers() if role != "scheduler"
            and not cls.multi_objective}, key=lambda c: c.__name__),
)
def test_single_objective_strategies_refuse_rows_clearly(cls):
    opt = cls(SPACE, random_state=0)
    cands = opt.ask(1)
    with pytest.raises(ValueError, match="takes one objective.*BayesOptimizer, "
                       "GeneticOptimizer, RandomOptimizer, TPEOptimizer"):
        opt.tell(cands, [zdt1(cands[0])])


def test_the_declared_strategies():
    declared = {name for _, name, cls, _ in optimizers.all_optimizers("strategy")
                if cls.multi_objective}
    assert declared == {"bayes", "genetic", "random", "tpe"}
    # not inherited: the multi-fidelity GP keeps one objective
    assert not optimizers.MultiFidelityBayesOptimizer.multi_objective


def test_inconsistent_rows_and_bad_acquisition():
    opt = TPEOptimizer(SPACE, random_state=0)
    cands = opt.ask(2)
    opt.tell(cands, [zdt1(c) for c in cands])
    cands = opt.ask(1)
    with pytest.raises(ValueError, match="earlier candidates were told 2"):
        opt.tell(cands, [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="earlier candidates were told 2"):
        opt.tell(cands, [1.0])
    with pytest.raises(ValueError, match="multi_objective_acquisition"):
        BayesOptimizer(SPACE, multi_objective_acquisition="qnehvi")


def test_ehvi_two_objectives_is_exact():
    # the closed form against Monte Carlo on a known front
    from sksearch.optimizers._gp.multi_objective import EHVI

    class Fixed:
        def __init__(self, mu, sd):
            self.mu, self.sd = np.asarray(mu), np.asarray(sd)

        def predict(self, F):
            return self.mu, self.sd

    front = np.array([[0.2, 1.0], [0.6, 0.7], [1.0, 0.1]])
    ref = np.array([0.0, 0.0])
    mu1, sd1, mu2, sd2 = [0.5, 1.2, -0.5], [0.3, 0.2, 0.1], [0.9, 0.5, 0.2], [0.2, 0.4, 0.1]
    acq = EHVI([Fixed(mu1, sd1), Fixed(mu2, sd2)], front, ref, np.random.default_rng(0))
    exact = np.exp(acq.values(None)) - 1e-12
    rng = np.random.default_rng(0)
    base = hypervolume(front, ref)
    for i in range(3):
        draws = np.column_stack([rng.normal(mu1[i], sd1[i], 4000),
                                 rng.normal(mu2[i], sd2[i], 4000)])
        mc = np.mean([hypervolume(np.vstack([front, d]), ref) - base for d in draws])
        assert exact[i] == pytest.approx(mc, abs=0.01)


def test_ehvi_gradient_matches_finite_differences():
    opt = run("gp-ehvi", zdt1, SPACE, 0, 12)
    from sksearch.optimizers._gp.gp import Posterior
    from sksearch.optimizers._gp.multi_objective import EHVI, reference_point

    X = np.asarray(opt.X_)
    Y = np.asarray(opt.y_)
    Ys = (Y - Y.mean(0)) / Y.std(0)
    F = opt._fmap.transform(X)
    post = [Posterior(k, F, Ys[:, j], opt._fmap.groups) for j, k in enumerate(opt.kernels_)]
    acq = EHVI(post, Ys, reference_point(Ys), np.random.default_rng(0))
    Fq = opt._fmap.transform(np.array([[0.3, 0.2], [0.05, 0.6]]))
    val, grad = acq.value_and_grad(Fq)
    eps = 1e-6
    for d in range(Fq.shape[1]):
        step = np.zeros_like(Fq)
        step[:, d] = eps
        fd = (acq.values(Fq + step) - acq.values(Fq - step)) / (2 * eps)
        np.testing.assert_allclose(grad[:, d], fd, rtol=1e-3, atol=1e-6)
