"""HyperbandSearchCV's defaults against RandomizedSearchCV(n_iter=40), in compute
that does not depend on the machine's load.

The time-based tables of ``hyperband_speed.py`` need a quiet machine. This
benchmark counts compute in *full evaluations*: an evaluation at resource
``r`` trained from scratch costs ``r / max_resources`` of one at
``max_resources``, one that continued the candidate's models of the previous
rung (``cv_results_["warm_started"]``) costs ``(r - r_prev) / max_resources``.
RandomizedSearchCV(40) costs 40. The fixed part of a fit (its set-up,
binning, scoring) is not counted: ``min_resources="auto"`` (the default)
keeps it at most half of an evaluation at any rung, so the counts here
flatter the low rungs by at most a factor of two there.

For each problem and seed: the target is RandomizedSearchCV(40)'s best CV
score; ``ratio`` is the compute a search spent, in evaluation order, until
an evaluation at ``max_resources`` reached the target, over 40 (the whole
run when never reached: a lower bound, marked ``>``); ``final`` is the best
CV score at ``max_resources``. A synchronous HyperbandSearchCV proposes the
same candidates for any ``n_jobs`` (its ``batch_size`` fixes them), so these
counts hold for one worker and for two; the wall time of two workers is in
``hyperband_speed.py --n-jobs 2``. ``--problems nas_epochs`` (an sksearch
network on the digits, resource ``max_epochs``) needs the ``nas`` extra.

    OMP_NUM_THREADS=1 PYTHONPATH=. python benchmarks/hyperband_defaults.py \\
        --problems hgb_max_iter et_n_estimators sgd_max_iter svc_n_samples \\
        --seeds 0 1 2 3 4 --out benchmarks/results/hyperband_defaults.jsonl
    PYTHONPATH=. python benchmarks/hyperband_defaults.py --report \\
        benchmarks/results/hyperband_defaults.jsonl
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import warnings

import numpy as np
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold, train_test_split

from benchmarks.hyperband_speed import PROBLEMS, _min_resources
from sksearch import HyperbandSearchCV
from sksearch.optimizers import all_optimizers
from sksearch.optimizers.hyperband import max_depth, round_evaluations

# name -> HyperbandSearchCV keyword arguments besides the problem's resource;
# "sampler_kw" goes to the sampler's constructor (see _Search)
SEARCHES = {
    "hyperband, one round": {"n_iter": "one round", "sampler": "random"},
    "hyperband": {"sampler": "random"},
    "bohb": {"sampler": "tpe"},
    "gp": {"sampler": "gp"},
    "gp, 5 initial": {"sampler": "gp", "sampler_kw": {"n_initial_points": 5}},
}


class _Search(HyperbandSearchCV):
    """HyperbandSearchCV whose sampler is built with extra keyword arguments
    (the earlier defaults of a sampler, measured beside the new ones)."""

    def __init__(self, estimator, param_distributions, *, sampler_kw=None, **kwargs):
        super().__init__(estimator, param_distributions, **kwargs)
        self.sampler_kw = sampler_kw

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        if not self.sampler_kw:
            return super()._make_optimizer(space, random_state=random_state,
                                           batch_size=batch_size, n_levels=n_levels)
        cls = next(c for _, name, c, _ in all_optimizers("sampler") if name == self.sampler)
        kw = dict(random_state=random_state, **self.sampler_kw)
        if self.sampler == "gp":
            kw["n_levels"] = n_levels
        return cls(space, **kw)


def compute_trace(search):
    """(cumulative compute after each evaluation, best score at max_resources
    so far), in evaluation order, compute in full evaluations."""
    res = search.cv_results_
    n_res = np.asarray(res["n_resources"], dtype=float)
    warm = np.asarray(res.get("warm_started", np.zeros(len(n_res), bool)), dtype=bool)
    levels = sorted(set(n_res.tolist()))
    top = float(search.max_resources_)
    prev = {r: (levels[i - 1] if i else 0.0) for i, r in enumerate(levels)}
    cost = np.where(warm, n_res - np.array([prev[r] for r in n_res]), n_res) / top
    scores = np.asarray(res["mean_test_score"], dtype=float)
    at_top = np.where(n_res >= top, scores, -np.inf)
    return np.cumsum(cost), np.maximum.accumulate(np.nan_to_num(at_top, nan=-np.inf))


def run(pname, seed, names):
    X, y, est, space, res_kw = PROBLEMS[pname]()
    X, _, y, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    cv = StratifiedKFold(3, shuffle=True, random_state=seed)
    kw = {k: v for k, v in res_kw.items() if k != "min_resources"}  # the default "auto"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        random40 = RandomizedSearchCV(est, space, n_iter=40, cv=cv, random_state=seed).fit(X, y)
    target = float(random40.best_score_)
    scores = np.asarray(random40.cv_results_["mean_test_score"], dtype=float)
    hit = np.flatnonzero(np.maximum.accumulate(scores) >= target - 1e-12)
    out = [dict(problem=pname, seed=seed, search="random40", compute=40.0,
                to_target=float(hit[0] + 1), final=target, n_eval=40, target=target)]
    for name in names:
        extra = dict(SEARCHES[name])
        if extra.get("n_iter") == "one round":
            # the default budget before n_iter="auto" meant about 50 full evaluations
            lo, hi = _min_resources("auto", res_kw, est, cv, X, y)
            extra["n_iter"] = round_evaluations(max_depth(lo, hi, 3), 3)
        search = _Search(est, space, cv=cv, random_state=seed, refit=False, **kw, **extra)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X, y)
        compute, best = compute_trace(search)
        hit = np.flatnonzero(best >= target - 1e-12)
        out.append(dict(
            problem=pname, seed=seed, search=name, compute=float(compute[-1]),
            to_target=float(compute[hit[0]]) if hit.size else None,
            final=float(best[-1]), n_eval=len(compute), target=target,
            min_resources=int(search.min_resources_),
        ))
    return out


def report(path):
    rows = [json.loads(line) for line in open(path)]
    lines = []
    for pname in dict.fromkeys(r["problem"] for r in rows):
        sub = [r for r in rows if r["problem"] == pname]
        seeds = sorted({r["seed"] for r in sub})
        lines += [f"#### {pname}: {PROBLEMS[pname].__doc__.strip()}", "",
                  f"{len(seeds)} seeds {seeds}, 3-fold CV; compute in full evaluations "
                  "(RandomizedSearchCV(40) = 40).", "",
                  "| search | compute | evaluations | reached | ratio median | ratio per seed "
                  "| final CV | final - random40 |", "|---|---|---|---|---|---|---|---|"]
        base = {r["seed"]: r for r in sub if r["search"] == "random40"}
        for name in dict.fromkeys(r["search"] for r in sub):
            rs = sorted((r for r in sub if r["search"] == name), key=lambda r: r["seed"])
            ratios = [(r["to_target"] if r["to_target"] is not None else r["compute"]) / 40
                      for r in rs]
            cells = [(f"{x:.2f}" if r["to_target"] is not None else f">{x:.2f}")
                     for x, r in zip(ratios, rs)]
            reached = sum(r["to_target"] is not None for r in rs)
            diff = np.mean([r["final"] - base[r["seed"]]["final"] for r in rs])
            lines.append(
                f"| {name} | {np.mean([r['compute'] for r in rs]):.1f} | "
                f"{np.mean([r['n_eval'] for r in rs]):.0f} | {reached}/{len(rs)} | "
                f"{np.median(ratios):.2f} | {' '.join(cells)} | "
                f"{np.mean([r['final'] for r in rs]):.4f} | {diff:+.4f} |")
        lines.append("")
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problems", nargs="+", choices=list(PROBLEMS),
                        default=["hgb_max_iter", "et_n_estimators", "sgd_max_iter",
                                 "svc_n_samples"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--searches", nargs="+", choices=list(SEARCHES), default=list(SEARCHES))
    parser.add_argument("--out")
    parser.add_argument("--report", metavar="JSONL")
    args = parser.parse_args()
    if args.report:
        report(args.report)
        return
    for pname in args.problems:
        for seed in args.seeds:
            for r in run(pname, seed, args.searches):
                print(json.dumps(r), flush=True)
                if args.out:
                    with open(args.out, "a") as fh:
                        fh.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
