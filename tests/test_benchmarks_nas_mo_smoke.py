"""Smoke test of benchmarks/nas_mo_digits.py: every method runs through
``run_one`` on a few digits, one epoch, a handful of evaluations, and the
report gives every method a finite hypervolume. Nothing here asserts a
timing."""

import json
import math

import pytest

pytest.importorskip("torch")

from benchmarks import nas_mo_digits  # noqa: E402

N_EVALS = 4


@pytest.fixture(scope="module")
def runs():
    return [nas_mo_digits.run_one(m, 0, N_EVALS, max_epochs=1, n_samples=240)
            for m in nas_mo_digits.methods()]


def test_the_methods():
    names = set(nas_mo_digits.methods())
    # random and sksearch's multi-objective strategies; no single-objective one
    assert {"random", "bayes", "genetic", "tpe"} <= names
    assert not names & {"hyperband", "pso", "annealing"}
    try:
        import optuna  # noqa: F401
    except ImportError:
        assert not names & set(nas_mo_digits.OPTUNA)
    else:
        assert set(nas_mo_digits.OPTUNA) <= names


def test_every_method_gives_finite_hypervolumes(runs, tmp_path):
    for r in runs:
        assert len(r["rows"]) == N_EVALS
        assert r["n_front"] >= 1
        # accuracy in [0, 1], minus a positive count of parameters
        assert all(0 <= a <= 1 and p < 0 for a, p in r["rows"])
    summ, _ = nas_mo_digits.summary(runs, [2, N_EVALS])
    assert set(summ) == set(nas_mo_digits.methods())
    for d in summ.values():
        for b in (2, N_EVALS):
            assert all(math.isfinite(v) and 0 <= v <= 1 for v in d["hv"][b])
        assert d["hv"][2][0] <= d["hv"][N_EVALS][0] + 1e-12

    data = tmp_path / "runs.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in runs))
    out = tmp_path / "section.md"
    nas_mo_digits.main(["report", str(data), "--budgets", f"2,{N_EVALS}",
                        "--output", str(out)])
    text = out.read_text()
    assert "| random |" in text and f"HV at {N_EVALS}" in text and "±" in text


@pytest.mark.parametrize("sampler", ["nsga2", "tpe"])
def test_optuna_strategy_asks_from_the_space(sampler):
    pytest.importorskip("optuna")
    from sksearch.nas import default_search_space

    space = nas_mo_digits.Space(default_search_space("mlp"))
    opt = nas_mo_digits.OptunaOptimizer(space, sampler=sampler, random_state=0)
    for _ in range(3):
        batch = opt.ask(2)
        for c in batch:
            # a candidate of one sub-space, its parameters only
            sub = space.subspaces[c["n_layers"] - 1]
            assert set(c) == set(sub)
        opt.tell(batch, [[0.5, -100.0], [float("nan"), float("nan")]])
    assert len(opt.y_) == 6
