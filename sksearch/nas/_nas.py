"""NASClassifier and NASRegressor: topology search behind fit / predict.

A NAS estimator is the sksearch driver over a network estimator: it builds
the network (:class:`MLPNetClassifier`, :class:`MLPNetRegressor` or
:class:`ConvNetClassifier`) with the fixed settings, a search space whose
parameters are the network's topology and training settings, and one of
sksearch's ``*SearchCV`` classes, fits that search, and predicts with the
best network refitted on all the data.
"""

# SPDX-License-Identifier: BSD-3-Clause

import inspect
import os
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import cpu_count, effective_n_jobs
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._compat import Interval, StrOptions, _fit_context
from .._hyperband import continue_along
from .._search import BaseSearch
from ..model_selection import registered_searches
from ..optimizers._registry import get_optimizer
from ._cell_estimator import CellNetClassifier
from ._cell_grammar import _parse_edge_name
from ._cnn import ConvNetClassifier
from ._mlp import MLPNetClassifier, MLPNetRegressor
from ._oneshot import ONESHOT_STRATEGIES, OneShotSearch, family_net_class, oneshot_settings
from ._spaces import default_search_space
from ._training import _import_torch, _TorchNet

__all__ = ["NASClassifier", "NASRegressor"]

# HyperbandSearchCV continues a network's training from its previous rung:
# warm_start=True trains max_epochs more epochs
continue_along([_TorchNet], "max_epochs", increment=True)


def _is_cell_space(space):
    """Whether ``space`` is a space of cells: ``"cells"``, or a dict naming
    edges ``op_<i>_<j>``."""
    if isinstance(space, str):
        return True
    return isinstance(space, dict) and any(_parse_edge_name(k) for k in space)


class _RandomNASSearch(BaseSearch):
    """The driver on the random strategy, for ``strategy="random"`` when
    sksearch has no public random ``*SearchCV``."""

    def __init__(self, estimator, param_distributions, *, n_iter=10, scoring=None,
                 n_jobs=None, refit=True, cv=None, verbose=0, pre_dispatch="2*n_jobs",
                 random_state=None, error_score=np.nan, return_train_score=False,
                 checkpoint=None, batch_size=4, asynchronous=False, objective=None):
        super().__init__(estimator, param_distributions, n_iter=n_iter, scoring=scoring,
                         n_jobs=n_jobs, refit=refit, cv=cv, verbose=verbose,
                         pre_dispatch=pre_dispatch, random_state=random_state,
                         error_score=error_score, return_train_score=return_train_score,
                         checkpoint=checkpoint, batch_size=batch_size,
                         asynchronous=asynchronous, objective=objective)

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        return get_optimizer("strategy", "random")(space, random_state=random_state)


def available_strategies():
    """The black-box strategies of NAS, ``{name: SearchCV class}``.

    Every public ``*SearchCV`` of :mod:`sksearch.model_selection` is one, named by
    its class name without ``SearchCV``, in lower case (``TPESearchCV`` is
    ``"tpe"``, ``BayesSearchCV`` is ``"bayes"``, ``GeneticSearchCV`` is
    ``"genetic"``, ``HyperbandSearchCV`` is ``"hyperband"``), and ``"random"``
    (random search on the same driver). The mapping is a fresh copy: changing
    it changes nothing in sksearch.

    These are the black-box strategies (every candidate trained from scratch
    and cross-validated). NASClassifier / NASRegressor also take the one-shot
    strategies ``"darts"``, ``"enas"`` and ``"random-ws"`` (a weight-sharing
    supernet, see :ref:`nas`), which are not ``*SearchCV`` classes and are not
    listed here.

    The names are the registry's (:func:`sksearch.optimizers.all_optimizers`):
    every strategy and scheduler that a public ``*SearchCV`` runs, and the
    random strategy, which NAS runs on the driver itself.
    """
    return {**registered_searches(), "random": _RandomNASSearch}


# The training recipe of the one-shot CNN family's default space (one value
# each, so it is applied, not searched): chosen by 3-fold CV on the training
# part of load_digits (python -m benchmarks.cell_recipe): the default cell's CV
# accuracy rises from 0.9666 / 0.9762 (Adam, constant rate, batch 64) to
# 0.9896 / 0.9859 (seeds 0 / 1), as label smoothing and AdamW with a cosine
# schedule did for the MLP (benchmarks/sections/nas_recipe.md).
_CELL_TRAINING = {
    "optimizer": ["adamw"],
    "lr_schedule": ["cosine"],
    "weight_decay": [1e-2],
    "label_smoothing": [0.1],
    "batch_size": [32],
}


class _BaseNAS(BaseEstimator):
    _architectures = ("mlp", "cnn")

    _parameter_constraints: dict = {
        "architecture": [StrOptions({"mlp", "cnn"})],
        "strategy": [str, type],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "cv": ["cv_object"],
        "scoring": [str, callable, None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "search_space": [dict, list, None, StrOptions({"cells"})],
        "device": "no_validation",
        "net_params": [dict, None],
        "strategy_params": [dict, None],
        "error_score": [StrOptions({"raise"}), Real],
        "verbose": ["verbose"],
        "checkpoint": [str, os.PathLike, None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "asynchronous": ["boolean"],
        "objective": [str, list, tuple, dict, None],
    }

    # -- building the search --------------------------------------------------
    def _resolve_strategy(self):
        strategy = self.strategy
        if isinstance(strategy, type):
            if not issubclass(strategy, BaseSearch):
                raise ValueError(
                    "strategy must be a strategy name or a subclass of "
                    f"sksearch._search.BaseSearch, got {strategy!r}."
                )
            return strategy.__name__, strategy
        key = strategy.lower()
        strategies = available_strategies()
        if key in strategies:
            return key, strategies[key]
        raise ValueError(
            f"strategy={strategy!r} is not a sksearch strategy; choose one of "
            f"{sorted(strategies)}, a one-shot strategy {list(ONESHOT_STRATEGIES)}, "
            "or pass a BaseSearch subclass."
        )

    def _net_threads(self, workers=None):
        """Torch threads per worker, so that workers x threads <= cores.

        The threads torch may use here (``torch.get_num_threads()``: the
        physical cores, or less with ``OMP_NUM_THREADS`` or
        ``torch.set_num_threads``) are shared among the ``n_jobs`` workers
        (or ``workers``).
        """
        torch = _import_torch()
        if workers is None:
            workers = effective_n_jobs(self.n_jobs)
        workers = max(1, int(workers))
        budget = max(1, min(cpu_count(), torch.get_num_threads()))
        return max(1, budget // workers)

    def _make_net(self, seed, cls=None, workers=None):
        cls = self._net_class() if cls is None else cls
        params = {"max_epochs": self.max_epochs, "device": self.device,
                  "random_state": int(seed), "n_threads": self._net_threads(workers)}
        if self.architecture == "cnn":
            params["input_shape"] = self.input_shape
        params.update(self.net_params or {})
        try:
            return cls(**params)
        except TypeError as exc:
            valid = sorted(cls().get_params(deep=False))
            raise ValueError(
                f"net_params has a parameter that {cls.__name__} does not take: {exc}. "
                f"Valid parameters: {valid}."
            ) from None

    def _make_search(self, net, space, seed):
        name, cls = self._resolve_strategy()
        signature = inspect.signature(cls.__init__).parameters
        kwargs = dict(n_iter=self.n_iter, scoring=self.scoring, n_jobs=self.n_jobs,
                      refit=True, cv=self.cv, verbose=self.verbose, random_state=int(seed),
                      error_score=self.error_score)
        # a multi-fidelity strategy spends epochs (sklearn Halving-style names);
        # its own min_resources default sizes the rungs to n_iter
        fidelity = {"resource": "max_epochs", "max_resources": self.max_epochs}
        kwargs.update({k: v for k, v in fidelity.items() if k in signature})
        if self.checkpoint is not None:
            if "checkpoint" in (self.strategy_params or {}):
                raise ValueError(
                    "checkpoint is given twice: as the checkpoint parameter and in "
                    "strategy_params; give it once."
                )
            kwargs["checkpoint"] = self.checkpoint
        for param, default in (("batch_size", 4), ("asynchronous", False), ("objective", None)):
            value = getattr(self, param)
            if param not in (self.strategy_params or {}):
                if value is not None:  # objective=None: a strategy's own default
                    kwargs[param] = value
            elif value != default:
                raise ValueError(
                    f"{param} is given twice: as the {param} parameter ({value!r}) and "
                    "in strategy_params; give it once."
                )
        kwargs.update(self.strategy_params or {})
        unknown = sorted(set(kwargs) - set(signature))
        if unknown:
            raise ValueError(
                f"strategy_params has parameters that {cls.__name__} does not take: "
                f"{unknown}."
            )
        self.strategy_ = name
        return cls(net, space, **kwargs)

    def _make_oneshot(self, net, space, seed):
        strategy = self.strategy.lower()
        if self.checkpoint is not None:
            raise ValueError(
                f"checkpoint={self.checkpoint!r}: strategy={strategy!r} trains one "
                "supernet whose state a journal of evaluations cannot restore; use a "
                "black-box strategy (such as 'tpe') to resume, or leave checkpoint=None."
            )
        if self.objective is not None:
            raise ValueError(
                f"objective={self.objective!r}: strategy={strategy!r} scores "
                "architectures by one validation score; use a black-box strategy "
                "(such as 'random') for several objectives, or leave objective=None."
            )
        if self.asynchronous:
            raise ValueError(
                f"asynchronous=True: strategy={strategy!r} trains one supernet, not "
                "candidates on workers; use a black-box strategy, or leave "
                "asynchronous=False."
            )
        settings = oneshot_settings(strategy, self.strategy_params, self.architecture)
        if self.scoring is not None:
            warnings.warn(
                f"scoring={self.scoring!r} is ignored by strategy={strategy!r}: one-shot "
                "search scores architectures by validation accuracy (R^2 for regression).",
                UserWarning,
                stacklevel=3,
            )
        self.strategy_ = strategy
        # multi-valued training settings of a user's space are tuned after the
        # architecture is selected; warn that they are not searched only when
        # that stage is off
        quiet = self.search_space in (None, "cells") or settings["tune_training"] > 0
        return OneShotSearch(strategy, self.architecture, net, space, n_iter=self.n_iter,
                             settings=settings, random_state=int(seed), user_space=not quiet,
                             n_jobs=self.n_jobs, verbose=self.verbose)

    # -- fitting ------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Search network topologies by cross-validation, then refit the best on all data.

        Parameters
        ----------
        X : array-like
            Training data: ``(n_samples, n_features)``, or images
            ``(n, H, W)`` / ``(n, C, H, W)`` for ``architecture="cnn"``.
        y : array-like of shape (n_samples,)
            Targets.

        Returns
        -------
        self : object
            The fitted search.
        """
        _import_torch()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        if self.architecture not in self._architectures:
            raise ValueError(
                f"architecture must be one of {list(self._architectures)} for "
                f"{type(self).__name__}, got {self.architecture!r}."
            )
        rng = check_random_state(self.random_state)
        search_seed, net_seed = rng.randint(np.iinfo(np.int32).max, size=2)
        space = self.search_space
        oneshot = isinstance(self.strategy, str) and self.strategy.lower() in ONESHOT_STRATEGIES
        cells = _is_cell_space(space)
        if cells and self.architecture != "cnn":
            raise ValueError(
                f"search_space={self.search_space!r} is a space of CNN cells; it needs "
                f"architecture='cnn', got {self.architecture!r}."
            )
        if isinstance(space, str) or (space is None and oneshot and self.architecture == "cnn"):
            from ._spaces import cell_search_space

            # one-shot CNN: DARTS-like cells, retrained with a fixed recipe
            space = {**cell_search_space(), **_CELL_TRAINING}
        elif space is None:
            space = default_search_space(
                self.architecture,
                task="regression" if is_regressor(self) else "classification",
            )
        if oneshot:
            # a one-shot family may retrain its own network class (CNN cells);
            # the supernet and the final network train one at a time, on all
            # the threads (the training-settings stage shares them among its
            # n_jobs workers)
            net = self._make_net(net_seed, cls=family_net_class(self.architecture),
                                 workers=1)
            search = self._make_oneshot(net, space, search_seed)
        else:
            # a black-box search over cells trains CellNetClassifier
            net = self._make_net(net_seed, cls=CellNetClassifier if cells else None)
            search = self._make_search(net, space, search_seed)
        search.fit(X, y)
        self.search_ = search
        self.best_estimator_ = search.best_estimator_
        self.best_params_ = search.best_params_
        if hasattr(search, "best_score_"):  # not when refit chose by a cost
            self.best_score_ = search.best_score_
        self.best_index_ = search.best_index_
        self.cv_results_ = search.cv_results_
        for name in ("pareto_front_", "objectives_"):  # several objectives
            if hasattr(search, name):
                setattr(self, name, getattr(search, name))
        self.n_features_in_ = self.best_estimator_.n_features_in_
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_
        return self

    def predict(self, X):
        """Predict with the best network.

        Parameters
        ----------
        X : array-like
            Samples, as in :meth:`fit`.

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        if self.architecture == "cnn":
            tags.input_tags.three_d_array = True
        return tags


_PARAMS_DOC = """
    strategy : str or BaseSearch subclass, default="tpe"
        How topologies are searched: ``"tpe"``, ``"bayes"`` (Gaussian
        process), ``"genetic"``, ``"hyperband"`` (epochs as the resource),
        ``"random"``, or any other sksearch strategy (see
        :func:`sksearch.nas.available_strategies`); an unknown name is an
        error that lists them. A ``BaseSearch`` subclass is used as it is.
        One-shot strategies train one weight-sharing supernet instead of
        every candidate: ``"darts"`` (gradient on relaxed architecture weights),
        ``"enas"`` (a REINFORCE controller) and ``"random-ws"`` (random
        architectures scored with the shared weights); they search the
        depth, widths and activation of the MLP, or the operation of every
        edge of a cell of :class:`CellNetClassifier` for
        ``architecture="cnn"`` (default space :func:`cell_search_space`),
        then tune the space's training settings for the selected
        architecture (see Notes).
    n_iter : int, default=20
        Number of topologies evaluated (each by ``cv``-fold cross-validation).
        ``"enas"`` and ``"random-ws"``: the architectures scored with the
        shared weights at the end; unused by ``"darts"``.
    max_epochs : int, default=30
        Training epochs of every network (the most a multi-fidelity strategy
        gives one).
    cv : int, cross-validation generator or iterable, default=3
        As in :class:`~sklearn.model_selection.GridSearchCV`.
    scoring : str, callable or None, default=None
        The metric maximised (the estimator's ``score`` when None).
    n_jobs : int or None, default=None
        Networks trained in parallel. Each worker trains with
        ``torch.get_num_threads() // n_jobs`` torch threads (at least one), so
        workers x threads never exceed the cores (or ``OMP_NUM_THREADS``).
        One-shot strategies train the supernet and the final network one at
        a time, on all the threads, and the candidates of their
        training-settings stage ``n_jobs`` at a time, as above.
    random_state : int, RandomState instance or None, default=None
        Seeds the search and the training of every network: an int gives the
        same topologies, the same scores and the same final network on the CPU.
    search_space : dict or list of dict or "cells" or None, default=None
        The topology space, in the parameters of the network estimator (see
        ``net_params``); ``None`` is :func:`sksearch.nas.default_search_space`
        for the architecture (for ``architecture="cnn"`` with a one-shot
        strategy, the cell space below). ``"cells"`` (``architecture="cnn"``):
        the DARTS-like cells of :class:`CellNetClassifier`,
        :func:`cell_search_space` with the one-shot family's training recipe,
        for any strategy; a dict with parameters ``op_<i>_<j>`` is a cell
        space too. A black-box strategy then trains
        :class:`CellNetClassifier`, and ``"bayes"`` gives its GP the cell's
        graph (the Weisfeiler-Lehman encoding, see :ref:`cell-encodings`).
    device : "auto" or str, default="auto"
        Where networks train: ``"auto"`` is CUDA when available, else CPU.
    net_params : dict or None, default=None
        Fixed parameters of the network estimator (e.g.
        ``{"early_stopping": True, "optimizer": "adamw"}``), overriding
        ``max_epochs``, ``device`` and the thread count.
    strategy_params : dict or None, default=None
        Extra parameters of the strategy's ``*SearchCV`` (``{"n_startup": 5}``
        for TPE). For a one-shot strategy, its settings:
        ``supernet_epochs`` (30 for the MLP, 6 for the CNN cells), ``validation_fraction`` (0.5: the share of
        the training data that scores architectures, the rest trains the
        supernet); ``"darts"`` and ``"enas"``: ``warmup_epochs`` (0: first
        epochs train random single paths only); ``"darts"``: ``arch_learning_rate`` (1e-2, Adam) and
        ``arch_weight_decay`` (1e-3); ``"enas"``: ``controller_learning_rate``,
        ``controller_steps`` (20 controller updates per epoch) and
        ``controller_batch`` (4 architectures per update); all three:
        ``tune_training`` (8: TPE candidates of the training-settings stage,
        0 turns it off).
    error_score : "raise" or float, default=np.nan
        Score of a network whose training fails (e.g. diverges); the search
        goes on.
    verbose : int, default=0
        Progress of the search.
    checkpoint : str or path-like, default=None
        Path of the search's journal (black-box strategies): a NAS fit
        started again with the same arguments, an int ``random_state`` and
        the same path, after a crash or a kill, trains no network the journal
        holds (see the ``checkpoint`` parameter of
        :class:`~sksearch.TPESearchCV`). One-shot strategies train one
        supernet and cannot resume: a ValueError says so.
    batch_size : int, default=4
        Networks the strategy proposes per round (black-box strategies), as
        in :class:`~sksearch.TPESearchCV`: a property of the search, so the
        same ``random_state`` gives the same networks for any ``n_jobs``.
    asynchronous : bool, default=False
        A new network is proposed as soon as a worker frees (black-box
        strategies; see :class:`~sksearch.TPESearchCV`). One-shot strategies
        refuse it.
    objective : str, list, dict or None, default=None
        Several objectives make the search look for a Pareto front of networks
        (black-box strategies whose optimizer takes several objectives, such as
        ``"random"``): ``["score", "n_parameters"]`` is accuracy (the
        ``scoring`` metric, ``"score"``, or its name) against the network's
        parameters, ``["score", "latency"]`` against the seconds per sample
        to predict on the device it trains on; ``"fit_time"`` and
        ``"model_size"`` (pickled bytes) too, or a dict ``name ->
        "maximize" | "minimize"``. ``pareto_front_`` then indexes the front's
        rows of ``cv_results_`` and ``best_estimator_`` is its most accurate
        network (see the ``objective`` parameter of
        :class:`~sksearch.TPESearchCV` and :ref:`multi_objective`)."""

_ATTRIBUTES_DOC = """
    best_estimator_ : estimator
        The best network, refitted on all the data.
    best_params_ : dict
        Its topology and training settings (searched parameters only).
        One-shot strategies: the selected architecture (with the space's
        single-valued settings) plus the training settings chosen by the
        training-settings stage.
    best_score_ : float
        Its mean cross-validated score. One-shot strategies: its accuracy
        (R^2 for regression) on the validation part, with the supernet's
        shared weights (lower than the retrained network's, and comparable
        only between architectures of the same search).
    best_index_ : int
        Its row in ``cv_results_``.
    cv_results_ : dict of ndarray
        Every evaluated topology, as ``GridSearchCV.cv_results_``. One-shot
        strategies: one row per scored architecture (one validation split,
        so ``std_test_score`` is 0), with ``epoch`` (supernet epochs trained
        when it was scored) and ``source``: ``"derived"`` (DARTS, every
        epoch), ``"mode"`` (the ENAS controller's most likely architecture,
        every epoch) or ``"sampled"`` (scored after supernet training).
        ``mean_fit_time`` is the supernet training time before the row.
        The best is the best scored row, for ``"enas"`` among those scored
        with the final weights. The rows are architectures only: the
        training-settings stage is in ``search_.training_results_``.
    search_ : BaseSearch
        The fitted search (a one-shot search object for one-shot strategies,
        without its supernet: ``search_.training_results_`` is the
        training-settings stage as a ``cv_results_`` dict, or None when it did
        not run, ``search_.training_best_score_`` its best validation score,
        ``search_.tune_time_`` its seconds).
    strategy_ : str
        The strategy used.
    pareto_front_ : ndarray of int
        With several objectives: the rows of ``cv_results_`` that no other
        row dominates on their mean CV values (``cv_results_["pareto_rank"]``
        is 0 there).
    objectives_ : dict
        With several objectives: each objective's name and direction.
    n_features_in_ : int
        Number of features (values per sample) seen in ``fit``.
    feature_names_in_ : ndarray of str
        Names of the features, when ``X`` has string column names."""


class NASClassifier(ClassifierMixin, _BaseNAS):
    __doc__ = f"""Neural architecture search for a classifier, behind fit / predict.

    ``fit`` searches the topology and training settings of a torch network
    (layers, widths, activation, dropout, batch norm; for a CNN conv blocks,
    channels, kernel sizes, pooling and the dense head; learning rate, weight
    decay and batch size) by cross-validation with one of sksearch's
    strategies, through the same driver as every ``*SearchCV``, then refits
    the best network on all the data. Requires PyTorch
    (``pip install "sksearch[nas]"``).

    Parameters
    ----------
    architecture : {{"mlp", "cnn"}}, default="mlp"
        :class:`MLPNetClassifier` (tabular data) or :class:`ConvNetClassifier`
        (images).{_PARAMS_DOC}
    input_shape : tuple of int or None, default=None
        For ``architecture="cnn"``: the ``(H, W)`` or ``(C, H, W)`` of flat rows.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The labels.{_ATTRIBUTES_DOC}

    See Also
    --------
    NASRegressor : The same search for regression.
    default_search_space : The default topology spaces.

    Notes
    -----
    Cost: ``n_iter x cv`` trainings of ``max_epochs`` epochs, plus one refit.
    One-shot strategies cost one supernet training (``supernet_epochs`` on
    half the data; DARTS also an architecture step per batch) plus one
    retraining of the selected architecture from scratch on all the data for
    ``max_epochs``; ``cv`` is not used. The supernet searches the topology
    only, trained with the network's settings (``net_params``); then the
    space's training settings with several values (``lr``,
    ``weight_decay``, ``dropout``, ``batch_norm``, ``batch_size``, ...; for a
    list of sub-spaces, those of the selected architecture's sub-space) are
    tuned for the selected architecture by TPE, ``tune_training`` candidates
    (``max_epochs`` each) trained on the supernet's training part and scored
    on its validation part, ``n_jobs`` in parallel; the best is retrained.
    A training parameter with a single value in ``search_space`` is applied;
    with ``tune_training=0`` one with several values keeps the network's
    value, with a warning. A space without such settings (the default cell
    space) skips the stage. See the user guide's "One-shot NAS" for when to
    pick which.
    Threads: every network trains with ``torch.get_num_threads() // n_jobs``
    intra-op threads (the cores, or ``OMP_NUM_THREADS``, shared among the
    workers), so parallel workers never oversubscribe the cores. Small
    networks gain little from intra-op threads and lose a lot when the cores
    are busy with other work: on a shared machine prefer ``n_jobs`` (one
    thread per worker) or set ``OMP_NUM_THREADS=1``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sksearch.nas import NASClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> nas = NASClassifier("mlp", "random", n_iter=2, max_epochs=5, cv=2,
    ...                     random_state=0).fit(X, y)
    >>> sorted(nas.best_params_)[:3]
    ['activation', 'batch_norm', 'batch_size']
    >>> nas.predict_proba(X[:2]).shape
    (2, 3)
    """

    def __init__(
        self,
        architecture="mlp",
        strategy="tpe",
        *,
        n_iter=20,
        max_epochs=30,
        cv=3,
        scoring=None,
        n_jobs=None,
        random_state=None,
        search_space=None,
        device="auto",
        input_shape=None,
        net_params=None,
        strategy_params=None,
        error_score=np.nan,
        verbose=0,
        checkpoint=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
    ):
        self.architecture = architecture
        self.strategy = strategy
        self.n_iter = n_iter
        self.max_epochs = max_epochs
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.search_space = search_space
        self.device = device
        self.input_shape = input_shape
        self.net_params = net_params
        self.strategy_params = strategy_params
        self.error_score = error_score
        self.verbose = verbose
        self.checkpoint = checkpoint
        self.batch_size = batch_size
        self.asynchronous = asynchronous
        self.objective = objective

    _parameter_constraints = {
        **_BaseNAS._parameter_constraints,
        "input_shape": ["array-like", None],
    }

    def _net_class(self):
        return ConvNetClassifier if self.architecture == "cnn" else MLPNetClassifier

    def fit(self, X, y):
        super().fit(X, y)
        self.classes_ = self.best_estimator_.classes_
        return self

    fit.__doc__ = _BaseNAS.fit.__doc__

    def predict_proba(self, X):
        """Class probabilities of the best network.

        Parameters
        ----------
        X : array-like
            Samples, as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict_proba(X)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict_log_proba(X)


class NASRegressor(RegressorMixin, _BaseNAS):
    __doc__ = f"""Neural architecture search for an MLP regressor, behind fit / predict.

    As :class:`NASClassifier`, over :class:`MLPNetRegressor`.

    Parameters
    ----------
    architecture : {{"mlp"}}, default="mlp"
        The network searched (only the MLP for regression).{_PARAMS_DOC}

    Attributes
    ----------{_ATTRIBUTES_DOC}

    See Also
    --------
    NASClassifier : The same search for classification.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sksearch.nas import NASRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> nas = NASRegressor(strategy="random", n_iter=2, max_epochs=5, cv=2,
    ...                    random_state=0).fit(X, y)
    >>> nas.predict(X[:3]).shape
    (3,)
    """

    _architectures = ("mlp",)

    def __init__(
        self,
        architecture="mlp",
        strategy="tpe",
        *,
        n_iter=20,
        max_epochs=30,
        cv=3,
        scoring=None,
        n_jobs=None,
        random_state=None,
        search_space=None,
        device="auto",
        net_params=None,
        strategy_params=None,
        error_score=np.nan,
        verbose=0,
        checkpoint=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
    ):
        self.architecture = architecture
        self.strategy = strategy
        self.n_iter = n_iter
        self.max_epochs = max_epochs
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.search_space = search_space
        self.device = device
        self.net_params = net_params
        self.strategy_params = strategy_params
        self.error_score = error_score
        self.verbose = verbose
        self.checkpoint = checkpoint
        self.batch_size = batch_size
        self.asynchronous = asynchronous
        self.objective = objective

    def _net_class(self):
        return MLPNetRegressor

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # as MLPNetRegressor
        return tags

    def _more_tags(self):  # scikit-learn < 1.6
        return {"multioutput": True}
