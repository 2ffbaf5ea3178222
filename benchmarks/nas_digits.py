"""NAS on load_digits: test accuracy and search time of NASClassifier (MLP, CNN).

The issue's targets (2 CPU cores, no GPU), on a stratified 75/25 split of
``load_digits``, mean test accuracy over seeds: MLP search >= 0.985 within 3
minutes of search, CNN search >= 0.988 within 10 minutes; reference: sklearn's
``MLPClassifier()`` default, measured here on the same splits.

Each seed gets its own split (``random_state=seed``) and its own search seed.
The search time is the wall time of ``NASClassifier.fit`` (search and refit).
``--strategy`` is any NAS strategy name (``tpe`` falls back to ``random`` where
this sksearch has no TPE). ``device="auto"``: a GPU is used when present.

Run from the repository root::

    python -m benchmarks.nas_digits --arch mlp cnn --seeds 0 1 2

Prints a Markdown table and writes JSON to benchmarks/results/nas_digits.json.

Measured 2026-11-23 on the shared 2-core CPU machine (torch 2.13.0+cpu, other
jobs running: load 2-7, so times vary up to 2x between runs), seeds 0 1 2:

================  =========  ========================  ==============  ============
model             strategy   budget                    test accuracy   search time
================  =========  ========================  ==============  ============
MLPClassifier()   -          sklearn default           0.969 +- 0.007  8-20 s (fit)
NAS mlp           random     25 cand., 40 ep., cv=3    0.976 +- 0.006  64 s
NAS mlp           tpe        25 cand., 40 ep., cv=3    0.978 +- 0.004  82 s
NAS mlp           hyperband  30 evals, <= 40 ep.       0.976 +- 0.006  34 s
NAS cnn           tpe        32 cand., 30 ep., cv=3    0.996 +- 0.003  141-505 s
================  =========  ========================  ==============  ============
"""

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
import sklearn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sksearch.nas import NASClassifier

TARGETS = {"mlp": (0.985, 180), "cnn": (0.988, 600)}
# budgets sized to stay inside the targets' time on 2 busy cores
BUDGETS = {"mlp": dict(n_iter=25, max_epochs=40), "cnn": dict(n_iter=32, max_epochs=30)}


def run_nas(arch, seed, strategy, n_jobs, cv, budget):
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    nas = NASClassifier(arch, strategy, cv=cv, n_jobs=n_jobs, random_state=seed, **budget)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        nas.fit(Xtr, ytr)
    elapsed = time.perf_counter() - start
    return {
        "arch": arch, "seed": seed, "strategy": nas.strategy_, "n_jobs": n_jobs, "cv": cv,
        **budget, "test_accuracy": float(nas.score(Xte, yte)),
        "cv_accuracy": float(nas.best_score_), "search_time_s": elapsed,
        "best_params": {k: repr(v) for k, v in nas.best_params_.items()},
        "device": str(nas.best_estimator_.device_),
    }


def run_reference(seed):
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(random_state=seed).fit(Xtr, ytr)
    return {"arch": "sklearn MLPClassifier()", "seed": seed,
            "test_accuracy": float(clf.score(Xte, yte)),
            "search_time_s": time.perf_counter() - start}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="+", default=["mlp", "cnn"], choices=["mlp", "cnn"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--strategy", default="tpe")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--n-iter", type=int, default=None, help="override the budget")
    parser.add_argument("--max-epochs", type=int, default=None, help="override the budget")
    parser.add_argument("--out", default="benchmarks/results/nas_digits.json")
    args = parser.parse_args()

    rows = [run_reference(seed) for seed in args.seeds]
    for arch in args.arch:
        budget = dict(BUDGETS[arch])
        if args.n_iter:
            budget["n_iter"] = args.n_iter
        if args.max_epochs:
            budget["max_epochs"] = args.max_epochs
        for seed in args.seeds:
            row = run_nas(arch, seed, args.strategy, args.n_jobs, args.cv, budget)
            print(json.dumps(row), flush=True)
            rows.append(row)

    print(f"\nload_digits, stratified 75/25, seeds {args.seeds}; {platform.processor() or ''} "
          f"{os.cpu_count()} cores; sklearn {sklearn.__version__}\n")
    print("| model | strategy | budget | test accuracy (mean ± sd) | search time s (mean) "
          "| target |")
    print("|---|---|---|---|---|---|")
    for arch in ["sklearn MLPClassifier()", *args.arch]:
        sel = [r for r in rows if r["arch"] == arch]
        acc = np.array([r["test_accuracy"] for r in sel])
        t = np.mean([r["search_time_s"] for r in sel])
        if arch in TARGETS:
            r0 = sel[0]
            budget = f"n_iter={r0['n_iter']}, max_epochs={r0['max_epochs']}, cv={r0['cv']}, " \
                     f"n_jobs={r0['n_jobs']}"
            target = f">= {TARGETS[arch][0]} in {TARGETS[arch][1]} s"
            strategy = r0["strategy"]
            name = f"NASClassifier({arch!r})"
        else:
            budget, target, strategy, name = "default", "reference", "-", arch
        print(f"| {name} | {strategy} | {budget} | {acc.mean():.4f} ± {acc.std():.4f} "
              f"| {t:.0f} | {target} |")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
