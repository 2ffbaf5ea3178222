"""Doctests of sksearch.nas run only where PyTorch is installed (it is optional)."""

import importlib.util

if importlib.util.find_spec("torch") is None:
    collect_ignore_glob = ["_estimators.py", "_nas.py", "_networks.py", "_oneshot.py",
                           "_supernet.py", "_cells.py", "_cell_estimator.py"]
else:
    import pytest

    @pytest.fixture(autouse=True)
    def _one_torch_thread():
        """Doctests train with one torch thread: on a shared CI machine two
        threads of a tiny network spend their time waiting for each other
        (10x slower measured on 2 busy cores)."""
        import torch

        before = torch.get_num_threads()
        torch.set_num_threads(1)
        yield
        torch.set_num_threads(before)
