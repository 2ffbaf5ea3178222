"""The Bayesmark models, data sets and metrics, for current scikit-learn.

The 2020 black-box optimisation challenge scored optimisers with the
Bayesmark harness: 9 models (kNN, SVM, DT, RF, MLP-adam, MLP-sgd, ada, lasso,
linear) tuned on scikit-learn's breast, digits, iris, wine (classification)
and diabetes (regression) data sets, for two metrics each. The search spaces
below are Bayesmark's, written with :mod:`sksearch.space` types:

- Bayesmark's ``"log"`` ranges are ``log=True``, its ``"linear"`` ones
  uniform, its ``"int"`` types ``Integer`` and its ``"bool"`` types
  ``Categorical([False, True])``;
- its ``"logit"`` ranges (fractions such as ``max_features`` or
  ``beta_1``) are searched **uniformly** on the same bounds: no peer here has
  a logit prior, and the neutral space has none either;
- what current scikit-learn no longer has is rewritten: the lasso and linear
  classifiers are ``LogisticRegression(solver="liblinear", l1_ratio=1)`` and
  ``l1_ratio=0`` inside a ``OneVsRestClassifier`` (liblinear's own
  one-vs-rest, Bayesmark's ``multi_class="ovr"``, is gone), so their
  parameters are ``estimator__C`` and ``estimator__intercept_scaling``;
  ``Lasso``/``Ridge`` lose ``normalize`` (removed from scikit-learn);
  ``AdaBoostClassifier`` runs SAMME (SAMME.R is gone);
- the boston data set (removed from scikit-learn) is left out.
"""

from sklearn import datasets
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from sksearch.space import Categorical, Integer, Real

__all__ = ["DATASETS", "METRICS", "MODELS", "problem_names"]

BOOL = Categorical([False, True])

# Bayesmark's "logit" ranges, searched uniformly (see the module docstring)
knn = {"n_neighbors": Integer(1, 25), "p": Integer(1, 4)}
svm = {
    "C": Real(1.0, 1e3, log=True),
    "gamma": Real(1e-4, 1e-3, log=True),
    "tol": Real(1e-5, 1e-1, log=True),
}
_tree = {
    "max_depth": Integer(1, 15),
    "min_samples_split": Real(0.01, 0.99),  # logit
    "min_samples_leaf": Real(0.01, 0.49),  # logit
    "min_weight_fraction_leaf": Real(0.01, 0.49),  # logit
    "max_features": Real(0.01, 0.99),  # logit
    "min_impurity_decrease": Real(0.0, 0.5),
}
dt = dict(_tree)
rf = dict(_tree)
mlp_adam = {
    "hidden_layer_sizes": Integer(50, 200),
    "alpha": Real(1e-5, 1e1, log=True),
    "batch_size": Integer(10, 250),
    "learning_rate_init": Real(1e-5, 1e-1, log=True),
    "tol": Real(1e-5, 1e-1, log=True),
    "validation_fraction": Real(0.1, 0.9),  # logit
    "beta_1": Real(0.5, 0.99),  # logit
    "beta_2": Real(0.9, 1.0 - 1e-6),  # logit
    "epsilon": Real(1e-9, 1e-6, log=True),
}
mlp_sgd = {
    "hidden_layer_sizes": Integer(50, 200),
    "alpha": Real(1e-5, 1e1, log=True),
    "batch_size": Integer(10, 250),
    "learning_rate_init": Real(1e-5, 1e-1, log=True),
    "power_t": Real(0.1, 0.9),  # logit
    "tol": Real(1e-5, 1e-1, log=True),
    "momentum": Real(0.001, 0.999),  # logit
    "validation_fraction": Real(0.1, 0.9),  # logit
}
ada = {"n_estimators": Integer(10, 100), "learning_rate": Real(1e-4, 1e1, log=True)}
logistic = {
    "estimator__C": Real(1e-2, 1e2, log=True),
    "estimator__intercept_scaling": Real(1e-2, 1e2, log=True),
}
lasso_reg = {
    "alpha": Real(1e-2, 1e2, log=True),
    "fit_intercept": BOOL,
    "max_iter": Integer(10, 5000, log=True),
    "tol": Real(1e-5, 1e-1, log=True),
    "positive": BOOL,
}
linear_reg = {
    "alpha": Real(1e-2, 1e2, log=True),
    "fit_intercept": BOOL,
    "max_iter": Integer(10, 5000, log=True),
    "tol": Real(1e-4, 1e-1, log=True),
}


def _ovr_logistic(l1_ratio):
    def make():
        return OneVsRestClassifier(
            LogisticRegression(l1_ratio=l1_ratio, fit_intercept=True, solver="liblinear")
        )

    return make


# name: ((classifier factory, its space), (regressor factory, its space))
MODELS = {
    "kNN": ((KNeighborsClassifier, knn), (KNeighborsRegressor, knn)),
    "SVM": ((lambda: SVC(kernel="rbf", probability=True), svm),
            (lambda: SVR(kernel="rbf"), svm)),
    "DT": ((lambda: DecisionTreeClassifier(max_leaf_nodes=None), dt),
           (lambda: DecisionTreeRegressor(max_leaf_nodes=None), dt)),
    "RF": ((lambda: RandomForestClassifier(n_estimators=10, max_leaf_nodes=None), rf),
           (lambda: RandomForestRegressor(n_estimators=10, max_leaf_nodes=None), rf)),
    "MLP-adam": ((lambda: MLPClassifier(solver="adam", early_stopping=True), mlp_adam),
                 (lambda: MLPRegressor(solver="adam", early_stopping=True), mlp_adam)),
    "MLP-sgd": (
        (lambda: MLPClassifier(solver="sgd", early_stopping=True, learning_rate="invscaling",
                               nesterovs_momentum=True), mlp_sgd),
        # Bayesmark: "regression crashes often with relu"
        (lambda: MLPRegressor(activation="tanh", solver="sgd", early_stopping=True,
                              learning_rate="invscaling", nesterovs_momentum=True), mlp_sgd),
    ),
    "ada": ((AdaBoostClassifier, ada), (AdaBoostRegressor, ada)),
    "lasso": ((_ovr_logistic(1.0), logistic), (Lasso, lasso_reg)),
    "linear": ((_ovr_logistic(0.0), logistic), (lambda: Ridge(solver="auto"), linear_reg)),
}

# name: (loader, task)
DATASETS = {
    "breast": (datasets.load_breast_cancer, "classification"),
    "digits": (datasets.load_digits, "classification"),
    "iris": (datasets.load_iris, "classification"),
    "wine": (datasets.load_wine, "classification"),
    "diabetes": (datasets.load_diabetes, "regression"),
}

# Bayesmark's short names -> scikit-learn scorers (higher is better; loss = -score)
METRICS = {
    "classification": {"nll": "neg_log_loss", "acc": "accuracy"},
    "regression": {"mae": "neg_mean_absolute_error", "mse": "neg_mean_squared_error"},
}


def problem_names():
    """Every test case, named as Bayesmark does: ``model_dataset_metric``."""
    return [f"{m}_{d}_{k}" for m in MODELS for d, (_, task) in DATASETS.items()
            for k in METRICS[task]]
