"""Property: a resume or a warm start never attaches a score to the wrong candidate.

Hypothesis draws a small space (reals, integers, categorical choices of
tuples, dicts, None, estimators; sometimes two sub-spaces), a strategy and a
mode, runs the search with a checkpoint, "kills" it (the journal cut after
``k`` records, as a SIGKILL leaves it, or a search stopped by a callback),
resumes it with a random ``batch_size``, ``n_jobs`` and mode, and warm
starts a search over a widened or narrowed space from it. Every fit is
counted. It asserts:

* a deterministic resume (rounds, same ``batch_size``) ends with the
  uninterrupted run's evaluations: the same rows, scores and rounds, and it
  fits exactly the evaluations the journal lacks;
* any resume keeps every journaled evaluation, and fits none of them again;
* every (candidate, score) pair told to the strategy is one that was
  evaluated (a resume's, or the warm start's source's at its top resource),
  and a warm start tells every source evaluation inside the new space,
  in order, and nothing else.

The estimator fits nothing: its score is a fixed function of its parameters
(``-inf`` and failed fits included), so the whole test runs in about a
minute on two cores. CI draws the same examples every run;
``SKSEARCH_PROPERTY_EXAMPLES=500 SKSEARCH_PROPERTY_RANDOM=1`` explores.
"""

import collections
import hashlib
import json
import math
import os
import signal
import subprocess
import sys
import time
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sksearch import (  # noqa: E402
    AnnealingSearchCV,
    BayesSearchCV,
    CoordinateDescentSearchCV,
    GeneticSearchCV,
    HyperbandSearchCV,
    PSOSearchCV,
    TPESearchCV,
)
from sksearch._journal import Opaque, value_from_json, value_json  # noqa: E402
from sksearch.space import Categorical, Integer, Real  # noqa: E402

from ._searches import RandomSearch  # noqa: E402

N_EXAMPLES = int(os.environ.get("SKSEARCH_PROPERTY_EXAMPLES", "150"))
# CI draws the same examples every run; SKSEARCH_PROPERTY_RANDOM=1 explores
DERANDOMIZE = not os.environ.get("SKSEARCH_PROPERTY_RANDOM")

X = np.arange(40, dtype=float).reshape(20, 2)
y = np.tile([0, 1], 10)
N_SPLITS = 2
NAMES = ("a", "b", "c", "d")

pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.FitFailedWarning"),
]


class Leaf(BaseEstimator):
    """An estimator as a searched value."""

    def __init__(self, k=0):
        self.k = k


def _canonical(value):
    return json.dumps(value_json(value), sort_keys=True)


FITS = []  # (canonical params, number of training samples) of every fit


class Toy(ClassifierMixin, BaseEstimator):
    """Fits nothing; scores a fixed function of all its parameters: ``-inf``
    for some, a failed fit for others."""

    def __init__(self, a="-", b="-", c="-", d="-", budget=9):
        self.a = a
        self.b = b
        self.c = c
        self.d = d
        self.budget = budget

    def _hash(self):
        text = _canonical(self.get_params(deep=False))
        return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)

    def fit(self, X, y):
        FITS.append((_canonical(self.get_params(deep=False)), len(X)))
        if self._hash() % 13 == 0:
            raise ValueError("this candidate cannot be fitted")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        h = self._hash()
        if h % 7 == 0:
            return -np.inf
        return (h % 10007) / 10007 + self.budget / 100


CHOICES = [None, "x", "y", 3, 2.5, (1, 2), (3,), {"k": 1}, {0: 1}, Leaf(1), Leaf(2), True,
           float("inf")]


@st.composite
def dimensions(draw):
    kind = draw(st.sampled_from(["real", "integer", "categorical"]))
    if kind == "real":
        log = draw(st.booleans())
        low = draw(st.sampled_from([0.1, 1.0, 2.0]))
        return Real(low, low * draw(st.sampled_from([3.0, 10.0])), log=log)
    if kind == "integer":
        low = draw(st.integers(1, 4))
        return Integer(low, low + draw(st.integers(1, 6)))
    idx = draw(st.lists(st.integers(0, len(CHOICES) - 1), min_size=1, max_size=4, unique=True))
    return Categorical([CHOICES[i] for i in idx])


@st.composite
def spaces(draw):
    n_subspaces = draw(st.integers(1, 2))
    subs = []
    for _ in range(n_subspaces):
        names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
        subs.append({name: draw(dimensions()) for name in sorted(names)})
    return subs[0] if n_subspaces == 1 else subs


STRATEGIES = {
    "random": lambda **kw: RandomSearch(Toy(), **kw),
    "tpe": lambda **kw: TPESearchCV(Toy(), n_startup=3, **kw),
    "gp": lambda **kw: BayesSearchCV(Toy(), n_initial_points=3, n_candidates=50,
                                     n_restarts=1, **kw),
    "genetic": lambda **kw: GeneticSearchCV(Toy(), population_size=4, **kw),
    "pso": lambda **kw: PSOSearchCV(Toy(), swarm_size=4, **kw),
    "annealing": lambda **kw: AnnealingSearchCV(Toy(), n_chains=2, **kw),
    "coordinate": lambda **kw: CoordinateDescentSearchCV(Toy(), n_initial_points=3, **kw),
    "hyperband": lambda **kw: HyperbandSearchCV(
        Toy(), resource="budget", max_resources=9, factor=3, **kw),
    "bohb": lambda **kw: HyperbandSearchCV(
        Toy(), resource="budget", max_resources=9, factor=3,
        sampler="tpe", **kw),
}
MULTI_FIDELITY = ("hyperband", "bohb")


def _search(strategy, space, **kw):
    kw.setdefault("random_state", 0)
    if strategy in MULTI_FIDELITY:
        kw["n_iter"] = max(kw.get("n_iter", 13), 13)
        kw["min_resources"] = "exhaust"
    return STRATEGIES[strategy](param_distributions=space, cv=N_SPLITS, **kw)


def _fit(search):
    with joblib.parallel_config(backend="threading"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return search.fit(X, y)


# -- what was evaluated, fitted, journaled and told -----------------------------


def _full_params(candidate, budget=None):
    params = Toy().get_params(deep=False)
    params.update(candidate)
    if budget is not None:
        params["budget"] = budget
    return _canonical(params)


def _rows(search):
    """The evaluations of a fitted search: (canonical parameters with the
    resource, score) per row of cv_results_."""
    results = search.cv_results_
    return [
        (_full_params(p), float(s))
        for p, s in zip(results["params"], results["mean_test_score"])
    ]


def _journal_units(path, n=None, resource=False):
    lines = path.read_text().splitlines()[1:]
    units = []
    for line in lines if n is None else lines[:n]:
        record = json.loads(line)
        budget = record["more"].get("n_resources") if resource else None
        units.append(_full_params(_values(record["values"]), budget))
    return units


def _values(values):
    return {k: value_from_json(v) for k, v in values.items()}


def _fitted_units():
    """The evaluations fitted (every fold of each), the refit left out."""
    counts = collections.Counter(params for params, n in FITS if n < len(X))
    assert all(v % N_SPLITS == 0 for v in counts.values()), counts
    return collections.Counter({k: v // N_SPLITS for k, v in counts.items()})


def _same_score(told, evaluated):
    """A score told to a strategy is the evaluated one, NaN for a non-finite
    one (a strategy holds -inf as a failure)."""
    if not math.isfinite(evaluated):
        return math.isnan(told)
    return told == evaluated


def _exact(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


def _told(search, start=0, stop=None):
    opt = search.optimizer_
    stop = len(opt.y_) if stop is None else stop
    return [(_full_params(c), float(s)) for c, s in
            zip(opt.candidates_[start:stop], opt.y_[start:stop])]


def _strip_resource(unit, multi_fidelity):
    if not multi_fidelity:
        return unit
    params = json.loads(unit)
    params.pop("budget", None)
    return json.dumps(params, sort_keys=True)


def _assert_told_were_evaluated(told, evaluated, multi_fidelity):
    """Every told (candidate, score) pair is one of ``evaluated``."""
    by_params = collections.defaultdict(list)
    for params, score in evaluated:
        by_params[_strip_resource(params, multi_fidelity)].append(score)
    for params, score in told:
        key = _strip_resource(params, multi_fidelity)
        assert key in by_params, f"told a candidate never evaluated: {params}"
        assert any(_same_score(score, s) for s in by_params[key]), (
            f"told {params} the score {score}, evaluated {by_params[key]}"
        )


# -- the property --------------------------------------------------------------


@st.composite
def scenarios(draw):
    strategy = draw(st.sampled_from(sorted(STRATEGIES)))
    first = {
        "batch_size": draw(st.integers(1, 4)),
        "asynchronous": draw(st.booleans()),
        "n_jobs": draw(st.sampled_from([1, 2])),
        "n_iter": draw(st.integers(3, 10)),
    }
    second = dict(first)
    if draw(st.booleans()):
        second["batch_size"] = draw(st.integers(1, 4))
    if draw(st.booleans()):
        second["asynchronous"] = draw(st.booleans())
    second["n_jobs"] = draw(st.sampled_from([1, 2]))
    return {
        "space": draw(spaces()),
        "strategy": strategy,
        "first": first,
        "second": second,
        "kill": draw(st.sampled_from(["truncate", "callback"])),
        "cut": draw(st.floats(0.0, 1.0)),
        "change": draw(st.sampled_from(["widen", "narrow", "add", "remove", "same"])),
        "warm_from": draw(st.sampled_from(["journal", "search"])),
        "warm_into": draw(st.sampled_from(sorted(STRATEGIES))),
    }


def _changed(space, change):
    """The space widened (bounds, a choice added) or narrowed."""
    subs = [dict(s) for s in (space if isinstance(space, list) else [space])]
    for sub in subs:
        for name, dim in list(sub.items()):
            if isinstance(dim, Real):
                if change == "widen":
                    sub[name] = Real(dim.low / 2, dim.high * 2, log=dim.log)
                elif change == "narrow":
                    sub[name] = Real(dim.low, (dim.low + dim.high) / 2, log=dim.log)
            elif isinstance(dim, Integer):
                if change == "widen":
                    sub[name] = Integer(dim.low, dim.high + 3)
                elif change == "narrow" and dim.high > dim.low + 1:
                    sub[name] = Integer(dim.low + 1, dim.high)
            elif isinstance(dim, Categorical):
                choices = list(dim.choices)
                if change == "add":  # a new choice first: every index moves
                    sub[name] = Categorical(["new"] + choices)
                elif change == "remove" and len(choices) > 1:
                    sub[name] = Categorical(choices[1:])
                elif change == "widen":
                    sub[name] = Categorical(choices[::-1])  # the same, reordered
    return subs if isinstance(space, list) else subs[0]


def _in(space, candidate):
    """``candidate`` as ``space`` holds it (a number in the type of its
    dimension), or None if it is outside (checked here, independently). Of
    overlapping sub-spaces, the one whose numeric types are the candidate's."""
    for strict in (True, False):
        for sub in space if isinstance(space, list) else [space]:
            if set(sub) != set(candidate):
                continue
            out = {}
            for name, dim in sub.items():
                v = candidate[name]
                if isinstance(dim, Categorical):
                    same = [c for c in dim.choices if (type(c) is type(v) and repr(c) == repr(v))
                            or (isinstance(v, Opaque) and _canonical(c) == _canonical(v))]
                    if not same:
                        break
                    out[name] = v
                    continue
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    break
                integer = isinstance(dim, Integer)
                if strict and isinstance(v, int) != integer:
                    break
                if not dim.low <= v <= dim.high or (integer and v != int(v)):
                    break
                out[name] = int(v) if integer else float(v)
            else:
                return out
    return None


def _holders(space, unit):
    """How many sub-spaces hold the candidate of a unit (overlapping
    sub-spaces are distinct candidates to the search, as to GridSearchCV)."""
    params = {k: value_from_json(v) for k, v in json.loads(unit).items()}
    candidate = {k: v for k, v in params.items() if k != "budget" and v != "-"}
    return sum(_in(sub, candidate) is not None
               for sub in (space if isinstance(space, list) else [space]))


def _top_rows(search, multi_fidelity):
    results = search.cv_results_
    rows = list(zip(results["params"], results["mean_test_score"]))
    if multi_fidelity:
        top = max(results["n_resources"])
        rows = [
            ({k: v for k, v in p.items() if k != "budget"}, s)
            for (p, s), r in zip(rows, results["n_resources"]) if r == top
        ]
    return rows


@settings(max_examples=N_EXAMPLES, deadline=None, derandomize=DERANDOMIZE, print_blob=True,
          suppress_health_check=list(HealthCheck))
@given(scenarios())
def test_resume_and_warm_start_tell_only_what_was_evaluated(tmp_path_factory, case):
    tmp = tmp_path_factory.mktemp("property")
    strategy, space = case["strategy"], case["space"]
    multi = strategy in MULTI_FIDELITY
    first, second = case["first"], case["second"]

    # the uninterrupted run
    full_path = tmp / "full.jsonl"
    FITS.clear()
    try:
        full = _fit(_search(strategy, space, checkpoint=full_path, **first))
    except ValueError as exc:  # a tiny space whose every candidate fails
        assert str(exc).startswith("All the"), exc
        assume(False)
    full_rows = _rows(full)
    assert collections.Counter(u for u, _ in full_rows) == _fitted_units()
    _assert_told_were_evaluated(_told(full), full_rows, multi)

    # the kill: a journal cut after k whole records, or a run a callback stopped
    path = tmp / "cut.jsonl"
    lines = full_path.read_text().splitlines(keepends=True)
    k = int(case["cut"] * (len(lines) - 1))
    if case["kill"] == "truncate":
        path.write_text("".join(lines[: 1 + k]))
    else:
        calls = []

        def stop(search):
            calls.append(1)
            return len(calls) > k // max(first["batch_size"], 1)

        try:
            _fit(_search(strategy, space, checkpoint=path, callbacks=[stop], **first))
        except ValueError as exc:  # its few candidates all failed: the journal has them
            assert str(exc).startswith("All the"), exc
    journal = _journal_units(path, resource=multi)
    assert len(journal) <= len(full_rows)

    # the resume, with another batch_size, n_jobs or mode
    FITS.clear()
    try:
        resumed = _fit(_search(strategy, space, checkpoint=path, **second))
    except ValueError as exc:  # the journal's and the new evaluations all failed
        assert str(exc).startswith("All the"), exc
        assume(False)
    rows = _rows(resumed)
    fitted = _fitted_units()
    row_units = collections.Counter(u for u, _ in rows)
    assert resumed.n_resumed_ == len(journal)
    # every journaled evaluation is kept, each fitted evaluation is a row
    assert not collections.Counter(journal) - row_units
    assert not fitted - (row_units - collections.Counter(journal))
    if not multi:
        # a strategy never proposes a told candidate again: a candidate is
        # evaluated at most once per sub-space that holds it
        for unit in set(fitted) | set(journal):
            assert fitted[unit] + collections.Counter(journal)[unit] <= _holders(space, unit), (
                f"a journaled evaluation was fitted again: {unit}"
            )
    _assert_told_were_evaluated(_told(resumed), rows, multi)
    deterministic = not first["asynchronous"] and not second["asynchronous"] and (
        first["batch_size"] == second["batch_size"])
    if deterministic:
        assert [u for u, _ in rows] == [u for u, _ in full_rows]
        assert all(_exact(a, b) for (_, a), (_, b) in zip(rows, full_rows))
        assert list(resumed.cv_results_["iter"]) == list(full.cv_results_["iter"])
        assert fitted == collections.Counter(u for u, _ in full_rows) - collections.Counter(
            journal
        )

    # a warm start into a widened or narrowed space
    new_space = _changed(space, case["change"])
    source = full_path if case["warm_from"] == "journal" else full
    inside = [(_in(new_space, c), s) for c, s in _top_rows(full, multi)]
    inside = [(c, s) for c, s in inside if c is not None]
    warm = _search(case["warm_into"], new_space, n_iter=1, warm_start_from=source)
    try:
        _fit(warm)
    except ValueError as exc:
        # a finite space the source holds whole, or its one new candidate failed
        assert ("warm_start_from" in str(exc) and " all " in str(exc)) or (
            str(exc).startswith("All the")), exc
        if "warm_start_from" in str(exc):
            return
    assert warm.n_warm_start_ == len(inside)
    told = _told(warm, 0, warm.n_warm_start_)
    assert [u for u, _ in told] == [_full_params(c) for c, _ in inside]
    assert all(_same_score(a, float(b)) for (_, a), (_, b) in zip(told, inside))


# -- one real kill ---------------------------------------------------------------

_CHILD = """
import sys, time
sys.path.insert(0, {root!r})
import numpy as np
from sksearch import HyperbandSearchCV
from sksearch.space import Categorical, Real
from tests.test_resume_property import Toy, X, y


class Slow(Toy):
    def fit(self, X, y):
        time.sleep(0.02)
        return super().fit(X, y)


if __name__ == "__main__":
    space = {{"a": Real(0.1, 10.0, log=True), "b": Categorical([(1, 2), None, "x"])}}
    s = HyperbandSearchCV(Slow(), space, resource="budget", min_resources=1,
                          max_resources=9, n_iter=40, cv=2, random_state=3, batch_size=2,
                          checkpoint=sys.argv[1]).fit(X, y)
    print("RESUMED", s.n_resumed_)
    print("ROWS", [repr(p) for p in s.cv_results_["params"]])
    print("SCORES", list(map(repr, s.cv_results_["mean_test_score"])))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_sigkilled_multi_fidelity_search_resumes_to_the_uninterrupted_run(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(_CHILD.format(root=os.getcwd()))
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    cmd = [sys.executable, str(script)]
    fresh = subprocess.run(cmd + [str(tmp_path / "fresh.jsonl")], env=env,
                           capture_output=True, text=True, timeout=300)
    assert fresh.returncode == 0, fresh.stderr
    path = tmp_path / "j.jsonl"
    proc = subprocess.Popen(cmd + [str(path)], env=env, stdout=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= 8:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    n_killed = len(path.read_text().splitlines()) - 1
    out = subprocess.run(cmd + [str(path)], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    resumed, fresh_lines = out.stdout.splitlines(), fresh.stdout.splitlines()
    assert resumed[0] == f"RESUMED {n_killed}"
    assert resumed[1:] == fresh_lines[1:]  # the same rows, the same scores
