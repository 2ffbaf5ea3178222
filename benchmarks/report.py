"""Markdown tables and matplotlib figures from the JSON-lines results.

``python -m benchmarks report [files...]`` writes ``benchmarks/RESULTS.md``
(regenerated, never edited by hand) and ``benchmarks/figures/*.png``.

Benchmarks that are not runs of the harness (Hyperband's time-to-reach, NAS on
digits) write their own Markdown tables into ``benchmarks/sections/*.md``; the
report includes every such file, in name order, before the per-problem tables.
"""

import datetime as _dt
import json
import math
import shlex
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

from .problems import PROBLEMS

__all__ = ["load_records", "write_report"]


def load_records(paths):
    """Records from JSON-lines files; a later record of the same run replaces an earlier one."""
    by_key = {}
    for path in paths:
        for line in Path(path).read_text().splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            if r.get("suite"):  # another suite's runs (bayesmark.py): it reports them itself
                continue
            key = (r["problem"], r["adapter"], r["seed"], r["n_iter"], r["n_jobs"])
            by_key[key] = r
    return list(by_key.values())


def _f(x):
    return math.nan if x is None else float(x)


def _pm(values, digits=3):
    v = np.array([_f(x) for x in values], dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return "—"
    if v.size == 1:
        return f"{v[0]:.{digits}f}"
    return f"{v.mean():.{digits}f} ± {v.std(ddof=1):.{digits}f}"


def _ms(x):
    x = _f(x)
    if not math.isfinite(x):
        return "—"
    return f"{1000 * x:.0f}" if abs(x) >= 0.1 else f"{1000 * x:.1f}"


def _table(header, rows, align=None):
    align = align or ["l"] + ["r"] * (len(header) - 1)
    sep = ["---:" if a == "r" else ":---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(sep) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _adapter_order(records):
    peers = ["sklearn-random", "sklearn-halving", "skopt-bayes", "optuna-tpe", "optuna-gp",
             "hyperopt-tpe", "genetic-opt-ga"]
    names = {r["adapter"] for r in records}
    return [a for a in peers if a in names] + sorted(names - set(peers))


def _median(values):
    v = np.array([_f(x) for x in values], dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else math.nan


class _Groups:
    """Records indexed by (n_jobs, n_iter) then adapter / problem / seed."""

    def __init__(self, records):
        self.records = records
        self.adapters = _adapter_order(records)
        self.problems = [p for p in PROBLEMS if any(r["problem"] == p for r in records)]
        self.problems += sorted({r["problem"] for r in records} - set(self.problems))
        self.settings = sorted({(r["n_jobs"], r["n_iter"]) for r in records})

    def select(self, **kw):
        return [r for r in self.records if all(r[k] == v for k, v in kw.items())]

    def ok(self, **kw):
        return [r for r in self.select(**kw) if r["status"] == "ok"]


def _ranks(g, n_jobs, n_iter, problems):
    """Mean rank of each adapter (1 = best score) over problems x seeds."""
    ranks = defaultdict(list)
    seeds = sorted({r["seed"] for r in g.select(n_jobs=n_jobs, n_iter=n_iter)})
    for p in problems:
        for s in seeds:
            rs = [r for r in g.ok(n_jobs=n_jobs, n_iter=n_iter, problem=p, seed=s)
                  if r["best_score"] is not None]
            if len(rs) < 2:
                continue
            rk = rankdata([-r["best_score"] for r in rs])
            for r, k in zip(rs, rk):
                ranks[r["adapter"]].append(k)
    return {a: float(np.mean(v)) for a, v in ranks.items()}


def _summary(g, n_jobs, n_iter):
    recs = g.select(n_jobs=n_jobs, n_iter=n_iter)
    adapters = [a for a in g.adapters if any(r["adapter"] == a for r in recs)]
    live = [a for a in adapters
            if any(r["status"] != "unavailable" for r in recs if r["adapter"] == a)]
    # problems every (available) optimizer ran: the fair comparison set
    common = [p for p in g.problems
              if all(any(r["status"] == "ok" for r in recs if r["adapter"] == a
                         and r["problem"] == p) for a in live)]
    expressed_elsewhere = [p for p in g.problems if p not in common
                           and any(r["problem"] == p for r in recs)]
    ranks = _ranks(g, n_jobs, n_iter, common)
    seeds = sorted({r["seed"] for r in recs})
    rows = []
    for a in adapters:
        ra = [r for r in recs if r["adapter"] == a]
        if all(r["status"] == "unavailable" for r in ra):
            rows.append([a, "unavailable: " + ra[0].get("message", "")[:80]] + [""] * 6)
            continue
        ok = [r for r in ra if r["status"] == "ok"]
        per_seed = []
        for s in seeds:
            v = [_f(r["normalised_score"]) for r in ok if r["seed"] == s and r["problem"] in common]
            v = [x for x in v if math.isfinite(x)]
            if v and len(v) == len(common):
                per_seed.append(float(np.mean(v)))
        other = []
        for p in expressed_elsewhere:
            rp = [r for r in ra if r["problem"] == p]
            if rp and all(r["status"] == "cannot express" for r in rp):
                other.append(f"{p}: cannot express")
            elif rp:
                scores = [r["normalised_score"] for r in rp if r["status"] == "ok"]
                other.append(f"{p}: {_pm(scores, 2)}")
        failed_runs = sum(r["status"] == "failed" for r in ra)
        failed_fits = sum(r.get("n_failed_fits") or 0 for r in ok)
        partial = sum(r.get("n_failed_partial") or 0 for r in ok)
        rows.append([
            f"**{a}**" if a.startswith("sksearch") else a,
            _pm(per_seed),
            f"{ranks[a]:.2f}" if a in ranks else "—",
            "; ".join(other) or "—",
            _ms(_median([r["overhead_per_ask"] for r in ok])),
            f"{np.mean([r['wall_time'] for r in ok]):.1f}" if ok else "—",
            f"{failed_runs} runs, {failed_fits} fits"
            + (f" (+{partial} NaN rung scores)" if partial else ""),
            f"{len(ok)}",
        ])
    header = ["optimizer",
              f"mean normalised score ± std over seeds ({len(common)} common problems)",
              "mean rank", "other problems (normalised)", "overhead per ask, median (ms)",
              "mean wall per run (s)", "failures", "runs"]
    return _table(header, rows), common


def _per_problem(g, problem):
    out = []
    for n_jobs, n_iter in g.settings:
        recs = g.select(problem=problem, n_jobs=n_jobs, n_iter=n_iter)
        if not recs:
            continue
        rows = []
        for a in g.adapters:
            ra = [r for r in recs if r["adapter"] == a]
            if not ra:
                continue
            ok = [r for r in ra if r["status"] == "ok"]
            if not ok:
                rows.append([a, ra[0]["status"] + (": " + ra[0].get("message", "")[:70]
                                                   if ra[0]["status"] == "failed" else ""),
                             "", "", "", "", "", "", ""])
                continue
            rows.append([
                f"**{a}**" if a.startswith("sksearch") else a,
                _pm([r["best_score"] for r in ok], 4),
                _pm([r["normalised_score"] for r in ok], 3),
                f"{np.mean([r['n_evals'] for r in ok]):.0f}",
                f"{np.mean([r['budget_used'] for r in ok]):.1f}",
                f"{np.mean([r['wall_time'] for r in ok]):.1f}",
                f"{np.mean([r['fit_score_time'] for r in ok]):.1f}",
                _ms(_median([r["overhead_per_ask"] for r in ok])),
                f"{len(ok)}" + (f" ({len(ra) - len(ok)} failed)" if len(ra) > len(ok) else ""),
            ])
        b = next(r["baseline"] for r in recs if r.get("baseline"))
        out.append(
            f"n_iter={n_iter}, n_jobs={n_jobs} (baseline of {b['n']} random configurations: "
            f"mean {b['mean']:.4f}, best {b['max']:.4f})\n\n"
            + _table(["optimizer", "best CV score", "normalised", "evaluations",
                      "budget used (full-evaluation equivalents)", "wall (s)",
                      "fit+score (s)", "overhead/ask (ms)", "seeds"], rows)
        )
    return "\n\n".join(out)


def _window_mean(trace, lo, hi):
    """Mean of trace[lo-1:hi] (trials lo..hi, 1-based)."""
    v = [x for x in trace[lo - 1:hi] if x is not None]
    return float(np.mean(v)) if len(v) == hi - lo + 1 else math.nan


def _overhead_growth(g):
    rows = []
    for a in g.adapters:
        recs = [r for r in g.ok(adapter=a, n_jobs=1)
                if r["n_iter"] >= 100 and r.get("overhead_trace")
                and len(r["overhead_trace"]) >= 100 and not r.get("derived_from")]
        if not recs:
            continue
        at20 = [_window_mean(r["overhead_trace"], 11, 20) for r in recs]
        at100 = [_window_mean(r["overhead_trace"], 91, 100) for r in recs]
        m20, m100 = np.nanmean(at20), np.nanmean(at100)
        rows.append([a, _ms(m20), _ms(m100), f"{m100 / m20:.1f}x" if m20 > 0 else "—",
                     f"{len(recs)}", ", ".join(sorted({r['problem'] for r in recs}))])
    if not rows:
        return "No run with n_iter >= 100 and n_jobs=1 in these results."
    return _table(["optimizer", "overhead per ask, trials 11-20 (ms)",
                   "trials 91-100 (ms)", "growth", "runs", "problems"], rows)


def _utilisation(g):
    rows = []
    for n_jobs, n_iter in g.settings:
        if n_jobs == 1:
            continue
        for a in g.adapters:
            ok = g.ok(adapter=a, n_jobs=n_jobs, n_iter=n_iter)
            if ok:
                rows.append([a, n_jobs, n_iter, _pm([r["utilisation"] for r in ok], 2),
                             f"{np.mean([r['wall_time'] for r in ok]):.1f}",
                             _ms(_median([r["overhead_per_ask"] for r in ok])), len(ok)])
    if not rows:
        return None
    return _table(["optimizer", "n_jobs", "n_iter", "worker utilisation",
                   "mean wall (s)", "overhead/ask (ms)", "runs"], rows)


def _figures(g, common_by_setting, figdir):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return [], "matplotlib is not installed: no figures (pip install matplotlib)."
    figdir.mkdir(parents=True, exist_ok=True)
    made = []
    palette = plt.get_cmap("tab20").colors
    # distinct colours: dark shades for the first ten optimizers, light for the rest
    order = list(range(0, 20, 2)) + list(range(1, 20, 2))
    colour = {a: palette[order[i % 20]] for i, a in enumerate(g.adapters)}

    def style(a):
        sk = a.startswith("sksearch")
        return {"color": colour[a], "lw": 2.2 if sk else 1.3, "ls": "-" if sk else "--"}

    for (n_jobs, n_iter), common in common_by_setting.items():
        if not common:
            continue
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for a in g.adapters:
            traces = [r["normalised_trace"] for r in g.ok(adapter=a, n_jobs=n_jobs, n_iter=n_iter)
                      if r["problem"] in common]
            if not traces:
                continue
            t = np.array([[_f(x) for x in tr] for tr in traces], dtype=float)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean = np.nanmean(t, axis=0)
            ax.plot(np.arange(1, n_iter + 1), mean, label=a, **style(a))
            ax.plot([n_iter], [mean[-1]], "o", color=colour[a], ms=4)  # halving: only one
        ax.set_xlabel("evaluations")
        ax.set_ylabel("normalised best score (mean over problems, seeds)")
        ax.set_ylim(0, 1.1)
        ax.set_title(f"n_iter={n_iter}, n_jobs={n_jobs}, {len(common)} problems")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        name = f"score_vs_evals_n{n_iter}_j{n_jobs}.png"
        fig.tight_layout()
        fig.savefig(figdir / name, dpi=90)
        plt.close(fig)
        made.append((f"Normalised score vs evaluations (n_iter={n_iter}, n_jobs={n_jobs})", name))

    fig, ax = plt.subplots(figsize=(7, 4.5))
    any_line = False
    for a in g.adapters:
        # per-trial asks only (multi-fidelity rungs are not asks on this axis), longest runs
        runs = [r for r in g.ok(adapter=a, n_jobs=1) if r.get("overhead_trace")
                and not r.get("derived_from") and not r.get("n_partial_evals")]
        longest = max((r["n_iter"] for r in runs), default=0)
        traces = [r["overhead_trace"] for r in runs if r["n_iter"] == longest]
        if not traces:
            continue
        n = max(len(t) for t in traces)
        t = np.full((len(traces), n), np.nan)
        for i, tr in enumerate(traces):
            t[i, : len(tr)] = [_f(x) for x in tr]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(t, axis=0)
        k = 5  # smooth over 5 trials
        smooth = np.convolve(np.nan_to_num(mean), np.ones(k) / k, mode="valid")
        ax.plot(np.arange(k, n + 1), np.maximum(smooth, 1e-4) * 1000, label=a, **style(a))
        any_line = True
    if any_line:
        ax.set_yscale("log")
        ax.set_xlabel("trial")
        ax.set_ylabel("optimizer overhead per ask (ms, 5-trial mean)")
        ax.set_title("overhead vs number of trials (n_jobs=1)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(figdir / "overhead_vs_trials.png", dpi=90)
        made.append(("Optimizer overhead per ask vs number of trials", "overhead_vs_trials.png"))
    plt.close(fig)

    # small multiples: one panel per problem, for the n_jobs=1 budget run on most problems
    settings = [s for s in g.settings if s[0] == 1]
    if settings:
        n_jobs, n_iter = max(settings, key=lambda s: (
            len({r["problem"] for r in g.ok(n_jobs=s[0], n_iter=s[1])}), s[1]))
        probs = [p for p in g.problems if g.ok(problem=p, n_jobs=n_jobs, n_iter=n_iter)]
        cols = 3
        rows = math.ceil(len(probs) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(12, 3 * rows), squeeze=False)
        for ax, p in zip(axes.flat, probs):
            for a in g.adapters:
                traces = [r["normalised_trace"] for r in g.ok(adapter=a, problem=p,
                                                              n_jobs=n_jobs, n_iter=n_iter)]
                if traces:
                    t = np.array([[_f(x) for x in tr] for tr in traces], dtype=float)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", RuntimeWarning)
                        ax.plot(np.arange(1, n_iter + 1), np.nanmean(t, axis=0), label=a,
                                **style(a))
            ax.set_title(p, fontsize=9)
            ax.set_ylim(-0.5, 1.1)
            ax.grid(alpha=0.3)
        for ax in list(axes.flat)[len(probs):]:
            ax.axis("off")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
        name = f"per_problem_n{n_iter}.png"
        fig.savefig(figdir / name, dpi=80)
        plt.close(fig)
        made.append((f"Per problem, normalised score vs evaluations (n_iter={n_iter})", name))
    return made, None


def _environment(records):
    envs = {}
    for r in records:
        e = r.get("env") or {}
        key = json.dumps({k: e.get(k) for k in ("cpu", "cpu_count", "python", "versions")},
                         sort_keys=True)
        envs.setdefault(key, e)
    lines = []
    for e in envs.values():
        v = e.get("versions", {})
        lines.append(
            f"- machine: {e.get('cpu')}, {e.get('cpus_available')} of {e.get('cpu_count')} CPUs "
            f"available, {e.get('platform')}; Python {e.get('python')}; sksearch commit "
            f"{e.get('git_commit')}"
        )
        lines.append("- versions: " + ", ".join(f"{k} {x}" for k, x in v.items() if x))
        missing = [k for k, x in v.items() if not x]
        if missing:
            lines.append("- not installed: " + ", ".join(missing))
    loads = [r["env"]["loadavg_at_start"][0] for r in records
             if r.get("env", {}).get("loadavg_at_start")]
    if loads:
        lines.append(f"- 1-minute load average when the runs started: {min(loads):.1f} to "
                     f"{max(loads):.1f} (other work on the machine inflates wall times)")
    return "\n".join(lines)


def _sections(directory):
    """The Markdown of every ``*.md`` file in ``directory``, in name order."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    parts = []
    for path in sorted(directory.glob("*.md")):
        text = path.read_text().strip()
        if text:
            parts += [f"<!-- from {path.parent.name}/{path.name} -->", text, ""]
    return parts


def write_report(inputs, output, figdir, notes=(), argv=(), sections=None):
    """Write the report; ``sections`` is the folder of extra Markdown tables
    (default: ``sections/`` next to ``output``)."""
    records = load_records(inputs)
    if not records:
        raise ValueError("no records in " + ", ".join(map(str, inputs)))
    g = _Groups(records)
    output, figdir = Path(output), Path(figdir)
    report_cmd = "python -m benchmarks " + " ".join(shlex.quote(str(a)) for a in argv)
    run_cmds = sorted({r["command"] for r in records})
    parts = [
        "# sksearch benchmark results",
        "",
        "<!-- Generated file: do not edit. Regenerate with the commands below. -->",
        f"Generated {_dt.date.today().isoformat()} by `{report_cmd}` from the results of:",
        "",
        *[f"    {c}" for c in run_cmds],
        "",
    ]
    for n in notes:
        parts += [f"> {n}", ""]
    parts += ["## Set-up", "", _environment(records), ""]
    presets = {}
    for r in records:
        presets[r["preset"]] = r.get("preset_definition")
    for name, d in presets.items():
        if d:
            parts.append(f"- preset `{name}` as run: {len(d['problems'])} problems, seeds "
                         f"{d['seeds']}, budgets {d['n_iters']}, n_jobs {d['n_jobs']}, "
                         f"baseline of {d['baseline_n']} random configurations")
    parts += [
        "- every optimizer gets the same problem, the same fixed 3-fold CV splits (an explicit "
        "list of (train, test) indices), the same scorer and the same seed; the budget is the "
        "number of evaluated candidates (all folds); each run is limited to n_jobs threads",
        "- normalised score: 0 = mean, 1 = best of the cached random baseline of the problem "
        "(above 1: better than the best random configuration)",
        "- overhead = wall time - (fit+score time) / workers; per ask = divided by the "
        "number of evaluations; the per-trial trace is from the scorer's clock (n_jobs=1)",
        "",
    ]
    parts += ["## Summary per optimizer", ""]
    common_by_setting = {}
    for n_jobs, n_iter in g.settings:
        table, common = _summary(g, n_jobs, n_iter)
        common_by_setting[(n_jobs, n_iter)] = common
        parts += [f"### n_iter={n_iter}, n_jobs={n_jobs}", "", table, "",
                  f"Common problems: {', '.join(common) or 'none'}.", ""]
    parts += ["## Overhead growth (overhead per ask at 20 vs 100 trials, n_jobs=1)", "",
              _overhead_growth(g), ""]
    util = _utilisation(g)
    if util:
        parts += ["## Worker utilisation (n_jobs > 1)", "",
                  "Utilisation = fit+score time / (wall x workers).", "", util, ""]
    made, why = _figures(g, common_by_setting, figdir)
    parts += ["## Figures", ""]
    if why:
        parts += [why, ""]
    rel = Path(figdir.resolve()).relative_to(output.parent.resolve()) \
        if figdir.resolve().is_relative_to(output.parent.resolve()) else figdir
    for title, name in made:
        parts += [f"![{title}]({rel.as_posix()}/{name})", ""]
    output = Path(output)
    parts += _sections(output.parent / "sections" if sections is None else sections)
    parts += ["## Per problem", ""]
    for p in g.problems:
        prob = PROBLEMS.get(p)
        desc = f": {prob.description} ({', '.join(prob.dimension_kinds())}; {prob.metric})" \
            if prob else ""
        parts += [f"### {p}", "", f"{p}{desc}", "", _per_problem(g, p), ""]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(parts).rstrip() + "\n")
    return output
