"""What works without torch: importing sksearch, the default topology spaces,
and the error that says how to install torch."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sksearch.nas import default_search_space
from sksearch.space import Space


def test_import_and_fit_without_torch():
    """`import sksearch` works with torch blocked; fit says how to install it."""
    code = textwrap.dedent(
        """
        import importlib.abc
        import sys

        class NoTorch(importlib.abc.MetaPathFinder):  # as if torch were not installed
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "torch":
                    raise ModuleNotFoundError("No module named 'torch'", name="torch")

        sys.meta_path.insert(0, NoTorch())
        import sksearch
        from sksearch import NASClassifier, NASRegressor
        from sksearch.nas import MLPNetClassifier, ConvNetClassifier, default_search_space
        assert "torch" not in sys.modules
        default_search_space("cnn")
        NASClassifier().get_params(); MLPNetClassifier().set_params(n_layers=2)
        for est in (NASClassifier(), NASRegressor(), MLPNetClassifier(), ConvNetClassifier()):
            try:
                est.fit([[0.0, 1.0], [1.0, 0.0]], [0, 1])
            except ImportError as exc:
                assert 'pip install "sksearch[nas]"' in str(exc), exc
            else:
                raise AssertionError(f"{est} fitted without torch")
        print("ok")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize("architecture, depth_name, layer_prefixes",
                         [("mlp", "n_layers", ["units"]),
                          ("cnn", "n_blocks", ["channels", "kernel_size"])])
def test_default_space_has_one_subspace_per_depth(architecture, depth_name, layer_prefixes):
    space = default_search_space(architecture, max_depth=3)
    assert len(space) == 3
    for depth, sub in enumerate(space, start=1):
        assert sub[depth_name] == [depth]
        layer_names = {k for k in sub if k.rsplit("_", 1)[0] in layer_prefixes}
        assert layer_names == {f"{p}_{i}" for p in layer_prefixes for i in range(1, depth + 1)}
    parsed = Space(space)
    # the depth is the sub-space selector: the layers of other depths are inactive
    vec = parsed.encode(parsed.sample(1, random_state=0)[0])
    chosen = parsed.subspace_of(vec)
    active = parsed.active_mask(vec)
    for j, (s, name, _) in enumerate(parsed.columns):
        if s is not None and s != chosen:
            assert not active[j] and np.isnan(vec[j]), name


def test_default_space_errors():
    with pytest.raises(ValueError, match="architecture"):
        default_search_space("rnn")
    with pytest.raises(ValueError, match="max_depth"):
        default_search_space("mlp", max_depth=0)
    with pytest.raises(ValueError, match="task"):
        default_search_space("mlp", task="ranking")


def test_regression_space_fits_the_regressor():
    from sksearch.nas import MLPNetRegressor

    space = default_search_space("mlp", task="regression")
    assert all("label_smoothing" not in sub for sub in space)
    for params in Space(space).sample(10, random_state=0):
        MLPNetRegressor().set_params(**params)


@pytest.mark.parametrize("architecture", ["mlp", "cnn"])
def test_default_space_names_parameters_of_the_network(architecture):
    """Every candidate of the default space is a valid setting of the network
    (set_params needs no torch), with the topology it names."""
    from sksearch.nas import ConvNetClassifier, MLPNetClassifier

    Net = MLPNetClassifier if architecture == "mlp" else ConvNetClassifier
    space = Space(default_search_space(architecture))
    for params in space.sample(20, random_state=0):
        net = Net().set_params(**params)
        if architecture == "mlp":
            assert len(net.hidden_layer_sizes) == params["n_layers"]
            assert 64 <= net.hidden_layer_sizes[0] <= 1024
            assert all(32 <= u <= 256 for u in net.hidden_layer_sizes[1:])
            assert net.optimizer == "adamw" and net.lr_schedule == "cosine"
            assert 0 <= net.label_smoothing <= 0.2
        else:
            assert len(net.conv_channels) == params["n_blocks"]
