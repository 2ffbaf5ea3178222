"""Tests of the Gaussian-process strategy and BayesSearchCV."""

import pickle

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from sksearch import BayesSearchCV
from sksearch.optimizers import BayesOptimizer, RandomOptimizer
from sksearch.optimizers import bayes as bayes_module
from sksearch.optimizers._gp.acqf import Acquisition, log_h
from sksearch.optimizers._gp.gp import Posterior, fit_kernel
from sksearch.optimizers._gp.optim_mixed import enumerate_space, local_search_discrete
from sksearch.optimizers._gp.search_space import FeatureMap
from sksearch.space import Categorical, Integer, Real, Space

from ._functions import BRANIN, MIXED_SMALL, best_after, branin, mixed_small


@pytest.mark.parametrize("space, func", [(BRANIN, branin), (MIXED_SMALL, mixed_small)])
def test_beats_random_search(space, func):
    seeds = range(3)
    gp = [best_after(BayesOptimizer(space, random_state=s), func, 30) for s in seeds]
    rnd = [best_after(RandomOptimizer(space, random_state=s), func, 30) for s in seeds]
    assert np.mean(gp) > np.mean(rnd)
    # close to the optimum on every seed (Branin: -0.398; mixed: 0)
    assert min(gp) > (-0.6 if func is branin else -0.5)


def test_batches_are_distinct_and_nothing_repeats():
    space = {"a": Integer(0, 4), "b": ["x", "y", "z"]}  # 15 candidates
    opt = BayesOptimizer(space, n_initial_points=4, random_state=0)
    seen = []
    while True:
        batch = opt.ask(4)
        if not batch:
            break
        keys = [(c["a"], c["b"]) for c in batch]
        assert len(set(keys)) == len(keys)
        seen.extend(keys)
        opt.tell(batch, [-abs(c["a"] - 2) for c in batch])
    assert len(seen) == len(set(seen)) == 15


def test_pending_candidates_are_not_proposed_again():
    opt = BayesOptimizer(BRANIN, n_initial_points=5, random_state=0)
    best_after(opt, branin, 8)
    first = opt.ask(1)[0]
    second = opt.ask(1)[0]  # first is pending: the liar pushes away from it
    assert first != second
    d = np.hypot((first["x1"] - second["x1"]) / 15, (first["x2"] - second["x2"]) / 15)
    assert d > 1e-3


def test_failed_region_is_avoided():
    # increasing towards x = 0, failing beyond: a GP fed NaN would crash, one
    # fed 0 or nothing would keep proposing x > 0
    opt = BayesOptimizer({"x": Real(-1, 1), "y": Real(-1, 1)}, n_initial_points=8, random_state=0)

    def f(c):
        return float("nan") if c["x"] > 0 else c["x"] - c["y"] ** 2

    best_after(opt, f, 30)
    xs = [opt.space.decode(v)["x"] for v in opt.X_[8:]]
    assert np.mean(np.array(xs) <= 0) >= 0.75
    assert np.isfinite(opt.kernel_.theta).all()
    assert opt.best()[1] > -0.1


def test_all_failures_do_not_reach_the_model():
    opt = BayesOptimizer(BRANIN, n_initial_points=3, random_state=0)
    best_after(opt, lambda c: float("nan"), 8)
    assert opt.kernel_ is None  # still sampling the design/prior
    assert len(opt.y_) == 8


def test_subspaces_never_mix_and_the_better_one_is_preferred():
    space = [
        {"model": ["a"], "u": Real(0, 1)},
        {"model": ["b"], "v": Integer(1, 50), "w": ["p", "q"]},
    ]
    opt = BayesOptimizer(space, n_initial_points=6, random_state=0)

    def f(c):
        assert set(c) in ({"model", "u"}, {"model", "v", "w"})
        if c["model"] == "a":
            return -3 + c["u"]
        return -abs(c["v"] - 20) / 50 - (c["w"] == "p")

    best_after(opt, f, 30, batch=2)
    later = [opt.space.decode(v)["model"] for v in opt.X_[10:]]
    assert later.count("b") > 0.7 * len(later)


def test_same_seed_same_candidates():
    def trace(seed):
        opt = BayesOptimizer(MIXED_SMALL, n_initial_points=5, random_state=seed)
        best_after(opt, mixed_small, 12, batch=3)
        return [opt.space.decode(v) for v in opt.X_]

    assert trace(1) == trace(1)
    assert trace(1) != trace(2)


def test_pickling_mid_search_continues_identically():
    opt = BayesOptimizer(MIXED_SMALL, n_initial_points=4, random_state=0)
    best_after(opt, mixed_small, 8, batch=2)
    clone = pickle.loads(pickle.dumps(opt))
    a, b = opt.ask(3), clone.ask(3)
    assert a == b


@pytest.mark.parametrize("design", ["sobol", "lhs", "random"])
def test_initial_design_is_space_filling_and_valid(design):
    opt = BayesOptimizer(MIXED_SMALL, n_initial_points=8, initial_design=design, random_state=0)
    cands = opt.ask(8)
    assert len({tuple(sorted(c.items())) for c in cands}) == 8
    for c in cands:
        Space(MIXED_SMALL).encode(c)
        assert isinstance(c["n"], int) and c["kind"] in ("a", "b", "c")
    if design != "random":  # stratified: one point per half of every numeric column
        u = np.array([Space(MIXED_SMALL).encode(c) for c in cands])
        assert ((u[:, 2] < 0.5).sum(), (u[:, 3] < 0.5).sum()) == (4, 4)  # lr, x


@pytest.mark.parametrize("acq_func", ["ei", "pi", "ucb", "lcb"])
def test_every_acquisition_function_optimises(acq_func):
    opt = BayesOptimizer(BRANIN, acq_func=acq_func, n_initial_points=8, random_state=0)
    assert best_after(opt, branin, 25) > -1.5


@pytest.mark.parametrize("liar", ["best", "worst", "mean"])
def test_every_liar_gives_new_candidates_that_optimise(liar):
    opt = BayesOptimizer(BRANIN, liar=liar, n_initial_points=8, random_state=0)
    best = best_after(opt, branin, 32, batch=4)
    assert len({opt.space.key(v) for v in opt.X_}) == 32
    assert best > -1.5


@pytest.mark.parametrize("liar", ["best", "worst", "mean"])
def test_pending_candidates_get_the_score_the_liar_names(liar, monkeypatch):
    opt = BayesOptimizer(BRANIN, liar=liar, n_initial_points=5, random_state=0)
    best_after(opt, branin, 8)
    opt.ask(2)  # pending, never told
    seen = []

    class Recording(Posterior):
        def __init__(self, kernel, F, y, groups=None):
            super().__init__(kernel, F, y, groups)
            seen.append(np.array(y))

    monkeypatch.setattr(bayes_module, "Posterior", Recording)
    opt.ask(1)
    y = seen[-1]  # the GP the proposal was chosen on: 8 told, then 2 fantasies
    told, lies = y[:8], y[8:]
    assert len(lies) == 2
    if liar == "best":
        np.testing.assert_array_equal(lies, told.max())
    elif liar == "worst":
        np.testing.assert_array_equal(lies, told.min())
    else:  # the kriging believer: the GP's mean there, given the told points only
        fmap = opt._fmap
        pending = np.array(opt._pending_vectors()[:2])
        believed = Posterior(opt.kernel_, fmap.transform(np.array(opt.X_)), told, fmap.groups)
        np.testing.assert_allclose(lies, believed.predict(fmap.transform(pending))[0])
        assert lies[0] != lies[1]


def test_training_set_is_capped():
    opt = BayesOptimizer({"x": Real(0, 1)}, n_initial_points=3, max_model_points=10, random_state=0)
    best_after(opt, lambda c: -((c["x"] - 0.3) ** 2), 16)
    X, y = opt._training_set()
    assert len(X) == len(y) == 10
    assert y.max() == max(opt.y_)  # the best are kept


# -- the maths ---------------------------------------------------------------
def test_categoricals_are_one_hot_and_inactive_columns_constant():
    space = Space([{"m": ["a"], "k": ["x", "y", "z"]}, {"m": ["b"], "r": Real(0, 1)}])
    fmap = FeatureMap(space)
    # columns: selector, (k, m) of sub-space 0, (m, r) of sub-space 1
    v0 = space.encode({"m": "a", "k": "z"})
    v0[np.isnan(v0)] = 0.9
    v1 = space.encode({"m": "b", "r": 0.25})
    v1[np.isnan(v1)] = 2.0
    F = fmap.transform(np.array([v0, v1]))
    assert fmap.n_features == 2 + 3 + 1 + 1 + 1
    h = 1 / np.sqrt(2)  # two different choices are at squared distance 1
    np.testing.assert_allclose(F[0], [h, 0, 0, 0, h, h, 0, 0.5])
    np.testing.assert_allclose(F[1], [0, h, 0, 0, 0, 0, h, 0.25])
    # one length scale per encoded column: a categorical's features share it
    np.testing.assert_array_equal(fmap.groups, [0, 0, 1, 1, 1, 2, 3, 4])


@pytest.mark.parametrize("knob, value", [("liar", "optimistic"), ("liar", 1)])
def test_bad_optimizer_only_knobs_are_named(knob, value):
    with pytest.raises(ValueError, match=knob):
        BayesOptimizer(BRANIN, **{knob: value})


def test_log_h_is_accurate_and_finite_far_in_the_tail():
    z = np.array([3.0, 0.0, -1.0, -5.0, -20.0])
    np.testing.assert_allclose(log_h(z), np.log(z * norm.cdf(z) + norm.pdf(z)), rtol=1e-9)
    tail = log_h(np.array([-100.0, -1e4, -1e10]))
    assert np.isfinite(tail).all() and np.all(np.diff(tail) < 0)


@pytest.mark.parametrize("kind", ["ei", "pi", "ucb"])
def test_acquisition_gradient_matches_finite_differences(kind):
    rng = np.random.default_rng(0)
    F = rng.random((15, 3))
    y = np.sin(4 * F[:, 0]) + F[:, 1]
    y = (y - y.mean()) / y.std()
    post = Posterior(fit_kernel(F, y), F, y)
    acq = Acquisition(post, kind, best=y.max(), xi=0.01, kappa=1.96)
    F = np.array([[0.37, 0.61, 0.22], [0.9, 0.05, 0.5]])
    val, grad = acq.value_and_grad(F)
    # predict() uses the |a|^2 + |b|^2 - 2ab expansion: equal to ~1e-7
    np.testing.assert_allclose(val, acq.values(F), rtol=1e-6)
    for j in range(3):
        E = np.zeros_like(F)
        E[:, j] = 1e-6
        num = (acq.value_and_grad(F + E)[0] - acq.value_and_grad(F - E)[0]) / 2e-6
        np.testing.assert_allclose(grad[:, j], num, rtol=1e-4, atol=1e-6)


def test_log_marginal_likelihood_matches_sklearn():
    from sklearn.gaussian_process import GaussianProcessRegressor

    from sksearch.optimizers._gp.gp import default_kernel, log_marginal_likelihood

    rng = np.random.default_rng(2)
    F, y = rng.random((20, 4)), rng.standard_normal(20)
    gpr = GaussianProcessRegressor(default_kernel(4), alpha=1e-8, optimizer=None).fit(F, y)
    theta = gpr.kernel_.theta + rng.normal(0, 0.5, len(gpr.kernel_.theta))
    ref, ref_grad = gpr.log_marginal_likelihood(theta, eval_gradient=True)
    lml, grad = log_marginal_likelihood(theta, F, y)
    assert lml == pytest.approx(ref, rel=1e-9)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-7, atol=1e-9)
    # and the fit improves on the default hyperparameters
    assert gpr.log_marginal_likelihood(fit_kernel(F, y).theta) >= gpr.log_marginal_likelihood(
        default_kernel(4).theta
    )


def test_posterior_matches_sklearn():
    from sklearn.gaussian_process import GaussianProcessRegressor

    rng = np.random.default_rng(1)
    F, y = rng.random((12, 2)), rng.standard_normal(12)
    kernel = fit_kernel(F, y)
    Fq = rng.random((5, 2))
    mean, std = Posterior(kernel, F, y).predict(Fq)
    gpr = GaussianProcessRegressor(kernel, optimizer=None, alpha=1e-8).fit(F, y)
    m_ref, s_ref = gpr.predict(Fq, return_std=True)
    np.testing.assert_allclose(mean, m_ref, rtol=1e-6, atol=1e-8)
    # sklearn's std includes the white noise; ours is the latent function's
    np.testing.assert_allclose(std**2 + kernel.k2.noise_level, s_ref**2, rtol=1e-6, atol=1e-8)


# -- knobs -------------------------------------------------------------------
@pytest.mark.parametrize(
    "knob, value",
    [
        ("n_initial_points", 1),
        ("n_initial_points", 2.5),
        ("n_initial_points", "many"),
        ("acq_func", "ucbx"),
        ("xi", -1.0),
        ("kappa", float("nan")),
        ("initial_design", "grid"),
        ("n_candidates", 0),
        ("n_restarts", -1),
        ("max_model_points", 1),
    ],
)
def test_bad_knobs_are_named(knob, value):
    with pytest.raises(ValueError, match=knob):
        BayesOptimizer(BRANIN, **{knob: value})
    search = BayesSearchCV(LogisticRegression(), {"C": Real(0.1, 10)}, **{knob: value})
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match=knob):
        search.fit(X, y)


def test_auto_initial_design_is_5_flat_and_10_on_a_cell_graph():
    from sksearch.optimizers import Cell

    flat = BayesOptimizer(MIXED_SMALL, random_state=0)
    assert flat.n_initial_points == "auto" and flat.n_initial_points_ == 5
    edges = {"a": (0, 1), "b": (0, 2), "c": (1, 2)}
    cell = {name: ["none", "skip", "conv"] for name in edges}
    for encoding, expected in [("auto", 10), ("wl", 10), ("path", 10), ("flat", 5)]:
        opt = BayesOptimizer(cell, cell=Cell(edges), encoding=encoding, random_state=0)
        assert opt.n_initial_points_ == expected, encoding
    assert BayesOptimizer(MIXED_SMALL, n_initial_points=7).n_initial_points_ == 7
    # the GP takes over after the design: 5 prior-design candidates, then a kernel
    for _ in range(5):
        batch = flat.ask(1)
        assert flat.kernel_ is None
        flat.tell(batch, [mixed_small(c) for c in batch])
    flat.ask(1)
    assert flat.kernel_ is not None


def test_search_cv_resolves_auto_initial_design():
    X, y = load_iris(return_X_y=True)
    search = BayesSearchCV(
        LogisticRegression(max_iter=300), {"C": Real(1e-3, 1e2, log=True)}, n_iter=6, cv=2,
        random_state=0,
    ).fit(X, y)
    assert search.n_initial_points == "auto" and search.optimizer_.n_initial_points_ == 5


def test_search_cv_with_subspaces_and_two_jobs():
    X, y = load_iris(return_X_y=True)
    space = [
        {"C": Real(1e-3, 1e2, log=True), "fit_intercept": [True, False]},
        {"C": Real(1e-3, 1e2, log=True), "class_weight": ["balanced"]},
    ]
    search = BayesSearchCV(
        LogisticRegression(max_iter=300), space, n_iter=10, n_initial_points=4, cv=2,
        n_jobs=2, random_state=0, batch_size=2,
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 10 and search.batch_size_ == 2
    assert all(set(p) in ({"C", "fit_intercept"}, {"C", "class_weight"}) for p in params)
    assert len({tuple(sorted(p.items())) for p in params}) == 10
    assert search.best_score_ > 0.9


# -- discrete spaces -------------------------------------------------------------
NAS_LIKE = {f"edge{i}": ["none", "skip", "conv1", "conv3", "pool"] for i in range(4)}


class _SeparableAcquisition:
    """A stand-in acquisition: a sum over categorical columns of a per-choice
    value, so its argmax is known and coordinate ascent reaches it."""

    def __init__(self, fmap, weights):
        self.fmap, self.w = fmap, np.asarray(weights, dtype=float)

    def values(self, F):
        return np.asarray(F) @ self.w


def test_a_categorical_has_one_length_scale_for_all_its_choices():
    opt = BayesOptimizer(NAS_LIKE, n_initial_points=5, random_state=0)
    best_after(opt, lambda c: float(c["edge0"] == "conv3") + 0.5 * (c["edge1"] == "skip"), 12)
    assert np.size(opt.kernel_.k1.k2.length_scale) == opt.space.n_dims == 4


def test_discrete_local_search_climbs_to_the_best_new_candidate():
    space = Space(NAS_LIKE)
    fmap = FeatureMap(space)
    w = np.random.default_rng(0).random(fmap.n_features)
    acq = _SeparableAcquisition(fmap, w)
    allv = enumerate_space(space, 10**4)
    top = allv[np.argsort(-acq.values(fmap.transform(allv)))]
    starts = space.sample_vectors(3, 1)
    # every start reaches the separable function's argmax
    X, vals = local_search_discrete(acq, fmap, space, starts, lambda v: True)
    for x in X:
        np.testing.assert_array_equal(x, top[0])
    # a candidate that is not new is never moved to: the ascent ends elsewhere
    seen = {space.key(top[0])}
    X, vals = local_search_discrete(acq, fmap, space, starts, lambda v: space.key(v) not in seen)
    assert all(space.key(x) not in seen for x in X)
    assert np.all(vals <= acq.values(fmap.transform(top[1:2]))[0] + 1e-12)
    # a start that is not new itself (the incumbent) moves to a new neighbour
    X, vals = local_search_discrete(acq, fmap, space, top[:1], lambda v: space.key(v) not in seen)
    assert space.key(X[0]) not in seen and np.isfinite(vals[0])


def test_discrete_local_search_steps_through_long_integer_ranges():
    space = Space({"n": Integer(1, 1000)})
    fmap = FeatureMap(space)
    acq = _SeparableAcquisition(fmap, [1.0])  # larger n is better
    start = np.array([[space.columns[0][2].transform(3)]])
    X, _ = local_search_discrete(acq, fmap, space, start, lambda v: True, max_iter=30)
    assert space.decode(X[0])["n"] == 1000


@pytest.mark.parametrize("dist", ["randint", "wide Integer"])
def test_discrete_local_search_reads_any_integer_column(dist):
    from scipy.stats import randint

    n = randint(1, 50) if dist == "randint" else Integer(1, 10**7)
    space = Space({"n": n})
    fmap = FeatureMap(space)
    acq = _SeparableAcquisition(fmap, [1.0])  # larger n is better
    start = space.sample_vectors(1, 0)
    X, _ = local_search_discrete(acq, fmap, space, start, lambda v: True, max_iter=40)
    assert space.decode(X[0])["n"] == (49 if dist == "randint" else 10**7)


def test_bayes_search_cv_with_scipy_integer_distributions():
    from scipy.stats import loguniform, randint
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    search = BayesSearchCV(
        LogisticRegression(max_iter=200),
        {"C": loguniform(1e-2, 1e2), "max_iter": randint(50, 200)},
        n_iter=8, n_initial_points=4, cv=2, random_state=0,
    ).fit(*load_iris(return_X_y=True))
    assert len(search.cv_results_["params"]) == 8


def test_enumerate_space_lists_every_candidate_once():
    space = Space([{"a": Integer(0, 3), "b": ["x", "y"]}, {"c": Categorical([1, 2, 3])}])
    allv = enumerate_space(space, 100)
    assert len(allv) == space.size == 11
    assert len({space.key(v) for v in allv}) == 11
    assert {frozenset(space.decode(v).items()) for v in allv} == {
        frozenset(c.items())
        for c in [{"a": a, "b": b} for a in range(4) for b in "xy"] + [{"c": c} for c in (1, 2, 3)]
    }
    assert enumerate_space(space, 10) is None
    assert enumerate_space(Space({"r": Real(0, 1)}), 10**6) is None


def test_a_small_finite_space_is_searched_exhaustively_without_repeats():
    space = {"a": Integer(0, 4), "b": ["x", "y", "z"]}
    opt = BayesOptimizer(space, n_initial_points=3, random_state=0)
    seen = []
    for _ in range(15):
        batch = opt.ask(1)
        seen += batch
        opt.tell(batch, [c["a"] + (c["b"] == "y") for c in batch])
    assert len({tuple(sorted(c.items())) for c in seen}) == 15
    assert opt.ask(1) == []  # the space is exhausted
    # the best candidate was found while the GP still had choices to make
    assert {"a": 4, "b": "y"} in seen[:10]
