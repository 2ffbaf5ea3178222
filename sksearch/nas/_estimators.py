"""Torch networks as scikit-learn estimators, whose parameters are their topology.

Follows skorch's conventions: the constructor only stores; the torch module
is built in ``fit`` (lazy initialisation) from the parameters and the data
(number of features, classes, image shape); ``warm_start`` and
``partial_fit`` continue training the same weights (one ``partial_fit`` call
is one epoch, the fidelity Hyperband spends); pickles hold the weights on
the CPU, so a model trained on a GPU loads on a CPU-only machine.

PyTorch is imported inside the methods that need it; ``import sksearch``
works without it and ``fit`` then says ``pip install "sksearch[nas]"``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import io
import math
import re
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from .._compat import Interval, StrOptions, _fit_context

__all__ = ["ConvNetClassifier", "MLPNetClassifier", "MLPNetRegressor"]

_INSTALL_HINT = 'pip install "sksearch[nas]"'
_ACTIVATION_NAMES = {"elu", "gelu", "leaky_relu", "relu", "silu", "tanh"}
# Per-layer aliases (``units_1``, ...) that ``get_params(deep=True)`` lists
# even for shallower networks, so that a search space may name them.
_N_LISTED_LAYERS = 8


def _import_torch():
    """Return the ``torch`` module or raise an ImportError that says how to get it."""
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            f"sksearch.nas needs PyTorch, which is not installed: {_INSTALL_HINT} "
            "(or install torch as https://pytorch.org says for your platform)."
        ) from exc
    return torch


try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _sk_validate_data

    def _validate_data(estimator, *args, **kwargs):
        return _sk_validate_data(estimator, *args, **kwargs)

except ImportError:  # pragma: no cover  (scikit-learn < 1.6)

    def _validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)


# --- per-layer aliases ------------------------------------------------------


def _as_list(value):
    """The per-layer values of a topology parameter, or None if unreadable."""
    if isinstance(value, (Integral, np.integer)) and not isinstance(value, bool):
        return [value]
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    return None


class _LayerAliasesMixin:
    """Depth and per-layer parameters as aliases of the tuple parameters.

    A topology is stored the sklearn way, as tuples (``hidden_layer_sizes=(64,
    32)``). For a search space whose sub-spaces hold only the layers that
    exist, every layer also answers to its own name: ``n_layers`` (the depth)
    and ``units_1``, ``units_2``, ... (one layer's width), as Pipeline answers
    to ``step__param``. ``get_params(deep=True)`` lists them (up to layer 8,
    or the depth if larger; ``None`` past the depth) and ``set_params``
    writes them into the tuples: the depth first (truncating, or repeating
    the last layer), then the layers. Setting a layer past the depth is an
    error; setting it to ``None`` there is a no-op, so ``get_params(deep=True)``
    round-trips.

    Subclasses define ``_layer_groups``: ``(depth_alias, {prefix: tuple
    parameter}, {tuple parameter: default layer value})``; the first tuple
    parameter of a group defines its depth; the others may be a scalar (one
    value for every layer).
    """

    _layer_groups = ()

    def _group_lists(self, group):
        depth_alias, prefixes, _ = group
        params = list(prefixes.values())
        first = _as_list(getattr(self, params[0]))
        if first is None:
            return None, None
        lists = {params[0]: first}
        for p in params[1:]:
            value = getattr(self, p)
            if isinstance(value, (list, tuple, np.ndarray)):
                lists[p] = list(value)
            else:
                lists[p] = [value] * len(first)
        return len(first), lists

    def get_params(self, deep=True):
        params = super().get_params(deep=deep)
        if not deep:
            return params
        for group in self._layer_groups:
            depth_alias, prefixes, _ = group
            depth, lists = self._group_lists(group)
            params[depth_alias] = depth
            for i in range(max(depth or 0, _N_LISTED_LAYERS)):
                for prefix, p in prefixes.items():
                    values = lists[p] if lists is not None else []
                    params[f"{prefix}_{i + 1}"] = values[i] if i < len(values) else None
        return params

    def _alias(self, key):
        """``(group, prefix or None, layer index or None)`` if ``key`` is an alias."""
        for group in self._layer_groups:
            if key == group[0]:
                return group, None, None
            for prefix in group[1]:
                m = re.fullmatch(re.escape(prefix) + r"_([1-9][0-9]*)", key)
                if m:
                    return group, prefix, int(m.group(1))
        return None

    def set_params(self, **params):
        aliases = {k: v for k, v in params.items() if self._alias(k) is not None}
        super().set_params(**{k: v for k, v in params.items() if k not in aliases})
        for group in self._layer_groups:
            depth_alias, prefixes, defaults = group
            mine = {k: v for k, v in aliases.items() if self._alias(k)[0] is group}
            if not mine:
                continue
            depth, lists = self._group_lists(group)
            if lists is None:
                first = next(iter(prefixes.values()))
                raise ValueError(
                    f"Cannot set {sorted(mine)}: {first}={getattr(self, first)!r} is not "
                    "a sequence of layer sizes."
                )
            if depth_alias in mine:
                new = mine.pop(depth_alias)
                if isinstance(new, bool) or not isinstance(new, (Integral, np.integer)) or new < 0:
                    raise ValueError(f"{depth_alias} must be an integer >= 0, got {new!r}.")
                for p, values in lists.items():
                    pad = values[-1] if values else defaults[p]
                    lists[p] = values[:new] + [pad] * (new - len(values))
                depth = int(new)
            for key, value in mine.items():
                _, prefix, i = self._alias(key)
                if i > depth:
                    if value is None:
                        continue
                    raise ValueError(
                        f"{key}={value!r} sets layer {i}, but the network has {depth} "
                        f"layers; set {depth_alias} as well."
                    )
                lists[prefixes[prefix]][i - 1] = value
            for p, values in lists.items():
                setattr(self, p, tuple(values))
        return self


# --- the training loop ------------------------------------------------------


@contextlib.contextmanager
def _torch_threads(torch, n_threads):
    """Use ``n_threads`` intra-op threads while fitting; restore afterwards."""
    if n_threads is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _cpu(obj):
    """A copy of a (nested) state dict with every tensor on the CPU."""
    if hasattr(obj, "detach"):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: _cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_cpu(v) for v in obj)
    return obj


_COMMON_CONSTRAINTS = {
    "activation": [StrOptions(_ACTIVATION_NAMES)],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "batch_norm": ["boolean"],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "optimizer": [StrOptions({"adam", "adamw", "sgd"})],
    "lr_schedule": [StrOptions({"constant", "cosine"})],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "patience": [Interval(Integral, 1, None, closed="left")],
    "standardize": ["boolean"],
    "warm_start": ["boolean"],
    "device": "no_validation",
    "n_threads": [Interval(Integral, 1, None, closed="left"), None],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


def _check_layers(name, value, *, allow_scalar=False):
    """Validate a tuple of positive ints (the sizes of the layers of a group)."""
    if allow_scalar and isinstance(value, (Integral, np.integer)) and not isinstance(value, bool):
        value = (value,)
    values = _as_list(value)
    if values is None or any(
        isinstance(v, bool) or not isinstance(v, (Integral, np.integer)) or v < 1 for v in values
    ):
        raise ValueError(f"{name} must be a sequence of positive integers, got {value!r}.")
    return tuple(int(v) for v in values)


class _TorchNet(BaseEstimator):
    """What every network estimator shares: data handling, the training loop,
    prediction, the RNG, threads, device and pickling.

    Subclasses implement ``_module_spec`` (the build arguments, from the
    parameters and the data), ``_build_module(spec)``, ``_prepare_X`` (X as a
    float32 array in the module's input layout) and the target methods.
    """

    # -- data ---------------------------------------------------------------
    def _check_X(self, X, reset):
        X = _validate_data(self, X, reset=reset, dtype=(np.float64, np.float32))
        return X

    def _standardize(self, X, reset):
        X = np.asarray(X, dtype=np.float32)
        if reset:
            if self.standardize:
                axes = self._standardize_axes(X)
                mean = X.mean(axis=axes, keepdims=True, dtype=np.float64)
                scale = X.std(axis=axes, keepdims=True, dtype=np.float64)
                scale[~(scale > 1e-12)] = 1.0
                self._x_mean = mean.astype(np.float32)[0]
                self._x_scale = scale.astype(np.float32)[0]
            else:
                self._x_mean, self._x_scale = np.float32(0.0), np.float32(1.0)
        return np.ascontiguousarray((X - self._x_mean) / self._x_scale, dtype=np.float32)

    def _standardize_axes(self, X):
        return (0,)

    # -- fitting ------------------------------------------------------------
    def _fit(self, X, y, *, incremental, classes=None):
        torch = _import_torch()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        warm = hasattr(self, "module_") and (incremental or self.warm_start)
        X = self._check_X_fit(X, y, reset=not warm)
        y = self._check_y(y)
        if len(y) != len(X):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: {len(X)} and {len(y)}."
            )
        if warm:
            yt = self._encode_y(y, reset=False)
        else:
            yt = self._encode_y(y, reset=True, classes=classes)
        Xt = self._standardize(X, reset=not warm)
        spec = self._module_spec()
        if warm and spec != self._spec:
            warm = False  # the topology changed: nothing to continue from
        from ._networks import resolve_device

        device = resolve_device(self.device)
        with _torch_threads(torch, self.n_threads), self._rng(torch, device, fresh=not warm):
            if not warm:
                self._spec = spec
                self.module_ = self._build_module(spec).to(device)
                self.optimizer_ = self._make_optimizer(torch)
                self.n_iter_ = 0
                self.history_ = []
            else:
                self.module_.to(device)
                self._update_optimizer(torch)
            self.device_ = device
            epochs = 1 if incremental else self.max_epochs
            self._train(torch, Xt, yt, epochs=epochs, incremental=incremental,
                        early_stopping=self.early_stopping and not incremental)
        return self

    def _check_X_fit(self, X, y, reset):
        return self._check_X(X, reset=reset)

    @contextlib.contextmanager
    def _rng(self, torch, device, fresh):
        """Every random draw of a fit (initial weights, shuffling, dropout,
        validation split) comes from torch's global generator, seeded from
        ``random_state`` on a fresh fit and continued from where the last fit
        stopped on a warm one. The global state is restored afterwards."""
        devices = [device] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            if fresh or getattr(self, "_rng_state", None) is None:
                seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
                torch.manual_seed(seed)
            else:
                torch.set_rng_state(self._rng_state)
                if device.type == "cuda" and self._cuda_rng_state is not None:
                    torch.cuda.set_rng_state(self._cuda_rng_state, device)
            yield
            self._rng_state = torch.get_rng_state()
            self._cuda_rng_state = (
                torch.cuda.get_rng_state(device) if device.type == "cuda" else None
            )

    def _optimizer_kwargs(self):
        kwargs = {"lr": float(self.lr), "weight_decay": float(self.weight_decay)}
        if self.optimizer == "sgd":
            kwargs.update(momentum=0.9, nesterov=True)
        return kwargs

    def _make_optimizer(self, torch, name=None):
        name = self.optimizer if name is None else name
        cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
               "sgd": torch.optim.SGD}[name]
        self._optimizer_name = name
        kwargs = {"lr": 1e-3} if name != self.optimizer else self._optimizer_kwargs()
        return cls(self.module_.parameters(), **kwargs)

    def _update_optimizer(self, torch):
        if self.optimizer != self._optimizer_name:
            self.optimizer_ = self._make_optimizer(torch)
            return
        for group in self.optimizer_.param_groups:  # new lr / weight decay, same state
            group.update(self._optimizer_kwargs())

    def _batches(self, torch, n):
        """Shuffled minibatch indices; a last batch of one sample joins the
        one before (batch norm cannot train on a single sample)."""
        size = min(self.batch_size, n)
        batches = list(torch.randperm(n).split(size))
        if len(batches) > 1 and len(batches[-1]) == 1:
            batches[-2] = torch.cat(batches[-2:])
            batches.pop()
        return batches

    def _train(self, torch, X, y, *, epochs, early_stopping, incremental=False):
        module, optimizer, device = self.module_, self.optimizer_, self.device_
        loss_fn = self._loss(torch)
        X_valid = y_valid = None
        if early_stopping:
            X, X_valid, y, y_valid = self._validation_split(torch, X, y)
        n = len(X)
        if n < 2 and self.batch_norm:
            raise ValueError(
                f"batch_norm=True needs at least 2 training samples, got {n} sample."
            )
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        best_loss, best_state, bad_epochs = math.inf, None, 0
        cosine = self.lr_schedule == "cosine" and not incremental
        for epoch in range(epochs):
            if cosine:  # from lr down to 0 over the epochs of this call
                for group in optimizer.param_groups:
                    group["lr"] = 0.5 * float(self.lr) * (1 + math.cos(math.pi * epoch / epochs))
            module.train()
            total = torch.zeros((), device=device)
            for idx in self._batches(torch, n):
                xb, yb = Xt[idx].to(device), yt[idx].to(device)
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(module(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.detach() * len(idx)
            train_loss = float(total) / n
            if not math.isfinite(train_loss):
                raise ValueError(
                    f"Training diverged at epoch {self.n_iter_ + 1} (loss {train_loss}); "
                    f"try a smaller lr (lr={self.lr!r})."
                )
            self.n_iter_ += 1
            record = {"epoch": self.n_iter_, "train_loss": train_loss}
            if X_valid is not None:
                valid_loss = self._eval_loss(torch, X_valid, y_valid, loss_fn)
                record["valid_loss"] = valid_loss
                if valid_loss < best_loss - 1e-4:
                    best_loss, bad_epochs = valid_loss, 0
                    best_state = {k: v.detach().clone() for k, v in module.state_dict().items()}
                else:
                    bad_epochs += 1
            self.history_.append(record)
            if self.verbose:
                print(" ".join(f"{k}={v:.4g}" for k, v in record.items()))
            if X_valid is not None and bad_epochs >= self.patience:
                break
        if best_state is not None:  # early stopping keeps the best epoch's weights
            module.load_state_dict(best_state)
        module.eval()

    def _validation_split(self, torch, X, y):
        n = len(X)
        n_valid = max(1, int(round(self.validation_fraction * n)))
        if n - n_valid < 1:
            raise ValueError(
                f"early_stopping=True needs at least 2 samples (one to validate on), got {n}."
            )
        seed = int(torch.randint(np.iinfo(np.int32).max, ()).item())
        stratify = self._stratify(y)
        try:
            return train_test_split(X, y, test_size=n_valid, random_state=seed,
                                    stratify=stratify)
        except ValueError:  # a class too rare to stratify
            return train_test_split(X, y, test_size=n_valid, random_state=seed)

    def _stratify(self, y):
        return None

    def _eval_loss(self, torch, X, y, loss_fn):
        out = self._forward(torch, X)
        return float(loss_fn(out, torch.from_numpy(y).to(out.device)))

    def _forward(self, torch, X, batch_size=1024):
        """Outputs of the module in eval mode (float32, on its device)."""
        module = self.module_
        module.eval()
        outs = []
        with torch.inference_mode():
            Xt = torch.from_numpy(X)
            for start in range(0, len(X), batch_size):
                outs.append(module(Xt[start:start + batch_size].to(self.device_)))
        if not outs:
            return torch.zeros((0, self._spec["n_out"]), device=self.device_)
        return torch.cat(outs)

    def _predict_raw(self, X):
        """Module outputs for new data, as a float64 numpy array."""
        check_is_fitted(self, "module_")
        torch = _import_torch()
        X = self._standardize(self._check_X(X, reset=False), reset=False)
        with _torch_threads(torch, self.n_threads):
            return self._forward(torch, X).cpu().numpy().astype(np.float64)

    # -- pickling -----------------------------------------------------------
    def __getstate__(self):
        state = super().__getstate__()
        if state.get("module_") is not None:
            torch = _import_torch()
            buffer = io.BytesIO()
            torch.save({"module": _cpu(self.module_.state_dict()),
                        "optimizer": _cpu(self.optimizer_.state_dict())}, buffer)
            state = dict(state, module_=None, optimizer_=None, _torch_state=buffer.getvalue())
            state["device_"] = str(self.device_)
        return state

    def __setstate__(self, state):
        blob = state.pop("_torch_state", None)
        super().__setstate__(state)
        if blob is None:
            return
        torch = _import_torch()
        saved = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
        device = torch.device(self.device_)
        if device.type == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                f"{type(self).__name__} was trained on {device}, which this machine "
                "lacks; it is loaded on the CPU.",
                UserWarning,
                stacklevel=2,
            )
            device = torch.device("cpu")
        self.device_ = device
        self.module_ = self._build_module(self._spec)
        self.module_.load_state_dict(saved["module"])
        self.module_.to(device).eval()
        # hyperparameters and state both come from the saved state dict
        self.optimizer_ = self._make_optimizer(torch, self._optimizer_name)
        self.optimizer_.load_state_dict(saved["optimizer"])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"non_deterministic": self.random_state is None}


# --- targets ----------------------------------------------------------------


class _ClassifierTargets:
    def _check_y(self, y):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if type_of_target(y) not in ("binary", "multiclass"):
            raise ValueError(f"Unknown label type: {type_of_target(y)!r}.")
        return y

    def _encode_y(self, y, *, reset, classes=None):
        if reset:
            self._label_encoder = LabelEncoder().fit(y if classes is None else classes)
            self.classes_ = self._label_encoder.classes_
            if classes is not None and not np.isin(y, self.classes_).all():
                raise ValueError(
                    f"y has labels not in classes={list(classes)!r}: "
                    f"{sorted(set(np.unique(y)) - set(self.classes_))!r}."
                )
        elif not np.isin(y, self.classes_).all():
            raise ValueError(
                f"y has labels not seen in the first fit (classes_={list(self.classes_)!r}): "
                f"{sorted(set(np.unique(y)) - set(self.classes_))!r}."
            )
        return self._label_encoder.transform(y).astype(np.int64)

    def _n_out(self):
        return len(self.classes_)

    def _loss(self, torch):
        return torch.nn.CrossEntropyLoss(label_smoothing=float(self.label_smoothing))

    def _stratify(self, y):
        return y

    def predict_proba(self, X):
        """Class probabilities (softmax of the network's outputs).

        Parameters
        ----------
        X : array-like
            Samples, as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        logits = self._predict_raw(X)
        logits -= logits.max(axis=1, keepdims=True)
        proba = np.exp(logits)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predicted class labels (those of ``classes_``, any type).

        Parameters
        ----------
        X : array-like
            Samples, as in :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        raw = self._predict_raw(X)
        return self.classes_[np.argmax(raw, axis=1)]

    def partial_fit(self, X, y, classes=None):
        """Train one more epoch on ``(X, y)``, initialising the network first if needed.

        Parameters
        ----------
        X : array-like
            Samples, as in :meth:`fit`.
        y : array-like of shape (n_samples,)
            Labels.
        classes : array-like of shape (n_classes,), default=None
            Every label the network will see; required at the first call
            (as for sklearn's ``partial_fit``), ignored afterwards.

        Returns
        -------
        self : object
        """
        first = not hasattr(self, "module_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._partial_fit(X, y, classes=classes if first else None)

    @_fit_context(prefer_skip_nested_validation=True)
    def _partial_fit(self, X, y, classes=None):
        return self._fit(X, y, incremental=True, classes=classes)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


class _RegressorTargets:
    def _check_y(self, y):
        y = check_array(y, ensure_2d=False, dtype=(np.float64, np.float32), input_name="y")
        if y.ndim not in (1, 2):
            raise ValueError(f"y must be 1-d or 2-d, got shape {y.shape}.")
        return y

    def _encode_y(self, y, *, reset, classes=None):
        y2 = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if reset:
            self._y_1d = np.ndim(y) == 1
            self.n_outputs_ = y2.shape[1]
            self._y_mean = y2.mean(axis=0)
            scale = y2.std(axis=0)
            self._y_scale = np.where(scale > 1e-12, scale, 1.0)
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2.shape[1]} outputs, but {type(self).__name__} was fitted "
                f"with {self.n_outputs_}."
            )
        return ((y2 - self._y_mean) / self._y_scale).astype(np.float32)

    def _n_out(self):
        return self.n_outputs_

    def _loss(self, torch):
        return torch.nn.MSELoss()

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like
            Samples, as in :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        out = self._predict_raw(X) * self._y_scale + self._y_mean
        return out.ravel() if self._y_1d else out

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y):
        """Train one more epoch on ``(X, y)``, initialising the network first if needed.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : object
        """
        return self._fit(X, y, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


# --- the MLP ----------------------------------------------------------------

_TRAINING_DOC = """
    lr : float, default=1e-3
        Learning rate of the optimizer.
    weight_decay : float, default=0.0
        L2 penalty (decoupled for ``optimizer="adamw"``).
    batch_size : int, default=64
        Minibatch size (capped at the number of samples).
    optimizer : {"adam", "adamw", "sgd"}, default="adam"
        ``"sgd"`` has Nesterov momentum 0.9.
    lr_schedule : {"constant", "cosine"}, default="constant"
        ``"cosine"`` anneals the learning rate from ``lr`` to 0 over the
        ``max_epochs`` of each ``fit`` call (Loshchilov & Hutter, 2017);
        ``partial_fit`` always uses ``lr``.
    max_epochs : int, default=50
        Epochs per ``fit`` call (a warm-started fit trains this many more).
        The resource a Hyperband search spends.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for
        classifiers), stop when its loss has not improved for ``patience``
        epochs and keep the weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping``.
    patience : int, default=10
        Epochs without improvement of the validation loss before stopping.
    standardize : bool, default=True
        Standardize the inputs with the mean and standard deviation of the
        data of the first fit (per feature{standardize_extra}).
    warm_start : bool, default=False
        A new ``fit`` continues training the current weights (and optimizer
        state) for ``max_epochs`` more epochs, unless the topology changed.
        ``partial_fit`` always continues, one epoch per call.
    device : "auto" or str or torch.device, default="auto"
        Where to train: ``"auto"`` is CUDA when available, CPU otherwise.
        Pickles hold the weights on the CPU, so a fitted network loads on a
        machine without a GPU.
    n_threads : int or None, default=None
        Torch intra-op threads while fitting and predicting (restored
        afterwards); ``None`` leaves torch's setting. Searches running
        ``n_jobs`` workers set it so that workers x threads <= cores.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the shuffling, dropout and the validation
        split (through a forked torch generator: torch's global random state
        is left as it was). An int makes training on the CPU reproducible.
    verbose : int, default=0
        Print the losses of every epoch."""

_ATTRIBUTES_DOC = """
    module_ : torch.nn.Module
        The trained network.
    optimizer_ : torch.optim.Optimizer
        Its optimizer (kept for ``warm_start`` / ``partial_fit``).
    device_ : torch.device
        The device the network is on.
    n_iter_ : int
        Epochs the current weights have been trained for.
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss`` and, with early stopping,
        ``valid_loss``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Names of the features, when ``X`` has string column names."""


_MLP_TRAINING_DOC = _TRAINING_DOC.replace("{standardize_extra}", "")

_LABEL_SMOOTHING_DOC = """
    label_smoothing : float in [0, 1), default=0.0
        Label smoothing of the cross-entropy (Szegedy et al., 2016): the
        target puts ``1 - label_smoothing`` on the true class and spreads the
        rest over all classes. A regulariser; on ``load_digits`` 0.1 raised
        the cross-validated accuracy of an MLP by about 0.4 points."""

_LABEL_SMOOTHING_CONSTRAINT = {"label_smoothing": [Interval(Real, 0, 1, closed="left")]}


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


# --- the CNN ----------------------------------------------------------------


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
