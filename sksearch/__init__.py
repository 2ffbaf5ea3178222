"""sksearch: drop-in smarter replacements for scikit-learn's GridSearchCV."""

__version__ = "0.1.0.dev0"

from .nas import NASClassifier, NASRegressor  # noqa: E402  (imports no torch)

__all__ = ["NASClassifier", "NASRegressor", "__version__"]
