"""The multi-fidelity GP sampler (HyperbandSearchCV(sampler="gp"))."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import ExtraTreesClassifier

from sksearch import HyperbandSearchCV
from sksearch.optimizers.hyperband import (
    ASHAScheduler,
    HyperbandScheduler,
    MultiFidelityBayesOptimizer,
    hyperband_plan,
)
from sksearch.space import Integer, Real

SPACE = {"x": Real(0, 1), "y": Real(0, 1)}


def _f(c, level):
    # the low levels are the top one shifted down and blurred a little
    return -((c["x"] - 0.7) ** 2) - (c["y"] - 0.2) ** 2 - 0.3 * level + 0.01 * level * c["x"]


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="n_levels"):
        MultiFidelityBayesOptimizer(SPACE, n_levels=0)
    with pytest.raises(ValueError, match="min_points_in_level"):
        MultiFidelityBayesOptimizer(SPACE, min_points_in_level=1)
    with pytest.raises(ValueError, match="random_fraction"):
        MultiFidelityBayesOptimizer(SPACE, random_fraction=1.5)
    with pytest.raises(ValueError, match="liar"):
        MultiFidelityBayesOptimizer(SPACE, liar="nope")
    opt = MultiFidelityBayesOptimizer(SPACE, n_levels=2)
    batch = opt.ask(2)
    with pytest.raises(ValueError, match=r"level must be < n_levels=2, got 2"):
        opt.tell(batch, [0.0, 1.0], level=2)
    with pytest.raises(ValueError, match="level"):
        opt.tell(batch, [0.0, 1.0], level=-1)


def test_low_levels_alone_make_the_proposals_model_based():
    # only the cheapest level has results: the GP still proposes near the
    # optimum, which the prior draws of a non-multi-fidelity sampler do not
    opt = MultiFidelityBayesOptimizer(SPACE, n_levels=3, random_fraction=0.0, random_state=0)
    for _ in range(4):
        batch = opt.ask(4)
        opt.tell(batch, [_f(c, 2) for c in batch], level=2)
    new = opt.ask(4)
    assert opt.acquisition_level_ == 2
    dist = [np.hypot(c["x"] - 0.7, c["y"] - 0.2) for c in new]
    assert np.median(dist) < 0.15
    assert opt.levels_ == [2] * 16


def test_acquisition_moves_to_the_highest_level_with_enough_results():
    opt = MultiFidelityBayesOptimizer(SPACE, n_levels=3, min_points_in_level=3, random_state=0)
    batch = opt.ask(10)
    opt.tell(batch, [_f(c, 2) for c in batch], level=2)
    opt.ask(1)
    assert opt.acquisition_level_ == 2
    opt.tell(batch[:2], [_f(c, 0) for c in batch[:2]], level=0)
    opt.ask(1)
    assert opt.acquisition_level_ == 2  # level 0 has 2 results, not 3
    opt.tell(batch[2:5], [_f(c, 1) for c in batch[2:5]], level=1)
    opt.ask(1)
    assert opt.acquisition_level_ == 1
    opt.tell(batch[2:3], [_f(batch[2], 0)], level=0)
    opt.ask(1)
    assert opt.acquisition_level_ == 0


def test_same_seed_same_proposals_and_never_a_repeat():
    def run():
        opt = MultiFidelityBayesOptimizer(SPACE, n_levels=2, random_state=5)
        seen = []
        for level in (1, 1, 1, 0, 1, 0):
            batch = opt.ask(4)
            seen += batch
            opt.tell(batch, [_f(c, level) for c in batch], level=level)
        return seen

    a, b = run(), run()
    assert a == b
    assert len({tuple(sorted(c.items())) for c in a}) == len(a)


def test_training_set_keeps_the_highest_levels_first():
    opt = MultiFidelityBayesOptimizer(SPACE, n_levels=3, max_model_points=6, random_state=0)
    for level in (2, 2, 1, 0):
        batch = opt.ask(3)
        opt.tell(batch, [_f(c, level) for c in batch], level=level)
    X, y = opt._training_set()
    assert len(y) == 6
    assert sorted(opt._train_levels.tolist()) == [0, 0, 0, 1, 1, 1]


def test_failed_evaluations_are_worst_not_nan():
    opt = MultiFidelityBayesOptimizer(SPACE, n_levels=2, n_initial_points=4, random_state=0)
    batch = opt.ask(6)
    scores = [_f(c, 1) for c in batch]
    scores[1] = np.nan
    opt.tell(batch, scores, level=1)
    assert len(opt.ask(3)) == 3
    assert np.isfinite(opt.kernel_.theta).all()


@pytest.mark.parametrize("make", [
    lambda s: HyperbandScheduler(hyperband_plan(22, 2, 3), s, batch_size=2, random_state=0),
    lambda s: ASHAScheduler(hyperband_plan(22, 2, 3), s, factor=3, n_evaluations=22,
                            random_state=0),
], ids=["brackets", "asha"])
def test_schedulers_tell_it_every_rung(make):
    opt = MultiFidelityBayesOptimizer(SPACE, n_levels=3, random_state=0)
    sched = make(opt)
    n = 0
    while not sched.done:  # both answer ask(n) -> units, tell(units, scores)
        jobs = sched.ask(1)
        sched.tell(jobs, [_f(j.candidate, j.level) for j in jobs])
        n += len(jobs)
    assert n == 22 == len(opt.levels_)
    assert set(opt.levels_) == {0, 1, 2}


Xc, yc = make_classification(240, 6, random_state=0)
FOREST = {"max_features": Real(0.2, 1.0), "min_samples_leaf": Integer(1, 20)}


@pytest.mark.parametrize("asynchronous", [False, True], ids=["brackets", "asha"])
def test_search_with_the_gp_sampler(asynchronous):
    kw = dict(resource="n_estimators", min_resources=1, max_resources=9, n_iter=26, cv=2,
              random_state=0, sampler="gp", asynchronous=asynchronous)
    search = HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST, **kw)
    search.fit(Xc, yc)
    opt = search.optimizer_
    assert isinstance(opt, MultiFidelityBayesOptimizer)
    assert opt.n_levels == 3
    assert len(opt.levels_) == len(search.cv_results_["params"]) == 26
    assert opt.kernel_ is not None  # the GP proposed some candidates
    assert search.best_params_["n_estimators"] == 9
    if not asynchronous:  # the candidates do not depend on n_jobs
        again = HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST,
                                  n_jobs=2, **kw).fit(Xc, yc)
        assert again.cv_results_["params"] == search.cv_results_["params"]


def test_search_refuses_an_unknown_sampler():
    search = HyperbandSearchCV(ExtraTreesClassifier(), FOREST, resource="n_estimators",
                               max_resources=9, sampler="bayes")
    with pytest.raises(ValueError, match=r"sampler.*'gp'"):
        search.fit(Xc, yc)


def test_the_gp_is_the_default_sampler():
    # chosen over BOHB on benchmarks/hyperband_defaults.py (see the sampler's doc)
    kw = dict(resource="n_estimators", min_resources=1, max_resources=9, n_iter=26, cv=2,
              random_state=0)
    search = HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST, **kw)
    assert search.sampler == "gp"
    search.fit(Xc, yc)
    assert isinstance(search.optimizer_, MultiFidelityBayesOptimizer)
    assert search.optimizer_.kernel_ is not None  # the GP proposed some candidates


def test_sampler_params_reach_the_sampler():
    kw = dict(resource="n_estimators", min_resources=1, max_resources=9, n_iter=26, cv=2,
              random_state=0)
    gp = HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST,
                           sampler_params={"n_initial_points": 4, "random_fraction": 0.0,
                                           "xi": 0.1}, **kw).fit(Xc, yc)
    assert (gp.optimizer_.n_initial_points, gp.optimizer_.random_fraction) == (4, 0.0)
    assert gp.optimizer_.xi == 0.1  # a BayesOptimizer keyword, passed on by **kwargs
    assert gp.optimizer_.n_levels == 3  # still the search's own
    default = HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST, **kw).fit(Xc, yc)
    assert gp.cv_results_["params"] != default.cv_results_["params"]

    from sksearch.optimizers.hyperband import BOHBOptimizer

    bohb = HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST, sampler="tpe",
                             sampler_params={"random_fraction": 0.5, "n_ei_candidates": 8},
                             **kw).fit(Xc, yc)
    assert isinstance(bohb.optimizer_, BOHBOptimizer)
    assert (bohb.optimizer_.random_fraction, bohb.optimizer_.n_ei_candidates) == (0.5, 8)
    same = HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST, sampler="tpe",
                             sampler_params={"random_fraction": 0.5, "n_ei_candidates": 8},
                             n_jobs=2, **kw).fit(Xc, yc)
    assert same.cv_results_["params"] == bohb.cv_results_["params"]


@pytest.mark.parametrize("sampler, params, match", [
    ("gp", {"n_initial": 5}, r"sampler_params has 'n_initial'.*'gp' \(Multi.*n_initial_points"),
    ("tpe", {"n_initial_points": 5}, r"sampler_params.*'tpe' \(BOHBOptimizer\) takes"),
    ("random", {"n_startup": 5}, r"sampler_params.*'random'.*takes no keyword"),
    ("gp", {"random_state": 1}, r"sampler_params has 'random_state'.*set by the search"),
    ("gp", {"n_levels": 2}, r"sampler_params has 'n_levels'.*set by the search"),
    ("gp", {"random_fraction": 2.0}, r"sampler_params: random_fraction"),
    ("tpe", {"n_ei_candidates": 0}, r"sampler_params: n_ei_candidates"),
])
def test_sampler_params_errors_name_the_parameter(sampler, params, match):
    search = HyperbandSearchCV(ExtraTreesClassifier(), FOREST, resource="n_estimators",
                               max_resources=9, sampler=sampler, sampler_params=params)
    with pytest.raises(ValueError, match=match):
        search.fit(Xc, yc)
    assert not hasattr(search, "cv_results_")


def test_sampler_params_must_be_a_dict():
    search = HyperbandSearchCV(ExtraTreesClassifier(), FOREST, resource="n_estimators",
                               max_resources=9, sampler_params=[("xi", 0.1)])
    with pytest.raises(ValueError, match="sampler_params"):
        search.fit(Xc, yc)


def test_sampler_params_resume_after_a_stop(tmp_path):
    # a stopped search resumed with the same sampler_params fits only what its
    # journal lacks and ends as the uninterrupted search
    kw = dict(resource="n_estimators", min_resources=1, max_resources=9, n_iter=26, cv=2,
              random_state=0, sampler="tpe",
              sampler_params={"random_fraction": 0.5, "n_ei_candidates": 8})
    full = HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST, **kw).fit(Xc, yc)
    path = tmp_path / "journal.jsonl"
    HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST, checkpoint=path,
                      callbacks=[lambda search: True], **kw).fit(Xc, yc)
    again = HyperbandSearchCV(ExtraTreesClassifier(random_state=0), FOREST, checkpoint=path,
                              **kw).fit(Xc, yc)
    assert 0 < again.n_resumed_ < 26
    assert again.cv_results_["params"] == full.cv_results_["params"]
    np.testing.assert_allclose(again.cv_results_["mean_test_score"],
                               full.cv_results_["mean_test_score"])
