"""The tuning problems, each written once in a neutral form.

A problem is a small scikit-learn tuning task on a data set that
scikit-learn ships (no download), Bayesmark-style: an estimator, a search
space, a scoring and fixed cross-validation splits. The space is written
once with :mod:`sksearch.space` types (``Real``, ``Integer``,
``Categorical``; a list of dicts for conditional / AutoML spaces) and
translated into each library's own vocabulary by :mod:`benchmarks.adapters`.

Every fit is kept cheap (subsampled digits, few trees, few epochs) so one
candidate (all folds) costs about 0.05-0.5 s on one core: the benchmark
measures search strategies, not estimators.
"""

from dataclasses import dataclass, field
from functools import cache

from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import ElasticNet, LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier

from sksearch.space import Categorical, Integer, Real, Space

__all__ = ["PROBLEMS", "Problem", "get_problem"]

N_SPLITS = 3
SPLIT_SEED = 0


@cache
def _load(name):
    """(X, y) of a data set scikit-learn ships; digits is subsampled to 500."""
    if name == "breast_cancer":
        X, y = datasets.load_breast_cancer(return_X_y=True)
    elif name == "wine":
        X, y = datasets.load_wine(return_X_y=True)
    elif name == "iris":
        X, y = datasets.load_iris(return_X_y=True)
    elif name == "diabetes":
        X, y = datasets.load_diabetes(return_X_y=True)
    elif name == "digits":
        X, y = datasets.load_digits(return_X_y=True)
        X, _, y, _ = train_test_split(
            X / 16.0, y, train_size=500, stratify=y, random_state=SPLIT_SEED
        )
    else:
        raise ValueError(f"unknown data set {name!r}")
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


@dataclass(frozen=True)
class Problem:
    """One tuning task.

    ``make_estimator()`` returns a fresh unfitted estimator; ``space`` is the
    neutral search space (a dict or a list of dicts of sksearch dimensions).
    ``version`` is part of the baseline cache key: bump it when the problem
    changes.
    """

    name: str
    dataset: str
    task: str  # "classification" or "regression"
    make_estimator: object
    space: object
    description: str
    scoring: str = ""
    version: int = 1
    tags: tuple = field(default_factory=tuple)

    @property
    def metric(self):
        return self.scoring or ("accuracy" if self.task == "classification" else "r2")

    @property
    def is_conditional(self):
        return isinstance(self.space, list)

    def data(self):
        return _load(self.dataset)

    def splits(self):
        """The fixed CV splits, as an explicit list of (train, test) index arrays."""
        X, y = self.data()
        if self.task == "classification":
            cv = StratifiedKFold(N_SPLITS, shuffle=True, random_state=SPLIT_SEED)
        else:
            cv = KFold(N_SPLITS, shuffle=True, random_state=SPLIT_SEED)
        return [(tr, te) for tr, te in cv.split(X, y)]

    def parsed_space(self):
        return Space(self.space)

    def dimension_kinds(self):
        """Which kinds of dimension the space has (for the README table)."""
        kinds = set()
        for _, name, dim in self.parsed_space().columns:
            if name is None:
                kinds.add("sub-spaces")
            elif dim.kind == "categorical":
                kinds.add("categorical")
            else:
                kinds.add(dim.kind + (" (log)" if getattr(dim, "log", False) else ""))
        return sorted(kinds)


def _scaled(estimator):
    return Pipeline([("scale", StandardScaler()), ("model", estimator)])


_PROBLEMS = [
    Problem(
        "svc_breast_cancer", "breast_cancer", "classification",
        lambda: _scaled(SVC()),
        {"model__C": Real(1e-2, 1e3, log=True), "model__gamma": Real(1e-5, 1e0, log=True)},
        "RBF SVC, C and gamma on a log scale (the classic 2-D Bayesmark task)",
    ),
    Problem(
        "svc_digits", "digits", "classification",
        SVC,
        {
            "C": Real(1e-2, 1e3, log=True),
            "gamma": Real(1e-4, 1e1, log=True),
            "kernel": Categorical(["rbf", "poly", "sigmoid"]),
        },
        "SVC on 500 digits: C, gamma (log) and the kernel",
    ),
    Problem(
        "rf_wine", "wine", "classification",
        lambda: RandomForestClassifier(n_estimators=20, random_state=0),
        {
            "max_depth": Integer(1, 12),
            "min_samples_split": Integer(2, 20),
            "min_samples_leaf": Integer(1, 10),
            "max_features": Real(0.05, 1.0),
            "criterion": Categorical(["gini", "entropy"]),
            "bootstrap": Categorical([True, False]),
            "class_weight": Categorical([None, "balanced"]),
        },
        "random forest (20 trees): integers, a fraction and categoricals",
    ),
    Problem(
        "hgb_diabetes", "diabetes", "regression",
        lambda: HistGradientBoostingRegressor(early_stopping=False, random_state=0),
        {
            "max_iter": Integer(10, 100, log=True),
            "learning_rate": Real(1e-3, 1.0, log=True),
            "max_leaf_nodes": Integer(2, 64, log=True),
            "min_samples_leaf": Integer(2, 60),
            "l2_regularization": Real(1e-6, 10.0, log=True),
        },
        "gradient boosting regression: log integers and log reals",
    ),
    Problem(
        "elasticnet_diabetes", "diabetes", "regression",
        lambda: _scaled(ElasticNet(max_iter=2000)),
        {
            "model__alpha": Real(1e-4, 10.0, log=True),
            "model__l1_ratio": Real(0.0, 1.0),
            "model__selection": Categorical(["cyclic", "random"]),
        },
        "ElasticNet regression: alpha (log), l1_ratio",
    ),
    Problem(
        "svr_diabetes", "diabetes", "regression",
        lambda: _scaled(SVR()),
        {
            "model__C": Real(1e-2, 1e4, log=True),
            "model__epsilon": Real(1e-3, 10.0, log=True),
            "model__gamma": Real(1e-4, 1.0, log=True),
        },
        "RBF SVR regression: three log-scaled reals",
    ),
    Problem(
        "knn_wine", "wine", "classification",
        lambda: _scaled(KNeighborsClassifier()),
        {
            "model__n_neighbors": Integer(1, 60, log=True),
            "model__weights": Categorical(["uniform", "distance"]),
            "model__metric": Categorical(["euclidean", "manhattan", "chebyshev"]),
        },
        "k nearest neighbours: a log integer and two categoricals",
    ),
    Problem(
        "dtree_digits", "digits", "classification",
        lambda: DecisionTreeClassifier(random_state=0),
        {
            "max_depth": Integer(1, 30),
            "min_samples_split": Integer(2, 40),
            "min_samples_leaf": Integer(1, 20),
            "max_features": Real(0.05, 1.0),
            "criterion": Categorical(["gini", "entropy", "log_loss"]),
            "ccp_alpha": Real(1e-5, 1e-1, log=True),
        },
        "decision tree on 500 digits: integers, reals, a categorical",
    ),
    Problem(
        "mlp_digits", "digits", "classification",
        lambda: MLPClassifier(max_iter=20, random_state=0),
        {
            "hidden_layer_sizes": Integer(8, 64, log=True),
            "alpha": Real(1e-6, 1e-1, log=True),
            "learning_rate_init": Real(1e-4, 1e-1, log=True),
            "batch_size": Integer(16, 128, log=True),
            "activation": Categorical(["relu", "tanh", "logistic"]),
        },
        "one-hidden-layer MLP, 20 epochs on 500 digits",
        version=2,
    ),
    Problem(
        "automl_digits", "digits", "classification",
        lambda: Pipeline([("scale", StandardScaler()), ("model", SVC())]),
        [
            {
                "model": Categorical([SVC()]),
                "model__C": Real(1e-2, 1e3, log=True),
                "model__gamma": Real(1e-5, 1e0, log=True),
            },
            {
                "model": Categorical([LogisticRegression(max_iter=300)]),
                "model__C": Real(1e-4, 1e2, log=True),
            },
            {
                "model": Categorical([KNeighborsClassifier()]),
                "model__n_neighbors": Integer(1, 30),
                "model__weights": Categorical(["uniform", "distance"]),
            },
            {
                "model": Categorical([RandomForestClassifier(n_estimators=20, random_state=0)]),
                "model__max_depth": Integer(2, 20),
                "model__max_features": Real(0.05, 1.0),
            },
        ],
        "AutoML: the estimator is searched (SVC / logistic regression / kNN / forest), "
        "each with its own parameters (a list of dicts)",
        tags=("automl",),
    ),
]

PROBLEMS = {p.name: p for p in _PROBLEMS}


def get_problem(name):
    try:
        return PROBLEMS[name]
    except KeyError:
        raise ValueError(
            f"unknown problem {name!r}; known: {', '.join(sorted(PROBLEMS))}"
        ) from None
