"""Workers busy at scale: the evaluation loop's throughput, by simulation.

An estimator whose ``fit`` sleeps for a time that depends on its parameters
(0.05-0.5 s; sleeping needs no cores, so 8 workers are simulated on a small
machine), 64 candidates, 3 folds, 8 workers. Busy fraction = sum of the fit
and score times / (workers x wall time of the search). Backends: joblib's
threads, loky processes, and a ``distributed.LocalCluster`` of 8 one-thread
workers (through ``joblib.parallel_config("dask")``). Searches: TPE, Bayes and
Genetic in the deterministic mode with ``batch_size=8`` and in the
asynchronous mode; Optuna's TPE with ``study.optimize(n_jobs=8)`` on the same
objective in the same run (threads: Optuna's own parallelism).

Run from the repository root: python -m benchmarks.busy_fraction
"""

import argparse
import time

import numpy as np
from joblib import Parallel, delayed, parallel_config
from sklearn.base import BaseEstimator, RegressorMixin

import sksearch
from sksearch.space import Real

N_WORKERS = 8


class SleepRegressor(RegressorMixin, BaseEstimator):
    """Sleeps 0.05-0.5 s in ``fit`` (longer for larger ``a``); its score is a
    smooth function of ``a`` and ``b`` with its best at (0.3, 0.7)."""

    def __init__(self, a=0.5, b=0.5):
        self.a = a
        self.b = b

    def fit(self, X, y=None):
        time.sleep(0.05 + 0.45 * float(self.a))
        self.is_fitted_ = True
        return self

    def predict(self, X):
        return np.zeros(len(X))

    def score(self, X, y=None, sample_weight=None):
        return -((self.a - 0.3) ** 2) - (self.b - 0.7) ** 2


SPACE = {"a": Real(0.0, 1.0), "b": Real(0.0, 1.0)}


def _warm():
    """A task whose unpickling imports this module, sklearn and sksearch."""
    time.sleep(0.05)
    return sksearch.__version__


def _busy(search, wall):
    r = search.cv_results_
    n_splits = search.n_splits_
    compute = float(np.sum(r["mean_fit_time"] + r["mean_score_time"]) * n_splits)
    return compute / (N_WORKERS * wall)


def _run_search(name, asynchronous, backend, X, y, n_iter, seed):
    cls = getattr(sksearch, name)
    search = cls(SleepRegressor(), SPACE, n_iter=n_iter, cv=3, n_jobs=N_WORKERS,
                 batch_size=N_WORKERS, asynchronous=asynchronous, refit=False,
                 random_state=seed)
    with parallel_config(backend=backend, n_jobs=N_WORKERS):
        t0 = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - t0
    return wall, _busy(search, wall), search.cv_results_["mean_test_score"].max()


def _run_optuna(X, n_iter, seed):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    spent = []

    def objective(trial):
        est = SleepRegressor(trial.suggest_float("a", 0, 1), trial.suggest_float("b", 0, 1))
        scores = []
        for _ in range(3):
            t = time.perf_counter()
            est.fit(X)
            scores.append(est.score(X))
            spent.append(time.perf_counter() - t)
        return float(np.mean(scores))

    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    t0 = time.perf_counter()
    study.optimize(objective, n_trials=n_iter, n_jobs=N_WORKERS)
    wall = time.perf_counter() - t0
    return wall, sum(spent) / (N_WORKERS * wall), study.best_value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", default="TPESearchCV,BayesSearchCV,GeneticSearchCV")
    parser.add_argument("--backends", default="threading,loky,dask")
    parser.add_argument("--n-iter", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X = np.zeros((30, 2))
    y = np.zeros(30)
    print(f"sleeping estimator (0.05-0.5 s a fit), {args.n_iter} candidates, 3 folds, "
          f"{N_WORKERS} workers")
    print(f"{'backend':<10}{'search':<18}{'mode':<14}{'wall s':>8}{'busy':>7}{'best':>9}")
    client = cluster = None
    for backend in args.backends.split(","):
        if backend == "dask":
            from distributed import Client, LocalCluster

            cluster = LocalCluster(n_workers=N_WORKERS, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            client = Client(cluster)
        if backend == "loky":
            # start the worker processes and import sklearn and sksearch in
            # them before timing (as the benchmark harness does): the first
            # search would otherwise pay for it
            with parallel_config(backend="loky", n_jobs=N_WORKERS):
                Parallel()(delayed(_warm)() for _ in range(4 * N_WORKERS))
        for name in args.searches.split(","):
            for asynchronous in (False, True):
                wall, busy, best = _run_search(name, asynchronous, backend, X, y,
                                               args.n_iter, args.seed)
                mode = "asynchronous" if asynchronous else "batch 8"
                print(f"{backend:<10}{name:<18}{mode:<14}{wall:>8.1f}{busy:>7.2f}{best:>9.4f}",
                      flush=True)
        if client is not None:
            client.close()
            cluster.close()
            client = cluster = None
    wall, busy, best = _run_optuna(X, args.n_iter, args.seed)
    print(f"{'threads':<10}{'optuna-tpe':<18}{'n_jobs=8':<14}{wall:>8.1f}{busy:>7.2f}{best:>9.4f}")


if __name__ == "__main__":
    main()
