"""Several objectives on real scikit-learn problems: hypervolume by evaluation.

Two cross-validated problems (3 stratified folds, the same splits for every
method):

* ``rf_size``: a random forest on breast cancer, accuracy against model size
  (pickled bytes);
* ``svc_time``: an RBF SVC on digits (scaled in a Pipeline), accuracy against
  fit time (seconds; timed, so noisy on a shared machine).

Methods: every sksearch search whose strategy takes several objectives (found
by its optimizer's ``multi_objective``; random search, the driver on the
random strategy, always), and Optuna's NSGA-II and TPE samplers on the same
objective function (``cross_validate`` on the same splits). The hypervolume
is :func:`sksearch._objectives.scaled_hypervolume` with bounds pooled over
every run of a problem, after 50 and 100 evaluations.

Run: ``python -m benchmarks.sklearn_mo --seeds 0 1 --budget 100``.
"""

import argparse
import pickle
import time
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sksearch._objectives import resolve_objectives, results_matrix, scaled_hypervolume
from sksearch.model_selection import registered_searches
from sksearch.nas._nas import _RandomNASSearch
from sksearch.space import Integer, Real, Space

CV = StratifiedKFold(3, shuffle=True, random_state=0)


def _problems():
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xd, yd = load_digits(return_X_y=True)
    return {
        "rf_size": dict(
            X=Xb, y=yb, estimator=RandomForestClassifier(random_state=0),
            space={"n_estimators": Integer(1, 60, log=True), "max_depth": Integer(1, 12),
                   "min_samples_leaf": Integer(1, 30)},
            objective={"accuracy": "maximize", "model_size": "minimize"},
        ),
        "svc_time": dict(
            X=Xd[::2], y=yd[::2], estimator=make_pipeline(StandardScaler(), SVC()),
            space={"svc__C": Real(1e-2, 1e3, log=True), "svc__gamma": Real(1e-5, 1e0, log=True)},
            objective={"accuracy": "maximize", "fit_time": "minimize"},
        ),
    }


def _sksearch_methods(problem):
    methods = {"random": _RandomNASSearch}
    for name, cls in sorted(registered_searches().items()):
        probe = cls(problem["estimator"], problem["space"])
        try:
            opt = probe._make_optimizer(Space(problem["space"]), random_state=0, batch_size=1)
        except Exception:
            continue
        if getattr(opt, "multi_objective", False) and name != "hyperband":
            methods[name] = cls
    return methods


def run_sksearch(cls, problem, seed, budget):
    search = cls(problem["estimator"], problem["space"], n_iter=budget, cv=CV,
                 scoring="accuracy", objective=problem["objective"], refit=False,
                 random_state=seed)
    search.fit(problem["X"], problem["y"])
    objectives = resolve_objectives(problem["objective"], "accuracy")
    return results_matrix(search.cv_results_, objectives)


def run_optuna(sampler_name, problem, seed, budget):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = (optuna.samplers.NSGAIISampler(seed=seed) if sampler_name == "nsga2"
               else optuna.samplers.TPESampler(seed=seed))
    cost = [k for k in problem["objective"] if k != "accuracy"][0]
    rows = []

    def objective(trial):
        params = {}
        for name, dim in problem["space"].items():
            if isinstance(dim, Integer):
                params[name] = trial.suggest_int(name, dim.low, dim.high, log=dim.log)
            else:
                params[name] = trial.suggest_float(name, dim.low, dim.high, log=dim.log)
        est = problem["estimator"].set_params(**params)
        cvr = cross_validate(est, problem["X"], problem["y"], cv=CV, scoring="accuracy",
                             return_estimator=cost == "model_size")
        acc = float(np.mean(cvr["test_score"]))
        if cost == "model_size":
            value = float(np.mean([len(pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL))
                                   for e in cvr["estimator"]]))
        else:
            value = float(np.mean(cvr["fit_time"]))
        rows.append((acc, -value))
        return acc, value

    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    study.optimize(objective, n_trials=budget)
    return np.array(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--budget", type=int, default=100)
    parser.add_argument("--problems", nargs="+", default=None)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    problems = _problems()
    for pname in args.problems or list(problems):
        problem = problems[pname]
        runs = {}
        methods = {f"sksearch-{k}": v for k, v in _sksearch_methods(problem).items()}
        for seed in args.seeds:
            for mname, cls in methods.items():
                t = time.perf_counter()
                runs.setdefault(mname, []).append(run_sksearch(cls, problem, seed, args.budget))
                print(f"{pname} {mname} seed {seed}: {time.perf_counter() - t:.0f}s", flush=True)
            for sampler in ("nsga2", "tpe"):
                t = time.perf_counter()
                runs.setdefault(f"optuna-{sampler}", []).append(
                    run_optuna(sampler, problem, seed, args.budget))
                print(f"{pname} optuna-{sampler} seed {seed}: {time.perf_counter() - t:.0f}s",
                      flush=True)
        pooled = np.vstack([Y for ys in runs.values() for Y in ys])
        ok = np.isfinite(pooled).all(axis=1)
        lower, upper = pooled[ok].min(axis=0), pooled[ok].max(axis=0)
        marks = sorted({min(50, args.budget), args.budget})
        print(f"\n{pname}: scaled hypervolume, mean (min-max) over seeds {args.seeds}")
        print("| method | " + " | ".join(f"HV@{m}" for m in marks) + " |")
        print("|---|" + "---|" * len(marks))
        for mname, ys in runs.items():
            cells = []
            for m in marks:
                hv = [scaled_hypervolume(Y[:m], lower, upper) for Y in ys]
                cells.append(f"{np.mean(hv):.4f} ({min(hv):.4f}-{max(hv):.4f})")
            print(f"| {mname} | " + " | ".join(cells) + " |")
        print(flush=True)


if __name__ == "__main__":
    main()
