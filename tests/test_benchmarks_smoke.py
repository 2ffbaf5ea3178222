"""Smoke test of the benchmark harness in ``benchmarks/`` (not installed).

Runs ``python -m benchmarks run --preset smoke`` with the scikit-learn and
sksearch adapters only (no peer library needed) and the report command,
and checks the measures on synthetic evaluations. Nothing here asserts a
timing: the benchmark reports, it does not pass or fail.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not (ROOT / "benchmarks" / "__main__.py").exists(),
    reason="benchmarks/ is not in this checkout",
)


@pytest.fixture(scope="module")
def bench():
    pytest.importorskip("threadpoolctl")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import benchmarks.adapters
    import benchmarks.evaluation
    import benchmarks.problems
    import benchmarks.runner

    return benchmarks


def _cli(*args):
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", *map(str, args)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout


def test_smoke_preset_runs_and_reports(bench, tmp_path):
    out = tmp_path / "smoke.jsonl"
    _cli("run", "--preset", "smoke", "--adapters", "sklearn,sksearch", "--out", out,
         "--cache-dir", tmp_path / "cache")
    records = [json.loads(line) for line in out.read_text().splitlines()]
    from benchmarks.presets import PRESETS

    preset = PRESETS["smoke"]
    adapters = {a.name for a in bench.adapters.select_adapters("sklearn,sksearch")}
    assert {(r["problem"], r["adapter"]) for r in records} == {
        (p, a) for p in preset.problems for a in adapters
    }
    for r in records:
        assert r["status"] == "ok", r.get("message")
        assert r["env"]["versions"]["scikit-learn"]
        assert len(r["trace"]) == r["n_iter"] == 6
        trace = [t for t in r["trace"] if t is not None]
        assert trace == sorted(trace)  # best so far never decreases
        assert r["best_score"] == pytest.approx(trace[-1])
        assert math.isfinite(r["normalised_score"])
        assert r["wall_time"] >= r["fit_score_time"] > 0
    random_runs = [r for r in records if r["adapter"] == "sklearn-random"]
    for r in random_runs:
        assert r["n_evals"] == 6 and max(r["scores"]) == r["best_score"]
        assert len(r["overhead_trace"]) == 6

    # a second run with resume does nothing new
    _cli("run", "--preset", "smoke", "--adapters", "sklearn,sksearch", "--out", out,
         "--cache-dir", tmp_path / "cache")
    assert len(out.read_text().splitlines()) == len(records)

    md = tmp_path / "RESULTS.md"
    sections = tmp_path / "sections"
    sections.mkdir()
    (sections / "b.md").write_text("## Second section\n\nsecond table\n")
    (sections / "a.md").write_text("## First section\n\nfirst table\n")
    _cli("report", out, "--output", md, "--figures", tmp_path / "fig")
    text = md.read_text()
    assert "python -m benchmarks run --preset smoke" in text
    assert "## Summary per optimizer" in text
    assert all(a in text for a in adapters)
    # benchmarks/sections/*.md next to the output are included, in name order,
    # before the per-problem tables
    first, second = text.index("## First section"), text.index("## Second section")
    assert first < second < text.index("## Per problem")


def test_sksearch_adapter_drives_a_search_class(bench):
    """Any BaseSearch subclass runs through the sksearch adapter (here a test-only one)."""
    pytest.importorskip("sksearch._search")
    from tests._searches import RandomSearch

    problem = bench.problems.get_problem("automl_digits")
    scorer = bench.evaluation.TimedScorer(problem.metric)
    adapter = bench.adapters.SksearchAdapter(RandomSearch)
    evals, _ = adapter.run(problem, n_iter=4, seed=0, n_jobs=1, scorer=scorer)
    assert len(evals) == 4
    assert all(math.isfinite(e.score) and e.fit_time > 0 for e in evals)
    assert len(scorer.stamps) == 4 * len(problem.splits())


class _Broken:
    name, distribution, anytime = "broken", "none", False

    def anytime_for(self, problem):
        return False

    def available(self):
        return True, ""

    def cannot_express(self, problem):
        return None

    def run(self, problem, **kwargs):
        raise RuntimeError("boom")


class _Missing(_Broken):
    name = "missing"

    def available(self):
        return False, "cannot import nothing_here"


class _Flat(_Broken):
    name = "flat"

    def cannot_express(self, problem):
        return "no list of dicts" if problem.is_conditional else None


def test_failures_are_recorded_and_never_stop_the_run(bench, tmp_path, monkeypatch):
    from benchmarks.presets import Preset

    ok = bench.adapters.SklearnRandom()
    monkeypatch.setattr(bench.runner, "select_adapters",
                        lambda spec: [_Missing(), _Flat(), _Broken(), ok])
    preset = Preset("t", problems=("automl_digits", "knn_wine"), seeds=(0,), n_iters=(3,),
                    baseline_n=5)
    out = tmp_path / "r.jsonl"
    bench.runner.run_preset(preset, out=out, cache_dir=tmp_path, log=lambda *a: None)
    status = {(r["problem"], r["adapter"]): r["status"]
              for r in map(json.loads, out.read_text().splitlines())}
    assert status[("automl_digits", "missing")] == "unavailable"
    assert status[("automl_digits", "flat")] == "cannot express"
    assert status[("knn_wine", "flat")] == "failed"
    assert status[("knn_wine", "broken")] == "failed"
    assert status[("automl_digits", "sklearn-random")] == "ok"
    assert status[("knn_wine", "sklearn-random")] == "ok"


def test_genetic_opt_cannot_express_automl(bench):
    problems = bench.problems.PROBLEMS
    ga = bench.adapters.GeneticOpt()
    assert ga.cannot_express(problems["automl_digits"])
    assert ga.cannot_express(problems["svc_digits"]) is None


def test_measures_budget_trace_and_normalisation(bench):
    Eval, measures = bench.evaluation.Eval, bench.evaluation.measures
    baseline = {"mean": 0.5, "max": 0.9}
    # 5 evaluations for a budget of 4 (a GA finishing its generation): the 5th is cut
    evals = [Eval(s, 0.1, 0.01) for s in (0.6, np.nan, 0.7, 0.65, 0.95)]
    m = measures(evals, n_iter=4, wall=1.0, n_workers=1, stamps=[], t0=0.0, n_splits=3,
                 baseline=baseline)
    assert m["trace"] == [0.6, 0.6, 0.7, 0.7]
    assert m["best_score"] == 0.7 and m["n_failed_fits"] == 1 and m["n_evals"] == 5
    assert m["normalised_score"] == pytest.approx((0.7 - 0.5) / 0.4)
    assert m["overhead"] == pytest.approx(1.0 - 5 * 0.11)
    assert m["overhead_trace"] is None  # no stamps
    # rungs on a subsample cost a fraction and are not full scores
    evals = [Eval(0.99, 0.1, 0.0, cost=1 / 3, full=False) for _ in range(6)] + [Eval(0.8, 0.3, 0)]
    m = measures(evals, n_iter=3, wall=2.0, n_workers=2, stamps=[], t0=0.0, n_splits=3,
                 baseline=baseline)
    assert all(math.isnan(t) for t in m["trace"][:2])
    assert m["trace"][2] == 0.8 and m["best_score"] == 0.8
    # per-ask overhead from the scorer's stamps: 2 evaluations x 3 folds
    evals = [Eval(0.6, 0.2, 0.1), Eval(0.7, 0.2, 0.1)]
    stamps = [0.1, 0.2, 0.4, 0.6, 0.7, 0.9]
    m = measures(evals, n_iter=2, wall=1.0, n_workers=1, stamps=stamps, t0=0.0, n_splits=3,
                 baseline=baseline)
    assert m["overhead_trace"] == pytest.approx([0.1, 0.2])


def test_anytime_adapter_prefix_is_the_shorter_run(bench):
    """What lets a short budget be read off a long run (records with derived_from)."""
    problem = bench.problems.get_problem("knn_wine")
    adapter = bench.adapters.SklearnRandom()
    assert adapter.anytime_for(problem)
    runs = [adapter.run(problem, n_iter=n, seed=1, n_jobs=1,
                        scorer=bench.evaluation.TimedScorer(problem.metric))[0] for n in (3, 5)]
    assert [e.score for e in runs[0]] == [e.score for e in runs[1][:3]]
    assert not bench.adapters.SkoptBayes().anytime_for(bench.problems.get_problem("automl_digits"))


def test_skorch_wrapper_quick_run(tmp_path):
    """``python -m benchmarks.skorch_wrapper --quick`` measures both wrappers;
    sksearch's network continues exactly across warm starts and its pickles
    load in a fresh process (skorch's rows are only reported)."""
    pytest.importorskip("skorch")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import skorch_wrapper

    out = tmp_path / "skorch.json"
    rows, checks = skorch_wrapper.main(["--quick", "--seeds", "1", "--out", str(out)])
    assert checks == {}
    assert sorted(r["wrapper"] for r in rows) == ["skorch", "sksearch"]
    for r in rows:
        assert r["seed"] == 1 and r["epochs"] == 4
        assert 0.1 < r["accuracy"] <= 1 and r["pickle_kb"] > 0 and r["pickle_same"]
    ours = next(r for r in rows if r["wrapper"] == "sksearch")
    assert ours["fresh_process_same"] and ours["fresh_process_warnings"] == []
    for case in ("plain", "global_rng_draw", "pickle"):
        assert ours[f"warm_{case}_diff"] == 0 and ours[f"warm_{case}_epochs"] == 4
    assert json.loads(out.read_text())["rows"] == rows


def test_hyperband_speed_reads_a_trace_from_the_journal_with_two_workers(tmp_path):
    """``hyperband_speed --n-jobs 2`` times a search by its checkpoint journal:
    one point per evaluation at the top resource, in time order, within the
    search's wall time, ending at its best score."""
    import time

    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    from sksearch import HyperbandSearchCV
    from sksearch.space import Integer

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.hyperband_speed import journal_trace

    X, y = load_iris(return_X_y=True)
    path = tmp_path / "j.jsonl"
    search = HyperbandSearchCV(DecisionTreeClassifier(random_state=0),
                               {"max_depth": Integer(1, 6)}, resource="n_samples",
                               n_iter=20, n_jobs=2, random_state=0, checkpoint=path)
    start = time.time()
    search.fit(X, y)
    wall = time.time() - start
    times, best = journal_trace(path, start, search.max_resources_)
    n_top = int(np.sum(np.asarray(search.cv_results_["n_resources"]) == search.max_resources_))
    assert len(times) == len(best) == n_top > 0
    assert np.all(np.diff(times) >= 0) and 0 <= times[0] and times[-1] <= wall
    assert np.all(np.diff(best) >= 0)
    top = np.asarray(search.cv_results_["n_resources"]) == search.max_resources_
    assert best[-1] == pytest.approx(np.nanmax(search.cv_results_["mean_test_score"][top]))
