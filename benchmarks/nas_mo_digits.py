"""Several objectives in NAS: accuracy against parameters on the digits.

``NASClassifier(arch="mlp")`` on ``load_digits`` with
``objective={"score": "maximize", "n_parameters": "minimize"}``: the
cross-validated accuracy of a network against the parameters it holds.

Methods, all in one run:

- every black-box NAS strategy whose optimizer takes several objectives
  (found as ``NASClassifier`` checks it, by the search's own
  ``_check_multi_objective``, among :func:`sksearch.nas.available_strategies`),
  each with its defaults (``bayes``: the GP with ParEGO; ``genetic``:
  NSGA-II; ``tpe``: multi-objective TPE; ``random``: random search on the
  driver);
- Optuna's ``NSGAIISampler`` and ``TPESampler`` with their defaults, as
  peers.

Every method runs through the same ``NASClassifier.fit``: Optuna's samplers
are wrapped as an ask/tell strategy (:class:`OptunaOptimizer`, a
``BaseSearch`` subclass given as ``strategy=``), so every candidate comes
from the same space (the default MLP space, converted to Optuna
distributions by ``benchmarks.adapters.optuna_suggest``), is built by the
same network estimator (``MLPNetClassifier`` with the same fixed settings
and training seed), trained and scored on the same split, and its
parameters counted by the same code; the search and its refit are the
same driver. Only the proposals differ.

Settings (sized so that 10 seeds x 6 methods x 100 evaluations fit in well
under 45 minutes of one core): ``max_epochs=5`` (AdamW with a cosine
schedule, the default space's recipe), a single stratified holdout split
(a third of the 1797 digits scores, the same split for every method and
seed), ``batch_size=1`` (one network proposed after each result, as
Optuna's ``study.optimize``), ``n_jobs=1``, one torch thread,
``device="cpu"``; the seed is ``NASClassifier``'s ``random_state`` (the
search's and the networks' seeds), the Optuna sampler is seeded from the
same search seed.

Measure: :func:`sksearch._objectives.scaled_hypervolume` of the rows of
``cv_results_`` (accuracy, minus the parameters; in evaluation order) after
50 and 100 evaluations of one run of 100, each objective scaled between the
worst and best values of every run of every method (the bounds pooled, as
in ``benchmarks/sklearn_mo.py``), the reference 0.1 below the worst; mean
± standard error over seeds. Seconds per run: the wall time of ``fit``
(search and refit).

Usage::

    nice -n 10 python -m benchmarks.nas_mo_digits run --seeds 0-9 --n-evals 100
    python -m benchmarks.nas_mo_digits report

Runs append one JSON line each to ``--out``
(``benchmarks/results/nas_mo_digits.jsonl``) and skip those already there,
so an interrupted run resumes; ``report`` writes
``benchmarks/sections/nas_mo_digits.md``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import StratifiedShuffleSplit

from sksearch._objectives import resolve_objectives, results_matrix, scaled_hypervolume
from sksearch.nas import NASClassifier, default_search_space
from sksearch.nas._nas import _RandomNASSearch, available_strategies
from sksearch.optimizers import Optimizer
from sksearch.space import Space

from .adapters import optuna_suggest
from .runner import _git_commit
from .tabular import _parse_seeds, read_jsonl

OBJECTIVE = {"score": "maximize", "n_parameters": "minimize"}
OPTUNA = ("optuna-nsga2", "optuna-tpe")
SECTION = Path(__file__).parent / "sections" / "nas_mo_digits.md"
OUT = "benchmarks/results/nas_mo_digits.jsonl"
COMMAND = "nice -n 10 python -m benchmarks.nas_mo_digits run --seeds 0-9 --n-evals 100"
SETTINGS = dict(max_epochs=5, test_size=1 / 3)


# -- Optuna's samplers as a strategy of the driver --------------------------------
class OptunaOptimizer(Optimizer):
    """An Optuna sampler behind sksearch's ask/tell: each ``ask`` is a
    ``study.ask()`` whose parameters are drawn from the sksearch space
    (``optuna_suggest``), each ``tell`` the matching ``study.tell`` with the
    objectives (every one maximised, as the driver tells them)."""

    multi_objective = True

    def __init__(self, space, *, sampler="nsga2", n_objectives=2, random_state=None):
        super().__init__(space, random_state=random_state)
        self.n_objectives = n_objectives
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        seed = int(np.random.SeedSequence(random_state).generate_state(1)[0])
        samplers = {"nsga2": optuna.samplers.NSGAIISampler,
                    "tpe": optuna.samplers.TPESampler}
        self.sampler = sampler
        self._sampler = samplers[sampler](seed=seed)
        self._study = None
        self._trials = {}

    def _propose(self, n):  # ask is the study's own
        raise NotImplementedError

    def ask(self, n=1):
        import optuna

        out = []
        for _ in range(n):
            if self._study is None:
                self._study = optuna.create_study(
                    directions=["maximize"] * self.n_objectives, sampler=self._sampler)
            trial = self._study.ask()
            candidate = optuna_suggest(trial, self.space.subspaces)
            self._trials[id(candidate)] = (candidate, trial)
            out.append(candidate)
        return out

    def tell(self, candidates, scores):
        import optuna

        candidates = list(candidates)
        rows = self._check_scores(scores, len(candidates))
        for candidate, row in zip(candidates, rows):
            _, trial = self._trials.pop(id(candidate))
            row = np.atleast_1d(row)
            if np.isfinite(row).all():
                self._study.tell(trial, [float(v) for v in row])
            else:
                self._study.tell(trial, state=optuna.trial.TrialState.FAIL)
        self.candidates_.extend(candidates)
        self.y_.extend(list(rows))


class _OptunaSearch(_RandomNASSearch):
    sampler = None

    def _make_optimizer(self, space, *, random_state, batch_size, n_levels=1):
        n_objectives = len(resolve_objectives(self.objective, self.scoring))
        return OptunaOptimizer(space, sampler=self.sampler, n_objectives=n_objectives,
                               random_state=random_state)


class OptunaNSGA2Search(_OptunaSearch):
    """The driver on Optuna's ``NSGAIISampler``."""

    sampler = "nsga2"


class OptunaTPESearch(_OptunaSearch):
    """The driver on Optuna's ``TPESampler``."""

    sampler = "tpe"


# -- the methods -------------------------------------------------------------------
def sksearch_methods():
    """The NAS black-box strategies that take several objectives: ``{name:
    SearchCV class}``, as ``NASClassifier`` checks a strategy."""
    space = Space(default_search_space("mlp"))
    objectives = resolve_objectives(OBJECTIVE, None)
    net = NASClassifier("mlp", device="cpu")._make_net(0, workers=1)
    methods = {}
    for name, cls in sorted(available_strategies().items()):
        try:
            cls(net, default_search_space("mlp"), objective=OBJECTIVE)._check_multi_objective(
                space, objectives)
        except (ValueError, TypeError):
            continue
        methods[name] = cls
    return methods


def methods():
    """Every method of the benchmark, ``{name: strategy}``."""
    out = dict(sksearch_methods())
    try:
        import optuna  # noqa: F401
    except ImportError:
        return out
    out.update({"optuna-nsga2": OptunaNSGA2Search, "optuna-tpe": OptunaTPESearch})
    return out


def data(n_samples=None):
    X, y = load_digits(return_X_y=True)
    if n_samples is not None:  # a smaller problem (smoke tests)
        X, y = X[:n_samples], y[:n_samples]
    return X, y


def run_one(method, seed, n_evals, *, max_epochs=SETTINGS["max_epochs"], n_samples=None,
            budgets=(50, 100)):
    """One run: the objectives of every evaluation (accuracy, minus the
    parameters; higher is better), in order, and the wall seconds of ``fit``."""
    import torch

    torch.set_num_threads(1)
    strategy = methods()[method]
    X, y = data(n_samples)
    cv = StratifiedShuffleSplit(n_splits=1, test_size=SETTINGS["test_size"], random_state=0)
    nas = NASClassifier("mlp", strategy, n_iter=n_evals, max_epochs=max_epochs, cv=cv,
                        n_jobs=1, random_state=seed, device="cpu", batch_size=1,
                        objective=OBJECTIVE)
    start = time.perf_counter()
    cpu = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nas.fit(X, y)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    Y = results_matrix(nas.cv_results_, resolve_objectives(OBJECTIVE, None))
    return {
        "method": method, "strategy_used": nas.strategy_, "seed": seed, "n_evals": n_evals,
        "max_epochs": max_epochs, "n_samples": len(y), "rows": Y.tolist(),
        "seconds": seconds, "cpu_seconds": cpu, "n_front": len(nas.pareto_front_),
    }


# -- running -------------------------------------------------------------------------
def cmd_run(ns):
    out = Path(ns.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    known = methods()
    names = ns.methods.split(",") if ns.methods else list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"--methods: unknown {unknown}; known: {list(known)}")
    seen = set()
    if out.exists():
        for r in read_jsonl([out]):
            seen.add((r["method"], r["seed"], r["n_evals"], r["max_epochs"]))
    commit = _git_commit() or "unknown"
    # seeds outermost: an interrupted run has every method at its first seeds
    tasks = [(m, s) for s in _parse_seeds(ns.seeds) for m in names
             if (m, s, ns.n_evals, ns.max_epochs) not in seen]
    print(f"{len(tasks)} runs to do", file=sys.stderr)
    with out.open("a") as fh:
        for m, s in tasks:
            r = run_one(m, s, ns.n_evals, max_epochs=ns.max_epochs)
            r["commit"] = commit
            fh.write(json.dumps(r) + "\n")
            fh.flush()
            print(f"{m} seed {s}: {r['seconds']:.0f} s, {len(r['rows'])} evaluations",
                  file=sys.stderr, flush=True)


# -- reporting -----------------------------------------------------------------------
def _stats(values):
    v = np.asarray(values, dtype=float)
    se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else float("nan")
    return float(v.mean()), float(se)


def _rows(run, log_cost=False):
    Y = np.asarray(run["rows"], dtype=float)
    if log_cost:  # minus the log10 of the parameters, still higher is better
        Y = np.column_stack([Y[:, 0], -np.log10(-Y[:, 1])])
    return Y


def summary(runs, budgets, log_cost=False):
    """``{method: {"hv": {budget: [hv per run]}, "seconds": [...]}}`` and the
    bounds, pooled over every run; ``log_cost``: the parameters on a log10
    scale."""
    pooled = np.vstack([_rows(r, log_cost) for r in runs])
    ok = np.isfinite(pooled).all(axis=1)
    lower, upper = pooled[ok].min(axis=0), pooled[ok].max(axis=0)
    out = {}
    for r in runs:
        Y = _rows(r, log_cost)
        d = out.setdefault(r["method"], {"hv": {b: [] for b in budgets}, "seconds": [],
                                         "seeds": []})
        for b in budgets:
            d["hv"][b].append(scaled_hypervolume(Y[:b], lower, upper))
        d["seconds"].append(r["seconds"])
        d["seeds"].append(r["seed"])
    return out, (lower, upper)


def _diff(d):
    """A difference of hypervolumes, readable when it rounds to zero."""
    return f"{d:+.4f}" if abs(d) >= 5e-5 or d == 0 else f"{d:+.1e}"


def _verdict(summ, budgets):
    """Sentences against the targets: the best sksearch method against each
    Optuna sampler, and every sksearch method against random."""
    sk = [m for m in summ if m not in OPTUNA]
    lines = []
    for b in budgets:
        mean = {m: _stats(summ[m]["hv"][b])[0] for m in summ}
        best = max(sk, key=mean.get)
        parts = []
        for peer in [p for p in OPTUNA if p in summ]:
            diff = mean[best] - mean[peer]
            parts.append(f"{'met' if diff >= 0 else 'missed'} against {peer} "
                         f"({mean[best]:.4f} vs {mean[peer]:.4f}, {_diff(diff)})")
        if parts:
            lines.append(f"At {b} evaluations the best sksearch method ({best}): "
                         + "; ".join(parts) + ".")
        if "random" in summ:
            rel = [f"{m} {'met' if mean[m] >= mean['random'] else 'missed'} "
                   f"({_diff(mean[m] - mean['random'])})"
                   for m in sk if m != "random"]
            lines.append(f"At {b}, every sksearch multi-objective strategy against random "
                         f"({mean['random']:.4f}): " + ", ".join(rel) + ".")
    return lines


def section(runs, budgets, note=""):
    summ, (lower, upper) = summary(runs, budgets)
    last = budgets[-1]
    order = sorted(summ, key=lambda m: -_stats(summ[m]["hv"][last])[0])
    seeds = sorted({r["seed"] for r in runs})
    commits = sorted({r.get("commit", "unknown") for r in runs})
    r0 = runs[0]
    lines = [
        "## Several objectives in NAS: accuracy against parameters on the digits", "",
        f"Command: `{COMMAND}`, then `python -m benchmarks.nas_mo_digits report`; "
        f"at commit {', '.join(commits)}.", "",
        f"`NASClassifier('mlp')` on `load_digits` ({r0['n_samples']} samples), objective "
        "accuracy (maximize) against `n_parameters` (minimize), the default MLP space; "
        f"every network trained {r0['max_epochs']} epochs and scored on one stratified "
        "holdout third (the same split for every method and seed), `batch_size=1`, "
        "`n_jobs=1`, one torch thread, on the CPU. sksearch's strategies with their "
        "defaults (`bayes`: ParEGO; `genetic`: NSGA-II; `tpe`: multi-objective TPE; "
        "`random`: the driver on the random strategy); Optuna's `NSGAIISampler` and "
        "`TPESampler` with their defaults, given as a `strategy=` of the same "
        "`NASClassifier.fit`, so every method builds, trains, scores and counts its "
        "networks by the same code. Hypervolume: "
        "`sksearch._objectives.scaled_hypervolume` after 50 and 100 evaluations of one "
        f"run of {r0['n_evals']}, each objective scaled between the worst and best of "
        f"every run (accuracy {lower[0]:.4f} to {upper[0]:.4f}, parameters "
        f"{-upper[1]:.0f} to {-lower[1]:.0f}), reference 0.1 below the worst; mean ± "
        f"standard error over {len(seeds)} seeds ({seeds[0]}-{seeds[-1]}). Seconds: wall "
        "time of `fit` (search and refit) on 2 shared cores, niced, beside other work. "
        "See the docstring of `benchmarks/nas_mo_digits.py`.", "",
    ]
    if note:
        lines += [note, ""]
    lines.append("| method | " + " | ".join(f"HV at {b}" for b in budgets)
                 + " | seconds per run | runs |")
    lines.append("|---" * (len(budgets) + 3) + "|")
    for m in order:
        d = summ[m]
        cells = ["{:.4f} ± {:.4f}".format(*_stats(d["hv"][b])) for b in budgets]
        sec = "{:.0f} ± {:.0f}".format(*_stats(d["seconds"]))
        lines.append(f"| {m} | " + " | ".join(cells) + f" | {sec} | {len(d['seconds'])} |")
    lines.append("")
    lines += [" ".join(_verdict(summ, budgets)), ""]
    # the parameters span two orders of magnitude: on a linear scale every
    # network under a few thousand parameters is near the best, so the same
    # rows are also shown with the log10 of the parameters (same pooling)
    logs, _ = summary(runs, budgets, log_cost=True)
    lines += ["The same rows with the parameters on a log10 scale (bounds pooled the same "
              "way), where the small networks' differences count:", ""]
    lines.append("| method | " + " | ".join(f"HV at {b}, log10 parameters" for b in budgets)
                 + " |")
    lines.append("|---" * (len(budgets) + 1) + "|")
    for m in sorted(logs, key=lambda m: -_stats(logs[m]["hv"][last])[0]):
        cells = ["{:.4f} ± {:.4f}".format(*_stats(logs[m]["hv"][b])) for b in budgets]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def cmd_report(ns):
    budgets = [int(b) for b in ns.budgets.split(",")]
    runs = read_jsonl(ns.inputs or [OUT])
    text = section(runs, budgets, ns.note)
    if ns.print:
        print(text)
        return
    Path(ns.output).parent.mkdir(parents=True, exist_ok=True)
    Path(ns.output).write_text(text)
    print(text)
    print(f"wrote {ns.output}", file=sys.stderr)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.nas_mo_digits",
                                description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--methods", default="", help="comma-separated; default all")
    r.add_argument("--seeds", default="0-9")
    r.add_argument("--n-evals", type=int, default=100)
    r.add_argument("--max-epochs", type=int, default=SETTINGS["max_epochs"])
    r.add_argument("--out", default=OUT)
    r.set_defaults(func=cmd_run)
    s = sub.add_parser("report")
    s.add_argument("inputs", nargs="*")
    s.add_argument("--budgets", default="50,100")
    s.add_argument("--note", default="")
    s.add_argument("--output", default=str(SECTION))
    s.add_argument("--print", action="store_true")
    s.set_defaults(func=cmd_report)
    ns = p.parse_args(argv)
    ns.func(ns)


if __name__ == "__main__":
    main()
