"""The MLP supernet of one-shot NAS: every architecture of the space in one network.

One ``Linear`` of the largest width per layer holds the weights of every
width (Cai et al., 2020, "Once-for-All"; Yu et al., 2019, slimmable networks):
a layer of width ``w`` is the first ``w`` units of that layer, so all widths
share (and train) the same weights. A layer past the smallest depth of the
space may be ``"skip"``: absent, the hidden vector passes through unchanged,
so the supernet holds every depth as well. The activation is one decision for
the whole network (:class:`MLPNetClassifier` has one activation).

``"zero"`` (an op whose output is zero, part of DARTS's cell space) is left
out: in a cell a zero edge removes one input of a node that has others, but
the MLP is a chain, and a zero layer would cut the output from the input.

Only the topology is searched (depth, widths, activation). Training settings
(``lr``, ``weight_decay``, ``dropout``, ``batch_norm``, ``batch_size``, ...)
are those of the network template, i.e. ``net_params`` of NASClassifier;
a training parameter with one value in the search space is applied as a
fixed setting, one with several values is ignored (with a warning).

Implements the SuperNet protocol of the one-shot engine
(:mod:`sksearch.nas._oneshot`): ``decisions``, ``forward(x, arch=None)``,
``arch_parameters``, ``weight_parameters``, ``derive``, ``to_params``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import re
import warnings

import torch
import torch.nn.functional as F
from sklearn.base import clone
from torch import nn

from ..space import Categorical, Integer, Space
from ._networks import ACTIVATIONS

__all__ = ["MLPSuperNet", "build_supernet", "mlp_decisions"]

SKIP = "skip"
_TOPOLOGY = {"n_layers", "hidden_layer_sizes", "activation"}
_UNITS = re.compile(r"units_([1-9][0-9]*)")


# --- the one-shot space ---------------------------------------------------------


def _width_grid(dim, where):
    """The widths one layer may take: the powers of 2 inside an Integer range
    (its ends when it holds none), or the values of a list."""
    if isinstance(dim, Categorical):
        values = dim.choices
    elif isinstance(dim, Integer):
        low, high = int(dim.low), int(dim.high)
        values = [2**k for k in range(high.bit_length() + 1) if low <= 2**k <= high]
        if not values:
            values = sorted({low, high})
    else:
        raise ValueError(
            f"search_space[{where!r}]={dim!r}: one-shot NAS needs a finite grid of widths "
            "(a list of ints or Integer(low, high), whose powers of 2 are the grid)."
        )
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"search_space[{where!r}] has a width that is not a positive "
                             f"integer: {v!r}.")
    return values


def _depths(dim, where):
    if isinstance(dim, Categorical):
        values = dim.choices
    elif isinstance(dim, Integer):
        values = list(range(int(dim.low), int(dim.high) + 1))
    else:
        raise ValueError(f"search_space[{where!r}]={dim!r}: one-shot NAS needs a list of "
                         "depths or an Integer range.")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"search_space[{where!r}] has a depth that is not an integer "
                             f">= 1: {v!r} (one-shot NAS keeps at least one hidden layer).")
    return values


def mlp_decisions(search_space, net, *, user_space=True):
    """The one-shot decisions of an MLP search space.

    Parameters
    ----------
    search_space : dict or list of dict
        NASClassifier's space, in :class:`MLPNetClassifier`'s parameters.
    net : MLPNetClassifier or MLPNetRegressor
        The (unfitted) network template; its depth and widths fill in what
        the space leaves out.
    user_space : bool, default=True
        Warn about training parameters the space searches but the supernet
        does not (the one-shot engine passes False for the default space and
        when its training-settings stage, ``tune_training``, tunes them).

    Returns
    -------
    decisions : list of (name, list)
        ``("units_1", widths)``, ``("units_2", widths + ["skip"])``, ...,
        then ``("activation", names)`` when the space has several.
    fixed : dict
        Parameters the space gives one value each (applied to the network).
    """
    space = Space(search_space)
    known = net.get_params(deep=True)
    grids, depths, activations, fixed, ignored = {}, set(), [], {}, set()
    for i, sub in enumerate(space.subspaces):
        where = "search_space" if len(space.subspaces) == 1 else f"search_space[{i}]"
        for name in sub:
            if name not in known:
                raise ValueError(f"{where} has {name!r}, which is not a parameter of "
                                 f"{type(net).__name__}.")
            if name.startswith("activation_"):
                raise ValueError(f"{where} has {name!r}: one-shot NAS searches one activation "
                                 "for the whole network ('activation').")
        layers = {}  # layer index -> widths, for each depth of this sub-space
        if "hidden_layer_sizes" in sub:
            dim = sub["hidden_layer_sizes"]
            if not isinstance(dim, Categorical):
                raise ValueError(f"{where}['hidden_layer_sizes'] must be a list of tuples.")
            sizes = [(c,) if isinstance(c, int) else tuple(c) for c in dim.choices]
            sub_depths = []
            for s in sizes:
                if not s:
                    raise ValueError(f"{where}['hidden_layer_sizes'] has () (no hidden layer); "
                                     "one-shot NAS keeps at least one.")
                sub_depths.append(len(s))
                for layer, w in enumerate(s, start=1):
                    layers.setdefault(layer, []).extend(
                        _width_grid(Categorical([w]), "hidden_layer_sizes"))
        else:
            template = clone(net)
            if "n_layers" in sub:
                sub_depths = _depths(sub["n_layers"], "n_layers")
            else:
                sub_depths = [max(1, int(template.get_params(deep=True)["n_layers"] or 0))]
            for d in sub_depths:
                defaults = template.set_params(n_layers=d).hidden_layer_sizes
                for layer in range(1, d + 1):
                    name = f"units_{layer}"
                    values = (_width_grid(sub[name], name) if name in sub
                              else [int(defaults[layer - 1])])
                    layers.setdefault(layer, []).extend(values)
        depths.update(sub_depths)
        for layer, values in layers.items():
            grids.setdefault(layer, []).extend(values)
        if "activation" in sub:
            activations.extend(c for c in sub["activation"].choices if c not in activations)
        for name, dim in sub.items():
            if name in _TOPOLOGY or _UNITS.fullmatch(name):
                continue
            single = isinstance(dim, Categorical) and dim.n_values == 1
            if single and repr(fixed.get(name, dim.choices[0])) == repr(dim.choices[0]):
                fixed[name] = dim.choices[0]
            else:  # several values, here or across sub-spaces
                ignored.add(name)
    if not depths:
        raise ValueError("search_space gives no hidden layer: one-shot NAS needs at least one.")
    for k in ignored:
        fixed.pop(k, None)
    if ignored and user_space:
        warnings.warn(
            f"search_space searches {sorted(ignored)}, which the supernet does not search "
            "(it searches depth, widths and activation) and strategy_params "
            "{'tune_training': 0} does not tune: they keep the network's values (set them "
            "with net_params, or tune them with tune_training >= 1).",
            UserWarning,
            stacklevel=4,
        )
    min_depth, max_depth = min(depths), max(depths)
    decisions = []
    for layer in range(1, max_depth + 1):
        widths = sorted(set(grids[layer]))
        if layer > min_depth:
            widths.append(SKIP)
        decisions.append((f"units_{layer}", widths))
    for name in activations:
        if name not in ACTIVATIONS:
            raise ValueError(f"search_space['activation'] has {name!r}, not one of "
                             f"{sorted(ACTIVATIONS)}.")
    if len(activations) > 1:
        decisions.append(("activation", list(activations)))
    elif activations:
        fixed["activation"] = activations[0]
    return decisions, fixed


# --- the supernet -----------------------------------------------------------------


class MLPSuperNet(nn.Module):
    """Every MLP of the decisions in one module (see the module docstring).

    Parameters
    ----------
    n_in, n_out : int
        Input features and outputs (classes, or regression targets).
    decisions : list of (name, list)
        From :func:`mlp_decisions`.
    activation : str
        The activation when ``decisions`` has no ``"activation"``.
    dropout : float
    batch_norm : bool
        Batch norm after each hidden linear layer; its statistics are per
        unit, and the engine re-estimates them for a single path before
        scoring it.
    """

    def __init__(self, n_in, n_out, decisions, *, activation="relu", dropout=0.0,
                 batch_norm=False):
        super().__init__()
        self.decisions = [(name, list(choices)) for name, choices in decisions]
        self._layer_names = [n for n, _ in self.decisions if _UNITS.fullmatch(n)]
        self._layer_names.sort(key=lambda n: int(_UNITS.fullmatch(n).group(1)))
        choices = dict(self.decisions)
        self.activations = list(choices.get("activation", [activation]))
        self._act_decision = "activation" in choices
        width = max(w for n in self._layer_names for w in choices[n] if w != SKIP)
        self.width = width
        self.n_in = n_in
        self.batch_norm = bool(batch_norm)
        self.linears = nn.ModuleList(
            nn.Linear(n_in if i == 0 else width, width, bias=not batch_norm)
            for i in range(len(self._layer_names)))
        self.norms = nn.ModuleList(nn.BatchNorm1d(width) for _ in self._layer_names) \
            if batch_norm else None
        self.out = nn.Linear(width, n_out)
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        self._acts = [ACTIVATIONS[a]() for a in self.activations]
        self.bn_momentum = 0.1
        for i, name in enumerate(self._layer_names):
            widths = [w for w in choices[name] if w != SKIP]
            masks = torch.zeros(len(widths), width)
            for k, w in enumerate(widths):
                masks[k, :w] = 1.0
            self.register_buffer(f"_mask_{i}", masks)
        # one logits vector per decision, zeros: uniform mixing at the start
        self.alphas = nn.ParameterList(
            nn.Parameter(torch.zeros(len(c))) for _, c in self.decisions)
        self._alpha_index = {name: i for i, (name, _) in enumerate(self.decisions)}

    # -- the protocol ------------------------------------------------------------
    def arch_parameters(self):
        return list(self.alphas)

    def weight_parameters(self):
        ids = {id(p) for p in self.alphas}
        return [p for p in self.parameters() if id(p) not in ids]

    def derive(self):
        """The most weighted choice of every decision (there is no ``"zero"``)."""
        return {name: choices[int(torch.argmax(self.alphas[i]))]
                for i, (name, choices) in enumerate(self.decisions)}

    def to_params(self, arch):
        """``n_layers``, ``units_i`` and ``activation`` of the architecture, in
        :class:`MLPNetClassifier`'s parameters (skipped layers dropped)."""
        units = [arch[n] for n in self._layer_names if arch[n] != SKIP]
        params = {"n_layers": len(units)}
        params.update({f"units_{i}": int(w) for i, w in enumerate(units, start=1)})
        if self._act_decision:
            params["activation"] = arch["activation"]
        return params

    def forward(self, x, arch=None):
        if arch is None:
            return self._mixed(x)
        return self._single(x, arch)

    # -- the continuous relaxation ---------------------------------------------
    def _activate(self, z, probs):
        if probs is None:
            return self._acts[0](z)
        return sum(p * act(z) for p, act in zip(probs, self._acts))

    def _mixed(self, x):
        """DARTS: every layer is the softmax(alpha)-weighted sum of its widths
        (a soft mask over the units, so one matmul per layer) and of skip."""
        probs_act = (torch.softmax(self.alphas[self._alpha_index["activation"]], 0)
                     if self._act_decision else None)
        h = x
        for i, name in enumerate(self._layer_names):
            z = self.linears[i](h)
            if self.norms is not None:
                z = self.norms[i](z)
            a = self.dropout(self._activate(z, probs_act))
            probs = torch.softmax(self.alphas[self._alpha_index[name]], 0)
            masks = getattr(self, f"_mask_{i}")
            k = len(masks)
            out = a * (probs[:k] @ masks)
            if len(probs) > k:  # skip: the layer's input passes through
                out = out + probs[k] * h
            h = out
        return self.out(h)

    # -- one architecture ------------------------------------------------------------
    def _single(self, x, arch):
        """The single path of ``arch`` ({name: choice index}): the first ``w``
        units of each present layer, with the shared weights."""
        choices = dict(self.decisions)
        act = self._acts[arch["activation"]] if self._act_decision else self._acts[0]
        h, width = x, self.n_in
        for i, name in enumerate(self._layer_names):
            w = choices[name][arch[name]]
            if w == SKIP:
                continue
            lin = self.linears[i]
            z = F.linear(h, lin.weight[:w, :width],
                         None if lin.bias is None else lin.bias[:w])
            if self.norms is not None:
                bn = self.norms[i]
                z = F.batch_norm(z, bn.running_mean[:w], bn.running_var[:w],
                                 bn.weight[:w], bn.bias[:w], self.training,
                                 self.bn_momentum, bn.eps)
            h, width = self.dropout(act(z)), w
        return F.linear(h, self.out.weight[:, :width], self.out.bias)


def build_supernet(net, decisions, n_in, n_out):
    """The supernet of ``decisions`` for data of ``n_in`` features and ``n_out``
    outputs, with the fixed settings (dropout, batch norm, activation) of the
    network template ``net``."""
    return MLPSuperNet(int(n_in), int(n_out), decisions, activation=net.activation,
                       dropout=float(net.dropout), batch_norm=bool(net.batch_norm))
