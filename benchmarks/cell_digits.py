"""CellNetClassifier (default cell) against ConvNetClassifier (default) on load_digits.

Each seed: a stratified 75/25 split of ``load_digits`` (``random_state=seed``),
both networks with their default topology and training settings, images read
through ``input_shape=(8, 8)``, ``max_epochs`` epochs, ``random_state=seed``.
Reports the test accuracy and the wall time of ``fit``.

Run from the repository root (timed runs under the shared lock)::

    flock /tmp/bench.lock python -m benchmarks.cell_digits --seeds 0 1 2 --n-threads 1

Prints a Markdown table and writes JSON to benchmarks/results/cell_digits.json.
"""

import argparse
import json
import os
import platform
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sksearch.nas import CellNetClassifier, ConvNetClassifier

MODELS = {"CellNetClassifier()": CellNetClassifier, "ConvNetClassifier()": ConvNetClassifier}


def run(name, seed, max_epochs, n_threads):
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    net = MODELS[name](input_shape=(8, 8), max_epochs=max_epochs, n_threads=n_threads,
                       random_state=seed)
    start = time.perf_counter()
    net.fit(Xtr, ytr)
    elapsed = time.perf_counter() - start
    n_weights = sum(p.numel() for p in net.module_.parameters())
    return {"model": name, "seed": seed, "max_epochs": max_epochs, "n_threads": n_threads,
            "test_accuracy": float(net.score(Xte, yte)), "fit_time_s": elapsed,
            "n_weights": int(n_weights), "device": str(net.device_)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--max-epochs", type=int, default=30)
    parser.add_argument("--n-threads", type=int, default=None)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args(argv)
    rows = [run(m, s, args.max_epochs, args.n_threads) for m in args.models for s in args.seeds]
    for r in rows:
        print(json.dumps(r))
    print(f"\n{platform.processor() or platform.machine()}, load {os.getloadavg()[0]:.1f}\n")
    print("| model | epochs | weights | test accuracy (mean +- sd) | fit time (mean, range) |")
    print("|---|---|---|---|---|")
    for m in args.models:
        rs = [r for r in rows if r["model"] == m]
        acc = np.array([r["test_accuracy"] for r in rs])
        t = np.array([r["fit_time_s"] for r in rs])
        print(f"| {m} | {args.max_epochs} | {rs[0]['n_weights']} | {acc.mean():.4f} +- "
              f"{acc.std():.4f} | {t.mean():.1f} s ({t.min():.1f}-{t.max():.1f}) |")
    os.makedirs("benchmarks/results", exist_ok=True)
    with open("benchmarks/results/cell_digits.json", "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
