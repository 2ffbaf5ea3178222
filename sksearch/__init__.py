"""sksearch: drop-in smarter replacements for scikit-learn's GridSearchCV."""

from ._version import __version__
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
