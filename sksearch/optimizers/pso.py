"""Particle swarm optimisation as an ask/tell strategy."""

# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np

from ._base import Optimizer
from ._population_utils import default_group_size, perturb_until_new, rank_scores
from ._validation import check_int, check_real

__all__ = ["PSOOptimizer"]

# Iterations of the inertia schedule when the budget is not known.
_DEFAULT_ITERATIONS = 20


class PSOOptimizer(Optimizer):
    """Global-best particle swarm with asynchronous updates and linearly decreasing inertia.

    Each of ``swarm_size`` particles has a position ``x`` and a velocity
    ``v`` in the unit cube; a move of a particle is (Kennedy & Eberhart
    1995, with the inertia weight of Shi & Eberhart 1998)::

        v <- w(t) v + c1 r1 (pbest - x) + c2 r2 (gbest - x)
        x <- x + v

    where ``r1, r2 ~ U(0, 1)`` per dimension, ``pbest`` is the particle's
    best position, ``gbest`` the swarm's, and the inertia ``w(t)`` decreases
    linearly from ``inertia_start`` to ``inertia_end`` over the moves per
    particle the budget allows, ``n_iter / swarm_size`` (Shi & Eberhart 1999
    use 0.9 to 0.4).

    Particles are updated **asynchronously** (Carlisle & Dozier 2001): a
    particle moves as soon as its own score is told, towards the swarm's
    best at that moment, instead of waiting for a whole generation. They
    take turns in the order they were told, so with every score told in
    the order its candidate was asked (as the search's rounds are), the
    ``k``-th candidate is particle ``k mod swarm_size``'s next position and
    depends only on the scores of the candidates asked up to ``swarm_size``
    places before it. The candidates are therefore the same however the
    caller groups them into ``ask(n)`` calls, for any ``n <= swarm_size``: a
    round of a search is a slice of the particles' turns, not a
    generation, and the swarm size is free of the batch size. A caller that
    asks for more candidates than there are particles waiting for their
    turn (more candidates in flight than particles) gets prior draws for
    the rest; they count for the swarm's best only.

    - **Velocity clamping**: each component of ``v`` is limited to
      ``max_velocity`` (a fraction of the unit range; Eberhart & Shi 2000).
    - **Boundaries**: a particle leaving ``[0, 1]`` is put back on the
      boundary and that velocity component is zeroed ("absorbing walls",
      Robinson & Rahmat-Samii 2004).
    - **Encoding**: numeric dimensions are the shared ``[0, 1]`` encoding; a
      categorical with ``k`` choices is the interval ``[0, 1]`` cut into
      ``k`` equal cells, so it moves like an ordinal and is rounded on
      decode, as integers are (``Space.snap``).
    - **Sub-spaces**: the sub-space choice is one such categorical
      dimension; a particle carries the coordinates of every sub-space, so a
      move between sub-spaces lands on a valid candidate.

    Departures from the textbook: a candidate is never evaluated twice. A
    particle whose move lands on an already evaluated candidate (common
    once the swarm converges on integers and categoricals) is jittered with
    a Gaussian of growing width until it lands on a new one, and is
    re-initialised by a prior draw if that fails (a "turbulence" operator,
    cf. Liu & Abraham 2005). A failed evaluation (NaN) is the worst score.

    Cost per candidate: ``O(n_dims)``.

    Parameters
    ----------
    space : Space or dict or list of dict
        The search space.
    swarm_size : int, default=None
        Number of particles. ``None``: about ``sqrt(n_iter)`` (at least 5;
        10 when ``n_iter`` is unknown), and at least ``n_workers``.
    inertia_start, inertia_end : float in [0, 1], default=0.9, 0.4
        Inertia weight at the first move of a particle and at its last
        planned one.
    cognitive : float >= 0, default=1.49445
        Weight ``c1`` of the pull towards the particle's own best.
    social : float >= 0, default=1.49445
        Weight ``c2`` of the pull towards the swarm's best. Shi & Eberhart
        use ``c1 = c2 = 2``; the default is the value of Eberhart & Shi
        (2000) and Clerc & Kennedy (2002), which converged faster in the
        short runs of hyper-parameter search (mean best score over 8 seeds,
        60 evaluations, on a 4-D Rosenbrock: -6.3 against -6.7).
    max_velocity : float in (0, 1], default=0.3
        Largest move along one dimension, as a fraction of its range.
    n_iter : int, default=None
        The evaluation budget: sizes the swarm and the inertia schedule.
    n_workers : int, default=1
        Candidates asked at a time (a search's ``batch_size``). The default
        swarm has at least this many particles, so that a round never runs
        short of particles; with fewer (a default swarm is at least 5) it
        changes nothing.
    random_state : None, int, numpy Generator or RandomState

    Attributes
    ----------
    swarm_size_ : int
        Number of particles in effect.
    n_iterations_ : int
        The most positions any particle has been asked at (its initial draw
        counts): the swarm iteration the search has reached.

    References
    ----------
    J. Kennedy and R. Eberhart, "Particle swarm optimization", Proc. IEEE
    ICNN, 1995.
    Y. Shi and R. Eberhart, "A modified particle swarm optimizer", Proc. IEEE
    CEC, 1998; "Empirical study of particle swarm optimization", CEC 1999.
    R. Eberhart and Y. Shi, "Comparing inertia weights and constriction
    factors in particle swarm optimization", CEC 2000.
    A. Carlisle and G. Dozier, "An off-the-shelf PSO", Proc. Workshop on
    Particle Swarm Optimization, Indianapolis, 2001.
    M. Clerc and J. Kennedy, "The particle swarm - explosion, stability, and
    convergence in a multidimensional complex space", IEEE Trans. Evol.
    Comput. 6(1), 2002.
    J. Robinson and Y. Rahmat-Samii, "Particle swarm optimization in
    electromagnetics", IEEE Trans. Antennas Propag. 52(2), 2004.
    H. Liu and A. Abraham, "Fuzzy adaptive turbulent particle swarm
    optimization", Proc. Hybrid Intelligent Systems (HIS), 2005.

    Examples
    --------
    >>> from sksearch.optimizers import PSOOptimizer
    >>> from sksearch.space import Real
    >>> opt = PSOOptimizer({"x": Real(-5, 5)}, n_iter=30, random_state=0)
    >>> for _ in range(6):
    ...     batch = opt.ask(5)
    ...     opt.tell(batch, [-(c["x"] - 1) ** 2 for c in batch])
    >>> abs(opt.best()[0]["x"] - 1) < 0.5
    True
    """

    def __init__(
        self,
        space,
        *,
        swarm_size=None,
        inertia_start=0.9,
        inertia_end=0.4,
        cognitive=1.49445,
        social=1.49445,
        max_velocity=0.3,
        n_iter=None,
        n_workers=1,
        random_state=None,
    ):
        super().__init__(space, random_state=random_state)
        self.swarm_size = check_int("swarm_size", swarm_size, 1, allow_none=True)
        self.inertia_start = check_real("inertia_start", inertia_start, 0, 1)
        self.inertia_end = check_real("inertia_end", inertia_end, 0, 1)
        self.cognitive = check_real("cognitive", cognitive, 0, math.inf, high_open=True)
        self.social = check_real("social", social, 0, math.inf, high_open=True)
        self.max_velocity = check_real("max_velocity", max_velocity, 0, 1, low_open=True)
        self.n_iter = check_int("n_iter", n_iter, 1, allow_none=True)
        self.n_workers = check_int("n_workers", n_workers, 1)

        self.swarm_size_ = self.swarm_size or max(
            default_group_size(self.n_iter, 1), self.n_workers
        )
        s, d = self.swarm_size_, self.space.n_dims
        self._planned = (
            max(2, math.ceil(self.n_iter / s)) if self.n_iter else _DEFAULT_ITERATIONS
        )
        self.n_iterations_ = 0
        self._pos = np.zeros((s, d))  # positions in the unit cube
        self._vel = np.zeros((s, d))
        self._pbest = np.full((s, d), np.nan)
        self._pbest_score = np.full(s, -np.inf)
        self._gbest = None  # encoded vector of the best candidate told
        self._gbest_score = -np.inf
        self._guide = [None] * s  # the swarm's best when each particle was told
        self._moves = np.zeros(s, dtype=int)  # positions each particle was asked at
        self._ready = list(range(s))  # particles whose turn it is, in the order told
        self._asked = {}  # key -> (particle or -1 for a prior draw, ask number)
        self._n_asked = 0
        cat = self.space.is_categorical
        self._k = np.where(cat, np.maximum(self.space.n_choices, 1), 0)

    # -- unit cube <-> encoded vector -----------------------------------------
    def _to_vector(self, u):
        v = np.array(u, dtype=float)
        cat = self.space.is_categorical
        v[cat] = np.minimum(np.floor(u[cat] * self._k[cat]), self._k[cat] - 1)
        return v

    def _to_unit(self, v):
        u = np.array(v, dtype=float)
        cat = self.space.is_categorical
        u[cat] = (np.round(v[cat]) + 0.5) / self._k[cat]
        return u

    # -- propose: one particle's turn per candidate --------------------------
    def _propose(self, n):
        out, taken = [], set()  # taken: the keys of this call's candidates
        while len(out) < n:
            if self._ready:
                i = self._ready[0]
                v = self._turn(i, taken)
                if v is None:  # nothing new left to move to
                    break
                del self._ready[0]
            else:  # every particle waits for its score: a prior draw
                i, draws = -1, self._sample_new(1, exclude=taken)
                if len(draws) == 0:
                    break
                v = draws[0]
            key = self.space.key(v)
            taken.add(key)
            self._asked[key] = (i, self._n_asked)
            self._n_asked += 1
            out.append(v)
        return np.array(out, dtype=float).reshape(-1, self.space.n_dims)

    def _turn(self, i, taken):
        """Particle ``i``'s next position as a new encoded vector: a prior
        draw the first time, a move after; None if the space has none."""
        if self._moves[i] == 0:  # initial position: SPSO-2007 velocity
            draws = self._sample_new(1, exclude=taken)
            if len(draws) == 0:
                return None
            v = draws[0]
            u = self._to_unit(v)
            self._pos[i] = u
            self._vel[i] = self._clamp(0.5 * (self.rng.random(u.size) - u))
        else:
            self._move(i)
            v = self._new_position(i, taken)
            if v is None:
                return None
        self._moves[i] += 1
        self.n_iterations_ = max(self.n_iterations_, int(self._moves[i]))
        return v

    def _inertia(self, move):
        """Inertia of a particle's ``move``-th move (1 is its first)."""
        t = min(1.0, max(move - 1, 0) / max(self._planned - 2, 1))
        return self.inertia_start + t * (self.inertia_end - self.inertia_start)

    def _clamp(self, vel):
        return np.clip(vel, -self.max_velocity, self.max_velocity)

    def _move(self, i):
        x = self._pos[i]
        pbest = self._pbest[i] if not np.isnan(self._pbest[i, 0]) else x
        guide = self._guide[i]
        gbest = self._to_unit(guide) if guide is not None else pbest
        r1 = self.rng.random(x.shape)
        r2 = self.rng.random(x.shape)
        vel = (
            self._inertia(self._moves[i]) * self._vel[i]
            + self.cognitive * r1 * (pbest - x)
            + self.social * r2 * (gbest - x)
        )
        vel = self._clamp(vel)
        x = x + vel
        out = (x < 0.0) | (x > 1.0)
        vel[out] = 0.0  # absorbing walls
        self._pos[i] = np.clip(x, 0.0, 1.0)
        self._vel[i] = vel

    def _new_position(self, i, taken):
        """Encoded vector of particle ``i``'s position, made new if needed."""
        found = self._new_or_none(self._to_vector(self._pos[i]), taken)
        if found is None:
            found = perturb_until_new(self, self._to_vector(self._pos[i]), taken, self.rng)
        if found is None:  # re-initialise the particle
            draws = self._sample_new(1, exclude=taken)
            if len(draws) == 0:
                return None
            v = draws[0]
            self._vel[i] = 0.0
        else:
            v = found[0]
        self._pos[i] = self._to_unit(v)
        return v

    # -- observe: in the order asked, so that turns do not depend on batching -
    def _observe(self, X, y):
        scores = rank_scores(y)
        told = []
        for v, s in zip(X, scores):
            i, number = self._asked.pop(self.space.key(v), (-1, -1))
            told.append((number, i, v, s))
        told.sort(key=lambda t: t[0])  # stable: candidates never asked first
        for _, i, v, s in told:
            if s > self._gbest_score or self._gbest is None:
                self._gbest = np.array(v, dtype=float)
                self._gbest_score = s
            if i >= 0:
                if s > self._pbest_score[i] or np.isnan(self._pbest[i, 0]):
                    self._pbest[i] = self._to_unit(v)
                    self._pbest_score[i] = s
                self._guide[i] = self._gbest
                self._ready.append(i)
