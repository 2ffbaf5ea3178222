"""Search spaces: what users pass as ``param_distributions``, and its encoding.

Every strategy in :mod:`sksearch.optimizers` works in one shared numeric
encoding, provided by :class:`Space`:

* a numeric dimension is mapped to ``[0, 1]`` through its prior: linearly for
  ``Real``/``Integer``, in log space for ``log=True``, and through the
  cumulative distribution function for a scipy.stats frozen distribution (so
  sampling ``u ~ U(0, 1)`` and decoding reproduces the prior exactly);
* a categorical dimension is encoded as the index of the choice (``0.0``,
  ``1.0``, ...);
* a list of dicts (sub-spaces) becomes one flat vector: column 0 is the choice
  of sub-space (a categorical), followed by the columns of every sub-space in
  turn. Columns of the sub-spaces a vector does not select are *inactive*:
  :meth:`Space.decode` ignores them and :meth:`Space.encode` sets them to NaN.

So GP, TPE, PSO, GA and annealing share one encoding instead of four, and a
candidate from one sub-space never carries another sub-space's parameters.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["Categorical", "Dimension", "Distribution", "Integer", "Real", "Space"]

# Quantiles are clipped away from 0 and 1 so that unbounded distributions
# (a normal prior, a Poisson) decode to finite values.
_EPS = 1e-12
# Two encoded numeric values closer than this are the same candidate.
_KEY_DECIMALS = 9


def as_generator(random_state=None):
    """Return a :class:`numpy.random.Generator` for ``random_state``.

    Accepts ``None``, an int, a ``numpy.random.Generator`` or a legacy
    ``numpy.random.RandomState`` (from which a seed is drawn, as sklearn's
    ``check_random_state`` users expect).
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.default_rng(random_state)
    raise TypeError(
        "random_state must be None, an int, a numpy Generator or RandomState; "
        f"got {random_state!r}."
    )


def _is_estimator(obj):
    return hasattr(obj, "get_params") and not isinstance(obj, type)


def _same_value(a, b):
    """Whether ``b`` is the choice ``a`` (estimators compare by class and params)."""
    if a is b:
        return True
    if _is_estimator(a) or _is_estimator(b):
        if type(a) is not type(b):
            return False
        pa, pb = a.get_params(deep=False), b.get_params(deep=False)
        return pa.keys() == pb.keys() and all(_same_value(pa[k], pb[k]) for k in pa)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b) and (isinstance(a, (str, bool)) or isinstance(b, (str, bool))):
        # "1" != 1 and True is not the choice 1, even though True == 1.
        return False
    try:
        eq = a == b
        if isinstance(eq, (bool, np.bool_)):
            return bool(eq)
        eq = np.asarray(eq)
        return eq.shape == np.shape(a) == np.shape(b) and bool(eq.all())
    except Exception:  # incomparable objects are different choices
        return False


class Dimension:
    """One searched parameter. Subclasses define the prior and the encoding.

    ``kind`` is ``"real"``, ``"integer"`` or ``"categorical"``. Numeric
    dimensions encode to ``[0, 1]``; categorical ones to the choice index.
    """

    kind = None

    @property
    def is_categorical(self):
        return self.kind == "categorical"

    @property
    def n_values(self):
        """Number of distinct values, or ``None`` when continuous."""
        return None

    def _validate(self, where):
        """Raise a ValueError/TypeError that names ``where`` if ill-defined."""

    def transform(self, value):
        """Encode ``value``; raise ``ValueError`` if it is not in the dimension."""
        raise NotImplementedError

    def inverse_transform(self, u):
        """Decode an encoded float to a plain Python value of the right type."""
        raise NotImplementedError

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def __hash__(self):
        return hash((type(self).__name__, repr(self._key())))

    def _key(self):
        return tuple(sorted(vars(self).items()))


def _check_bounds(where, name, low, high, log, integral):
    """Raise if ``low``, ``high``, ``log`` do not make a range; ``where``
    (``"param_distributions['C']: "``, or ``""`` when the dimension is made)
    starts the message."""
    for label, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{where}{name} {label} must be a number, got {value!r}.")
        if not math.isfinite(value):
            raise ValueError(f"{where}{name} {label} must be finite, got {value!r}.")
        if integral and float(value) != int(value):
            raise ValueError(f"{where}{name} {label} must be an integer, got {value!r}.")
    if low >= high:
        raise ValueError(
            f"{where}{name} needs low < high, got low={low!r}, high={high!r}."
        )
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"{where}{name} log must be True or False, got {log!r}.")
    if log and low <= 0:
        raise ValueError(
            f"{where}{name} with log=True needs low > 0, got low={low!r}."
        )


class Real(Dimension):
    """A continuous parameter in ``[low, high]``, sampled uniformly.

    Parameters
    ----------
    low, high : float
        Inclusive bounds, ``low < high``.
    log : bool, default=False
        Sample and search uniformly in ``log(x)`` (a log-uniform prior), as
        for a regularisation strength ``C`` or a learning rate. Needs
        ``low > 0``.

    Examples
    --------
    >>> from sksearch.space import Real
    >>> Real(1e-3, 1e3, log=True).inverse_transform(0.5)
    1.0
    """

    kind = "real"

    def __init__(self, low, high, log=False):
        # refused when made, not only when a search parses it: the line that
        # wrote Real(1, 0) is the one to fix
        _check_bounds("", "Real", low, high, log, integral=False)
        self.low = low
        self.high = high
        self.log = log

    def __repr__(self):
        return f"Real({self.low!r}, {self.high!r}, log={self.log!r})"

    def _validate(self, where):
        _check_bounds(f"{where}: ", "Real", self.low, self.high, self.log, integral=False)

    def _f(self, x):
        return math.log(x) if self.log else float(x)

    def transform(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{value!r} is not a number")
        if not self.low <= value <= self.high:
            raise ValueError(f"{value!r} is outside [{self.low}, {self.high}]")
        lo, hi = self._f(self.low), self._f(self.high)
        return (self._f(value) - lo) / (hi - lo)

    def inverse_transform(self, u):
        u = min(max(float(u), 0.0), 1.0)
        lo, hi = self._f(self.low), self._f(self.high)
        x = lo + u * (hi - lo)
        x = math.exp(x) if self.log else x
        return float(min(max(x, self.low), self.high))


class Integer(Dimension):
    """An integer parameter in ``[low, high]`` (both included), sampled uniformly.

    Each integer owns an equal share of ``[0, 1]`` (of log space with
    ``log=True``), so a uniform draw in the encoding is a uniform draw of the
    integers, and continuous strategies round on decode.

    Parameters
    ----------
    low, high : int
        Inclusive bounds, ``low < high``.
    log : bool, default=False
        Log-uniform prior (small values as likely per decade as large ones),
        as for ``n_estimators``. Needs ``low > 0``.

    Examples
    --------
    >>> from sksearch.space import Integer
    >>> Integer(1, 10).inverse_transform(0.999)
    10
    """

    kind = "integer"

    def __init__(self, low, high, log=False):
        _check_bounds("", "Integer", low, high, log, integral=True)
        self.low = low
        self.high = high
        self.log = log

    def __repr__(self):
        return f"Integer({self.low!r}, {self.high!r}, log={self.log!r})"

    @property
    def n_values(self):
        return int(self.high) - int(self.low) + 1

    def _validate(self, where):
        _check_bounds(f"{where}: ", "Integer", self.low, self.high, self.log, integral=True)

    def _edges(self):
        lo, hi = int(self.low) - 0.5, int(self.high) + 0.5
        if self.log:
            return math.log(lo), math.log(hi)
        return lo, hi

    def transform(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{value!r} is not an integer")
        if float(value) != int(value):
            raise ValueError(f"{value!r} is not an integer")
        value = int(value)
        if not int(self.low) <= value <= int(self.high):
            raise ValueError(f"{value!r} is outside [{self.low}, {self.high}]")
        lo, hi = self._edges()
        # the middle of the value's share of [0, 1]
        if self.log:
            mid = 0.5 * (math.log(value - 0.5) + math.log(value + 0.5))
        else:
            mid = float(value)
        return (mid - lo) / (hi - lo)

    def inverse_transform(self, u):
        u = min(max(float(u), 0.0), 1.0)
        lo, hi = self._edges()
        x = lo + u * (hi - lo)
        x = math.exp(x) if self.log else x
        return int(min(max(math.floor(x + 0.5), int(self.low)), int(self.high)))

    def shares(self, u):
        """Lower and upper edges, in the encoding, of the share of ``[0, 1]``
        owned by the integer each encoded value of the array ``u`` decodes
        to (vectorised; the shares of all the integers tile ``[0, 1]``)."""
        lo, hi = self._edges()
        x = lo + np.clip(np.asarray(u, dtype=float), 0.0, 1.0) * (hi - lo)
        x = np.exp(x) if self.log else x
        v = np.clip(np.floor(x + 0.5), int(self.low), int(self.high))
        f = np.log if self.log else (lambda t: t)
        return (f(v - 0.5) - lo) / (hi - lo), (f(v + 0.5) - lo) / (hi - lo)


def _check_choices(where, choices):
    if isinstance(choices, (str, bytes)) or not isinstance(choices, (Sequence, np.ndarray)):
        raise TypeError(
            f"{where}Categorical choices must be a list of values, got {choices!r}."
        )
    if isinstance(choices, np.ndarray) and choices.ndim != 1:
        raise ValueError(
            f"{where}Categorical choices must be one-dimensional, got an "
            f"array of shape {choices.shape}."
        )
    if len(choices) == 0:
        raise ValueError(f"{where}Categorical needs at least one choice, got [].")


class Categorical(Dimension):
    """A choice among ``choices``, each equally likely a priori.

    Choices may be any objects: numbers, strings, ``None``, tuples, and
    estimators (``Categorical([SVC(), LogisticRegression()])``). An
    estimator choice is cloned each time it is decoded, so fits never share
    an estimator object.

    Parameters
    ----------
    choices : sequence
        Non-empty sequence of the values to choose from.

    Examples
    --------
    >>> from sksearch.space import Categorical
    >>> Categorical(["rbf", "linear"]).inverse_transform(1.0)
    'linear'
    """

    kind = "categorical"

    def __init__(self, choices):
        _check_choices("", choices)
        self.choices = choices

    def __repr__(self):
        return f"Categorical({self.choices!r})"

    def _key(self):
        return tuple(repr(c) for c in self.choices)

    @property
    def n_values(self):
        return len(self.choices)

    def _validate(self, where):
        choices = self.choices
        _check_choices(f"{where}: ", choices)
        # A plain list from here on; numpy scalars become Python scalars so
        # that decoded values have plain Python types.
        self.choices = [c.item() if isinstance(c, np.generic) else c for c in choices]

    def index(self, value):
        """Index of ``value`` among the choices; ``ValueError`` if absent."""
        for i, choice in enumerate(self.choices):
            if choice is value:
                return i
        for i, choice in enumerate(self.choices):
            if _same_value(choice, value):
                return i
        raise ValueError(f"{value!r} is not one of the choices")

    def transform(self, value):
        return float(self.index(value))

    def inverse_transform(self, u):
        i = int(min(max(round(float(u)), 0), len(self.choices) - 1))
        choice = self.choices[i]
        if _is_estimator(choice):
            from sklearn.base import clone

            return clone(choice)
        return choice


class Distribution(Dimension):
    """A scipy.stats frozen distribution used as a prior.

    Encodes through the distribution's CDF, so an existing
    ``RandomizedSearchCV`` ``param_distributions`` (``loguniform(1e-3, 1e3)``,
    ``randint(1, 20)``, ``uniform(0, 1)``, ...) is searched with the same
    prior it was sampled from. Continuous distributions decode to ``float``,
    discrete ones to ``int``.

    Parameters
    ----------
    dist : scipy.stats frozen distribution
    """

    def __init__(self, dist):
        self.dist = dist

    def __repr__(self):
        d = self.dist
        name = getattr(getattr(d, "dist", None), "name", type(d).__name__)
        return f"Distribution({name}{tuple(getattr(d, 'args', ()))})"

    def _key(self):
        d = self.dist
        return (
            getattr(getattr(d, "dist", None), "name", type(d).__name__),
            repr(getattr(d, "args", ())),
            repr(sorted(getattr(d, "kwds", {}).items())),
        )

    @property
    def kind(self):
        from scipy import stats

        return "integer" if isinstance(getattr(self.dist, "dist", None), stats.rv_discrete) else "real"

    @property
    def n_values(self):
        if self.kind != "integer":
            return None
        lo, hi = self.dist.support()
        if math.isfinite(lo) and math.isfinite(hi):
            return int(hi) - int(lo) + 1
        return None

    def _validate(self, where):
        if not (hasattr(self.dist, "ppf") and hasattr(self.dist, "cdf")):
            raise TypeError(
                f"{where}: a distribution must be a scipy.stats frozen distribution "
                f"(with ppf and cdf), got {self.dist!r}."
            )

    def transform(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{value!r} is not a number")
        lo, hi = self.dist.support()
        if not lo <= value <= hi:
            raise ValueError(f"{value!r} is outside the support [{lo}, {hi}]")
        if self.kind == "integer":
            if float(value) != int(value):
                raise ValueError(f"{value!r} is not an integer")
            u = 0.5 * (float(self.dist.cdf(value - 1)) + float(self.dist.cdf(value)))
        else:
            u = float(self.dist.cdf(value))
        return min(max(u, 0.0), 1.0)

    def inverse_transform(self, u):
        u = min(max(float(u), _EPS), 1.0 - _EPS)
        x = float(self.dist.ppf(u))
        if self.kind == "integer":
            lo, hi = self.dist.support()
            return int(min(max(x, lo), hi))
        return x

    def shares(self, u):
        """For a discrete distribution: the edges ``[cdf(v - 1), cdf(v)]`` of
        the share of ``[0, 1]`` owned by the value ``v`` each encoded value of
        the array ``u`` decodes to (see :meth:`Integer.shares`)."""
        u = np.clip(np.asarray(u, dtype=float), _EPS, 1.0 - _EPS)
        lo, hi = self.dist.support()
        v = np.clip(self.dist.ppf(u), lo, hi)
        return self.dist.cdf(v - 1), self.dist.cdf(v)


# -- what scikit-optimize and Optuna code carries ------------------------------
#
# Their search spaces are read here, so that a search written for them runs
# unchanged: skopt's tuple ranges and skopt.space objects, Optuna's
# distributions. Neither library is imported: their objects are recognised by
# the module that defines them, so sksearch depends on neither.

_PRIORS = {"uniform": False, "log-uniform": True}


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _range(where, low, high, log, *, integral):
    """``Integer`` when both bounds are integers (as scikit-optimize decides),
    else ``Real``; the bounds are checked with ``where`` in the message."""
    name = "Integer" if integral else "Real"
    _check_bounds(f"{where}: ", name, low, high, log, integral=integral)
    return Integer(low, high, log=log) if integral else Real(low, high, log=log)


def _parse_tuple(value, where):
    """scikit-optimize's ``(low, high)``, ``(low, high, prior)`` and
    ``(low, high, prior, base)`` ranges, or ``None`` when ``value`` is none of
    them (then, as in scikit-optimize, a tuple of choices).

    A range of two integers is an ``Integer``, one with a float bound a
    ``Real``; ``prior`` is ``"uniform"`` or ``"log-uniform"`` (any ``base``
    of the logarithm gives the same log-uniform prior, so ``base`` is checked
    and otherwise ignored).
    """
    if not 2 <= len(value) <= 4 or not (_is_number(value[0]) and _is_number(value[1])):
        return None
    low, high, *rest = value
    if len(value) == 2:
        if not all(_is_number(v) for v in value):
            return None
        log = False
    else:
        prior = rest[0]
        if not isinstance(prior, str):
            return None  # (1, 2, 3): choices, as scikit-optimize reads them
        if prior not in _PRIORS:
            raise ValueError(
                f"{where}: unknown prior {prior!r} in {value!r}; a range (low, high, "
                "prior) takes 'uniform' or 'log-uniform' (Real(low, high, log=True) "
                f"in sksearch). For choices, write a list: {list(value)!r}."
            )
        log = _PRIORS[prior]
        if len(value) == 4:
            base = rest[1]
            if not _is_number(base) or base <= 0 or base == 1:
                raise ValueError(
                    f"{where}: the base of a log-uniform range must be a number > 0 "
                    f"other than 1, got {base!r}."
                )
            if not log:
                raise ValueError(
                    f"{where}: a range (low, high, prior, base) needs prior "
                    f"'log-uniform', got {prior!r}."
                )
    integral = all(isinstance(v, numbers.Integral) for v in (low, high))
    return _range(where, low, high, log, integral=integral)


def _peer_class(value, module):
    """Name of the first class of ``value``'s type defined in ``module``."""
    for klass in type(value).__mro__:
        if getattr(klass, "__module__", "").startswith(module):
            return klass.__name__
    return None


def _parse_skopt(value, where, kind):
    """A ``skopt.space`` Real, Integer or Categorical as an sksearch dimension."""
    if kind in ("Real", "Integer"):
        prior = getattr(value, "prior", "uniform")
        if prior not in _PRIORS:
            raise ValueError(f"{where}: skopt {kind} with prior {prior!r} has no "
                             "sksearch equivalent; use 'uniform' or 'log-uniform'.")
        low, high = value.low, value.high
        if kind == "Integer":
            low, high = int(low), int(high)
        return _range(where, low, high, _PRIORS[prior], integral=kind == "Integer")
    if kind == "Categorical":
        weights = getattr(value, "prior", None)
        choices = list(value.categories)
        if weights is not None and not np.allclose(weights, 1.0 / len(choices)):
            raise ValueError(
                f"{where}: skopt Categorical with prior={list(weights)!r}; sksearch "
                "draws every choice with equal probability (repeat a choice in a list "
                "to weigh it, as for RandomizedSearchCV)."
            )
        _check_choices(f"{where}: ", choices)
        return Categorical(choices)
    raise TypeError(
        f"{where}: skopt.space.{kind} has no sksearch equivalent; use Real, Integer "
        "or Categorical from sksearch.space (or skopt's)."
    )


def _parse_optuna(value, where, kind):
    """An Optuna distribution as an sksearch dimension."""
    if kind == "CategoricalDistribution":
        choices = list(value.choices)
        _check_choices(f"{where}: ", choices)
        return Categorical(choices)
    if kind in ("FloatDistribution", "IntDistribution"):
        integral = kind == "IntDistribution"
        low, high = value.low, value.high
        log, step = bool(value.log), value.step
        if low == high:  # Optuna allows a one-value range
            return Categorical([int(low) if integral else float(low)])
        if step is not None and (not integral or step != 1):
            # a grid of values low, low + step, ..., as Optuna suggests them
            n = int(math.floor((high - low) / step + 1e-9)) + 1
            values = [low + k * step for k in range(n)]
            values = [int(v) for v in values] if integral else [float(v) for v in values]
            _check_choices(f"{where}: ", values)
            return Categorical(values)
        return _range(where, low, high, log, integral=integral)
    raise TypeError(
        f"{where}: optuna.distributions.{kind} has no sksearch equivalent; use "
        "FloatDistribution, IntDistribution or CategoricalDistribution, or Real, "
        "Integer or Categorical from sksearch.space."
    )


def _parse_value(value, where):
    """Turn one value of a ``param_distributions`` dict into a Dimension."""
    skopt_kind = _peer_class(value, "skopt.space")
    optuna_kind = _peer_class(value, "optuna.distributions")
    if isinstance(value, Dimension):
        dim = value
    elif skopt_kind is not None:
        dim = _parse_skopt(value, where, skopt_kind)
    elif optuna_kind is not None:
        dim = _parse_optuna(value, where, optuna_kind)
    elif hasattr(value, "rvs") and (hasattr(value, "ppf") or not isinstance(value, Sequence)):
        dim = Distribution(value)
    elif isinstance(value, (str, bytes)):
        raise TypeError(
            f"{where}: expected a list of choices, a scipy.stats distribution, or "
            f"Real/Integer/Categorical; got the string {value!r} "
            f"(write [{value!r}] for a single choice)."
        )
    elif isinstance(value, tuple) and (dim := _parse_tuple(value, where)) is not None:
        pass
    elif isinstance(value, (Sequence, np.ndarray)):
        _check_choices(f"{where}: ", value)
        dim = Categorical(value)
    else:
        raise TypeError(
            f"{where}: expected a list of choices, a scipy.stats distribution, or "
            f"Real/Integer/Categorical; got {value!r} of type {type(value).__name__}."
        )
    dim._validate(where)
    return dim


class Space:
    """The parsed search space, with the encoding all strategies share.

    Parameters
    ----------
    param_distributions : dict or list of dict
        Parameter names (``step__param`` in a Pipeline) mapped to a list of
        choices, a scipy.stats frozen distribution, or a :class:`Real`,
        :class:`Integer` or :class:`Categorical`. A list of dicts is a union
        of sub-spaces, as ``GridSearchCV``'s ``param_grid`` list: a candidate
        is drawn from one sub-space and holds only that sub-space's
        parameters.

    Attributes
    ----------
    subspaces : list of dict
        For each sub-space, its parameter names (sorted) mapped to Dimensions.
    columns : list of tuple
        ``(subspace_index, name, dimension)`` for each column of the encoded
        vector. Column 0 is the sub-space selector, ``(None, None,
        Categorical)``, when there are several sub-spaces.
    n_dims : int
        Length of an encoded vector.
    is_categorical : ndarray of bool, shape (n_dims,)
    n_choices : ndarray of int, shape (n_dims,)
        Number of choices of each categorical column, 0 for numeric ones.
    column_subspace : ndarray of int, shape (n_dims,)
        Sub-space of each column; -1 for the selector.
    size : int or float
        Number of distinct candidates, ``inf`` when a dimension is continuous.

    Examples
    --------
    >>> import numpy as np
    >>> from sksearch.space import Space, Real
    >>> space = Space({"C": Real(1e-3, 1e3, log=True), "kernel": ["rbf", "linear"]})
    >>> space.decode(np.array([0.5, 1.0]))
    {'C': 1.0, 'kernel': 'linear'}
    >>> space.encode({"C": 1000.0, "kernel": "rbf"})
    array([1., 0.])
    """

    def __init__(self, param_distributions):
        if isinstance(param_distributions, Mapping):
            dicts, multi = [param_distributions], False
        elif isinstance(param_distributions, (list, tuple)):
            dicts, multi = list(param_distributions), True
            if not dicts:
                raise ValueError("param_distributions is an empty list; give at least one dict.")
        else:
            raise TypeError(
                "param_distributions must be a dict or a list of dicts, got "
                f"{type(param_distributions).__name__}."
            )
        self.param_distributions = param_distributions
        self.subspaces = []
        for i, d in enumerate(dicts):
            prefix = f"param_distributions[{i}]" if multi else "param_distributions"
            if (
                isinstance(d, tuple) and len(d) == 2 and isinstance(d[0], Mapping)
                and isinstance(d[1], numbers.Integral)
            ):
                raise TypeError(
                    f"{prefix} is a (dict, n_iter) pair, scikit-optimize's way to give "
                    "each sub-space its own budget. sksearch searches the sub-spaces "
                    "together, with one budget: pass the list of dicts and n_iter="
                    "the total."
                )
            if not isinstance(d, Mapping):
                raise TypeError(f"{prefix} must be a dict, got {type(d).__name__}.")
            sub = {}
            for name in sorted(d, key=str):
                if not isinstance(name, str):
                    raise TypeError(f"{prefix}: parameter names must be strings, got {name!r}.")
                sub[name] = _parse_value(d[name], f"{prefix}[{name!r}]")
            self.subspaces.append(sub)

        columns = []
        if len(self.subspaces) > 1:
            selector = Categorical(list(range(len(self.subspaces))))
            selector._validate("param_distributions")
            columns.append((None, None, selector))
        for s, sub in enumerate(self.subspaces):
            columns.extend((s, name, dim) for name, dim in sub.items())
        self.columns = columns
        self.n_dims = len(columns)
        self.n_subspaces = len(self.subspaces)
        self.is_categorical = np.array([c[2].is_categorical for c in columns], dtype=bool)
        self.n_choices = np.array(
            [c[2].n_values if c[2].is_categorical else 0 for c in columns], dtype=int
        )
        self.column_subspace = np.array(
            [-1 if c[0] is None else c[0] for c in columns], dtype=int
        )
        self._sub_columns = [
            np.flatnonzero(self.column_subspace == s) for s in range(self.n_subspaces)
        ]
        self._twins = self._twin_columns()
        self.size = sum(self._subspace_size(sub) for sub in self.subspaces)

    def _twin_columns(self):
        """For each sub-space, ``(column, twins)`` pairs: the columns of the
        parameters it shares with other sub-spaces (the same name and the
        same dimension), each with the other sub-spaces' columns of that
        parameter. Empty for a space of one dict."""
        by_param = {}
        for j, (s, name, dim) in enumerate(self.columns):
            if s is not None:
                by_param.setdefault((name, dim), []).append(j)
        out = [[] for _ in range(self.n_subspaces)]
        for cols in by_param.values():
            if len(cols) > 1:
                for j in cols:
                    out[self.column_subspace[j]].append((j, [t for t in cols if t != j]))
        return out

    @staticmethod
    def _subspace_size(sub):
        size = 1
        for dim in sub.values():
            if dim.n_values is None:
                return math.inf
            size *= dim.n_values
        return size

    def __repr__(self):
        return f"Space({self.param_distributions!r})"

    # -- the encoded vector ------------------------------------------------
    @property
    def upper(self):
        """Upper bound of each column (1 for numeric, n_choices - 1 otherwise)."""
        return np.where(self.is_categorical, np.maximum(self.n_choices - 1, 0), 1.0)

    def subspace_of(self, vector):
        """Index of the sub-space a vector selects."""
        if self.n_subspaces == 1:
            return 0
        return int(min(max(round(float(vector[0])), 0), self.n_subspaces - 1))

    def mirror(self, vector, subspace=None):
        """Copy the values of sub-space ``subspace``'s parameters (default: the
        one ``vector`` selects) into the inactive columns of the same
        parameters (the same name and dimension) in the other sub-spaces, in
        place; returns ``vector``. A no-op for a space of one dict.

        Strategies that carry inactive columns (a genome's genes) use it so
        that a vector moved to another sub-space keeps the parameters the two
        share, such as the learning rate of every depth of an MLP space."""
        if self.n_subspaces > 1:
            s = self.subspace_of(vector) if subspace is None else subspace
            for j, twins in self._twins[s]:
                for t in twins:
                    vector[t] = vector[j]
        return vector

    def active_mask(self, vector):
        """Boolean mask of the columns that ``vector`` uses."""
        return self.active_masks(np.asarray(vector, dtype=float)[None, :])[0]

    def active_masks(self, vectors):
        """Boolean masks, shape ``(m, n_dims)``, of the columns each row of
        ``vectors`` uses (vectorised :meth:`active_mask`)."""
        V = np.atleast_2d(np.asarray(vectors, dtype=float))
        if self.n_subspaces == 1:
            return np.ones(V.shape, dtype=bool)
        sub = np.clip(np.round(V[:, 0]), 0, self.n_subspaces - 1).astype(int)
        cs = self.column_subspace
        return (cs[None, :] == sub[:, None]) | (cs[None, :] == -1)

    def sample_vectors(self, n, random_state=None):
        """``n`` encoded vectors drawn from the prior, every column filled.

        The sub-space is drawn uniformly (as sklearn's ``ParameterSampler``
        does for a list of dicts); inactive columns hold random values too, so
        population strategies can carry them.
        """
        rng = as_generator(random_state)
        out = rng.random((n, self.n_dims))
        cat = self.is_categorical
        if cat.any():
            out[:, cat] = np.floor(out[:, cat] * self.n_choices[cat])
        return out

    def sample(self, n, random_state=None):
        """``n`` candidates (dicts) drawn from the prior."""
        return [self.decode(v) for v in self.sample_vectors(n, random_state)]

    def snap(self, vector):
        """Canonical copy of ``vector``: clipped to bounds, categoricals to
        integer indices, integers to the middle of their share. Inactive
        columns are left as they are.
        """
        v = np.array(vector, dtype=float, copy=True)
        active = self.active_mask(v)
        for j in np.flatnonzero(active):
            dim = self.columns[j][2]
            if dim.is_categorical:
                v[j] = float(min(max(round(v[j]), 0), dim.n_values - 1))
            else:
                u = min(max(v[j], 0.0), 1.0)
                if dim.kind == "integer":
                    u = dim.transform(dim.inverse_transform(u))
                v[j] = u
        return v

    def key(self, vector):
        """Hashable identity of the candidate a vector decodes to."""
        s = self.subspace_of(vector)
        parts = [s]
        for j in self._sub_columns[s]:
            dim, x = self.columns[j][2], float(vector[j])
            if dim.is_categorical:
                parts.append(int(min(max(round(x), 0), dim.n_values - 1)))
            elif dim.kind == "integer":
                parts.append(dim.inverse_transform(x))
            else:
                parts.append(round(min(max(x, 0.0), 1.0), _KEY_DECIMALS))
        return tuple(parts)

    def decode(self, vector):
        """The candidate (a dict of plain Python values) for an encoded vector."""
        vector = np.asarray(vector, dtype=float)
        if vector.shape != (self.n_dims,):
            raise ValueError(
                f"expected an encoded vector of shape ({self.n_dims},), got {vector.shape}."
            )
        s = self.subspace_of(vector)
        return {
            self.columns[j][1]: self.columns[j][2].inverse_transform(vector[j])
            for j in self._sub_columns[s]
        }

    def encode(self, candidate):
        """Encoded vector of a candidate dict; inactive columns are NaN.

        Of overlapping sub-spaces, the candidate belongs to the one whose
        numeric types are its own (a float for a real, an int for an
        integer), else to the first that holds it.

        Raises ``ValueError`` when the candidate belongs to no sub-space
        (unknown or missing parameter, value out of bounds or not a choice).
        """
        if not isinstance(candidate, Mapping):
            raise TypeError(f"a candidate must be a dict, got {type(candidate).__name__}.")
        # sub-spaces may overlap ({"a": Real(0, 1)} and {"a": Integer(1, 5)}):
        # the one whose every numeric value has its own type (a float for a
        # real, an int for an integer) is the candidate's, else the first
        # that holds it
        for s, sub in enumerate(self.subspaces):
            if set(sub) == set(candidate) and all(
                same_numeric_type(dim, candidate[name]) for name, dim in sub.items()
            ):
                try:
                    return self._encode_in(s, candidate)
                except ValueError:
                    pass
        errors = []
        for s, sub in enumerate(self.subspaces):
            if set(sub) != set(candidate):
                errors.append(
                    f"sub-space {s} has parameters {sorted(sub)}, the candidate "
                    f"{sorted(candidate)}"
                )
                continue
            try:
                return self._encode_in(s, candidate)
            except ValueError as exc:
                errors.append(f"sub-space {s}, {exc}")
        raise ValueError(
            "the candidate does not belong to the search space: " + "; ".join(errors)
        )

    def _encode_in(self, s, candidate):
        v = np.full(self.n_dims, np.nan)
        if self.n_subspaces > 1:
            v[0] = float(s)
        for j in self._sub_columns[s]:
            name, dim = self.columns[j][1], self.columns[j][2]
            try:
                v[j] = dim.transform(candidate[name])
            except ValueError as exc:
                raise ValueError(f"{name!r}: {exc}") from None
        return v


def same_numeric_type(dim, value):
    """Whether ``value`` has the type ``dim`` decodes to (a float for a
    real, an int for an integer; any value for a categorical)."""
    if dim.is_categorical:
        return True
    if isinstance(value, (bool, np.bool_)):
        return False
    if dim.kind == "integer":
        return isinstance(value, numbers.Integral)
    return isinstance(value, (float, np.floating))
