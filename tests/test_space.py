import math
import pickle

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hs
from sklearn.linear_model import LogisticRegression
from sklearn.svm import SVC

from sksearch.space import Categorical, Distribution, Integer, Real, Space

# -- hypothesis strategies for dimensions -----------------------------------

finite = hs.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
positive = hs.floats(1e-6, 1e6, allow_nan=False, allow_infinity=False)


@hs.composite
def reals(draw):
    log = draw(hs.booleans())
    lo = draw(positive if log else finite)
    width = draw(hs.floats(1e-3, 1e6))
    hi = lo * (1 + width) if log else lo + width
    return Real(lo, hi, log=log)


@hs.composite
def integers(draw):
    log = draw(hs.booleans())
    lo = draw(hs.integers(1, 1000) if log else hs.integers(-1000, 1000))
    hi = lo + draw(hs.integers(1, 10_000))
    return Integer(lo, hi, log=log)


categoricals = hs.lists(
    hs.one_of(hs.integers(), hs.text(max_size=5), hs.none(), hs.booleans()),
    min_size=1,
    max_size=6,
    unique_by=lambda v: (type(v), v),
).map(Categorical)

dimensions = hs.one_of(reals(), integers(), categoricals)
spaces = hs.one_of(
    hs.dictionaries(hs.text("abcdefgh", min_size=1, max_size=4), dimensions, max_size=4),
    hs.lists(
        hs.dictionaries(hs.text("abcdefgh", min_size=1, max_size=4), dimensions, max_size=3),
        min_size=1,
        max_size=3,
    ),
)


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], float):
            assert math.isclose(a[k], b[k], rel_tol=1e-9, abs_tol=1e-12), (k, a[k], b[k])
        else:
            assert a[k] == b[k] and type(a[k]) is type(b[k]), (k, a[k], b[k])


@settings(max_examples=150, deadline=None)
@given(spaces, hs.integers(0, 2**32 - 1))
def test_sample_encode_decode_round_trip(param_distributions, seed):
    space = Space(param_distributions)
    for candidate in space.sample(5, random_state=seed):
        vector = space.encode(candidate)
        active = space.active_mask(vector)
        assert np.isfinite(vector[active]).all()
        assert np.isnan(vector[~active]).all()
        assert (vector[active] >= 0).all() and (vector[active] <= space.upper[active]).all()
        _assert_same(space.decode(vector), candidate)
        # keys identify the decoded candidate
        assert space.key(space.snap(_fill(space, vector, seed))) == space.key(vector)


def _fill(space, vector, seed):
    """Inactive columns filled with prior draws, as population strategies carry them."""
    v = np.array(vector)
    holes = np.isnan(v)
    v[holes] = space.sample_vectors(1, seed)[0][holes]
    return v


@settings(max_examples=150, deadline=None)
@given(dimensions, hs.floats(0, 1))
def test_decoded_values_have_the_right_type_and_bounds(dim, u):
    u = u * (dim.n_values - 1) if dim.is_categorical else u
    value = dim.inverse_transform(u)
    if isinstance(dim, Real):
        assert type(value) is float and dim.low <= value <= dim.high
    elif isinstance(dim, Integer):
        assert type(value) is int and dim.low <= value <= dim.high
    else:
        assert any(value is c for c in dim.choices)


@settings(max_examples=100, deadline=None)
@given(integers())
def test_integer_encoding_gives_each_value_an_equal_share(dim):
    n = dim.n_values
    if n > 2000:
        return
    # every integer is reachable and its share boundaries are ordered
    us = [dim.transform(v) for v in range(dim.low, dim.high + 1)]
    assert all(0 < u < 1 for u in us) and us == sorted(us)
    for v, u in zip(range(dim.low, dim.high + 1), us):
        assert dim.inverse_transform(u) == v


def test_log_prior_is_uniform_in_log_space():
    space = Space({"x": Real(1e-4, 1e4, log=True)})
    xs = np.array([c["x"] for c in space.sample(4000, random_state=0)])
    logs = np.log10(xs)
    # a quarter of the draws in each of the four 2-decade bins
    counts, _ = np.histogram(logs, bins=[-4, -2, 0, 2, 4])
    assert (np.abs(counts / 4000 - 0.25) < 0.03).all()
    ints = np.array([c["n"] for c in Space({"n": Integer(1, 1000, log=True)}).sample(4000, 0)])
    assert 0.2 < np.mean(ints <= 10) < 0.45  # log: a third of the mass below 10


def test_scipy_distributions_follow_their_prior():
    space = Space({"c": st.loguniform(1e-3, 1e3), "k": st.randint(1, 5), "u": st.uniform(2, 3)})
    samples = space.sample(3000, random_state=1)
    c = np.array([s["c"] for s in samples])
    k = np.array([s["k"] for s in samples])
    assert all(type(s["k"]) is int and type(s["c"]) is float for s in samples)
    assert set(k) == {1, 2, 3, 4}
    assert abs(np.mean(c < 1) - 0.5) < 0.04
    assert all(2 <= s["u"] <= 5 for s in samples)
    for s in samples[:20]:
        _assert_same(space.decode(space.encode(s)), s)


def test_unbounded_distribution_decodes_finite():
    dim = Distribution(st.norm(0, 1))
    dim._validate("x")
    assert math.isfinite(dim.inverse_transform(0.0))
    assert math.isfinite(dim.inverse_transform(1.0))


def test_estimator_choices_are_fresh_clones():
    svc = SVC(C=3.0)
    space = Space({"clf": [svc, LogisticRegression()]})
    a = space.decode(np.array([0.0]))["clf"]
    b = space.decode(np.array([0.0]))["clf"]
    assert a is not svc and b is not a and a.C == 3.0
    # a clone encodes back to its choice
    assert space.encode({"clf": a})[0] == 0.0
    assert space.encode({"clf": LogisticRegression()})[0] == 1.0


def test_non_estimator_choice_is_the_original_object():
    shape = (10, 5)
    space = Space({"hidden_layer_sizes": [shape, (20,)]})
    assert space.decode(np.array([0.0]))["hidden_layer_sizes"] is shape


def test_subspaces_never_mix_parameters():
    space = Space([{"a": Real(0, 1), "b": [1, 2]}, {"c": Integer(0, 5)}, {}])
    seen = set()
    for cand in space.sample(200, random_state=0):
        assert set(cand) in ({"a", "b"}, {"c"}, set())
        seen.add(frozenset(cand))
    assert len(seen) == 3
    assert space.size == math.inf


def test_size_of_finite_spaces():
    assert Space({"a": [1, 2, 3], "b": Integer(1, 4)}).size == 12
    assert Space([{"a": [1, 2]}, {"b": ["x"]}]).size == 3
    assert Space({"k": st.randint(0, 10)}).size == 10


def test_encode_rejects_foreign_candidates():
    space = Space({"a": Real(0, 1), "b": ["x", "y"]})
    with pytest.raises(ValueError, match="does not belong"):
        space.encode({"a": 2.0, "b": "x"})
    with pytest.raises(ValueError, match="does not belong"):
        space.encode({"a": 0.5, "b": "z"})
    with pytest.raises(ValueError, match="does not belong"):
        space.encode({"a": 0.5})


def test_categorical_distinguishes_bool_int_and_str():
    dim = Categorical([1, True, "1"])
    dim._validate("x")
    assert dim.index(True) == 1 and dim.index(1) == 0 and dim.index("1") == 2


@pytest.mark.parametrize(
    "value, error, match",
    [
        ((1, 0), ValueError, r"param_distributions\['p'\]: Integer needs low < high"),
        ((1.0, 0.5), ValueError, r"param_distributions\['p'\]: Real needs low < high"),
        ((0.0, 1.0, "log-uniform"), ValueError, "log=True needs low > 0"),
        ((0.0, np.inf), ValueError, "high must be finite"),
        ([], ValueError, "at least one choice"),
        ("rbf", TypeError, "string"),
        (3.0, TypeError, "expected a list of choices"),
        ({"a": 1}, TypeError, "expected a list of choices"),
    ],
)
def test_bad_dimensions_name_the_parameter(value, error, match):
    with pytest.raises(error, match=match):
        Space({"p": value})


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: Real(1, 0), ValueError, r"^Real needs low < high, got low=1, high=0"),
        (lambda: Real(1, 1), ValueError, "low < high"),
        (lambda: Real(0, 1, log=True), ValueError, "log=True needs low > 0"),
        (lambda: Real(-1, 1, log=True), ValueError, "log=True needs low > 0"),
        (lambda: Real("a", 1), TypeError, "low must be a number"),
        (lambda: Real(0, np.inf), ValueError, "high must be finite"),
        (lambda: Real(0, 1, log="yes"), TypeError, "log must be True or False"),
        (lambda: Integer(5, 1), ValueError, r"^Integer needs low < high, got low=5, high=1"),
        (lambda: Integer(0, 10, log=True), ValueError, "log=True needs low > 0"),
        (lambda: Integer(1.5, 10), ValueError, "low must be an integer"),
        (lambda: Categorical([]), ValueError, "at least one choice"),
        (lambda: Categorical("abc"), TypeError, "list of values"),
    ],
)
def test_bad_dimensions_are_refused_when_made(make, error, match):
    # the line that wrote Real(1, 0) fails, not a fit much later
    with pytest.raises(error, match=match):
        make()


def test_a_dimension_changed_after_it_was_made_is_checked_at_parse():
    dim = Real(0, 1)
    dim.low = 2
    with pytest.raises(ValueError, match=r"param_distributions\['p'\]: Real needs low < high"):
        Space({"p": dim})


def test_bad_space_containers():
    with pytest.raises(TypeError, match="param_distributions must be a dict"):
        Space("C")
    with pytest.raises(ValueError, match="empty list"):
        Space([])
    with pytest.raises(TypeError, match=r"param_distributions\[1\] must be a dict"):
        Space([{"a": [1]}, [1]])
    with pytest.raises(ValueError, match=r"param_distributions\[1\]\['b'\]"):
        Space([{"a": [1]}, {"b": (2.0, 1.0)}])
    with pytest.raises(TypeError, match="names must be strings"):
        Space({1: [1, 2]})


def test_space_pickles_and_decodes_the_same():
    space = Space([{"clf": [SVC()], "clf__C": Real(1e-2, 1e2, log=True)}, {"k": st.randint(1, 9)}])
    again = pickle.loads(pickle.dumps(space))
    for v in space.sample_vectors(10, random_state=3):
        a, b = space.decode(v), again.decode(v)
        assert a.keys() == b.keys()
        assert repr(a) == repr(b)
