"""ReinforceOptimizer (the ENAS controller) and ReinforceSearchCV."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from sksearch import ReinforceSearchCV
from sksearch.optimizers import RandomOptimizer, ReinforceOptimizer
from sksearch.space import Integer, Real, Space

from ._functions import best_after, run

K, C = 4, 6
CATEGORICAL = {f"c{i}": list(range(K)) for i in range(C)}
RIGHT = [(3 * i + 1) % K for i in range(C)]


def n_right(c):
    """One right answer per column; the optimum scores C."""
    return float(sum(c[f"c{i}"] == RIGHT[i] for i in range(C)))


def p_optimum(opt):
    probs = opt.probabilities()
    return float(np.prod([probs[i][RIGHT[i]] for i in range(C)]))


def test_learns_the_right_answers_and_beats_random():
    found, random_found = [], []
    for seed in range(6):
        opt = ReinforceOptimizer(CATEGORICAL, random_state=seed)
        p0 = p_optimum(opt)
        assert p0 == pytest.approx(K**-C)
        found.append(best_after(opt, n_right, 60, 4))
        # the policy's probability of the optimum rose by orders of magnitude
        assert p_optimum(opt) > 100 * p0
        assert opt.mode() == {f"c{i}": RIGHT[i] for i in range(C)}
        random_found.append(best_after(RandomOptimizer(CATEGORICAL, random_state=seed), n_right, 60, 4))
    assert np.mean(found) > np.mean(random_found) + 1


def test_numeric_bins_learn():
    space = Space({"x": Real(0.0, 1.0), "n": Integer(1, 5)})
    opt = ReinforceOptimizer(space, n_bins=8, random_state=0)
    probs = opt.probabilities()
    assert [p.size for p in probs] == [5, 8]  # columns are sorted: n, x
    run(opt, lambda c: -abs(c["x"] - 0.8) - abs(c["n"] - 2), 80, 4)
    p_n, p_x = opt.probabilities()
    assert np.argmax(p_n) == 1 and p_n[1] > 0.5
    assert p_x[5:].sum() > 0.5  # bins above 0.625, 3/8 of the prior
    mode = opt.mode()
    assert mode["n"] == 2 and mode["x"] >= 0.625


def _trace(transform, seed=0):
    opt = ReinforceOptimizer(CATEGORICAL, random_state=seed)
    seen = run(opt, lambda c: transform(n_right(c)), 40, 3)
    return opt, seen


@pytest.mark.parametrize("a, b", [(1000.0, -7.0), (1e-3, 0.5), (3.0, -1e6)])
def test_invariant_to_affine_rescaling_of_scores(a, b):
    ref, seen_ref = _trace(lambda s: s)
    opt, seen = _trace(lambda s: a * s + b)
    assert seen == seen_ref
    for z_ref, z in zip(ref.policy_, opt.policy_):
        np.testing.assert_allclose(z, z_ref, rtol=1e-6, atol=1e-9)
    assert opt.baseline_ == pytest.approx(a * ref.baseline_ + b)
    assert opt.scale_ == pytest.approx(a * ref.scale_)


def test_baseline_and_advantage():
    opt = ReinforceOptimizer({"k": ["a", "b", "c"]}, learning_rate=1.0, entropy_weight=0.0,
                             baseline_decay=0.5, elite_weight=0.0)
    opt.tell([{"k": "a"}], [2.0])  # the first score sets the baseline: no step
    assert opt.baseline_ == 2.0 and opt.scale_ == 0.0
    np.testing.assert_array_equal(opt.policy_[0], 0.0)
    opt.tell([{"k": "b"}], [4.0])
    # deviation 2, bias-corrected scale sqrt(0.5 * 4 / 0.5) = 2: advantage 1
    assert opt.scale_ == pytest.approx(2.0)
    assert opt.baseline_ == pytest.approx(3.0)
    np.testing.assert_allclose(opt.policy_[0], [-1 / 3, 2 / 3, -1 / 3])


@pytest.mark.parametrize("batch", [1, 3, 4, 8])
def test_one_policy_update_per_told_score_whatever_the_batch(batch):
    opt = ReinforceOptimizer(CATEGORICAL, elite_weight=0.0, random_state=0)
    steps = []
    opt._step = lambda x, a, step=opt._step: (steps.append(a), step(x, a))
    seen = run(opt, n_right, 24, batch)
    assert len(seen) == 24
    assert opt.n_updates_ == len(steps) == 24
    # a round's updates are made one after the other: each moves the baseline
    assert len(set(steps[1:])) > 1


def test_updates_follow_the_order_asked_not_the_order_told():
    a = ReinforceOptimizer(CATEGORICAL, random_state=2)
    b = ReinforceOptimizer(CATEGORICAL, random_state=2)
    for _ in range(5):
        ca, cb = a.ask(4), b.ask(4)
        assert ca == cb
        a.tell(ca, [n_right(c) for c in ca])
        b.tell(cb[::-1], [n_right(c) for c in cb[::-1]])
    for za, zb in zip(a.policy_, b.policy_):
        np.testing.assert_array_equal(za, zb)
    assert a.ask(4) == b.ask(4)


def test_subspaces_only_active_columns_learn():
    space = Space([{"a": ["x", "y"], "u": Real(0, 1)}, {"b": ["p", "q", "r"]}])
    opt = ReinforceOptimizer(space, random_state=0)
    assert [p.size for p in opt.probabilities()] == [2, 2, 10, 3]
    # only candidates of sub-space 1 are told: sub-space 0's policy stays uniform
    opt.tell([{"b": v} for v in "pqrrq"], [0.0, 1.0, 3.0, 3.0, 1.0])
    p_sel, p_a, p_u, p_b = opt.probabilities()
    np.testing.assert_allclose(p_a, 0.5)
    np.testing.assert_allclose(p_u, 0.1)
    assert np.argmax(p_b) == 2
    assert not np.allclose(p_sel, 0.5)
    seen = run(opt, lambda c: c.get("b") == "r", 20, 4)
    assert all(set(c) in ({"a", "u"}, {"b"}) for c in seen)


def test_elite_replay_steps_towards_the_best_candidate_told():
    told = [{f"c{i}": (i + j) % K for i in range(C)} for j in range(K)]
    scores = [0.0, 3.0, 1.0, 2.0]
    plain = ReinforceOptimizer(CATEGORICAL, elite_weight=0.0)
    replay = ReinforceOptimizer(CATEGORICAL, elite_weight=1.0)
    steps = []
    replay._step = lambda x, a, step=replay._step: (steps.append(a), step(x, a))
    for opt in (plain, replay):
        opt.tell(told, scores)
    # each plain step followed by one step of advantage 1 towards the elite
    assert steps[1::2] == [1.0] * len(told)
    assert replay.n_updates_ == plain.n_updates_ == len(told)
    best = told[1]
    for i in range(C):
        p, q = plain.probabilities()[i], replay.probabilities()[i]
        assert q[best[f"c{i}"]] > p[best[f"c{i}"]]
    # the elite is the best told so far, kept when a round brings nothing better
    replay.tell([{f"c{i}": 0 for i in range(C)}], [np.nan])
    assert replay._elite[1] == 3.0
    # rewards given to update_policy are not evaluations: no replay
    steps.clear()
    replay.update_policy(told[:2], [5.0, 0.0])
    assert len(steps) == 2


@pytest.mark.parametrize("elite_weight", [0.0, 1.0])
def test_policy_does_not_depend_on_how_scores_are_grouped_into_tells(elite_weight):
    # the same candidates, told as one round or one score at a time in the
    # order asked (a failure among them): the same policy, step for step
    def score(c, i):
        return np.nan if i == 3 else float(n_right(c))

    whole = ReinforceOptimizer(CATEGORICAL, elite_weight=elite_weight, random_state=0)
    single = ReinforceOptimizer(CATEGORICAL, elite_weight=elite_weight, random_state=0)
    for _ in range(3):
        cands = whole.ask(8)
        assert single.ask(8) == cands
        whole.tell(cands, [score(c, i) for i, c in enumerate(cands)])
        for i, c in enumerate(cands):
            single.tell([c], [score(c, i)])
        for z, z_single in zip(whole.policy_, single.policy_):
            np.testing.assert_allclose(z, z_single, rtol=1e-12, atol=1e-12)
    if elite_weight:
        assert whole._elite[1] == single._elite[1] == max(whole.y_)


def test_failed_evaluations_rank_below_the_worst_success():
    opt = ReinforceOptimizer({"k": ["a", "b", "c"]}, learning_rate=1.0, entropy_weight=0.0)
    for _ in range(5):
        opt.tell([{"k": "a"}, {"k": "b"}, {"k": "c"}], [1.0, 0.0, np.nan])
    p = opt.probabilities()[0]
    assert p[2] < p[1] < p[0]


def test_failures_before_any_success_lower_their_choice():
    opt = ReinforceOptimizer({"k": ["a", "b", "c"]}, random_state=0)
    opt.tell([{"k": "c"}, {"k": "c"}], [np.nan, np.nan])
    p = opt.probabilities()[0]
    assert p[2] < p[0] == pytest.approx(p[1])
    assert opt.baseline_ is None
    # once a score arrives, failures count below it and the search goes on
    seen = run(opt, lambda c: np.nan if c["k"] == "c" else 1.0, 2, 2)
    assert len(seen) == 2


def test_sample_allows_repeats_and_records_nothing():
    space = Space({"a": [1, 2], "b": ["x"]})
    opt = ReinforceOptimizer(space, random_state=0)
    drawn = opt.sample(20)
    assert len(drawn) == 20 and len({c["a"] for c in drawn}) == 2
    assert opt.X_ == [] and opt.ask(5) != []  # ask is not blocked by sample
    # told repeats (ENAS re-evaluates sampled architectures) are accepted and learned
    opt.tell([{"a": 1, "b": "x"}] * 3 + [{"a": 2, "b": "x"}], [0.0, 0.0, 0.0, 1.0])
    assert len(opt.y_) == 4
    assert opt.probabilities()[0][1] > 0.5
    assert opt.ask(2) == []  # the two candidates have been seen


def test_update_policy_learns_without_recording():
    space = Space({"a": [1, 2, 3]})
    opt = ReinforceOptimizer(space, random_state=0)
    # tell without its elite replay, which update_policy does not make
    ref = ReinforceOptimizer(space, elite_weight=0.0, random_state=0)
    cands, rewards = [{"a": 1}, {"a": 2}, {"a": 2}, {"a": 3}], [0.0, 1.0, 1.0, np.nan]
    opt.update_policy(cands, rewards)
    ref.tell(cands, rewards)
    for z, z_ref in zip(opt.policy_, ref.policy_):
        np.testing.assert_allclose(z, z_ref)  # the same REINFORCE steps as tell
    assert opt.y_ == [] and opt.best()[0] is None
    assert len(opt.ask(3)) == 3 and ref.ask(3) == []
    with pytest.raises(ValueError, match="2 candidates but 1 rewards"):
        opt.update_policy(cands[:2], [1.0])


def test_sample_is_reproducible_and_follows_the_policy():
    a = ReinforceOptimizer(CATEGORICAL, random_state=3)
    b = pickle.loads(pickle.dumps(a))
    assert a.sample(5) == b.sample(5)
    run(a, n_right, 60, 4)
    draws = a.sample(200)
    share = np.mean([n_right(c) for c in draws]) / C
    assert share > 0.6  # uniform draws get 1 / K = 0.25 right


@pytest.mark.parametrize(
    "name, value",
    [
        ("learning_rate", 0.0),
        ("learning_rate", -1.0),
        ("learning_rate", float("nan")),
        ("baseline_decay", 1.0),
        ("baseline_decay", -0.1),
        ("entropy_weight", -0.01),
        ("n_bins", 0),
        ("n_bins", 2.5),
        ("n_bins", True),
        ("elite_weight", -1.0),
    ],
)
def test_bad_parameters_are_named(name, value):
    with pytest.raises(ValueError, match=name):
        ReinforceOptimizer(CATEGORICAL, **{name: value})
    X, y = load_iris(return_X_y=True)
    search = ReinforceSearchCV(DecisionTreeClassifier(), {"max_depth": [1, 2]}, n_iter=2,
                               cv=2, **{name: value})
    with pytest.raises(ValueError, match=name):
        search.fit(X, y)


def test_sample_rejects_bad_n():
    opt = ReinforceOptimizer(CATEGORICAL)
    with pytest.raises(ValueError, match="n must be"):
        opt.sample(0)


def test_search_cv_uses_the_controller():
    X, y = load_iris(return_X_y=True)
    space = {"max_depth": [1, 2, 3, None], "criterion": ["gini", "entropy"]}
    search = ReinforceSearchCV(DecisionTreeClassifier(random_state=0), space, n_iter=8, cv=2,
                               learning_rate=0.5, n_bins=4, random_state=0).fit(X, y)
    assert isinstance(search.optimizer_, ReinforceOptimizer)
    assert search.optimizer_.learning_rate == 0.5 and search.optimizer_.n_bins == 4
    assert len(search.optimizer_.y_) == 8
    assert search.best_params_["max_depth"] in (3, None)


@pytest.mark.parametrize("batch_size", [1, 4])
def test_search_cv_updates_the_policy_once_per_candidate(batch_size):
    X, y = load_iris(return_X_y=True)
    space = {"max_depth": [1, 2, 3, 4, None], "min_samples_leaf": [1, 5, 10],
             "criterion": ["gini", "entropy"]}
    search = ReinforceSearchCV(DecisionTreeClassifier(random_state=0), space, n_iter=12,
                               cv=2, batch_size=batch_size, random_state=0).fit(X, y)
    assert search.optimizer_.n_updates_ == 12
