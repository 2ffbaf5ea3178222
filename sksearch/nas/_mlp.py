"""MLPNetClassifier and MLPNetRegressor: multi-layer perceptrons in PyTorch,
as scikit-learn estimators whose parameters are their topology."""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

from sklearn.base import ClassifierMixin, RegressorMixin

from .._compat import Interval, _fit_context
from ._layers import _check_layers, _LayerAliasesMixin
from ._targets import (
    _LABEL_SMOOTHING_CONSTRAINT,
    _LABEL_SMOOTHING_DOC,
    _ClassifierTargets,
    _RegressorTargets,
)
from ._training import _ATTRIBUTES_DOC, _COMMON_CONSTRAINTS, _TRAINING_DOC, _TorchNet

__all__ = ["MLPNetClassifier", "MLPNetRegressor"]

_MLP_TRAINING_DOC = _TRAINING_DOC.replace("{standardize_extra}", "")


class _MLPNet(_LayerAliasesMixin, _TorchNet):
    _layer_groups = (("n_layers", {"units": "hidden_layer_sizes"}, {"hidden_layer_sizes": 100}),)

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        **_COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        optimizer="adam",
        lr_schedule="constant",
        max_epochs=50,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        standardize=True,
        warm_start=False,
        device="auto",
        n_threads=None,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.standardize = standardize
        self.warm_start = warm_start
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def _module_spec(self):
        return {
            "n_in": int(self.n_features_in_),
            "n_out": int(self._n_out()),
            "hidden": _check_layers("hidden_layer_sizes", self.hidden_layer_sizes,
                                    allow_scalar=True),
            "activation": self.activation,
            "dropout": float(self.dropout),
            "batch_norm": bool(self.batch_norm),
        }

    def _build_module(self, spec):
        from ._networks import build_mlp

        spec = dict(spec)
        return build_mlp(spec.pop("n_in"), spec.pop("n_out"), **spec)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Build the network for the data and train it for ``max_epochs`` epochs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) (or (n_samples, n_outputs) for the regressor)
            Targets.

        Returns
        -------
        self : object
        """
        return self._fit(X, y, incremental=False)


_MLP_PARAMS_DOC = """
    hidden_layer_sizes : int or sequence of int, default=(100,)
        Width of each hidden layer; ``()`` is a linear model. Searchable layer
        by layer as ``n_layers`` (the depth) and ``units_1``, ``units_2``, ...
        (see Notes).
    activation : {"relu", "gelu", "silu", "elu", "leaky_relu", "tanh"}, default="relu"
        Activation after every hidden layer.
    dropout : float in [0, 1), default=0.0
        Dropout probability after every hidden layer.
    batch_norm : bool, default=False
        Batch normalisation after every hidden linear layer."""

_ALIASES_NOTE = """
    Notes
    -----
    Depth and per-layer widths are also parameters of their own, so that a
    search space can hold only the layers that exist (one sub-space per
    depth, as :func:`sksearch.nas.default_search_space` does):
    ``set_params(n_layers=2, units_1=64, units_2=32)`` is
    ``set_params(hidden_layer_sizes=(64, 32))``. ``get_params(deep=True)``
    lists them as ``Pipeline`` lists ``step__param``.

    Training threads: torch uses ``n_threads`` intra-op threads (``None``:
    torch's default, which joblib's worker processes lower to
    ``cores // n_jobs``)."""


class MLPNetClassifier(_ClassifierTargets, ClassifierMixin, _MLPNet):
    __doc__ = f"""A multi-layer perceptron classifier in PyTorch, as a scikit-learn estimator.

    The network is ``n_features -> hidden layers -> n_classes`` logits,
    trained with cross-entropy by minibatch ``optimizer``. Its parameters
    are its topology and training settings, so any sksearch ``*SearchCV`` (or
    :class:`sksearch.nas.NASClassifier`) can search them.

    Parameters
    ----------{_MLP_PARAMS_DOC}{_LABEL_SMOOTHING_DOC}{_MLP_TRAINING_DOC}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels (any type: ints, strings, ...).{_ATTRIBUTES_DOC}

    See Also
    --------
    MLPNetRegressor : The same network for regression.
    ConvNetClassifier : A convolutional network for images.
    NASClassifier : Searches these topologies.
    sklearn.neural_network.MLPClassifier : scikit-learn's own MLP (NumPy).
{_ALIASES_NOTE}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sksearch.nas import MLPNetClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> net = MLPNetClassifier((32,), max_epochs=30, random_state=0).fit(X, y)
    >>> net.predict_proba(X[:2]).shape
    (2, 3)
    >>> net.set_params(n_layers=2, units_2=16).hidden_layer_sizes
    (32, 16)
    """

    _parameter_constraints = {**_MLPNet._parameter_constraints, **_LABEL_SMOOTHING_CONSTRAINT}

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        activation="relu",
        dropout=0.0,
        batch_norm=False,
        label_smoothing=0.0,
        lr=1e-3,
        weight_decay=0.0,
        batch_size=64,
        optimizer="adam",
        lr_schedule="constant",
        max_epochs=50,
        early_stopping=False,
        validation_fraction=0.1,
        patience=10,
        standardize=True,
        warm_start=False,
        device="auto",
        n_threads=None,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            hidden_layer_sizes, activation=activation, dropout=dropout,
            batch_norm=batch_norm, lr=lr, weight_decay=weight_decay,
            batch_size=batch_size, optimizer=optimizer, lr_schedule=lr_schedule,
            max_epochs=max_epochs, early_stopping=early_stopping,
            validation_fraction=validation_fraction, patience=patience,
            standardize=standardize, warm_start=warm_start, device=device,
            n_threads=n_threads, random_state=random_state, verbose=verbose,
        )
        self.label_smoothing = label_smoothing


class MLPNetRegressor(_RegressorTargets, RegressorMixin, _MLPNet):
    __doc__ = f"""A multi-layer perceptron regressor in PyTorch, as a scikit-learn estimator.

    The network is ``n_features -> hidden layers -> n_outputs``, trained
    with mean squared error on standardized targets (predictions are
    transformed back).

    Parameters
    ----------{_MLP_PARAMS_DOC}{_MLP_TRAINING_DOC}

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.{_ATTRIBUTES_DOC}

    See Also
    --------
    MLPNetClassifier : The same network for classification.
    NASRegressor : Searches these topologies.
{_ALIASES_NOTE}

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sksearch.nas import MLPNetRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> net = MLPNetRegressor((32,), max_epochs=20, random_state=0).fit(X, y)
    >>> net.predict(X[:3]).shape
    (3,)
    """
