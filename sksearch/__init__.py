"""sksearch: drop-in smarter replacements for scikit-learn's GridSearchCV."""

__version__ = "0.1.0.dev0"

from .model_selection import (
    AnnealingSearchCV,
    CoordinateDescentSearchCV,
    GeneticSearchCV,
    PSOSearchCV,
)

__all__ = [
    "AnnealingSearchCV",
    "CoordinateDescentSearchCV",
    "GeneticSearchCV",
    "PSOSearchCV",
    "__version__",
]
