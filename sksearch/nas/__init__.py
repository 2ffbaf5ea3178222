"""Neural architecture search: torch networks as scikit-learn estimators whose
parameters are their topology, and NASClassifier / NASRegressor, which search
those topologies with sksearch's strategies behind ``fit`` / ``predict``.

PyTorch is optional (``pip install "sksearch[nas]"``): this package imports
without it, and ``fit`` says how to install it.
"""

# SPDX-License-Identifier: BSD-3-Clause

from ._cell_estimator import CELL_OPS, CellNetClassifier
from ._cnn import ConvNetClassifier
from ._mlp import MLPNetClassifier, MLPNetRegressor
from ._nas import NASClassifier, NASRegressor, available_strategies
from ._spaces import cell_search_space, default_search_space

__all__ = [
    "CELL_OPS",
    "CellNetClassifier",
    "ConvNetClassifier",
    "MLPNetClassifier",
    "MLPNetRegressor",
    "NASClassifier",
    "NASRegressor",
    "available_strategies",
    "cell_search_space",
    "default_search_space",
]
