"""sksearch.plot: each figure is rendered to PNG (Agg) and its content checked."""

import sys
import warnings

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning, NotFittedError  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from sksearch import HyperbandSearchCV, TPESearchCV  # noqa: E402
from sksearch.plot import (  # noqa: E402
    plot_convergence,
    plot_hyperband,
    plot_importance,
    plot_parallel_coordinates,
    plot_partial_dependence,
    plot_slice,
    plot_timeline,
)
from sksearch.space import Integer, Real  # noqa: E402

from ._searches import RandomSearch  # noqa: E402

X_IRIS, Y_IRIS = load_iris(return_X_y=True)
X_TOY, Y_TOY = np.zeros((10, 1)), np.arange(10) % 2
SVC_SPACE = {
    "C": Real(1e-2, 1e2, log=True),
    "gamma": Real(1e-3, 1e1, log=True),
    "kernel": ["rbf", "sigmoid"],
}


class Toy(BaseEstimator):
    """Score -(a - 0.3)^2, minus 0.5 when kind is "bad"; b does nothing.

    Fitting fails when a > fail_above.
    """

    def __init__(self, a=0.5, b=0.5, kind="good", fail_above=2.0):
        self.a = a
        self.b = b
        self.kind = kind
        self.fail_above = fail_above

    def fit(self, X, y=None):
        if self.a > self.fail_above:
            raise ValueError("a is too large")
        return self

    def score(self, X, y=None):
        return -((self.a - 0.3) ** 2) - (0.5 if self.kind == "bad" else 0.0)


TOY_SPACE = {"a": Real(0, 1), "b": Real(0, 1), "kind": ["good", "bad"]}
# an AutoML-like space: three sub-spaces, each with parameters of its own
SUB_SPACES = [
    {"kind": ["good"], "a": Real(0, 1), "b": Real(0, 1)},
    {"kind": ["bad"], "c": Integer(1, 9)},
    {"kind": ["bad"], "d": ["x", "y", "z"]},
]


def _toy_search(space=TOY_SPACE, n_iter=40, **toy):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.simplefilter("ignore", UserWarning)
        return RandomSearch(Toy(**toy), space, n_iter=n_iter, cv=2, random_state=0).fit(
            X_TOY, Y_TOY
        )


@pytest.fixture(scope="module")
def svc_search():
    return TPESearchCV(SVC(), SVC_SPACE, n_iter=12, cv=3, random_state=0).fit(X_IRIS, Y_IRIS)


@pytest.fixture(scope="module")
def toy_search():
    return _toy_search()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _render(ax, tmp_path, name):
    """Save the figure of ``ax`` to PNG and check a non-empty image was written."""
    fig = np.ravel(ax)[0].figure
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    data = plt.imread(path)
    assert data.shape[0] > 50 and data.shape[1] > 50
    assert data[..., :3].std() > 0  # not a blank canvas


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _ticks(labels):
    return [t.get_text() for t in labels]


# -- convergence ---------------------------------------------------------------


def test_convergence_one_line_per_search_with_best_so_far(svc_search, toy_search, tmp_path):
    ax = plot_convergence(svc_search, toy_search, svc_search.cv_results_)
    _render(ax, tmp_path, "convergence")
    lines = ax.get_lines()
    assert len(lines) == 3
    assert _legend(ax) == ["TPESearchCV", "RandomSearch", "cv_results_"]
    scores = svc_search.cv_results_["mean_test_score"]
    x, best = lines[0].get_data()
    np.testing.assert_array_equal(x, np.arange(1, len(scores) + 1))
    np.testing.assert_allclose(best, np.maximum.accumulate(scores))
    assert len(lines[1].get_xdata()) == 40
    assert ax.get_xlabel() == "Candidates evaluated"
    assert ax.get_ylabel() == "Best mean test score so far"
    # each candidate's own score as dots, one scatter per search
    assert len(ax.collections) == 3
    assert len(ax.collections[0].get_offsets()) == len(scores)


def test_convergence_default_labels_are_numbered_and_labels_override(svc_search):
    ax = plot_convergence(svc_search, svc_search)
    assert _legend(ax) == ["TPESearchCV (1)", "TPESearchCV (2)"]
    ax = plot_convergence(svc_search, svc_search, labels=["seed 0", "again"])
    assert _legend(ax) == ["seed 0", "again"]
    with pytest.raises(ValueError, match="2 searches but 1 labels"):
        plot_convergence(svc_search, svc_search, labels=["one"])
    with pytest.raises(ValueError, match="at least one"):
        plot_convergence()


def test_convergence_nan_scores_keep_the_best_so_far():
    results = {
        "params": [{"a": i} for i in range(5)],
        "mean_test_score": np.array([np.nan, 0.5, np.nan, 0.7, 0.6]),
    }
    ax = plot_convergence(results)
    best = ax.get_lines()[0].get_ydata()
    assert np.isnan(best[0])
    np.testing.assert_allclose(best[1:], [0.5, 0.5, 0.7, 0.7])
    assert len(ax.collections[0].get_offsets()) == 3  # failed fits are not dots


def test_convergence_failed_fits_from_a_real_search(tmp_path):
    search = _toy_search(n_iter=20, fail_above=0.8)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores).any()
    ax = plot_convergence(search)
    _render(ax, tmp_path, "convergence_nan")
    best = ax.get_lines()[0].get_ydata()
    first = np.flatnonzero(np.isfinite(scores))[0]
    assert np.isfinite(best[first:]).all()
    np.testing.assert_allclose(best[-1], np.nanmax(scores))


def test_convergence_reads_the_refit_metric():
    search = RandomSearch(
        SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=5, cv=3, random_state=0,
        scoring={"acc": "accuracy", "bal": "balanced_accuracy"}, refit="bal",
    ).fit(X_IRIS, Y_IRIS)
    assert "mean_test_score" not in search.cv_results_
    ax = plot_convergence(search)
    np.testing.assert_allclose(
        ax.get_lines()[0].get_ydata(),
        np.maximum.accumulate(search.cv_results_["mean_test_bal"]),
    )
    assert ax.get_ylabel() == "Best mean test bal so far"
    # a bare multi-metric cv_results_ does not say which metric was maximised
    with pytest.raises(ValueError, match="several metrics"):
        plot_convergence(search.cv_results_)


# -- importance ----------------------------------------------------------------


def test_importance_ranks_the_parameters_that_matter(toy_search, tmp_path):
    ax = plot_importance(toy_search)
    _render(ax, tmp_path, "importance")
    names = _ticks(ax.get_yticklabels())
    assert sorted(names) == ["a", "b", "kind"]
    widths = dict(zip(names, [p.get_width() for p in ax.patches]))
    assert len(ax.patches) == 3
    # b has no effect; kind (-0.5) and a (up to -0.49) carry the variance
    assert widths["b"] < 0.05
    assert widths["kind"] > 0.3 and widths["a"] > 0.1
    assert names[0] == "b"  # least important at the bottom
    assert sum(widths.values()) <= 1.05
    assert ax.get_xlabel() == "Share of score variance (main effect)"


def test_importance_shows_the_subspace_selector(tmp_path):
    space = [{"kind": ["good"], "a": Real(0, 1)}, {"kind": ["bad"], "b": Real(0, 1)}]
    ax = plot_importance(_toy_search(space, n_iter=30))
    _render(ax, tmp_path, "importance_subspaces")
    names = _ticks(ax.get_yticklabels())
    assert sorted(names) == ["a", "b", "sub-space"]  # fixed "kind" has no bar
    widths = dict(zip(names, [p.get_width() for p in ax.patches]))
    assert widths["sub-space"] == max(widths.values())
    assert widths["b"] < 0.05


def test_importance_with_failed_fits(tmp_path):
    ax = plot_importance(_toy_search(n_iter=30, fail_above=0.8))
    _render(ax, tmp_path, "importance_nan")
    assert all(np.isfinite(p.get_width()) for p in ax.patches)


# -- partial dependence --------------------------------------------------------


def test_partial_dependence_numeric_curve_peaks_at_the_optimum(toy_search, tmp_path):
    ax = plot_partial_dependence(toy_search, "a", n_points=21)
    _render(ax, tmp_path, "pd_a")
    curve, best = ax.get_lines()  # the curve and the best candidate's value
    x, m = curve.get_data()
    assert len(x) == 21 and x.min() == 0 and x.max() == 1  # the whole range of a
    assert abs(x[np.argmax(m)] - 0.3) < 0.15
    assert m.max() - m.min() > 0.1
    best_a = toy_search.best_params_["a"]
    assert best.get_xdata()[0] == pytest.approx(best_a)
    assert ax.get_xlabel() == "a"
    assert ax.get_xscale() == "linear"
    assert "mean test score" in ax.get_ylabel()
    # a rug with every evaluated value of a
    assert len(ax.collections[0].get_offsets()) == 40


def test_partial_dependence_categorical_bars(toy_search, tmp_path):
    ax = plot_partial_dependence(toy_search, ["kind"])
    _render(ax, tmp_path, "pd_kind")
    assert _ticks(ax.get_xticklabels()) == ["good", "bad"]
    good, bad = ax.patches
    top = [p.get_y() + p.get_height() for p in (good, bad)]
    assert top[0] - top[1] > 0.3  # "bad" costs 0.5


def test_partial_dependence_grid_log_axes_and_contour(svc_search, tmp_path):
    axes = plot_partial_dependence(svc_search, ["C", "kernel", ("C", "gamma"), ("C", "kernel")])
    _render(axes, tmp_path, "pd_grid")
    assert isinstance(axes, np.ndarray) and len(axes) == 4
    c_ax, k_ax, cg_ax, ck_ax = axes
    assert c_ax.get_xscale() == "log"
    x = c_ax.get_lines()[0].get_xdata()
    assert 1e-2 <= x.min() < 0.1 and 10 < x.max() <= 1e2  # original units, not [0, 1]
    assert _ticks(k_ax.get_xticklabels()) == ["rbf", "sigmoid"]
    assert (cg_ax.get_xlabel(), cg_ax.get_ylabel()) == ("C", "gamma")
    assert cg_ax.get_xscale() == cg_ax.get_yscale() == "log"
    xmin, xmax = cg_ax.get_xlim()
    assert xmin < 0.1 and xmax > 10
    # the contour set, the evaluated candidates, the best as a star
    points = [c for c in cg_ax.collections if len(c.get_offsets()) == 12]
    assert len(points) == 1
    assert _ticks(ck_ax.get_yticklabels()) == ["rbf", "sigmoid"]
    # one colour bar per 2-D panel
    assert len(c_ax.figure.axes) == 6


def test_partial_dependence_bars_start_at_zero_and_curves_share_a_y_range(svc_search, tmp_path):
    c_ax, g_ax, k_ax = plot_partial_dependence(svc_search, ["C", "gamma", "kernel"])
    _render(c_ax, tmp_path, "pd_bars_from_zero")
    # the curves share one y-range, so their effects compare
    assert g_ax.get_ylim() == pytest.approx(c_ax.get_ylim())
    curve = c_ax.get_lines()[0].get_ydata()
    bottom, top = c_ax.get_ylim()
    assert bottom < curve.min() and curve.max() < top
    # a bar's length is its value: it grows from 0, in a panel of its own range
    bars = k_ax.patches
    assert len(bars) == 2
    assert all(b.get_y() == 0 for b in bars)
    k_bottom, k_top = k_ax.get_ylim()
    assert k_bottom == 0 and k_top > max(b.get_height() for b in bars)
    # each bar says its value
    assert [t.get_text() for t in k_ax.texts] == [f"{b.get_height():.4g}" for b in bars]
    # the figure says what it shows
    assert "Partial dependence of the mean test score" in c_ax.figure.get_suptitle()


def test_partial_dependence_negative_scores_bars_hang_from_zero():
    search = _toy_search(n_iter=20)
    # an error-like metric: every score below 0
    search.optimizer_.y_ = [v - 5 for v in search.optimizer_.y_]
    ax = plot_partial_dependence(search, ["kind"])
    assert all(b.get_y() == 0 and b.get_height() < 0 for b in ax.patches)
    assert ax.get_ylim()[1] == 0


def test_partial_dependence_contour_covers_every_evaluated_candidate(svc_search, tmp_path):
    ax = plot_partial_dependence(svc_search, [("C", "gamma")])
    _render(ax, tmp_path, "pd_contour_extent")
    params = svc_search.cv_results_["params"]
    c = np.array([p["C"] for p in params])
    gamma = np.array([p["gamma"] for p in params])
    contour = next(col for col in ax.collections if hasattr(col, "levels"))
    vertices = np.concatenate([p.vertices for p in contour.get_paths() if len(p.vertices)])
    (x0, y0), (x1, y1) = vertices.min(axis=0), vertices.max(axis=0)
    assert x0 <= c.min() and c.max() <= x1
    assert y0 <= gamma.min() and gamma.max() <= y1
    # the grid runs end to end of the searched ranges
    assert (x0, x1) == pytest.approx((1e-2, 1e2))
    assert (y0, y1) == pytest.approx((1e-3, 1e1))
    xmin, xmax = ax.get_xlim()
    assert xmin <= c.min() and c.max() <= xmax


def test_partial_dependence_default_and_given_axes(toy_search):
    axes = plot_partial_dependence(toy_search)
    assert [a.get_xlabel() for a in axes] == ["a", "b", "kind"]
    _, given = plt.subplots(1, 2)
    out = plot_partial_dependence(toy_search, ["a", "b"], ax=given)
    assert list(out) == list(given)
    with pytest.raises(ValueError, match="2 panels to draw but 1 Axes"):
        plot_partial_dependence(toy_search, ["a", "b"], ax=given[0])


def test_partial_dependence_shared_name_across_subspaces(tmp_path):
    space = [{"kind": ["good"], "a": Real(0, 1)}, {"kind": ["bad"], "a": Real(0, 1)}]
    search = _toy_search(space, n_iter=30)
    ax = plot_partial_dependence(search, "a")
    _render(ax, tmp_path, "pd_shared")
    assert _legend(ax) == ["sub-space 0", "sub-space 1"]
    good, bad = ax.get_lines()[:2]
    assert good.get_ydata().mean() > bad.get_ydata().mean() + 0.3
    with pytest.raises(ValueError, match="never searched together"):
        plot_partial_dependence(
            _toy_search([{"a": Real(0, 1)}, {"b": Real(0, 1)}], n_iter=10), [("a", "b")]
        )


def test_partial_dependence_errors(toy_search):
    with pytest.raises(ValueError, match="'nope' is not a searched parameter"):
        plot_partial_dependence(toy_search, ["a", "nope"])
    with pytest.raises(ValueError, match="pairs of two different names"):
        plot_partial_dependence(toy_search, [("a", "a")])
    with pytest.raises(ValueError, match="n_points"):
        plot_partial_dependence(toy_search, "a", n_points=1)
    with pytest.raises(TypeError, match="needs a fitted search, not its cv_results_"):
        plot_partial_dependence(toy_search.cv_results_)


# -- parallel coordinates ------------------------------------------------------


def test_parallel_coordinates_from_a_search(svc_search, tmp_path):
    ax = plot_parallel_coordinates(svc_search)
    _render(ax, tmp_path, "parallel")
    lines = ax.get_lines()
    assert len(lines) == 12
    assert _ticks(ax.get_xticklabels()) == ["C", "gamma", "kernel"]
    ys = np.array([line.get_ydata() for line in lines], dtype=float)
    assert np.nanmin(ys) >= 0 and np.nanmax(ys) <= 1
    # C's value through the log encoding
    c = np.array([p["C"] for p in svc_search.cv_results_["params"]])
    expected = (np.log(c) - np.log(1e-2)) / (np.log(1e2) - np.log(1e-2))
    np.testing.assert_allclose(np.sort(ys[:, 0]), np.sort(expected))
    texts = {t.get_text() for t in ax.texts}
    assert {"0.01", "1", "100", "rbf", "sigmoid"} <= texts  # original units
    # best on top, in the top colour of the colour bar
    cmap = plt.get_cmap("viridis")
    np.testing.assert_allclose(lines[-1].get_color(), cmap(1.0))
    colorbar_ax = ax.figure.axes[-1]
    assert colorbar_ax.get_ylabel() == "mean test score"


def _axis_texts(ax, x):
    """The tick labels drawn beside parallel-coordinate axis number ``x``."""
    return [t for t in ax.texts if x - 0.5 < t.get_position()[0] < x]


def test_parallel_coordinates_ticks_are_readable(svc_search, tmp_path):
    ax = plot_parallel_coordinates(svc_search)
    _render(ax, tmp_path, "parallel_ticks")
    default = matplotlib.font_manager.FontProperties(
        size=plt.rcParams["ytick.labelsize"]
    ).get_size_in_points()
    assert all(t.get_fontsize() >= max(9, default) for t in ax.texts)
    c, gamma, kernel = (_axis_texts(ax, x) for x in range(3))
    # a log axis is labelled at its decades, in the parameter's units, and
    # each label sits where that value is encoded
    assert [t.get_text() for t in c] == ["0.01", "0.1", "1", "10", "100"]
    np.testing.assert_allclose([t.get_position()[1] for t in c], np.linspace(0, 1, 5))
    assert len(gamma) == 5
    assert [t.get_text() for t in kernel] == ["rbf", "sigmoid"]


def test_parallel_coordinates_ticks_of_a_linear_and_an_integer_axis(tmp_path):
    space = {"a": Real(0, 1), "b": Integer(1, 40)}
    search = _toy_search({**space, "kind": ["good", "bad"]}, n_iter=10)
    ax = plot_parallel_coordinates(search, params=["a", "b"])
    _render(ax, tmp_path, "parallel_linear")
    a, b = (_axis_texts(ax, x) for x in range(2))
    assert [t.get_text() for t in a] == ["0", "0.2", "0.4", "0.6", "0.8", "1"]
    labels = [t.get_text() for t in b]
    assert 4 <= len(labels) <= 7 and all(label.isdigit() for label in labels)
    assert all(1 <= int(label) <= 40 for label in labels)


def test_parallel_coordinates_from_cv_results(tmp_path):
    grid = GridSearchCV(SVC(), {"C": [0.1, 1.0, 10.0], "kernel": ["rbf", "linear"]}, cv=3)
    grid.fit(X_IRIS, Y_IRIS)
    ax = plot_parallel_coordinates(grid.cv_results_, params=["kernel", "C"])
    _render(ax, tmp_path, "parallel_grid")
    assert len(ax.get_lines()) == 6
    assert _ticks(ax.get_xticklabels()) == ["kernel", "C"]
    c_values = sorted({round(float(line.get_ydata()[1]), 4) for line in ax.get_lines()})
    assert c_values == [0.0, round(0.9 / 9.9, 4), 1.0]  # min-max
    assert {"rbf", "linear", "0.1", "10"} <= {t.get_text() for t in ax.texts}
    # sklearn's own search works too
    assert len(plot_parallel_coordinates(grid).get_lines()) == 6
    with pytest.raises(ValueError, match="'gamma' not in cv_results_"):
        plot_parallel_coordinates(grid.cv_results_, params=["gamma"])


def test_parallel_coordinates_cv_results_log_span_and_masked_values():
    # C spans six decades: spread in log space; "degree" only set for "poly"
    results = {
        "params": [{"C": 1e-3}, {"C": 1.0, "degree": 2}, {"C": 1e3, "degree": 4}],
        "mean_test_score": np.array([0.1, 0.2, 0.3]),
        "param_C": np.ma.MaskedArray([1e-3, 1.0, 1e3], mask=False, dtype=object),
        "param_degree": np.ma.MaskedArray([0, 2, 4], mask=[True, False, False], dtype=object),
    }
    ax = plot_parallel_coordinates(results)
    ys = np.array([line.get_ydata() for line in ax.get_lines()], dtype=float)
    np.testing.assert_allclose(ys[:, 0], [0.0, 0.5, 1.0])
    np.testing.assert_allclose(ys[:, 1], [np.nan, 0.0, 1.0])
    # a grid's few values are each a tick; six decades are written as powers
    assert {"$10^{-3}$", "$10^{0}$", "$10^{3}$", "2", "4"} == {t.get_text() for t in ax.texts}


def test_parallel_coordinates_failed_fits_and_subspaces(tmp_path):
    search = _toy_search(n_iter=20, fail_above=0.8)
    ax = plot_parallel_coordinates(search)
    n_failed = int(np.isnan(search.cv_results_["mean_test_score"]).sum())
    assert n_failed > 0
    assert sum(line.get_linestyle() == ":" for line in ax.get_lines()) == n_failed

    space = [{"kind": ["good"], "a": Real(0, 1)}, {"kind": ["bad"], "b": Real(0, 1)}]
    search = _toy_search(space, n_iter=10)
    ax = plot_parallel_coordinates(search)
    _render(ax, tmp_path, "parallel_subspaces")
    assert _ticks(ax.get_xticklabels()) == ["sub-space", "a", "b"]
    ys = np.array([line.get_ydata() for line in ax.get_lines()], dtype=float)
    # a candidate has a value on its own sub-space's axis only
    assert (np.isnan(ys[:, 1]) != np.isnan(ys[:, 2])).all()
    with pytest.raises(ValueError, match="'c' is not a searched parameter"):
        plot_parallel_coordinates(search, params=["a", "c"])


# -- Hyperband -----------------------------------------------------------------


def _hyperband_results():
    # bracket 0: 4 candidates at 10, best 2 at 30, best 1 at 90;
    # bracket 1: 2 candidates at 30, best 1 at 90
    p = [{"C": c} for c in (0.1, 1.0, 10.0, 100.0, 0.5, 5.0)]
    params = p[:4] + [p[1], p[2]] + [p[2]] + [p[4], p[5]] + [p[5]]
    return {
        "params": params,
        "mean_test_score": np.array([0.5, 0.7, 0.8, np.nan, 0.75, 0.85, 0.9, 0.6, 0.8, 0.82]),
        "n_resources": np.array([10, 10, 10, 10, 30, 30, 90, 30, 30, 90]),
        "bracket": np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]),
        "iter": np.array([0, 0, 0, 0, 1, 1, 2, 0, 0, 1]),
    }


def test_hyperband_links_candidates_across_rungs(tmp_path):
    ax = plot_hyperband(_hyperband_results())
    _render(ax, tmp_path, "hyperband")
    lines = ax.get_lines()
    assert len(lines) == 6  # 4 candidates in bracket 0, 2 in bracket 1
    by_x = sorted((tuple(line.get_xdata()), tuple(line.get_ydata())) for line in lines)
    assert ((10.0, 30.0, 90.0), (0.8, 0.85, 0.9)) in by_x  # C=10 went the whole way
    assert ((10.0, 30.0), (0.7, 0.75)) in by_x
    assert ((30.0, 90.0), (0.8, 0.82)) in by_x
    assert _legend(ax) == ["bracket 0", "bracket 1"]
    colors = {tuple(line.get_xdata()): line.get_color() for line in lines}
    assert colors[(10.0, 30.0, 90.0)] != colors[(30.0, 90.0)]
    assert ax.get_xscale() == "log"
    assert _ticks(ax.get_xticklabels()) == ["10", "30", "90"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("n_resources", "mean test score")


def test_hyperband_with_an_estimator_parameter_as_resource(tmp_path):
    # every rung's params hold the rung's max_iter: a candidate is its other
    # parameters within its bracket
    pipe = make_pipeline(StandardScaler(), SGDClassifier(random_state=0))
    search = HyperbandSearchCV(
        pipe, {"sgdclassifier__alpha": Real(1e-5, 1e-1, log=True)},
        resource="sgdclassifier__max_iter", min_resources=1, max_resources=9,
        cv=3, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X_IRIS, Y_IRIS)
    results = search.cv_results_
    assert {p["sgdclassifier__max_iter"] for p in results["params"]} == {1, 3, 9}
    candidates = {
        (b, p["sgdclassifier__alpha"]) for b, p in zip(results["bracket"], results["params"])
    }
    ax = plot_hyperband(search)
    _render(ax, tmp_path, "hyperband_max_iter")
    lines = ax.get_lines()
    assert len(lines) == len(candidates) < len(results["params"])
    promoted = [line for line in lines if len(line.get_xdata()) > 1]
    assert promoted  # successive halving shows as lines across rungs
    for line in promoted:
        assert np.all(np.diff(line.get_xdata()) > 0)
    assert ax.get_xlabel() == "n_resources (sgdclassifier__max_iter)"
    # the same from the bare cv_results_
    assert len(plot_hyperband(results).get_lines()) == len(candidates)


def test_hyperband_refuses_other_searches(svc_search):
    # the driver gives every search an "iter" column, but no rungs
    with pytest.raises(ValueError, match=r"lack \['n_resources', 'bracket'\]"):
        plot_hyperband(svc_search)


# -- common --------------------------------------------------------------------

CALLS = [
    ("plot_convergence", lambda s: plot_convergence(s)),
    ("plot_importance", lambda s: plot_importance(s)),
    ("plot_partial_dependence", lambda s: plot_partial_dependence(s)),
    ("plot_parallel_coordinates", lambda s: plot_parallel_coordinates(s)),
    ("plot_hyperband", lambda s: plot_hyperband(s)),
]


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
def test_unfitted_search_raises_not_fitted(name, call):
    with pytest.raises(NotFittedError):
        call(TPESearchCV(SVC(), SVC_SPACE))


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
def test_missing_matplotlib_says_how_to_install(name, call, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(ImportError, match=rf'{name} requires matplotlib.*"sksearch\[plot\]"'):
        call(TPESearchCV(SVC(), SVC_SPACE))


def test_plots_read_the_objective_of_a_search_with_refit_false():
    from sklearn.svm import SVC

    from sksearch import TPESearchCV
    from sksearch.plot import plot_convergence
    from sksearch.space import Real

    X, y = load_iris(return_X_y=True)
    search = TPESearchCV(SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=5, cv=3,
                         scoring={"acc": "accuracy", "f1": "f1_macro"}, refit=False,
                         objective="f1", random_state=0).fit(X, y)
    ax = plot_convergence(search)
    assert "f1" in ax.get_ylabel()
    best = np.maximum.accumulate(search.cv_results_["mean_test_f1"])
    assert any(np.allclose(line.get_ydata(), best) for line in ax.get_lines())
    plt.close("all")


# -- every candidate, every figure titled, sklearn's searches -------------------


class Toy4(Toy):
    """Toy with two more parameters, c and d, that do nothing."""

    def __init__(self, a=0.5, b=0.5, kind="good", fail_above=2.0, c=1, d="x"):
        super().__init__(a=a, b=b, kind=kind, fail_above=fail_above)
        self.c = c
        self.d = d


@pytest.fixture(scope="module")
def subspace_search():
    return RandomSearch(Toy4(), SUB_SPACES, n_iter=30, cv=2, random_state=0).fit(X_TOY, Y_TOY)


def test_parallel_coordinates_draws_every_candidate_of_every_subspace(subspace_search, tmp_path):
    search = subspace_search
    ax = plot_parallel_coordinates(search)
    _render(ax, tmp_path, "parallel_every_subspace")
    names = _ticks(ax.get_xticklabels())
    assert names == ["sub-space", "a", "b", "c", "d"]
    params = search.cv_results_["params"]
    lines = ax.get_lines()
    assert len(lines) == len(params) == 30
    ys = np.array([line.get_ydata() for line in lines], dtype=float)
    # a dot on the sub-space axis and on each axis of the candidate's own
    # parameters, whatever its sub-space
    assert np.isfinite(ys[:, 0]).all()
    per_subspace = {frozenset(p) for p in params}
    assert len(per_subspace) == 3  # all three sub-spaces were drawn from
    n_axes = sorted(int(np.isfinite(row).sum()) for row in ys)
    expected = sorted(1 + len(set(p) - {"kind"}) for p in params)
    assert n_axes == expected
    assert all(line.get_marker() == "o" for line in lines)
    # the axes a candidate lacks are bridged: one dashed segment per candidate
    # of the "c" and "d" sub-spaces (they skip the axes a, b)
    bridges = [c for c in ax.collections if c.get_linestyle()[0][1] is not None]
    skipping = sum(1 for p in params if "a" not in p)
    assert len(bridges) == 1 and len(bridges[0].get_segments()) == skipping
    assert ax.get_title().startswith("Parallel coordinates")


def test_parallel_coordinates_spreads_the_candidates_of_a_choice(svc_search, tmp_path):
    ax = plot_parallel_coordinates(svc_search)
    _render(ax, tmp_path, "parallel_spread")
    kernel = np.array([line.get_ydata()[2] for line in ax.get_lines()], dtype=float)
    params = svc_search.cv_results_["params"]
    choices = sorted({p["kernel"] for p in params})
    assert len(set(np.round(kernel, 6))) == len(kernel)  # no two lines on one point
    # each choice keeps a band of its own around its label: lines are drawn
    # in score order, so match them to candidates by score
    labels = {t.get_text(): t.get_position()[1] for t in _axis_texts(ax, 2)}
    scores = svc_search.cv_results_["mean_test_score"]
    drawn = np.argsort(scores, kind="stable")
    of = {choice: kernel[[params[i]["kernel"] == choice for i in drawn]] for choice in choices}
    for choice in choices:
        assert np.all(np.abs(of[choice] - labels[choice]) <= 0.35 / len(choices) + 1e-9)
    low, high = sorted(choices, key=labels.get)
    assert of[low].max() < of[high].min()
    # the labels are drawn over the lines, on an opaque box
    assert all(t.get_zorder() > max(line.get_zorder() for line in ax.get_lines())
               for t in ax.texts)


@pytest.mark.parametrize("Search", [GridSearchCV, RandomizedSearchCV])
def test_model_figures_accept_sklearn_searches(Search, tmp_path):
    space = {"C": [0.1, 1.0, 10.0, 100.0], "kernel": ["rbf", "linear"]}
    if Search is GridSearchCV:
        search = Search(SVC(), space, cv=3).fit(X_IRIS, Y_IRIS)
    else:
        search = Search(SVC(), space, n_iter=6, cv=3, random_state=0).fit(X_IRIS, Y_IRIS)
    ax = plot_importance(search)
    _render(ax, tmp_path, f"importance_{Search.__name__}")
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["C", "kernel"]
    assert Search.__name__ in ax.get_title()
    c_ax, k_ax = plot_partial_dependence(search, ["C", "kernel"])
    assert len(c_ax.patches) == 4 and len(k_ax.patches) == 2  # a grid's lists are choices
    assert len(plot_slice(search)[0].collections[0].get_offsets()) == len(
        search.cv_results_["params"]
    )
    with pytest.raises(TypeError, match="not its cv_results_.*search space"):
        plot_importance(search.cv_results_)


def test_slice_plots_raw_scores_against_each_parameter(subspace_search, tmp_path):
    search = subspace_search
    axes = plot_slice(search)
    _render(axes[0], tmp_path, "slice")
    params = search.cv_results_["params"]
    scores = search.cv_results_["mean_test_score"]
    by_name = {a.get_xlabel(): a for a in axes}
    assert set(by_name) == {"kind", "a", "b", "c", "d"}
    for name, a in by_name.items():
        dots = a.collections[0].get_offsets()
        have = [i for i, p in enumerate(params) if name in p]
        assert len(dots) == len(have)  # every candidate that has the parameter
        np.testing.assert_allclose(sorted(dots[:, 1]), sorted(scores[have]))
    # numeric x in the parameter's units; choices spread around their tick
    a_dots = by_name["a"].collections[0].get_offsets()[:, 0]
    np.testing.assert_allclose(sorted(a_dots), sorted(p["a"] for p in params if "a" in p))
    assert _ticks(by_name["d"].get_xticklabels()) == ["x", "y", "z"]
    assert "Slice plot" in axes[0].figure.get_suptitle()
    assert axes[0].get_ylabel() == "mean test score"


def test_slice_log_axis_and_failed_fits(svc_search):
    axes = plot_slice(svc_search, ["C", "kernel"])
    assert axes[0].get_xscale() == "log" and axes[1].get_xscale() == "linear"
    search = _toy_search(n_iter=20, fail_above=0.8)
    a_ax = plot_slice(search, ["a"])[0]
    n_failed = int(np.isnan(search.cv_results_["mean_test_score"]).sum())
    crosses = [c for c in a_ax.collections if len(c.get_offsets()) == n_failed]
    assert n_failed and crosses


def test_timeline_shows_rounds_on_workers(tmp_path):
    search = TPESearchCV(SVC(), SVC_SPACE, n_iter=10, cv=3, batch_size=4, n_jobs=2,
                         random_state=0).fit(X_IRIS, Y_IRIS)
    ax = plot_timeline(search)
    _render(ax, tmp_path, "timeline")
    assert len(ax.patches) == 10 * 3  # one bar per fit
    assert _ticks(ax.get_yticklabels()) == ["worker 0", "worker 1"]
    rounds = len(set(search.cv_results_["iter"]))
    assert len(ax.get_lines()) == rounds - 1  # a line where each round starts
    # no worker runs two fits at once
    for w in (0, 1):
        spans = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches
                       if abs(p.get_y() + p.get_height() / 2 - w) < 1e-9)
        assert all(a[1] <= b[0] + 1e-12 for a, b in zip(spans, spans[1:]))
    assert "batch_size=4" in ax.get_title() and "2 workers" in ax.get_title()
    # more workers, asynchronous: no rounds
    search.set_params(asynchronous=True)
    ax = plot_timeline(search, n_jobs=3)
    assert len(ax.get_lines()) == 0 and len(ax.get_yticklabels()) == 3
    grid = GridSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=2, n_jobs=2).fit(X_IRIS, Y_IRIS)
    assert len(plot_timeline(grid).patches) == 4
    with pytest.raises(TypeError, match="not its cv_results_"):
        plot_timeline(grid.cv_results_)


def test_every_figure_has_a_title(svc_search, subspace_search, tmp_path):
    def title(ax):
        ax = np.ravel(ax)[0]
        return ax.get_title() or ax.figure.get_suptitle()

    figures = {
        "convergence": plot_convergence(svc_search),
        "importance": plot_importance(svc_search),
        "partial_dependence": plot_partial_dependence(svc_search),
        "parallel": plot_parallel_coordinates(subspace_search),
        "slice": plot_slice(svc_search),
        "timeline": plot_timeline(svc_search),
        "hyperband": plot_hyperband(_hyperband_results()),
    }
    for name, ax in figures.items():
        assert title(ax), name


def test_convergence_of_searches_on_different_metrics_names_each_metric():
    a = TPESearchCV(SVC(), SVC_SPACE, n_iter=4, cv=2, random_state=0,
                    scoring=["accuracy", "f1_macro"], refit="f1_macro").fit(X_IRIS, Y_IRIS)
    b = TPESearchCV(SVC(), SVC_SPACE, n_iter=4, cv=2, random_state=0,
                    scoring="balanced_accuracy").fit(X_IRIS, Y_IRIS)
    ax = plot_convergence(a)
    assert ax.get_ylabel() == "Best mean test f1_macro so far"
    ax = plot_convergence(a, b)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "TPESearchCV (1): mean test f1_macro", "TPESearchCV (2): mean test balanced_accuracy"
    ]


# -- several objectives ----------------------------------------------------------


def _mo_search(objective=("score", "model_size"), n_iter=12, seed=0):
    from sklearn.tree import DecisionTreeClassifier

    return RandomSearch(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Integer(1, 8), "min_samples_leaf": Integer(1, 30)},
        n_iter=n_iter, cv=3, random_state=seed, objective=list(objective),
    ).fit(X_IRIS, Y_IRIS)


def test_plot_pareto_two_and_three_objectives(tmp_path):
    from sksearch.plot import plot_pareto

    search = _mo_search()
    ax = plot_pareto(search)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    n_front = len(search.pareto_front_)
    n_rest = len(search.cv_results_["params"]) - n_front
    assert labels == [f"Pareto front ({n_front})", f"dominated ({n_rest})", "refitted model"]
    star = ax.collections[-1].get_offsets()[0]
    best = search.best_index_
    assert tuple(star) == (search.cv_results_["mean_test_score"][best],
                           search.cv_results_["mean_model_size"][best])
    assert "lower is better" in ax.get_ylabel()
    _render(ax, tmp_path, "pareto2")
    three = _mo_search(objective=["score", "model_size", "fit_time"])
    ax3 = plot_pareto(three)
    assert ax3.name == "3d"
    _render(ax3, tmp_path, "pareto3")
    with pytest.raises(ValueError, match="one objective"):
        plot_pareto(_toy_search(n_iter=4))
    with pytest.raises(ValueError, match="2 or 3 objectives"):
        plot_pareto(three, objectives=["score"])


@pytest.mark.parametrize("objective", [("score", "model_size"), ("model_size", "score")])
def test_figures_of_one_score_draw_the_first_scorer_of_several_objectives(objective):
    # the surrogate figures model the scorer's column of the strategy's score
    # rows, whatever its place among the objectives
    search = _mo_search(objective=objective)
    column = list(search.objectives_).index("score")
    y = np.asarray(search.optimizer_.y_)[:, column]
    from sksearch.plot import _surrogate

    forest, _, _, y_seen = _surrogate(search, "test")
    np.testing.assert_array_equal(y_seen, y)
    assert plot_importance(search).get_xlabel()
    assert plot_partial_dependence(search).size >= 1
    plt.close("all")


def test_plot_hypervolume_never_goes_down(tmp_path):
    from sksearch.plot import plot_hypervolume

    a, b = _mo_search(seed=0), _mo_search(seed=1)
    ax = plot_hypervolume(a, b, labels=["seed 0", "seed 1"])
    for line in ax.get_lines():
        y = line.get_ydata()
        assert (np.diff(y) >= 0).all() and 0 <= y.min() and y.max() <= 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["seed 0", "seed 1"]
    _render(ax, tmp_path, "hypervolume")
