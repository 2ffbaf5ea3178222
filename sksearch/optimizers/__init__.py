"""Ask/tell search strategies on the shared encoded :class:`~sksearch.space.Space`.

Every strategy subclasses :class:`Optimizer`: ``ask(n)`` proposes up to ``n``
candidates, ``tell(candidates, scores)`` reports their scores (higher is
better, NaN for a failed fit). They know nothing of scikit-learn and can be
used on any Python function.
"""

from ._base import Optimizer
from ._gp.cell import Cell
from .annealing import AnnealingOptimizer
from .bayes import BayesOptimizer
from .coordinate import CoordinateDescentOptimizer
from .genetic import GeneticOptimizer
from .pso import PSOOptimizer
from .random import RandomOptimizer
from .reinforce import ReinforceOptimizer
from .tpe import TPEOptimizer

__all__ = [
    "AnnealingOptimizer",
    "BayesOptimizer",
    "Cell",
    "CoordinateDescentOptimizer",
    "GeneticOptimizer",
    "Optimizer",
    "PSOOptimizer",
    "RandomOptimizer",
    "ReinforceOptimizer",
    "TPEOptimizer",
]
