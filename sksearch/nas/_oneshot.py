"""One-shot NAS: a supernet trained once, architectures selected from its shared weights.

Black-box NAS trains every candidate from scratch. One-shot NAS trains one
*supernet* holding every architecture of the space, with weights shared
between them, and selects an architecture from it:

- ``"darts"``: first-order DARTS (Liu et al., 2019, "DARTS: Differentiable
  Architecture Search"). Every decision is relaxed to a softmax(alpha)
  mixture of its choices; weight steps (on a training batch) alternate with
  alpha steps (Adam, on a validation batch); the architecture is the most
  weighted choice of every decision. Departs from the paper in two ways.
  The architecture is derived after every epoch and scored on the validation
  part as a single path with the shared weights; the best scored one is kept
  (early stopping on validation, as DARTS+, Liang et al., 2019, argue):
  on small data the supernet overfits its half and the alphas then drift to
  the narrowest widths (on load_digits, 50 epochs derived 16 units for one
  seed of three, test accuracy 0.956 against 0.976), the MLP analogue of
  DARTS's collapse to skip connections. And the alpha learning rate is 1e-2
  instead of 3e-3: DARTS takes ~20k alpha steps on CIFAR-10, a supernet on a
  small tabular data set a few hundred (load_digits: 11 per epoch), and at
  3e-3 the alphas hardly leave uniform.
- ``"random-ws"``: random search with weight sharing (Li & Talwalkar, 2019,
  "Random Search and Reproducibility for NAS"): every training batch trains
  one uniformly drawn architecture; then ``n_iter`` random architectures are
  scored with the shared weights and the best one is kept.
- ``"enas"``: ENAS (Pham et al., 2018, "Efficient Neural Architecture Search
  via Parameter Sharing"): a controller (a factorised categorical policy,
  :class:`sksearch.optimizers.ReinforceOptimizer`) draws the architecture of
  every training batch, and is updated by REINFORCE with the accuracy on a
  validation batch as the reward. Departs from the paper: the controller is a
  factorised policy, not an LSTM. At the end ``n_iter`` architectures drawn
  from it are scored with the shared weights and the best one is kept.

The training data is split once (stratified for classifiers) into a part that
trains the weights and a part that validates architectures
(``validation_fraction``, 0.5 as in DARTS). The supernet searches the
architecture only, trained with the template network's settings. Then the
training settings of the search space (its dimensions that are not
architecture decisions and have several values, see :func:`training_dims`) are
tuned for the selected architecture: ``tune_training`` candidates drawn by TPE,
each the architecture trained from scratch on the training part and scored on
the validation part (the same split, so cheap; ``n_jobs`` in parallel). On
load_digits the default space's recipe (learning rate, weight decay, dropout,
label smoothing, ...) is worth more than the topology, and black-box search
tunes it, so a one-shot search that keeps the template's settings loses to it.
The selected architecture with the chosen settings is then retrained from
scratch on all the training data for ``max_epochs``: the result is an ordinary
fitted network.

Families plug in through ``_FAMILIES``: a family is a module with a
``decisions`` function (search space -> one-shot decisions) and a
``build_supernet`` factory whose module implements the SuperNet protocol (see
the module docstring of :mod:`sksearch.nas._supernet` and
:class:`sksearch.nas._supernet.MLPSuperNet`).
"""

# SPDX-License-Identifier: BSD-3-Clause

import importlib
import math
import time
from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone, is_classifier
from sklearn.model_selection import train_test_split

from .._fitted import report
from .._run import _Evaluations
from ..model_selection import TPESearchCV
from ..optimizers import ReinforceOptimizer
from ..space import Categorical, Space
from ._cell_grammar import _parse_edge_name
from ._training import _import_torch, _torch_threads

__all__ = ["ONESHOT_STRATEGIES", "OneShotSearch"]

ONESHOT_STRATEGIES = ("darts", "enas", "random-ws")

# architecture -> (module, decisions function, supernet factory, network class)
#   decisions(search_space, net, *, user_space) -> (decisions, fixed params)
#   build_supernet(net, decisions, n_in or (C, H, W), n_out) -> SuperNet module
#   network class: (module, class name) of the estimator the derived
#   architecture is retrained as, or None for NASClassifier's own.
_FAMILIES = {
    "mlp": ("._supernet", "mlp_decisions", "build_supernet", None),
    "cnn": ("._cells", "cell_oneshot_decisions", "build_supernet",
            ("._cell_estimator", "CellNetClassifier")),
}


def _is_architecture(architecture, name):
    """Whether ``name`` is an architecture dimension of the family (searched by
    the supernet), as opposed to a training setting."""
    if architecture == "cnn":
        return _parse_edge_name(name) is not None
    from ._supernet import _TOPOLOGY, _UNITS

    return name in _TOPOLOGY or _UNITS.fullmatch(name) is not None


def _contains(dim, value):
    if isinstance(dim, Categorical):
        return any(repr(value) == repr(c) for c in dim.choices)
    low, high = getattr(dim, "low", None), getattr(dim, "high", None)
    if low is None or isinstance(value, (bool, str)) or not isinstance(value, Real):
        return True  # a frozen scipy distribution: no bounds to check
    return low <= value <= high


def training_dims(architecture, search_space, arch_params):
    """The training dimensions to tune for a selected architecture.

    The dimensions of ``search_space`` that are not architecture decisions and
    have more than one value. For a list of sub-spaces: those of the
    sub-spaces the architecture belongs to (every architecture parameter a
    sub-space has holds its value, e.g. ``n_layers`` for the default space's
    one sub-space per depth), as a black-box search would have searched them
    for this architecture; the union of all sub-spaces when none matches.
    Single-valued dimensions of those sub-spaces are returned apart, as fixed
    settings. Returns ``(space dict of multi-valued dims, fixed dict)``.
    """
    subs = Space(search_space).subspaces
    matching = [sub for sub in subs
                if all(_contains(sub[k], v) for k, v in arch_params.items() if k in sub)]
    dims, fixed = {}, {}
    for sub in (matching or subs):
        for name, dim in sub.items():
            if _is_architecture(architecture, name) or name in dims or name in fixed:
                continue
            if isinstance(dim, Categorical) and dim.n_values == 1:
                fixed[name] = dim.choices[0]
            else:
                dims[name] = dim
    return dims, fixed

# strategy_params: name -> (strategies that take it, default, check, description)
_SETTINGS = {
    # None: the family's default (_SUPERNET_EPOCHS)
    "supernet_epochs": (ONESHOT_STRATEGIES, None, "int>=1", "epochs of supernet training"),
    "validation_fraction": (ONESHOT_STRATEGIES, 0.5, "(0,1)",
                            "share of the training data that validates architectures"),
    "arch_learning_rate": (("darts",), 1e-2, ">0", "Adam learning rate of the alphas"),
    "arch_weight_decay": (("darts",), 1e-3, ">=0", "weight decay of the alphas"),
    "warmup_epochs": (("darts", "enas"), 0, "int>=0",
                      "first epochs train the weights only, on uniformly random paths"),
    "controller_learning_rate": (("enas",), None, ">0",
                                 "learning rate of the REINFORCE controller"),
    "controller_steps": (("enas",), 20, "int>=1", "controller updates after every epoch"),
    "controller_batch": (("enas",), 4, "int>=1",
                         "architectures per controller update (one validation batch each)"),
    # 8: on load_digits (default space, DARTS, 60 epochs, 3 seeds) the best
    # validation accuracy of 20 TPE candidates was reached by the 6th in every
    # seed but one (+0.15 points at the 18th); a candidate costs ~1-2 s there
    "tune_training": (ONESHOT_STRATEGIES, 8, "int>=0",
                      "training-setting candidates tried on the selected architecture "
                      "(0: none, the network's own settings)"),
}


# Supernet epochs by family. The MLP supernet is cheap (30 epochs: ~5 s on
# load_digits). The cell supernet runs all 7 operations of every edge in each
# DARTS step (~1.5 s per epoch on load_digits, 2 CPU cores): DARTS derived the
# same cell after 10 epochs as after 30 (seed 0), and in 10-epoch runs the
# best-scored derived cell (validation part only) came at epoch 5, 4 and 4
# (seeds 0, 1, 2), so 6 epochs.
_SUPERNET_EPOCHS = {"mlp": 30, "cnn": 6}


def oneshot_settings(strategy, strategy_params, architecture="mlp"):
    """The settings of a one-shot strategy: defaults updated by ``strategy_params``,
    validated (errors name ``strategy_params`` and the key)."""
    params = dict(strategy_params or {})
    unknown = sorted(k for k in params if k not in _SETTINGS or strategy not in _SETTINGS[k][0])
    if unknown:
        valid = sorted(k for k, v in _SETTINGS.items() if strategy in v[0])
        raise ValueError(f"strategy_params has parameters that strategy={strategy!r} does "
                         f"not take: {unknown}. Valid: {valid}.")
    settings = {k: v[1] for k, v in _SETTINGS.items() if strategy in v[0]}
    settings["supernet_epochs"] = _SUPERNET_EPOCHS.get(architecture, 30)
    for key, value in params.items():
        check = _SETTINGS[key][2]
        integral = check.startswith("int")
        ok = not isinstance(value, bool) and isinstance(value, Integral if integral else Real)
        if ok:
            ok = {"int>=1": value >= 1, "int>=0": value >= 0, "(0,1)": 0 < value < 1,
                  ">0": value > 0, ">=0": value >= 0}[check]
        if not ok:
            need = {"int>=1": "an integer >= 1", "int>=0": "an integer >= 0",
                    "(0,1)": "a float in (0, 1)", ">0": "a float > 0",
                    ">=0": "a float >= 0"}[check]
            raise ValueError(f"strategy_params[{key!r}] must be {need} "
                             f"({_SETTINGS[key][3]}), got {value!r}.")
        settings[key] = value
    if settings.get("warmup_epochs", 0) >= settings["supernet_epochs"]:
        raise ValueError(
            f"strategy_params['warmup_epochs']={settings['warmup_epochs']} leaves no epoch "
            f"to search in supernet_epochs={settings['supernet_epochs']}.")
    return settings


def family_net_class(architecture):
    """The network estimator class of a one-shot family (None: NAS's own)."""
    entry = _FAMILIES.get(architecture)
    if entry is None or entry[3] is None:
        return None
    module, name = entry[3]
    return getattr(importlib.import_module(module, __package__), name)


def _family(architecture):
    if architecture not in _FAMILIES:
        raise ValueError(f"architecture={architecture!r} has no one-shot supernet yet; "
                         f"one-shot strategies support {sorted(_FAMILIES)}.")
    module, decisions, build, _ = _FAMILIES[architecture]
    mod = importlib.import_module(module, __package__)
    return getattr(mod, decisions), getattr(mod, build)


def _controller_class():
    """The ENAS controller (an ask/tell optimizer with ``sample`` and ``mode``)."""
    return ReinforceOptimizer


class OneShotSearch:
    """One one-shot search: supernet training, selection, retraining.

    Not an estimator: :class:`NASClassifier` / :class:`NASRegressor` run it
    and copy its results (``best_estimator_``, ``best_params_``,
    ``best_score_``, ``best_index_``, ``cv_results_``). Kept as their
    ``search_`` without the supernet, it holds ``decisions_``,
    ``fixed_params_``, ``history_`` (per epoch: training loss, and for DARTS the
    softmax of every decision's alphas), ``settings_``, and the
    training-settings stage's ``training_space_`` (the dimensions tuned),
    ``training_results_`` (its ``cv_results_``, None when skipped),
    ``training_best_score_`` and ``tune_time_``.
    """

    # read by the results builder, as on a search: one score, no train
    # scores, best_* by _select_best_index (the refit is its own)
    scoring = None
    refit = True
    return_train_score = False

    def __init__(self, strategy, architecture, net, search_space, *, n_iter, settings,
                 random_state, user_space=True, n_jobs=None, verbose=0):
        self.strategy = strategy
        self.architecture = architecture
        self.net = net
        self.search_space = search_space
        self.n_iter = n_iter
        self.settings = settings
        self.random_state = random_state
        self.user_space = user_space
        self.n_jobs = n_jobs
        self.verbose = verbose

    # -- the whole search ----------------------------------------------------------
    def fit(self, X, y):
        torch = _import_torch()
        from ._networks import resolve_device

        decisions_fn, build_fn = _family(self.architecture)
        net = self.net
        decisions, fixed = decisions_fn(self.search_space, net, user_space=self.user_space)
        net = clone(net).set_params(**fixed)
        self.decisions_, self.fixed_params_ = decisions, fixed
        self.settings_ = dict(self.settings)

        # the data as the network sees it (checked, encoded, standardized)
        work = clone(net)
        Xc = work._check_X_fit(X, y, reset=True)
        y_checked = work._check_y(y)
        if len(y_checked) != len(Xc):
            raise ValueError(f"X and y have inconsistent numbers of samples: {len(Xc)} and "
                             f"{len(y_checked)}.")
        yt = work._encode_y(y_checked, reset=True)
        Xt = work._standardize(Xc, reset=True)
        self._classifier = is_classifier(net)
        rng = np.random.default_rng(self.random_state)
        split_seed, torch_seed = (int(s) for s in rng.integers(np.iinfo(np.int32).max, size=2))
        idx = np.arange(len(Xt))
        stratify = work._stratify(y_checked)
        frac = self.settings_["validation_fraction"]
        try:
            tr, va = train_test_split(idx, test_size=frac, random_state=split_seed,
                                      stratify=stratify)
        except ValueError:  # a class too rare to stratify
            tr, va = train_test_split(idx, test_size=frac, random_state=split_seed)
        if len(tr) < 2 or len(va) < 1:
            raise ValueError(f"One-shot NAS needs at least 3 samples, got {len(Xt)}.")
        self._n_valid = len(va)
        n_input = Xt.shape[1] if Xt.ndim == 2 else tuple(Xt.shape[1:])
        device = resolve_device(net.device)
        self._rng = rng
        self._loss_fn = work._loss(torch)
        self.history_ = []
        self._rows = []
        start = time.perf_counter()
        with _torch_threads(torch, net.n_threads), torch.random.fork_rng(
                devices=[device] if device.type == "cuda" else []):
            torch.manual_seed(torch_seed)
            self._data = {name: (torch.from_numpy(Xt[i]).to(device),
                                 torch.from_numpy(yt[i]).to(device))
                          for name, i in (("train", tr), ("valid", va))}
            self.supernet_ = build_fn(net, decisions, n_input, work._n_out()).to(device)
            self._batch_size = int(net.batch_size)
            self._net = net
            self._start = start
            getattr(self, "_search_" + self.strategy.replace("-", "_"))(torch)
        self.search_time_ = time.perf_counter() - start
        del self._data, self.supernet_, self._loss_fn, self._net

        # the fitted attributes as every search reports them (one split: the
        # validation part), best among the rows scored with the final weights
        report(self, self._evaluations(), n_splits=1)
        self.best_params_ = dict(self.best_params_)
        self.best_score_ = float(self.best_score_)
        self._tune_training(net, X, y, tr, va, seed=int(rng.integers(np.iinfo(np.int32).max)))
        start = time.perf_counter()
        self.best_estimator_ = clone(net).set_params(**self.best_params_).fit(X, y)
        self.refit_time_ = time.perf_counter() - start
        return self

    def _tune_training(self, net, X, y, tr, va, *, seed):
        """The training-settings stage: TPE over the space's multi-valued
        training dimensions for the selected architecture, each candidate
        trained on the supernet's training part and scored on its validation
        part (one holdout split). Updates ``best_params_``; sets
        ``training_results_`` (None when skipped), ``training_best_score_``
        and ``tune_time_``."""
        self.training_results_ = None
        self.training_best_score_ = None
        self.tune_time_ = 0.0
        n = int(self.settings_.get("tune_training", 0))
        dims, fixed = training_dims(self.architecture, self.search_space, self.best_params_)
        self.training_space_ = dims
        if n == 0 or not dims:
            return
        start = time.perf_counter()
        base = clone(net).set_params(**{**self.best_params_, **fixed})
        if base.n_threads is not None:  # the template's threads, shared by the workers
            base.set_params(n_threads=max(1, base.n_threads // effective_n_jobs(self.n_jobs)))
        search = TPESearchCV(
            base, dims, n_iter=n, cv=[(tr, va)], n_jobs=self.n_jobs, refit=False,
            random_state=seed, error_score=np.nan, n_startup=max(2, min(10, n // 2)))
        search.fit(X, y)
        self.training_results_ = search.cv_results_
        self.training_best_score_ = float(search.best_score_)
        self.best_params_ = {**self.best_params_, **fixed, **search.best_params_}
        self.tune_time_ = time.perf_counter() - start
        if self.verbose:
            print(f"[{self.strategy}] training settings {search.best_params_} "
                  f"score={search.best_score_:.4f} ({self.tune_time_:.1f} s)")

    # -- training pieces -------------------------------------------------------------
    def _batches(self, torch, part):
        n = len(self._data[part][0])
        size = min(self._batch_size, n)
        batches = list(torch.randperm(n).split(size))
        if len(batches) > 1 and len(batches[-1]) == 1:  # batch norm needs 2 samples
            batches[-2] = torch.cat(batches[-2:])
            batches.pop()
        return batches

    def _valid_batches(self, torch):
        """An endless stream of shuffled validation batches."""
        while True:
            yield from self._batches(torch, "valid")

    def _weight_optimizer(self, torch, supernet):
        net = self._net
        cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
               "sgd": torch.optim.SGD}[net.optimizer]
        return cls(supernet.weight_parameters(), **net._optimizer_kwargs())

    def _set_lr(self, optimizer, epoch, epochs):
        if self._net.lr_schedule == "cosine":
            for group in optimizer.param_groups:
                group["lr"] = 0.5 * float(self._net.lr) * (1 + math.cos(math.pi * epoch / epochs))

    def _step(self, torch, supernet, optimizer, idx, arch=None):
        """One weight step on training batch ``idx`` (``arch``: its single path)."""
        X, y = self._data["train"]
        optimizer.zero_grad(set_to_none=True)
        loss = self._loss_fn(supernet(X[idx], arch), y[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(supernet.weight_parameters(), 5.0)
        optimizer.step()
        return float(loss.detach())

    def _random_arch(self):
        return {name: int(self._rng.integers(len(c))) for name, c in self.supernet_.decisions}

    def _indices(self, values):
        return {name: c.index(values[name]) for name, c in self.supernet_.decisions}

    def _values(self, arch):
        return {name: c[arch[name]] for name, c in self.supernet_.decisions}

    def _recalibrate(self, torch, arch):
        """Batch-norm statistics of one path, re-estimated on the training part
        (the running averages of the supernet mix every path). Works for
        ``nn.BatchNorm*`` modules (cumulative averages) and for a supernet
        that applies their statistics itself with a ``bn_momentum`` attribute
        (the MLP supernet's sliced batch norm)."""
        supernet = self.supernet_
        norms = [m for m in supernet.modules()
                 if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        if not norms:
            return
        momenta = [m.momentum for m in norms]
        for m in norms:
            m.reset_running_stats()
            m.momentum = None  # cumulative average
        custom = hasattr(supernet, "bn_momentum")
        old = supernet.bn_momentum if custom else None
        X, _ = self._data["train"]
        supernet.train()
        with torch.no_grad():
            for k, idx in enumerate(self._batches(torch, "train")):
                if custom:
                    supernet.bn_momentum = 1.0 / (k + 1)
                supernet(X[idx], arch)
        if custom:
            supernet.bn_momentum = old
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum

    def _score(self, torch, arch, part="valid", idx=None):
        """Accuracy (classifier) or R^2 (regressor, in standardized units) of
        one path on the validation part (or a batch of it), shared weights."""
        supernet = self.supernet_
        X, y = self._data[part]
        if idx is not None:
            X, y = X[idx], y[idx]
        was_training = supernet.training
        supernet.eval()
        with torch.no_grad():
            out = torch.cat([supernet(X[s:s + 1024], arch) for s in range(0, len(X), 1024)])
        supernet.train(was_training)
        if self._classifier:
            return float((out.argmax(1) == y).float().mean())
        if idx is not None:  # a batch: negative mean squared error
            return -float(((out - y) ** 2).mean())
        var = ((y - y.mean(0)) ** 2).sum(0).clamp_min(1e-12)
        return float((1 - ((out - y) ** 2).sum(0) / var).mean())

    def _record(self, torch, arch, *, epoch, source):
        start = time.perf_counter()
        self._recalibrate(torch, arch)
        score = self._score(torch, arch)
        values = self._values(arch)
        self._rows.append({
            "params": {**self.fixed_params_, **self.supernet_.to_params(values)},
            "score": score, "epoch": epoch, "source": source,
            "fit_time": start - self._start, "score_time": time.perf_counter() - start})
        if self.verbose:
            print(f"[{self.strategy}] epoch {epoch} {source} {values} score={score:.4f}")
        return score

    def _log(self, epoch, losses, **extra):
        record = {"epoch": epoch, "train_loss": float(np.mean(losses)) if losses else np.nan}
        record.update(extra)
        self.history_.append(record)

    def _sample_distinct(self, n):
        """Up to ``n`` distinct uniformly random architectures."""
        sizes = [len(c) for _, c in self.supernet_.decisions]
        n = int(min(n, np.prod(sizes, dtype=float)))
        seen, out, tries = set(), [], 0
        while len(out) < n and tries < 100 * n:
            tries += 1
            arch = self._random_arch()
            key = tuple(arch[name] for name, _ in self.supernet_.decisions)
            if key not in seen:
                seen.add(key)
                out.append(arch)
        return out

    # -- the strategies ----------------------------------------------------------------
    def _search_darts(self, torch):
        s, supernet = self.settings_, self.supernet_
        w_opt = self._weight_optimizer(torch, supernet)
        a_opt = torch.optim.Adam(supernet.arch_parameters(), lr=s["arch_learning_rate"],
                                 betas=(0.5, 0.999), weight_decay=s["arch_weight_decay"])
        Xv, yv = self._data["valid"]
        valid = self._valid_batches(torch)
        epochs = s["supernet_epochs"]
        for epoch in range(epochs):
            self._set_lr(w_opt, epoch, epochs)
            supernet.train()
            warm = epoch < s["warmup_epochs"]
            losses = []
            for idx in self._batches(torch, "train"):
                if warm:
                    losses.append(self._step(torch, supernet, w_opt, idx, self._random_arch()))
                    continue
                vidx = next(valid)  # first order: the alpha gradient at the current weights
                a_opt.zero_grad(set_to_none=True)
                self._loss_fn(supernet(Xv[vidx]), yv[vidx]).backward()
                a_opt.step()
                losses.append(self._step(torch, supernet, w_opt, idx))
            alphas = {name: torch.softmax(a.detach(), 0).cpu().numpy().round(4).tolist()
                      for (name, _), a in zip(supernet.decisions, supernet.arch_parameters())}
            self._log(epoch + 1, losses, alphas=alphas)
            if not warm:
                arch = self._indices(supernet.derive())
                self._record(torch, arch, epoch=epoch + 1, source="derived")

    def _search_random_ws(self, torch):
        s, supernet = self.settings_, self.supernet_
        w_opt = self._weight_optimizer(torch, supernet)
        epochs = s["supernet_epochs"]
        for epoch in range(epochs):
            self._set_lr(w_opt, epoch, epochs)
            supernet.train()
            losses = [self._step(torch, supernet, w_opt, idx, self._random_arch())
                      for idx in self._batches(torch, "train")]
            self._log(epoch + 1, losses)
        for arch in self._sample_distinct(self.n_iter):
            self._record(torch, arch, epoch=epochs, source="sampled")

    def _search_enas(self, torch):
        s, supernet = self.settings_, self.supernet_
        space = Space({name: Categorical(list(c)) for name, c in supernet.decisions})
        kwargs = {}
        if s["controller_learning_rate"] is not None:
            kwargs["learning_rate"] = s["controller_learning_rate"]
        controller = _controller_class()(space, random_state=int(self._rng.integers(2**31)),
                                         **kwargs)
        w_opt = self._weight_optimizer(torch, supernet)
        valid = self._valid_batches(torch)
        epochs = s["supernet_epochs"]
        for epoch in range(epochs):
            self._set_lr(w_opt, epoch, epochs)
            supernet.train()
            warm = epoch < s["warmup_epochs"]
            batches = self._batches(torch, "train")
            paths = ([self._random_arch() for _ in batches] if warm else
                     [self._indices(a) for a in controller.sample(len(batches))])
            losses = [self._step(torch, supernet, w_opt, idx, arch)
                      for idx, arch in zip(batches, paths)]
            self._log(epoch + 1, losses)
            if warm:
                continue
            for _ in range(s["controller_steps"]):
                archs = controller.sample(s["controller_batch"])
                rewards = []
                for a in archs:
                    arch = self._indices(a)
                    self._recalibrate(torch, arch)
                    rewards.append(self._score(torch, arch, idx=next(valid)))
                # a batch reward is a noisy estimate, not an evaluation: learn
                # from it without recording it (tell, for a controller without
                # update_policy)
                getattr(controller, "update_policy", controller.tell)(archs, rewards)
            self._record(torch, self._indices(controller.mode()), epoch=epoch + 1,
                         source="mode")
        candidates = controller.ask(self.n_iter)
        scores = [self._record(torch, self._indices(c), epoch=epochs, source="sampled") for c in candidates]
        controller.tell(candidates, scores)
        self.controller_ = controller

    # -- results ----------------------------------------------------------------------
    def _evaluations(self):
        """The scored architectures as the results builder reads them: one
        fold each (the validation part), with their epoch and source."""
        evaluations = _Evaluations()
        for r in self._rows:
            out = {"test_scores": r["score"], "n_test_samples": self._n_valid,
                   "fit_time": r["fit_time"], "score_time": r["score_time"],
                   "fit_error": None}
            evaluations.add(r["params"], [out], {"epoch": r["epoch"], "source": r["source"]})
        return evaluations

    @staticmethod
    def _select_best_index(refit, refit_metric, results):
        """The best row scored with the final weights (every row but the
        ENAS controller's most likely architecture before the last epoch);
        the first of equal scores, a failed (NaN) row last."""
        source, epoch = np.asarray(results["source"]), np.asarray(results["epoch"])
        final = np.flatnonzero((source != "mode") | (epoch == epoch.max()))
        scores = np.asarray(results[f"mean_test_{refit_metric}"], dtype=float)[final]
        return int(final[int(np.argmax(np.where(np.isnan(scores), -np.inf, scores)))])
