"""The torch modules behind the network estimators.

Imported only from inside ``fit`` (and unpickling) of the estimators, so that
``import sksearch`` works without PyTorch.
"""

# SPDX-License-Identifier: BSD-3-Clause

import torch
from torch import nn

__all__ = ["ACTIVATIONS", "build_cnn", "build_mlp", "resolve_device"]

ACTIVATIONS = {
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "leaky_relu": nn.LeakyReLU,
    "relu": nn.ReLU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
}


def resolve_device(device):
    """``"auto"`` is CUDA when present, else CPU; anything else is passed to
    :class:`torch.device`."""
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _dense_block(n_in, n_out, *, activation, dropout, batch_norm):
    layers = [nn.Linear(n_in, n_out, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm1d(n_out))
    layers.append(ACTIVATIONS[activation]())
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    return layers


def build_mlp(n_in, n_out, *, hidden, activation, dropout, batch_norm):
    """``Linear -> [BatchNorm] -> activation -> [Dropout]`` per hidden layer,
    then a linear output layer (logits or regression outputs)."""
    layers, width = [], n_in
    for h in hidden:
        layers += _dense_block(width, h, activation=activation, dropout=dropout,
                               batch_norm=batch_norm)
        width = h
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


def build_cnn(input_shape, n_out, *, channels, kernel_sizes, pooling, dense, activation,
              dropout, batch_norm):
    """Conv blocks ``Conv2d(same padding) -> [BatchNorm] -> activation ->
    [2x2 pooling]``, then flatten, the dense head (as in :func:`build_mlp`,
    with dropout also before the first dense layer) and a linear output.

    Pooling halves each spatial side that is at least 2 long, so small inputs
    (8x8 digits, or the 1xN rows of tabular data) never shrink to nothing.
    """
    c, h, w = input_shape
    layers = []
    for ch, k in zip(channels, kernel_sizes):
        layers.append(nn.Conv2d(c, ch, k, padding="same", bias=not batch_norm))
        if batch_norm:
            layers.append(nn.BatchNorm2d(ch))
        layers.append(ACTIVATIONS[activation]())
        if pooling is not None and (h >= 2 or w >= 2):
            kernel = (2 if h >= 2 else 1, 2 if w >= 2 else 1)
            pool = nn.MaxPool2d if pooling == "max" else nn.AvgPool2d
            layers.append(pool(kernel))
            h, w = h // kernel[0], w // kernel[1]
        c = ch
    layers.append(nn.Flatten())
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    width = c * h * w
    for d in dense:
        layers += _dense_block(width, d, activation=activation, dropout=dropout,
                               batch_norm=batch_norm)
        width = d
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)
