"""
======================================================
Accuracy against model size: a Pareto front of models
======================================================

A model that is deployed is chosen on more than one number. Here a random
forest's accuracy is weighed against its size: more and deeper trees score a
little better and weigh a lot more. Instead of folding both into one scorer,
``objective=`` names them, and the search returns the Pareto front: every
model no other model beats on both.

* ``objective={"accuracy": "maximize", "model_size": "minimize"}``: a scorer
  of ``scoring``, and the fitted model's pickled bytes (``"fit_time"``,
  ``"score_time"``, ``"latency"`` and ``"n_parameters"`` are costs too);
* ``pareto_front_`` indexes ``cv_results_``, whose ``pareto_rank`` column is 0
  on the front;
* ``refit`` chooses one model of the front: here, a callable on
  ``cv_results_`` (as ``GridSearchCV`` takes) that picks the smallest model
  within one point of accuracy of the best;
* :func:`~sksearch.plot.plot_pareto` draws the front and
  :func:`~sksearch.plot.plot_hypervolume` its progress.

The search is :class:`~sksearch.GeneticSearchCV`, whose multi-objective mode
is NSGA-II. Needs matplotlib (``pip install "sksearch[plot]"``). Runs in well
under a minute on two cores.

Run: ``python examples/plot_multi_objective.py``. With a display the figures
open in windows; without one they are saved as ``plot_multi_objective_<n>.png``
in the current folder.
"""

# %%
# Several objectives
# ------------------

import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold

from sksearch import GeneticSearchCV
from sksearch.plot import plot_hypervolume, plot_pareto
from sksearch.space import Integer

X, y = load_breast_cancer(return_X_y=True)
cv = StratifiedKFold(3, shuffle=True, random_state=0)
space = {
    "n_estimators": Integer(1, 60, log=True),
    "max_depth": Integer(1, 12),
    "min_samples_leaf": Integer(1, 30),
}


def smallest_within_a_point(results):
    """The smallest model of the front within 0.01 of its best accuracy."""
    front = np.flatnonzero(results["pareto_rank"] == 0)
    # one metric: its column is mean_test_score, as in GridSearchCV
    accuracy = results["mean_test_score"][front]
    good = front[accuracy >= accuracy.max() - 0.01]
    return int(good[np.argmin(results["mean_model_size"][good])])


search = GeneticSearchCV(
    RandomForestClassifier(random_state=0), space, n_iter=40, cv=cv, n_jobs=2,
    scoring="accuracy", objective={"accuracy": "maximize", "model_size": "minimize"},
    refit=smallest_within_a_point, random_state=0,
).fit(X, y)

res = search.cv_results_
print(f"{len(search.pareto_front_)} models on the front of {len(res['params'])}:")
for i in sorted(search.pareto_front_, key=lambda i: res["mean_model_size"][i]):
    mark = "  <- refitted" if i == search.best_index_ else ""
    print(f"  accuracy {res['mean_test_score'][i]:.3f}, "
          f"{res['mean_model_size'][i] / 1024:7.1f} KiB  {res['params'][i]}{mark}")

# %%
# The front
# ---------
# Every candidate at its mean cross-validated accuracy and size; the front
# in colour, the dominated candidates faded, the refitted model starred.

plot_pareto(search)

# %%
# Convergence
# -----------
# The hypervolume the front dominates (both objectives scaled to [0, 1])
# after each evaluation, here for two seeds: the multi-objective counterpart
# of :func:`~sksearch.plot.plot_convergence`.

other = GeneticSearchCV(
    RandomForestClassifier(random_state=0), space, n_iter=40, cv=cv, n_jobs=2,
    scoring="accuracy", objective={"accuracy": "maximize", "model_size": "minimize"},
    refit=False, random_state=1,
).fit(X, y)
plot_hypervolume(search, other, labels=["random_state=0", "random_state=1"])

# %%
# Outside the documentation build (which collects the figures itself), show
# the figures in windows, or save them when there is no display to show them
# on.

if "sphinx_gallery" not in sys.modules:
    if matplotlib.get_backend().lower() == "agg" or "--save" in sys.argv:
        for n in plt.get_fignums():
            plt.figure(n).savefig(f"plot_multi_objective_{n}.png", dpi=80)
    else:
        plt.show()
