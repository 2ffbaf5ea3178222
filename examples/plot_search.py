"""
==========================
Looking at a fitted search
==========================

The figures of :mod:`sksearch.plot` on a support-vector classifier tuned on
the breast-cancer data set that ships with scikit-learn:

* how fast :class:`~sksearch.BayesSearchCV` (a Gaussian-process model of the
  score) finds good candidates, next to scikit-learn's
  ``RandomizedSearchCV`` with the same budget, folds and prior;
* which parameters matter (importance) and how the score depends on them
  (partial dependence), both read off a random-forest surrogate of the
  evaluated candidates;
* every candidate at once, in parallel coordinates.

Needs matplotlib (``pip install "sksearch[plot]"``). Runs in well under a
minute on two cores.

Run: ``python examples/plot_search.py``. With a display the figures open in
windows; without one (a server, a container) they are saved as
``plot_search_<n>.png`` in the current folder.
"""

# %%
# Two searches with the same budget
# ---------------------------------
# An RBF SVC on standardised features, C and gamma on a log scale. Much of
# the prior scores well, but the very best candidates sit in a small part of
# it; a model of the score spends the budget near the best found so far,
# where random draws keep spreading over the whole prior. Both searches get
# 30 candidates, the same three folds and the same seed.

import sys

import matplotlib
import matplotlib.pyplot as plt
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksearch import BayesSearchCV
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
}
prior = {
    "svc__C": loguniform(1e-2, 1e3),
    "svc__gamma": loguniform(1e-5, 1e1),
}
N_ITER = 30


def searches(seed):
    """The two searches, fitted, with the same budget, folds and seed."""
    kw = {"n_iter": N_ITER, "cv": cv, "random_state": seed}
    bayes = BayesSearchCV(pipe, space, **kw).fit(X, y)
    random = RandomizedSearchCV(pipe, prior, **kw).fit(X, y)
    return bayes, random


def report(seed, bayes, random):
    print(f"seed {seed}: best CV accuracy Bayes {bayes.best_score_:.4f}, "
          f"random {random.best_score_:.4f}")


bayes, random = searches(0)
report(0, bayes, random)

# %%
# One seed proves little: the same comparison with three more. Accuracy on
# 569 samples moves in steps of about 0.0018 (one sample in a fold of 190).

for seed in (1, 2, 3):
    report(seed, *searches(seed))

# %%
# Convergence
# -----------
# The best score so far against the candidates evaluated (seed 0); each dot
# is one candidate's own score. The Bayesian search starts from ten
# space-filling candidates, then follows its model of the score. On this seed
# the random search draws a better candidate late and leads until the
# Bayesian search's last few; over the seeds above, the Bayesian search ends
# ahead on each. The y-axis is zoomed on the top, where the two searches
# differ: the candidates that scored below 0.95 are off the chart.

ax = plot_convergence(bayes, random)
ax.set_ylim(0.95, 0.985)

# %%
# Importance
# ----------
# How much of the score's variation each parameter explains, read off a
# random forest fitted to the Bayesian search's candidates.

plot_importance(bayes)

# %%
# Partial dependence
# ------------------
# The same forest's prediction with one parameter held at each value and the
# other averaged over the prior. The panels share one y-range, so the two
# parameters' effects compare at a glance; the rug shows the values the search
# evaluated, the dashed line the best candidate's.

plot_partial_dependence(bayes, ["svc__C", "svc__gamma"])

# %%
# Both parameters at once: the contour spans both searched ranges, with the
# evaluated candidates as dots and the best as a star.

plot_partial_dependence(bayes, [("svc__C", "svc__gamma")])

# %%
# Parallel coordinates
# --------------------
# Every candidate as a line across one axis per parameter, coloured by its
# score, the best drawn on top. The random search's candidates spread over
# the whole prior...

plot_parallel_coordinates(random).set_title("RandomizedSearchCV")

# %%
# ...while the Bayesian search's gather where the score is high.

plot_parallel_coordinates(bayes).set_title("BayesSearchCV")

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
            name = f"plot_search_{number}.png"
            plt.figure(number).savefig(name, dpi=100)
            print(f"saved {name}")
    else:
        plt.show()
