"""Test-session set-up (kept outside the package, so that wheels do not ship it)."""

import importlib.util

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_blas_thread_per_process():
    # On a 2-core machine, BLAS threads in the test process compete with the
    # joblib workers the tests start: lbfgs fits ran ~100x slower (7.7 s
    # instead of 0.08 s for one LogisticRegression CV). One BLAS thread per
    # process keeps the suite fast; joblib's loky workers limit theirs alike.
    with threadpool_limits(limits=1):
        yield


# Doctests of sksearch.nas run only where PyTorch is installed (it is optional).
if importlib.util.find_spec("torch") is None:
    collect_ignore_glob = [
        f"sksearch/nas/{name}.py"
        for name in ("_estimators", "_nas", "_networks", "_oneshot", "_supernet", "_cells",
                     "_cell_estimator")
    ]


@pytest.fixture(autouse=True)
def _one_torch_thread_in_nas_doctests(request):
    """Doctests of sksearch.nas train with one torch thread: on a shared CI
    machine two threads of a tiny network spend their time waiting for each
    other (10x slower measured on 2 busy cores)."""
    node = request.node
    if not (isinstance(node, pytest.DoctestItem) and node.name.startswith("sksearch.nas")):
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def pytest_collection_modifyitems(config, items):
    # sksearch.plot's docstring examples need the optional matplotlib (as
    # sklearn's conftest skips its plotting doctests without it)
    try:
        import matplotlib
    except ImportError:
        skip = pytest.mark.skip(reason='matplotlib is not installed (pip install "sksearch[plot]")')
        for item in items:
            if isinstance(item, pytest.DoctestItem) and item.name.startswith("sksearch.plot."):
                item.add_marker(skip)
    else:
        matplotlib.use("Agg")
