"""The random baseline that normalises scores: 0 = its mean, 1 = its best.

For each problem, ``n`` configurations (200 by default) are drawn from the
neutral prior with a fixed seed and evaluated on the problem's splits. The
scores are cached as JSON under the cache directory (a derived artefact,
git-ignored, regenerated when missing); the cache key holds the problem's
version, ``n`` and the scikit-learn version.
"""

import hashlib
import json
import math
import time
from pathlib import Path

import numpy as np
import sklearn
from threadpoolctl import threadpool_limits

from .evaluation import TimedScorer, cross_val_eval

__all__ = ["DEFAULT_CACHE_DIR", "get_baseline"]

DEFAULT_CACHE_DIR = Path(__file__).resolve().parent / ".cache"
BASELINE_SEED = 20240601


def _cache_path(problem, n, cache_dir):
    key = f"{problem.name}|v{problem.version}|{problem.space!r}|n{n}|sklearn{sklearn.__version__}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    return Path(cache_dir) / "baseline" / f"{problem.name}-n{n}-{digest}.json"


def get_baseline(problem, n=200, cache_dir=DEFAULT_CACHE_DIR, n_jobs=1, log=print):
    """Baseline statistics of ``problem`` (computed once, then read from the cache)."""
    path = _cache_path(problem, n, cache_dir)
    if path.exists():
        return json.loads(path.read_text())
    log(f"  baseline: evaluating {n} random configurations of {problem.name} ...")
    space = problem.parsed_space()
    candidates = space.sample(n, random_state=BASELINE_SEED)
    scorer = TimedScorer(problem.metric)
    t0 = time.perf_counter()
    with threadpool_limits(limits=n_jobs):  # no oversubscription (HistGradientBoosting)
        scores = [cross_val_eval(problem, c, scorer, n_jobs=n_jobs).score for c in candidates]
    finite = np.array([s for s in scores if math.isfinite(s)])
    if finite.size == 0:
        raise RuntimeError(f"every baseline configuration of {problem.name} failed")
    stats = {
        "problem": problem.name,
        "n": n,
        "seed": BASELINE_SEED,
        "sklearn": sklearn.__version__,
        "mean": float(finite.mean()),
        "max": float(finite.max()),
        "std": float(finite.std()),
        "median": float(np.median(finite)),
        "n_failed": int(len(scores) - finite.size),
        "seconds": round(time.perf_counter() - t0, 2),
        "scores": [None if not math.isfinite(s) else s for s in scores],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stats, indent=1))
    return stats
