"""Several objectives for one search: what they are, measured, and the front.

``objective=`` of every ``*SearchCV`` takes, besides one scorer name (the
single objective of today), a list of names or a dict ``name -> "maximize" |
"minimize"``. A name is a scorer of ``scoring`` (``"score"`` with a single
metric), or one of the costs scikit-learn's ``_fit_and_score`` measures or
that the loop measures beside it:

- ``"fit_time"``, ``"score_time"``: seconds, as in ``cv_results_``;
- ``"latency"``: ``score_time`` per test sample (seconds to predict and score
  one sample, on the device the fold ran on);
- ``"model_size"``: bytes of the fitted estimator, pickled;
- ``"n_parameters"``: the numbers a fitted model holds (a torch network's
  parameters; of a scikit-learn estimator, its fitted numeric arrays, a tree's
  nodes, summed over a Pipeline's steps and an ensemble's estimators).

Scorers default to ``"maximize"`` and costs to ``"minimize"``. The strategy
is told, per candidate, the vector of the mean over folds of each objective,
signs flipped so that higher is better (:func:`candidate_vector`); the fitted
search's ``pareto_front_`` is the non-dominated rows of ``cv_results_`` on
those same means (:func:`results_matrix`).
"""

# SPDX-License-Identifier: BSD-3-Clause

import pickle
from functools import partial
from numbers import Integral
from typing import NamedTuple

import numpy as np

from ._pareto import hypervolume, non_dominated, pareto_ranks

__all__ = [
    "COSTS",
    "Objective",
    "candidate_vector",
    "choose_refit_index",
    "measured_fit_and_score",
    "resolve_objectives",
    "results_matrix",
    "scaled_hypervolume",
]

_DIRECTIONS = ("maximize", "minimize")


def _pickled_bytes(estimator):
    return float(len(pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL)))


def _count(value, depth=0):
    """The numbers in one fitted attribute's value."""
    if depth > 4:
        return 0
    if isinstance(value, np.ndarray):
        return int(value.size) if value.dtype.kind in "biufc" else 0
    if isinstance(value, (list, tuple)):
        return sum(_count(v, depth + 1) for v in value)
    if hasattr(value, "node_count"):  # sklearn's Tree
        return int(value.node_count)
    if hasattr(value, "get_params") and hasattr(value, "fit"):
        return count_parameters(value, depth + 1)
    return 0


def count_parameters(estimator, depth=0):
    """The numbers a fitted model holds: a torch module's parameters
    (``module_``, as sksearch's NAS networks and skorch keep it), else the
    sizes of its fitted numeric arrays (``coef_``, ``coefs_``, support
    vectors ...), a tree's nodes, summed over a Pipeline's steps and an
    ensemble's estimators."""
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list):
        return float(sum(
            count_parameters(step, depth + 1)
            for _, step in steps
            if step is not None and step != "passthrough"
        ))
    module = getattr(estimator, "module_", None)
    if module is not None and hasattr(module, "parameters"):
        return float(sum(int(p.numel()) for p in module.parameters()))
    return float(sum(
        _count(value, depth)
        for name, value in vars(estimator).items()
        # counts (n_iter_, n_features_in_ ...), names and labels are not parameters
        if name.endswith("_") and not name.startswith(("_", "n_"))
        and name not in ("feature_names_in_", "classes_")
    ))


#: cost name -> (cv_results_ column, its measure of a fitted estimator or None
#: where ``_fit_and_score`` measures it already)
COSTS = {
    "fit_time": ("mean_fit_time", None),
    "score_time": ("mean_score_time", None),
    "latency": ("mean_latency", None),
    "model_size": ("mean_model_size", _pickled_bytes),
    "n_parameters": ("mean_n_parameters", count_parameters),
}


class Objective(NamedTuple):
    """One objective of a search: its name, direction and ``cv_results_`` column."""

    name: str
    direction: str  # "maximize" or "minimize"
    column: str
    is_cost: bool

    @property
    def sign(self):
        return 1.0 if self.direction == "maximize" else -1.0


def _scorer_names(scoring):
    """The scorer names of ``scoring``: ``["score"]`` for one metric, None
    where a callable's names are known only once it has scored."""
    if callable(scoring):
        return None
    if isinstance(scoring, (list, tuple, set, dict)):
        return sorted(scoring)
    return ["score"]


def is_several(objective):
    """Whether ``objective`` asks for several objectives (a list or dict)."""
    return isinstance(objective, (list, tuple, dict))


def resolve_objectives(objective, scoring):
    """The objectives ``objective`` names (a list or dict of at least two),
    checked against ``scoring``; a ValueError or TypeError naming
    ``objective`` and what is valid otherwise."""
    if isinstance(objective, dict):
        items = list(objective.items())
    else:
        items = [(name, None) for name in objective]
    if len(items) < 2:
        raise ValueError(
            f"objective={objective!r}: a list or dict of objectives needs at least two "
            "names; for one scorer, give its name (objective='name') or leave "
            "objective=None."
        )
    scorers = _scorer_names(scoring)
    valid = sorted(set(scorers or []) | set(COSTS) | ({scoring} if isinstance(scoring, str) else set()))
    out, seen = [], set()
    for name, direction in items:
        if not isinstance(name, str):
            raise TypeError(
                f"objective={objective!r}: every objective is a name (str); got "
                f"{name!r}. Valid names: {valid!r}."
            )
        if name in seen:
            raise ValueError(f"objective={objective!r} names {name!r} twice.")
        seen.add(name)
        # one metric is "score" in cv_results_; its scoring string names it too
        alias = isinstance(scoring, str) and name == scoring
        is_scorer = alias or (name in scorers if scorers is not None else name not in COSTS)
        if not is_scorer and name not in COSTS:
            raise ValueError(
                f"objective={objective!r}: {name!r} is neither a scorer of "
                f"scoring={scoring!r} nor a cost sksearch measures; valid names: "
                f"{valid!r}."
            )
        if direction is None:
            direction = "maximize" if is_scorer else "minimize"
        if direction not in _DIRECTIONS:
            raise ValueError(
                f"objective={objective!r}: the direction of {name!r} must be one of "
                f"{list(_DIRECTIONS)}; got {direction!r}."
            )
        if is_scorer:
            single = scorers == ["score"] or (scorers is None and name == "score")
            single = single or alias
            column = "mean_test_score" if single else f"mean_test_{name}"
        else:
            column = COSTS[name][0]
        out.append(Objective(name, direction, column, not is_scorer))
    return out


def first_scorer(objectives):
    """The name of the first scorer among ``objectives`` (None: only costs)."""
    return next((o.name for o in objectives if not o.is_cost), None)


def measures(objectives):
    """The costs the loop measures on each fitted estimator (``model_size``,
    ``n_parameters``), in a fixed order."""
    return tuple(o.name for o in objectives if o.is_cost and COSTS[o.name][1] is not None)


def _measured(fit_and_score, names, *args, **kwargs):
    out = fit_and_score(*args, return_estimator=True, **kwargs)
    estimator = out.pop("estimator", None)
    failed = out.get("fit_error") is not None
    for name in names:
        out[name] = float("nan") if failed else float(COSTS[name][1](estimator))
    return out


def measured_fit_and_score(fit_and_score, names):
    """``fit_and_score`` that also measures ``names`` on the fitted estimator,
    in the worker (the estimator is not sent back)."""
    return partial(_measured, fit_and_score, tuple(names))


def _fold_value(out, objective):
    name = objective.name
    if not objective.is_cost:
        v = out["test_scores"]
        if isinstance(v, dict):  # several metrics; one metric is a float
            if name not in v:
                raise ValueError(
                    f"objective: {name!r} is not one of the scorers {sorted(v)!r}."
                )
            v = v[name]
        return float(v)
    if name == "latency":
        return float(out["score_time"]) / max(float(out["n_test_samples"]), 1.0)
    return float(out.get(name, np.nan))


def candidate_vector(outs, objectives):
    """One candidate's objectives (means over its folds), higher is better:
    what the strategy is told."""
    return np.array(
        [o.sign * float(np.mean([_fold_value(out, o) for out in outs])) for o in objectives]
    )


def cost_columns(results, out, n_splits, objectives):
    """Add to ``results`` the ``mean_`` and ``std_`` columns of the measured
    costs (``model_size``, ``n_parameters``, ``latency``) that
    ``cv_results_`` lacks, from the per-fold results ``out``."""
    n = len(results["params"])
    for o in objectives:
        if not o.is_cost or o.column in results:
            continue
        values = np.array([_fold_value(x, o) for x in out], dtype=float).reshape(n, n_splits)
        results[f"mean_{o.name}"] = values.mean(axis=1)
        results[f"std_{o.name}"] = values.std(axis=1)
    return results


def results_matrix(results, objectives, *, param="objective"):
    """The objectives of every row of ``cv_results_``, higher is better."""
    cols = []
    for o in objectives:
        if o.column not in results:
            raise ValueError(
                f"{param}: the results have no column {o.column!r} for the objective "
                f"{o.name!r}."
            )
        cols.append(o.sign * np.asarray(results[o.column], dtype=float))
    return np.column_stack(cols)


def front_and_ranks(Y):
    """``(indices of the non-dominated rows, Pareto rank of every row)``."""
    return np.flatnonzero(non_dominated(Y)), pareto_ranks(Y)


def choose_refit_index(refit, results, objectives, front):
    """The row ``refit`` chooses: the front's best on the first objective
    (``True``), on the objective or scorer ``refit`` names, or what a callable
    returns (any row, as sklearn's). Ties go to the earlier row."""
    if callable(refit):
        index = refit(results)
        if not isinstance(index, Integral):
            raise TypeError("best_index_ returned is not an integer")
        if index < 0 or index >= len(results["params"]):
            raise IndexError("best_index_ index out of range")
        return int(index)
    if refit is True:
        objective = objectives[0]
    else:
        objective = next((o for o in objectives if o.name == refit), None)
        if objective is None:
            column = f"mean_test_{refit}"
            if column not in results:
                names = [o.name for o in objectives]
                raise ValueError(
                    f"refit={refit!r} names neither an objective {names!r} nor a scorer "
                    "of scoring; give one of them, True (the front's best on the first "
                    "objective), a callable or False."
                )
            objective = Objective(refit, "maximize", column, False)
    values = objective.sign * np.asarray(results[objective.column], dtype=float)[front]
    values = np.where(np.isfinite(values), values, -np.inf)
    return int(front[int(np.argmax(values))])


def scaled_hypervolume(Y, lower=None, upper=None):
    """Hypervolume of the rows of ``Y`` (higher is better) after scaling each
    objective to [0, 1] between ``lower`` and ``upper`` (default: the rows'
    own worst and best), against the reference point 0.1 below the worst, as a
    share of the largest possible: 1 is a single point best in everything."""
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2 or not len(Y):
        return 0.0
    finite = np.isfinite(Y).all(axis=1)
    if not finite.any():
        return 0.0
    lower = np.nanmin(Y[finite], axis=0) if lower is None else np.asarray(lower, float)
    upper = np.nanmax(Y[finite], axis=0) if upper is None else np.asarray(upper, float)
    span = np.where(upper > lower, upper - lower, 1.0)
    Z = (Y[finite] - lower) / span
    k = Y.shape[1]
    return hypervolume(Z, np.full(k, -0.1)) / 1.1**k


def hypervolume_curve(Y):
    """The scaled hypervolume after each row of ``Y`` (bounds: all the rows),
    so the curve never goes down."""
    Y = np.asarray(Y, dtype=float)
    finite = np.isfinite(Y).all(axis=1)
    if not finite.any():
        return np.zeros(len(Y))
    lower, upper = Y[finite].min(axis=0), Y[finite].max(axis=0)
    return np.array([scaled_hypervolume(Y[: i + 1], lower, upper) for i in range(len(Y))])
