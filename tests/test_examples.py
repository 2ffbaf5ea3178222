"""The gallery's figure example runs as a script and saves every figure."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_plot_automl_example_draws_every_figure(tmp_path):
    pytest.importorskip("matplotlib")
    env = {**os.environ, "MPLBACKEND": "agg"}
    proc = subprocess.run([sys.executable, "-W", "default", str(EXAMPLES / "plot_automl.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Warning:" not in proc.stderr, proc.stderr[-4000:]
    # parallel coordinates, slice, importance, partial dependence, two
    # timelines, Hyperband, and GridSearchCV's slice and importance
    assert sorted(p.name for p in tmp_path.glob("plot_automl_*.png")) == [
        f"plot_automl_{n}.png" for n in range(1, 10)
    ]


def test_plot_multi_objective_example_draws_the_front_and_its_convergence(tmp_path):
    pytest.importorskip("matplotlib")
    env = {**os.environ, "MPLBACKEND": "agg"}
    proc = subprocess.run(
        [sys.executable, "-W", "default", str(EXAMPLES / "plot_multi_objective.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Warning:" not in proc.stderr, proc.stderr[-4000:]
    assert "<- refitted" in proc.stdout
    assert sorted(p.name for p in tmp_path.glob("plot_multi_objective_*.png")) == [
        "plot_multi_objective_1.png", "plot_multi_objective_2.png"
    ]
