"""Ask/tell search strategies on the shared encoded :class:`~sksearch.space.Space`.

Every strategy subclasses :class:`Optimizer`: ``ask(n)`` proposes up to ``n``
candidates, ``tell(candidates, scores)`` reports their scores (higher is
better, NaN for a failed fit). They know nothing of scikit-learn and can be
used on any Python function.

:func:`all_optimizers` lists every registered strategy, sampler and
scheduler: the public ``*SearchCV`` classes, NAS and the conformance tests
read that one table.
"""

from ._base import Optimizer
from ._gp.cell import Cell
from ._registry import all_optimizers
from .annealing import AnnealingOptimizer
from .bayes import BayesOptimizer
from .coordinate import CoordinateDescentOptimizer
from .genetic import GeneticOptimizer
from .hyperband import BOHBOptimizer, MultiFidelityBayesOptimizer
from .pso import PSOOptimizer
from .random import RandomOptimizer
from .reinforce import ReinforceOptimizer
from .tpe import TPEOptimizer

__all__ = [
    "AnnealingOptimizer",
    "BOHBOptimizer",
    "BayesOptimizer",
    "Cell",
    "CoordinateDescentOptimizer",
    "GeneticOptimizer",
    "MultiFidelityBayesOptimizer",
    "Optimizer",
    "PSOOptimizer",
    "RandomOptimizer",
    "ReinforceOptimizer",
    "TPEOptimizer",
    "all_optimizers",
]
