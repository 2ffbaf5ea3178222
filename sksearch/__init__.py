"""sksearch: drop-in smarter replacements for scikit-learn's GridSearchCV."""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
