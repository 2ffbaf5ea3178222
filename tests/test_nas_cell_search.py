"""Black-box NAS over the cell space: NASClassifier(search_space="cells")
trains CellNetClassifier candidates, and strategy="bayes" gives the GP the
cell's graph."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.datasets import load_digits  # noqa: E402

from sksearch.nas import CellNetClassifier, NASClassifier, cell_search_space  # noqa: E402

X, y = load_digits(return_X_y=True)
X, y = X[:120].reshape(-1, 8, 8) / 16.0, y[:120]
TINY = dict(channels=4, n_cells=1, n_threads=1)


@pytest.mark.parametrize("strategy", ["bayes", "tpe"])
def test_black_box_strategies_search_cells(strategy):
    params = {"n_initial_points": 2} if strategy == "bayes" else {}
    nas = NASClassifier(architecture="cnn", search_space="cells", strategy=strategy,
                        n_iter=3, max_epochs=1, cv=2, random_state=0, net_params=TINY,
                        strategy_params=params, batch_size=1).fit(X, y)
    assert isinstance(nas.best_estimator_, CellNetClassifier)
    assert {"op_0_1", "op_2_3"} <= set(nas.best_params_)
    assert nas.predict(X[:5]).shape == (5,)
    if strategy == "bayes":
        assert nas.search_.optimizer_.encoding_ == "wl"


def test_a_user_cell_space_trains_cell_networks():
    space = {**cell_search_space(n_nodes=2, ops=["conv3x3", "skip", "zero"]),
             "max_epochs": [1]}
    nas = NASClassifier(architecture="cnn", search_space=space, strategy="random",
                        n_iter=2, cv=2, random_state=0, net_params=TINY).fit(X, y)
    assert isinstance(nas.best_estimator_, CellNetClassifier)
    assert nas.best_estimator_.n_nodes == 2


def test_cells_need_the_cnn_architecture():
    with pytest.raises(ValueError, match="search_space='cells' is a space of CNN cells"):
        NASClassifier(architecture="mlp", search_space="cells", n_iter=1).fit(
            np.zeros((10, 4)), np.arange(10) % 2)
    with pytest.raises(ValueError, match="search_space"):
        NASClassifier(architecture="cnn", search_space="cell", n_iter=1).fit(X, y)
