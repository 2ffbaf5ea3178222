"""
===================================
Neural architecture search (digits)
===================================

An MLP and a CNN behind fit / predict.

``NASClassifier`` searches network topologies (depth, widths, activation,
dropout, batch norm; for the CNN conv blocks, channels, kernel sizes, pooling
and the dense head; plus learning rate, weight decay, batch size) with one of
sksearch's strategies, by cross-validation, then refits the best network on
all the training data. The same 8x8 digits are given to the MLP as 64 flat
features and to the CNN as (n, 8, 8) images.

Small budgets, so that it runs in under 2 minutes on a laptop CPU; see
``benchmarks/nas_digits.py`` for the full-size search. Needs PyTorch:
``pip install "sksearch[nas]"``.

Run: python examples/nas_digits.py
"""

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sksearch.nas import NASClassifier, available_strategies

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
# TPE where this sksearch has it, else random search
strategy = "tpe" if "tpe" in available_strategies() else "random"

for architecture, X_tr, X_te, budget in [
    ("mlp", X_train, X_test, dict(n_iter=8, max_epochs=20)),
    ("cnn", X_train.reshape(-1, 8, 8), X_test.reshape(-1, 8, 8), dict(n_iter=4, max_epochs=10)),
]:
    nas = NASClassifier(architecture, strategy, cv=2, n_jobs=2, random_state=0, **budget)
    start = time.perf_counter()
    nas.fit(X_tr, y_train)
    print(f"{architecture.upper()}: {budget['n_iter']} topologies ({nas.strategy_}) in "
          f"{time.perf_counter() - start:.0f} s; cross-validated accuracy "
          f"{nas.best_score_:.3f}, test accuracy {nas.score(X_te, y_test):.3f}")
    print("  best:", {k: round(v, 5) if isinstance(v, float) else v
                      for k, v in nas.best_params_.items()})
