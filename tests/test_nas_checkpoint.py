"""NASClassifier's checkpoint: a killed NAS fit resumes without training again
what the journal holds."""

import sys
import textwrap
import warnings

import pytest

pytest.importorskip("torch")

from sklearn.datasets import load_iris  # noqa: E402

from sksearch.nas import NASClassifier  # noqa: E402

from ._kill import kill_then_resume  # noqa: E402

X, y = load_iris(return_X_y=True)
NET = {"n_threads": 1, "batch_size": 32}


def _nas(path, **kw):
    return NASClassifier("mlp", "tpe", n_iter=6, max_epochs=4, cv=2, random_state=0,
                         net_params=NET, checkpoint=path, **kw)


def test_nas_checkpoint_resumes_to_the_same_results(tmp_path):
    path = tmp_path / "nas.jsonl"
    full = _nas(None).fit(X, y)
    _nas(path).fit(X, y)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:4]))  # the header and 3 networks, as a kill would leave
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*does not propose")
        resumed = _nas(path).fit(X, y)
    assert resumed.search_.n_resumed_ == 3
    assert resumed.cv_results_["params"] == full.cv_results_["params"]
    assert resumed.best_params_ == full.best_params_


def test_nas_checkpoint_errors_name_the_parameter(tmp_path):
    with pytest.raises(ValueError, match="checkpoint=.*supernet"):
        NASClassifier("mlp", "darts", n_iter=2, max_epochs=2, net_params=NET,
                      checkpoint=tmp_path / "x.jsonl").fit(X, y)
    with pytest.raises(ValueError, match="checkpoint is given twice"):
        _nas(tmp_path / "x.jsonl", strategy_params={"checkpoint": "y.jsonl"}).fit(X, y)
    with pytest.raises(ValueError, match="checkpoint"):
        _nas(3).fit(X, y)


def test_nas_batch_size_and_asynchronous_reach_the_search():
    nas = NASClassifier("mlp", "tpe", n_iter=4, max_epochs=2, cv=2, random_state=0,
                        net_params=NET, batch_size=2).fit(X, y)
    assert nas.search_.batch_size_ == 2 and nas.search_.n_batches_ == 2
    nas = NASClassifier("mlp", "random", n_iter=3, max_epochs=2, cv=2, random_state=0,
                        net_params=NET, asynchronous=True).fit(X, y)
    assert nas.search_.asynchronous and len(nas.cv_results_["params"]) == 3
    with pytest.raises(ValueError, match="batch_size is given twice"):
        NASClassifier("mlp", "tpe", n_iter=2, max_epochs=2, net_params=NET, batch_size=2,
                      strategy_params={"batch_size": 3}).fit(X, y)
    with pytest.raises(ValueError, match="asynchronous=True: strategy='darts'"):
        NASClassifier("mlp", "darts", n_iter=2, max_epochs=2, net_params=NET,
                      asynchronous=True).fit(X, y)
    with pytest.raises(ValueError, match="batch_size"):
        NASClassifier("mlp", "tpe", n_iter=2, max_epochs=2, net_params=NET,
                      batch_size=0).fit(X, y)


_KILLED = textwrap.dedent("""
    import sys
    from sklearn.datasets import load_iris
    from sksearch.nas import NASClassifier

    X, y = load_iris(return_X_y=True)
    nas = NASClassifier("mlp", "tpe", n_iter=12, max_epochs=15, cv=2, random_state=0,
                        net_params={"n_threads": 1, "batch_size": 8},
                        batch_size=1, checkpoint=sys.argv[1])
    nas.fit(X, y)
    print(len(nas.cv_results_["params"]), nas.search_.n_resumed_)
""")


@pytest.mark.timeout(400)
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_nas_sigkill_and_resume(tmp_path):
    path = tmp_path / "nas.jsonl"
    script = tmp_path / "run.py"
    script.write_text(_KILLED)
    n_before, words = kill_then_resume(script, path, min_lines=4)
    assert n_before > 0
    n_rows, n_resumed = map(int, words)
    assert n_rows == 12
    assert n_resumed >= n_before
