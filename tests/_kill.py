"""Kill a search with SIGKILL once its journal holds some records, then run it again."""

import os
import signal
import subprocess
import sys
import time


def kill_then_resume(script, path, *args, min_lines, wait=200, timeout=300):
    """Run ``script path *args`` in a fresh interpreter, SIGKILL it once the
    journal at ``path`` has ``min_lines`` lines, then run it again to the end.

    Returns (records journaled when killed, the second run's stdout words).
    """
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    cmd = [sys.executable, str(script), str(path), *args]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.time() + wait
    while time.time() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= min_lines:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    n_before = len(path.read_text().splitlines()) - 1
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return n_before, out.stdout.split()
