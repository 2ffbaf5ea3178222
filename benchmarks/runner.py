"""Run adapters x problems x seeds x budgets and append results as JSON lines."""

import datetime as _dt
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time
import traceback
import warnings
from importlib import metadata
from pathlib import Path

from .adapters import select_adapters
from .baseline import DEFAULT_CACHE_DIR, get_baseline
from .evaluation import TimedScorer, measures
from .problems import get_problem

__all__ = ["environment", "run_preset"]

SCHEMA = 1
_DISTRIBUTIONS = [
    "scikit-learn", "numpy", "scipy", "joblib", "deap", "scikit-optimize", "optuna",
    "optuna-integration", "hyperopt", "sklearn-genetic-opt", "torch", "greenlet",
    "matplotlib", "sksearch",
]


def _version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        if dist == "sksearch":  # run from a checkout without installing
            try:
                import sksearch

                return sksearch.__version__
            except Exception:
                return None
        return None


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit():
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        return commit + ("-dirty" if dirty else "") if commit else None
    except (OSError, subprocess.SubprocessError):
        return None


def environment():
    """Library versions and the machine, recorded with every result."""
    try:
        n_avail = len(os.sched_getaffinity(0))
    except AttributeError:
        n_avail = os.cpu_count()
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_available": n_avail,
        "loadavg_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "git_commit": _git_commit(),
        "versions": {d: _version(d) for d in _DISTRIBUTIONS},
    }


def _done_keys(path):
    keys = set()
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                keys.add((r["problem"], r["adapter"], r["seed"], r["n_iter"], r["n_jobs"]))
    return keys


def _clean(obj):
    """JSON-safe: NaN/inf become null."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item"):  # numpy scalar
        return _clean(obj.item())
    return obj


def _limit_threads(n):
    """Each run gets as many BLAS/OpenMP (and torch) threads as workers."""
    from threadpoolctl import threadpool_limits

    limiter = threadpool_limits(limits=n)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)
    return limiter


def _warm_up_workers(n_jobs):
    """Start joblib's worker processes (and their imports) before timing, so
    that the first n_jobs > 1 run does not pay for them alone."""
    import numpy as np
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.utils.parallel import Parallel, delayed

    X = np.random.default_rng(0).random((60, 3))
    y = np.arange(60) % 2
    Parallel(n_jobs=n_jobs)(
        delayed(cross_val_score)(DecisionTreeClassifier(), X, y, cv=3) for _ in range(4 * n_jobs)
    )


def run_preset(preset, *, out, adapters_spec=None, cache_dir=DEFAULT_CACHE_DIR,
               resume=True, log=print):
    """Run ``preset``; append one JSON line per (problem, adapter, seed, budget, n_jobs)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYTHONWARNINGS", "ignore")  # loky workers
    warnings.simplefilter("ignore")
    adapters = select_adapters(adapters_spec)
    env = environment()
    command = "python -m benchmarks " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    done = _done_keys(out) if resume else set()
    n_iters = sorted(set(preset.n_iters))
    log(f"preset {preset.name}: {len(preset.problems)} problems x {len(preset.seeds)} seeds x "
        f"budgets {n_iters} x n_jobs {list(preset.n_jobs)}; adapters: "
        f"{', '.join(a.name for a in adapters)}")
    availability = {a.name: a.available() for a in adapters}
    for name, (ok, why) in availability.items():
        if not ok:
            log(f"  skipping {name}: {why}")
    problems = [get_problem(p) for p in preset.problems]
    baselines = {p.name: get_baseline(p, preset.baseline_n, cache_dir, log=log) for p in problems}
    base = {
        "schema": SCHEMA, "preset": preset.name, "command": command, "env": env,
        "preset_definition": {
            "problems": list(preset.problems), "seeds": list(preset.seeds),
            "n_iters": n_iters, "n_jobs": list(preset.n_jobs), "baseline_n": preset.baseline_n,
        },
    }
    with out.open("a") as fh:
        def emit(record):
            fh.write(json.dumps(_clean({**base, **record})) + "\n")
            fh.flush()

        for n_jobs in preset.n_jobs:
            if n_jobs > 1:
                _warm_up_workers(n_jobs)
            for seed in preset.seeds:
                for problem in problems:
                    baseline = baselines[problem.name]
                    bstats = {k: baseline[k] for k in ("mean", "max", "std", "n")}
                    for adapter in adapters:
                        todo = [n for n in n_iters
                                if (problem.name, adapter.name, seed, n, n_jobs) not in done]
                        if not todo:
                            continue
                        key = {"problem": problem.name, "adapter": adapter.name,
                               "library": adapter.distribution, "seed": seed,
                               "n_jobs": n_jobs, "baseline": bstats,
                               "timestamp": _dt.datetime.now().isoformat(timespec="seconds")}
                        ok, why = availability[adapter.name]
                        reason = None if ok else why
                        status = "unavailable"
                        if ok:
                            reason = adapter.cannot_express(problem)
                            status = "cannot express"
                        if reason is not None:
                            for n in todo:
                                emit({**key, "n_iter": n, "status": status, "message": reason})
                            continue
                        _run_one(adapter, problem, todo, seed, n_jobs, key, emit, log)


def _run_one(adapter, problem, n_iters, seed, n_jobs, key, emit, log):
    """Run one adapter on one problem and seed for the budgets ``n_iters``.

    An *anytime* adapter with one worker runs once with the largest budget;
    the smaller budgets are read off its first evaluations (records marked
    ``derived_from``), when the scorer's time stamps allow it.
    """
    budgets = sorted(n_iters, reverse=True)
    while budgets:
        n_iter = budgets.pop(0)
        scorer = TimedScorer(problem.metric)
        t0 = time.perf_counter()
        try:
            with _limit_threads(n_jobs):
                t0 = time.perf_counter()
                evals, info = adapter.run(problem, n_iter=n_iter, seed=seed, n_jobs=n_jobs,
                                          scorer=scorer)
                wall = time.perf_counter() - t0
        except Exception as exc:
            wall = time.perf_counter() - t0
            msg = f"{type(exc).__name__}: {exc}"
            log(f"  FAILED {adapter.name} on {problem.name} seed {seed} n_iter {n_iter}: {msg}")
            emit({**key, "n_iter": n_iter, "status": "failed", "message": msg[:2000],
                  "traceback": traceback.format_exc()[-4000:], "wall_time": wall})
            continue
        n_splits = len(problem.splits())
        common = dict(n_workers=n_jobs, n_splits=n_splits, baseline=key["baseline"])
        m = measures(evals, n_iter=n_iter, wall=wall, stamps=scorer.stamps, t0=t0, **common)
        emit({**key, "n_iter": n_iter, "status": "ok", "info": info, **m})
        log(f"  {problem.name:20s} seed {seed} {adapter.name:18s} n_iter {n_iter:3d}: "
            f"best {m['best_score']:.4f} norm {m['normalised_score']:+.3f} "
            f"wall {wall:6.1f}s overhead/ask {1000 * m['overhead_per_ask']:7.1f} ms")
        if adapter.anytime_for(problem) and n_jobs == 1 and m["overhead_trace"] is not None:
            per_eval = len(scorer.stamps) // len(evals)
            for k in [b for b in budgets if b <= len(evals)]:
                end_k = scorer.stamps[k * per_eval - 1]
                mk = measures(evals[:k], n_iter=k, wall=end_k - t0,
                              stamps=scorer.stamps[: k * per_eval], t0=t0, **common)
                emit({**key, "n_iter": k, "status": "ok", "info": info,
                      "derived_from": n_iter, **mk})
                budgets.remove(k)
