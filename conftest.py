"""Test-session set-up."""

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
