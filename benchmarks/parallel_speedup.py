"""Wall time of a 40-candidate search with n_jobs=2 against n_jobs=1.

Issue target (model-based strategies): with n_jobs=2 the wall time is at most
0.6 x the n_jobs=1 wall time on a problem whose fits take >= 0.1 s, with a
score not worse beyond noise. A random forest (60 trees) on the full digits
data set, 3 folds: one fit takes about 0.1-0.3 s. One BLAS thread per process.

Run from the repository root: python -m benchmarks.parallel_speedup
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

import sksearch
from sksearch.space import Integer, Real


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", default="BayesSearchCV,TPESearchCV")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--n-iter", type=int, default=40)
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    space = {
        "max_depth": Integer(2, 30),
        "max_features": Real(0.05, 1.0),
        "min_samples_leaf": Integer(1, 10),
        "criterion": ["gini", "entropy"],
    }
    estimator = RandomForestClassifier(n_estimators=60, n_jobs=1, random_state=0)
    print(f"digits random forest (60 trees), 3 folds, {args.n_iter} candidates")
    print(f"{'search':<16}{'seed':>5}{'wall n_jobs=1':>15}{'wall n_jobs=2':>15}{'ratio':>7}"
          f"{'best n_jobs=1':>15}{'best n_jobs=2':>15}{'mean fit s':>11}")
    for name in args.searches.split(","):
        cls = getattr(sksearch, name)
        for seed in map(int, args.seeds.split(",")):
            walls, bests, fit = [], [], None
            for n_jobs in (1, 2):
                search = cls(estimator, space, n_iter=args.n_iter, cv=splits, n_jobs=n_jobs,
                             refit=False, random_state=seed)
                with threadpool_limits(1):
                    t0 = time.perf_counter()
                    search.fit(X, y)
                    walls.append(time.perf_counter() - t0)
                bests.append(search.cv_results_["mean_test_score"].max())
                fit = np.mean(search.cv_results_["mean_fit_time"]) if fit is None else fit
            print(f"{name:<16}{seed:>5}{walls[0]:>14.1f}s{walls[1]:>14.1f}s"
                  f"{walls[1] / walls[0]:>7.2f}{bests[0]:>15.4f}{bests[1]:>15.4f}{fit:>11.2f}")


if __name__ == "__main__":
    main()
