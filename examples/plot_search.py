"""
==========================
Looking at a fitted search
==========================

The figures of :mod:`sksearch.plot` on a support-vector classifier tuned on
the breast-cancer data set that ships with scikit-learn:

* how fast :class:`~sksearch.TPESearchCV` finds good candidates, next to
  scikit-learn's ``RandomizedSearchCV`` with the same budget and folds;
* which parameters matter (importance) and how the score depends on them
  (partial dependence), both read off a random-forest surrogate of the
  evaluated candidates;
* every candidate at once, in parallel coordinates.

Needs matplotlib (``pip install "sksearch[plot]"``). Runs in a few seconds.

Run: python examples/plot_search.py
"""

import matplotlib.pyplot as plt
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksearch import TPESearchCV
from sksearch.plot import (
    plot_convergence,
    plot_importance,
    plot_parallel_coordinates,
    plot_partial_dependence,
)
from sksearch.space import Real

X, y = load_breast_cancer(return_X_y=True)
cv = StratifiedKFold(3, shuffle=True, random_state=0)
pipe = make_pipeline(StandardScaler(), SVC())

space = {
    "svc__C": Real(1e-2, 1e3, log=True),
    "svc__gamma": Real(1e-5, 1e1, log=True),
    "svc__kernel": ["rbf", "sigmoid"],
}
tpe = TPESearchCV(pipe, space, n_iter=25, cv=cv, random_state=0).fit(X, y)
random = RandomizedSearchCV(
    pipe,
    {"svc__C": loguniform(1e-2, 1e3), "svc__gamma": loguniform(1e-5, 1e1),
     "svc__kernel": ["rbf", "sigmoid"]},
    n_iter=25, cv=cv, random_state=0,
).fit(X, y)
print(f"best CV accuracy: TPE {tpe.best_score_:.4f}, random {random.best_score_:.4f}")

# %%
# Convergence: the best score so far against the candidates evaluated.
plot_convergence(tpe, random)

# %%
# Importance and partial dependence, from a surrogate of TPE's candidates.
plot_importance(tpe)
plot_partial_dependence(tpe, ["svc__C", "svc__gamma", "svc__kernel",
                              ("svc__C", "svc__gamma")])

# %%
# Every candidate as a line, coloured by its score; the best are on top.
plot_parallel_coordinates(tpe)
plt.show()
