"""ConvNetClassifier: a convolutional network in PyTorch as a scikit-learn
estimator, and the image input that every convolutional estimator shares
(``_ImageInputMixin``, also behind :class:`CellNetClassifier`)."""

# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_array

from .._compat import Interval, StrOptions, _fit_context
from ._layers import _check_layers, _LayerAliasesMixin
from ._targets import _LABEL_SMOOTHING_CONSTRAINT, _LABEL_SMOOTHING_DOC, _ClassifierTargets
from ._training import (
    _ATTRIBUTES_DOC,
    _COMMON_CONSTRAINTS,
    _TRAINING_DOC,
    _TorchNet,
    _validate_data,
)

__all__ = ["ConvNetClassifier"]


def _infer_image_shape(shape, input_shape, name):
    """``(C, H, W)`` of the samples of an array of shape ``shape``."""
    n_features = int(np.prod(shape[1:]))
    if input_shape is not None:
        dims = _check_layers("input_shape", input_shape)
        if len(dims) == 2:
            dims = (1, *dims)
        if len(dims) != 3 or int(np.prod(dims)) != n_features:
            raise ValueError(
                f"input_shape={input_shape!r} does not fit samples of shape "
                f"{tuple(shape[1:])} ({n_features} values); give (H, W) or (C, H, W)."
            )
        return dims
    if len(shape) == 4:
        return tuple(int(s) for s in shape[1:])
    if len(shape) == 3:
        return (1, int(shape[1]), int(shape[2]))
    side = math.isqrt(n_features)
    if side * side == n_features:  # flat square images (load_digits: 64 = 8x8)
        return (1, side, side)
    return (1, 1, n_features)  # a row of features, as a 1 x n image


class _ImageInputMixin:
    """Images in, for the convolutional networks: ``(n, H, W)``, ``(n, C, H,
    W)`` or flat rows read as images of ``input_shape``; per-channel
    standardisation; ``fit``; the 3-d input tag."""

    def _check_X(self, X, reset):
        # np.ndim would dispatch to X's __array_function__; ask for the array
        ndim = X.ndim if isinstance(X, np.ndarray) else np.asarray(X).ndim
        if ndim <= 2 or hasattr(X, "columns"):
            X = _validate_data(self, X, reset=reset, dtype=(np.float64, np.float32))
            shape = X.shape
        else:
            X = check_array(X, allow_nd=True, dtype=(np.float64, np.float32))
            if X.ndim > 4:
                raise ValueError(
                    f"Images must be (n, H, W) or (n, C, H, W) arrays; got {X.ndim} dimensions."
                )
            shape = X.shape
            n_features = int(np.prod(shape[1:]))
            if reset:
                self.n_features_in_ = n_features
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
            elif n_features != self.n_features_in_:
                raise ValueError(
                    f"X has {n_features} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input."
                )
        if reset:
            self.input_shape_ = _infer_image_shape(shape, self.input_shape, "X")
        elif X.ndim > 2 and tuple(X.shape[-2:]) != self.input_shape_[-2:]:
            raise ValueError(
                f"X has images of shape {tuple(X.shape[1:])}, but {type(self).__name__} "
                f"was fitted on images of shape {self.input_shape_}."
            )
        return X.reshape((len(X), *self.input_shape_))

    def _standardize_axes(self, X):
        return (0, 2, 3)  # one mean and scale per channel


    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Build the network for the data and train it for ``max_epochs`` epochs.

        Parameters
        ----------
        X : array-like of shape (n, H, W), (n, C, H, W) or (n, n_features)
            Training images (flat rows are read with ``input_shape``).
        y : array-like of shape (n_samples,)
            Labels (any type).

        Returns
        -------
        self : object
        """
        return self._fit(X, y, incremental=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


def _image_net_doc(doc):
    """The docstring of an image network, with the shared parts filled in."""
    return doc.replace(
        "    {training}", _TRAINING_DOC.replace("{standardize_extra}", " channel").strip("\n")
    ).replace("{attributes}", _ATTRIBUTES_DOC).replace("{label_smoothing}", _LABEL_SMOOTHING_DOC)


class ConvNetClassifier(
    _ClassifierTargets, ClassifierMixin, _LayerAliasesMixin, _ImageInputMixin, _TorchNet
):
    """A convolutional network classifier in PyTorch, as a scikit-learn estimator.

    Conv blocks (``Conv2d`` with "same" padding, optional batch norm, the
    activation, 2x2 pooling), then a dense head, trained with cross-entropy.
    Its parameters are its topology and training settings, so any sksearch
    ``*SearchCV`` (or :class:`sksearch.nas.NASClassifier`) can search them.

    Images may be given as ``(n, H, W)`` or ``(n, C, H, W)`` arrays, or as
    flat rows ``(n, C*H*W)`` with ``input_shape``; flat rows without
    ``input_shape`` are read as square one-channel images when their length
    is a square (``load_digits``: 64 = 8x8), else as ``1 x n`` images.

    Parameters
    ----------
    input_shape : tuple of int or None, default=None
        ``(H, W)`` or ``(C, H, W)`` of one sample, to read flat rows as images.
    conv_channels : sequence of int, default=(16, 32)
        Output channels of each conv block; ``()`` has no conv block.
        Searchable block by block as ``n_blocks`` and ``channels_1``,
        ``channels_2``, ... (see Notes).
    kernel_sizes : int or sequence of int, default=3
        Kernel size of every block (an int) or of each block
        (``kernel_size_1``, ... as aliases).
    pooling : {"max", "avg"} or None, default="max"
        2x2 pooling after every block (a side of length 1 is not pooled).
    dense_sizes : sequence of int, default=(64,)
        Hidden layers of the dense head after the conv blocks (aliases
        ``n_dense``, ``dense_1``, ...).
    activation : {"relu", "gelu", "silu", "elu", "leaky_relu", "tanh"}, default="relu"
        Activation after every conv block and dense layer.
    dropout : float in [0, 1), default=0.0
        Dropout probability before the dense head and after each of its layers.
    batch_norm : bool, default=False
        Batch normalisation in every conv block and dense layer.{label_smoothing}
    {training}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels (any type: ints, strings, ...).
    input_shape_ : tuple of int
        ``(C, H, W)`` of one sample, as the network reads it.{attributes}

    See Also
    --------
    MLPNetClassifier : A multi-layer perceptron.
    NASClassifier : Searches these topologies (``architecture="cnn"``).

    Notes
    -----
    ``n_features_in_`` is the number of values of one sample (``C*H*W``);
    ``predict`` takes the layout ``fit`` saw, or flat rows of that length.
    Depth and per-block settings are parameters of their own, so that a
    search space can hold only the blocks that exist:
    ``set_params(n_blocks=2, channels_1=16, channels_2=32, kernel_size_2=5)``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sksearch.nas import ConvNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> net = ConvNetClassifier(conv_channels=(8,), max_epochs=2, random_state=0)
    >>> net.fit(X[:200], y[:200]).input_shape_
    (1, 8, 8)
    >>> net.predict(X[:3].reshape(3, 8, 8)).shape
    (3,)
    """

    _layer_groups = (
        ("n_blocks", {"channels": "conv_channels", "kernel_size": "kernel_sizes"},
         {"conv_channels": 32, "kernel_sizes": 3}),
        ("n_dense", {"dense": "dense_sizes"}, {"dense_sizes": 64}),
    )

    _parameter_constraints = {
        "input_shape": ["array-like", None],
        "conv_channels": ["array-like"],
        "kernel_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "pooling": [StrOptions({"max", "avg"}), None],
        "dense_sizes": ["array-like"],
        **_COMMON_CONSTRAINTS,
        **_LABEL_SMOOTHING_CONSTRAINT,
    }

    def __init__(
        self,
        input_shape=None,
        *,
        conv_channels=(16, 32),
        kernel_sizes=3,
        pooling="max",
        dense_sizes=(64,),
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
        self.input_shape = input_shape
        self.conv_channels = conv_channels
        self.kernel_sizes = kernel_sizes
        self.pooling = pooling
        self.dense_sizes = dense_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.label_smoothing = label_smoothing
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
        channels = _check_layers("conv_channels", self.conv_channels)
        kernels = self.kernel_sizes
        if isinstance(kernels, (Integral, np.integer)) and not isinstance(kernels, bool):
            kernels = (kernels,) * len(channels)
        kernels = _check_layers("kernel_sizes", kernels)
        if len(kernels) != len(channels):
            raise ValueError(
                f"kernel_sizes={self.kernel_sizes!r} must be an int or have one size per "
                f"conv block ({len(channels)})."
            )
        return {
            "input_shape": tuple(self.input_shape_),
            "n_out": int(self._n_out()),
            "channels": channels,
            "kernel_sizes": kernels,
            "pooling": self.pooling,
            "dense": _check_layers("dense_sizes", self.dense_sizes),
            "activation": self.activation,
            "dropout": float(self.dropout),
            "batch_norm": bool(self.batch_norm),
        }

    def _build_module(self, spec):
        from ._networks import build_cnn

        spec = dict(spec)
        return build_cnn(spec.pop("input_shape"), spec.pop("n_out"), **spec)

ConvNetClassifier.__doc__ = _image_net_doc(ConvNetClassifier.__doc__)
