"""Every ```python block of README.md runs as pasted, on its own, in a fresh interpreter."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)


def test_readme_has_python_blocks():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_block_runs(code, tmp_path):
    if "NASClassifier" in code:
        pytest.importorskip("torch")
    if "dask" in code:
        pytest.importorskip("dask.distributed")
    # on standard input, as pasted into an interpreter: a block that only works
    # from a file (worker processes that re-import __main__) fails here
    proc = subprocess.run([sys.executable, "-W", "default", "-"], input=code, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-4000:]
    warnings = [line for line in proc.stderr.splitlines() if "Warning:" in line]
    assert len(warnings) <= 2, "\n".join(warnings)
