"""sksearch: drop-in smarter replacements for scikit-learn's GridSearchCV."""

__version__ = "0.1.0.dev0"

from .model_selection import (
    AnnealingSearchCV,
    BayesSearchCV,
    CoordinateDescentSearchCV,
    GeneticSearchCV,
    HyperbandSearchCV,
    PSOSearchCV,
    ReinforceSearchCV,
    TPESearchCV,
)
from .nas import NASClassifier, NASRegressor  # imports no torch

__all__ = [
    "AnnealingSearchCV",
    "BayesSearchCV",
    "CoordinateDescentSearchCV",
    "GeneticSearchCV",
    "HyperbandSearchCV",
    "NASClassifier",
    "NASRegressor",
    "PSOSearchCV",
    "ReinforceSearchCV",
    "TPESearchCV",
    "__version__",
]
