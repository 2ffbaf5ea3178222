"""The public ``*SearchCV`` classes: thin subclasses of the one driver,
:class:`sksearch._search.BaseSearch`, each naming its strategy."""

# SPDX-License-Identifier: BSD-3-Clause

import inspect
from numbers import Integral, Real  # noqa: F401  (for subclasses' constraints)

import numpy as np  # noqa: F401

from ._compat import Interval, StrOptions  # noqa: F401
from ._hyperband import BaseHyperband
from ._peers import peer_keywords
from ._search import BaseSearch  # noqa: F401
from .optimizers import Cell, all_optimizers
from .optimizers._registry import get_optimizer

__all__ = [
    "AnnealingSearchCV",
    "BayesSearchCV",
    "CoordinateDescentSearchCV",
    "GeneticSearchCV",
    "HyperbandSearchCV",
    "PSOSearchCV",
    "ReinforceSearchCV",
    "TPESearchCV",
]


# --- population and local-search strategies ----------------------------------


@peer_keywords
class GeneticSearchCV(BaseSearch):
    """Hyper-parameter search by a genetic algorithm (on DEAP's operators).

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    and :class:`~sklearn.model_selection.RandomizedSearchCV`: same
    ``param_distributions`` (lists, scipy.stats distributions, or
    :class:`~sksearch.space.Real`, :class:`~sksearch.space.Integer`,
    :class:`~sksearch.space.Categorical`; a list of dicts for sub-spaces),
    same ``cv_results_`` and ``best_*``. Each generation of
    ``population_size`` candidates is bred by tournament selection among the
    best ``population_size`` candidates evaluated so far (elitism),
    simulated binary crossover and polynomial mutation of numeric
    parameters, uniform crossover and resampling of categorical ones (see
    :class:`~sksearch.optimizers.GeneticOptimizer`). No candidate is
    evaluated twice, and exactly ``n_iter`` candidates are evaluated,
    whatever the population size.

    Parameters
    ----------
    estimator : estimator object
        Cloned and fitted once per candidate and fold.
    param_distributions : dict or list of dict
        The search space. Also read: scikit-optimize's ranges
        ``(low, high[, prior])`` and ``skopt.space`` objects, Optuna's
        distributions; the peers' keywords (``param_grid=``,
        ``search_spaces=``, ``n_trials``, ``timeout``, ``n_points``) are
        taken as sksearch's (see :ref:`migration`).
    n_iter : int, default=50
        Number of candidates evaluated (about ``n_iter / population_size``
        generations).
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`. The candidates
        of a generation are cross-validated in parallel.
    random_state : int, RandomState instance or None, default=None
        Seed of the search: the same seed and data give the same candidates
        in the same order, also with ``n_jobs > 1``.
    max_time : float, default=None
        Time budget in seconds: no new batch starts once it is spent (the
        batch in flight finishes). ``stop_reason_`` says why the search ended.
    checkpoint : str or path-like, default=None
        Append-only journal of every evaluation; a killed search started
        again with the same arguments resumes from it without re-fitting.
    warm_start_from : fitted search, ``cv_results_`` dict or journal path, default=None
        Earlier results the strategy starts from (not re-evaluated).
    callbacks : list of callable, default=None
        ``callback(search) -> bool`` after every batch; True stops the
        search (see :mod:`sksearch.callbacks`).
    population_size : int >= 2, default=None
        New candidates per generation. ``None``: about ``sqrt(n_iter)`` (at
        least 5), rounded up to a multiple of ``batch_size``, so that a
        generation is whole rounds.
    crossover_probability : float in [0, 1], default=0.8
        Probability that two parents are recombined.
    mutation_probability : float in [0, 1], default=0.9
        Probability that a child is mutated.
    tournament_size : int >= 1, default=3
        Candidates per selection tournament; larger is greedier.
    batch_size : int, default=4
        Candidates proposed per round (ask, cross-validate, tell). A property
        of the search, never of ``n_jobs``: the same ``random_state`` gives
        the same candidates for any ``n_jobs`` or joblib backend.
    asynchronous : bool, default=False
        Throughput mode: a new candidate is proposed as soon as a worker
        frees, the candidates still running treated as pending (constant
        liar). No worker waits for a round, but with ``n_jobs > 1`` the
        candidates depend on the workers' timing.
    objective : str or None, default=None
        With multi-metric scoring, the name of the scorer the search
        maximises (the strategy needs one metric to learn from). None uses
        ``refit`` when it names a scorer; set it to use ``refit=False`` or a
        ``refit`` callable with several metrics, as ``GridSearchCV`` allows.
        Must be None with a single metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, and so are
        ``best_estimator_``, ``best_score_``, ``best_params_``, ``best_index_``,
        ``scorer_``, ``n_splits_``, ``refit_time_`` and ``multimetric_``.
    optimizer_ : GeneticOptimizer
        The strategy after the search (``optimizer_.hall_of_fame_``,
        ``optimizer_.n_generations_``).
    space_ : Space
        The parsed search space.

    See Also
    --------
    PSOSearchCV : Particle swarm search.
    sklearn.model_selection.RandomizedSearchCV : Random search.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import GeneticSearchCV
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GeneticSearchCV(SVC(),
    ...                          {"C": Real(1e-3, 1e3, log=True)},
    ...                          n_iter=10, cv=3, random_state=0).fit(X, y)
    >>> len(search.cv_results_["params"])
    10
    >>> bool(search.best_score_ > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "population_size": [Interval(Integral, 2, None, closed="left"), None],
        "crossover_probability": [Interval(Real, 0, 1, closed="both")],
        "mutation_probability": [Interval(Real, 0, 1, closed="both")],
        "tournament_size": [Interval(Integral, 1, None, closed="left")],
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
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
        population_size=None,
        crossover_probability=0.8,
        mutation_probability=0.9,
        tournament_size=3,
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
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )
        self.population_size = population_size
        self.crossover_probability = crossover_probability
        self.mutation_probability = mutation_probability
        self.tournament_size = tournament_size

    _strategy = "genetic"  # its row of sksearch.optimizers.all_optimizers()

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        return get_optimizer("strategy", self._strategy)(
            space,
            population_size=self.population_size,
            crossover_probability=self.crossover_probability,
            mutation_probability=self.mutation_probability,
            tournament_size=self.tournament_size,
            n_iter=self.n_iter,
            n_workers=batch_size,
            random_state=random_state,
        )


@peer_keywords
class PSOSearchCV(BaseSearch):
    """Hyper-parameter search by particle swarm optimisation.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    (same ``param_distributions``, ``cv_results_`` and ``best_*``). A swarm
    of ``swarm_size`` particles moves through the encoded space (numeric
    parameters in ``[0, 1]``, log priors in log space; integers and
    categoricals rounded), pulled towards each particle's best and the
    swarm's best, with the linearly decreasing inertia of Shi & Eberhart
    (1998), velocity clamping and absorbing boundaries (see
    :class:`~sksearch.optimizers.PSOOptimizer`). Particles move
    asynchronously, each as soon as its own score is told, so the candidates
    do not depend on ``batch_size`` (up to ``swarm_size``) nor on ``n_jobs``.
    No candidate is evaluated twice.

    Parameters
    ----------
    estimator : estimator object
        Cloned and fitted once per candidate and fold.
    param_distributions : dict or list of dict
        The search space. Also read: scikit-optimize's ranges
        ``(low, high[, prior])`` and ``skopt.space`` objects, Optuna's
        distributions; the peers' keywords (``param_grid=``,
        ``search_spaces=``, ``n_trials``, ``timeout``, ``n_points``) are
        taken as sksearch's (see :ref:`migration`).
    n_iter : int, default=50
        Number of candidates evaluated (about ``n_iter / swarm_size`` swarm
        iterations).
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`.
    random_state : int, RandomState instance or None, default=None
        Seed of the search.
    max_time : float, default=None
        Time budget in seconds: no new batch starts once it is spent (the
        batch in flight finishes). ``stop_reason_`` says why the search ended.
    checkpoint : str or path-like, default=None
        Append-only journal of every evaluation; a killed search started
        again with the same arguments resumes from it without re-fitting.
    warm_start_from : fitted search, ``cv_results_`` dict or journal path, default=None
        Earlier results the strategy starts from (not re-evaluated).
    callbacks : list of callable, default=None
        ``callback(search) -> bool`` after every batch; True stops the
        search (see :mod:`sksearch.callbacks`).
    swarm_size : int >= 1, default=None
        Number of particles. ``None``: about ``sqrt(n_iter)`` (at least 5),
        and at least ``batch_size``.
    inertia_start, inertia_end : float in [0, 1], default=0.9, 0.4
        Inertia weight at the first and at the last swarm iteration.
    cognitive, social : float >= 0, default=1.49445
        Pull towards a particle's own best and towards the swarm's best.
    max_velocity : float in (0, 1], default=0.3
        Largest move per iteration along one parameter, as a fraction of
        its (encoded) range.
    batch_size : int, default=4
        Candidates proposed per round (ask, cross-validate, tell). A property
        of the search, never of ``n_jobs``: the same ``random_state`` gives
        the same candidates for any ``n_jobs`` or joblib backend.
    asynchronous : bool, default=False
        Throughput mode: a new candidate is proposed as soon as a worker
        frees, the candidates still running treated as pending (constant
        liar). No worker waits for a round, but with ``n_jobs > 1`` the
        candidates depend on the workers' timing.
    objective : str or None, default=None
        With multi-metric scoring, the name of the scorer the search
        maximises (the strategy needs one metric to learn from). None uses
        ``refit`` when it names a scorer; set it to use ``refit=False`` or a
        ``refit`` callable with several metrics, as ``GridSearchCV`` allows.
        Must be None with a single metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, and so are
        ``best_estimator_``, ``best_score_``, ``best_params_``, ``best_index_``,
        ``scorer_``, ``n_splits_``, ``refit_time_`` and ``multimetric_``.
    optimizer_ : PSOOptimizer
        The strategy after the search.
    space_ : Space
        The parsed search space.

    See Also
    --------
    GeneticSearchCV : Genetic algorithm search.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import PSOSearchCV
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = PSOSearchCV(SVC(),
    ...                      {"C": Real(1e-3, 1e3, log=True)},
    ...                      n_iter=10, cv=3, random_state=0).fit(X, y)
    >>> bool(search.best_score_ > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "swarm_size": [Interval(Integral, 1, None, closed="left"), None],
        "inertia_start": [Interval(Real, 0, 1, closed="both")],
        "inertia_end": [Interval(Real, 0, 1, closed="both")],
        "cognitive": [Interval(Real, 0, None, closed="left")],
        "social": [Interval(Real, 0, None, closed="left")],
        "max_velocity": [Interval(Real, 0, 1, closed="right")],
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
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
        swarm_size=None,
        inertia_start=0.9,
        inertia_end=0.4,
        cognitive=1.49445,
        social=1.49445,
        max_velocity=0.3,
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
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )
        self.swarm_size = swarm_size
        self.inertia_start = inertia_start
        self.inertia_end = inertia_end
        self.cognitive = cognitive
        self.social = social
        self.max_velocity = max_velocity

    _strategy = "pso"  # its row of sksearch.optimizers.all_optimizers()

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        return get_optimizer("strategy", self._strategy)(
            space,
            swarm_size=self.swarm_size,
            inertia_start=self.inertia_start,
            inertia_end=self.inertia_end,
            cognitive=self.cognitive,
            social=self.social,
            max_velocity=self.max_velocity,
            n_iter=self.n_iter,
            n_workers=batch_size,
            random_state=random_state,
        )


@peer_keywords
class AnnealingSearchCV(BaseSearch):
    """Hyper-parameter search by simulated annealing, with parallel chains.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    (same ``param_distributions``, ``cv_results_`` and ``best_*``). Each of
    ``n_chains`` chains starts from the best of a random initial design (a
    fifth of ``n_iter``) and moves to a neighbour of its current candidate (a
    Gaussian step on numeric parameters that shrinks as the temperature
    falls, or another value of one categorical) and keeps it with the
    Metropolis probability on standardised score differences; temperatures
    cool geometrically, and a chain that stops improving restarts from the
    best candidate found (see
    :class:`~sksearch.optimizers.AnnealingOptimizer`). With ``k`` parallel
    workers, ``k`` chains each evaluate one neighbour per batch. No
    candidate is evaluated twice.

    Parameters
    ----------
    estimator : estimator object
        Cloned and fitted once per candidate and fold.
    param_distributions : dict or list of dict
        The search space. Also read: scikit-optimize's ranges
        ``(low, high[, prior])`` and ``skopt.space`` objects, Optuna's
        distributions; the peers' keywords (``param_grid=``,
        ``search_spaces=``, ``n_trials``, ``timeout``, ``n_points``) are
        taken as sksearch's (see :ref:`migration`).
    n_iter : int, default=50
        Number of candidates evaluated.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`.
    random_state : int, RandomState instance or None, default=None
        Seed of the search.
    max_time : float, default=None
        Time budget in seconds: no new batch starts once it is spent (the
        batch in flight finishes). ``stop_reason_`` says why the search ended.
    checkpoint : str or path-like, default=None
        Append-only journal of every evaluation; a killed search started
        again with the same arguments resumes from it without re-fitting.
    warm_start_from : fitted search, ``cv_results_`` dict or journal path, default=None
        Earlier results the strategy starts from (not re-evaluated).
    callbacks : list of callable, default=None
        ``callback(search) -> bool`` after every batch; True stops the
        search (see :mod:`sksearch.callbacks`).
    initial_temperature : float > 0, default=0.3
        Starting temperature, in standard deviations of the scores seen.
    cooling : float in (0, 1), default=None
        Factor applied to a chain's temperature after each step. ``None``:
        the temperature reaches 1% of the initial one when ``n_iter``
        candidates are evaluated.
    n_chains : int >= 1, default=None
        Chains run side by side; ``None``: the number of parallel workers.
    restart_after : int >= 1, default=3
        Steps without improvement after which a chain restarts from the best
        candidate found.
    batch_size : int, default=4
        Candidates proposed per round (ask, cross-validate, tell). A property
        of the search, never of ``n_jobs``: the same ``random_state`` gives
        the same candidates for any ``n_jobs`` or joblib backend.
    asynchronous : bool, default=False
        Throughput mode: a new candidate is proposed as soon as a worker
        frees, the candidates still running treated as pending (constant
        liar). No worker waits for a round, but with ``n_jobs > 1`` the
        candidates depend on the workers' timing.
    objective : str or None, default=None
        With multi-metric scoring, the name of the scorer the search
        maximises (the strategy needs one metric to learn from). None uses
        ``refit`` when it names a scorer; set it to use ``refit=False`` or a
        ``refit`` callable with several metrics, as ``GridSearchCV`` allows.
        Must be None with a single metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, and so are
        ``best_estimator_``, ``best_score_``, ``best_params_``, ``best_index_``,
        ``scorer_``, ``n_splits_``, ``refit_time_`` and ``multimetric_``.
    optimizer_ : AnnealingOptimizer
        The strategy after the search (``optimizer_.temperatures_``).
    space_ : Space
        The parsed search space.

    See Also
    --------
    CoordinateDescentSearchCV : Another local search, one parameter at a time.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import AnnealingSearchCV
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = AnnealingSearchCV(SVC(),
    ...                            {"C": Real(1e-3, 1e3, log=True)},
    ...                            n_iter=10, cv=3, random_state=0).fit(X, y)
    >>> bool(search.best_score_ > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "initial_temperature": [Interval(Real, 0, None, closed="neither")],
        "cooling": [Interval(Real, 0, 1, closed="neither"), None],
        "n_chains": [Interval(Integral, 1, None, closed="left"), None],
        "restart_after": [Interval(Integral, 1, None, closed="left")],
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
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
        initial_temperature=0.3,
        cooling=None,
        n_chains=None,
        restart_after=3,
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
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )
        self.initial_temperature = initial_temperature
        self.cooling = cooling
        self.n_chains = n_chains
        self.restart_after = restart_after

    _strategy = "annealing"  # its row of sksearch.optimizers.all_optimizers()

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        return get_optimizer("strategy", self._strategy)(
            space,
            initial_temperature=self.initial_temperature,
            cooling=self.cooling,
            n_chains=self.n_chains,
            restart_after=self.restart_after,
            n_iter=self.n_iter,
            n_workers=batch_size,
            random_state=random_state,
        )


@peer_keywords
class CoordinateDescentSearchCV(BaseSearch):
    """Hyper-parameter search by cyclic coordinate descent.

    A drop-in replacement for :class:`~sklearn.model_selection.GridSearchCV`
    (same ``param_distributions``, ``cv_results_`` and ``best_*``). From the
    best of ``n_initial_points`` random candidates, it changes one parameter
    at a time: every other value of a categorical, or a line of ``n_points``
    values of a numeric parameter (first a grid over its whole range, then
    points around the best value that close in when a line brings no
    improvement), cycling over the parameters until ``n_iter`` candidates are
    evaluated (see :class:`~sksearch.optimizers.CoordinateDescentOptimizer`).
    The points of a line are cross-validated in parallel. Cheap,
    explainable, and a strong baseline when few parameters matter. No
    candidate is evaluated twice.

    Parameters
    ----------
    estimator : estimator object
        Cloned and fitted once per candidate and fold.
    param_distributions : dict or list of dict
        The search space. Also read: scikit-optimize's ranges
        ``(low, high[, prior])`` and ``skopt.space`` objects, Optuna's
        distributions; the peers' keywords (``param_grid=``,
        ``search_spaces=``, ``n_trials``, ``timeout``, ``n_points``) are
        taken as sksearch's (see :ref:`migration`).
    n_iter : int, default=50
        Number of candidates evaluated.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`.
    random_state : int, RandomState instance or None, default=None
        Seed of the search.
    max_time : float, default=None
        Time budget in seconds: no new batch starts once it is spent (the
        batch in flight finishes). ``stop_reason_`` says why the search ended.
    checkpoint : str or path-like, default=None
        Append-only journal of every evaluation; a killed search started
        again with the same arguments resumes from it without re-fitting.
    warm_start_from : fitted search, ``cv_results_`` dict or journal path, default=None
        Earlier results the strategy starts from (not re-evaluated).
    callbacks : list of callable, default=None
        ``callback(search) -> bool`` after every batch; True stops the
        search (see :mod:`sksearch.callbacks`).
    n_points : int >= 2, default=4
        Candidates per line along a numeric parameter.
    n_initial_points : int >= 1, default=5
        Random candidates whose best is the starting point.
    batch_size : int, default=4
        Candidates proposed per round (ask, cross-validate, tell). A property
        of the search, never of ``n_jobs``: the same ``random_state`` gives
        the same candidates for any ``n_jobs`` or joblib backend.
    asynchronous : bool, default=False
        Throughput mode: a new candidate is proposed as soon as a worker
        frees, the candidates still running treated as pending (constant
        liar). No worker waits for a round, but with ``n_jobs > 1`` the
        candidates depend on the workers' timing.
    objective : str or None, default=None
        With multi-metric scoring, the name of the scorer the search
        maximises (the strategy needs one metric to learn from). None uses
        ``refit`` when it names a scorer; set it to use ``refit=False`` or a
        ``refit`` callable with several metrics, as ``GridSearchCV`` allows.
        Must be None with a single metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`~sklearn.model_selection.GridSearchCV`, and so are
        ``best_estimator_``, ``best_score_``, ``best_params_``, ``best_index_``,
        ``scorer_``, ``n_splits_``, ``refit_time_`` and ``multimetric_``.
    optimizer_ : CoordinateDescentOptimizer
        The strategy after the search.
    space_ : Space
        The parsed search space.

    See Also
    --------
    AnnealingSearchCV : Simulated annealing search.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import CoordinateDescentSearchCV
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = CoordinateDescentSearchCV(
    ...     SVC(), {"C": Real(1e-3, 1e3, log=True), "kernel": ["rbf", "linear"]},
    ...     n_iter=10, cv=3, random_state=0).fit(X, y)
    >>> bool(search.best_score_ > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "n_points": [Interval(Integral, 2, None, closed="left")],
        "n_initial_points": [Interval(Integral, 1, None, closed="left")],
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
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
        n_points=4,
        n_initial_points=5,
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
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )
        self.n_points = n_points
        self.n_initial_points = n_initial_points

    _strategy = "coordinatedescent"  # its row of sksearch.optimizers.all_optimizers()

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        return get_optimizer("strategy", self._strategy)(
            space,
            n_points=self.n_points,
            n_initial_points=self.n_initial_points,
            random_state=random_state,
        )


# --- end of population and local-search strategies ---------------------------


# --- model-based strategies (GP and TPE) -------------------------------------

_MODEL_BASED_COMMON_DOC = """
    estimator : estimator object
        Fitted (as a clone) once per candidate and fold; must implement
        ``fit`` and be scorable (``score`` or ``scoring``).
    param_distributions : dict or list of dict
        The search space: parameter names (``step__param`` in a Pipeline)
        mapped to a list of choices, a scipy.stats frozen distribution, or
        :class:`~sksearch.space.Real`, :class:`~sksearch.space.Integer`,
        :class:`~sksearch.space.Categorical`. A list of dicts is a union of
        sub-spaces (conditional or AutoML spaces), as in ``GridSearchCV``.
        Also read: scikit-optimize's ranges ``(low, high[, prior])`` and
        ``skopt.space`` objects, Optuna's distributions; the peers' keywords
        (``param_grid=``, ``search_spaces=``, ``n_trials``, ``timeout``,
        ``n_points``) are taken as sksearch's (see :ref:`migration`).
    n_iter : int, default=50
        Number of candidates evaluated.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`sklearn.model_selection.GridSearchCV`. Each round
        proposes ``batch_size`` distinct candidates and cross-validates them
        on ``n_jobs`` workers; ``n_jobs`` never changes the candidates.
    random_state : int, RandomState instance or None, default=None
        Seed of the search: same seed and data, same candidates in the same
        order, also with ``n_jobs > 1``.
    max_time : float, default=None
        Time budget in seconds: no new batch starts once it is spent (the
        batch in flight finishes). ``stop_reason_`` says why the search ended.
    checkpoint : str or path-like, default=None
        Append-only journal of every evaluation; a killed search started
        again with the same arguments resumes from it without re-fitting.
    warm_start_from : fitted search, ``cv_results_`` dict or journal path, default=None
        Earlier results the strategy starts from (not re-evaluated).
    callbacks : list of callable, default=None
        ``callback(search) -> bool`` after every batch; True stops the
        search (see :mod:`sksearch.callbacks`)."""


@peer_keywords
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

    Code written for scikit-optimize's ``BayesSearchCV`` runs unchanged: its
    ``optimizer_kwargs`` are read as the keywords below
    (``n_initial_points``, ``acq_func="EI"`` as ``"ei"``, ``xi``, ``kappa``,
    ``initial_point_generator`` as ``initial_design``), and one without an
    equivalent is refused with the sksearch way (see :ref:`migration`).

    Parameters
    ----------{_MODEL_BASED_COMMON_DOC}
    n_initial_points : "auto" or int, default="auto"
        Candidates from the space-filling initial design before the GP
        guides the search. ``"auto"``: 5, or 10 where the GP sees a cell's
        graph (see :class:`~sksearch.optimizers.BayesOptimizer`, which says
        what each was chosen on); scikit-optimize's default is 10.
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
    cell : Cell or None, default=None
        Declares a cell: the parameters that are the operations on the edges
        of a DAG (see :class:`~sksearch.optimizers.Cell`), so that the GP
        sees the graph. ``None``: parameters named ``op_<i>_<j>`` (the cells
        of :class:`~sksearch.nas.CellNetClassifier`) are recognised.
    encoding : {{"auto", "flat", "path", "wl"}}, default="auto"
        The GP's encoding of a cell: one-hot per edge, BANANAS's path
        encoding or NAS-BOWL's Weisfeiler-Lehman features; ``"auto"`` is the
        one measured best on NAS-Bench-201 for a cell and ``"flat"`` for any
        other space (see :ref:`cell-encodings`).
    cell_proposals : {{"auto", "local", "exhaustive", "mutation"}}, default="auto"
        How the acquisition is maximised over a space with a cell: the cells
        one edge away from the 5 best (local search), every candidate of a
        finite space, or mutations of the best cells (BANANAS); ``"auto"`` is
        local, as measured on NAS-Bench-201 (see :ref:`cell-encodings`).
    batch_size : int, default=4
        Candidates proposed per round (ask, cross-validate, tell). A property
        of the search, never of ``n_jobs``: the same ``random_state`` gives
        the same candidates for any ``n_jobs`` or joblib backend.
    asynchronous : bool, default=False
        Throughput mode: a new candidate is proposed as soon as a worker
        frees, the candidates still running treated as pending (constant
        liar). No worker waits for a round, but with ``n_jobs > 1`` the
        candidates depend on the workers' timing.
    objective : str or None, default=None
        With multi-metric scoring, the name of the scorer the search
        maximises (the strategy needs one metric to learn from). None uses
        ``refit`` when it names a scorer; set it to use ``refit=False`` or a
        ``refit`` callable with several metrics, as ``GridSearchCV`` allows.
        Must be None with a single metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`sklearn.model_selection.GridSearchCV`, and so are
        ``best_estimator_``, ``best_score_``, ``best_params_``, ``best_index_``,
        ``scorer_``, ``n_splits_``, ``refit_time_`` and ``multimetric_``.
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
        "n_initial_points": [Interval(Integral, 2, None, closed="left"), StrOptions({"auto"})],
        "acq_func": [StrOptions({"ei", "pi", "ucb", "lcb"})],
        "xi": [Interval(Real, 0, None, closed="left")],
        "kappa": [Interval(Real, 0, None, closed="left")],
        "initial_design": [StrOptions({"sobol", "lhs", "random"})],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "n_restarts": [Interval(Integral, 0, None, closed="left")],
        "max_model_points": [Interval(Integral, 2, None, closed="left")],
        "cell": [Cell, None],
        "encoding": [StrOptions({"auto", "flat", "path", "wl"})],
        "cell_proposals": [StrOptions({"auto", "local", "exhaustive", "mutation"})],
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
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
        n_initial_points="auto",
        acq_func="ei",
        xi=0.01,
        kappa=1.96,
        initial_design="sobol",
        n_candidates=500,
        n_restarts=5,
        max_model_points=200,
        cell=None,
        encoding="auto",
        cell_proposals="auto",
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
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )
        self.n_initial_points = n_initial_points
        self.acq_func = acq_func
        self.xi = xi
        self.kappa = kappa
        self.initial_design = initial_design
        self.n_candidates = n_candidates
        self.n_restarts = n_restarts
        self.max_model_points = max_model_points
        self.cell = cell
        self.encoding = encoding
        self.cell_proposals = cell_proposals

    _strategy = "bayes"  # its row of sksearch.optimizers.all_optimizers()

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        return get_optimizer("strategy", self._strategy)(
            space,
            n_initial_points=self.n_initial_points,
            acq_func=self.acq_func,
            xi=self.xi,
            kappa=self.kappa,
            initial_design=self.initial_design,
            n_candidates=self.n_candidates,
            n_restarts=self.n_restarts,
            max_model_points=self.max_model_points,
            cell=self.cell,
            encoding=self.encoding,
            cell_proposals=self.cell_proposals,
            random_state=random_state,
        )


@peer_keywords
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
    ----------{_MODEL_BASED_COMMON_DOC}
    n_startup : int, default=5
        Candidates drawn at random before the density model is used.
    n_ei_candidates : int, default=256
        Draws from the good density scored per proposal; more exploits harder.
        Both defaults were chosen together by measurement on the tabular
        HPOBench and NAS-Bench-201 suites and the project's suite (see
        :class:`~sksearch.optimizers.TPEOptimizer`).
    gamma : None, float in (0, 1) or callable, default=None
        Size of the good group for ``n`` evaluated candidates: ``None`` is
        ``min(ceil(0.1 n), 25)`` (Optuna); a float ``q`` is ``ceil(q n)``; a
        callable ``gamma(n) -> int``.
    prior_weight : float, default=1.0
        Weight of the prior in each density, relative to one observation.
    categorical_smoothing : "auto" or float >= 0, default="auto"
        Weight each observation's kernel over a categorical parameter spreads
        over the choices, against 1 on its own choice (Optuna: 1.0).
        ``"auto"``: ``min(1, 1.5 / d)`` for ``d`` categorical parameters,
        sharper kernels where there are many; chosen by measurement (see
        :class:`~sksearch.optimizers.TPEOptimizer`).
    multivariate : bool, default=True
        Joint kernels over all parameters (True) or independent ones (False,
        the original TPE), chosen by measurement; ``False`` judges a boolean
        or small categorical by its own ratio, where early draws can lock a
        joint kernel's (see :class:`~sksearch.optimizers.TPEOptimizer`).
    consider_endpoints : bool, default=False
        The search bounds count as neighbours for the bandwidths of the edge
        kernels.
    consider_magic_clip : bool, default=True
        Lower bound on the bandwidths, so densities do not collapse.
    batch_size : int, default=4
        Candidates proposed per round (ask, cross-validate, tell). A property
        of the search, never of ``n_jobs``: the same ``random_state`` gives
        the same candidates for any ``n_jobs`` or joblib backend.
    asynchronous : bool, default=False
        Throughput mode: a new candidate is proposed as soon as a worker
        frees, the candidates still running treated as pending (constant
        liar). No worker waits for a round, but with ``n_jobs > 1`` the
        candidates depend on the workers' timing.
    objective : str or None, default=None
        With multi-metric scoring, the name of the scorer the search
        maximises (the strategy needs one metric to learn from). None uses
        ``refit`` when it names a scorer; set it to use ``refit=False`` or a
        ``refit`` callable with several metrics, as ``GridSearchCV`` allows.
        Must be None with a single metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`sklearn.model_selection.GridSearchCV`, and so are
        ``best_estimator_``, ``best_score_``, ``best_params_``, ``best_index_``,
        ``scorer_``, ``n_splits_``, ``refit_time_`` and ``multimetric_``.
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
        "categorical_smoothing": [
            StrOptions({"auto"}), Interval(Real, 0, None, closed="left")],
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
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
        n_startup=5,
        n_ei_candidates=256,
        gamma=None,
        prior_weight=1.0,
        categorical_smoothing="auto",
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
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )
        self.n_startup = n_startup
        self.n_ei_candidates = n_ei_candidates
        self.gamma = gamma
        self.prior_weight = prior_weight
        self.categorical_smoothing = categorical_smoothing
        self.multivariate = multivariate
        self.consider_endpoints = consider_endpoints
        self.consider_magic_clip = consider_magic_clip

    _strategy = "tpe"  # its row of sksearch.optimizers.all_optimizers()

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        return get_optimizer("strategy", self._strategy)(
            space,
            n_startup=self.n_startup,
            n_ei_candidates=self.n_ei_candidates,
            gamma=self.gamma,
            prior_weight=self.prior_weight,
            categorical_smoothing=self.categorical_smoothing,
            multivariate=self.multivariate,
            consider_endpoints=self.consider_endpoints,
            consider_magic_clip=self.consider_magic_clip,
            random_state=random_state,
        )


@peer_keywords
class ReinforceSearchCV(BaseSearch):
    __doc__ = f"""Hyperparameter search by a policy-gradient controller (REINFORCE).

    A drop-in replacement for ``GridSearchCV`` / ``RandomizedSearchCV``: the
    strategy is :class:`~sksearch.optimizers.ReinforceOptimizer`, the
    controller of ENAS (Pham et al. 2018) trained by REINFORCE (Williams
    1992). Each parameter has a softmax policy (numeric ones over
    ``n_bins`` bins of their range), candidates are drawn from it, and
    after every evaluated candidate the policy moves towards candidates that
    scored above a moving-average baseline, and towards the best candidate
    so far (``elite_weight``). Advantages are normalised by
    their running scale, so the search does not depend on the units of the
    score. Failed fits count below the worst score seen. No candidate is
    evaluated twice.

    Best on mostly categorical spaces and budgets of hundreds of cheap
    evaluations; on small budgets of expensive fits prefer
    :class:`TPESearchCV`.

    Cost: microseconds per candidate.

    Parameters
    ----------{_MODEL_BASED_COMMON_DOC}
    learning_rate : float, default=0.3
        Step of the policy's logits per evaluated candidate; larger learns
        faster and explores less.
    baseline_decay : float in [0, 1), default=0.9
        Decay of the moving averages of the score (the baseline) and of its
        squared deviations (the scale of the advantages).
    entropy_weight : float, default=0.01
        Weight of the entropy bonus, which keeps the policy from
        concentrating too early.
    n_bins : int, default=10
        Bins of each numeric parameter's range (an ``Integer`` with fewer
        values gets one bin per value).
    elite_weight : float, default=1.0
        After each evaluated candidate, the policy also steps towards the
        best candidate so far with this advantage (0: plain REINFORCE).
    batch_size : int, default=4
        Candidates proposed per round (ask, cross-validate, tell). A property
        of the search, never of ``n_jobs``: the same ``random_state`` gives
        the same candidates for any ``n_jobs`` or joblib backend.
    asynchronous : bool, default=False
        Throughput mode: a new candidate is proposed as soon as a worker
        frees, the candidates still running treated as pending (constant
        liar). No worker waits for a round, but with ``n_jobs > 1`` the
        candidates depend on the workers' timing.
    objective : str or None, default=None
        With multi-metric scoring, the name of the scorer the search
        maximises (the strategy needs one metric to learn from). None uses
        ``refit`` when it names a scorer; set it to use ``refit=False`` or a
        ``refit`` callable with several metrics, as ``GridSearchCV`` allows.
        Must be None with a single metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in :class:`sklearn.model_selection.GridSearchCV`, and so are
        ``best_estimator_``, ``best_score_``, ``best_params_``, ``best_index_``,
        ``scorer_``, ``n_splits_``, ``refit_time_`` and ``multimetric_``.
    optimizer_ : ReinforceOptimizer
        The strategy, with every evaluated candidate told; its ``mode()`` is
        the policy's most probable candidate.

    See Also
    --------
    TPESearchCV : density-ratio model, better on small budgets.
    GeneticSearchCV : population-based search, also for categorical spaces.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sksearch import ReinforceSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = ReinforceSearchCV(DecisionTreeClassifier(random_state=0),
    ...                            {{"max_depth": [1, 2, 3, 4, None],
    ...                             "criterion": ["gini", "entropy"],
    ...                             "min_samples_leaf": [1, 5, 10]}},
    ...                            n_iter=12, cv=3, random_state=0).fit(X, y)
    >>> len(search.cv_results_["params"])
    12
    >>> bool(search.best_score_ > 0.9)
    True
    """

    _parameter_constraints: dict = {
        **BaseSearch._parameter_constraints,
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "baseline_decay": [Interval(Real, 0, 1, closed="left")],
        "entropy_weight": [Interval(Real, 0, None, closed="left")],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "elite_weight": [Interval(Real, 0, None, closed="left")],
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
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
        learning_rate=0.3,
        baseline_decay=0.9,
        entropy_weight=0.01,
        n_bins=10,
        elite_weight=1.0,
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
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )
        self.learning_rate = learning_rate
        self.baseline_decay = baseline_decay
        self.entropy_weight = entropy_weight
        self.n_bins = n_bins
        self.elite_weight = elite_weight

    _strategy = "reinforce"  # its row of sksearch.optimizers.all_optimizers()

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        return get_optimizer("strategy", self._strategy)(
            space,
            learning_rate=self.learning_rate,
            baseline_decay=self.baseline_decay,
            entropy_weight=self.entropy_weight,
            n_bins=self.n_bins,
            elite_weight=self.elite_weight,
            random_state=random_state,
        )


# --- end of model-based strategies -------------------------------------------


# --- multi-fidelity ------------------------------------------------------------


@peer_keywords
class HyperbandSearchCV(BaseHyperband):
    """Hyperband's brackets (Li et al. 2018) with candidates from one
    Gaussian process over every rung by default; BOHB (Falkner et al. 2018)
    with ``sampler="tpe"``, plain Hyperband with ``sampler="random"``.

    A drop-in replacement for ``RandomizedSearchCV`` and
    ``HalvingRandomSearchCV`` (whose resource parameters it shares) that
    spends little on bad candidates: each *bracket* evaluates many candidates
    with a small resource (few training samples, few trees, few iterations),
    keeps the best ``1 / factor`` of them at each *rung* and evaluates those
    with ``factor`` times the resource, up to ``max_resources``. sklearn's
    ``HalvingRandomSearchCV`` runs one such bracket; Hyperband hedges over
    how aggressively to stop, with brackets from "start at min_resources"
    down to "every candidate at max_resources" (random search), each given
    about the same total resource. ``sampler="gp"``, the default, is one
    Gaussian process over every rung's results with the resource as an
    input, its expected improvement taken at the largest resource with
    enough results, a fifth of the candidates from the prior.
    ``sampler="tpe"`` is BOHB (Falkner et al. 2018): new candidates come from
    a TPE model of the largest resource with enough results (one model per
    resource, told every rung), a third of them from the prior.

    **Budget.** ``n_iter`` counts *evaluations*: one candidate
    cross-validated at one rung, one row of ``cv_results_``. An evaluation
    at resource ``r`` costs about ``r / max_resources`` of a full one, plus
    a fixed part (the set-up of a fit, binning, scoring) that
    ``min_resources="auto"`` keeps from dominating a rung. One
    *round* of Hyperband is its ``s + 1`` brackets, ``s = floor(log(
    max_resources / min_resources) / log(factor))`` (206 evaluations for
    ``max_resources / min_resources = 81`` and ``factor=3``: the paper's
    table). ``n_iter="auto"`` runs the number of whole rounds whose compute
    is nearest that of 50 evaluations at ``max_resources`` (the other
    searches' default ``n_iter=50``), counting an evaluation at ``r`` as
    ``r / max_resources`` of one, at least one round: two rounds (412
    evaluations) for a ratio of 81, twelve rounds of 6 (72 evaluations) for
    a ratio of 3. One round alone costs a tenth to a half of that and, on
    the benchmarks' HistGradientBoosting and ExtraTrees problems, ended well
    below RandomizedSearchCV(n_iter=40); see ``benchmarks/RESULTS.md``. An
    integer budget runs whole
    rounds while they fit and spends the rest on smaller rounds (fewer
    brackets, starting at a higher resource), so that exactly ``n_iter``
    evaluations run and every bracket ends at ``max_resources``.
    ``brackets_`` shows the brackets that ran.

    **Resources.** With ``resource="n_samples"`` each training fold is
    subsampled (``n_resources / n_samples`` of it, the same subsample for
    every candidate at that resource) and test folds are kept whole, so
    every rung is scored on the same data. With an integer parameter of the
    estimator (``"n_estimators"``, ``"max_iter"``, ``"clf__max_iter"`` in a
    Pipeline) the parameter is set to the rung's resource, and appears in
    ``params``.

    **Continued training.** With a parameter resource, a candidate promoted
    to the next rung continues from its fitted models of the previous rung
    (one per fold) instead of training again, where the estimator can: the
    trees of a forest or gradient boosting (``n_estimators``), the iterations
    of ``HistGradientBoosting*`` (``max_iter``), the epochs of SGD,
    Perceptron, PassiveAggressive and MLP estimators (``max_iter``) and of
    :mod:`sksearch.nas` networks (``max_epochs``), also as a Pipeline step.
    The models wait on disk between rungs (a temporary directory, removed at
    the end of ``fit``; those of candidates not promoted are removed at once),
    so this works with threads and processes alike; a worker that cannot read
    them (a Dask worker on another machine) trains from scratch. A forest or
    boosting model grown so is the model trained from scratch with the same
    ``random_state``; an epoch-wise estimator keeps its weights but starts its
    learning-rate schedule (and Adam moments) again at each rung.
    ``resource="n_samples"`` always retrains (a model of a smaller subsample
    cannot be continued on a larger one), as does a candidate that replaces
    the estimator that owns the resource. ``cv_results_["warm_started"]``
    says which evaluations continued, and their ``mean_fit_time`` is the time
    of the continuation (with the loading and storing of the models).

    **Parallelism.** Every step runs the next rung of each started bracket
    together, and starts new brackets until the step holds at least
    ``n_jobs`` candidates, so workers stay busy; with ``n_samples`` each
    resource of a step is one ``evaluate_candidates`` call (the folds differ),
    with a parameter resource the whole step is one call.

    Parameters
    ----------
    estimator : estimator object
        Fitted (as a clone) once per candidate, rung and fold, or
        continued (see ``warm_start``).
    param_distributions : dict or list of dict
        The search space: parameter names (``step__param`` in a Pipeline)
        mapped to a list of choices, a scipy.stats frozen distribution, or
        :class:`~sksearch.space.Real`, :class:`~sksearch.space.Integer`,
        :class:`~sksearch.space.Categorical`. A list of dicts is a union of
        sub-spaces, as in ``GridSearchCV``. Must not contain the resource.
    n_iter : int or "auto", default="auto"
        Number of evaluations (rows of ``cv_results_``); "auto" is the whole
        rounds that cost about 50 evaluations at ``max_resources`` (see
        **Budget**).
    resource : str, default="n_samples"
        What grows from rung to rung: ``"n_samples"``, or the name of an
        integer parameter of the estimator.
    min_resources : int, "auto", "exhaust" or "smallest", default="auto"
        Smallest resource of a rung. "auto" starts at the smallest rung whose
        fixed cost (the set-up of a fit, the binning of HistGradientBoosting,
        scoring the whole test fold with ``resource="n_samples"``) is at most
        half of what an evaluation there costs, so no rung costs more than
        twice its share ``n_resources / max_resources`` of a full one. The
        fixed cost is read from the type of the estimator that owns the
        resource (the last step of a Pipeline with "n_samples"), never timed,
        so the candidates stay a function of ``random_state``: about 16
        iterations of ``HistGradientBoosting*`` (``max_iter``), 1 epoch of
        MLP estimators, one tree of a forest or bagging model
        (``n_estimators``); with "n_samples", 0.15 of the samples for a forest
        and 1/3 for ``HistGradientBoosting*``. Other estimators start where
        "exhaust" does. Like "exhaust", it starts higher if ``n_iter`` cannot
        fill a round from there. "smallest" is ``2 * n_splits * n_classes``
        samples (``2 * n_splits`` for a regressor) or 1 for a parameter, as in
        ``HalvingRandomSearchCV``. "exhaust" starts at "smallest" if
        ``n_iter`` fills a round from there, and otherwise higher: at the
        smallest resource whose round fits in ``n_iter``. An integer or
        "smallest" with an ``n_iter`` too small for one round is an error that
        says what ``n_iter`` can fill. The rungs' resources are
        ``max_resources / factor**k``; ``min_resources_`` is the smallest
        used, and ``rung_costs_`` what each rung measured.
    max_resources : int or "auto", default="auto"
        Resource of the last rung of every bracket, and of the refit: "auto"
        is the number of samples, or the estimator's own value of the
        resource parameter (``n_estimators=100`` of a forest).
    factor : int or float >= 2, default=3
        Each rung keeps the best ``1 / factor`` of its candidates and gives
        them ``factor`` times the resource (Hyperband's ``eta``).
    warm_start : "auto", bool, default="auto"
        Continued training from rung to rung (see above). "auto" continues
        where the estimator and resource allow it and retrains otherwise;
        True raises a ValueError if they do not; False trains every rung from
        scratch.
    sampler : {"random", "tpe", "gp"}, default="gp"
        Where new candidates come from: one GP with the resource as an input
        (:class:`~sksearch.optimizers.hyperband.MultiFidelityBayesOptimizer`),
        per-resource TPE models (BOHB,
        :class:`~sksearch.optimizers.hyperband.BOHBOptimizer`), or the prior
        ("random": Hyperband). Chosen by measurement
        (``benchmarks/hyperband_defaults.py``: compute counted in full
        evaluations, the default budget, against RandomizedSearchCV(n_iter=40)
        on the same folds). On HistGradientBoosting's ``max_iter``,
        ExtraTrees' ``n_estimators``, SGD's epochs and an SVC's ``n_samples``
        (15 seeds each) and a PyTorch network's epochs (10 seeds), "gp" ended
        higher than "tpe" on all five (paired, +0.0003, +0.0025, +0.0006,
        +0.0021 and +0.0014 of CV score; above RandomizedSearchCV(40)'s best
        by +0.005, +0.008, +0.002, +0.003 and +0.002) and reached that best
        at a median 0.27, 0.22, 0.22, 0.42 and 0.62 of its compute (on 15,
        14, 12, 12 of 15 seeds and 7 of 10), against "tpe"'s 0.41, 0.22,
        0.22, 0.32 and 0.60 (14, 14, 13, 9 and 6): earlier on the boosting
        problem, later on SGD, level within the noise elsewhere. Both leave
        "random" behind (on the first two problems, 5 seeds: it reached the
        score on 3 and 4 seeds and ended +0.001 and +0.002). Synchronous
        searches propose the same candidates for any ``n_jobs``, so these
        counts hold for one worker and for several. The GP costs more in the
        driver: 1.3 and 5.5 s in a whole search on the first two problems
        (seed 0), against BOHB's 0.5 and 2.3 s. With one worker its
        searches, of 20-50 s each, took 1.07-1.28 times BOHB's wall time,
        most of the difference being the fits of the candidates it chose.
    sampler_params : dict, default=None
        Keyword arguments of the sampler's optimizer, for settings other than
        its defaults: those of
        :class:`~sksearch.optimizers.hyperband.MultiFidelityBayesOptimizer`
        and :class:`~sksearch.optimizers.BayesOptimizer` for "gp" (such as
        ``{"n_initial_points": 5}``), of
        :class:`~sksearch.optimizers.hyperband.BOHBOptimizer` for "tpe"
        (such as ``{"random_fraction": 0.2, "n_ei_candidates": 64}``);
        "random" takes none. ``space``, ``random_state`` and the GP's
        ``n_levels`` come from the search. A keyword the sampler does not
        take, or a value it refuses, is a ValueError when ``fit`` starts.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`sklearn.model_selection.GridSearchCV`. A failed fit
        scores ``error_score`` and its candidate is not promoted while others
        succeed. A ``refit`` callable chooses ``best_index_`` itself.
    random_state : int, RandomState instance or None, default=None
        Seed of the sampler and of the subsamples: same seed and data, same
        evaluations in the same order, whatever ``n_jobs``, with synchronous
        brackets; in asynchronous mode only with ``n_jobs=1`` (with more
        workers the promotions follow their timing).
    max_time : float, default=None
        Time budget in seconds: no new step of rungs starts once it is spent;
        ``best_*`` come from the highest resource reached.
    checkpoint : str or path-like, default=None
        Path of an append-only journal, one line per evaluation (candidate
        and rung), as in :class:`~sksearch.TPESearchCV`. A search started
        again with the same arguments and path replays the journal's brackets
        step by step (the same candidates are proposed and promoted) and
        evaluates only what it does not hold; the models of continued
        training are not journaled, so a promotion after the resume trains
        from scratch (the same model for trees and boosting). A journal of
        other resource levels, data or folds is refused with a ValueError.
    warm_start_from : fitted search, ``cv_results_`` dict or journal path, default=None
        Earlier results, told to the sampler as evaluations at the highest
        resource (BOHB's model starts from them).
    callbacks : list of callable, default=None
        ``callback(search) -> bool`` after every step; True stops the search.
    batch_size : int, default=4
        Candidates proposed per round (ask, cross-validate, tell). A property
        of the search, never of ``n_jobs``: the same ``random_state`` gives
        the same candidates for any ``n_jobs`` or joblib backend.
    asynchronous : bool, default=False
        Asynchronous successive halving (ASHA, Li et al. 2020) instead of
        synchronous brackets: whenever a worker frees it gets a job, either
        the promotion of a candidate that ranks in the top ``1/factor`` of
        the finished evaluations of its rung (the highest resource first),
        or a new candidate in the first rung of a bracket, new candidates
        spread over the plan's brackets in the plan's proportions. No worker
        waits for a rung to fill and full-resource results arrive early;
        the budget is the same ``n_iter_`` evaluations, but the bottom rungs
        grow instead of being fixed, so fewer candidates reach
        ``max_resources``. With ``n_jobs=1`` it is deterministic; with more
        workers the promotions depend on their timing. ``brackets_`` then
        counts the evaluations each rung received.
    objective : str or None, default=None
        With multi-metric scoring, the name of the scorer the search
        maximises (the strategy needs one metric to learn from). None uses
        ``refit`` when it names a scorer; set it to use ``refit=False`` or a
        ``refit`` callable with several metrics, as ``GridSearchCV`` allows.
        Must be None with a single metric.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        As in ``GridSearchCV``, one row per evaluation, with the columns
        ``iter`` (the step, or the order of the asks in asynchronous
        mode), ``n_resources``, ``bracket`` (an index into
        ``brackets_``) and ``warm_started`` (the evaluation continued the
        candidate's models of the previous rung in every fold). Ranks compare rows of all resources; ``best_index_``
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
    rung_costs_ : dict of int to float
        Measured advice: for each resource, the median fit and score time of
        the evaluations trained from scratch, over that at ``max_resources``
        (NaN where none). A rung whose cost is well above ``n_resources /
        max_resources`` is dominated by fixed costs, and a larger
        ``min_resources`` skips it. The search never reads it.
    brackets_ : list of dict
        The plan's brackets that started (all of them, unless ``max_time``
        or a callback stopped the search first): for each bracket, its
        ``round``, ``n_candidates`` and ``n_resources`` per rung. The plan
        is made as it runs, so a huge ``n_iter`` with ``max_time`` costs
        nothing up front.
    optimizer_ : Optimizer
        The sampler, with the results it was told.
    n_batches_, batch_size_ : int
        Number of steps (of evaluations, in asynchronous mode); candidates
        wanted per step.

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
    ...     n_iter=22, cv=3, random_state=0).fit(X, y)  # one round of brackets
    >>> search.n_iter_, len(search.cv_results_["params"])
    (22, 22)
    >>> [b["n_candidates"] for b in search.brackets_]
    [[9, 3, 1], [5, 1], [3]]
    >>> search.best_params_["n_estimators"]
    27
    """

    _parameter_constraints: dict = {
        **BaseHyperband._parameter_constraints,
        "sampler": [StrOptions({name for _, name, _, _ in all_optimizers("sampler")})],
        "sampler_params": [dict, None],
    }

    def __init__(
        self,
        estimator,
        param_distributions,
        *,
        n_iter="auto",
        resource="n_samples",
        min_resources="auto",
        max_resources="auto",
        factor=3,
        warm_start="auto",
        sampler="gp",
        sampler_params=None,
        scoring=None,
        n_jobs=None,
        refit=True,
        cv=None,
        verbose=0,
        pre_dispatch="2*n_jobs",
        random_state=None,
        error_score=np.nan,
        return_train_score=False,
        max_time=None,
        checkpoint=None,
        warm_start_from=None,
        callbacks=None,
        batch_size=4,
        asynchronous=False,
        objective=None,
    ):
        super().__init__(
            estimator,
            param_distributions,
            n_iter=n_iter,
            resource=resource,
            min_resources=min_resources,
            max_resources=max_resources,
            factor=factor,
            warm_start=warm_start,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            random_state=random_state,
            error_score=error_score,
            return_train_score=return_train_score,
            max_time=max_time,
            checkpoint=checkpoint,
            warm_start_from=warm_start_from,
            callbacks=callbacks,
            batch_size=batch_size,
            asynchronous=asynchronous,
            objective=objective,
        )
        self.sampler = sampler
        self.sampler_params = sampler_params

    _strategy = "hyperband"  # its row of sksearch.optimizers.all_optimizers()

    def _check_search_params(self):
        super()._check_search_params()
        self._sampler_keywords()

    def _sampler_keywords(self):
        """The sampler's class and ``sampler_params``, checked against the
        keywords that class takes (the search sets ``space``,
        ``random_state`` and the GP's ``n_levels`` itself)."""
        sampler = get_optimizer("sampler", self.sampler)
        params = dict(self.sampler_params or {})
        own = {"space", "random_state", "n_levels"}
        taken = _keyword_names(sampler) - own
        bad = sorted(set(params) - taken, key=str)
        if bad:
            reserved = [k for k in bad if k in own]
            why = (
                f"{', '.join(map(repr, reserved))} {'is' if len(reserved) == 1 else 'are'} "
                "set by the search itself"
                if reserved else
                f"sampler={self.sampler!r} ({sampler.__name__}) takes "
                + (", ".join(sorted(taken)) if taken else "no keyword")
            )
            raise ValueError(
                f"sampler_params has {', '.join(map(repr, bad))}, which the sampler "
                f"cannot take: {why}."
            )
        return sampler, params

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        sampler, params = self._sampler_keywords()
        if self.sampler == "gp":  # one model over the levels
            params["n_levels"] = n_levels
        try:
            return sampler(space, random_state=random_state, **params)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"sampler_params: {exc}") from exc


def _keyword_names(cls):
    """Keywords ``cls(...)`` accepts: its ``__init__``'s named parameters,
    and those of the parents its ``**kwargs`` are passed on to."""
    names = set()
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass is object:
            continue
        params = inspect.signature(klass.__init__).parameters.values()
        names |= {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    names.discard("self")
    return names


def registered_searches():
    """``{name: public *SearchCV class}``: every registered strategy and
    scheduler that a public class runs (:func:`sksearch.optimizers.all_optimizers`),
    by its registry name. A class with no row, or a row naming no class, is
    an error here, at import."""
    public = {name: globals()[name] for name in __all__}
    found = {}
    for role, name, _, search in all_optimizers():
        if role == "sampler" or not search:
            continue
        cls = public.get(search)
        if cls is None or cls._strategy != name:
            raise RuntimeError(f"the registry's {role} {name!r} names {search!r}, "
                               "which is not the public class that runs it")
        found[name] = cls
    missing = set(public.values()) - set(found.values())
    if missing:
        raise RuntimeError(f"{sorted(c.__name__ for c in missing)} run no registered strategy")
    return found


registered_searches()  # the registry and the public classes agree
