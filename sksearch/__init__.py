"""sksearch: drop-in smarter replacements for scikit-learn's GridSearchCV."""

__version__ = "0.1.0.dev0"

from .model_selection import BayesSearchCV, TPESearchCV

__all__ = ["BayesSearchCV", "TPESearchCV", "__version__"]
