"""Wall time of a 40-candidate search with n_jobs=2 against n_jobs=1.

Issue target (model-based strategies): with n_jobs=2 the wall time is at most
0.6 x the n_jobs=1 wall time on a problem whose fits take >= 0.1 s, with a
score not worse beyond noise. A random forest (60 trees) on the full digits
data set, 3 folds: one fit takes about 0.1-0.3 s. One BLAS thread per process.
``--problem svc``: an RBF SVC on the digits (C and gamma log-uniform), the
problem of the evaluation-loop targets (20 candidates: ``--n-iter 20``).
``--optuna``: Optuna's TPE (``study.optimize(n_jobs=...)``, threads) on the
same folds, space and budget, in the same run.

Run from the repository root: python -m benchmarks.parallel_speedup
"""

import argparse
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

import sksearch
from sksearch.space import Integer, Real


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", default="BayesSearchCV,TPESearchCV")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--n-iter", type=int, default=40)
    parser.add_argument("--problem", choices=("forest", "svc"), default="forest")
    parser.add_argument("--optuna", action="store_true", help="Optuna TPE in the same run")
    parser.add_argument("--asynchronous", action="store_true",
                        help="also each search in asynchronous mode (rows marked 'async')")
    args = parser.parse_args()
    X, y = load_digits(return_X_y=True)
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    if args.problem == "svc":
        space = {"svc__C": Real(1e-2, 1e3, log=True), "svc__gamma": Real(1e-5, 1e-1, log=True)}
        estimator = make_pipeline(StandardScaler(), SVC())
        what = "digits RBF SVC (scaled)"
    else:
        space = {
            "max_depth": Integer(2, 30),
            "max_features": Real(0.05, 1.0),
            "min_samples_leaf": Integer(1, 10),
            "criterion": ["gini", "entropy"],
        }
        estimator = RandomForestClassifier(n_estimators=60, n_jobs=1, random_state=0)
        what = "digits random forest (60 trees)"
    print(f"{what}, 3 folds, {args.n_iter} candidates")
    print(f"{'search':<22}{'seed':>5}{'wall n_jobs=1':>15}{'wall n_jobs=2':>15}{'ratio':>7}"
          f"{'best n_jobs=1':>15}{'best n_jobs=2':>15}{'mean fit s':>11}")
    # start the two loky workers, with sklearn and sksearch imported in them,
    # before timing: the first n_jobs=2 search would otherwise pay for it
    warm = sksearch.TPESearchCV(estimator, space, n_iter=2, cv=splits, n_jobs=2,
                                refit=False, random_state=0)
    with threadpool_limits(1):
        warm.fit(X, y)
    modes = (False, True) if args.asynchronous else (False,)
    for name, asynchronous in [(n, a) for n in args.searches.split(",") for a in modes]:
        cls = getattr(sksearch, name)
        label = name + (" async" if asynchronous else "")
        for seed in map(int, args.seeds.split(",")):
            walls, bests, fit = [], [], None
            for n_jobs in (1, 2):
                search = cls(estimator, space, n_iter=args.n_iter, cv=splits, n_jobs=n_jobs,
                             refit=False, random_state=seed, asynchronous=asynchronous)
                with threadpool_limits(1):
                    t0 = time.perf_counter()
                    search.fit(X, y)
                    walls.append(time.perf_counter() - t0)
                bests.append(search.cv_results_["mean_test_score"].max())
                fit = np.mean(search.cv_results_["mean_fit_time"]) if fit is None else fit
            print(f"{label:<22}{seed:>5}{walls[0]:>14.1f}s{walls[1]:>14.1f}s"
                  f"{walls[1] / walls[0]:>7.2f}{bests[0]:>15.4f}{bests[1]:>15.4f}{fit:>11.2f}")
    if args.optuna:
        for seed in map(int, args.seeds.split(",")):
            walls, bests = [], []
            for n_jobs in (1, 2):
                wall, best = _optuna_tpe(estimator, space, X, y, splits, args.n_iter, seed,
                                         n_jobs)
                walls.append(wall)
                bests.append(best)
            print(f"{'optuna-tpe':<22}{seed:>5}{walls[0]:>14.1f}s{walls[1]:>14.1f}s"
                  f"{walls[1] / walls[0]:>7.2f}{bests[0]:>15.4f}{bests[1]:>15.4f}{'':>11}")


def _optuna_tpe(estimator, space, X, y, splits, n_iter, seed, n_jobs):
    """Optuna's TPE on the same folds and ranges; its n_jobs runs trials in threads."""
    import optuna
    from sklearn.base import clone

    optuna.logging.set_verbosity(optuna.logging.ERROR)

    def objective(trial):
        params = {}
        for name, dim in space.items():
            if isinstance(dim, Real):
                params[name] = trial.suggest_float(name, dim.low, dim.high, log=dim.log)
            elif isinstance(dim, Integer):
                params[name] = trial.suggest_int(name, dim.low, dim.high, log=dim.log)
            else:
                params[name] = trial.suggest_categorical(name, list(dim))
        model = clone(estimator).set_params(**params)
        return cross_val_score(model, X, y, cv=splits).mean()

    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    with threadpool_limits(1):
        t0 = time.perf_counter()
        study.optimize(objective, n_trials=n_iter, n_jobs=n_jobs)
        wall = time.perf_counter() - t0
    return wall, study.best_value


if __name__ == "__main__":
    main()
