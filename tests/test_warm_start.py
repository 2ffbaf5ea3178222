"""Warm start and resume tell every score to the candidate that earned it.

A journal's candidates are recovered from their recorded values in the new
space (never from encoded vectors of another space); a fitted multi-fidelity
search gives its candidates without the resource; every float, non-finite
ones included, comes back from the journal as it was; a search that fits
nothing says why.
"""

import contextlib
import json
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris

from sksearch import HyperbandSearchCV, TPESearchCV
from sksearch._compat import SKLEARN_HAS_CALLBACKS
from sksearch.space import Integer, Real

X, y = load_iris(return_X_y=True)

# sklearn warns of the -inf scores (see Scored) as GridSearchCV does
pytestmark = [
    pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite"),
    pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
]


class Scored(ClassifierMixin, BaseEstimator):
    """Fits nothing; its score is a fixed function of its parameters, and
    ``-inf`` for the linear kernel (a hopeless model's log-likelihood)."""

    def __init__(self, kernel="rbf", C=1.0, n_estimators=10):
        self.kernel = kernel
        self.C = C
        self.n_estimators = n_estimators

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        if self.kernel == "linear":
            return -np.inf
        bonus = {"rbf": 0.5, "poly": 0.25, "sigmoid": 0.0}[self.kernel]
        n = self.n_estimators
        n = len(n) if isinstance(n, tuple) else n  # a tuple choice: its length
        return bonus - (np.log(self.C) - 1.0) ** 2 / 10 + n / 1000


@contextlib.contextmanager
def _no_warm_start_warning():
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="warm_start_from")
        yield


def _told(search):
    """The (candidate, score) pairs told to the strategy from warm_start_from."""
    opt, n = search.optimizer_, search.n_warm_start_
    return list(zip(opt.candidates_[:n], opt.y_[:n]))


def _rows(search):
    results = search.cv_results_
    return list(zip(results["params"], results["mean_test_score"]))


def _same_pairs(told, rows):
    # the strategy holds a non-finite score as NaN (a failure)
    assert len(told) == len(rows)
    for (c, s), (p, t) in zip(told, rows):
        assert c == p and type(c["C"]) is type(p["C"])
        assert s == t or (np.isnan(s) and not np.isfinite(t))


# -- scores told to the right candidates, whatever the space --------------


@pytest.mark.parametrize("source", ["journal", "search", "cv_results_"])
def test_a_changed_space_is_told_each_score_with_its_candidate(tmp_path, source):
    # a choice added before 'rbf' and C's range widened: the encoded vectors
    # of the first space decode to other candidates in the second
    path = tmp_path / "j.jsonl"
    old = {"kernel": ["linear", "rbf"], "C": Real(1.0, 20.0)}
    first = TPESearchCV(Scored(), old, n_iter=8, cv=2, random_state=0,
                        checkpoint=path).fit(X, y)
    new = {"kernel": ["linear", "poly", "rbf"], "C": Real(0.5, 100.0)}
    warm = {"journal": str(path), "search": first, "cv_results_": first.cv_results_}[source]
    with _no_warm_start_warning():  # none is outside the new space
        again = TPESearchCV(Scored(), new, n_iter=2, cv=2, random_state=1,
                            warm_start_from=warm).fit(X, y)
    assert again.n_warm_start_ == 8
    _same_pairs(_told(again), _rows(first))


@pytest.mark.parametrize("source", ["journal", "search"])
def test_a_narrowed_space_leaves_out_the_candidates_outside_it_with_one_warning(tmp_path, source):
    path = tmp_path / "j.jsonl"
    old = {"kernel": ["linear", "rbf", "poly"], "C": Real(1.0, 20.0)}
    first = TPESearchCV(Scored(), old, n_iter=12, cv=2, random_state=0,
                        checkpoint=path).fit(X, y)
    new = {"kernel": ["rbf", "poly"], "C": Real(1.0, 10.0)}
    inside = [(p, s) for p, s in _rows(first) if p["kernel"] != "linear" and p["C"] <= 10.0]
    assert 0 < len(inside) < 12
    with pytest.warns(UserWarning, match="warm_start_from") as record:
        again = TPESearchCV(Scored(), new, n_iter=2, cv=2, random_state=1,
                            warm_start_from=str(path) if source == "journal" else first
                            ).fit(X, y)
    mine = [str(w.message) for w in record if "warm_start_from" in str(w.message)]
    assert len(mine) == 1
    assert f"{12 - len(inside)} of its 12 candidates are outside" in mine[0]
    assert again.n_warm_start_ == len(inside)
    _same_pairs(_told(again), inside)


def _to_older_format(path):
    """The journal as sksearch wrote it before records kept their values:
    plain ``params`` only, ``null`` for a non-finite float."""
    lines = path.read_text().splitlines()
    out = [lines[0]]

    def null(v):
        if isinstance(v, dict):
            return {k: null(x) for k, x in v.items()}
        if isinstance(v, list):
            return [null(x) for x in v]
        return None if v in ("inf", "-inf", "nan") else v

    for line in lines[1:]:
        rec = json.loads(line)
        del rec["values"]
        out.append(json.dumps(null(rec)))
    path.write_text("\n".join(out) + "\n")


def test_an_older_journal_is_resumed_and_read_by_its_values_in_a_changed_space(tmp_path):
    path = tmp_path / "j.jsonl"
    old = {"kernel": ["linear", "rbf"], "C": Real(1.0, 20.0), "n_estimators": [(1,), 20]}
    first = TPESearchCV(Scored(), old, n_iter=8, cv=2, random_state=0, batch_size=2,
                        checkpoint=path, error_score="raise").fit(X, y)
    _to_older_format(path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:5]) + "\n")  # 4 older records, as a kill leaves them
    # the same space resumes from it, and appends records of today's format
    resumed = TPESearchCV(Scored(), old, n_iter=8, cv=2, random_state=0, batch_size=2,
                          checkpoint=path).fit(X, y)
    assert resumed.n_resumed_ == 4
    assert resumed.cv_results_["params"] == first.cv_results_["params"]
    # a -inf score written as null by an older journal reads as NaN
    before, after = first.cv_results_["mean_test_score"], resumed.cv_results_["mean_test_score"]
    assert np.array_equal(np.isnan(after[:4]), ~np.isfinite(before[:4]))
    np.testing.assert_array_equal(after[4:], before[4:])
    # its tuple choice reads as a list: it stands for (1,) only while no
    # other choice of the new space would be written the same
    new = {"kernel": ["linear", "poly", "rbf"], "C": Real(0.5, 100.0),
           "n_estimators": [20, (1,), 5]}
    again = TPESearchCV(Scored(), new, n_iter=1, cv=2, random_state=1,
                        warm_start_from=str(path)).fit(X, y)
    assert again.n_warm_start_ == 8
    _same_pairs(_told(again), _rows(first))


def test_an_older_record_in_its_own_space_keeps_its_numbers_to_the_last_digit():
    from sksearch._journal import Journal
    from sksearch.space import Space

    space = Space({"C": Real(0.5, 100.0, log=True), "kernel": ["rbf", (1, 2)]})
    C = 3.4601860681819523  # its encoding decodes to 3.4601860681819536
    vector = space.encode({"C": C, "kernel": (1, 2)})
    assert space.decode(vector)["C"] != C
    record = {"vector": list(vector), "params": {"C": C, "kernel": [1, 2]}, "score": None}
    assert Journal.candidate(record, space) == {"C": C, "kernel": (1, 2)}


def _hyperband(**kw):
    kw.setdefault("random_state", 0)
    return HyperbandSearchCV(
        Scored(), {"kernel": ["rbf", "poly", "sigmoid"], "C": Real(1.0, 20.0)},
        resource="n_estimators", min_resources=1, max_resources=9, n_iter=30, cv=2, **kw,
    )


@pytest.mark.parametrize("source", ["search", "cv_results_", "journal"])
def test_a_fitted_multi_fidelity_search_gives_its_top_rung_without_the_resource(tmp_path, source):
    path = tmp_path / "j.jsonl"
    first = _hyperband(checkpoint=path).fit(X, y)
    results = first.cv_results_
    top = [
        ({k: v for k, v in p.items() if k != "n_estimators"}, s)
        for p, s, r in zip(results["params"], results["mean_test_score"],
                           results["n_resources"])
        if r == 9
    ]
    assert top
    warm = {"journal": str(path), "search": first, "cv_results_": results}[source]
    for again in (_hyperband(warm_start_from=warm, random_state=1),
                  TPESearchCV(Scored(), {"kernel": ["rbf", "poly", "sigmoid"],
                                         "C": Real(1.0, 20.0)},
                              n_iter=2, cv=2, warm_start_from=warm)):
        with _no_warm_start_warning():
            again.fit(X, y)
        assert again.n_warm_start_ == len(top)
        _same_pairs(_told(again), top)


def test_the_resource_is_kept_where_the_new_space_searches_it():
    first = _hyperband().fit(X, y)
    space = {"kernel": ["rbf", "poly", "sigmoid"], "C": Real(1.0, 20.0),
             "n_estimators": Integer(1, 9)}
    again = TPESearchCV(Scored(), space, n_iter=2, cv=2, warm_start_from=first).fit(X, y)
    assert again.n_warm_start_ > 0
    assert all(c["n_estimators"] == 9 for c, _ in _told(again))


# -- every float comes back from the journal as it was ---------------------


def test_infinite_scores_come_back_from_the_journal_as_they_were(tmp_path):
    path = tmp_path / "j.jsonl"
    space = {"kernel": ["linear", "rbf", "poly"], "C": Real(1.0, 20.0)}
    kw = dict(n_iter=8, cv=2, random_state=0, batch_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # sklearn: non-finite test scores
        full = TPESearchCV(Scored(), space, checkpoint=path, **kw).fit(X, y)
        scores = full.cv_results_["mean_test_score"]
        assert np.isneginf(scores).any()
        lines = path.read_text().splitlines()
        path.write_text("\n".join(lines[:5]) + "\n")  # what a kill leaves
        resumed = TPESearchCV(Scored(), space, checkpoint=path, **kw).fit(X, y)
    assert resumed.n_resumed_ == 4
    assert resumed.cv_results_["params"] == full.cv_results_["params"]
    for key, value in full.cv_results_.items():
        if key.endswith("_score") or key.startswith("split"):
            np.testing.assert_array_equal(resumed.cv_results_[key], value, err_msg=key)
    for line in path.read_text().splitlines():
        json.loads(line, parse_constant=pytest.fail)  # valid JSON: no Infinity, no NaN


def test_non_finite_and_tagged_values_round_trip_exactly():
    from sksearch._journal import float_from_json, float_json, value_from_json, value_json

    for x in [0.1, 1e-300, -2.5e17, float("inf"), float("-inf"), 1 / 3]:
        assert float_from_json(json.loads(json.dumps(float_json(x)))) == x
    assert np.isnan(float_from_json(json.loads(json.dumps(float_json(float("nan"))))))
    assert float_from_json(None) != float_from_json(None)  # an older journal's null: NaN
    for v in [(1, (2.5, "a")), {0: 1, 1: 2}, {"$float": 1}, [1, None, True],
              float("-inf"), "inf", 3, 3.0]:
        back = value_from_json(json.loads(json.dumps(value_json(v))))
        assert back == v and type(back) is type(v)


# -- errors that name the cause ---------------------------------------------


def test_a_max_time_shorter_than_one_round_names_max_time():
    with pytest.raises(ValueError, match=r"max_time=1e-09.*before the first"):
        TPESearchCV(Scored(), {"C": Real(1.0, 20.0)}, n_iter=4, cv=2,
                    max_time=1e-9).fit(X, y)


@pytest.mark.parametrize("source", ["search", "journal"])
def test_a_space_that_warm_start_from_covered_names_it_and_its_size(tmp_path, source):
    path = tmp_path / "j.jsonl"
    space = {"kernel": ["rbf", "poly", "sigmoid"], "n_estimators": [1, 2]}
    first = TPESearchCV(Scored(), space, n_iter=6, cv=2, checkpoint=path).fit(X, y)
    with pytest.raises(ValueError, match=r"warm_start_from.*all 6 candidates"):
        TPESearchCV(Scored(), space, n_iter=4, cv=2,
                    warm_start_from=first if source == "search" else str(path)).fit(X, y)


# -- callbacks learn the number of steps lazily -----------------------------


@pytest.mark.skipif(not SKLEARN_HAS_CALLBACKS, reason="sklearn callbacks (>= 1.9)")
def test_a_huge_plan_with_max_time_and_a_callback_is_not_counted_up_front(monkeypatch):
    from sksearch.callbacks import TargetScore
    from sksearch.optimizers.hyperband import HyperbandScheduler

    def count(self):
        raise AssertionError("the whole plan was counted before the search started")

    monkeypatch.setattr(HyperbandScheduler, "n_steps", count)
    search = HyperbandSearchCV(
        Scored(), {"kernel": ["rbf", "poly"], "C": Real(1.0, 20.0)},
        resource="n_estimators", max_resources=27, n_iter=10**9, max_time=0.5, cv=2,
        random_state=0,
    )
    search.set_callbacks(TargetScore(10.0))
    search.fit(X, y)
    assert search.stop_reason_ == "max_time"


# -- what the property test (test_resume_property.py) found ----------------


def test_hyperband_never_refits_a_failed_candidate_while_one_scored_minus_inf():
    # a -inf is a score, a NaN a failure: of [NaN, -inf, -inf] at the top
    # resource, the best is a -inf (nanargmax would take the NaN)
    results = {"mean_test_score": np.array([0.5, np.nan, -np.inf, -np.inf]),
               "n_resources": np.array([1, 3, 3, 3])}
    assert HyperbandSearchCV._select_best_index(True, "score", results) == 2


def test_overlapping_sub_spaces_keep_a_value_in_the_sub_space_of_its_type(tmp_path):
    from sksearch.space import Space

    space = Space([{"C": Real(0.5, 2.0)}, {"C": Integer(1, 5)}])
    assert space.decode(space.encode({"C": 1})) == {"C": 1}
    assert space.decode(space.encode({"C": 1.0})) == {"C": 1.0}
    assert space.decode(space.encode({"C": 4.0})) == {"C": 4}  # only the integers hold it
    # and a journal's values come back in the same sub-space
    path = tmp_path / "j.jsonl"
    dists = [{"C": Real(0.5, 2.0)}, {"C": Integer(1, 5)}]
    first = TPESearchCV(Scored(), dists, n_iter=8, cv=2, random_state=0,
                        checkpoint=path).fit(X, y)
    wider = [{"C": Real(0.25, 4.0)}, {"C": Integer(1, 9)}]
    again = TPESearchCV(Scored(), wider, n_iter=1, cv=2, warm_start_from=str(path)).fit(X, y)
    _same_pairs(_told(again), _rows(first))
