"""
==========
Quickstart
==========

Swap GridSearchCV for a sksearch class, keep everything else.

Tunes an RBF support-vector classifier on the digits data set that ships with
scikit-learn, first with GridSearchCV over a 6 x 5 grid (30 candidates), then
with sksearch over the same ranges, as continuous log-scaled dimensions, with
half the candidates. Prints the best cross-validated accuracy and the wall time
of each.

Run: python examples/quickstart.py
"""

import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksearch import TPESearchCV as SearchCV  # or BayesSearchCV, GeneticSearchCV, ...
from sksearch.space import Real

X, y = load_digits(return_X_y=True)
cv = StratifiedKFold(5, shuffle=True, random_state=0)
pipe = make_pipeline(StandardScaler(), SVC())

grid = {"svc__C": np.logspace(-2, 3, 6).tolist(), "svc__gamma": np.logspace(-5, -1, 5).tolist()}
start = time.perf_counter()
gs = GridSearchCV(pipe, grid, cv=cv, n_jobs=-1).fit(X, y)
grid_time = time.perf_counter() - start

# the same ranges, searched continuously in log space, with half the budget
space = {"svc__C": Real(1e-2, 1e3, log=True), "svc__gamma": Real(1e-5, 1e-1, log=True)}
start = time.perf_counter()
ss = SearchCV(pipe, space, n_iter=15, cv=cv, n_jobs=-1, random_state=0).fit(X, y)
search_time = time.perf_counter() - start

print(f"{'search':<22}{'candidates':>11}{'best CV accuracy':>18}{'wall time':>11}")
print(f"{'GridSearchCV':<22}{len(gs.cv_results_['params']):>11}{gs.best_score_:>18.4f}"
      f"{grid_time:>10.1f}s")
print(f"{SearchCV.__name__:<22}{len(ss.cv_results_['params']):>11}{ss.best_score_:>18.4f}"
      f"{search_time:>10.1f}s")
print(f"\nbest parameters ({SearchCV.__name__}): {ss.best_params_}")
print(f"held-in accuracy of the refitted model: {ss.score(X, y):.4f}")
