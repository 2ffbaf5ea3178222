"""Figures of fitted searches: convergence, parameter importance, partial
dependence, parallel coordinates, slices, a timeline of the workers,
Hyperband's rungs, and for several objectives the Pareto front and the
hypervolume's convergence.

Every function takes fitted search(es) (or, where it says so, their
``cv_results_``), draws on ``ax`` (a new figure when ``ax=None``) and returns
the matplotlib Axes. The score drawn is the one the search maximised: the
refit metric's mean test score (``mean_test_score``, or
``mean_test_<refit>`` with multi-metric scoring).

:func:`plot_importance` and :func:`plot_partial_dependence` fit one surrogate
for every strategy alike: a random forest (scikit-learn's
``RandomForestRegressor``) from the search's encoded candidates
(``search.optimizer_.X_``, the shared encoding of :class:`~sksearch.space.Space`)
to their scores, failed fits counted as the worst score. Marginals of the
forest are averaged over draws from the search space's prior, which the
encoding maps to the uniform measure, as in fANOVA (Hutter et al., "An
efficient approach for assessing hyperparameter importance", ICML 2014), here
estimated by Monte Carlo rather than exactly over the trees' partitions.

matplotlib is an optional dependency: ``pip install "sksearch[plot]"``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import math
import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._search import objective_column, search_metric

__all__ = [
    "plot_convergence",
    "plot_hyperband",
    "plot_importance",
    "plot_hypervolume",
    "plot_parallel_coordinates",
    "plot_pareto",
    "plot_partial_dependence",
    "plot_slice",
    "plot_timeline",
]

# Name shown for the sub-space selector of a list-of-dicts space.
_SELECTOR = "sub-space"
# Value the surrogate sees in an inactive column (outside every encoding range,
# so a tree can split "inactive" off in one cut).
_INACTIVE = -1.0
# Monte Carlo draws from the prior over which marginals are averaged.
_N_BASE = 256
_N_BASE_2D = 64
_SURROGATE_TREES = 100


# -- helpers -------------------------------------------------------------------


def _check_matplotlib_support(caller_name):
    """Raise an ImportError that says how to install matplotlib if it is missing.

    As :func:`sklearn.utils._optional_dependencies.check_matplotlib_support`,
    with sksearch's extra in the message.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        raise ImportError(
            f"{caller_name} requires matplotlib. You can install it with "
            '`pip install "sksearch[plot]"` (or `pip install matplotlib`).'
        ) from e


def _new_axes(ax, **subplots_kw):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(layout="constrained", **subplots_kw)
    return ax


class _Results:
    """What a plot needs from a fitted search or a ``cv_results_`` dict."""

    def __init__(self, obj, caller):
        if isinstance(obj, Mapping):
            self.search, self.results, self.name = None, obj, "cv_results_"
            self.refit = self.scoring = None
        else:
            if not hasattr(obj, "fit"):
                raise TypeError(
                    f"{caller} expects a fitted search or its cv_results_ dict, got "
                    f"{type(obj).__name__}."
                )
            check_is_fitted(obj, "cv_results_")
            self.search, self.results, self.name = obj, obj.cv_results_, type(obj).__name__
            self.refit = search_metric(obj)
            self.scoring = getattr(obj, "scoring", None)
        if "params" not in self.results:
            raise ValueError(f"{caller}: cv_results_ has no 'params' column.")
        self.key, self.metric = self._objective()

    def _objective(self):
        """Column of the maximised score (as the driver reads it) and its label."""
        results = self.results
        key = objective_column(results, self.refit)
        if key == "mean_test_score":
            if isinstance(self.scoring, str):
                return key, f"mean test {self.scoring}"
            return key, "mean test score"
        if key is not None:
            return key, f"mean test {key[len('mean_test_'):]}"
        names = sorted(k[len("mean_test_") :] for k in results if k.startswith("mean_test_"))
        if not names:
            raise ValueError("cv_results_ has no 'mean_test_*' column to plot.")
        raise ValueError(
            f"cv_results_ has several metrics {names!r} and nothing says which one the "
            "search maximised: pass the fitted search (its objective or refit names the "
            "metric) instead of its cv_results_."
        )

    @property
    def scores(self):
        s = np.asarray(self.results[self.key], dtype=float)
        return np.where(np.isfinite(s), s, np.nan)


def _fmt(value):
    """Short label of a parameter value (estimators by class name)."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        return type(value).__name__
    if isinstance(value, float):
        return f"{value:.3g}"
    text = str(value)
    return text if len(text) <= 20 else text[:19] + "…"


def _is_log(dim):
    if getattr(dim, "log", False):
        return True
    dist = getattr(getattr(dim, "dist", None), "dist", None)
    return getattr(dist, "name", None) in ("loguniform", "reciprocal")


def _is_constant(dim):
    return dim.n_values == 1


def _searched_names(space):
    """Parameter names of the space in column order, each once; fixed ones left out."""
    names = []
    for s, name, dim in space.columns:
        if s is not None and not _is_constant(dim) and name not in names:
            names.append(name)
    return names


def _subspace_label(space, s):
    """``"sub-space s"``, with the estimator(s) the sub-space fixes, if any."""
    fixed = [
        _fmt(dim.choices[0])
        for t, _, dim in space.columns
        if t == s and dim.is_categorical and _is_constant(dim)
        and hasattr(dim.choices[0], "get_params")
    ]
    return f"sub-space {s}" + (f" ({', '.join(fixed)})" if fixed else "")


def _columns_of(space, name):
    return [
        j
        for j, (s, n, dim) in enumerate(space.columns)
        if s is not None and n == name and not _is_constant(dim)
    ]


def _check_names(space, names, caller):
    valid = _searched_names(space)
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ValueError(
            f"{caller}: {', '.join(map(repr, unknown))} "
            f"{'is not a searched parameter' if len(unknown) == 1 else 'are not searched parameters'}"
            f" of this search; its parameters are {valid!r}."
        )


def _mask_inactive(space, X):
    """Encoded vectors with inactive (or NaN) columns set to ``_INACTIVE``."""
    X = np.array(X, dtype=float, copy=True)
    keep = space.active_masks(np.nan_to_num(X, nan=0.0)) & ~np.isnan(X)
    return np.where(keep, X, _INACTIVE)


def _observations(search, caller):
    """The search space and the encoded candidates with their scores.

    An sksearch search gives its strategy's (``optimizer_.space``, ``X_``,
    ``y_``); scikit-learn's ``GridSearchCV`` / ``RandomizedSearchCV`` give
    their ``param_grid`` / ``param_distributions`` (parsed as sksearch parses
    them: a grid's lists are choices) and ``cv_results_``. A bare
    ``cv_results_`` has no space to draw over.
    """
    if isinstance(search, Mapping):
        raise TypeError(
            f"{caller} needs a fitted search, not its cv_results_: the figure is drawn over "
            "the search space, which cv_results_ does not hold. Pass the fitted search "
            "(any sksearch search, GridSearchCV or RandomizedSearchCV)."
        )
    if not hasattr(search, "fit"):
        raise TypeError(
            f"{caller} needs a fitted search (sksearch's, GridSearchCV or "
            f"RandomizedSearchCV), got {type(search).__name__}."
        )
    if hasattr(search, "optimizer_") or not hasattr(search, "cv_results_"):
        check_is_fitted(search, "optimizer_")
        opt = search.optimizer_
        space = opt.space
        X = np.asarray(opt.X_, dtype=float).reshape(-1, space.n_dims)
        y = np.asarray(opt.y_, dtype=float)
        if y.ndim == 2:  # several objectives: the first scorer, as plot_convergence
            y = y[:, _scorer_column(search)]
        return space, X, y
    from .space import Space

    grid = getattr(search, "param_grid", None)
    if grid is None:
        grid = getattr(search, "param_distributions", None)
    if grid is None:
        raise TypeError(
            f"{caller} needs the search space of the search: {type(search).__name__} has "
            "neither optimizer_ (an sksearch search) nor param_grid / param_distributions "
            "(GridSearchCV, RandomizedSearchCV)."
        )
    space = Space(grid)
    info = _Results(search, caller)
    X = np.array([space.encode(p) for p in info.results["params"]]).reshape(-1, space.n_dims)
    return space, X, info.scores


def _scorer_column(search):
    """The column of a strategy's score rows (one per objective, in the
    order of ``objectives_``) that the figures of one score draw: the first
    scorer among the objectives (the first objective if all are costs)."""
    from ._objectives import COSTS

    names = list(getattr(search, "objectives_", {}))
    return next((i for i, name in enumerate(names) if name not in COSTS), 0)


def _surrogate(search, caller):
    """Random forest from the evaluated encoded candidates to their scores."""
    from sklearn.ensemble import RandomForestRegressor

    space, X, y = _observations(search, caller)
    finite = np.isfinite(y)
    if finite.sum() < 2:
        raise ValueError(
            f"{caller} needs at least 2 successfully scored candidates to fit its "
            f"surrogate; the search has {int(finite.sum())}."
        )
    y_fit = np.where(finite, y, y[finite].min())  # a failed fit counts as the worst
    X_fit = _mask_inactive(space, X)
    forest = RandomForestRegressor(n_estimators=_SURROGATE_TREES, random_state=0)
    forest.fit(X_fit, y_fit)
    return forest, space, X, y


def _subspaces(space, X):
    if space.n_subspaces == 1:
        return np.zeros(len(X), dtype=int)
    return np.clip(np.round(np.nan_to_num(X[:, 0])), 0, space.n_subspaces - 1).astype(int)


def _prior_draws(space, n, subspace=None, seed=0):
    """``n`` snapped prior draws (optionally all in one sub-space), inactive masked."""
    V = space.sample_vectors(n, np.random.default_rng(seed))
    if subspace is not None and space.n_subspaces > 1:
        V[:, 0] = subspace
    V = np.array([space.snap(v) for v in V])
    return _mask_inactive(space, V)


def _marginal(forest, base, cols, grids):
    """Mean prediction over ``base`` with columns ``cols`` set to each grid point.

    ``grids`` has one 1-D array per column; the result has shape
    ``tuple(len(g) for g in grids)``.
    """
    mesh = np.meshgrid(*grids, indexing="ij")
    points = np.column_stack([m.ravel() for m in mesh])  # (G, len(cols))
    rows = np.repeat(base[None, :, :], len(points), axis=0)
    rows[:, :, cols] = points[:, None, :]
    pred = forest.predict(rows.reshape(-1, base.shape[1])).reshape(len(points), len(base))
    return pred.mean(axis=1).reshape(mesh[0].shape)


def _uniform_grid(dim, n):
    """Encoded values of ``dim`` spread evenly over its prior (snapped)."""
    if dim.is_categorical:
        return np.arange(dim.n_values, dtype=float)
    u = (np.arange(n) + 0.5) / n
    if dim.kind == "integer":
        u = np.array([dim.transform(dim.inverse_transform(x)) for x in u])
    return u


def _axis_grid(dim, n, observed=()):
    """Distinct encoded values of ``dim`` to draw through, and their values in
    the original units.

    A numeric grid runs from end to end of the dimension's range (for an
    unbounded scipy prior, over its central quantiles), widened to every
    evaluated value in ``observed`` (encoded), so the curve or contour covers
    all the candidates drawn over it.
    """
    if dim.is_categorical:
        u = np.arange(dim.n_values, dtype=float)
        return u, u
    observed = np.asarray(observed, dtype=float).ravel()
    observed = observed[np.isfinite(observed)]
    support = getattr(getattr(dim, "dist", None), "support", None)
    if support is None or np.isfinite(support()).all():
        lo, hi = 0.0, 1.0
    else:
        lo, hi = 0.5 / n, 1.0 - 0.5 / n
    if len(observed):
        lo, hi = min(lo, observed.min()), max(hi, observed.max())
    u = np.linspace(lo, hi, n)
    if dim.kind == "integer":
        u = np.array([dim.transform(dim.inverse_transform(x)) for x in u])
    u = np.unique(u)
    return u, np.array([dim.inverse_transform(x) for x in u], dtype=float)


# -- convergence ---------------------------------------------------------------


def plot_convergence(*searches_or_cv_results, labels=None, ax=None):
    """Plot the best score found so far against the number of candidates evaluated.

    One step curve per search, all on one Axes, to compare strategies (or
    seeds) at the same budget. Each candidate's own score is drawn as a faint
    dot of the same colour. Candidates are counted in ``cv_results_`` order,
    the order the search evaluated them; a failed fit (NaN score) leaves the
    best so far unchanged.

    Parameters
    ----------
    *searches_or_cv_results : fitted searches or ``cv_results_`` dicts
        The searches to compare: any fitted ``*SearchCV`` (sksearch's or
        sklearn's) or its ``cv_results_``. The score drawn is the one the
        search maximised, ``mean_test_score`` or, with multi-metric scoring,
        ``mean_test_<refit>``.
    labels : list of str, default=None
        Legend label of each search; by default its class name (numbered
        when several share one).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on: one line per search, in the given order.

    See Also
    --------
    plot_hyperband : Scores of a Hyperband search across its rungs.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import TPESearchCV
    >>> from sksearch.plot import plot_convergence
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1e1, log=True)}
    >>> search = TPESearchCV(SVC(), space, n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> ax = plot_convergence(search)
    >>> ax.get_xlabel()
    'Candidates evaluated'
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['TPESearchCV']
    """
    _check_matplotlib_support("plot_convergence")
    if not searches_or_cv_results:
        raise ValueError("plot_convergence needs at least one fitted search or cv_results_.")
    infos = [_Results(s, "plot_convergence") for s in searches_or_cv_results]
    if labels is None:
        names = [info.name for info in infos]
        labels = [
            f"{n} ({names[:i].count(n) + 1})" if names.count(n) > 1 else n
            for i, n in enumerate(names)
        ]
    else:
        labels = [labels] if isinstance(labels, str) else list(labels)
        if len(labels) != len(infos):
            raise ValueError(
                f"plot_convergence: got {len(infos)} searches but {len(labels)} labels."
            )
    from matplotlib.ticker import MaxNLocator

    ax = _new_axes(ax)
    for info, label in zip(infos, labels):
        scores = info.scores
        x = np.arange(1, len(scores) + 1)
        (line,) = ax.step(x, np.fmax.accumulate(scores), where="post", label=label)
        ok = np.isfinite(scores)
        ax.scatter(x[ok], scores[ok], s=14, alpha=0.5, color=line.get_color(), linewidths=0)
    metrics = [info.metric for info in infos]
    if len(set(metrics)) == 1:
        metric = metrics[0]
    else:  # each search maximised its own metric: the legend names it
        metric = "score"
        for line, m in zip(ax.get_lines(), metrics):
            line.set_label(f"{line.get_label()}: {m}")
    ax.set_xlabel("Candidates evaluated")
    ax.set_ylabel(f"Best {metric} so far")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(f"Convergence: best {metric} so far")
    return ax


# -- importance ----------------------------------------------------------------


def _importances(forest, space):
    """Main-effect variance fraction of each searched name (fANOVA-style).

    For a column ``j`` of sub-space ``s``, the marginal ``m(u) = E[f | x_j = u]``
    is estimated over prior draws in ``s``; outside ``s`` the column has no
    effect, so its share of the total variance is ``p_s**2 Var_u m(u)`` with
    ``p_s`` the prior probability of ``s``. The selector's share is
    ``Var_s E[f | s]``.
    """
    base = _prior_draws(space, _N_BASE)
    f = forest.predict(base)
    total = float(np.var(f))
    sub = _subspaces(space, base)
    p = 1.0 / space.n_subspaces
    out = {}
    if space.n_subspaces > 1:
        means = np.array([f[sub == s].mean() for s in range(space.n_subspaces) if (sub == s).any()])
        out[_SELECTOR] = float(np.mean((means - means.mean()) ** 2))
    per_sub = {}
    for name in _searched_names(space):
        out[name] = 0.0
        for j in _columns_of(space, name):
            s = space.columns[j][0]
            if s not in per_sub:
                per_sub[s] = _prior_draws(space, _N_BASE, subspace=s)
            m = _marginal(forest, per_sub[s], [j], [_uniform_grid(space.columns[j][2], 32)])
            out[name] += p**2 * float(np.var(m))
    if total <= 0:
        return dict.fromkeys(out, 0.0)
    return {k: v / total for k, v in out.items()}


def plot_importance(search, *, ax=None):
    """Plot how much of the score's variation each parameter explains.

    A random forest is fitted to the search's evaluated candidates (in the
    shared encoding, failed fits counted as the worst score); each bar is a
    parameter's main effect in the style of fANOVA (Hutter et al. 2014): the
    variance of the forest's prediction averaged over all other parameters,
    as a fraction of the prediction's total variance under the search
    space's prior. Bars add up to at most 1; the rest is interactions.
    With a list of dicts, the choice of dict is a bar named "sub-space".

    Importance is only as good as the surrogate: with few candidates, or
    candidates concentrated by a strategy in one region, read it as a hint.

    Parameters
    ----------
    search : fitted search
        Any fitted sksearch ``*SearchCV`` (its strategy's candidates, in
        ``optimizer_``), or scikit-learn's ``GridSearchCV`` /
        ``RandomizedSearchCV`` (their ``param_grid`` / ``param_distributions``
        and ``cv_results_``; a grid's lists are choices). Not a bare
        ``cv_results_``, which lacks the search space.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        One horizontal bar per parameter, most important at the top.

    See Also
    --------
    plot_partial_dependence : How the score depends on a parameter.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import TPESearchCV
    >>> from sksearch.plot import plot_importance
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1e1, log=True)}
    >>> search = TPESearchCV(SVC(), space, n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> ax = plot_importance(search)
    >>> sorted(t.get_text() for t in ax.get_yticklabels())
    ['C', 'gamma']
    """
    _check_matplotlib_support("plot_importance")
    forest, space, _, _ = _surrogate(search, "plot_importance")
    imp = _importances(forest, space)
    names = sorted(imp, key=lambda k: imp[k])  # barh draws bottom-up
    values = [imp[k] for k in names]
    ax = _new_axes(ax)
    bars = ax.barh(np.arange(len(names)), values, color="C0")
    ax.bar_label(bars, fmt="%.2f", padding=2, fontsize=8)
    ax.set_yticks(np.arange(len(names)), names)
    ax.set_xlabel("Share of score variance (main effect)")
    ax.set_xlim(0, max(1e-9, max(values)) * 1.15)
    ax.set_title(f"Parameter importance ({type(search).__name__})")
    return ax


# -- partial dependence --------------------------------------------------------


def _parse_panels(params, space, caller):
    if params is None:
        return [(n,) for n in _searched_names(space)]
    if isinstance(params, str):
        params = [params]
    panels = []
    for p in params:
        if isinstance(p, str):
            panels.append((p,))
        elif (
            isinstance(p, (tuple, list))
            and len(p) == 2
            and all(isinstance(n, str) for n in p)
            and p[0] != p[1]
        ):
            panels.append(tuple(p))
        else:
            raise ValueError(
                f"{caller}: params must be a list of parameter names (one curve each) or "
                f"pairs of two different names (one contour each), got {p!r}."
            )
    if not panels:
        raise ValueError(f"{caller}: params is empty.")
    _check_names(space, [n for panel in panels for n in panel], caller)
    return panels


def _pd_1d(ax, forest, space, name, X, y, n_points, metric):
    """Draw the 1-D partial dependence of ``name`` on ``ax``.

    Returns the range ``(lo, hi)`` of the values drawn and ``finish(lo, hi)``,
    which sets the y-range (shared by all 1-D panels of a figure) and draws
    what depends on it (the bars of a categorical parameter).
    """
    cols = _columns_of(space, name)
    kinds = {space.columns[j][2].is_categorical for j in cols}
    if len(kinds) > 1:
        raise ValueError(
            f"plot_partial_dependence: {name!r} is categorical in one sub-space and "
            "numeric in another; it has no common axis."
        )
    sub = _subspaces(space, X)
    ok = np.isfinite(y)
    several = len(cols) > 1
    drawn = []
    categorical = kinds.pop()
    if categorical:  # bars, drawn by finish once the shared y-range is known
        width = 0.8 / len(cols)
        bars, labels = [], {}
        for k, j in enumerate(cols):
            s, _, dim = space.columns[j]
            u, _ = _axis_grid(dim, n_points)
            m = _marginal(forest, _prior_draws(space, _N_BASE, subspace=s), [j], [u])
            drawn.append(m)
            label = _subspace_label(space, s) if several else None
            bars.append((u + (k - (len(cols) - 1) / 2) * width, m, f"C{k}", label))
            for i, c in enumerate(dim.choices):
                labels.setdefault(i, _fmt(c))
        ax.set_xticks(sorted(labels), [labels[i] for i in sorted(labels)])
    else:  # numeric: a curve, a rug of the evaluated values, a line at the best
        for k, j in enumerate(cols):
            s, _, dim = space.columns[j]
            rows = sub == s
            u, x = _axis_grid(dim, n_points, X[rows, j])
            m = _marginal(forest, _prior_draws(space, _N_BASE, subspace=s), [j], [u])
            drawn.append(m)
            label = _subspace_label(space, s) if several else None
            drawstyle = "steps-mid" if dim.kind == "integer" and len(u) <= 12 else "default"
            ax.plot(x, m, color=f"C{k}", label=label, drawstyle=drawstyle)
            x_obs = [dim.inverse_transform(v) for v in X[rows, j]]
            ax.scatter(
                x_obs, np.zeros(len(x_obs)), marker="|", s=60, color=f"C{k}", alpha=0.6,
                transform=ax.get_xaxis_transform(),
            )
        if _is_log(space.columns[cols[0]][2]):
            ax.set_xscale("log")
    if ok.any():
        best = int(np.nanargmax(np.where(ok, y, -np.inf)))
        j_best = [j for j in cols if space.columns[j][0] == sub[best]]
        if j_best and not space.columns[j_best[0]][2].is_categorical:
            dim = space.columns[j_best[0]][2]
            ax.axvline(dim.inverse_transform(X[best, j_best[0]]), color="r", ls="--", lw=1)
    ax.set_xlabel(name)
    ax.set_ylabel(f"Partial dependence\n({metric})")

    def finish(lo, hi):
        if categorical:
            # A bar's length reads as its value, so it grows from 0 (a bar cut
            # at the bottom of a shared range makes a small gap look large);
            # its panel has its own y-range, from 0 to past the longest bar,
            # and each bar is labelled with its value so that choices compare
            # with the curves of the other panels by number.
            for pos, m, color, label in bars:
                rects = ax.bar(pos, m, width=width, color=color, label=label)
                ax.bar_label(rects, labels=[f"{v:.4g}" for v in m], padding=2, fontsize=8)
            values = np.concatenate([np.ravel(m) for _, m, _, _ in bars])
            low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
            pad = 0.12 * (high - low) if high > low else 1.0
            ax.set_ylim(low - (pad if low < 0 else 0), high + (pad if high > 0 else 0))
        else:
            ax.set_ylim(lo, hi)
        if several:
            ax.legend(fontsize=8)

    values = np.concatenate([np.ravel(m) for m in drawn])
    return float(values.min()), float(values.max()), finish, categorical


def _pd_2d(ax, forest, space, names, X, y, n_points, metric):
    a, b = names
    pairs = [
        (ja, jb)
        for ja in _columns_of(space, a)
        for jb in _columns_of(space, b)
        if space.columns[ja][0] == space.columns[jb][0]
    ]
    if not pairs:
        raise ValueError(
            f"plot_partial_dependence: {a!r} and {b!r} are never searched together "
            "(no sub-space has both), so they have no joint partial dependence."
        )
    ja, jb = pairs[0]
    s = space.columns[ja][0]
    da, db = space.columns[ja][2], space.columns[jb][2]
    n2 = min(n_points, 30)
    rows = _subspaces(space, X) == s
    (ua, xa), (ub, xb) = _axis_grid(da, n2, X[rows, ja]), _axis_grid(db, n2, X[rows, jb])
    Z = _marginal(forest, _prior_draws(space, _N_BASE_2D, subspace=s), [ja, jb], [ua, ub])
    if da.is_categorical or db.is_categorical:
        mesh = ax.pcolormesh(xa, xb, Z.T, shading="nearest", cmap="viridis")
    else:
        mesh = ax.contourf(xa, xb, Z.T, levels=12, cmap="viridis")
    # the metric alone: a long label runs into the next panel
    ax.figure.colorbar(mesh, ax=ax, label=metric, pad=0.02, fraction=0.08)

    def original(dim, col):
        if dim.is_categorical:
            return np.clip(np.round(col), 0, dim.n_values - 1)
        return np.array([dim.inverse_transform(v) for v in col])

    xo, yo = original(da, X[rows, ja]), original(db, X[rows, jb])
    ax.scatter(xo, yo, s=12, c="k", alpha=0.6, linewidths=0)
    scores = np.where(np.isfinite(y[rows]), y[rows], -np.inf)
    if len(scores) and np.isfinite(scores).any():
        i = int(np.argmax(scores))
        ax.scatter([xo[i]], [yo[i]], s=120, marker="*", c="r", edgecolors="w")
    for dim, set_scale, set_ticks in (
        (da, ax.set_xscale, ax.set_xticks),
        (db, ax.set_yscale, ax.set_yticks),
    ):
        if dim.is_categorical:
            set_ticks(np.arange(dim.n_values), [_fmt(c) for c in dim.choices])
        elif _is_log(dim):
            set_scale("log")
    ax.set_xlabel(a)
    ax.set_ylabel(b)
    if space.n_subspaces > 1:
        ax.set_title(_subspace_label(space, s), fontsize=9)


def plot_partial_dependence(search, params=None, *, ax=None, n_points=40):
    """Plot the partial dependence of the score on one or two parameters.

    The equivalent of scikit-optimize's ``plot_objective`` for every sksearch
    strategy: a random forest is fitted to the evaluated candidates (in the
    shared encoding, failed fits counted as the worst score), and its
    prediction is averaged over draws of all other parameters from the
    search space's prior, with the plotted parameter(s) held at each grid
    value. Axes are in the parameters' original units.

    * a numeric parameter gets a curve over its whole range (log x-axis for
      a log prior), a rug of the values the search evaluated, and a dashed
      red line at the best candidate's value;
    * a categorical parameter gets one bar per choice, from 0, labelled with
      its value (its panel has its own y-range);
    * a pair ``(a, b)`` gets a filled contour (a colour mesh when either is
      categorical) over both ranges, the evaluated candidates as black dots
      and the best as a red star.

    All curves of one call share a y-range, so that the effects of
    different parameters compare at a glance.

    With a list of dicts, a parameter's dependence is taken within the
    sub-space(s) that search it; a name shared by several sub-spaces gets one
    curve per sub-space.

    Parameters
    ----------
    search : fitted search
        Any fitted sksearch ``*SearchCV``, or scikit-learn's
        ``GridSearchCV`` / ``RandomizedSearchCV`` (as for
        :func:`plot_importance`). Not a bare ``cv_results_``, which lacks the
        search space.
    params : str or list of (str or pair of str), default=None
        What to plot, one panel each, as in
        :class:`sklearn.inspection.PartialDependenceDisplay`'s ``features``:
        a name for a 1-D plot, a pair ``(name_a, name_b)`` for a 2-D one.
        None plots every searched parameter in 1-D.
    ax : matplotlib Axes or array-like of Axes, default=None
        Where to draw: one Axes per panel. None makes a new figure with a
        grid of panels (up to three per row).
    n_points : int, default=40
        Grid points per numeric axis (at most 30 in 2-D); integers get one
        point per value when they have fewer.

    Returns
    -------
    ax : matplotlib Axes or ndarray of Axes
        The Axes for a single panel, else an array with one Axes per panel,
        in the order of ``params``.

    See Also
    --------
    plot_importance : Share of the score's variance each parameter explains.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import TPESearchCV
    >>> from sksearch.plot import plot_partial_dependence
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1e1, log=True)}
    >>> search = TPESearchCV(SVC(), space, n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> axes = plot_partial_dependence(search, ["C", "gamma", ("C", "gamma")])
    >>> [a.get_xlabel() for a in axes]
    ['C', 'gamma', 'C']
    >>> axes[0].get_xscale()
    'log'
    """
    _check_matplotlib_support("plot_partial_dependence")
    if (
        isinstance(n_points, bool)
        or not isinstance(n_points, numbers.Integral)
        or n_points < 2
    ):
        raise ValueError(
            f"plot_partial_dependence: n_points must be an integer >= 2, got {n_points!r}."
        )
    forest, space, X, y = _surrogate(search, "plot_partial_dependence")
    panels = _parse_panels(params, space, "plot_partial_dependence")
    metric = _Results(search, "plot_partial_dependence").metric
    if ax is None:
        import matplotlib.pyplot as plt

        ncols = min(3, len(panels))
        contours = any(len(panel) == 2 for panel in panels)
        nrows = math.ceil(len(panels) / ncols)
        fig, grid = plt.subplots(
            nrows, ncols, figsize=((4.8 if contours else 4.2) * ncols, 3.4 * nrows + 0.4),
            squeeze=False,
            layout="constrained",
        )
        axes = grid.ravel()
        for extra in axes[len(panels) :]:
            fig.delaxes(extra)
        axes = axes[: len(panels)]
    else:
        axes = np.array([ax], dtype=object).ravel() if not np.iterable(ax) else np.asarray(
            ax, dtype=object
        ).ravel()
        if len(axes) != len(panels):
            raise ValueError(
                f"plot_partial_dependence: {len(panels)} panels to draw but {len(axes)} "
                "Axes given in ax."
            )
    one_d = []
    for a, panel in zip(axes, panels):
        if len(panel) == 1:
            one_d.append(_pd_1d(a, forest, space, panel[0], X, y, n_points, metric))
        else:
            _pd_2d(a, forest, space, panel, X, y, n_points, metric)
    curves = [d for d in one_d if not d[3]]
    if curves:  # one y-range for every curve, so their effects compare
        lo, hi = min(d[0] for d in curves), max(d[1] for d in curves)
        pad = 0.08 * (hi - lo) if hi > lo else 0.05 * max(abs(hi), 1e-3)
        lo, hi = lo - pad, hi + pad
    else:
        lo = hi = None
    for _, _, finish, _ in one_d:
        finish(lo, hi)
    title = f"Partial dependence of the {metric} ({type(search).__name__})"
    if ax is None:
        axes[0].figure.suptitle(title)
    elif len(axes) == 1:
        below = axes[0].get_title()  # a sub-space's name, from a 2-D panel
        axes[0].set_title(title + (f"\n{below}" if below else ""), fontsize=10)
    return axes[0] if len(panels) == 1 else axes


# -- parallel coordinates ------------------------------------------------------


# Tick labels of the parallel-coordinate axes: about this many per axis.
_N_TICKS = 6


def _nice_ticks(lo, hi, *, log, integer=False):
    """Round values in ``[lo, hi]`` for an axis (decades and their 2s and 5s on a
    log axis), as matplotlib's own locators pick them; the ends when those are
    all the locators find."""
    from matplotlib.ticker import LogLocator, MaxNLocator

    if log:
        decades = math.log10(hi / lo)
        subs = (1.0,) if decades >= 2 else (1.0, 2.0, 5.0)
        ticks = LogLocator(base=10, subs=subs, numticks=_N_TICKS + 1).tick_values(lo, hi)
    else:
        ticks = MaxNLocator(nbins=_N_TICKS - 1, integer=integer).tick_values(lo, hi)
    span = hi - lo
    ticks = np.array([t for t in ticks if lo - 1e-9 * span <= t <= hi + 1e-9 * span])
    if len(ticks) < 2:
        ticks = np.array([lo, hi])
    return ticks


def _tick_labels(ticks, log):
    """Ticks' labels in the parameter's own units; a log axis reaching below
    0.01 or above 1000 writes all its decades as powers of ten."""
    ticks = [float(t) for t in ticks]
    powers = log and any(t > 0 and not 1e-2 <= t <= 1e3 for t in ticks)
    labels = []
    for t in ticks:
        k = math.log10(t) if t > 0 else math.nan
        if powers and abs(k - round(k)) < 1e-9:
            labels.append(f"$10^{{{round(k)}}}$")
        elif t.is_integer() and abs(t) < 1e6:
            labels.append(str(int(t)))
        else:
            labels.append(f"{t:.3g}")
    return labels


def _encodes_evenly(dim):
    """Whether ``dim``'s encoding is affine in its value (or in its log)."""
    from .space import Integer, Real

    if isinstance(dim, (Real, Integer)):
        return True
    name = getattr(getattr(getattr(dim, "dist", None), "dist", None), "name", None)
    return name in ("uniform", "randint", "loguniform", "reciprocal")


def _dim_ticks(dim):
    """Positions in the encoding ``[0, 1]`` and labels of a numeric dimension's
    ticks: round values of the parameter mapped through ``dim.transform``, so a
    log prior gets decades and a scipy distribution its quantiles' values."""
    lo, hi = dim.inverse_transform(0.0), dim.inverse_transform(1.0)
    log = _is_log(dim)
    integer = dim.kind == "integer"
    if _encodes_evenly(dim) and hi > lo:
        ticks = _nice_ticks(lo, hi, log=log, integer=integer)
    else:  # a scipy prior of another shape: values at its quantiles, rounded
        ticks = [dim.inverse_transform(u) for u in (0.05, 0.25, 0.5, 0.75, 0.95)]
        ticks = np.unique([int(v) if integer else float(f"{v:.2g}") for v in ticks])
    pos, kept = [], []
    for t in ticks:
        try:
            pos.append(dim.transform(int(round(t)) if integer else float(t)))
        except ValueError:  # outside the dimension's support
            continue
        kept.append(t)
    return np.array(pos), _tick_labels(kept, log)


def _axes_from_space(space, candidates, params):
    """Per axis: (name, values in [0, 1] or NaN, tick positions, tick labels)."""
    V = np.array([space.encode(c) for c in candidates]).reshape(-1, space.n_dims)
    axes = []
    if params is None and space.n_subspaces > 1:
        k = space.n_subspaces
        labels = [_subspace_label(space, i)[len("sub-space ") :] for i in range(k)]
        axes.append((_SELECTOR, V[:, 0] / (k - 1), np.arange(k) / (k - 1), labels, True))
    for name in _searched_names(space) if params is None else params:
        cols = _columns_of(space, name)
        values = np.full(len(V), np.nan)
        for j in cols:
            dim = space.columns[j][2]
            col = V[:, j] / max(dim.n_values - 1, 1) if dim.is_categorical else V[:, j]
            values = np.where(np.isnan(values), col, values)
        dim = space.columns[cols[0]][2]
        if dim.is_categorical:
            k = dim.n_values
            pos = np.arange(k) / max(k - 1, 1)
            labels = [_fmt(c) for c in dim.choices]
        else:
            pos, labels = _dim_ticks(dim)
        axes.append((name, values, pos, labels, dim.is_categorical))
    return axes


def _axes_from_results(results, params):
    names = [k[len("param_") :] for k in results if k.startswith("param_")]
    if params is not None:
        unknown = [p for p in params if p not in names]
        if unknown:
            raise ValueError(
                f"plot_parallel_coordinates: {', '.join(map(repr, unknown))} not in "
                f"cv_results_; its parameters are {names!r}."
            )
        names = list(params)
    axes = []
    for name in names:
        col = results[f"param_{name}"]
        mask = np.ma.getmaskarray(col)
        data = list(np.ma.getdata(col))
        present = [v for v, m in zip(data, mask) if not m]
        numeric = bool(present) and all(
            isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in present
        )
        values = np.full(len(data), np.nan)
        if numeric:
            present_f = np.array(present, dtype=float)
            lo, hi = present_f.min(), present_f.max()
            # three decades or more of positive values: normalise in log space
            log = lo > 0 and hi / lo >= 1e3
            scale = np.log(present_f) if log else present_f
            s_lo, span = scale.min(), scale.max() - scale.min()
            normed = (scale - s_lo) / span if span > 0 else np.full(len(scale), 0.5)
            values[~mask] = normed
            categorical = False
            if span > 0:
                ticks = np.unique(present_f)  # a grid's few values: each one
                if len(ticks) > _N_TICKS:
                    integer = all(float(v).is_integer() for v in present_f)
                    ticks = _nice_ticks(lo, hi, log=log, integer=integer)
                pos = ((np.log(ticks) if log else ticks) - s_lo) / span
                labels = _tick_labels(ticks, log)
            else:
                pos, labels = np.array([0.5]), _tick_labels([lo], False)
        else:
            codes = {}
            for v in present:
                codes.setdefault(_fmt(v), len(codes))
            k = len(codes)
            for i, (v, m) in enumerate(zip(data, mask)):
                if not m:
                    values[i] = codes[_fmt(v)] / max(k - 1, 1)
            pos = np.arange(k) / max(k - 1, 1)
            labels = list(codes)
            categorical = True
        axes.append((name, values, pos, labels, categorical))
    return axes


def _spread_choices(values, scores, n_choices):
    """Values of a categorical axis spread over a band around each choice,
    and the choices' positions (the middles of the bands).

    With every candidate of a choice on one point, lines merge into a few
    fans and hide how many candidates took each choice and how they scored.
    Choice ``i`` of ``k`` (``values`` holds ``i / (k - 1)``) gets the band
    around ``(i + 0.5) / k``, 70% of its share of the axis; its candidates are
    spaced evenly in it, the best scores highest.
    """
    k = max(int(n_choices), 1)
    values = np.asarray(values, dtype=float)
    codes = np.round(values * (k - 1))
    centres = (np.arange(k) + 0.5) / k
    half = 0.35 / k
    out = np.full(len(values), np.nan)
    order_key = np.where(np.isfinite(scores), scores, -np.inf)
    for i in range(k):
        rows = np.flatnonzero(codes == i)
        if not len(rows):
            continue
        rows = rows[np.argsort(order_key[rows], kind="stable")]
        offsets = np.linspace(-half, half, len(rows)) if len(rows) > 1 else np.zeros(1)
        out[rows] = centres[i] + offsets
    return out, centres


def plot_parallel_coordinates(search_or_cv_results, params=None, *, ax=None):
    """Plot every candidate as a line across one vertical axis per parameter.

    Lines are coloured by score (colour bar at the side; failed fits dotted
    grey) and the best are drawn on top, so the region of good candidates
    stands out. Each axis spans its parameter's range: through the search
    space's encoding when a fitted sksearch search is given (so a log prior
    is spread in log space), otherwise min-max from ``cv_results_``'s
    ``param_*`` columns (in log space when positive values span three
    decades or more) and choice codes for non-numeric values. A parameter a
    candidate's sub-space does not have leaves a gap in its line.

    Parameters
    ----------
    search_or_cv_results : fitted search or ``cv_results_`` dict
        Any fitted ``*SearchCV`` (sksearch's or sklearn's) or its
        ``cv_results_``.
    params : list of str, default=None
        Parameters to show, in this order; by default all of them (with the
        sub-space selector first, as "sub-space", for a list of dicts).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        One line per candidate, in increasing score order.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import TPESearchCV
    >>> from sksearch.plot import plot_parallel_coordinates
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "kernel": ["rbf", "linear"]}
    >>> search = TPESearchCV(SVC(), space, n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> ax = plot_parallel_coordinates(search)
    >>> len(ax.get_lines())
    8
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['C', 'kernel']
    """
    _check_matplotlib_support("plot_parallel_coordinates")
    info = _Results(search_or_cv_results, "plot_parallel_coordinates")
    if isinstance(params, str):
        params = [params]
    space = getattr(info.search, "space_", None)
    axes_info = None
    if space is not None and hasattr(space, "encode"):
        if params is not None:
            _check_names(space, params, "plot_parallel_coordinates")
        try:
            axes_info = _axes_from_space(space, info.results["params"], params)
        except ValueError:  # candidates from outside the space: read cv_results_
            axes_info = None
    if axes_info is None:
        axes_info = _axes_from_results(info.results, params)
    if not axes_info:
        raise ValueError("plot_parallel_coordinates: there is no parameter to draw.")

    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.font_manager import FontProperties

    scores = info.scores
    finite = np.isfinite(scores)
    for a, (name, values, pos, labels, categorical) in enumerate(axes_info):
        if categorical:
            values, pos = _spread_choices(values, scores, len(labels))
            axes_info[a] = (name, values, pos, labels, categorical)
    V = np.column_stack([a[1] for a in axes_info])
    xs = np.arange(len(axes_info))
    cmap = plt.get_cmap("viridis")
    lo, hi = (scores[finite].min(), scores[finite].max()) if finite.any() else (0.0, 1.0)
    norm = Normalize(lo, hi if hi > lo else lo + 1e-12)
    ax = _new_axes(ax, figsize=(max(5.0, 1.7 * len(axes_info) + 2), 4.5))
    skips, skip_colors = [], []
    for i in np.argsort(np.where(finite, scores, -np.inf), kind="stable"):
        # one line per candidate, a dot on each axis it has a value on; with
        # sub-spaces, a candidate lacks the other sub-spaces' parameters: its
        # line breaks there, and a faint dashed segment bridges the axes it
        # lacks, so that every candidate of every sub-space stays visible
        color = cmap(norm(scores[i])) if finite[i] else "0.6"
        if finite[i]:
            ax.plot(xs, V[i], color=color, lw=1.2, alpha=0.85, marker="o", ms=2.5)
        else:
            ax.plot(xs, V[i], color=color, lw=0.8, ls=":", marker="o", ms=2)
        has = np.flatnonzero(np.isfinite(V[i]))
        for a, b in zip(has[:-1], has[1:]):
            if b - a > 1:
                skips.append([(xs[a], V[i, a]), (xs[b], V[i, b])])
                skip_colors.append(color)
    if skips:
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(skips, colors=skip_colors, linewidths=0.8,
                                         linestyles=(0, (3, 3)), alpha=0.45))
    ax.vlines(xs, 0, 1, colors="0.2", lw=1, zorder=2.5)
    ax.hlines(
        [p for _, _, pos, _, _ in axes_info for p in pos],
        [x - 0.03 for x, (_, _, pos, _, _) in zip(xs, axes_info) for _ in pos],
        [x for x, (_, _, pos, _, _) in zip(xs, axes_info) for _ in pos],
        colors="0.2", lw=1, zorder=2.5,
    )
    # tick labels as large as matplotlib's own (rcParams["ytick.labelsize"]),
    # above the lines on an opaque box, so that lines never cross them
    tick_size = FontProperties(size=plt.rcParams["ytick.labelsize"]).get_size_in_points()
    for x, (_, _, pos, labels, _) in zip(xs, axes_info):
        for p, label in zip(pos, labels):
            ax.text(x - 0.04, p, label, ha="right", va="center", fontsize=tick_size,
                    zorder=3, bbox={"boxstyle": "round,pad=0.1", "fc": "w", "ec": "none",
                                    "alpha": 0.9})
    ax.set_xticks(xs, [a[0] for a in axes_info])
    ax.set_yticks([])
    ax.set_xlim(-0.5, len(axes_info) - 0.7)
    ax.set_ylim(-0.05, 1.05)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=info.metric)
    ax.set_title(f"Parallel coordinates ({info.name}, {len(scores)} candidates)")
    return ax


# -- slice ---------------------------------------------------------------------


def _param_columns(info, params, caller):
    """Per parameter: (name, values as a list, mask of rows that have it)."""
    results = info.results
    names = [k[len("param_"):] for k in results if k.startswith("param_")]
    if params is not None:
        params = [params] if isinstance(params, str) else list(params)
        unknown = [p for p in params if p not in names]
        if unknown:
            raise ValueError(
                f"{caller}: {', '.join(map(repr, unknown))} not in cv_results_; its "
                f"parameters are {names!r}."
            )
        names = params
    out = []
    for name in names:
        col = results[f"param_{name}"]
        mask = ~np.ma.getmaskarray(col)
        out.append((name, list(np.ma.getdata(col)), mask))
    return out


def _space_dims(info):
    """Parameter name -> its dimension in the search's space, where there is one."""
    space = getattr(info.search, "space_", None)
    if space is None or not hasattr(space, "columns"):
        return {}
    dims = {}
    for s, name, dim in space.columns:
        if s is not None:
            dims.setdefault(name, dim)
    return dims


def plot_slice(search_or_cv_results, params=None, *, ax=None):
    """Plot each candidate's score against each parameter, one panel per parameter.

    The raw evaluations, with no model in between (as Optuna's
    ``plot_slice``): where the good scores sit along each parameter, and how
    the search spread its candidates there. Dots are coloured by the order
    the candidates were evaluated in (dark first, light last), so a search
    that converges shows its late candidates gathered; the best candidate is
    ringed in red in every panel. Failed fits (NaN score) are grey crosses at
    the bottom of each panel. With sub-spaces, a panel shows the candidates
    that have its parameter.

    A numeric parameter has a log x-axis when the search space says so (a
    log prior) or, from ``cv_results_`` alone, when its positive values span
    three decades or more; a categorical one has one column of dots per
    choice, spread sideways so that equal scores stay visible.

    Parameters
    ----------
    search_or_cv_results : fitted search or ``cv_results_`` dict
        Any fitted ``*SearchCV`` (sksearch's, ``GridSearchCV``,
        ``RandomizedSearchCV``) or its ``cv_results_``.
    params : list of str, default=None
        Parameters to show, in this order; by default every ``param_*``
        column of ``cv_results_``.
    ax : array-like of matplotlib Axes, default=None
        One Axes per parameter; None makes a new figure (up to four panels
        per row, sharing the y-axis).

    Returns
    -------
    axes : ndarray of matplotlib Axes
        One Axes per parameter, in the order of ``params``.

    See Also
    --------
    plot_partial_dependence : A model's view of the same, averaged over the
        other parameters.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import TPESearchCV
    >>> from sksearch.plot import plot_slice
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> space = {"C": Real(1e-2, 1e2, log=True), "kernel": ["rbf", "linear"]}
    >>> search = TPESearchCV(SVC(), space, n_iter=8, cv=3, random_state=0).fit(X, y)
    >>> axes = plot_slice(search)
    >>> [a.get_xlabel() for a in axes], axes[0].get_xscale()
    (['C', 'kernel'], 'log')
    >>> len(axes[0].collections[0].get_offsets())
    8
    """
    _check_matplotlib_support("plot_slice")
    info = _Results(search_or_cv_results, "plot_slice")
    columns = _param_columns(info, params, "plot_slice")
    if not columns:
        raise ValueError("plot_slice: there is no parameter to draw.")
    dims = _space_dims(info)
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    n = len(columns)
    if ax is None:
        ncols = min(4, n)
        nrows = math.ceil(n / ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(3.3 * ncols + 1.0, 3.0 * nrows + 0.5),
                                 squeeze=False, sharey=True, layout="constrained")
        axes = grid.ravel()
        for extra in axes[n:]:
            fig.delaxes(extra)
        axes = axes[:n]
    else:
        axes = np.asarray([ax] if not np.iterable(ax) else ax, dtype=object).ravel()
        if len(axes) != n:
            raise ValueError(f"plot_slice: {n} parameters to draw but {len(axes)} Axes in ax.")
    scores = info.scores
    finite = np.isfinite(scores)
    order = np.arange(len(scores))
    norm = Normalize(0, max(len(scores) - 1, 1))
    cmap = plt.get_cmap("viridis")
    best = int(np.argmax(np.where(finite, scores, -np.inf))) if finite.any() else None
    rng = np.random.default_rng(0)
    for a, (name, values, has) in zip(axes, columns):
        present = [v for v, h in zip(values, has) if h]
        numeric = bool(present) and all(
            isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in present
        )
        dim = dims.get(name)
        if numeric and not (dim is not None and dim.is_categorical):
            x = np.array([float(v) if h else np.nan for v, h in zip(values, has)])
            pos = x[has]
            log = _is_log(dim) if dim is not None else (
                len(pos) > 0 and pos.min() > 0 and pos.max() / pos.min() >= 1e3
            )
            if log:
                a.set_xscale("log")
        else:
            labels = {}
            if dim is not None and dim.is_categorical:
                for c in dim.choices:
                    labels.setdefault(_fmt(c), len(labels))
            for v in present:
                labels.setdefault(_fmt(v), len(labels))
            codes = np.array([labels[_fmt(v)] if h else np.nan for v, h in zip(values, has)])
            x = codes + rng.uniform(-0.18, 0.18, len(codes))
            a.set_xticks(range(len(labels)), list(labels))
            a.set_xlim(-0.6, len(labels) - 0.4)
            if max((len(t) for t in labels), default=0) * len(labels) > 28:
                for t in a.get_xticklabels():  # long names, slanted to fit
                    t.set(rotation=25, ha="right", rotation_mode="anchor")
        ok = has & finite
        a.scatter(x[ok], scores[ok], c=order[ok], cmap=cmap, norm=norm, s=18,
                  edgecolors="0.2", linewidths=0.3, zorder=2)
        failed = has & ~finite
        if failed.any():
            a.scatter(x[failed], np.zeros(int(failed.sum())), marker="x", color="0.5", s=18,
                      transform=a.get_xaxis_transform(), clip_on=False, zorder=2)
        if best is not None and has[best]:
            a.scatter([x[best]], [scores[best]], s=90, facecolors="none", edgecolors="r",
                      linewidths=1.2, zorder=3)
        a.set_xlabel(name)
        a.grid(alpha=0.3)
    axes[0].set_ylabel(info.metric)
    fig = axes[0].figure
    fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=list(axes), label="evaluation order",
                 fraction=0.04, pad=0.02)
    title = f"Slice plot ({info.name}, {len(scores)} candidates)"
    if ax is None:
        fig.suptitle(title)
    else:
        axes[0].set_title(title, fontsize=10)
    return axes


# -- timeline ------------------------------------------------------------------


def _n_splits(info):
    splits = [k for k in info.results if k.startswith("split") and k.endswith(
        "_test_" + info.key[len("mean_test_"):]
    )]
    return max(len(splits), 1)


def plot_timeline(search, *, n_jobs=None, ax=None):
    """Plot how the search's fits were spread over its workers in time.

    One row per worker, one bar per fit (a candidate on one fold, fitted and
    scored), coloured by the candidate's score, with the rounds of the search
    marked: what ``n_jobs``, ``batch_size`` and ``asynchronous=True`` did.
    With ``batch_size`` candidates per round and ``n_splits`` folds, a round
    is ``batch_size x n_splits`` fits on ``n_jobs`` workers, and a worker
    that finishes early waits for the round's last fit (the white gaps
    before a round's line); ``asynchronous=True`` has no rounds, so no
    gaps.

    The timeline is **reconstructed** from ``cv_results_``: every fit of a
    candidate lasts its ``mean_fit_time + mean_score_time``, and a round's
    fits go, in order, to the worker that frees first (joblib's dispatch).
    It leaves out the time the search itself spends between rounds (the
    strategy's proposals, joblib's start-up and transfers) and each fold's
    own time, so read it for the shape of the schedule, not as a
    measurement of the run.

    Parameters
    ----------
    search : fitted search
        Any fitted ``*SearchCV``: sksearch's (a round is a value of
        ``cv_results_["iter"]``; with ``asynchronous=True`` or Hyperband's
        brackets, fits are dispatched as workers free, in the order the
        candidates were asked for), or scikit-learn's ``GridSearchCV`` /
        ``RandomizedSearchCV`` (all candidates in one round).
    n_jobs : int, default=None
        Workers to spread the fits over; None uses the search's ``n_jobs``
        (as joblib counts it: None is 1, -1 every core of this machine).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        One bar per fit (``ax.patches``), one row per worker.

    See Also
    --------
    plot_convergence : Best score so far against candidates evaluated.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from sksearch import TPESearchCV
    >>> from sksearch.plot import plot_timeline
    >>> from sksearch.space import Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = TPESearchCV(SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=8,
    ...                      batch_size=4, cv=3, random_state=0).fit(X, y)
    >>> ax = plot_timeline(search, n_jobs=2)
    >>> len(ax.patches)  # 8 candidates x 3 folds
    24
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['worker 0', 'worker 1']
    """
    _check_matplotlib_support("plot_timeline")
    if isinstance(search, Mapping):
        raise TypeError(
            "plot_timeline needs the fitted search, not its cv_results_: the rounds and "
            "n_jobs are the search's."
        )
    info = _Results(search, "plot_timeline")
    from joblib import effective_n_jobs

    workers = n_jobs if n_jobs is not None else getattr(search, "n_jobs", None)
    workers = max(int(effective_n_jobs(workers)), 1)
    results = info.results
    n = len(results["params"])
    duration = np.nan_to_num(
        np.asarray(results.get("mean_fit_time", np.zeros(n)), dtype=float)
        + np.asarray(results.get("mean_score_time", np.zeros(n)), dtype=float)
    )
    n_splits = _n_splits(info)
    asynchronous = bool(getattr(search, "asynchronous", False))
    if "iter" in results and "bracket" not in results and not asynchronous:
        rounds = np.asarray(results["iter"])
        order = np.argsort(rounds, kind="stable")
        mode = "rounds"
    elif "iter" in results:
        order = np.argsort(np.asarray(results["iter"]), kind="stable")
        rounds = np.zeros(n, dtype=int)
        mode = "as workers free"
    else:
        order, rounds = np.arange(n), np.zeros(n, dtype=int)
        mode = "one round"
    free = np.zeros(workers)
    bars = []  # (worker, start, length, row)
    boundaries = []
    previous = None
    for i in order:
        if previous is not None and rounds[i] != previous:
            barrier = free.max()
            boundaries.append(barrier)
            free[:] = barrier
        previous = rounds[i]
        for _ in range(n_splits):
            w = int(np.argmin(free))
            bars.append((w, free[w], duration[i], i))
            free[w] += duration[i]
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    scores = info.scores
    finite = np.isfinite(scores)
    lo, hi = (scores[finite].min(), scores[finite].max()) if finite.any() else (0.0, 1.0)
    norm = Normalize(lo, hi if hi > lo else lo + 1e-12)
    cmap = plt.get_cmap("viridis")
    ax = _new_axes(ax, figsize=(7.5, 1.2 + 0.45 * workers))
    if bars:
        w, start, length, row = (np.array(c) for c in zip(*bars))
        row = row.astype(int)
        colors = [cmap(norm(scores[r])) if finite[r] else "0.75" for r in row]
        ax.barh(w, length, left=start, height=0.7, color=colors, edgecolor="w", linewidth=0.5)
    for b in boundaries:
        ax.axvline(b, color="0.3", ls=":", lw=0.8)
    ax.set_yticks(range(workers), [f"worker {k}" for k in range(workers)])
    ax.set_ylim(workers - 0.5, -0.5)
    ax.set_xlim(0, max(free.max(), 1e-9) * 1.01)
    ax.set_xlabel("seconds (fit + score times from cv_results_)")
    total = float(free.max())
    busy = float(duration.sum() * n_splits / (workers * total)) if total > 0 else 0.0
    ax.figure.colorbar(
        plt.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=info.metric, pad=0.02
    )
    n_rounds = len(boundaries) + 1 if mode == "rounds" else 1
    batch = getattr(search, "batch_size", None)
    what = (f"{n_rounds} rounds of batch_size={batch}" if mode == "rounds"
            else "asynchronous" if asynchronous else mode)
    ax.set_title(
        f"Timeline, reconstructed ({info.name}: {n} candidates x {n_splits} folds, "
        f"{workers} workers, {what}; busy {busy:.0%})",
        fontsize=9,
    )
    return ax


# -- Hyperband -----------------------------------------------------------------

_HYPERBAND_COLUMNS = ("n_resources", "bracket", "iter")


def _resource_key(info, resources):
    """The ``params`` key that holds the resource, if the resource is an
    estimator parameter: the search's ``resource``, or, from a bare
    ``cv_results_``, the key whose value is ``n_resources`` in every row."""
    resource = getattr(info.search, "resource", None)
    if info.search is not None:
        return resource if isinstance(resource, str) and resource != "n_samples" else None
    params = info.results["params"]
    if not len(params):
        return None
    keys = set.intersection(*(set(p) for p in params))
    for key in sorted(keys):
        values = [p[key] for p in params]
        if all(
            isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
            and float(v) == r
            for v, r in zip(values, resources)
        ) and len(set(values)) > 1:
            return key
    return None


def plot_hyperband(search, *, ax=None):
    """Plot a Hyperband search's rungs: score against resources, per bracket.

    Each candidate is a line (one colour per bracket) through its scores at
    the resources of the rungs it reached, so the successive halving inside
    each bracket shows as lines that stop while the best go on. A candidate
    is identified by its bracket and its parameters other than the resource
    (with an estimator parameter as the resource, say
    ``resource="sgdclassifier__max_iter"``, every rung's ``params`` hold
    that rung's value of it; from a bare ``cv_results_``, the resource key is
    the one whose value equals ``n_resources`` in every row).

    Parameters
    ----------
    search : fitted HyperbandSearchCV or its ``cv_results_`` dict
        Needs the ``cv_results_`` columns ``n_resources``, ``bracket`` and
        ``iter`` (the rung within the bracket).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        One line per candidate and bracket; the legend names the brackets.

    Raises
    ------
    ValueError
        When ``cv_results_`` lacks one of those columns (the search is not a
        Hyperband search).

    See Also
    --------
    plot_convergence : Best score so far against candidates evaluated.

    Examples
    --------
    >>> import numpy as np
    >>> from sksearch.plot import plot_hyperband
    >>> cv_results = {
    ...     "params": [{"C": 1.0}, {"C": 10.0}, {"C": 10.0}],
    ...     "mean_test_score": np.array([0.6, 0.7, 0.8]),
    ...     "n_resources": np.array([10, 10, 30]),
    ...     "bracket": np.array([0, 0, 0]),
    ...     "iter": np.array([0, 0, 1]),
    ... }
    >>> ax = plot_hyperband(cv_results)
    >>> len(ax.get_lines())
    2
    >>> ax.get_xscale()
    'log'
    """
    _check_matplotlib_support("plot_hyperband")
    info = _Results(search, "plot_hyperband")
    missing = [c for c in _HYPERBAND_COLUMNS if c not in info.results]
    if missing:
        raise ValueError(
            f"plot_hyperband needs the cv_results_ columns {list(_HYPERBAND_COLUMNS)!r} of a "
            f"Hyperband search; the cv_results_ of {info.name} lack {missing!r}."
        )
    from matplotlib.lines import Line2D

    results = info.results
    scores = info.scores
    resources = np.asarray(results["n_resources"], dtype=float)
    brackets = np.asarray(results["bracket"])
    rung = np.asarray(results["iter"])
    resource_key = _resource_key(info, resources)
    groups = {}
    for i, params in enumerate(results["params"]):
        # the resource itself is no part of a candidate: with an estimator
        # parameter as the resource, each rung's params hold the rung's value
        identity = repr(sorted(
            ((k, v) for k, v in params.items() if k != resource_key), key=lambda kv: kv[0]
        ))
        groups.setdefault((brackets[i].item(), identity), []).append(i)
    ax = _new_axes(ax)
    order = sorted(set(brackets.tolist()))
    color = {b: f"C{k % 10}" for k, b in enumerate(order)}
    for (b, _), rows in groups.items():
        rows = sorted(rows, key=lambda i: (rung[i], resources[i]))
        ax.plot(resources[rows], scores[rows], color=color[b], marker="o", ms=3,
                lw=0.9, alpha=0.7)
    if (resources > 0).all():
        ax.set_xscale("log")
    levels = np.unique(resources[np.isfinite(resources)])
    if len(levels) <= 12:  # label the rungs' resources themselves
        from matplotlib.ticker import NullLocator

        ax.set_xticks(levels, [f"{v:g}" for v in levels])
        ax.xaxis.set_minor_locator(NullLocator())
    resource = getattr(info.search, "resource", None)
    ax.set_xlabel(f"n_resources ({resource})" if isinstance(resource, str) else "n_resources")
    ax.set_ylabel(info.metric)
    handles = [Line2D([], [], color=color[b], marker="o", ms=3, label=f"bracket {b}")
               for b in order]
    ax.legend(handles=handles, title="Hyperband", fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(f"Hyperband rungs ({info.name})")
    return ax


# -- several objectives ----------------------------------------------------------


def _objectives_of(obj, objectives, caller):
    """``(cv_results_, [Objective], refitted row or None, label)`` of a fitted
    search with several objectives, or of a ``cv_results_`` dict and the
    ``objectives`` it was searched on."""
    from ._objectives import COSTS, Objective, resolve_objectives

    known = {}  # the search's own objectives, with their columns
    if isinstance(obj, Mapping):
        results, best, label = obj, None, "cv_results_"
        if objectives is None:
            raise ValueError(
                f"{caller}: give objectives (names, or a dict name -> direction) with a "
                "cv_results_ dict; a fitted search knows its own."
            )
    else:
        check_is_fitted(obj, "cv_results_")
        if not hasattr(obj, "objectives_"):
            raise ValueError(
                f"{caller}: {type(obj).__name__} was fitted on one objective; fit it with "
                "objective=[...] (several names) to get a Pareto front."
            )
        results, label = obj.cv_results_, type(obj).__name__
        best = getattr(obj, "best_index_", None)
        known = {o.name: o for o in resolve_objectives(obj.objective, obj.scoring)}
        chosen = obj.objectives_ if objectives is None else objectives
        if isinstance(chosen, (list, tuple)):  # directions as the search had them
            chosen = {n: obj.objectives_.get(n) for n in chosen}
        objectives = chosen
    items = objectives.items() if isinstance(objectives, Mapping) else [
        (n, None) for n in objectives
    ]
    out = []
    for name, direction in items:
        if name in known:
            out.append(known[name]._replace(direction=direction or known[name].direction))
            continue
        is_cost = name in COSTS and f"mean_test_{name}" not in results
        column = (
            "mean_test_score" if name == "score" and "mean_test_score" in results
            else f"mean_{name}" if is_cost else f"mean_test_{name}"
        )
        if column not in results:
            raise ValueError(f"{caller}: cv_results_ has no column {column!r} for {name!r}.")
        direction = direction or ("minimize" if is_cost else "maximize")
        out.append(Objective(name, direction, column, is_cost))
    if not 2 <= len(out) <= (3 if caller == "plot_pareto" else 99):
        raise ValueError(
            f"{caller}: draws 2 or 3 objectives; got {[o.name for o in out]!r}. Pass "
            "objectives=[...] to choose them."
        )
    return results, out, best, label


def _objective_label(o):
    units = {"fit_time": " (s)", "score_time": " (s)", "latency": " (s per sample)",
             "model_size": " (bytes)"}
    arrow = "higher is better" if o.direction == "maximize" else "lower is better"
    what = o.column[len("mean_"):].replace("_", " ") if o.is_cost else f"mean test {o.name}"
    return f"{what}{units.get(o.name, '')}, {arrow}"


def plot_pareto(search_or_cv_results, objectives=None, *, ax=None):
    """Plot the evaluated candidates in the space of two or three objectives,
    the Pareto front in colour, dominated candidates faded, the refitted
    model marked.

    Each candidate is drawn at its mean cross-validated values (the columns of
    ``cv_results_`` the front is computed on), in the objectives' own units.
    With two objectives the front is joined by a step line (the boundary of
    what it dominates); with three, the Axes is 3-D.

    Parameters
    ----------
    search_or_cv_results : fitted search or dict
        A search fitted with several objectives (``objective=[...]``), or a
        ``cv_results_`` dict with ``objectives``.
    objectives : list of str or dict, default=None
        The two or three objectives to draw (a dict gives their directions,
        for a ``cv_results_`` dict). None: the search's own (which must be two
        or three). The front drawn is the one on these objectives.
    ax : matplotlib Axes, default=None
        Axes to draw on (3-D for three objectives); a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    See Also
    --------
    plot_hypervolume : The front's progress, as hypervolume by evaluation.

    Examples
    --------
    >>> from sksearch.plot import plot_pareto
    >>> results = {"params": [{"C": c} for c in (0.1, 1, 10, 100)],
    ...            "mean_test_score": [0.80, 0.90, 0.95, 0.94],
    ...            "mean_fit_time": [0.01, 0.02, 0.05, 0.2]}
    >>> ax = plot_pareto(results, ["score", "fit_time"])
    >>> ax.get_xlabel()
    'mean test score, higher is better'
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Pareto front (3)', 'dominated (1)']
    """
    _check_matplotlib_support("plot_pareto")
    from ._objectives import results_matrix
    from ._pareto import non_dominated

    results, objs, best, _ = _objectives_of(search_or_cv_results, objectives, "plot_pareto")
    values = np.column_stack([np.asarray(results[o.column], dtype=float) for o in objs])
    ok = np.isfinite(values).all(axis=1)
    front = non_dominated(results_matrix(results, objs)) & ok
    three = len(objs) == 3
    ax = _new_axes(ax, subplot_kw={"projection": "3d"} if three else {})
    cols = [values[:, j] for j in range(len(objs))]
    ax.scatter(*[c[front] for c in cols], color="C0", s=30, zorder=3,
               label=f"Pareto front ({int(front.sum())})")
    dominated = ok & ~front
    ax.scatter(*[c[dominated] for c in cols], color="0.5", alpha=0.3, s=16, linewidths=0,
               label=f"dominated ({int(dominated.sum())})")
    if not three and front.any():
        order = np.argsort(objs[0].sign * cols[0][front])[::-1]
        fx, fy = cols[0][front][order], cols[1][front][order]
        ax.step(fx, fy, where="post", color="C0", alpha=0.6, zorder=2)
    if best is not None and ok[best]:
        ax.scatter(*[[c[best]] for c in cols], marker="*", s=220, color="C3",
                   edgecolors="k", zorder=4, label="refitted model")
    setters = [ax.set_xlabel, ax.set_ylabel] + ([ax.set_zlabel] if three else [])
    for set_label, o in zip(setters, objs):
        set_label(_objective_label(o))
    for o, scale in zip(objs, ("xscale", "yscale")):
        positive = values[ok][:, objs.index(o)]
        if not three and o.is_cost and len(positive) and (positive > 0).all() and (
            positive.max() / positive.min() > 100
        ):
            ax.set(**{scale: "log"})
    if not three:
        ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Pareto front: " + " vs ".join(o.name for o in objs))
    return ax


def plot_hypervolume(*searches_or_cv_results, objectives=None, labels=None, ax=None):
    """Plot the hypervolume of the front found so far against the number of
    candidates evaluated: the convergence of a multi-objective search.

    Every objective is scaled to [0, 1] between the worst and best mean
    values of all the searches drawn (so that the curves share one scale and
    one reference point, 0.1 below the worst of each), and the hypervolume is
    the share of the unit box the front dominates: 1 would be one candidate
    best in every objective. A curve never goes down.

    Parameters
    ----------
    *searches_or_cv_results : fitted searches or dicts
        Searches fitted on the same objectives (``objective=[...]``), or
        their ``cv_results_`` with ``objectives``.
    objectives : list of str or dict, default=None
        The objectives (required with ``cv_results_`` dicts); None: the first
        search's.
    labels : list of str, default=None
        Legend label of each search; by default its class name.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        One line per search, in the given order.

    See Also
    --------
    plot_pareto : The front itself.
    plot_convergence : The same for one objective.

    Examples
    --------
    >>> from sksearch.plot import plot_hypervolume
    >>> results = {"params": [{"C": c} for c in (0.1, 1, 10, 100)],
    ...            "mean_test_score": [0.80, 0.90, 0.95, 0.94],
    ...            "mean_fit_time": [0.01, 0.02, 0.05, 0.2]}
    >>> ax = plot_hypervolume(results, objectives=["score", "fit_time"])
    >>> ax.get_ylabel()
    'Hypervolume (scaled)'
    """
    _check_matplotlib_support("plot_hypervolume")
    from matplotlib.ticker import MaxNLocator

    from ._objectives import results_matrix, scaled_hypervolume

    if not searches_or_cv_results:
        raise ValueError("plot_hypervolume needs at least one fitted search or cv_results_.")
    first = searches_or_cv_results[0]
    if objectives is None and not isinstance(first, Mapping):
        objectives = getattr(first, "objectives_", None)
    infos = [_objectives_of(s, objectives, "plot_hypervolume")
             for s in searches_or_cv_results]
    Ys = [results_matrix(results, objs) for results, objs, _, _ in infos]
    if len({tuple(o.name for o in objs) for _, objs, _, _ in infos}) > 1:
        raise ValueError("plot_hypervolume: the searches have different objectives.")
    stacked = np.vstack(Ys)
    ok = np.isfinite(stacked).all(axis=1)
    lower = stacked[ok].min(axis=0) if ok.any() else None
    upper = stacked[ok].max(axis=0) if ok.any() else None
    names = [label for _, _, _, label in infos]
    if labels is None:
        labels = [
            f"{n} ({names[:i].count(n) + 1})" if names.count(n) > 1 else n
            for i, n in enumerate(names)
        ]
    elif len(labels) != len(infos):
        raise ValueError(f"plot_hypervolume: got {len(infos)} searches but {len(labels)} labels.")
    ax = _new_axes(ax)
    for Y, label in zip(Ys, labels):
        curve = [scaled_hypervolume(Y[: i + 1], lower, upper) for i in range(len(Y))]
        ax.step(np.arange(1, len(Y) + 1), curve, where="post", label=label)
    ax.set_xlabel("Candidates evaluated")
    ax.set_ylabel("Hypervolume (scaled)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Hypervolume of the front so far: " + " vs ".join(
        o.name for o in infos[0][1]))
    return ax
