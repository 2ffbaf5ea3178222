"""Every ```python block of README.md, and every ``.. code-block:: python`` of
the migration guide, runs as pasted, on its own, in a fresh interpreter."""

import importlib.util
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)

# the guide's before/after blocks: the code of each peer and the same code on sksearch
GUIDES = [ROOT / "doc" / "guide" / "migration.rst"]
GUIDE_BLOCKS = [
    (f"{path.stem}-block{i}", textwrap.dedent(code))
    for path in GUIDES
    for i, code in enumerate(re.findall(
        r"^\.\. code-block:: python\n\n((?:(?:[ \t]+.*)?\n)+)", path.read_text(encoding="utf-8"),
        re.M,
    ))
]
# a "before" block needs the peer it migrates from
PEERS = {
    "skopt": "scikit-optimize", "optuna": "optuna", "optuna_integration": "optuna-integration",
}


def test_readme_has_python_blocks():
    assert len(BLOCKS) >= 5


def test_migration_guide_has_a_before_and_after_for_each_peer():
    text = "\n".join(code for _, code in GUIDE_BLOCKS)
    for peer in ("GridSearchCV", "RandomizedSearchCV", "from skopt", "from optuna"):
        assert peer in text, peer
    assert len(GUIDE_BLOCKS) >= 8


@pytest.mark.parametrize(
    "code", BLOCKS + [code for _, code in GUIDE_BLOCKS],
    ids=[f"block{i}" for i in range(len(BLOCKS))] + [name for name, _ in GUIDE_BLOCKS],
)
def test_readme_block_runs(code, tmp_path):
    if "NASClassifier" in code:
        pytest.importorskip("torch")
    if "dask" in code:
        pytest.importorskip("dask.distributed")
    for module, name in PEERS.items():
        if re.search(rf"^(from|import) {module}\b", code, re.M) and (
            importlib.util.find_spec(module) is None
        ):
            pytest.skip(f"{name} is not installed: this block shows code written for it")
    # on standard input, as pasted into an interpreter: a block that only works
    # from a file (worker processes that re-import __main__) fails here
    proc = subprocess.run([sys.executable, "-W", "default", "-"], input=code, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]
    # a peer's warnings about itself (a "before" block) are not sksearch's, nor
    # an older scikit-learn's deprecation warnings about its own calls into a
    # newer scipy (scikit-learn 1.4 with scipy >= 1.16)
    warnings = [line for line in proc.stderr.splitlines() if "Warning:" in line
                and not re.search(r"[/\\](skopt|optuna|optuna_integration)[/\\]", line)
                and not re.search(r"[/\\]sklearn[/\\].*DeprecationWarning: scipy", line)]
    assert len(warnings) <= 2, "\n".join(warnings)
