"""Black-box NAS over CellNetClassifier's cells on load_digits: the GP with
the default cell encoding against the flat GP, at the same budget.

Each seed: a stratified 75/25 split of ``load_digits`` (``random_state=seed``),
then ``NASClassifier(architecture="cnn", search_space="cells",
strategy="bayes")`` with ``strategy_params={"encoding": ...}``, the same
``n_iter``, ``max_epochs``, ``cv`` and ``random_state`` for every encoding;
the best network's test accuracy, the best CV score and the wall and CPU
time of ``fit`` (search and refit).

Run from the repository root::

    OMP_NUM_THREADS=1 python -m benchmarks.nas_cells_digits --seeds 0 1 2 \\
        --out benchmarks/results/nas_cells_digits.json

Prints a Markdown table (and writes the runs as JSON with ``--out``).
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def run(encoding, seed, n_iter, max_epochs, n_initial_points):
    from sksearch.nas import NASClassifier

    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    nas = NASClassifier(
        architecture="cnn", search_space="cells", strategy="bayes", n_iter=n_iter,
        max_epochs=max_epochs, cv=3, n_jobs=1, random_state=seed, input_shape=(8, 8),
        net_params={"n_threads": 1},
        strategy_params={"encoding": encoding, "n_initial_points": n_initial_points},
    )
    wall, cpu = time.perf_counter(), time.process_time()
    nas.fit(Xtr, ytr)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"encoding": encoding, "encoding_used": nas.search_.optimizer_.encoding_,
            "seed": seed, "n_iter": n_iter, "max_epochs": max_epochs,
            "test_accuracy": float(nas.score(Xte, yte)), "best_cv": float(nas.best_score_),
            "best_params": {k: v for k, v in nas.best_params_.items() if k.startswith("op_")},
            "wall_s": wall, "cpu_s": cpu}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--encodings", nargs="+", default=["flat", "auto"])
    parser.add_argument("--n-iter", type=int, default=24)
    parser.add_argument("--max-epochs", type=int, default=8)
    parser.add_argument("--n-initial-points", type=int, default=6)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    rows = []
    for seed in args.seeds:  # interleaved, so the machine's load hits both alike
        for enc in args.encodings:
            rows.append(run(enc, seed, args.n_iter, args.max_epochs, args.n_initial_points))
            print(json.dumps(rows[-1]), flush=True)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(rows, indent=1))
    print(f"\n{platform.machine()}, load {os.getloadavg()[0]:.1f} at the end\n")
    print("| encoding | test accuracy (mean +- sd) | best CV (mean) | wall s (mean) "
          "| CPU s (mean) | per seed: test accuracy |")
    print("|---|---|---|---|---|---|")
    for enc in args.encodings:
        rs = [r for r in rows if r["encoding"] == enc]
        acc = np.array([r["test_accuracy"] for r in rs])
        name = enc if enc != "auto" else f"auto ({rs[0]['encoding_used']})"
        print(f"| {name} | {acc.mean():.4f} +- {acc.std():.4f} | "
              f"{np.mean([r['best_cv'] for r in rs]):.4f} | "
              f"{np.mean([r['wall_s'] for r in rs]):.0f} | "
              f"{np.mean([r['cpu_s'] for r in rs]):.0f} | "
              + ", ".join(f"{a:.4f}" for a in acc) + " |")


if __name__ == "__main__":
    main()
