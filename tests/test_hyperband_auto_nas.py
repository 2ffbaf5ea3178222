"""min_resources="auto" with an sksearch.nas network's epochs as the resource.

An MLPNetClassifier's evaluation costs in proportion to its epochs down to
one epoch (``benchmarks/hyperband_speed.py --costs --problems nas_epochs``:
overhead below 2 at every level), so the fixed-cost table has no figure for
it and "auto" starts at one epoch, where "exhaust" does, also when the
network is a Pipeline's step.
"""

import warnings

import numpy as np
import pytest

pytest.importorskip("torch")

from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402

from sksearch import HyperbandSearchCV  # noqa: E402
from sksearch._hyperband import _fixed_cost_resource  # noqa: E402
from sksearch.nas import MLPNetClassifier  # noqa: E402
from sksearch.optimizers.hyperband import round_evaluations  # noqa: E402
from sksearch.space import Real  # noqa: E402

rng = np.random.RandomState(0)
X = rng.normal(size=(90, 4))
y = (X[:, 0] + X[:, 1] > 0).astype(int)


def _net(max_epochs):
    return MLPNetClassifier((8,), max_epochs=max_epochs, batch_size=32, device="cpu",
                            n_threads=1, random_state=0)


@pytest.mark.parametrize(
    "estimator, resource, space",
    [
        (_net(9), "max_epochs", {"lr": Real(1e-3, 1e-1, log=True)}),
        (Pipeline([("scale", MinMaxScaler()), ("net", _net(9))]), "net__max_epochs",
         {"net__lr": Real(1e-3, 1e-1, log=True)}),
    ],
)
def test_min_resources_auto_starts_a_network_at_one_epoch(estimator, resource, space):
    runs = {}
    for min_resources in ("auto", "exhaust"):
        # one round from one epoch (22 evaluations): "auto" keeps those rungs
        search = HyperbandSearchCV(estimator, space, resource=resource,
                                   min_resources=min_resources, n_iter=round_evaluations(2, 3),
                                   cv=2, refit=False, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X, y)
        runs[min_resources] = search
    auto = runs["auto"]
    assert auto.min_resources_ == 1 and auto.n_resources_ == [1, 3, 9]
    assert auto.n_resources_ == runs["exhaust"].n_resources_
    assert len(auto.cv_results_["params"]) == round_evaluations(2, 3)
    # continued training from rung to rung
    assert np.sum(auto.cv_results_["warm_started"]) > 0


def test_the_network_has_no_fixed_cost_figure_while_sklearns_mlp_has_one():
    from sklearn.neural_network import MLPClassifier

    assert _fixed_cost_resource(_net(27), "max_epochs", 27) == 0
    # the scikit-learn MLP's figure (one epoch) does not reach the torch one
    assert _fixed_cost_resource(MLPClassifier(max_iter=27), "max_iter", 27) == 1
