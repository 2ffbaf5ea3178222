"""The ask/tell protocol every search strategy implements.

A strategy is pure: it knows a :class:`~sksearch.space.Space` and nothing of
scikit-learn, cross-validation or I/O, so it can be tested on a plain Python
function::

    opt = RandomOptimizer(Space({"x": Real(-5, 5)}), random_state=0)
    for _ in range(10):
        batch = opt.ask(4)
        opt.tell(batch, [-(c["x"] - 1) ** 2 for c in batch])

Scores are maximised. A failed evaluation is reported as NaN; the base class
records it as NaN and strategies must treat it as the worst outcome (see
:meth:`Optimizer._impute_failures`), never as a number fed to a model.

With several objectives a strategy is told a row of scores per candidate
(shape ``(n, n_objectives)``, every objective maximised); only strategies
whose class sets ``multi_objective = True`` accept them. A row with a NaN is
a failed evaluation.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numbers
from abc import ABC, abstractmethod

import numpy as np

from ..space import Space, as_generator

__all__ = ["Optimizer"]


def _multi_objective_strategies():
    """Names of the registered strategies that take several objectives."""
    from ._registry import all_optimizers

    return sorted({cls.__name__ for role, _, cls, _ in all_optimizers("strategy")
                   if cls.multi_objective})


class Optimizer(ABC):
    """Base class of the ask/tell strategies.

    Subclasses implement :meth:`_propose` (encoded vectors for up to ``n``
    new candidates) and usually :meth:`_observe` (learn from told results).
    The base class does the bookkeeping: decoding, matching told candidates
    to their encoded vectors, the history, and the set of candidates already
    asked or told (for strategies that never propose a candidate twice).

    Parameters
    ----------
    space : Space or dict or list of dict
        The search space; anything :class:`~sksearch.space.Space` accepts.
    random_state : None, int, numpy Generator or RandomState
        Seed of every random choice the strategy makes. The same seed and the
        same told scores give the same candidates in the same order.

    Attributes
    ----------
    X_ : list of ndarray
        Encoded vectors of the candidates told so far, in order.
    y_ : list of float, or list of ndarray with several objectives
        Their scores; NaN for failed evaluations. With several objectives,
        one array of ``n_objectives_`` scores per candidate.
    candidates_ : list of dict
        The told candidates themselves, in order.
    n_objectives_ : int
        Scores per candidate: 1 until a strategy that takes several
        objectives is told rows of them.
    """

    #: whether :meth:`tell` takes several objectives (rows of scores); not
    #: inherited: a subclass that uses the scores its own way (a multi-fidelity
    #: model, a scheduler) takes one objective until it declares otherwise
    multi_objective = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.multi_objective = bool(cls.__dict__.get("multi_objective", False))

    def __init__(self, space, *, random_state=None):
        self.space = space if isinstance(space, Space) else Space(space)
        self.random_state = random_state
        self.rng = as_generator(random_state)
        self.X_ = []
        self.y_ = []
        self.candidates_ = []
        self.n_objectives_ = 1
        self._seen = set()
        self._pending = {}

    # -- the protocol ------------------------------------------------------
    def ask(self, n=1):
        """Propose up to ``n`` candidates (dicts of parameter values).

        Fewer than ``n`` (possibly none) are returned only when the space has
        no new candidate left.
        """
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"ask: n must be an integer >= 1, got {n!r}.")
        vectors = np.asarray(self._propose(int(n)), dtype=float).reshape(-1, self.space.n_dims)
        candidates = []
        for v in vectors[:n]:
            candidate = self.space.decode(v)
            self._pending[id(candidate)] = (candidate, v)
            self._seen.add(self.space.key(v))
            candidates.append(candidate)
        return candidates

    def tell(self, candidates, scores):
        """Report the scores of evaluated candidates (higher is better, NaN
        for a failed evaluation).

        ``candidates`` are normally the dicts :meth:`ask` returned; any
        candidate of the space is accepted (it is encoded), which is how
        earlier results are fed to a new search.
        """
        candidates = list(candidates)
        scores = self._check_scores(scores, len(candidates))
        vectors = []
        for c in candidates:
            entry = self._pending.pop(id(c), None)
            if entry is not None and entry[0] is c:
                v = entry[1]
            else:
                v = self.space.encode(c)
                v = self._fill_inactive(v)
            self._seen.add(self.space.key(v))
            vectors.append(v)
        vectors = np.array(vectors, dtype=float).reshape(-1, self.space.n_dims)
        self.X_.extend(vectors)
        self.y_.extend(list(scores) if scores.ndim == 2 else scores.tolist())
        self.candidates_.extend(candidates)
        self._observe(vectors, scores)

    def _check_scores(self, scores, n):
        """Scores as floats, one per candidate (or one row of objectives per
        candidate for a multi-objective strategy); NaN for every non-finite
        value (a failed evaluation)."""
        scores = np.asarray(scores, dtype=float)
        if n == 0 and scores.size == 0:  # an empty report, whatever its shape
            shape = (0, self.n_objectives_) if self.n_objectives_ > 1 else (0,)
            return np.empty(shape)
        if scores.ndim == 2 and scores.shape[1] > 1:
            k = scores.shape[1]
            if not self.multi_objective:
                raise ValueError(
                    f"{type(self).__name__} takes one objective; got {k} scores per "
                    f"candidate (scores of shape {scores.shape}). Strategies that take "
                    f"several objectives: {', '.join(_multi_objective_strategies())}."
                )
            if len(self.y_) and k != self.n_objectives_:
                raise ValueError(
                    f"tell: got {k} scores per candidate, but earlier candidates were "
                    f"told {self.n_objectives_}."
                )
            self.n_objectives_ = k
            # a row with a NaN is a failed evaluation, in every objective
            scores = np.where(np.isfinite(scores).all(axis=1, keepdims=True), scores, np.nan)
        else:
            scores = scores.ravel()
            if self.n_objectives_ > 1 and len(self.y_):
                raise ValueError(
                    f"tell: got one score per candidate, but earlier candidates were "
                    f"told {self.n_objectives_}."
                )
            scores = np.where(np.isfinite(scores), scores, np.nan)
        if len(scores) != n:
            raise ValueError(f"tell: got {n} candidates but {len(scores)} scores.")
        return scores

    # -- for subclasses ----------------------------------------------------
    @abstractmethod
    def _propose(self, n):
        """Return an array of shape (m, n_dims), ``m <= n``, of encoded vectors."""

    def _observe(self, X, y):
        """Learn from newly told encoded vectors ``X`` and scores ``y`` (NaN = failed)."""

    def _is_new(self, vector):
        """Whether the candidate ``vector`` decodes to was never asked or told."""
        return self.space.key(vector) not in self._seen

    def _exhausted(self):
        return len(self._seen) >= self.space.size

    def _fill_inactive(self, vector):
        """Replace the NaNs of inactive columns by random values of the prior."""
        v = np.array(vector, dtype=float)
        holes = np.isnan(v)
        if holes.any():
            v[holes] = self.space.sample_vectors(1, self.rng)[0][holes]
        return v

    def _or_new(self, v, keys):
        """``v``, or where the model proposed nothing new (``None``) one new
        prior draw, added to ``keys``; ``None`` when the space has run out."""
        if v is not None:
            return v
        extra = self._sample_new(1, exclude=keys)
        return extra[0] if len(extra) else None

    def _sample_new(self, n, exclude=None, max_tries=100):
        """Up to ``n`` prior draws (snapped) that are new and distinct.

        ``exclude`` is an optional set of keys (``space.key``) also to avoid,
        such as the candidates of the batch being built; it is updated with
        the keys drawn. Fewer than ``n`` only when the space runs out of new
        candidates (or ``max_tries * n`` draws found none).
        """
        keys = set() if exclude is None else exclude
        out, tries = [], 0
        while len(out) < n and tries < max_tries * n:
            for v in self.space.sample_vectors(max(n - len(out), 1), self.rng):
                tries += 1
                v = self.space.snap(v)
                k = self.space.key(v)
                if k in self._seen or k in keys:
                    continue
                keys.add(k)
                out.append(v)
                if len(out) == n:
                    break
        return np.array(out, dtype=float).reshape(-1, self.space.n_dims)

    def _new_or_none(self, vector, exclude=()):
        """``(snapped vector, key)`` if ``vector`` is a new candidate (never
        asked or told, and its key not in ``exclude``), else ``None``."""
        v = self.space.snap(vector)
        k = self.space.key(v)
        if k in self._seen or k in exclude:
            return None
        return v, k

    def _pending_vectors(self):
        """Encoded vectors of the candidates asked but not told yet (for
        constant-liar batches)."""
        return [v for _, v in self._pending.values()]

    @staticmethod
    def _impute_failures(y):
        """Scores with NaN (failed fits) replaced by the worst finite score.

        The region of a failed fit is thus penalised without feeding a model
        a number from nowhere. All-NaN gives all zeros.
        """
        y = np.asarray(y, dtype=float)
        finite = np.isfinite(y)
        if not finite.any():
            return np.zeros_like(y)
        worst = y[finite].min()
        return np.where(finite, y, worst)

    def best(self):
        """``(candidate, score)`` of the best told candidate, or ``(None, nan)``.

        With several objectives, see :meth:`pareto_front`."""
        if self.n_objectives_ > 1:
            raise ValueError(
                f"{type(self).__name__} was told {self.n_objectives_} objectives: there is "
                "no single best candidate; use pareto_front()."
            )
        y = np.asarray(self.y_, dtype=float)
        if not np.isfinite(y).any():
            return None, float("nan")
        i = int(np.nanargmax(y))
        return self.candidates_[i], float(y[i])

    def pareto_front(self):
        """``(candidates, scores)`` of the told candidates no other told
        candidate dominates (every objective maximised; failures excluded
        unless every evaluation failed). With one objective: the best ones."""
        from .._pareto import non_dominated

        if not self.y_:
            return [], np.empty((0, self.n_objectives_))
        Y = np.asarray(self.y_, dtype=float).reshape(len(self.y_), -1)
        mask = non_dominated(Y)
        return [c for c, m in zip(self.candidates_, mask) if m], Y[mask]
