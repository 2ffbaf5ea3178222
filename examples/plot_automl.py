"""
=================================================
Every candidate of a model-selection search, seen
=================================================

A search that chooses the model as well as its parameters (a list of
dicts, one per model) leaves candidates with different parameters: an SVC
has ``C`` and ``kernel``, a forest ``max_depth``, nearest neighbours
``n_neighbors`` and ``weights``. The figures of :mod:`sksearch.plot` show all
of them:

* parallel coordinates, one line per candidate through the axes of its own
  parameters;
* a slice plot, each candidate's raw score against each parameter;
* importance and partial dependence, read off a surrogate of the scores;
* a timeline of the fits on the workers, which shows what ``n_jobs``,
  ``batch_size`` and ``asynchronous=True`` do;
* the rungs of a Hyperband search;
* and the same figures for scikit-learn's own ``GridSearchCV``.

Needs matplotlib (``pip install "sksearch[plot]"``). Runs in well under a
minute on two cores.

Run: ``python examples/plot_automl.py``. With a display the figures open in
windows; without one they are saved as ``plot_automl_<n>.png`` in the
current folder.
"""

# %%
# A model-selection search
# ------------------------
# Three models in one Pipeline step, each with its own parameters, on the
# wine data set (scaled inside the Pipeline, so that each fold is scaled on
# its own training part).

import sys

import matplotlib
import matplotlib.pyplot as plt
from sklearn.datasets import load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksearch import HyperbandSearchCV, TPESearchCV
from sksearch.plot import (
    plot_hyperband,
    plot_importance,
    plot_parallel_coordinates,
    plot_partial_dependence,
    plot_slice,
    plot_timeline,
)
from sksearch.space import Integer, Real

X, y = load_wine(return_X_y=True)
cv = StratifiedKFold(3, shuffle=True, random_state=0)
pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
space = [
    {"clf": [SVC()], "clf__C": Real(1e-3, 1e3, log=True),
     "clf__kernel": ["rbf", "linear", "sigmoid"]},
    {"clf": [RandomForestClassifier(n_estimators=30, random_state=0)],
     "clf__max_depth": Integer(1, 12)},
    {"clf": [KNeighborsClassifier()], "clf__n_neighbors": Integer(1, 40),
     "clf__weights": ["uniform", "distance"]},
]
search = TPESearchCV(pipe, space, n_iter=40, cv=cv, n_jobs=2, random_state=0).fit(X, y)
print(f"best: {search.best_params_['clf'].__class__.__name__}, "
      f"CV accuracy {search.best_score_:.3f}")

# %%
# Parallel coordinates
# --------------------
# One line per candidate, coloured by its score, the best on top. The first
# axis is the model (the sub-space); a candidate has a dot on each axis of
# its own parameters, and a faint dashed line bridges the axes of the other
# models' parameters. The candidates of a choice (a kernel, a weighting)
# spread over a band around its label, the best highest.

plot_parallel_coordinates(search)

# %%
# Slice plot
# ----------
# The raw scores against each parameter, no model in between; the colour is
# the order of evaluation, so the late candidates show where the search
# settled. The best candidate is ringed in red.

plot_slice(search)

# %%
# Importance and partial dependence
# ---------------------------------
# A random forest fitted to the scores: the share of the score's variation
# each parameter explains (the choice of model is the "sub-space" bar), and
# how the score depends on each parameter within its model. A choice's bar
# grows from 0 and is labelled with its value.

plot_importance(search)
plot_partial_dependence(search)

# %%
# What the workers did
# --------------------
# Each round asks the strategy for ``batch_size`` candidates (4 by default)
# and cross-validates them on ``n_jobs`` workers; a worker that finishes its
# share early waits for the round's last fit. ``asynchronous=True`` asks for
# a new candidate as soon as a worker frees, so no one waits (and the
# candidates then depend on the workers' timing). The timeline is rebuilt
# from ``cv_results_``'s fit and score times.

plot_timeline(search)
fast = TPESearchCV(pipe, space, n_iter=40, cv=cv, n_jobs=2, asynchronous=True,
                   random_state=0).fit(X, y)
plot_timeline(fast)

# %%
# Hyperband's rungs
# -----------------
# A forest's number of trees as the resource: each bracket starts many
# candidates on few trees and gives more trees to the best third.

hyperband = HyperbandSearchCV(
    RandomForestClassifier(random_state=0),
    {"max_depth": Integer(1, 12), "max_features": Real(0.1, 1.0)},
    resource="n_estimators", min_resources=3, max_resources=27, cv=cv, random_state=0,
    n_iter=22,  # one round of brackets, enough to draw; the default spends ~50 full fits
).fit(X, y)
plot_hyperband(hyperband)

# %%
# scikit-learn's own searches
# ---------------------------
# The figures read a fitted ``GridSearchCV`` or ``RandomizedSearchCV`` as
# well (their grid's lists are choices).

grid = GridSearchCV(pipe, {"clf__C": [0.01, 0.1, 1, 10, 100],
                           "clf__kernel": ["rbf", "linear"]}, cv=cv).fit(X, y)
plot_slice(grid)
plot_importance(grid)

# %%
# Outside the documentation build (which collects the figures itself), show
# the figures in windows, or save them when there is no display to show them
# on.

NON_INTERACTIVE = {
    "agg", "cairo", "pdf", "pgf", "ps", "svg", "template",
}
if "sphinx_gallery" not in sys.modules:
    if matplotlib.get_backend().lower() in NON_INTERACTIVE:
        for number in plt.get_fignums():
            name = f"plot_automl_{number}.png"
            plt.figure(number).savefig(name, dpi=100)
            print(f"saved {name}")
    else:
        plt.show()
