"""Every strategy, sampler and scheduler of sksearch, in one table.

The public ``*SearchCV`` classes take their strategy from here, NAS lists
its black-box strategies from here, and the conformance suites run over
what is here: a new strategy is one row (and its ``*SearchCV``).

A **strategy** proposes candidates at one resource level (a one-level
scheduler), a **sampler** proposes the new candidates of a multi-level
scheduler (and may learn from every level), a **scheduler** hands out units:
candidates at resource levels.
"""

# SPDX-License-Identifier: BSD-3-Clause

from typing import NamedTuple

from .annealing import AnnealingOptimizer
from .bayes import BayesOptimizer
from .coordinate import CoordinateDescentOptimizer
from .genetic import GeneticOptimizer
from .hyperband import (
    ASHAScheduler,
    BOHBOptimizer,
    HyperbandScheduler,
    MultiFidelityBayesOptimizer,
)
from .pso import PSOOptimizer
from .random import RandomOptimizer
from .reinforce import ReinforceOptimizer
from .tpe import TPEOptimizer

__all__ = ["ROLES", "all_optimizers", "get_optimizer"]

ROLES = ("strategy", "sampler", "scheduler")


class _Entry(NamedTuple):
    role: str
    name: str
    cls: type
    search: str  # the public *SearchCV that runs it, "" where none has it alone


_REGISTRY = (
    _Entry("strategy", "annealing", AnnealingOptimizer, "AnnealingSearchCV"),
    _Entry("strategy", "bayes", BayesOptimizer, "BayesSearchCV"),
    _Entry("strategy", "coordinatedescent", CoordinateDescentOptimizer,
           "CoordinateDescentSearchCV"),
    _Entry("strategy", "genetic", GeneticOptimizer, "GeneticSearchCV"),
    _Entry("strategy", "pso", PSOOptimizer, "PSOSearchCV"),
    _Entry("strategy", "random", RandomOptimizer, ""),
    _Entry("strategy", "reinforce", ReinforceOptimizer, "ReinforceSearchCV"),
    _Entry("strategy", "tpe", TPEOptimizer, "TPESearchCV"),
    # the samplers of HyperbandSearchCV (its ``sampler`` parameter)
    _Entry("sampler", "gp", MultiFidelityBayesOptimizer, "HyperbandSearchCV"),
    _Entry("sampler", "random", RandomOptimizer, "HyperbandSearchCV"),
    _Entry("sampler", "tpe", BOHBOptimizer, "HyperbandSearchCV"),
    # rounds of synchronous brackets, and asynchronous successive halving
    _Entry("scheduler", "asha", ASHAScheduler, ""),
    _Entry("scheduler", "hyperband", HyperbandScheduler, "HyperbandSearchCV"),
)


def all_optimizers(role=None):
    """Every registered ``(role, name, class, search)``, sorted.

    Parameters
    ----------
    role : {"strategy", "sampler", "scheduler"} or None, default=None
        Only the entries of this role; None: all of them.

    Returns
    -------
    entries : list of tuple
        ``(role, name, class, search)``, where ``search`` is the name of the
        public ``*SearchCV`` class that runs it ("" where none does alone:
        the random strategy, asynchronous successive halving, which is
        ``HyperbandSearchCV(asynchronous=True)``).

    Examples
    --------
    >>> from sksearch.optimizers import all_optimizers
    >>> [name for _, name, _, _ in all_optimizers("scheduler")]
    ['asha', 'hyperband']
    """
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {ROLES!r} or None; got {role!r}.")
    return sorted(tuple(e) for e in _REGISTRY if role is None or e.role == role)


def get_optimizer(role, name):
    """The class registered as ``name`` among the entries of ``role``.

    Raises a ValueError naming the registered names when there is none.
    """
    for entry in _REGISTRY:
        if entry.role == role and entry.name == name:
            return entry.cls
    names = sorted(e.name for e in _REGISTRY if e.role == role)
    raise ValueError(f"{name!r} is not a registered {role} of sksearch; one of {names!r}.")
