"""Smoke test of the Bayesmark protocol in ``benchmarks/bayesmark.py`` (not installed).

A tiny run (1 problem, 2 rounds of 2, random search + BayesSearchCV + Optuna
TPE) goes through run -> resume (nothing fitted again) -> report, and the
normalised score is checked on a hand-made example.
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not (ROOT / "benchmarks" / "bayesmark.py").exists(),
    reason="benchmarks/ is not in this checkout",
)


@pytest.fixture(scope="module")
def bm():
    pytest.importorskip("threadpoolctl")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import benchmarks.bayesmark

    return benchmarks.bayesmark


RESULTS_MD = """# results

## Figures

<!-- from sections/cells.md -->
## Cells

cells table

## Per problem

### svc_digits
"""


def test_run_resume_report(bm, tmp_path, monkeypatch, capsys):
    pytest.importorskip("optuna")
    monkeypatch.setenv("PYTHONWARNINGS", "ignore")
    out = tmp_path / "bm.jsonl"
    argv = ["run", "--preset", "smoke", "--optimizers", "random,sksearch-bayes,optuna-tpe",
            "--out", str(out)]
    bm.main(argv)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["adapter"] for r in records) == ["optuna-tpe", "random", "sksearch-bayes"]
    for r in records:
        assert r["status"] == "ok", r.get("message")
        assert r["suite"] == "bayesmark" and r["problem"] == "DT_iris_acc"
        assert [len(b) for b in r["scores"]] == [2, 2]  # 2 rounds of a batch of 2
        assert all(0 <= s <= 1 for b in r["scores"] for s in b)  # accuracies
        assert r["best_score"] == max(s for b in r["scores"] for s in b)

    # resume: every run is in the file, nothing is fitted again
    def no_fit(*args, **kwargs):
        raise AssertionError("a finished run was run again")

    monkeypatch.setattr(bm, "_run_one", no_fit)
    before = out.read_text()
    bm.main(argv)
    assert out.read_text() == before

    section, md = tmp_path / "sections" / "bayesmark.md", tmp_path / "RESULTS.md"
    md.write_text(RESULTS_MD)
    rep = ["report", str(out), "--rounds", "2,1", "--output", str(section),
           "--results-md", str(md)]
    bm.main(rep)
    text = section.read_text()
    for name in ("random", "**sksearch-bayes**", "optuna-tpe", "DT_iris_acc",
                 "Bayesmark score, 2 rounds", "Bayesmark score, 1 rounds"):
        assert name in text
    bm.main(rep)  # a second report replaces the section, it does not add one
    lines = md.read_text().splitlines()
    assert lines.count("<!-- from sections/bayesmark.md -->") == 1
    # in name order among the sections, before the per-problem tables
    i = lines.index("<!-- from sections/bayesmark.md -->")
    assert i < lines.index("<!-- from sections/cells.md -->") < lines.index("## Per problem")
    assert "cells table" in lines and "### svc_digits" in lines

    # notes written by hand below the mark survive a new report, once
    section.write_text(section.read_text() + "\n" + bm.NOTES_MARK + "\n\nhand-written table\n")
    bm.main(["report", str(out), "--rounds", "2", "--output", str(section), "--results-md", ""])
    text = section.read_text()
    assert text.count(bm.NOTES_MARK) == 1 and text.endswith("hand-written table\n")
    assert "Bayesmark score, 2 rounds" in text and "Bayesmark score, 1 rounds" not in text


def _record(adapter, scores, seed=0):
    return {"suite": "bayesmark", "status": "ok", "problem": "DT_iris_acc", "adapter": adapter,
            "seed": seed, "n_iter": 4, "n_jobs": 1, "batch_size": 2, "n_rounds": 2,
            "scores": scores, "wall_time": 1.0, "n_failed_fits": 0}


def test_normalised_score_definition(bm):
    # losses are minus the scores; random's evaluations: -0.1, -0.2, -0.3, -0.4
    records = [
        _record("random", [[0.1, 0.2], [0.3, 0.4]]),
        _record("best", [[0.9, 0.0], [0.0, 0.0]]),  # reaches opt = -0.9 at round 1
        _record("mid", [[0.6, 0.0], [0.0, 0.0]]),  # halfway between opt and clip
        _record("bad", [[0.05, 0.0], [0.25, 0.0]]),  # worse than the median: clipped
    ]
    res = bm.summarise(records, [2, 1])
    e = res["per_problem"]["DT_iris_acc"]
    assert e["clip"] == pytest.approx(-0.3)  # median random evaluation (2nd of 4)
    assert e["opt"] == pytest.approx(-0.9) and e["opt"] < -0.9  # padded strictly below
    s = res["summary"]
    assert s[("best", 1)]["score"] == pytest.approx(100)
    assert s[("mid", 2)]["score"] == pytest.approx(50)
    assert s[("bad", 1)]["score"] == pytest.approx(0)  # (0.85 / 0.6) clipped to 1
    assert s[("bad", 2)]["score"] == pytest.approx(0)
    assert s[("random", 1)]["score"] == pytest.approx(0)  # best -0.2 is above the clip
    assert s[("random", 2)]["score"] == pytest.approx(100 * (1 - 0.5 / 0.6))
    # relative to random search's expected best-so-far: E[min of 4 of 4] = -0.4,
    # so random search is the reference (0) and "mid" 100 x (1 - 0.5 / (0.5 / 0.6))
    assert s[("random", 2)]["vs_random"] == pytest.approx(0)
    assert s[("mid", 2)]["vs_random"] == pytest.approx(40)
    assert s[("best", 2)]["vs_random"] == pytest.approx(100)
    # at round 1 (8 -> 2 draws): E[min of 2] = -0.35 (the clip caps -0.1, -0.2 at -0.3)
    assert e["rand_norm"][0] == pytest.approx(0.55 / 0.6)

    # a run that used up a finite space early keeps its best-so-far to the last round
    short = _record("short", [[0.6, 0.0]])
    short["info"] = {"stop_reason": "exhausted", "used_up_space": True}
    res = bm.summarise(records + [short], [2])
    assert res["summary"][("short", 2)]["score"] == pytest.approx(50)
    assert res["summary"][("mid", 2)]["score"] == pytest.approx(50)  # opt, clip unchanged

    # every seed has its own splits: its references come from its own runs
    shifted = [_record(r["adapter"], [[x + 0.05 for x in b] for b in r["scores"]], seed=1)
               for r in records]
    res = bm.summarise(records + shifted, [2])
    assert res["summary"][("mid", 2)]["score"] == pytest.approx(50)
    assert res["summary"][("best", 2)]["score"] == pytest.approx(100)

    n = bm.normalised_loss([-3.0, -0.5, 2.0, math.nan], opt=-1.0, clip=0.0)
    np.testing.assert_allclose(n, [-1.0, 0.5, 1.0, 1.0])  # clipped to [-1, 1]; NaN worst


@pytest.mark.parametrize("args, needle", [
    (["run", "--preset", "nope"], "--preset: unknown preset 'nope'"),
    (["run", "--problems", "DT_wine_r2"], "--problems: unknown problem 'DT_wine_r2'"),
    (["run", "--optimizers", "random,nope"], "--optimizers: unknown optimizer 'nope'"),
])
def test_bad_names_are_named(bm, args, needle, capsys):
    with pytest.raises(SystemExit):
        bm.main(args)
    assert needle in capsys.readouterr().err
    with pytest.raises(ValueError, match="problem: unknown problem"):
        bm.get_problem("SVM_boston_mse")


# -- HEBO through its own environment ------------------------------------------------
_FAKE_HEBO = '''
import json, os
import numpy as np, pandas as pd


class DesignSpace:
    def parse(self, paras):
        self.paras = paras
        return self


class HEBO:
    def __init__(self, space, scramble_seed=None):
        self.space, self.rng = space, np.random.default_rng(scramble_seed)

    def suggest(self, n_suggestions=1):
        print("noise on stdout")  # the driver must keep it off the protocol
        rows = []
        for _ in range(n_suggestions):
            row = {}
            for p in self.space.paras:
                lo, hi = p.get("lb"), p.get("ub")
                if p["type"] == "cat":
                    row[p["name"]] = str(self.rng.choice(p["categories"]))
                elif p["type"] in ("pow", "pow_int"):
                    row[p["name"]] = float(np.exp(self.rng.uniform(np.log(lo), np.log(hi))))
                else:
                    row[p["name"]] = float(self.rng.uniform(lo, hi))
            rows.append(row)
        return pd.DataFrame(rows)

    def observe(self, rec, y):
        assert y.shape == (len(rec), 1)
        with open(os.environ["FAKE_HEBO_LOG"], "a") as fh:
            fh.write(json.dumps({"space": self.space.paras, "y": y.ravel().tolist()}) + "\\n")
'''


def _fake_hebo_env(tmp_path):
    """A 'virtual environment' whose python is this one with a stand-in ``hebo``
    package on its path: the subprocess protocol is tested without HEBO."""
    site = tmp_path / "site"
    for pkg in ("hebo", "hebo/design_space", "hebo/optimizers"):
        (site / pkg).mkdir(parents=True)
        (site / pkg / "__init__.py").write_text("")
    (site / "hebo" / "design_space" / "design_space.py").write_text(_FAKE_HEBO)
    (site / "hebo" / "optimizers" / "hebo.py").write_text(
        "from hebo.design_space.design_space import HEBO\n")
    dist = site / "HEBO-0.0.1.dist-info"
    dist.mkdir()
    dist.joinpath("METADATA").write_text("Metadata-Version: 2.1\nName: HEBO\nVersion: 0.0.1\n")
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nPYTHONPATH="{site}" exec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return tmp_path / "venv"


def test_hebo_unavailable_names_its_environment(bm, tmp_path, monkeypatch):
    monkeypatch.setenv(bm.HEBO_VENV_ENV, str(tmp_path / "nowhere"))
    ok, why = bm.Hebo().available()
    assert not ok
    assert str(tmp_path / "nowhere") in why and bm.HEBO_VENV_ENV in why


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in python is a sh script")
def test_hebo_protocol_with_a_stand_in(bm, tmp_path, monkeypatch):
    pytest.importorskip("torch")  # the driver the stand-in runs imports it, as HEBO does
    monkeypatch.setenv(bm.HEBO_VENV_ENV, str(_fake_hebo_env(tmp_path)))
    log = tmp_path / "observed.jsonl"
    monkeypatch.setenv("FAKE_HEBO_LOG", str(log))
    opt = bm.Hebo()
    assert opt.available() == (True, "")
    assert opt.version == "0.0.1"
    # log-uniform reals, a log integer and booleans (categorical by index)
    problem = bm.get_problem("lasso_diabetes_mae", seed=0)
    space = problem.space
    seen, scores = [], iter([-50.0, math.nan, -40.0, -45.0])

    def evaluate(problem_, params):
        seen.append(params)
        return next(scores), 0.0

    monkeypatch.setattr(bm, "_evaluate", evaluate)
    rounds, _, info = opt.run(problem, n_rounds=2, batch_size=2, seed=3)
    assert info["hebo_version"] == "0.0.1"
    assert [len(r) for r in rounds] == [2, 2] and len(seen) == 4
    for params in seen:
        assert set(params) == set(space)
        assert params["fit_intercept"] in (False, True)
        assert isinstance(params["max_iter"], int)
        assert space["max_iter"].low <= params["max_iter"] <= space["max_iter"].high
        assert space["alpha"].low <= params["alpha"] <= space["alpha"].high
    told = [json.loads(line) for line in log.read_text().splitlines()]
    # losses (minus the scores); the failed fit is told as the worst loss so far
    assert [t["y"] for t in told] == [[50.0, 50.0], [40.0, 45.0]]
    kinds = {p["name"]: p["type"] for p in told[0]["space"]}
    assert kinds == {"alpha": "pow", "fit_intercept": "cat", "max_iter": "pow_int",
                     "tol": "pow", "positive": "cat"}


def test_hebo_subprocess_failure_is_reported(bm, tmp_path, monkeypatch):
    venv = _fake_hebo_env(tmp_path)
    broken = tmp_path / "site" / "hebo" / "optimizers" / "hebo.py"
    broken.write_text("raise ImportError('HEBO is broken here')\n")
    monkeypatch.setenv(bm.HEBO_VENV_ENV, str(venv))
    opt = bm.Hebo()
    ok, why = opt.available()  # `import hebo` alone still works
    assert ok
    with pytest.raises(RuntimeError, match="(?s)HEBO subprocess ended.*HEBO is broken here"):
        opt.run(bm.get_problem("DT_iris_acc"), n_rounds=1, batch_size=2, seed=0)


@pytest.mark.skipif(not (ROOT / "benchmarks" / ".venv-hebo" / "bin" / "python").exists(),
                    reason="no HEBO environment in benchmarks/.venv-hebo")
def test_real_hebo_runs_two_rounds(bm, monkeypatch):
    monkeypatch.delenv("BAYESMARK_HEBO_VENV", raising=False)
    opt = bm.Hebo()
    ok, why = opt.available()
    assert ok, why
    rounds, _, info = opt.run(bm.get_problem("DT_iris_acc"), n_rounds=2, batch_size=2, seed=0)
    assert [len(r) for r in rounds] == [2, 2]
    assert all(0 <= s <= 1 for r in rounds for s in r)
    assert info["hebo_version"]
