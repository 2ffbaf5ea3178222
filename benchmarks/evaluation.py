"""Evaluating candidates and turning a finished search into measures.

Every adapter evaluates candidates with scikit-learn's own cross-validation
machinery (``cross_validate`` or a ``BaseSearchCV``) on the problem's fixed
splits, with a :class:`TimedScorer`: a scorer that notes the clock each time
it is called. With one worker the calls arrive in evaluation order, so the
end of each candidate's evaluation is known without touching the library's
internals, and the optimizer overhead of each ask is

    (end of this evaluation - end of the previous one) - its fit+score time.
"""

import math
import time
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import cross_validate

__all__ = ["Eval", "TimedScorer", "cross_val_eval", "evals_from_cv_results", "measures"]


class TimedScorer:
    """A scikit-learn scorer that records ``time.perf_counter()`` after each call.

    Picklable (the stamps made in other processes are simply lost, so the
    per-ask overhead trace is only available with ``n_jobs=1``).
    """

    def __init__(self, metric):
        self.metric = metric
        self._scorer = get_scorer(metric)
        self.stamps = []

    def __call__(self, estimator, X, y, **kwargs):
        score = self._scorer(estimator, X, y, **kwargs)
        self.stamps.append(time.perf_counter())
        return score

    def __getstate__(self):
        return {"metric": self.metric, "_scorer": self._scorer, "stamps": []}

    def __repr__(self):
        return f"TimedScorer({self.metric!r})"


@dataclass
class Eval:
    """One evaluated candidate (all folds).

    ``cost`` is the share of a full evaluation it used (1 except for
    successive-halving rungs on a subsample); only ``full`` evaluations
    count towards the best score.
    """

    score: float
    fit_time: float
    score_time: float
    cost: float = 1.0
    full: bool = True

    @property
    def fit_score_time(self):
        return self.fit_time + self.score_time


def cross_val_eval(problem, params, scorer, n_jobs=1):
    """Evaluate ``params`` on the problem's splits; return an :class:`Eval`."""
    X, y = problem.data()
    estimator = clone(problem.make_estimator()).set_params(**clone(params, safe=False))
    res = cross_validate(
        estimator, X, y, cv=problem.splits(), scoring=scorer, n_jobs=n_jobs,
        error_score=np.nan,
    )
    scores = np.asarray(res["test_score"], dtype=float)
    score = float(np.mean(scores)) if np.all(np.isfinite(scores)) else math.nan
    return Eval(score, float(np.sum(res["fit_time"])), float(np.sum(res["score_time"])))


def evals_from_cv_results(cv_results, n_splits, key="score"):
    """Evals, in evaluation order, from a ``BaseSearchCV.cv_results_``."""
    mean = np.asarray(cv_results[f"mean_test_{key}"], dtype=float)
    fit = np.asarray(cv_results["mean_fit_time"], dtype=float) * n_splits
    sco = np.asarray(cv_results["mean_score_time"], dtype=float) * n_splits
    return [Eval(float(m), float(f), float(s)) for m, f, s in zip(mean, fit, sco)]


def _nanmax(values):
    values = [v for v in values if v is not None and math.isfinite(v)]
    return max(values) if values else math.nan


def measures(evals, *, n_iter, wall, n_workers, stamps, t0, n_splits, baseline):
    """The measures of one run, from its evaluations (in order) and timings.

    The budget is ``n_iter`` full-evaluation equivalents: evaluations past
    it (a genetic algorithm finishing its last generation) are cut off, so
    every optimizer is scored on the same number of evaluations.
    """
    cum, kept = 0.0, []
    for e in evals:
        if cum + e.cost > n_iter + 1e-9:
            break
        cum += e.cost
        kept.append(e)
    # best-so-far after each whole evaluation's worth of budget
    trace, best, j, cum = [], math.nan, 0, 0.0
    for i in range(1, n_iter + 1):
        while j < len(kept) and cum + kept[j].cost <= i + 1e-9:
            cum += kept[j].cost
            if kept[j].full and math.isfinite(kept[j].score):
                best = kept[j].score if math.isnan(best) else max(best, kept[j].score)
            j += 1
        trace.append(best)
    scores = [e.score for e in kept]
    fit_score = float(sum(e.fit_score_time for e in evals))
    overhead = wall - fit_score / n_workers
    ends = _evaluation_ends(stamps, n_splits, len(evals), t0)
    overhead_trace = None
    if ends is not None:
        starts = [t0] + ends[:-1]
        overhead_trace = [
            round(end - start - e.fit_score_time, 6) for start, end, e in zip(starts, ends, evals)
        ]
    best_score = _nanmax(e.score for e in kept if e.full)
    span = baseline["max"] - baseline["mean"]
    norm = lambda s: (s - baseline["mean"]) / span if math.isfinite(s) and span > 0 else math.nan  # noqa: E731
    return {
        "n_evals": len(evals),
        "n_partial_evals": int(sum(1 for e in evals if not e.full)),
        "budget_used": round(cum, 4),
        "best_score": best_score,
        "normalised_score": norm(best_score),
        "trace": trace,
        "normalised_trace": [norm(s) for s in trace],
        "scores": scores,
        "n_failed_fits": int(sum(1 for e in kept if e.full and not math.isfinite(e.score))),
        # NaN scores of partial evaluations (halving rungs on tiny subsamples)
        "n_failed_partial": int(sum(1 for e in kept if not e.full and not math.isfinite(e.score))),
        "wall_time": wall,
        "fit_score_time": fit_score,
        "overhead": overhead,
        "overhead_per_ask": overhead / max(len(evals), 1),
        "utilisation": fit_score / (wall * n_workers) if wall > 0 else math.nan,
        "overhead_trace": overhead_trace,
    }


def _evaluation_ends(stamps, n_splits, n_evals, t0):
    """End time of each evaluation from the scorer's stamps, or None.

    Only meaningful when every fold of every evaluation called the scorer in
    this process, in order (one worker, no failed fit). A library that also
    scores the training folds (sklearn-genetic-opt does) calls it a whole
    multiple of ``n_splits`` times per evaluation; the last call ends it.
    """
    if not stamps or n_evals == 0 or len(stamps) % n_evals:
        return None
    per_eval = len(stamps) // n_evals
    if per_eval % n_splits:
        return None
    ends = [stamps[(k + 1) * per_eval - 1] for k in range(n_evals)]
    if ends[0] < t0:
        return None
    return ends
