"""sksearch: drop-in smarter replacements for scikit-learn's GridSearchCV."""

__version__ = "0.1.0.dev0"

from .model_selection import BayesSearchCV, HyperbandSearchCV, TPESearchCV

__all__ = ["BayesSearchCV", "HyperbandSearchCV", "TPESearchCV", "__version__"]
