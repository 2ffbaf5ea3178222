"""Overhead of the sksearch driver against plain scikit-learn, same 40 candidates.

Times a 40-candidate search through the driver (random strategy, refit=False)
against the same 40 candidates (a) through ``cross_validate`` one candidate at
a time and (b) through one ``GridSearchCV`` call over the explicit list (all
candidates x folds in one parallel batch: the floor). Same folds everywhere.
Prints the minimum over repeats, for n_jobs=1 and 2.

Run from the repository root: python -m benchmarks.driver_overhead
"""

import argparse
import platform
import time

import numpy as np
import sklearn
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksearch.optimizers import RandomOptimizer
from sksearch.space import Real, Space
from tests._searches import RandomSearch

SPACE = {"svc__C": Real(1e-2, 1e3, log=True), "svc__gamma": Real(1e-5, 1e-1, log=True)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-iter", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    X, y = load_breast_cancer(return_X_y=True)
    est = make_pipeline(StandardScaler(), SVC())
    splits = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y))
    print(f"python {platform.python_version()}, sklearn {sklearn.__version__}, "
          f"{platform.machine()}; breast_cancer SVC, 5 folds, {args.n_iter} candidates; "
          f"min of {args.repeats} repeats")
    print(f"{'n_jobs':>6} {'sksearch driver':>16} {'cross_validate loop':>20} "
          f"{'one GridSearchCV':>17} {'driver/loop':>12} {'driver/grid':>12}")
    for n_jobs in (1, 2):
        t_drv, t_loop, t_grid = [], [], []
        for _ in range(args.repeats):
            search = RandomSearch(est, SPACE, n_iter=args.n_iter, cv=splits, n_jobs=n_jobs,
                                  refit=False, random_state=0)
            t0 = time.perf_counter()
            search.fit(X, y)
            t_drv.append(time.perf_counter() - t0)
            cands = search.cv_results_["params"]
            # the same candidates the driver evaluated, from a fresh optimizer
            again = RandomOptimizer(Space(SPACE), random_state=search.optimizer_.random_state)
            assert again.ask(args.n_iter) == cands

            t0 = time.perf_counter()
            loop = [cross_validate(clone(est).set_params(**p), X, y, cv=splits,
                                   n_jobs=n_jobs)["test_score"].mean() for p in cands]
            t_loop.append(time.perf_counter() - t0)
            np.testing.assert_allclose(loop, search.cv_results_["mean_test_score"])

            t0 = time.perf_counter()
            GridSearchCV(est, [{k: [v] for k, v in p.items()} for p in cands], cv=splits,
                         n_jobs=n_jobs, refit=False).fit(X, y)
            t_grid.append(time.perf_counter() - t0)
        d, lo, g = min(t_drv), min(t_loop), min(t_grid)
        print(f"{n_jobs:>6} {d:>15.2f}s {lo:>19.2f}s {g:>16.2f}s {d / lo:>12.2f} {d / g:>12.2f}")


if __name__ == "__main__":
    main()
