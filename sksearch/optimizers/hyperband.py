"""Hyperband (Li et al. 2018) and BOHB (Falkner et al. 2018): the schedule.

Pure bracket/rung arithmetic and scheduling, with no scikit-learn: a
:class:`HyperbandScheduler` hands out batches of *jobs* (a candidate, the
resource to evaluate it with, its bracket and rung) and takes their scores
back; whoever runs the jobs (the sksearch driver, or a plain Python loop in
the tests) decides what "evaluating with resource ``r``" means.

Terms, as in Li et al. (2018), with ``eta = factor``:

* a *level* ``k`` is the resource ``max_resources / eta**k`` (``k = 0`` is
  the maximum resource);
* a *bracket* of depth ``s`` starts ``n`` candidates at level ``s`` and runs
  successive halving: at each *rung* it keeps the best ``1/eta`` of them and
  evaluates those at the next level, up to level 0;
* a *round* of depth ``s_max`` is the ``s_max + 1`` brackets of depth
  ``s_max, s_max - 1, ..., 0``, bracket ``s`` starting
  ``ceil((s_max + 1) / (s + 1) * eta**s)`` candidates (the paper's
  Algorithm 1), so every bracket spends about the same resource. The paper's
  table for ``R = 81, eta = 3`` is ``hyperband_round(4, 3)``.

The budget is counted in *evaluations* (one candidate at one rung): see
:func:`hyperband_plan`.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import numbers
import operator
from collections.abc import Sequence

import numpy as np

from ..space import as_generator
from ._base import Optimizer
from ._gp.gp import single_threaded_blas
from ._gp.search_space import FeatureMap
from ._scheduler import Scheduler, Unit
from ._validation import check_int, check_real
from .bayes import BayesOptimizer
from .tpe import TPEOptimizer

__all__ = [
    "ASHAScheduler",
    "tell_at_level",
    "BOHBOptimizer",
    "Bracket",
    "MultiFidelityBayesOptimizer",
    "HyperbandPlan",
    "HyperbandScheduler",
    "Job",
    "hyperband_plan",
    "hyperband_round",
    "max_depth",
    "resource_levels",
    "round_evaluations",
]


def _as_factor(factor):
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not factor >= 2:
        raise ValueError(f"factor must be a number >= 2, got {factor!r}.")
    return int(factor) if float(factor).is_integer() else float(factor)


def _ceil_div(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return -(-a // b)
    return math.ceil(a / b - 1e-9)


def _floor_div(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return a // b
    return math.floor(a / b + 1e-9)


class Bracket:
    """One successive-halving bracket of a Hyperband plan.

    Attributes
    ----------
    index : int
        Position in the plan (the ``bracket`` column of ``cv_results_``).
    round : int
        The round it belongs to.
    depth : int
        Its ``s``: the number of halvings; it starts at level ``depth``.
    n_candidates : list of int
        Candidates evaluated at each rung, ``n_candidates[0]`` of them new.
    levels : list of int
        Level of each rung (``depth, depth - 1, ..., 0``).
    """

    def __init__(self, index, round, depth, n_candidates):
        self.index = index
        self.round = round
        self.depth = depth
        self.n_candidates = list(n_candidates)
        self.levels = list(range(depth, -1, -1))

    @property
    def n_evaluations(self):
        return sum(self.n_candidates)

    def __repr__(self):
        return (
            f"Bracket(index={self.index}, round={self.round}, depth={self.depth}, "
            f"n_candidates={self.n_candidates})"
        )


def hyperband_round(s_max, factor):
    """The brackets of one Hyperband round, most aggressive first.

    Returns a list of ``(depth, n_candidates_per_rung)``: bracket ``s``
    starts ``n = ceil((s_max + 1) / (s + 1) * factor**s)`` candidates and its
    rung ``i`` keeps ``floor(n / factor**i)`` (Li et al. 2018, Algorithm 1).

    Examples
    --------
    >>> from sksearch.optimizers.hyperband import hyperband_round
    >>> hyperband_round(2, 3)
    [(2, [9, 3, 1]), (1, [5, 1]), (0, [3])]
    """
    factor = _as_factor(factor)
    out = []
    for s in range(s_max, -1, -1):
        n = _ceil_div((s_max + 1) * factor**s, s + 1)
        out.append((s, [_floor_div(n, factor**i) for i in range(s + 1)]))
    return out


def round_evaluations(s_max, factor):
    """Number of evaluations (candidates x rungs) of one round of depth ``s_max``."""
    return sum(sum(counts) for _, counts in hyperband_round(s_max, factor))


def round_compute(s_max, factor):
    """Compute of one round of depth ``s_max``, in evaluations at the maximum
    resource: an evaluation at ``max_resources / factor**k`` counts
    ``1 / factor**k`` (trained from scratch; continued training costs less)."""
    factor = _as_factor(factor)
    return sum(
        n / factor ** (s - i)
        for s, counts in hyperband_round(s_max, factor)
        for i, n in enumerate(counts)
    )


# n_iter="auto": whole rounds that spend about the compute of this many
# evaluations at the maximum resource, the default budget (n_iter=50) of the
# other searches
AUTO_COMPUTE = 50


def auto_evaluations(s_max, factor, compute=AUTO_COMPUTE):
    """Evaluations of ``n_iter="auto"``: the number of whole rounds of depth
    ``s_max`` whose compute is nearest ``compute`` full evaluations (at
    least one round)."""
    rounds = max(1, round(compute / round_compute(s_max, factor)))
    return rounds * round_evaluations(s_max, factor)


def max_depth(min_resources, max_resources, factor):
    """The deepest ``s`` with ``max_resources / factor**s >= min_resources``."""
    factor = _as_factor(factor)
    if not 1 <= min_resources <= max_resources:
        raise ValueError(
            f"need 1 <= min_resources <= max_resources, got min_resources={min_resources!r} "
            f"and max_resources={max_resources!r}."
        )
    s = 0
    while max_resources >= min_resources * factor ** (s + 1) * (1 - 1e-12):
        s += 1
    return s


def resource_levels(max_resources, factor, depth):
    """Integer resource of each level ``0..depth`` (``max_resources / factor**k``,
    rounded; level 0 is ``max_resources`` itself)."""
    factor = _as_factor(factor)
    return [int(math.floor(max_resources / factor**k + 0.5)) for k in range(depth + 1)]


class HyperbandPlan(Sequence):
    """The brackets of a Hyperband budget, made as they are read.

    A sequence of :class:`Bracket` (``len``, indexing, slicing, iteration)
    that holds one round and the short rounds of the leftover, not a bracket
    per entry, so a budget of ``10**8`` evaluations with a ``max_time`` costs
    nothing before the search starts. Made by :func:`hyperband_plan`.

    Attributes
    ----------
    n_evaluations : int
        Evaluations of the whole plan (``n_iter``).
    """

    def __init__(self, n_iter, s_max, factor):
        factor = _as_factor(factor)
        if isinstance(n_iter, bool) or not isinstance(n_iter, numbers.Integral) or n_iter < 1:
            raise ValueError(f"n_iter must be an integer >= 1, got {n_iter!r}.")
        costs = [round_evaluations(s, factor) for s in range(s_max + 1)]
        self._round = hyperband_round(s_max, factor)
        self._n_full, remaining = divmod(int(n_iter), costs[s_max])
        self._tail, r = [], self._n_full
        while remaining > 0:
            depth = max(s for s in range(s_max + 1) if costs[s] <= remaining)
            self._tail.extend((r, s, counts) for s, counts in hyperband_round(depth, factor))
            remaining -= costs[depth]
            r += 1
        self._n_round_brackets = self._n_full * len(self._round)
        self.n_evaluations = int(n_iter)

    def __len__(self):
        return self._n_round_brackets + len(self._tail)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = operator.index(index)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("plan index out of range")
        if index < self._n_round_brackets:
            r, j = divmod(index, len(self._round))
            s, counts = self._round[j]
        else:
            r, s, counts = self._tail[index - self._n_round_brackets]
        return Bracket(index, r, s, list(counts))

    def starts_by_depth(self):
        """``{depth: candidates the plan starts in brackets of that depth}``."""
        out = {}
        for s, counts in self._round:
            out[s] = out.get(s, 0) + self._n_full * counts[0]
        for _, s, counts in self._tail:
            out[s] = out.get(s, 0) + counts[0]
        return {s: n for s, n in out.items() if n}


def _n_evaluations(plan):
    if isinstance(plan, HyperbandPlan):
        return plan.n_evaluations
    return sum(b.n_evaluations for b in plan)


def hyperband_plan(n_iter, s_max, factor):
    """The brackets that spend exactly ``n_iter`` evaluations.

    Whole rounds of depth ``s_max`` run while they fit in the budget. What is
    left, too little for another such round, goes to the deepest smaller
    round that fits (fewer brackets, starting at a higher resource), and so
    on; a round of depth 0 is one candidate at the maximum resource, so the
    plan always spends ``n_iter`` exactly and every bracket ends at the
    maximum resource.

    Returns a :class:`HyperbandPlan`: a sequence of :class:`Bracket`, in the
    order Hyperband runs them, made as they are read.

    Examples
    --------
    >>> from sksearch.optimizers.hyperband import hyperband_plan
    >>> [b.n_candidates for b in hyperband_plan(8, 1, 3)]
    [[3, 1], [2], [1], [1]]
    """
    return HyperbandPlan(n_iter, s_max, factor)


def _highest_level_with(levels, scores, min_points):
    """The highest resource level (the smallest index, 0 the maximum) with at
    least ``min_points`` finite scores among ``(levels, scores)``, or None:
    BOHB's rule for which budget's model proposes (Falkner et al. 2018)."""
    levels = np.asarray(levels, dtype=int)
    ok = np.isfinite(np.asarray(scores, dtype=float))
    counts = np.bincount(levels[ok], minlength=1)
    enough = np.flatnonzero(counts >= min_points)
    return int(enough[0]) if enough.size else None


def tell_at_level(sampler, candidates, scores, level):
    """Tell a sampler scores obtained at resource ``level`` (0: the maximum):
    a ``multi_fidelity`` sampler (BOHB) is told every level, any other only
    the maximum resource, whose scores are the candidates' own."""
    if getattr(sampler, "multi_fidelity", False):
        sampler.tell(candidates, scores, level=level)
    elif level == 0:
        sampler.tell(candidates, scores)
    else:
        # not a score of the candidate, but the candidate is taken: a sampler
        # that did not propose it (a resumed run's) must not propose it again
        space = sampler.space
        for candidate in candidates:
            sampler._seen.add(space.key(space.encode(candidate)))


#: A unit of a Hyperband scheduler: a candidate at a level, in a bracket and rung.
Job = Unit


def _schedule_steps(plan, batch_size, started=0, active=()):
    """Which (bracket, rung) pairs run at each step, one step at a time.

    At every step each started bracket runs its next rung (a bracket's rung
    starts when its previous rung has ended); new brackets start, in plan
    order, while the step holds fewer than ``batch_size`` candidates, so
    parallel workers stay busy and, with few workers, brackets run one after
    the other (BOHB's model then sees every finished bracket). The schedule
    depends only on the plan and ``batch_size``, never on scores. A
    generator: a plan of millions of brackets is scheduled as it runs.
    ``started`` brackets have started, and ``active`` ``(bracket, rung)``
    pairs run next (a resumed plan).
    """
    n_brackets = len(plan)
    active = [(b, i, plan[b].n_candidates) for b, i in active]
    while active or started < n_brackets:
        step = list(active)
        size = sum(counts[i] for _, i, counts in step)
        while started < n_brackets and (size < batch_size or not step):
            counts = plan[started].n_candidates
            step.append((started, 0, counts))
            size += counts[0]
            started += 1
        yield [(b, i) for b, i, _ in step]
        active = [(b, i + 1, counts) for b, i, counts in step if i + 1 < len(counts)]


def _pick(found, keys):
    """The first unused index under each key of ``found`` (taken out of it),
    or None (``found`` unchanged) if some key has none left."""
    picked = []
    for key in keys:
        free = found.get(key, [])
        if len(free) <= sum(k == key for k in keys[: len(picked)]):
            return None
        picked.append(free[sum(k == key for k in keys[: len(picked)])])
    for key in keys:
        found[key].pop(0)
    return picked


class HyperbandScheduler(Scheduler):
    """Runs a Hyperband plan: hands out jobs, takes scores, promotes the best.

    Parameters
    ----------
    plan : HyperbandPlan or list of Bracket
        From :func:`hyperband_plan`.
    sampler : Optimizer
        Proposes the new candidates of each bracket's first rung
        (``sampler.ask(n)``). A sampler with ``multi_fidelity = True`` (such
        as :class:`BOHBOptimizer`) is told every rung's scores with
        ``tell(candidates, scores, level=...)``; any other
        :class:`~sksearch.optimizers.Optimizer` is told only the scores at the
        maximum resource (level 0).
    batch_size : int, default=1
        Candidates wanted per step (the number of parallel workers): brackets
        are started until a step holds at least this many.
    random_state : None, int or Generator, default=None
        Used only when the space has too few distinct candidates for the
        plan: the missing ones are drawn again from the prior.

    Attributes
    ----------
    n_evaluations : int
        Evaluations of the whole plan.
    n_started : int
        Brackets started so far (the plan's first ``n_started``).
    n_repeated_ : int
        Candidates drawn again because the sampler had no new one left.

    Examples
    --------
    >>> from sksearch.optimizers import RandomOptimizer
    >>> from sksearch.optimizers.hyperband import HyperbandScheduler, hyperband_plan
    >>> from sksearch.space import Real
    >>> sched = HyperbandScheduler(hyperband_plan(22, 2, 3),
    ...                            RandomOptimizer({"x": Real(0, 1)}, random_state=0))
    >>> while not sched.done:
    ...     jobs = sched.ask()
    ...     sched.tell(jobs, [j.candidate["x"] for j in jobs])
    >>> [len(s) for s in sched.history_]
    [9, 3, 1, 5, 1, 3]
    """

    def __init__(self, plan, sampler, *, batch_size=1, random_state=None):
        self.plan = plan if isinstance(plan, HyperbandPlan) else list(plan)
        self.sampler = sampler
        self.batch_size = max(1, int(batch_size))
        self.rng = as_generator(random_state)
        self._steps = _schedule_steps(self.plan, self.batch_size)
        self._next = next(self._steps, None)
        self.n_evaluations = _n_evaluations(self.plan)
        self.n_started = 0
        self.n_repeated_ = 0
        self.history_ = []
        self._members = {}  # bracket -> jobs of its last rung
        self._scores = {}  # bracket -> their scores
        self._asked = None
        self._n_lineages = 0

    @property
    def done(self):
        return self._next is None

    def n_steps(self):
        """Steps of the whole plan (counted by running the schedule anew)."""
        return sum(1 for _ in _schedule_steps(self.plan, self.batch_size))

    def ask(self, n=None):
        """The jobs of the next step (an empty list when the plan is done).

        A step is the plan's: the next rung of every running bracket, and
        new brackets until it holds ``batch_size`` candidates; ``n`` is not
        read (the protocol's ``ask(n)``, for the loop that asks every
        scheduler alike)."""
        if self._asked is not None:
            raise RuntimeError("tell the scores of the previous step before asking again.")
        if self.done:
            return []
        jobs = []
        for b, i in self._next:
            n = self.plan[b].n_candidates[i]
            jobs.extend(self._rung(b, i, self._sample(n) if i == 0 else None))
        self._asked = jobs
        return jobs

    def _rung(self, b, i, new):
        """The jobs of rung ``i`` of bracket ``b``: the candidates ``new``
        (rung 0), or the best of the rung below."""
        bracket = self.plan[b]
        if i == 0:
            self.n_started = max(self.n_started, b + 1)
            first = self._n_lineages
            self._n_lineages += len(new)
            return [Job(c, bracket.levels[0], b, 0, first + k) for k, c in enumerate(new)]
        below = self._top(self._members[b], self._scores[b], bracket.n_candidates[i])
        return [Job(job.candidate, bracket.levels[i], b, i, job.lineage) for job in below]

    def tell(self, jobs, scores):
        """Report the scores of the jobs of the last step (NaN for a failure)."""
        jobs = list(jobs)
        scores = np.asarray(scores, dtype=float).ravel()
        if self._asked is None or len(jobs) != len(self._asked) or any(
            a is not b for a, b in zip(jobs, self._asked)
        ):
            raise ValueError("tell expects exactly the jobs of the last ask, in order.")
        if len(scores) != len(jobs):
            raise ValueError(f"tell: got {len(jobs)} jobs but {len(scores)} scores.")
        self._told(jobs, scores)
        self.history_.append(jobs)
        self._asked = None
        self._next = next(self._steps, None)

    def _told(self, jobs, scores):
        """Keep the scores of a rung's jobs (for its promotions) and tell the sampler."""
        scores = np.where(np.isfinite(scores), scores, np.nan)
        by_bracket = {}
        for job, score in zip(jobs, scores):
            by_bracket.setdefault(job.bracket, ([], []))
            by_bracket[job.bracket][0].append(job)
            by_bracket[job.bracket][1].append(score)
        for b, (members, s) in by_bracket.items():
            self._members[b] = members
            self._scores[b] = np.asarray(s, dtype=float)
        by_level = {}
        for job, score in zip(jobs, scores):
            by_level.setdefault(job.level, ([], []))
            by_level[job.level][0].append(job.candidate)
            by_level[job.level][1].append(score)
        for level in sorted(by_level, reverse=True):
            cands, s = by_level[level]
            tell_at_level(self.sampler, cands, s, level)

    def restore(self, units, scores):
        """Rebuild the plan's brackets from the evaluations of an earlier run
        (a resumed journal, in the order they were asked), whatever its
        ``batch_size``: a bracket's new candidates are its units at its first
        level, in order, and a rung's promotions are the plan's (the best of
        the rung below), so each bracket is rebuilt rung by rung while the
        units hold every evaluation of the rung; the brackets so rebuilt go on
        from their next rung. The units no rung took (of a rung cut short, or
        of another plan) are told to the sampler as known observations.
        Returns the number of units the plan took (the others are outside its
        budget)."""
        if self._asked is not None or self.history_:
            raise RuntimeError("restore a fresh scheduler, before asking it.")
        units, scores = list(units), np.asarray(scores, dtype=float).ravel()
        space = self.sampler.space
        found, new = {}, {}  # (bracket, level, candidate) -> indices; bracket -> new
        for j, unit in enumerate(units):
            b, level = unit.bracket, unit.level
            found.setdefault((b, level, space.key(space.encode(unit.candidate))), []).append(j)
            if 0 <= b < len(self.plan) and level == self.plan[b].levels[0]:
                new.setdefault(b, []).append(j)
        taken, active = [], []
        for b in range(len(self.plan)):
            n = self.plan[b].n_candidates
            first = new.get(b, [])[: n[0]]
            if len(first) < n[0]:
                break
            rung = 0
            jobs = self._rung(b, 0, [units[j].candidate for j in first])
            while True:
                picked = _pick(found, [
                    (b, job.level, space.key(space.encode(job.candidate))) for job in jobs
                ])
                if picked is None:
                    break
                self._told(jobs, scores[picked])
                taken.extend(picked)
                rung += 1
                if rung == len(n):
                    break
                jobs = self._rung(b, rung, None)
            if not rung:  # the candidates of its first rung were not all of it
                self.n_started, self._n_lineages = b, self._n_lineages - n[0]
                break
            if rung < len(n):
                active.append((b, rung))
        self._steps = _schedule_steps(self.plan, self.batch_size, self.n_started, active)
        self._next = next(self._steps, None)
        rest = sorted(set(range(len(units))) - set(taken))
        for level in sorted({units[j].level for j in rest}, reverse=True):
            at = [j for j in rest if units[j].level == level]
            tell_at_level(self.sampler, [units[j].candidate for j in at], scores[at], level)
        return len(taken)

    # -- helpers -----------------------------------------------------------
    @staticmethod
    def _top(members, scores, k):
        """The ``k`` best (stable order; failed, NaN, members last)."""
        key = np.where(np.isfinite(scores), scores, -np.inf)
        order = np.argsort(-key, kind="stable")
        return [members[j] for j in order[:k]]

    def _sample(self, n):
        out = list(self.sampler.ask(n)) if n else []
        if len(out) < n:  # the space has no new candidate left: draw again
            space = self.sampler.space
            extra = space.sample(n - len(out), self.rng)
            self.n_repeated_ += len(extra)
            out.extend(extra)
        return out


class ASHAScheduler(Scheduler):
    """Asynchronous successive halving (Li et al. 2020) over Hyperband's brackets.

    One job at a time, never waiting for a rung to fill: :meth:`ask` promotes
    a candidate to the next rung of its bracket as soon as it ranks in the top
    ``1/factor`` of the finished evaluations of its rung (and was not promoted
    yet), preferring the promotion to the highest resource; when no candidate
    can be promoted it starts a new one in the first rung of a bracket. New
    candidates are spread over the brackets of the depths in ``plan`` in
    proportion to the candidates the synchronous plan starts in each (a plan
    of one bracket is plain ASHA; ``hyperband_plan`` gives asynchronous
    Hyperband). Full-resource results therefore arrive as soon as a candidate
    has earned them, and a worker that frees always gets a job.

    The budget is ``n_evaluations`` evaluations (candidate x rung), as in the
    synchronous plan; the bottom rungs grow instead of being fixed in size, so
    fewer candidates reach the maximum resource than in synchronous
    Hyperband, early.

    Parameters
    ----------
    plan : list of Bracket
        The synchronous plan (:func:`hyperband_plan`): its depths and their
        weights.
    sampler : Optimizer
        Proposes new candidates (``ask(1)``); told as in
        :class:`HyperbandScheduler` (every rung if ``multi_fidelity``, else
        the maximum resource only).
    factor : float
        Halving rate ``eta``.
    n_evaluations : int or None, default=None
        The budget; None is the plan's number of evaluations.
    random_state : None, int or Generator, default=None
        Used only when the space has too few distinct candidates.

    Attributes
    ----------
    brackets : list of Bracket
        One per depth (``n_candidates`` counts the evaluations started at
        each rung so far).
    n_asked : int
        Evaluations handed out (restored ones included).
    n_repeated_ : int
        Candidates drawn again because the sampler had no new one left.

    Examples
    --------
    >>> from sksearch.optimizers import RandomOptimizer
    >>> from sksearch.optimizers.hyperband import ASHAScheduler, hyperband_plan
    >>> from sksearch.space import Real
    >>> sched = ASHAScheduler(hyperband_plan(22, 2, 3)[:1],
    ...                       RandomOptimizer({"x": Real(0, 1)}, random_state=0), factor=3)
    >>> while not sched.done:
    ...     jobs = sched.ask()
    ...     sched.tell(jobs, [j.candidate["x"] for j in jobs])
    >>> sched.brackets[0].n_candidates
    [9, 3, 1]
    """

    def __init__(self, plan, sampler, *, factor, n_evaluations=None, random_state=None):
        if not isinstance(plan, HyperbandPlan):
            plan = list(plan)
        if not len(plan):
            raise ValueError("ASHAScheduler needs a plan of at least one bracket.")
        self.factor = _as_factor(factor)
        self.sampler = sampler
        self.rng = as_generator(random_state)
        if isinstance(plan, HyperbandPlan):
            weights = plan.starts_by_depth()
        else:
            weights = {}
            for b in plan:
                weights[b.depth] = weights.get(b.depth, 0) + b.n_candidates[0]
        depths = sorted(weights, reverse=True)  # the most aggressive first
        self.brackets = [Bracket(i, 0, d, [0] * (d + 1)) for i, d in enumerate(depths)]
        self._weights = [weights[d] for d in depths]
        self.n_evaluations = (
            _n_evaluations(plan) if n_evaluations is None else int(n_evaluations)
        )
        self.n_asked = 0
        self.n_repeated_ = 0
        # bracket -> rung -> entries [candidate, score (None while running),
        # promoted, lineage (the number of the candidate in its bracket)]
        self._rungs = [[[] for _ in b.levels] for b in self.brackets]
        self._entry = {}  # id(job) -> entry
        self._n_lineages = 0

    @property
    def done(self):
        return self.n_asked >= self.n_evaluations

    def ask(self, n=1):
        """Up to ``n`` jobs, one at a time (fewer when the budget is spent):
        each is a promotion if one is due, else a new candidate."""
        jobs = []
        while len(jobs) < n and not self.done:
            job = self._promotion()
            if job is None:
                b = self._next_bracket()
                job = Job(self._sample(), self.brackets[b].levels[0], b, 0)
            self._start(job)
            jobs.append(job)
        return jobs

    def tell(self, jobs, scores):
        """Report the scores of jobs handed out by :meth:`ask` (NaN: failed),
        in any order and any number at a time."""
        jobs, scores = list(jobs), np.asarray(scores, dtype=float).ravel()
        if len(scores) != len(jobs):
            raise ValueError(f"tell: got {len(jobs)} jobs but {len(scores)} scores.")
        for job, score in zip(jobs, scores):
            entry = self._entry.pop(id(job), None)
            if entry is None:
                raise ValueError("tell expects a job of this scheduler that was not told yet.")
            entry[1] = float(score) if np.isfinite(score) else float("nan")
            tell_at_level(self.sampler, [job.candidate], [entry[1]], job.level)

    def restore(self, units, scores):
        """Take the evaluations of an earlier run (a resumed journal, in the
        order they were asked) into the rungs, as if asked and told: an
        evaluation above a bracket's first rung continues the same
        candidate's entry of the rung below (it was its promotion). A unit
        of a bracket this scheduler has not (the journal of synchronous
        brackets) goes to a bracket with its level, the one where it
        continues an entry if any. All count within the budget."""
        units, scores = list(units), np.asarray(scores, dtype=float).ravel()
        for unit, score in zip(units, scores):
            job = self._placed(unit.candidate, unit.bracket, unit.level)
            self._start(job)
            self.tell([job], [score])
        return len(units)

    def _placed(self, candidate, bracket, level):
        """The job of an earlier evaluation, in its rung."""
        with_level = [b for b in self.brackets if level in b.levels]
        if not with_level:
            raise ValueError(f"restore: no bracket has level {level!r}.")
        if not 0 <= bracket < len(self.brackets) or level not in self.brackets[bracket].levels:
            # another plan's bracket: where it continues an entry, else where
            # it starts a rung, else the first with its level
            def below(b):
                rung = b.levels.index(level)
                return rung and self._unpromoted(b.index, rung - 1, candidate)

            bracket = next(
                (b.index for b in with_level if below(b)),
                next((b.index for b in with_level if b.levels[0] == level),
                     with_level[0].index),
            )
        rung = self.brackets[bracket].levels.index(level)
        job = Job(candidate, level, bracket, rung)
        entry = self._unpromoted(bracket, rung - 1, candidate) if rung else None
        if entry is not None:
            entry[2] = True
            job.candidate, job.lineage = entry[0], entry[3]
        return job

    def _unpromoted(self, bracket, rung, candidate):
        """The entry of ``candidate`` in a rung, not promoted yet, or None."""
        return next(
            (e for e in self._rungs[bracket][rung] if e[0] == candidate and not e[2]), None
        )

    # -- helpers -----------------------------------------------------------
    def _start(self, job):
        b = self.brackets[job.bracket]
        if job.lineage is None:  # a new candidate
            job.lineage, self._n_lineages = self._n_lineages, self._n_lineages + 1
        entry = [job.candidate, None, False, job.lineage]
        self._rungs[job.bracket][job.rung].append(entry)
        b.n_candidates[job.rung] += 1
        self._entry[id(job)] = entry
        self.n_asked += 1

    def _promotion(self):
        """The best promotable candidate, to the highest resource first."""
        best = None
        for bi, bracket in enumerate(self.brackets):
            for rung in range(len(bracket.levels) - 2, -1, -1):
                entries = self._rungs[bi][rung]
                done = [e for e in entries if e[1] is not None]
                k = _floor_div(len(done), self.factor)
                if not k:
                    continue
                key = np.array([e[1] if np.isfinite(e[1]) else -np.inf for e in done])
                order = np.argsort(-key, kind="stable")[:k]
                free = [done[j] for j in order if not done[j][2]]
                if free:
                    level = bracket.levels[rung + 1]
                    if best is None or level < best[0]:
                        best = (level, bi, rung, free[0])
                    break  # the highest promotable rung of this bracket
        if best is None:
            return None
        level, bi, rung, entry = best
        entry[2] = True
        return Job(entry[0], level, bi, rung + 1, entry[3])

    def _next_bracket(self):
        """The bracket furthest behind its share of new candidates (so each
        bracket starts one of the first ``len(brackets)`` candidates, and
        the bracket at the maximum resource gives a full-resource score
        early; the Sainte-Lague rule ``(started + 1/2) / share``, which
        delays it, was measured worse: see ``benchmarks/sections/
        hyperband_targets.md``)."""
        started = [b.n_candidates[0] for b in self.brackets]
        ratios = [s / w for s, w in zip(started, self._weights)]
        return int(np.argmin(ratios))

    def _sample(self):
        out = list(self.sampler.ask(1))
        if out:
            return out[0]
        self.n_repeated_ += 1
        return self.sampler.space.sample(1, self.rng)[0]


class BOHBOptimizer(Optimizer):
    """The BOHB sampler (Falkner et al. 2018): one TPE model per resource level.

    It is told the scores of every rung, each with its resource level, and
    keeps one :class:`~sksearch.optimizers.TPEOptimizer` per level, told only
    that level's results. A new candidate is drawn from the prior with
    probability ``random_fraction``; otherwise from the model of the highest
    resource level (largest budget) that has at least ``min_points_in_model``
    successful evaluations, or from the prior while no level has. Proposals
    are new: never a candidate already proposed or told at any level.

    Departures from the paper: the per-level model is sksearch's multivariate
    TPE (Optuna-style split ``gamma(n) = min(ceil(0.1 n), 25)``, prior kernel
    and magic clip) instead of BOHB's own KDE with a fixed 15 % quantile and
    bandwidth factor; a batch of proposals uses TPE's constant liar.

    Cost per candidate: that of one TPE proposal on the chosen level's
    observations.

    Parameters
    ----------
    space : Space or dict or list of dict
    random_fraction : float, default=1/3
        Share of candidates drawn from the prior (BOHB's ``rho``), which keeps
        the search exploring and the convergence guarantees of Hyperband.
    min_points_in_model : int or None, default=None
        Successful evaluations a level needs before its model is used; None
        is ``n_dims + 3`` (BOHB's ``N_min + 2`` with ``N_min = d + 1``).
    n_ei_candidates : int, default=24
        Passed to each level's TPE.
    random_state : None, int, numpy Generator or RandomState

    Attributes
    ----------
    models_ : dict
        Level -> TPEOptimizer told that level's results.
    multi_fidelity : bool
        True: :class:`HyperbandScheduler` tells it every rung.

    Examples
    --------
    >>> from sksearch.optimizers.hyperband import BOHBOptimizer
    >>> from sksearch.space import Real
    >>> opt = BOHBOptimizer({"x": Real(-2, 2)}, random_state=0)
    >>> for level in (1, 0):
    ...     batch = opt.ask(6)
    ...     opt.tell(batch, [-(c["x"] - 1) ** 2 for c in batch], level=level)
    >>> len(opt.models_[1].y_), len(opt.ask(3))
    (6, 3)
    """

    multi_fidelity = True

    def __init__(
        self,
        space,
        *,
        random_fraction=1 / 3,
        min_points_in_model=None,
        n_ei_candidates=24,
        random_state=None,
    ):
        super().__init__(space, random_state=random_state)
        if (
            isinstance(random_fraction, bool)
            or not isinstance(random_fraction, numbers.Real)
            or not 0.0 <= random_fraction <= 1.0
        ):
            raise ValueError(f"random_fraction must be in [0, 1], got {random_fraction!r}.")
        if min_points_in_model is None:
            min_points_in_model = self.space.n_dims + 3
        if (
            isinstance(min_points_in_model, bool)
            or not isinstance(min_points_in_model, numbers.Integral)
            or min_points_in_model < 2
        ):
            raise ValueError(
                f"min_points_in_model must be an integer >= 2, got {min_points_in_model!r}."
            )
        self.random_fraction = float(random_fraction)
        self.min_points_in_model = int(min_points_in_model)
        # checked here, not when the first level's TPE is made after some fits
        self.n_ei_candidates = check_int("n_ei_candidates", n_ei_candidates, 1)
        self.models_ = {}

    def tell(self, candidates, scores, level=0):
        """Report scores obtained at resource ``level`` (0: the maximum)."""
        candidates = list(candidates)
        super().tell(candidates, scores)
        model = self.models_.get(level)
        if model is None:
            seed = int(self.rng.integers(np.iinfo(np.int32).max))
            model = self.models_[level] = TPEOptimizer(
                self.space,
                n_startup=1,
                n_ei_candidates=self.n_ei_candidates,
                # Optuna's smoothing, with which BOHB's defaults were measured
                categorical_smoothing=1.0,
                random_state=seed,
            )
        model.tell(candidates, scores)

    def model_level(self):
        """The level whose model proposes now (None: prior draws only)."""
        levels = [lv for lv, m in self.models_.items() for _ in m.y_]
        scores = [y for m in self.models_.values() for y in m.y_]
        return _highest_level_with(levels, scores, self.min_points_in_model)

    def _propose(self, n):
        level = self.model_level()
        n_model = 0 if level is None else int((self.rng.random(n) >= self.random_fraction).sum())
        out, keys = [], set()
        if n_model:
            # the model's own proposal (constant liar within the batch); it
            # avoids what it was told, we avoid what any level saw
            for v in self.models_[level]._propose(n_model):
                k = self.space.key(v)
                if k not in self._seen and k not in keys:
                    keys.add(k)
                    out.append(v)
        rest = self._sample_new(n - len(out))
        for v in rest:
            k = self.space.key(v)
            if k not in keys:
                keys.add(k)
                out.append(v)
        return np.array(out, dtype=float).reshape(-1, self.space.n_dims)



class _FidelityFeatureMap(FeatureMap):
    """:class:`FeatureMap` plus one last feature, the fidelity ``z`` in
    [0, 1] (1: the maximum resource); vectors transformed without their own
    fidelity get the map's current ``z`` (the level the acquisition is
    evaluated at)."""

    def __init__(self, space):
        super().__init__(space)
        self.n_features += 1
        self.z = 1.0

    def transform(self, V, z=None):
        F = super().transform(V)
        z = np.full(len(F), self.z) if z is None else np.asarray(z, dtype=float)
        return np.column_stack([F, z])


class MultiFidelityBayesOptimizer(BayesOptimizer):
    """Bayesian optimisation across Hyperband's rungs: one GP with the
    resource as an input.

    Every rung's scores are evidence: the GP's inputs are the candidate's
    features (as :class:`~sksearch.optimizers.BayesOptimizer`'s) plus its
    fidelity ``z = 1 - k / (n_levels - 1)`` for level ``k`` (levels are a
    geometric sequence of resources, so ``z`` is the resource on a log scale,
    1 at the maximum), and the Matern kernel's length scale along ``z``
    learns how far the low rungs' ranking carries to the top. A new
    candidate maximises expected improvement at the highest level that has
    at least ``min_points_in_level`` successful evaluations, over the best
    score at that level (BOHB's rule for which budget's model proposes,
    Falkner et al. 2018), so proposals are model-based from the first few
    cheap evaluations on, not only once the top rung has filled. The
    acquisition is the GP's: its value and gradient with the fidelity held
    at that level. A share ``random_fraction`` of the candidates comes from
    the prior, as in BOHB, which keeps Hyperband's exploration.

    This is the "GP with the resource as an input" of multi-fidelity BO
    (Swersky et al. 2013; Klein et al. 2017, FABOLAS; Klein et al. 2020,
    MOBSTER, where it feeds asynchronous successive halving) with
    sksearch's kernel, priors, constant liar and acquisition optimiser;
    unlike FABOLAS it does not weigh a rung's information by its cost: the
    schedule (Hyperband or ASHA) decides what is evaluated where.

    Cost per ask: one GP fit on at most ``max_model_points`` evaluations of
    every level (the highest levels first, then the most recent), as
    :class:`BayesOptimizer`'s.

    Parameters
    ----------
    space : Space or dict or list of dict
    n_levels : int or None, default=None
        The number of resource levels of the schedule (level ``n_levels - 1``
        is the minimum resource). None: the highest level told so far.
    min_points_in_level : int or None, default=None
        Successful evaluations a level needs before the acquisition is
        evaluated there; None is ``n_dims + 3``, BOHB's default.
    random_fraction : float, default=0.2
        Share of new candidates drawn from the prior.
    n_initial_points : int, default=10
        Evaluations, at any level, before the GP is used; the first
        candidates are a scrambled Sobol design.
    **kwargs
        The other parameters of :class:`BayesOptimizer` (``acq_func``,
        ``xi``, ``kappa``, ``initial_design``, ``n_candidates``,
        ``n_restarts``, ``max_model_points``, ``liar``, ``random_state``).

    Attributes
    ----------
    levels_ : list of int
        The level of each told evaluation (same order as ``X_`` and ``y_``).
    acquisition_level_ : int or None
        The level the last model-based proposal was made for.
    multi_fidelity : bool
        True: the schedulers tell it every rung.

    Examples
    --------
    >>> from sksearch.optimizers.hyperband import MultiFidelityBayesOptimizer
    >>> from sksearch.space import Real
    >>> opt = MultiFidelityBayesOptimizer({"x": Real(-2, 2)}, n_levels=2,
    ...                                   n_initial_points=4, random_state=0)
    >>> for level, n in ((1, 4), (1, 4), (0, 2)):
    ...     batch = opt.ask(n)
    ...     opt.tell(batch, [-(c["x"] - 1) ** 2 - level for c in batch], level=level)
    >>> len(opt.ask(2)), opt.acquisition_level_  # level 0 has 2 results of the 4 it needs
    (2, 1)
    """

    multi_fidelity = True

    def __init__(
        self,
        space,
        *,
        n_levels=None,
        min_points_in_level=None,
        random_fraction=0.2,
        n_initial_points=10,
        **kwargs,
    ):
        super().__init__(space, n_initial_points=n_initial_points, **kwargs)
        self.n_levels = None if n_levels is None else check_int("n_levels", n_levels, 1)
        if min_points_in_level is None:
            min_points_in_level = self.space.n_dims + 3
        self.min_points_in_level = check_int("min_points_in_level", min_points_in_level, 2)
        self.random_fraction = check_real("random_fraction", random_fraction, 0.0, 1.0)
        self._fmap = _FidelityFeatureMap(self.space)
        self.levels_ = []
        self.acquisition_level_ = None
        self._train_levels = None

    def tell(self, candidates, scores, level=0):
        """Report scores obtained at resource ``level`` (0: the maximum)."""
        level = check_int("level", level, 0)
        if self.n_levels is not None and level >= self.n_levels:
            raise ValueError(f"level must be < n_levels={self.n_levels}, got {level}.")
        candidates = list(candidates)
        super().tell(candidates, scores)
        self.levels_.extend([level] * len(candidates))

    def _fidelity(self, levels):
        n = self.n_levels if self.n_levels is not None else max(self.levels_) + 1
        return 1.0 - np.asarray(levels, dtype=float) / max(n - 1, 1)

    def _propose(self, n):
        y = np.asarray(self.y_, dtype=float)
        finite = y[np.isfinite(y)]
        if len(finite) < self.n_initial_points_ or len(np.unique(finite)) < 2:
            return self._propose_initial(n)
        n_model = int((self.rng.random(n) >= self.random_fraction).sum())
        out = np.empty((0, self.space.n_dims))
        if n_model:
            level = _highest_level_with(self.levels_, y, self.min_points_in_level)
            if level is None:  # no level has enough results yet: the fullest one
                ok = np.isfinite(y)
                level = int(np.argmax(np.bincount(np.asarray(self.levels_)[ok])))
            self.acquisition_level_ = level
            self._fmap.z = float(self._fidelity([self.acquisition_level_])[0])
            with single_threaded_blas():
                out = self._propose_model(n_model)
        keys = {self.space.key(v) for v in out}
        rest = self._sample_new(n - len(out), exclude=keys)
        return np.vstack([out, rest]).reshape(-1, self.space.n_dims)

    def _training_set(self):
        X = np.asarray(self.X_, dtype=float)
        y = self._impute_failures(self.y_)
        levels = np.asarray(self.levels_)
        m = self.max_model_points
        idx = np.arange(len(y))
        if len(y) > m:
            # the highest levels first, the most recent first within a level
            idx = np.sort(np.lexsort((-idx, levels))[:m])
        self._train_levels = levels[idx]
        return X[idx], y[idx]

    def _training_features(self, X):
        return self._fmap.transform(X, z=self._fidelity(self._train_levels))

    def _incumbent(self, ys):
        at_level = self._train_levels == self.acquisition_level_
        return ys[at_level].max() if at_level.any() else ys.max()
