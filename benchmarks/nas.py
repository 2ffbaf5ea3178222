"""Architecture-aware Bayesian optimisation on NAS-Bench-201's tables.

The GP of :class:`~sksearch.optimizers.BayesOptimizer` with each encoding of a
cell (``flat``: six categoricals, as any space; ``path``: BANANAS's path
encoding; ``wl``: NAS-BOWL's Weisfeiler-Lehman features) and each way of
maximising its acquisition (``local``, the default: the one-edge neighbours
of the 5 best cells scored; ``exhaustive``: all 15 625 cells scored;
``mutation``: mutations of the 10 best cells, as BANANAS; ``-pool`` with
the space not enumerated, as a larger cell space is searched: ``gp-wl-pool``
the pool of draws, local steps and mutations with a discrete local search,
``gp-wl-local-pool`` the neighbours first), and without the
skipping of cells equivalent to one already evaluated (``-equivalents``),
beside the peers:
random search, regularised evolution (Real et al. 2019, written here: a
population of the 20 most recent cells, tournaments of 5, one edge mutated),
sksearch's genetic algorithm and TPE, and Optuna's TPE and GP samplers.

Everything goes through :func:`benchmarks.tabular.run_one` (same tables, noisy
look-ups, ask 1 / tell 1, the incumbent's true seed-averaged accuracy read off
one run at every budget); see ``benchmarks/tabular.py`` for the protocol.
NAS-Bench-201's parameters ``Op0`` .. ``Op5`` are the edges (0,1), (0,2),
(1,2), (0,3), (1,3), (2,3) of its cell (checked on the table: with the three
edges into node 3, or the three out of node 0, all "none", every cell is at
chance accuracy).

Usage::

    python -m benchmarks.nas run --seeds 0-9 --n-evals 150 --n-jobs 2 \\
        --out benchmarks/results/nas.jsonl
    python -m benchmarks.nas report benchmarks/results/nas.jsonl
    python -m benchmarks.nas surrogate   # how well each encoding's GP ranks the cells

``report`` writes ``benchmarks/sections/nas_nb201.md``: the mean regret (the
table's best validation accuracy minus the incumbent's, in accuracy points)
and the normalised score (0 = median cell, 1 = best) at 50, 75 and 150
evaluations on each table.
"""

# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from sksearch.optimizers._base import Optimizer

from . import tabular
from .tabular import NB201_SETS, _done, _parse_seeds, _space, load, run_one

# sections/nas.md is the NASClassifier-on-digits section of benchmarks/nas_digits.py
SECTION = Path(__file__).parent / "sections" / "nas_nb201.md"
NB201_EDGES = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
PEERS = ("sksearch-random", "regularized-evolution", "sksearch-genetic", "sksearch-tpe",
         "optuna-tpe", "optuna-gp")
GPS = ("gp-flat", "gp-path", "gp-wl", "gp-flat-mutation", "gp-path-mutation",
       "gp-wl-mutation", "gp-wl-exhaustive", "gp-wl-pool", "gp-wl-local-pool",
       "gp-path-equivalents", "gp-wl-equivalents")
DEFAULT = ("gp-default",)


def nb201_cell(table):
    from sksearch.optimizers import Cell

    return Cell(dict(zip(table.grids, NB201_EDGES)))


def _gp(encoding, proposals, skip_equivalent=True, enumerated=True):
    def make(table, enc, seed, n_evals):
        from sksearch.optimizers import BayesOptimizer

        if encoding is None:  # today's GP: the space alone, no cell declared
            return BayesOptimizer(_space(table, enc), random_state=seed)
        opt = BayesOptimizer(_space(table, enc), cell=nb201_cell(table), encoding=encoding,
                             cell_proposals="auto" if proposals == "pool" else proposals,
                             random_state=seed)
        # the ablation: cells equivalent to one already evaluated may be asked
        opt._skip_equivalent = skip_equivalent
        if not enumerated:  # searched as a cell space too large to score whole
            opt._all = None
        if proposals == "pool":  # BayesOptimizer's internal mode "mixed": the pool
            opt.cell_proposals = "mixed"  # and discrete local search, "auto" before "local"
        return opt

    return make


def _evolution(table, enc, seed, n_evals):
    return RegularizedEvolution(_space(table, enc), random_state=seed)


class RegularizedEvolution(Optimizer):
    """Regularised (aging) evolution, Real, Aggarwal, Huang & Le (2019):
    random cells until the population is full, then each child is the best
    of ``sample_size`` random members of the population (the
    ``population_size`` most recent cells) with one categorical column
    changed to another choice."""

    def __init__(self, space, *, population_size=20, sample_size=5, random_state=None):
        super().__init__(space, random_state=random_state)
        self.population_size = population_size
        self.sample_size = sample_size

    def _propose(self, n):
        out = []
        for _ in range(n):
            v = self._child()
            if v is None:
                extra = self._sample_new(1)
                if not len(extra):
                    break
                v = extra[0]
            self._seen.add(self.space.key(v))
            out.append(v)
        return np.array(out, dtype=float).reshape(-1, self.space.n_dims)

    def _child(self):
        if len(self.y_) < self.population_size:
            return None
        X = np.asarray(self.X_[-self.population_size:])
        y = self._impute_failures(self.y_[-self.population_size:])
        cat = np.flatnonzero(self.space.is_categorical)
        for _ in range(100):
            pick = self.rng.choice(len(y), self.sample_size, replace=False)
            v = X[pick[np.argmax(y[pick])]].copy()
            j = cat[self.rng.integers(cat.size)]
            k = self.space.n_choices[j]
            v[j] = (round(v[j]) + 1 + self.rng.integers(k - 1)) % k
            if self._is_new(v):
                return v
        return None


def register():
    tabular.EXTRA.update({
        "regularized-evolution": _evolution,
        "gp-flat": _gp(None, None),
        "gp-path": _gp("path", "auto"),
        "gp-wl": _gp("wl", "auto"),
        "gp-flat-mutation": _gp("flat", "mutation"),
        "gp-path-mutation": _gp("path", "mutation"),
        "gp-wl-mutation": _gp("wl", "mutation"),
        "gp-path-equivalents": _gp("path", "auto", skip_equivalent=False),
        "gp-wl-equivalents": _gp("wl", "auto", skip_equivalent=False),
        "gp-wl-exhaustive": _gp("wl", "exhaustive"),
        "gp-wl-pool": _gp("wl", "pool", enumerated=False),
        "gp-wl-local-pool": _gp("wl", "auto", enumerated=False),
        "gp-default": _gp("auto", "auto"),
    })


register()


def _task(args):
    optimizer, problem, seed, n_evals = args
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    register()
    return run_one(optimizer, "nb201", problem, seed, n_evals, "index")


def cmd_run(ns):
    import json

    from joblib import Parallel, delayed

    out = Path(ns.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    names = ns.optimizers.split(",") if ns.optimizers else list(PEERS + GPS)
    unknown = [n for n in names if n not in tabular.adapters()]
    if unknown:
        raise SystemExit(f"--optimizers: unknown {unknown}")
    done = _done(out)
    problems = ns.problems.split(",") if ns.problems else list(NB201_SETS)
    tasks = [(o, p, s, ns.n_evals) for s in _parse_seeds(ns.seeds) for p in problems
             for o in names if (o, p, s, "index", ns.n_evals) not in done]
    print(f"{len(tasks)} runs to do", file=sys.stderr)
    with out.open("a") as fh:
        for r in Parallel(n_jobs=ns.n_jobs, return_as="generator_unordered")(
            delayed(_task)(t) for t in tasks
        ):
            fh.write(json.dumps(r) + "\n")
            fh.flush()


# -- report ------------------------------------------------------------------------
def _stats(rows, key, budgets):
    """{problem: {optimizer: {budget: (mean, standard error, n)}}} of ``key``."""
    acc = {}
    for r in rows:
        for b in budgets:
            if len(r[key]) >= b:
                acc.setdefault(r["problem"], {}).setdefault(r["optimizer"], {}).setdefault(
                    b, []).append(r[key][b - 1])
    return {p: {o: {b: (float(np.mean(v)), float(np.std(v, ddof=1) / np.sqrt(len(v)))
                        if len(v) > 1 else 0.0, len(v)) for b, v in d.items()}
                for o, d in od.items()} for p, od in acc.items()}


def _table(stats, budgets, fmt, lower_better):
    lines = []
    problems = [p for p in NB201_SETS if p in stats]
    optimizers = sorted({o for p in problems for o in stats[p]},
                        key=lambda o: np.mean([stats[p].get(o, {}).get(budgets[-1], (np.nan,))[0]
                                               for p in problems]) * (1 if lower_better else -1))
    head = "| optimizer | " + " | ".join(f"{p} @{b}" for p in problems for b in budgets)
    head += " | " + " | ".join(f"mean @{b}" for b in budgets) + " |"
    lines += [head, "|---" * (1 + (len(problems) + 1) * len(budgets)) + "|"]
    full = max(v[2] for p in problems for d in stats[p].values() for v in d.values())
    for o in optimizers:
        n = min(stats[p][o][budgets[0]][2] for p in problems if o in stats[p])
        label = o if n == full else f"{o} ({n} seeds)"
        cells = []
        for p in problems:
            for b in budgets:
                v = stats[p].get(o, {}).get(b)
                cells.append("" if v is None else fmt.format(v[0], v[1]))
        for b in budgets:
            means = [stats[p].get(o, {}).get(b, (np.nan,))[0] for p in problems]
            cells.append(fmt.split(" ")[0].format(np.mean(means)))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def _targets(stats, default, budgets=(50, 75, 150)):
    peers = [o for o in PEERS]
    lines = []
    for p in NB201_SETS:
        if p not in stats or default not in stats[p]:
            continue
        s = stats[p]
        got = {b: s[default][b][0] for b in budgets if b in s[default]}
        for b in (50, 150):
            if b not in got:
                continue
            rivals = {o: s[o][b][0] for o in peers + ["gp-flat"] if o in s and b in s[o]}
            if not rivals:  # no peer in the runs reported
                continue
            best_o = min(rivals, key=rivals.get)
            ok = got[b] < rivals[best_o]
            lines.append(f"- {p} at {b}: {default} {got[b]:.3f} against the best of the peers "
                         f"and gp-flat, {best_o} {rivals[best_o]:.3f}: "
                         f"{'met' if ok else 'missed'} ({got[b] - rivals[best_o]:+.3f})")
        if 75 in got:
            rivals = {o: s[o][150][0] for o in peers if o in s and 150 in s[o]}
            if rivals:
                best_o = min(rivals, key=rivals.get)
                ok = got[75] <= rivals[best_o]
                lines.append(f"- {p} at 75 against the best peer at 150 ({best_o} "
                             f"{rivals[best_o]:.3f}): {got[75]:.3f}, "
                             f"{'met' if ok else 'missed'} ({got[75] - rivals[best_o]:+.3f})")
    return lines


def _found(rows, budgets):
    """Lines of a table: for each optimizer, the regret of the best cell it
    evaluated beside that of the incumbent its observed scores chose (the
    runs that record both), averaged over the tables."""
    rows = [r for r in rows if "found_regret" in r]
    if not rows:
        return []
    found, chosen = _stats(rows, "found_regret", budgets), _stats(rows, "regret", budgets)
    problems = [p for p in NB201_SETS if p in found]

    def mean(stats, o, b):
        return np.mean([stats[p].get(o, {}).get(b, (np.nan,))[0] for p in problems])

    optimizers = sorted({o for p in problems for o in found[p]},
                        key=lambda o: mean(chosen, o, budgets[-1]))
    lines = ["| optimizer | " + " | ".join(f"found @{b} | chosen @{b}" for b in budgets)
             + " | runs |", "|---" * (2 + 2 * len(budgets)) + "|"]
    for o in optimizers:
        n = sum(found[p][o][budgets[0]][2] for p in problems if o in found[p])
        lines.append(f"| {o} | " + " | ".join(
            f"{mean(found, o, b):.2f} | {mean(chosen, o, b):.2f}" for b in budgets)
            + f" | {n} |")
    return lines


def _ablation(rows):
    """Lines comparing each ``-equivalents`` run with its twin run."""
    by = {(r["optimizer"], r["problem"], r["seed"]): r for r in rows}
    lines = []
    for base in ("gp-path", "gp-wl"):
        pairs = [(r, by.get((base, r["problem"], r["seed"]))) for r in rows
                 if r["optimizer"] == base + "-equivalents"]
        pairs = [(a, b) for a, b in pairs if b is not None]
        if pairs:
            same = sum(a["trace"] == b["trace"] for a, b in pairs)
            lines.append(f"- `{base}` without passing over equivalent cells "
                         f"(`{base}-equivalents`): the same incumbents at every step in "
                         f"{same} of {len(pairs)} runs (table, seed) compared.")
    return lines


def cmd_surrogate(ns):
    """Kendall's tau between each encoding's GP posterior mean and the true
    accuracy of all 15 625 cells, the GP fitted on ``n`` random cells."""
    from scipy.stats import kendalltau

    from sksearch.optimizers._gp.cell import CellFeatureMap, _BoundCell
    from sksearch.optimizers._gp.gp import Posterior, fit_kernel
    from sksearch.optimizers._gp.optim_mixed import enumerate_space
    from sksearch.optimizers._gp.search_space import FeatureMap
    from sksearch.space import Space

    out = [
        "### How well each encoding's GP ranks NAS-Bench-201's cells", "",
        "Kendall's tau between the GP's posterior mean and the true accuracy, over all "
        "15 625 cells and over the best 10% of them, the GP (Matern 5/2, the encoding's "
        f"length-scale groups, MAP fit) fitted on n random cells, mean of {ns.repeats} "
        "draws. Command: `python -m benchmarks.nas surrogate`.", "",
        "| table | training cells | " + " | ".join(
            f"{e}: tau all / top 10%" for e in ("flat", "path", "wl")) + " |",
        "|---" * 5 + "|",
    ]
    for problem in ns.problems.split(","):
        table = tabular.Table("nb201", problem)
        space = Space(_space(table, "index"))
        cells = enumerate_space(space, 2**15)
        true = np.array([table.true[table.key(v)] for v in cells])
        top = true >= np.quantile(true, 0.9)
        bound = _BoundCell(nb201_cell(table), space)
        maps = {"flat": FeatureMap(space), "path": CellFeatureMap(space, bound, "path"),
                "wl": CellFeatureMap(space, bound, "wl")}
        feats = {k: m.transform(cells) for k, m in maps.items()}
        for n in (50, 150):
            taus = {k: [] for k in maps}
            for seed in range(ns.repeats):
                idx = np.random.default_rng(seed).choice(len(cells), n, replace=False)
                y = (true[idx] - true[idx].mean()) / true[idx].std()
                for k, m in maps.items():
                    F = feats[k]
                    kernel = fit_kernel(F[idx], y, groups=m.groups)
                    mu = Posterior(kernel, F[idx], y, m.groups).predict(F)[0]
                    taus[k].append((kendalltau(mu, true).statistic,
                                    kendalltau(mu[top], true[top]).statistic))
            out.append(f"| {problem} | {n} | " + " | ".join(
                "{:.2f} / {:.2f}".format(*np.mean(taus[k], axis=0)) for k in maps) + " |")
    text = "\n".join(out) + "\n"
    if ns.output:
        Path(ns.output).write_text(text)
    print(text)


def cmd_report(ns):
    budgets = [int(b) for b in ns.budgets.split(",")]
    rows = [r for r in load(ns.inputs, "index") if r["suite"] == "nb201"]
    if ns.seeds:
        keep = set(_parse_seeds(ns.seeds))
        rows = [r for r in rows if r["seed"] in keep]
    ablation = _ablation(rows)
    skip = set(ns.skip.split(",")) if ns.skip else set()
    rows = [r for r in rows if r["optimizer"] not in skip]
    regret, score = _stats(rows, "regret", budgets), _stats(rows, "trace", budgets)
    seeds = len({r["seed"] for r in rows})
    lines = [
        "## Architecture-aware GP on NAS-Bench-201 (`benchmarks/nas.py`)", "",
        f"NAS-Bench-201's three tables, {seeds} seeds, sequential (ask 1, tell 1), noisy "
        "look-ups (one recorded training seed each). The GP with each cell encoding (flat, "
        "path, wl) and acquisition maximiser (all 15 625 cells scored, or `-mutation`: "
        "mutations of the 10 best cells) beside the peers, all through "
        "`benchmarks.tabular.run_one`.", "",
        "Commands: `python -m benchmarks.nas run --seeds 0-9 --n-evals 150 --n-jobs 2 "
        "[--optimizers ...]`, then `python -m benchmarks.nas "
        + " ".join(["report", *ns.inputs, "--default", ns.default]
                   + (["--skip", ns.skip] if ns.skip else [])
                   + (["--seeds", ns.seeds] if ns.seeds else [])) + "`. "
        "Rows marked with fewer seeds are partial runs.", "",
        "**Regret** (table's best validation accuracy minus the incumbent's true, "
        "seed-averaged one, in accuracy points; lower is better; mean ± standard error):", "",
        *_table(regret, budgets, "{:.2f} ± {:.2f}", True), "",
        "**Normalised score** (0 = the median cell, 1 = the best; higher is better):", "",
        *_table(score, budgets, "{:.3f}", False), "",
    ]
    found = _found(rows, budgets)
    if found:
        lines += ["**Found and chosen** (mean regret over the tables of the best cell "
                  "evaluated so far, whatever its observed score, and of the incumbent, "
                  "the cell with the best observed score; the difference is what a "
                  "look-up's noise costs the choice):", "", *found, ""]
    if ns.default:
        lines += [f"**Targets** for `{ns.default}` (regret):", "",
                  *_targets(regret, ns.default), ""]
    if ablation:
        lines += ["**Ablation** (runs of a few seeds):", "", *ablation, ""]
    text = "\n".join(lines)
    if ns.print:
        print(text)
    else:
        Path(ns.output).write_text(text)
        print(f"wrote {ns.output}", file=sys.stderr)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks.nas", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--problems", default="", help=f"comma-separated, of {NB201_SETS}")
    r.add_argument("--optimizers", default="",
                   help=f"comma-separated; default {PEERS + GPS}; also {DEFAULT}")
    r.add_argument("--seeds", default="0-9")
    r.add_argument("--n-evals", type=int, default=150)
    r.add_argument("--n-jobs", type=int, default=1)
    r.add_argument("--out", default="benchmarks/results/nas.jsonl")
    r.set_defaults(func=cmd_run)
    s = sub.add_parser("report")
    s.add_argument("inputs", nargs="+")
    s.add_argument("--budgets", default="50,75,150")
    s.add_argument("--default", default="gp-wl", help="the row the targets are read for")
    s.add_argument("--output", default=str(SECTION))
    s.add_argument("--skip", default="", help="optimizers left out of the tables")
    s.add_argument("--seeds", default="", help="only the runs of these seeds, e.g. 0-9")
    s.add_argument("--print", action="store_true")
    s.set_defaults(func=cmd_report)
    g = sub.add_parser("surrogate", help=cmd_surrogate.__doc__.split(".")[0])
    g.add_argument("--problems", default=",".join(NB201_SETS))
    g.add_argument("--repeats", type=int, default=3)
    g.add_argument("--output", default="", help="also write the table to this file")
    g.set_defaults(func=cmd_surrogate)
    ns = p.parse_args(argv)
    ns.func(ns)


if __name__ == "__main__":
    main()
