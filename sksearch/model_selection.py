"""The public ``*SearchCV`` classes: thin subclasses of the driver, each
naming its strategy."""

# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np

from ._compat import Interval, StrOptions
from ._hyperband import BaseHyperband
from ._search import BaseSearch
from .optimizers import BayesOptimizer, RandomOptimizer, TPEOptimizer
from .optimizers.hyperband import BOHBOptimizer

__all__ = ["BayesSearchCV", "HyperbandSearchCV", "TPESearchCV"]

_COMMON_DOC = """
    estimator : estimator object
        Fitted (as a clone) once per candidate and fold; must implement
        ``fit`` and be scorable (``score`` or ``scoring``).
    param_distributions : dict or list of dict
        The search space: parameter names (``step__param`` in a Pipeline)
        mapped to a list of choices, a scipy.stats frozen distribution, or
        :class:`~sksearch.space.Real`, :class:`~sksearch.space.Integer`,
        :class:`~sksearch.space.Categorical`. A list of dicts is a union of
        sub-spaces (conditional or AutoML spaces), as in ``GridSearchCV``.
    n_iter : int, default=50
        Number of candidates evaluated.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`sklearn.model_selection.GridSearchCV`. With ``n_jobs``
        workers, each round proposes ``n_jobs`` distinct candidates.
    random_state : int, RandomState instance or None, default=None
        Seed of the search: same seed and data, same candidates in the same
        order, also with ``n_jobs > 1``."""


class BayesSearchCV(BaseSearch):
    __doc__ = f"""Bayesian optimisation of hyperparameters with a Gaussian process.

    A drop-in replacement for ``GridSearchCV`` / ``RandomizedSearchCV``: the
    strategy is :class:`~sksearch.optimizers.BayesOptimizer` (Snoek et al.
    2012: Matern 5/2 ARD GP with a noise term, expected improvement of Jones
    et al. 1998 computed as a stable log-EI, categoricals one-hot, a
    Sobol initial design, constant-liar batches for parallel workers, failed
    fits penalised with the worst score).

    Cost: one GP fit per round, cubic in the number of evaluated candidates
    up to ``max_model_points`` and flat after; tens of milliseconds per
    candidate, negligible next to most cross-validated fits.

    Parameters
    ----------{_COMMON_DOC}
    n_initial_points : int, default=10
        Candidates from the space-filling initial design before the GP
        guides the search.
    acq_func : {{"ei", "pi", "ucb", "lcb"}}, default="ei"
        Acquisition function: expected improvement, probability of
        improvement, or the confidence bound ``mean + kappa * std``.
    xi : float, default=0.01
        Improvement margin of ``"ei"``/``"pi"`` in standard deviations of the
        scores; larger explores more.
    kappa : float, default=1.96
        Exploration weight of ``"ucb"``/``"lcb"``.
    initial_design : {{"sobol", "lhs", "random"}}, default="sobol"
        Scrambled Sobol sequence, Latin hypercube or random draws.
    n_candidates : int, default=500
        Prior draws scored by the acquisition per proposal, before L-BFGS-B
        refinement.
    n_restarts : int, default=5
        Best candidates refined by L-BFGS-B per proposal.
    max_model_points : int, default=200
        Cap on the GP's training set, which bounds the cost per round.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, refit_time_, multimetric_
        As in :class:`sklearn.model_selection.GridSearchCV`.
    optimizer_ : BayesOptimizer
        The strategy, with every evaluated candidate told.

    See Also
    --------
    TPESearchCV : tree-structured Parzen estimator search.
    sklearn.model_selection.RandomizedSearchCV : random search.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sksearch import BayesSearchCV
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(LogisticRegression(max_iter=500),
    ...                        {{"C": Real(1e-3, 1e3, log=True)}},
    ...                        n_iter=12, cv=3, random_state=0).fit(X, y)
    >>> len(search.cv_results_["params"])
    12
    >>> bool(search.best_score_ > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "n_initial_points": [Interval(Integral, 2, None, closed="left")],
        "acq_func": [StrOptions({"ei", "pi", "ucb", "lcb"})],
        "xi": [Interval(Real, 0, None, closed="left")],
        "kappa": [Interval(Real, 0, None, closed="left")],
        "initial_design": [StrOptions({"sobol", "lhs", "random"})],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "n_restarts": [Interval(Integral, 0, None, closed="left")],
        "max_model_points": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=50,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        n_initial_points=10,
        acq_func="ei",
        xi=0.01,
        kappa=1.96,
        initial_design="sobol",
        n_candidates=500,
        n_restarts=5,
        max_model_points=200,
    ):
        super().__init__(
            estimator,
            param_distributions,
            n_iter=n_iter,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.xi = xi
        self.kappa = kappa
        self.initial_design = initial_design
        self.n_candidates = n_candidates
        self.n_restarts = n_restarts
        self.max_model_points = max_model_points

    def _make_optimizer(self, space, *, random_state, n_workers):
        return BayesOptimizer(
            space,
            n_initial_points=self.n_initial_points,
            acq_func=self.acq_func,
            xi=self.xi,
            kappa=self.kappa,
            initial_design=self.initial_design,
            n_candidates=self.n_candidates,
            n_restarts=self.n_restarts,
            max_model_points=self.max_model_points,
            random_state=random_state,
        )


class TPESearchCV(BaseSearch):
    __doc__ = f"""Hyperparameter search with a tree-structured Parzen estimator.

    A drop-in replacement for ``GridSearchCV`` / ``RandomizedSearchCV``: the
    strategy is :class:`~sksearch.optimizers.TPEOptimizer` (Bergstra et al.
    2011, with the multivariate kernels of Falkner et al. 2018 and the
    components measured by Watanabe 2023, as in Optuna: growing split,
    prior weight, magic clip, smoothed categoricals, list-of-dicts spaces
    followed as a tree, constant-liar batches for parallel workers, failed
    fits counted as bad).

    Cost: a few milliseconds per candidate.

    Parameters
    ----------{_COMMON_DOC}
    n_startup : int, default=10
        Candidates drawn at random before the density model is used.
    n_ei_candidates : int, default=24
        Draws from the good density scored per proposal; more exploits harder.
    gamma : None, float in (0, 1) or callable, default=None
        Size of the good group for ``n`` evaluated candidates: ``None`` is
        ``min(ceil(0.1 n), 25)`` (Optuna); a float ``q`` is ``ceil(q n)``; a
        callable ``gamma(n) -> int``.
    prior_weight : float, default=1.0
        Weight of the prior in each density, relative to one observation.
    multivariate : bool, default=True
        Joint kernels over all parameters (True) or independent ones (False,
        the original TPE).
    consider_endpoints : bool, default=False
        With ``multivariate=False``, the bounds count as neighbours for the
        bandwidths.
    consider_magic_clip : bool, default=True
        Lower bound on the bandwidths, so densities do not collapse.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, refit_time_, multimetric_
        As in :class:`sklearn.model_selection.GridSearchCV`.
    optimizer_ : TPEOptimizer
        The strategy, with every evaluated candidate told.

    See Also
    --------
    BayesSearchCV : Gaussian-process search.
    sklearn.model_selection.RandomizedSearchCV : random search.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sksearch import TPESearchCV
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = TPESearchCV(LogisticRegression(max_iter=500),
    ...                      {{"C": Real(1e-3, 1e3, log=True)}},
    ...                      n_iter=12, cv=3, random_state=0).fit(X, y)
    >>> len(search.cv_results_["params"])
    12
    >>> bool(search.best_score_ > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "n_startup": [Interval(Integral, 1, None, closed="left")],
        "n_ei_candidates": [Interval(Integral, 1, None, closed="left")],
        "gamma": [None, Interval(Real, 0, 1, closed="neither"), callable],
        "prior_weight": [Interval(Real, 0, None, closed="neither")],
        "multivariate": ["boolean"],
        "consider_endpoints": ["boolean"],
        "consider_magic_clip": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter=50,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        n_startup=10,
        n_ei_candidates=24,
        gamma=None,
        prior_weight=1.0,
        multivariate=True,
        consider_endpoints=False,
        consider_magic_clip=True,
    ):
        super().__init__(
            estimator,
            param_distributions,
            n_iter=n_iter,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.n_startup = n_startup
        self.n_ei_candidates = n_ei_candidates
        self.gamma = gamma
        self.prior_weight = prior_weight
        self.multivariate = multivariate
        self.consider_endpoints = consider_endpoints
        self.consider_magic_clip = consider_magic_clip

    def _make_optimizer(self, space, *, random_state, n_workers):
        return TPEOptimizer(
            space,
            n_startup=self.n_startup,
            n_ei_candidates=self.n_ei_candidates,
            gamma=self.gamma,
            prior_weight=self.prior_weight,
            multivariate=self.multivariate,
            consider_endpoints=self.consider_endpoints,
            consider_magic_clip=self.consider_magic_clip,
            random_state=random_state,
        )


class HyperbandSearchCV(BaseHyperband):
    """Hyperband search (Li et al. 2018), or BOHB with ``sampler="tpe"``.

    A drop-in replacement for ``RandomizedSearchCV`` and
    ``HalvingRandomSearchCV`` (whose resource parameters it shares) that
    spends little on bad candidates: each *bracket* evaluates many candidates
    with a small resource (few training samples, few trees, few iterations),
    keeps the best ``1 / factor`` of them at each *rung* and evaluates those
    with ``factor`` times the resource, up to ``max_resources``. sklearn's
    ``HalvingRandomSearchCV`` runs one such bracket; Hyperband hedges over
    how aggressively to stop, with brackets from "start at min_resources"
    down to "every candidate at max_resources" (random search), each given
    about the same total resource. ``sampler="tpe"`` is BOHB (Falkner et al.
    2018): new candidates come from a TPE model of the largest resource with
    enough results (one model per resource, told every rung), a third of them
    from the prior.

    **Budget.** ``n_iter`` counts *evaluations*: one candidate
    cross-validated at one rung, one row of ``cv_results_``. An evaluation
    at resource ``r`` costs about ``r / max_resources`` of a full one. One
    *round* of Hyperband is its ``s + 1`` brackets, ``s = floor(log(
    max_resources / min_resources) / log(factor))``; ``n_iter="auto"`` runs
    exactly one round (206 evaluations for ``max_resources / min_resources =
    81`` and ``factor=3``: the paper's table). An integer budget runs whole
    rounds while they fit and spends the rest on smaller rounds (fewer
    brackets, starting at a higher resource), so that exactly ``n_iter``
    evaluations run and every bracket ends at ``max_resources``.
    ``brackets_`` shows the plan.

    **Resources.** With ``resource="n_samples"`` each training fold is
    subsampled (``n_resources / n_samples`` of it, the same subsample for
    every candidate at that resource) and test folds are kept whole, so
    every rung is scored on the same data. With an integer parameter of the
    estimator (``"n_estimators"``, ``"max_iter"``, ``"clf__max_iter"`` in a
    Pipeline) the parameter is set to the rung's resource, and appears in
    ``params``. Each rung trains from scratch: sklearn's
    ``evaluate_candidates`` fits a fresh clone per candidate and fold, so
    ``warm_start`` cannot carry a model from one rung to the next (this costs
    at most ``1 / (factor - 1)`` more than continuing training).

    **Parallelism.** Every step runs the next rung of each started bracket
    together, and starts new brackets until the step holds at least
    ``n_jobs`` candidates, so workers stay busy; with ``n_samples`` each
    resource of a step is one ``evaluate_candidates`` call (the folds differ),
    with a parameter resource the whole step is one call.

    Parameters
    ----------
    estimator : estimator object
        Fitted (as a clone) once per candidate, rung and fold.
    param_distributions : dict or list of dict
        The search space: parameter names (``step__param`` in a Pipeline)
        mapped to a list of choices, a scipy.stats frozen distribution, or
        :class:`~sksearch.space.Real`, :class:`~sksearch.space.Integer`,
        :class:`~sksearch.space.Categorical`. A list of dicts is a union of
        sub-spaces, as in ``GridSearchCV``. Must not contain the resource.
    n_iter : int or "auto", default="auto"
        Number of evaluations (rows of ``cv_results_``); "auto" is one round.
    resource : str, default="n_samples"
        What grows from rung to rung: ``"n_samples"``, or the name of an
        integer parameter of the estimator.
    min_resources : int, "exhaust" or "smallest", default="exhaust"
        Smallest resource of a rung. "smallest" is ``2 * n_splits *
        n_classes`` samples (``2 * n_splits`` for a regressor) or 1 for a
        parameter, as in ``HalvingRandomSearchCV``. "exhaust" starts at
        "smallest" if ``n_iter`` fills a round from there, and otherwise
        higher: at the smallest resource whose round fits in ``n_iter``. An
        integer or "smallest" with an ``n_iter`` too small for one round is an
        error that says what ``n_iter`` can fill. The rungs' resources are
        ``max_resources / factor**k``; ``min_resources_`` is the smallest used.
    max_resources : int or "auto", default="auto"
        Resource of the last rung of every bracket, and of the refit: "auto"
        is the number of samples, or the estimator's own value of the
        resource parameter (``n_estimators=100`` of a forest).
    factor : int or float >= 2, default=3
        Each rung keeps the best ``1 / factor`` of its candidates and gives
        them ``factor`` times the resource (Hyperband's ``eta``).
    sampler : {"random", "tpe"}, default="random"
        Where new candidates come from: the prior ("random": Hyperband) or
        per-resource TPE models (BOHB,
        :class:`~sksearch.optimizers.hyperband.BOHBOptimizer`).
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`sklearn.model_selection.GridSearchCV`. A failed fit
        scores ``error_score`` and its candidate is not promoted while others
        succeed. A ``refit`` callable chooses ``best_index_`` itself.
    random_state : int, RandomState instance or None, default=None
        Seed of the sampler and of the subsamples: same seed and data, same
        evaluations in the same order for a given ``n_jobs`` (with
        ``sampler="random"`` the candidates do not depend on ``n_jobs``).

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``GridSearchCV``, one row per evaluation, with the columns
        ``iter`` (the step), ``n_resources`` and ``bracket`` (an index into
        ``brackets_``). Ranks compare rows of all resources; ``best_index_``
        does not.
    best_index_, best_score_, best_params_, best_estimator_
        The best evaluation at the highest resource reached
        (``max_resources``; a lower one only if every evaluation there
        failed), refitted on all of ``X`` with ``max_resources``.
    scorer_, n_splits_, refit_time_, multimetric_
        As in ``GridSearchCV``.
    n_iter_ : int
        Number of evaluations run.
    min_resources_, max_resources_ : int
        Smallest and largest resource of the rungs.
    n_resources_ : list of int
        The rungs' resources, increasing.
    brackets_ : list of dict
        The plan: for each bracket, its ``round``, ``n_candidates`` and
        ``n_resources`` per rung.
    optimizer_ : Optimizer
        The sampler, with the results it was told.
    n_batches_, batch_size_ : int
        Number of ``evaluate_candidates`` calls; candidates wanted per step.

    See Also
    --------
    sklearn.model_selection.HalvingRandomSearchCV : one successive-halving bracket.
    TPESearchCV : TPE at full resource.

    References
    ----------
    L. Li, K. Jamieson, G. DeSalvo, A. Rostamizadeh, A. Talwalkar. Hyperband:
    a novel bandit-based approach to hyperparameter optimization. JMLR 18, 2018.

    S. Falkner, A. Klein, F. Hutter. BOHB: robust and efficient
    hyperparameter optimization at scale. ICML 2018.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sksearch import HyperbandSearchCV
    >>> from sksearch.space import Integer, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = HyperbandSearchCV(
    ...     RandomForestClassifier(random_state=0),
    ...     {"max_depth": Integer(1, 12), "max_features": Real(0.1, 1.0)},
    ...     resource="n_estimators", min_resources=3, max_resources=27,
    ...     cv=3, random_state=0).fit(X, y)
    >>> search.n_iter_, len(search.cv_results_["params"])
    (22, 22)
    >>> [b["n_candidates"] for b in search.brackets_]
    [[9, 3, 1], [5, 1], [3]]
    >>> search.best_params_["n_estimators"]
    27
    """

    _parameter_constraints: dict = {
        **BaseHyperband._parameter_constraints,
        "sampler": [StrOptions({"random", "tpe"})],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter="auto",
        resource="n_samples",
        min_resources="exhaust",
        max_resources="auto",
        factor=3,
        sampler="random",
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
    ):
        super().__init__(
            estimator,
            param_distributions,
            n_iter=n_iter,
            resource=resource,
            min_resources=min_resources,
            max_resources=max_resources,
            factor=factor,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.sampler = sampler

    def _make_optimizer(self, space, *, random_state, n_workers):
        if self.sampler == "tpe":
            return BOHBOptimizer(space, random_state=random_state)
        return RandomOptimizer(space, random_state=random_state)
