"""What every torch network estimator shares: the training loop, prediction,
the random state, threads, the device, and pickling.

Follows skorch's conventions: the constructor only stores; the torch module
is built in ``fit`` (lazy initialisation) from the parameters and the data
(number of features, classes, image shape); ``warm_start`` and
``partial_fit`` continue training the same weights (one ``partial_fit`` call
is one epoch, the fidelity Hyperband spends); pickles hold the weights on
the CPU, so a model trained on a GPU loads on a CPU-only machine.

PyTorch is imported inside the methods that need it; ``import sksearch``
works without it and ``fit`` then says ``pip install "sksearch[nas]"``.
The subclasses add the module (``_mlp.py``, ``_cnn.py``, ``_cell_estimator.py``)
and the targets (``_targets.py``).
"""

# SPDX-License-Identifier: BSD-3-Clause

import contextlib
import io
import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions

_INSTALL_HINT = 'pip install "sksearch[nas]"'
_ACTIVATION_NAMES = {"elu", "gelu", "leaky_relu", "relu", "silu", "tanh"}


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


def _device_available(torch, device):
    """Whether this machine has ``device`` (a model trained on a GPU may be
    loaded on a machine without one, or with fewer)."""
    if device.type == "cpu":
        return True
    if device.type == "cuda":
        return torch.cuda.is_available() and (device.index or 0) < torch.cuda.device_count()
    if device.type == "mps":
        return torch.backends.mps.is_available()
    backend = getattr(torch, device.type, None)  # torch.xpu, ...
    is_available = getattr(backend, "is_available", None)
    return bool(is_available()) if callable(is_available) else True


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



class _TorchNet(BaseEstimator):
    """What every network estimator shares: data handling, the training loop,
    prediction, the RNG, threads, device and pickling.

    Subclasses implement ``_module_spec`` (the build arguments, from the
    parameters and the data), ``_build_module(spec)`` and ``fit``; they may
    override ``_check_X`` (X in the module's input layout, as the image input
    of ``_cnn.py`` does) and ``_standardize_axes``. The target methods
    (``_check_y``, ``_encode_y``, ``_n_out``, ``_loss``, ``predict``,
    ``partial_fit``) come from a mixin of ``_targets.py``.
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
        if not _device_available(torch, device):
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
