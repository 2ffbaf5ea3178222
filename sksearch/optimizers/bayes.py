"""Bayesian optimisation with a Gaussian-process surrogate."""

# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
from scipy.stats import qmc

from .._pareto import pareto_ranks
from ._base import Optimizer
from ._gp.acqf import Acquisition
from ._gp.cell import (
    ENCODINGS,
    Cell,
    CellFeatureMap,
    _BoundCell,
    detect_cell,
    mutate_cells,
    neighbour_cells,
)
from ._gp.gp import Posterior, fit_kernel, single_threaded_blas
from ._gp.multi_objective import EHVI, draw_weights, parego_scores, reference_point
from ._gp.optim_mixed import enumerate_space, local_candidates, optimize_acqf
from ._gp.search_space import FeatureMap
from ._validation import check_int, check_option, check_real

__all__ = ["BayesOptimizer"]

_ACQ_FUNCS = ("ei", "pi", "ucb", "lcb")
_DESIGNS = ("sobol", "lhs", "random")
_LIARS = ("best", "worst", "mean")
_MO_ACQS = ("parego", "ehvi")
_CELL_PROPOSALS = ("auto", "local", "exhaustive", "mutation")
# The encoding of a cell space under encoding="auto", chosen on NAS-Bench-201
# (benchmarks/nas.py; see the class docstring)
_CELL_DEFAULT = "wl"
# The initial design of n_initial_points="auto": 5 where the GP sees flat
# columns, 10 where it sees a cell's graph (a "path" or "wl" encoding); both
# measured, see the parameter's documentation
_INITIAL_FLAT = 5
_INITIAL_GRAPH = 10


def _novelty(space, seen, keys):
    """``is_new(v)``: neither told nor chosen in this ask; ``accept(v)``: take
    ``v`` into ``keys`` if it is new, saying whether it was."""

    def is_new(v):
        k = space.key(v)
        return k not in seen and k not in keys

    def accept(v):
        if not is_new(v):
            return False
        keys.add(space.key(v))
        return True

    return is_new, accept

class BayesOptimizer(Optimizer):
    """Bayesian optimisation with a Gaussian process (GP-EI by default).

    Follows Snoek, Larochelle & Adams (2012), "Practical Bayesian
    optimization of machine learning algorithms": a GP surrogate with a
    Matern 5/2 kernel with one length scale per input (ARD) plus a noise
    term, hyperparameters fitted by maximum marginal likelihood, and
    expected improvement (Jones, Schonlau & Welch 1998) as the acquisition.

    How it works on the shared encoding of :class:`~sksearch.space.Space`:

    * numeric dimensions are GP inputs in ``[0, 1]`` (log dimensions in log
      space, scipy distributions through their CDF); scores are
      standardised;
    * categorical dimensions, and the choice of sub-space in a list of dicts,
      are one-hot inputs, so their choices are never ordered, with one length
      scale per categorical (a Hamming distance, as Optuna's GPSampler: one
      per choice left too many hyperparameters for a few dozen points);
      columns of the sub-spaces a candidate does not use are set to a
      constant and do not affect the kernel between candidates of the same
      sub-space;
    * the categoricals that are the edges of a cell (``cell``; parameters
      named ``op_<i>_<j>`` are one) are instead encoded by ``encoding``:
      BANANAS's paths or NAS-BOWL's Weisfeiler-Lehman label histograms
      (the default), so the kernel sees the graph (see
      :mod:`sksearch.optimizers._gp.cell`);
    * the first ``n_initial_points`` candidates (5, or 10 on a cell's graph)
      are a scrambled Sobol (or Latin hypercube) design;
    * the acquisition is maximised by scoring ``n_candidates`` prior draws
      plus perturbations of the best points, then refining the
      ``n_restarts`` best and the incumbent with L-BFGS-B on their numeric
      part, snapping them to valid integers and choices, and climbing from
      there one integer or categorical column at a time (a discrete local
      search, as Optuna's GPSampler); a finite space of at most 32768
      candidates is scored whole instead. A candidate already asked or told
      is never proposed again;
    * a batch of ``n`` candidates is chosen by the constant liar heuristic
      (Ginsbourger et al. 2010): each chosen point, and each point asked but
      not yet told, is added to the GP with the best observed score (the
      optimistic lie of scikit-optimize's default ``cl_min``): the GP's
      uncertainty there collapses, so the next choice is another point, often
      in the same promising region; ``liar="worst"`` pushes the next choice
      away instead, ``liar="mean"`` is the kriging believer;
    * failed evaluations (NaN) are imputed with the worst observed score, so
      their region is avoided without feeding NaN to the GP.

    Departures from the paper: no MCMC over hyperparameters but a maximum a
    posteriori estimate (with Optuna GPSampler's Gamma priors on length
    scales, amplitude and noise), warm-started from the previous fit; EI is
    computed as the numerically stable log-EI of Ament et al. (2023).

    The optimistic liar (scikit-optimize's default) was chosen on the
    Bayesmark protocol (``benchmarks/bayesmark.py``, 16 rounds of batches of
    8, 5 seeds; ``benchmarks/sections/bayesmark.md``): on its two problems
    that separate optimisers, DT_wine_acc and SVM_iris_acc, the mean score
    went from 94.6 with the pessimistic liar to 95.9 and 96.4 (two runs) at
    16 rounds, and from 90.7 to 94.3 and 94.2 at 8 rounds; the seed-to-seed
    standard deviation is 3 to 6, so the gain at 8 rounds is the clear
    one. A Gaussian copula of the scores
    (HEBO-style output warping) did as well there but on smooth functions
    it throws away the size of the differences the GP should fit (on
    Branin, 30 evaluations, best -0.74 to -1.94 over three seeds against
    -0.43 to -0.55 standardised), so the scores are only standardised.

    **Several objectives** (told as rows of scores), by
    ``multi_objective_acquisition`` (see
    :mod:`sksearch.optimizers._gp.multi_objective`): ``"parego"`` (Knowles
    2006) draws a weight vector each ask and runs the one-objective GP-EI
    above on the augmented Chebyshev scalarisation of the normalised
    objectives; ``"ehvi"`` fits one GP per objective and maximises the
    expected hypervolume improvement (Emmerich et al. 2006; exact with two
    objectives, Monte Carlo with more), a batch by the kriging believer
    (each chosen point joins the data and the front at its predicted
    scores). The default, ParEGO, was chosen on the tabular benchmarks
    (``benchmarks/tabular_mo.py``: HPOBench's MLP on 8 sets against training
    time, NAS-Bench-201 on 3 against latency and against size, 10 seeds;
    ``benchmarks/sections/tabular_mo.md``): at 100 evaluations it matched or
    led EHVI (fraction of the true front's hypervolume 0.955 / 0.928 / 0.980
    against 0.953 / 0.921 / 0.979; at 50, EHVI led on NAS-Bench-201 by about
    one standard error) at half the cost per proposal (one GP fit instead of
    one per objective: 30-35 ms of CPU against 65-70 ms at 100 evaluations).

    Cost per ask: one GP fit, ``O(m^3)`` in the number ``m`` of training
    points, capped at ``max_model_points`` (the best half and the most
    recent others are kept), plus a fixed-size acquisition optimisation.
    Measured on a 5-parameter mixed space: about 7 ms of CPU per candidate
    at 20 trials, 25 ms at 100, 50 ms at 200 and flat beyond. BLAS is
    limited to one thread while proposing (the matrices are small; extra
    threads only contend with the cross-validation workers).

    Parameters
    ----------
    space : Space or dict or list of dict
        The search space.
    n_initial_points : "auto" or int, default="auto"
        Number of candidates from the space-filling initial design before the
        GP is used (at least 2; in a batch that outruns the design, the rest
        are prior draws). ``"auto"``: 5, or 10 where the GP sees a cell's
        graph (``encoding_`` ``"path"`` or ``"wl"``). Chosen against
        scikit-optimize's 10 (``benchmarks/sections/tabular_bayes_initial.md``):
        asked one at a time on the look-up tables (30 seeds), 5 raised the
        normalised incumbent at 20 / 25 / 50 evaluations by +0.045 / +0.021 /
        +0.012 on NAS-Bench-201 and +0.019 / +0.016 / +0.009 on HPOBench; on
        18 Bayesmark problems (5 seeds, 16 rounds of 8) by +1.1 +- 1.3 and
        +1.3 +- 1.0 points at 8 and 16 rounds; the project's suite (``n_iter=40``,
        batches of 4) was level (-0.000 +- 0.006). With several objectives
        (ParEGO) it was level or better on the tabular multi-objective suites
        and NAS digits, and 0.008 +- 0.004 of hypervolume behind on a random
        forest's accuracy against size (20 seeds). With the WL encoding on
        NAS-Bench-201 (30 seeds), 5 lowered the regret at 20 and 50
        evaluations but raised it at 150 (0.20 to 0.32 +- 0.05), so a cell's
        graph keeps 10.
    acq_func : {"ei", "pi", "ucb", "lcb"}, default="ei"
        Acquisition function: expected improvement (computed as log-EI),
        probability of improvement, or the confidence bound
        ``mean + kappa * std`` (``"lcb"`` is the same, named as for
        minimisation).
    xi : float, default=0.01
        Improvement margin of ``"ei"`` and ``"pi"``, in standard deviations of
        the observed scores; larger explores more.
    kappa : float, default=1.96
        Exploration weight of ``"ucb"``/``"lcb"``.
    initial_design : {"sobol", "lhs", "random"}, default="sobol"
        The initial design: scrambled Sobol sequence, Latin hypercube
        (both from :mod:`scipy.stats.qmc`), or independent prior draws.
    n_candidates : int, default=500
        Number of prior draws scored by the acquisition at each step
        (before local refinement).
    n_restarts : int, default=5
        Number of the best-scored candidates refined by L-BFGS-B.
    max_model_points : int, default=200
        Cap on the GP's training points; keeps the cost per ask flat in long
        searches.
    liar : {"best", "worst", "mean"}, default="best"
        The score a candidate of the batch, or one asked and not yet told, is
        given in the GP while the rest of the batch is chosen: the best
        observed score (optimistic constant liar), the worst (pessimistic: the
        batch spreads out), or the GP's own mean there (kriging believer).
    cell : Cell or None, default=None
        Declares that some categorical parameters are the operations on the
        edges of a cell (a DAG), so that ``encoding`` can give the GP the
        graph; see :class:`~sksearch.optimizers.Cell`. ``None``: parameters
        named ``op_<i>_<j>`` (the cells of
        :class:`~sksearch.nas.CellNetClassifier`) are recognised as one,
        every other space has no cell.
    encoding : {"auto", "flat", "path", "wl"}, default="auto"
        How the GP sees a cell's edges: ``"flat"`` one-hot per edge (as any
        categorical), ``"path"`` the path encoding of BANANAS (White et al.
        2021), ``"wl"`` Weisfeiler-Lehman label histograms as NAS-BOWL (Ru
        et al. 2021); see :mod:`sksearch.optimizers._gp.cell`. ``"auto"``:
        ``"wl"`` for a cell, chosen on NAS-Bench-201 (``benchmarks/nas.py``,
        3 tables x 10 seeds, regret at 50, 75 and 150 evaluations,
        ``benchmarks/sections/nas_nb201.md``), where it led the flat and
        path encodings; a space without a cell is always encoded flat, as
        before.
    cell_proposals : {"auto", "local", "exhaustive", "mutation"}, default="auto"
        How the acquisition is maximised over a space with a cell:
        ``"local"`` scores every cell one edge away from one of the 5 best
        cells observed (local search over cells, White, Nolen & Savani 2021,
        steered by the acquisition); once all of them have been asked, the
        whole space is scored where it is finite, otherwise searched as
        other spaces are (prior draws and local steps, with mutations of
        the best cells added, then a discrete local search).
        ``"exhaustive"`` scores every candidate of a finite space of at most
        32768 (NAS-Bench-201's 15 625 cells); ``"mutation"`` scores
        mutations of the 10 best cells observed (BANANAS). ``"auto"`` is
        ``"local"``, chosen on NAS-Bench-201 with the WL encoding
        (``benchmarks/sections/nas_nb201.md``, 30 seeds x 3 tables): the
        regret at 50 / 75 / 150 evaluations went from 0.69 / 0.51 / 0.20
        with every cell scored to 0.52 / 0.30 / 0.21 (paired differences
        -0.17 +- 0.10, -0.21 +- 0.07, +0.01 +- 0.02), and from 0.72 /
        0.51 / 0.26 to 0.52 / 0.30 / 0.21 where the space was searched as
        one too large to enumerate (the pool, the default there before),
        at 40% and 77% of the CPU time.
    multi_objective_acquisition : {"parego", "ehvi"}, default="parego"
        How several objectives are searched (ignored with one): ParEGO's
        random scalarisations, or expected hypervolume improvement. See
        above.
    random_state : None, int, numpy Generator or RandomState, default=None
        Seed of the design, the candidate draws and the acquisition
        optimisation.

    Attributes
    ----------
    kernel_ : sklearn kernel or None
        The GP kernel fitted at the last model-based ask (with several
        objectives and ``"ehvi"``: None, see ``kernels_``).
    kernels_ : list of sklearn kernel or None
        With several objectives and ``"ehvi"``: the kernel of each
        objective's GP at the last model-based ask.
    weights_ : ndarray or None
        With several objectives and ``"parego"``: the scalarisation's
        weights at the last model-based ask.
    encoding_ : str
        The encoding used: ``"flat"``, ``"path"`` or ``"wl"``.
    n_initial_points_ : int
        The size of the initial design (``n_initial_points`` resolved).

    See Also
    --------
    TPEOptimizer : tree-structured Parzen estimator, cheaper per ask.
    RandomOptimizer : independent prior draws.

    Examples
    --------
    >>> from sksearch.optimizers import BayesOptimizer
    >>> from sksearch.space import Real
    >>> opt = BayesOptimizer({"x": Real(-2, 2)}, n_initial_points=4, random_state=0)
    >>> for _ in range(8):
    ...     batch = opt.ask(2)
    ...     opt.tell(batch, [-(c["x"] - 1) ** 2 for c in batch])
    >>> abs(opt.best()[0]["x"] - 1) < 0.1
    True
    """

    # A finite space up to this many candidates is scored whole by the
    # acquisition instead of by a pool and local search
    _exhaustive_limit = 2**15

    multi_objective = True

    def __init__(
        self,
        space,
        *,
        n_initial_points="auto",
        acq_func="ei",
        xi=0.01,
        kappa=1.96,
        initial_design="sobol",
        n_candidates=500,
        n_restarts=5,
        max_model_points=200,
        liar="best",
        cell=None,
        encoding="auto",
        cell_proposals="auto",
        multi_objective_acquisition="parego",
        random_state=None,
    ):
        super().__init__(space, random_state=random_state)
        self.n_initial_points = n_initial_points = check_int(
            "n_initial_points", n_initial_points, 2, allow_auto=True
        )
        self.acq_func = check_option("acq_func", acq_func, _ACQ_FUNCS)
        self.xi = check_real("xi", xi, low=0.0)
        self.kappa = check_real("kappa", kappa, low=0.0)
        self.initial_design = check_option("initial_design", initial_design, _DESIGNS)
        self.n_candidates = check_int("n_candidates", n_candidates, 1)
        self.n_restarts = check_int("n_restarts", n_restarts, 0)
        self.max_model_points = check_int("max_model_points", max_model_points, 2)
        self.liar = check_option("liar", liar, _LIARS)
        self.cell = cell
        self.encoding = check_option("encoding", encoding, ("auto",) + ENCODINGS)
        self.cell_proposals = check_option("cell_proposals", cell_proposals, _CELL_PROPOSALS)
        self.multi_objective_acquisition = check_option(
            "multi_objective_acquisition", multi_objective_acquisition, _MO_ACQS
        )
        self.kernels_ = None
        self.weights_ = None
        self._cell = self._bind_cell(cell)
        self.encoding_ = (
            "flat" if self._cell is None and encoding == "auto"
            else _CELL_DEFAULT if encoding == "auto" else encoding
        )
        if self._cell is not None and self.encoding_ != "flat":
            self._fmap = CellFeatureMap(self.space, self._cell, self.encoding_)
        else:
            self._fmap = FeatureMap(self.space)
        self.n_initial_points_ = (
            n_initial_points if n_initial_points != "auto"
            else _INITIAL_GRAPH if self.encoding_ != "flat"
            else _INITIAL_FLAT
        )
        self._design = None
        self._design_pos = 0
        self.kernel_ = None
        self._n_fits = 0
        self._all = enumerate_space(self.space, self._exhaustive_limit)
        self._all_F = None
        if self._cell is not None and self.cell_proposals == "exhaustive" and self._all is None:
            raise ValueError(
                "cell_proposals='exhaustive' needs a finite space of at most "
                f"{self._exhaustive_limit} candidates, but this one has {self.space.size}; "
                "use 'mutation' or 'auto'."
            )

    def _bind_cell(self, cell):
        """The cell of the space checked against it, or ``None``."""
        if cell is None:
            found = detect_cell(self.space)
            if found is None:
                if self.encoding in ("path", "wl"):
                    raise ValueError(
                        f"encoding={self.encoding!r} needs a cell: give cell=Cell(...) "
                        "naming the parameters that are the operations on its edges, or "
                        "name them op_<i>_<j>."
                    )
                return None
            cell = found
        if not isinstance(cell, Cell):
            raise TypeError(
                f"cell must be a sksearch.optimizers.Cell or None, got {type(cell).__name__}."
            )
        return _BoundCell(cell, self.space)

    # -- propose -----------------------------------------------------------
    def _propose(self, n):
        y = np.asarray(self.y_, dtype=float)
        finite = y[np.isfinite(y)]
        if len(y) < self.n_initial_points_ or len(np.unique(finite)) < 2:
            return self._propose_initial(n)
        with single_threaded_blas():
            if y.ndim == 2 and self.multi_objective_acquisition == "ehvi":
                return self._propose_ehvi(n)
            if y.ndim == 2:  # ParEGO: a new scalarisation at each ask
                self.weights_ = draw_weights(y.shape[1], self.rng)
            return self._propose_model(n)

    def _scores(self):
        """The one score per told candidate the GP models: the score, or
        with several objectives ParEGO's scalarisation (NaN for a failure)."""
        y = np.asarray(self.y_, dtype=float)
        return parego_scores(y, self.weights_) if y.ndim == 2 else y

    def _propose_initial(self, n):
        if self._design is None:
            self._design = self._make_design()
        out, keys = [], set()
        while len(out) < n and self._design_pos < len(self._design):
            v = self._design[self._design_pos]
            self._design_pos += 1
            k = self.space.key(v)
            if k not in self._seen and k not in keys:
                keys.add(k)
                out.append(v)
        if len(out) < n:
            out.extend(self._sample_new(n - len(out), exclude=keys))
        return np.array(out, dtype=float).reshape(-1, self.space.n_dims)

    def _make_design(self):
        d, m = self.space.n_dims, self.n_initial_points_
        if self.initial_design == "sobol":
            U = qmc.Sobol(d, scramble=True, seed=self.rng).random_base2(math.ceil(math.log2(m)))[:m]
        elif self.initial_design == "lhs":
            U = qmc.LatinHypercube(d, seed=self.rng).random(m)
        else:
            U = self.rng.random((m, d))
        cat = self.space.is_categorical
        k = self.space.n_choices[cat]
        U[:, cat] = np.minimum(np.floor(U[:, cat] * k), k - 1)
        return np.array([self.space.snap(u) for u in U])

    def _training_set(self):
        X = np.asarray(self.X_, dtype=float)
        y = self._impute_failures(self._scores())
        m = self.max_model_points
        if len(y) > m:
            # keep the best half, and the most recent of the others
            by_score = np.argsort(-y, kind="stable")
            keep = set(by_score[: m // 2].tolist())
            for i in range(len(y) - 1, -1, -1):
                if len(keep) >= m:
                    break
                keep.add(i)
            idx = np.array(sorted(keep))
            X, y = X[idx], y[idx]
        return X, y

    def _training_features(self, X):
        """GP input features of the training vectors ``X``."""
        return self._fmap.transform(X)

    def _incumbent(self, ys):
        """The standardised score to improve on, and the constant lie."""
        return ys.max()

    def _propose_model(self, n):
        space, fmap = self.space, self._fmap
        X, y = self._training_set()
        scale = y.std()
        ys = (y - y.mean()) / (scale if scale > 0 else 1.0)
        F = self._training_features(X)
        theta0 = None if self.kernel_ is None else self.kernel_.theta
        # warm start from the previous fit; every 5th fit also from the default
        groups = fmap.groups
        self.kernel_ = fit_kernel(F, ys, theta0, restart=self._n_fits % 5 == 0, groups=groups)
        self._n_fits += 1
        best = self._incumbent(ys)
        lie = {"best": best, "worst": ys.min()}.get(self.liar)  # None: the GP's mean
        believed = Posterior(self.kernel_, F, ys, groups) if lie is None else None

        # constant liar: points asked but not told, then each chosen point
        fantasies = self._pending_vectors()
        centres = X[np.argsort(-ys, kind="stable")[:5]]
        out, keys = [], set()
        is_new, accept = _novelty(space, self._seen, keys)

        for _ in range(n):
            if fantasies:
                Ff = fmap.transform(np.array(fantasies))
                Fa = np.vstack([F, Ff])
                if lie is None:
                    ya = np.concatenate([ys, believed.predict(Ff)[0]])
                else:
                    ya = np.concatenate([ys, np.full(len(fantasies), lie)])
            else:
                Fa, ya = F, ys
            posterior = Posterior(self.kernel_, Fa, ya, groups)
            acq = Acquisition(posterior, self.acq_func, best, self.xi, self.kappa)
            if self._cell is not None:
                v = self._optimize_cell(acq, X, ys, centres, accept, is_new, fantasies)
            elif self._all is not None and len(self._finite_pool()) == len(self._all):
                v = optimize_acqf(acq, fmap, space, self._all, n_restarts=0, accept=accept)
            elif self._all is not None:  # several objectives, a large finite space
                v = optimize_acqf(acq, fmap, space, self._finite_pool(), accept=accept,
                                  n_restarts=self.n_restarts, is_new=is_new)
            else:
                pool = np.vstack(
                    [
                        space.sample_vectors(self.n_candidates, self.rng),
                        local_candidates(
                            space, centres, max(self.n_candidates // 10, 1), self.rng
                        ),
                    ]
                )
                v = optimize_acqf(
                    acq, fmap, space, pool, n_restarts=self.n_restarts, accept=accept,
                    starts=centres[:1], is_new=is_new,
                )
            v = self._or_new(v, keys)
            if v is None:
                break
            out.append(v)
            fantasies.append(v)
        return np.array(out, dtype=float).reshape(-1, space.n_dims)

    def _propose_ehvi(self, n):
        """A batch by expected hypervolume improvement, one GP per objective."""
        space, fmap, groups = self.space, self._fmap, self._fmap.groups
        X = np.asarray(self.X_, dtype=float)
        Y = np.asarray(self.y_, dtype=float)
        ok = np.isfinite(Y).all(axis=1)
        Y = np.where(ok[:, None], Y, Y[ok].min(axis=0))  # a failure: the worst
        rank = pareto_ranks(Y)
        m = self.max_model_points
        if len(Y) > m:  # the best half by rank, and the most recent others
            keep = set(np.argsort(rank, kind="stable")[: m // 2].tolist())
            for i in range(len(Y) - 1, -1, -1):
                if len(keep) >= m:
                    break
                keep.add(i)
            idx = np.array(sorted(keep))
            X, Y, rank = X[idx], Y[idx], rank[idx]
        scale = Y.std(axis=0)
        Ys = (Y - Y.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
        F = self._training_features(X)
        restart = self._n_fits % 5 == 0
        old = self.kernels_ or [None] * Ys.shape[1]
        self.kernels_ = [
            fit_kernel(F, Ys[:, j], None if k is None else k.theta, restart=restart,
                       groups=groups)
            for j, k in enumerate(old)
        ]
        self.kernel_ = None
        self._n_fits += 1
        ref = reference_point(Ys)
        base = [Posterior(k, F, Ys[:, j], groups) for j, k in enumerate(self.kernels_)]
        order = np.argsort(rank, kind="stable")
        ys = -rank.astype(float)  # for the cell's mutations: the front first
        centres = X[order[:5]]
        exact = Ys.shape[1] == 2  # with a gradient for L-BFGS-B

        fantasies = self._pending_vectors()
        out, keys = [], set()
        is_new, accept = _novelty(space, self._seen, keys)

        for _ in range(n):
            if fantasies:  # kriging believer: at the GPs' means
                Ff = fmap.transform(np.array(fantasies))
                Fa = np.vstack([F, Ff])
                Ya = np.vstack([Ys, np.column_stack([p.predict(Ff)[0] for p in base])])
                posteriors = [Posterior(k, Fa, Ya[:, j], groups)
                              for j, k in enumerate(self.kernels_)]
            else:
                Ya, posteriors = Ys, base
            acq = EHVI(posteriors, Ya, ref, self.rng)
            if self._cell is not None:
                v = self._optimize_cell(acq, X, ys, centres, accept, is_new, fantasies)
            elif self._all is not None:
                v = optimize_acqf(
                    acq, fmap, space, self._finite_pool(), accept=accept, is_new=is_new,
                    n_restarts=self.n_restarts if exact and len(self._finite_pool()) < len(
                        self._all) else 0,
                )
            else:
                pool = np.vstack([
                    space.sample_vectors(self.n_candidates, self.rng),
                    local_candidates(space, centres, max(self.n_candidates // 10, 1), self.rng),
                ])
                v = optimize_acqf(
                    acq, fmap, space, pool, n_restarts=self.n_restarts if exact else 0,
                    accept=accept, starts=centres[:1] if exact else None, is_new=is_new,
                )
            v = self._or_new(v, keys)
            if v is None:
                break
            out.append(v)
            fantasies.append(v)
        return np.array(out, dtype=float).reshape(-1, space.n_dims)

    # With several objectives, a finite space larger than this is scored on a
    # random subset of this size (new at each ask), then refined by the local
    # searches: scoring HPOBench's 30 000 configurations cost 113 ms per
    # proposal at 100 evaluations, three quarters of it in the kernel matrix
    # (benchmarks/tabular_mo.py)
    _mo_pool_limit = 2**12

    def _finite_pool(self):
        """The enumerated space, or with several objectives a random subset."""
        if self.n_objectives_ == 1 or len(self._all) <= self._mo_pool_limit:
            return self._all
        if getattr(self, "_pool_ask", None) != len(self.y_):  # one subset per ask
            idx = self.rng.choice(len(self._all), self._mo_pool_limit, replace=False)
            self._pool, self._pool_ask = self._all[np.sort(idx)], len(self.y_)
        return self._pool

    # Skip a cell whose encoding equals that of a cell already asked or told
    # (the same paths, or the same WL graph): it is the same network again
    _skip_equivalent = True

    def _optimize_cell(self, acq, X, ys, centres, accept, is_new, fantasies):
        """The acquisition's best new candidate of a space with a cell: the
        whole finite space scored (its features cached), or mutations of
        the best cells (BANANAS), or the mixed pool with mutations added.

        A candidate equivalent to a cell already asked, told or chosen
        (equal features) is passed over while another remains."""
        if not self._skip_equivalent:
            return self._optimize_cell_once(acq, X, ys, centres, accept, is_new)
        fmap = self._fmap
        done = np.vstack([np.asarray(self.X_, dtype=float).reshape(-1, self.space.n_dims)] + [
            np.asarray(fantasies, dtype=float).reshape(-1, self.space.n_dims)])
        seen = {row.tobytes() for row in fmap.transform(done)}

        def distinct(v):
            return fmap.transform(v)[0].tobytes() not in seen

        v = self._optimize_cell_once(
            acq, X, ys, centres, lambda v: distinct(v) and accept(v),
            lambda v: is_new(v) and distinct(v), seen=seen,
        )
        if v is None:
            v = self._optimize_cell_once(acq, X, ys, centres, accept, is_new)
        return v

    def _optimize_cell_once(self, acq, X, ys, centres, accept, is_new, seen=None):
        space, fmap = self.space, self._fmap
        mode = self.cell_proposals
        if mode == "auto":
            mode = "local"
        if mode == "local":
            # the neighbours of the centres, the 5 best cells observed. On
            # NAS-Bench-201 (WL encoding, 30 seeds x 3 tables) the 10 best
            # raised the regret at 50 and 75 evaluations by 0.06 +- 0.09 and
            # 0.06 +- 0.07, and the 5 best by posterior mean instead of
            # observed score changed it by -0.01 +- 0.04 and +0.06 +- 0.06
            v = optimize_acqf(
                acq, fmap, space, neighbour_cells(self._cell, space, centres),
                n_restarts=self.n_restarts, accept=accept,
            )
            if v is not None:
                return v
            # every neighbour asked: the whole space, scored or searched
            mode = "exhaustive" if self._all is not None else "mixed"
        if mode == "exhaustive":
            if self._all_F is None:
                self._all_F = fmap.transform(self._all)
                self._all_keys = [row.tobytes() for row in self._all_F]
            values = acq.values(self._all_F)
            for i in np.argsort(-values, kind="stable"):
                if seen is not None and self._all_keys[i] in seen:
                    continue
                if accept(self._all[i]):
                    return self._all[i]
            return None
        parents = X[np.argsort(-ys, kind="stable")[:10]]
        mutants = mutate_cells(
            self._cell, space, parents, max(self.n_candidates // 10, 1), self.rng
        )
        if mode == "mutation":
            return optimize_acqf(
                acq, fmap, space, mutants, n_restarts=self.n_restarts, accept=accept
            )
        pool = np.vstack([
            space.sample_vectors(self.n_candidates, self.rng),
            local_candidates(space, centres, max(self.n_candidates // 10, 1), self.rng),
            mutants,
        ])
        return optimize_acqf(
            acq, fmap, space, pool, n_restarts=self.n_restarts, accept=accept,
            starts=centres[:1], is_new=is_new,
        )
