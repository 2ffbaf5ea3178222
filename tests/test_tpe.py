"""Tests of the tree-structured Parzen estimator and TPESearchCV."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from sksearch import TPESearchCV
from sksearch.optimizers import RandomOptimizer, TPEOptimizer
from sksearch.optimizers._tpe.parzen import ParzenEstimator, default_weights
from sksearch.optimizers.tpe import default_gamma
from sksearch.space import Integer, Real

from ._functions import BRANIN, MIXED_SMALL, best_after, branin, mixed_small


@pytest.mark.parametrize("space, func", [(BRANIN, branin), (MIXED_SMALL, mixed_small)])
def test_beats_random_search(space, func):
    seeds = range(6)
    tpe = [best_after(TPEOptimizer(space, random_state=s), func, 40) for s in seeds]
    rnd = [best_after(RandomOptimizer(space, random_state=s), func, 40) for s in seeds]
    assert np.mean(tpe) > np.mean(rnd)
    assert np.median(tpe) > np.median(rnd)


def test_multivariate_and_univariate_both_learn():
    for multivariate in (True, False):
        res = [
            best_after(TPEOptimizer(MIXED_SMALL, multivariate=multivariate, random_state=s), mixed_small, 40)
            for s in range(3)
        ]
        assert np.mean(res) > -1.5


def test_batches_are_distinct_and_nothing_repeats():
    space = {"a": Integer(0, 4), "b": ["x", "y", "z"]}  # 15 candidates
    opt = TPEOptimizer(space, n_startup=4, random_state=0)
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


def test_constant_liar_spreads_a_batch():
    opt = TPEOptimizer({"x": Real(0, 1)}, n_startup=10, random_state=0)
    best_after(opt, lambda c: -abs(c["x"] - 0.5), 20)
    batch = [c["x"] for c in opt.ask(8)]
    assert len(set(batch)) == 8
    assert np.ptp(batch) > 0.02  # not eight copies of the same point


def test_failed_evaluations_are_bad_and_avoided():
    def f(c):
        return float("nan") if c["x"] > 0 else c["x"] - c["y"] ** 2

    shares = []
    for seed in range(5):
        opt = TPEOptimizer({"x": Real(-1, 1), "y": Real(-1, 1)}, n_startup=10, random_state=seed)
        best_after(opt, f, 40)
        X, good = opt._split([])
        assert not np.any(good & np.isnan(opt.y_))  # NaN never in the good group
        xs = np.array([opt.space.decode(v)["x"] for v in opt.X_[10:]])
        shares.append(np.mean(xs <= 0))
    # random draws land on the failing half as often as not (0.5); the optimum
    # sits on the border (x = 0), so the model's draws straddle it
    assert np.mean(shares) >= 0.58


def test_split_grows_with_trials():
    assert [default_gamma(n) for n in (1, 10, 11, 100, 1000)] == [1, 1, 2, 10, 25]
    opt = TPEOptimizer({"x": Real(0, 1)}, gamma=0.25, random_state=0)
    assert opt._n_good(20) == 5
    opt = TPEOptimizer({"x": Real(0, 1)}, gamma=lambda n: 3, random_state=0)
    assert opt._n_good(20) == 3


def test_subspaces_follow_the_tree():
    space = [
        {"model": ["a"], "u": Real(0, 1)},
        {"model": ["b"], "v": Integer(1, 50), "w": ["p", "q"]},
    ]
    opt = TPEOptimizer(space, n_startup=8, random_state=0)

    def f(c):
        assert set(c) in ({"model", "u"}, {"model", "v", "w"})
        if c["model"] == "a":
            return -3 + c["u"]
        return -abs(c["v"] - 20) / 50 - (c["w"] == "p")

    best_after(opt, f, 40, batch=2)
    later = [opt.space.decode(v) for v in opt.X_[20:]]
    assert sum(c["model"] == "b" for c in later) > 0.7 * len(later)
    assert opt.best()[0]["w"] == "q"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_wide_subspace_does_not_win_by_its_number_of_columns(seed):
    # the one-column sub-space is clearly better; ranking candidates by log
    # ratios summed over each sub-space's columns let the 8-column one win
    # most late proposals (0.6 of them), as if it were the better
    small = {"kind": ["small"], "a": Real(0, 1)}
    wide = {"kind": ["wide"], **{f"b{i}": Real(0, 1) for i in range(8)}}
    opt = TPEOptimizer([small, wide], random_state=seed)

    def f(c):
        if c["kind"] == "small":
            return 1 - (c["a"] - 0.5) ** 2
        return 0.5 - np.mean([(c[f"b{i}"] - 0.5) ** 2 for i in range(8)])

    best_after(opt, f, 60)
    later = [opt.space.decode(v)["kind"] for v in opt.X_[30:]]
    assert later.count("small") > 0.75 * len(later)


def test_same_seed_same_candidates():
    def trace(seed):
        opt = TPEOptimizer(MIXED_SMALL, n_startup=5, random_state=seed)
        best_after(opt, mixed_small, 20, batch=3)
        return [opt.space.decode(v) for v in opt.X_]

    assert trace(1) == trace(1)
    assert trace(1) != trace(2)


def test_pickling_mid_search_continues_identically():
    opt = TPEOptimizer(MIXED_SMALL, n_startup=4, random_state=0)
    best_after(opt, mixed_small, 12, batch=2)
    clone = pickle.loads(pickle.dumps(opt))
    assert opt.ask(3) == clone.ask(3)


# -- the Parzen estimator ----------------------------------------------------
@pytest.mark.parametrize("multivariate", [True, False])
def test_parzen_density_integrates_to_one(multivariate):
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.random(7), rng.integers(0, 3, 7)])
    pe = ParzenEstimator(X, np.ones(7), np.array([0, 3]), multivariate=multivariate)
    grid = (np.arange(4000) + 0.5) / 4000
    total = 0.0
    for k in range(3):
        pts = np.column_stack([grid, np.full_like(grid, k)])
        total += np.exp(pe.log_pdf(pts)).mean()
    assert total == pytest.approx(1.0, rel=1e-3)


def _integer_dims():
    from scipy.stats import binom, randint

    from sksearch.space import Space

    return {
        "Integer": Integer(1, 9),
        "Integer log": Integer(1, 9, log=True),
        "randint": Space({"k": randint(1, 10)}).columns[0][2],
        "binom": Space({"k": binom(8, 0.3)}).columns[0][2],
    }


@pytest.mark.parametrize("which", ["Integer", "Integer log", "randint", "binom"])
@pytest.mark.parametrize("multivariate", [True, False])
def test_parzen_integer_column_gives_each_integer_its_kernel_mass(multivariate, which):
    from scipy.stats import truncnorm

    from sksearch.optimizers.tpe import _IntegerBins

    dim = _integer_dims()[which]
    values = range(int(dim.inverse_transform(0.0)), int(dim.inverse_transform(1.0)) + 1)
    U = np.array([dim.transform(v) for v in values])
    rng = np.random.default_rng(0)
    X = np.column_stack([U[rng.integers(0, len(U), 6)], rng.random(6)])
    bins = _IntegerBins(dim)
    pe = ParzenEstimator(X, np.ones(6), np.array([0, 0]), multivariate=multivariate,
                         bins=[bins, None])
    grid = (np.arange(2000) + 0.5) / 2000
    # a probability over the integers times a density over the real column
    total = sum(
        np.exp(pe.log_pdf(np.column_stack([np.full_like(grid, u), grid]))).mean() for u in U
    )
    assert total == pytest.approx(1.0, rel=1e-3)
    # the shares tile [0, 1]
    lo, hi = bins(U)
    np.testing.assert_allclose(lo[1:], hi[:-1], atol=1e-12)
    assert lo[0] == pytest.approx(0.0, abs=1e-9) and hi[-1] == pytest.approx(1.0, abs=1e-9)
    assert np.all((lo <= U) & (U <= hi))
    # one kernel, no prior: the integer's probability is the kernel's mass over its share
    one = ParzenEstimator(X[:1, :1], [1.0], np.array([0]), prior_weight=1e-12, bins=[bins])
    mu, sig = one.mus[0, 0], one.sigmas[0, 0]
    law = truncnorm((0 - mu) / sig, (1 - mu) / sig, loc=mu, scale=sig)
    np.testing.assert_allclose(
        np.exp(one.log_pdf(U[:, None])), law.cdf(hi) - law.cdf(lo), rtol=1e-6, atol=1e-12
    )


def test_search_cv_with_scipy_integer_distributions():
    from scipy.stats import loguniform, randint

    search = TPESearchCV(
        LogisticRegression(max_iter=200),
        {"C": loguniform(1e-2, 1e2), "max_iter": randint(50, 200)},
        n_iter=14, cv=2, random_state=0,
    ).fit(*load_iris(return_X_y=True))
    assert len(search.cv_results_["params"]) == 14
    assert all(50 <= p["max_iter"] < 200 for p in search.cv_results_["params"])


def test_parzen_samples_follow_the_observations():
    X = np.array([[0.1, 2.0]] * 5)
    pe = ParzenEstimator(X, np.ones(5), np.array([0, 4]), prior_weight=1.0)
    S = pe.sample(2000, np.random.default_rng(0))
    assert (S[:, 0] >= 0).all() and (S[:, 0] <= 1).all()
    # identical observations: bandwidth clipped to 1 / 7, ~0.67 of the mass within 0.15
    assert np.mean(np.abs(S[:, 0] - 0.1) < 0.15) > 0.6
    # categorical (Optuna's smoothing, prior_weight / n_kernels per choice):
    # each observed kernel gives choice 2 (1 + 1/6) / (1 + 4/6), the prior
    # kernel 1/4; mixture weights 5/6 and 1/6
    assert np.mean(S[:, 1] == 2) == pytest.approx(5 / 6 * 0.7 + 1 / 6 * 0.25, abs=0.03)
    assert set(np.unique(S[:, 1])) <= {0.0, 1.0, 2.0, 3.0}
    # a sharper categorical kernel: (1 + 0.25/6) / (1 + 1/6) on the observed choice
    sharp = ParzenEstimator(X, np.ones(5), np.array([0, 4]), prior_weight=1.0,
                            categorical_smoothing=0.25)
    S = sharp.sample(2000, np.random.default_rng(0))
    keep = (1 + 0.25 / 6) / (1 + 1 / 6)
    assert np.mean(S[:, 1] == 2) == pytest.approx(5 / 6 * keep + 1 / 6 * 0.25, abs=0.03)
    # the prior kernel stays uniform, also with no smoothing at all
    none = ParzenEstimator(X, np.ones(5), np.array([0, 4]), categorical_smoothing=0.0)
    np.testing.assert_allclose(none.probs[0][-1], 0.25)
    np.testing.assert_allclose(none.probs[0][0], [0, 0, 1, 0])


def test_magic_clip_and_endpoints():
    X = np.array([[0.5], [0.5000001]])
    clipped = ParzenEstimator(X, np.ones(2), np.array([0]), multivariate=False)
    assert clipped.sigmas[:2].min() == pytest.approx(1 / 4)  # 1 / (1 + 3 kernels)
    X = np.array([[0.05], [0.5], [0.95]])
    ends = ParzenEstimator(X, np.ones(3), np.array([0]), multivariate=False,
                           consider_endpoints=True, consider_magic_clip=False)
    no_ends = ParzenEstimator(X, np.ones(3), np.array([0]), multivariate=False,
                              consider_endpoints=False, consider_magic_clip=False)
    assert ends.sigmas[0, 0] == pytest.approx(0.45)
    assert no_ends.sigmas[0, 0] == pytest.approx(0.45)
    # with the bound as neighbour the edge kernel gets max(0.05, 0.45);
    # without it, the gap to its only neighbour
    X = np.array([[0.3], [0.35], [0.6]])
    ends = ParzenEstimator(X, np.ones(3), np.array([0]), multivariate=False,
                           consider_endpoints=True, consider_magic_clip=False)
    no_ends = ParzenEstimator(X, np.ones(3), np.array([0]), multivariate=False,
                              consider_endpoints=False, consider_magic_clip=False)
    assert ends.sigmas[0, 0] == pytest.approx(0.3)
    assert no_ends.sigmas[0, 0] == pytest.approx(0.05)


def test_default_weights_ramp_old_observations():
    assert (default_weights(10) == 1).all()
    w = default_weights(50)
    assert len(w) == 50 and w[0] == pytest.approx(1 / 50) and (w[-25:] == 1).all()
    assert np.all(np.diff(w) >= 0)


# -- knobs -------------------------------------------------------------------
@pytest.mark.parametrize(
    "knob, value",
    [
        ("n_startup", 0),
        ("n_startup", 1.5),
        ("n_ei_candidates", 0),
        ("gamma", 1.5),
        ("gamma", "auto"),
        ("prior_weight", 0.0),
        ("prior_weight", -1.0),
        ("categorical_smoothing", -0.1),
        ("categorical_smoothing", "sharp"),
        ("multivariate", "yes"),
        ("consider_endpoints", 1),
        ("consider_magic_clip", None),
    ],
)
def test_bad_knobs_are_named(knob, value):
    with pytest.raises(ValueError, match=knob):
        TPEOptimizer(BRANIN, **{knob: value})
    search = TPESearchCV(LogisticRegression(), {"C": Real(0.1, 10)}, **{knob: value})
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match=knob):
        search.fit(X, y)


def test_bad_gamma_callable_is_named():
    opt = TPEOptimizer({"x": Real(0, 1)}, n_startup=2, gamma=lambda n: -1, random_state=0)
    with pytest.raises(ValueError, match="gamma"):
        best_after(opt, lambda c: c["x"], 5)


def test_search_cv_with_subspaces():
    X, y = load_iris(return_X_y=True)
    space = [
        {"C": Real(1e-3, 1e2, log=True), "fit_intercept": [True, False]},
        {"C": Real(1e-3, 1e2, log=True), "class_weight": ["balanced"]},
    ]
    search = TPESearchCV(
        LogisticRegression(max_iter=300), space, n_iter=12, n_startup=4, cv=2, random_state=0
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 12
    assert all(set(p) in ({"C", "fit_intercept"}, {"C", "class_weight"}) for p in params)
    assert len({tuple(sorted(p.items())) for p in params}) == 12
    assert search.best_score_ > 0.9


def test_categorical_smoothing_one_is_optunas_kernel():
    # categorical_smoothing=1.0 with prior_weight=1.0 is the kernel of
    # Optuna's TPESampler (smoothing prior_weight / n_kernels per choice)
    space = {f"e{i}": ["a", "b", "c", "d", "e"] for i in range(4)}
    good = [{f"e{i}": "c" for i in range(4)}] * 3

    def keep_rate(smoothing):
        opt = TPEOptimizer(space, categorical_smoothing=smoothing, random_state=0)
        X = np.array([opt.space.encode(c) for c in good])
        pe = opt._estimator(X, np.arange(4))
        return np.mean(pe.sample(4000, np.random.default_rng(1)) == 2)

    # three kernels and the prior: (1 + s/4) / (1 + 5 s/4) of 3/4, plus 1/4 * 1/5
    for s in (1.0, 0.25):
        expected = 0.75 * (1 + s / 4) / (1 + 5 * s / 4) + 0.25 / 5
        assert keep_rate(s) == pytest.approx(expected, abs=0.02)
    assert keep_rate(0.25) > keep_rate(1.0) + 0.15


def test_auto_categorical_smoothing_sharpens_with_the_number_of_categoricals():
    space = [{"a": ["x", "y"], "u": Real(0, 1)},
             {**{f"e{i}": list("abcde") for i in range(6)}, "one": ["only"]}]
    opt = TPEOptimizer(space)
    cols = [np.flatnonzero(opt.space.column_subspace == s) for s in (0, 1)]
    assert opt._smoothing(np.array([0])) == 1.0  # the sub-space choice alone
    assert opt._smoothing(cols[0]) == 1.0  # one categorical: Optuna's
    # six of five choices (a one-choice parameter does not count): 1.5 / 6
    assert opt._smoothing(cols[1]) == pytest.approx(0.25)
    assert TPEOptimizer(space, categorical_smoothing=0.5)._smoothing(cols[1]) == 0.5
