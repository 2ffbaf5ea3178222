"""Smoke test of the ``nas_epochs`` problem of ``benchmarks/hyperband_speed.py``
(an sksearch MLP network on the digits, resource ``max_epochs``), at a tiny
size: every search runs, Hyperband continues the networks from rung to rung,
and the report has the problem's table. Nothing here asserts a timing."""

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    not (ROOT / "benchmarks" / "hyperband_speed.py").exists(),
    reason="benchmarks/ is not in this checkout",
)


@pytest.fixture(scope="module")
def hs():
    pytest.importorskip("threadpoolctl")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import benchmarks.hyperband_speed

    return benchmarks.hyperband_speed


def test_the_problem_is_a_single_threaded_network_with_a_valid_space(hs):
    from sklearn.base import clone
    from sklearn.model_selection import ParameterSampler

    from sksearch.nas import MLPNetClassifier

    X, y, est, space, res_kw = hs.PROBLEMS["nas_epochs"]()
    assert X.shape == (1797, 64) and 0 <= X.min() and X.max() <= 1
    assert isinstance(est, MLPNetClassifier)
    assert est.n_threads == 1
    assert res_kw == {"resource": "max_epochs", "max_resources": 27, "min_resources": 1}
    assert est.max_epochs == res_kw["max_resources"]
    depths = set()
    for params in ParameterSampler(space, 30, random_state=0):
        # every candidate is a valid topology of its depth
        net = clone(est).set_params(**params)
        depths.add(params["n_layers"])
        assert len(net.hidden_layer_sizes) == params["n_layers"]
    assert depths == {1, 2, 3}


def test_nas_epochs_runs_every_search_and_reports(hs, monkeypatch):
    def tiny():
        """The nas_epochs problem at a tiny size."""
        return hs.problem_nas_epochs(max_epochs=3, n_samples=240)

    monkeypatch.setitem(hs.PROBLEMS, "nas_epochs", tiny)
    searches = ["hyperband", "bohb", "asha", "asha-bohb"]
    rows = hs.run_problem("nas_epochs", 0, 1, searches)
    assert [r["name"] for r in rows] == ["random40", "halving", *searches]
    for r in rows:
        assert r["problem"] == "nas_epochs" and r["seed"] == 0
        assert 0 <= r["best_cv"] <= 1 and 0 <= r["test"] <= 1
        assert r["ratio"] > 0 and r["n_top"] >= 1
    assert rows[0]["n_eval"] == 40
    # the target is Random40's best: it reaches it at or before its whole wall time
    assert rows[0]["reached"] and rows[0]["ratio"] <= 1
    for r in rows[2:]:
        assert r["min_resources_"] == 1
        # continued training: the networks of the higher rungs went on from
        # the lower rungs' weights
        assert r["n_warm"] > 0, r["name"]
    table = hs.report(rows)
    assert "### nas_epochs: The nas_epochs problem at a tiny size." in table
    for name in ["random40", "halving", *searches]:
        assert f"| {name} |" in table


def test_rung_costs_prints_one_row_per_epoch_level(hs, monkeypatch, capsys):
    def tiny():
        """The nas_epochs problem at a tiny size."""
        return hs.problem_nas_epochs(max_epochs=9, n_samples=240)

    monkeypatch.setitem(hs.PROBLEMS, "nas_epochs", tiny)
    hs.rung_costs("nas_epochs", 0, n_candidates=2)
    rows = [line.split("|")[1:-1] for line in capsys.readouterr().out.splitlines()]
    assert [int(r[2]) for r in rows] == [9, 3, 1]
    assert [float(r[3]) for r in rows] == pytest.approx([1, 1 / 3, 1 / 9], abs=1e-4)
    assert np.all(np.array([float(r[6]) for r in rows]) > 0)
