"""The training recipe of the one-shot CNN family's retrained cell network.

``CellNetClassifier`` (default cell, 30 epochs) with its own training
defaults (Adam, constant rate, batch 64) against the recipe that the
black-box MLP search found best (``benchmarks/nas_recipe.py``): AdamW with
weight decay 0.01, a cosine schedule, label smoothing 0.1, batch 32. Scores
are 3-fold CV accuracies on the training part (75 %, stratified) of
``load_digits``: the test part is never looked at. Accuracies only, not timed.

Run from the repository root::

    python -m benchmarks.cell_recipe --seeds 0 1

Measured 2026-11-23 (shared 2-core CPU machine, one torch thread per fit):

=========================================  ===================  ==================
recipe                                     CV accuracy seed 0   CV accuracy seed 1
=========================================  ===================  ==================
CellNetClassifier defaults                 0.9666               0.9762
AdamW 0.01, cosine, smoothing 0.1, bs 32   0.9896               0.9859
=========================================  ===================  ==================

so the one-shot CNN family retrains with the recipe (``NASClassifier``'s
default one-shot space for ``architecture="cnn"`` fixes it).
"""

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from sksearch.nas import CellNetClassifier

RECIPES = {
    "defaults": {},
    "recipe": dict(optimizer="adamw", lr_schedule="cosine", label_smoothing=0.1,
                   weight_decay=1e-2, batch_size=32),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--max-epochs", type=int, default=30)
    args = parser.parse_args(argv)
    X, y = load_digits(return_X_y=True)
    for name, recipe in RECIPES.items():
        scores = []
        for seed in args.seeds:
            Xtr, _, ytr, _ = train_test_split(X, y, test_size=0.25, stratify=y,
                                              random_state=seed)
            net = CellNetClassifier(input_shape=(8, 8), max_epochs=args.max_epochs,
                                    n_threads=1, random_state=seed, **recipe)
            cv = StratifiedKFold(3, shuffle=True, random_state=seed)
            scores.append(cross_val_score(net, Xtr, ytr, cv=cv).mean())
            print(f"{name:9s} seed {seed}: CV accuracy {scores[-1]:.4f}", flush=True)
        print(f"{name:9s} mean {np.mean(scores):.4f}")


if __name__ == "__main__":
    main()
