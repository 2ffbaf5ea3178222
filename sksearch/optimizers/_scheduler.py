"""The scheduler protocol: what the driver's loop asks and tells.

A scheduler hands out *units*, a candidate at a resource level, with
``ask(n)``, and takes their scores back with ``tell(units, scores)``. A plain
strategy is a scheduler of one level (:class:`OneLevelScheduler`);
synchronous Hyperband and asynchronous successive halving are schedulers of
several (:mod:`sksearch.optimizers.hyperband`). Whoever runs a unit reads its
level to choose the resource (level 0 is the maximum, the only level of a
plain strategy). Pure: no scikit-learn, no I/O.
"""

# SPDX-License-Identifier: BSD-3-Clause

from abc import ABC, abstractmethod

__all__ = ["OneLevelScheduler", "Scheduler", "Unit"]


class Unit:
    """One evaluation a scheduler asks for: a candidate at a resource level.

    Attributes
    ----------
    candidate : dict
        The parameters.
    level : int
        Resource level (0 is the maximum resource).
    bracket : int
        Index of the bracket in a Hyperband plan (0 for a one-level scheduler).
    rung : int
        Rung within the bracket (0 for a new candidate).
    lineage : int or None
        Names one candidate through the rungs of its bracket: a promotion
        has the lineage of the evaluation it continues (None for a
        one-level scheduler). Whoever runs the unit may keep its models under
        this name for the next rung (continued training).
    """

    __slots__ = ("candidate", "level", "bracket", "rung", "lineage")

    def __init__(self, candidate, level=0, bracket=0, rung=0, lineage=None):
        self.candidate = candidate
        self.level = level
        self.bracket = bracket
        self.rung = rung
        self.lineage = lineage

    def __repr__(self):
        return (
            f"Unit({self.candidate!r}, level={self.level}, bracket={self.bracket}, "
            f"rung={self.rung})"
        )


class Scheduler(ABC):
    """Hands out units and takes their scores.

    Attributes
    ----------
    sampler : Optimizer
        The strategy that proposes the new candidates.
    done : bool
        Whether the scheduler has nothing left to hand out.
    """

    sampler = None

    @property
    def done(self):
        return False

    @abstractmethod
    def ask(self, n=1):
        """Up to ``n`` units to evaluate next, as a list (empty: none left)."""

    @abstractmethod
    def tell(self, units, scores):
        """Report the scores of units it handed out (NaN: a failed evaluation)."""

    def restore(self, units, scores):
        """Take the evaluations of an earlier run (a resumed journal) as if
        they had been asked and told, in the order given (the order they were
        asked); return how many took their place in the scheduler's budget.

        ``units`` are the earlier run's (candidate, level and bracket as it
        journaled them; the rung is the scheduler's to place). A scheduler
        with rungs rebuilds them (and the promotions they made); this default
        tells the units in order, all within the budget.
        """
        units = list(units)
        if units:
            self.tell(units, scores)
        return len(units)


class OneLevelScheduler(Scheduler):
    """A plain strategy as a scheduler: every unit is a candidate at the
    maximum resource (level 0).

    Examples
    --------
    >>> from sksearch.optimizers import RandomOptimizer
    >>> from sksearch.optimizers._scheduler import OneLevelScheduler
    >>> from sksearch.space import Real
    >>> sched = OneLevelScheduler(RandomOptimizer({"x": Real(0, 1)}, random_state=0))
    >>> units = sched.ask(2)
    >>> [u.level for u in units]
    [0, 0]
    >>> sched.tell(units, [u.candidate["x"] for u in units])
    >>> len(sched.sampler.y_)
    2
    """

    def __init__(self, strategy):
        self.sampler = strategy

    def ask(self, n=1):
        return [Unit(candidate) for candidate in self.sampler.ask(n)]

    def tell(self, units, scores):
        units = list(units)
        if not all(isinstance(unit, Unit) for unit in units):
            raise ValueError("tell expects the units that ask handed out.")
        self.sampler.tell([unit.candidate for unit in units], scores)
