"""The keywords of the searches sksearch replaces, read as sksearch's own.

Code written for scikit-learn's ``GridSearchCV``, scikit-optimize's
``BayesSearchCV`` or Optuna's ``OptunaSearchCV`` runs with one changed import:
:func:`peer_keywords` wraps a public class's ``__init__`` so that a keyword
those classes take is either renamed to the sksearch parameter that does the
same (``param_grid`` and ``search_spaces`` to ``param_distributions``,
``n_trials`` to ``n_iter``, ``timeout`` to ``max_time``, ``n_points`` to
``batch_size``, scikit-optimize's ``optimizer_kwargs`` to the knobs of
:class:`~sksearch.BayesSearchCV`) or refused with a ``TypeError`` that names
the sksearch way to do it.

The renaming happens before the real ``__init__`` (and in ``set_params``),
which still only stores its arguments: the search holds the sksearch names alone, so ``get_params``,
``set_params``, ``clone`` and pickling see one parameter per setting, and the
wrapper is transparent to ``inspect.signature`` (through ``__wrapped__``, as
scikit-learn's own ``_deprecate_positional_args`` was), hence to
``BaseEstimator._get_param_names``.
"""

# SPDX-License-Identifier: BSD-3-Clause

import difflib
import functools
import inspect

# peer keyword -> (sksearch parameter, whose keyword it is)
_RENAMED = {
    "param_grid": ("param_distributions", "GridSearchCV's"),
    "search_spaces": ("param_distributions", "scikit-optimize's"),
    "n_trials": ("n_iter", "Optuna's"),
    "timeout": ("max_time", "Optuna's"),
    "n_points": ("batch_size", "scikit-optimize's"),
}

# peer keyword -> what to write instead
_REFUSED = {
    "fit_params": (
        "scikit-optimize's fit_params is gone from scikit-learn's searches: pass fit "
        "parameters to fit, search.fit(X, y, **fit_params)."
    ),
    "iid": "iid was removed from scikit-learn's searches (0.24); drop it.",
    "study": (
        "Optuna's study has no sksearch equivalent: checkpoint='search.jsonl' resumes a "
        "search, warm_start_from= starts one from earlier results, and the sampler's "
        "settings are keywords of the search (TPESearchCV(n_startup=..., gamma=...))."
    ),
    "enable_pruning": (
        "Optuna's enable_pruning: sksearch stops poor candidates early with "
        "HyperbandSearchCV(resource='max_iter', max_resources=...) (sampler='tpe' for "
        "BOHB)."
    ),
    "max_iter": (
        "Optuna's max_iter (the pruning budget): use HyperbandSearchCV(resource='max_iter', "
        "max_resources=...)."
    ),
    "subsample": (
        "Optuna's subsample: use HyperbandSearchCV(resource='n_samples') to score "
        "candidates on growing subsets of the data."
    ),
    "catch": (
        "Optuna's catch: a failed fit already scores error_score (np.nan by default) and "
        "the search goes on; error_score='raise' raises instead."
    ),
}

# scikit-optimize's optimizer_kwargs for BayesSearchCV
_ACQ_FUNC = {"EI": "ei", "PI": "pi", "LCB": "lcb", "ei": "ei", "pi": "pi", "lcb": "lcb",
             "ucb": "ucb"}
_DESIGNS = ("sobol", "lhs", "random")


def _optimizer_kwargs(cls_name, own, optimizer_kwargs):
    """sksearch keywords for scikit-optimize's ``optimizer_kwargs`` dict."""
    if optimizer_kwargs is None:
        return {}
    if "acq_func" not in own:  # not a Gaussian-process search
        knobs = ", ".join(sorted(own - _COMMON)) or "none"
        raise TypeError(
            f"{cls_name} got scikit-optimize's optimizer_kwargs; pass the strategy's "
            f"settings as keywords of {cls_name} (its own: {knobs}), or use BayesSearchCV, "
            "which reads scikit-optimize's optimizer_kwargs."
        )
    if not isinstance(optimizer_kwargs, dict):
        raise TypeError(
            f"optimizer_kwargs must be a dict (scikit-optimize's), got {optimizer_kwargs!r}."
        )
    out = {}

    def refuse(key, value, instead):
        raise TypeError(
            f"optimizer_kwargs[{key!r}]={value!r} has no {cls_name} equivalent; {instead}"
        )

    for key, value in optimizer_kwargs.items():
        if key == "base_estimator":
            if not (isinstance(value, str) and value.upper() == "GP"):
                refuse(key, value, "BayesSearchCV's surrogate is always a Gaussian process; "
                       "TPESearchCV is the tree-structured model-based search.")
        elif key == "n_initial_points":
            out["n_initial_points"] = value
        elif key == "acq_func":
            if value not in _ACQ_FUNC:
                refuse(key, value, "acq_func takes 'ei' (skopt's 'EI'), 'pi', 'ucb' or "
                       "'lcb'; 'ei' is the default.")
            out["acq_func"] = _ACQ_FUNC[value]
        elif key == "acq_func_kwargs":
            for k, v in dict(value).items():
                if k not in ("xi", "kappa"):
                    refuse(f"{key}'][{k!r}", v, "acq_func's settings are xi and kappa.")
                out[k] = v
        elif key == "initial_point_generator":
            if value not in _DESIGNS:
                refuse(key, value, f"initial_design takes one of {list(_DESIGNS)}.")
            out["initial_design"] = value
        elif key == "acq_optimizer":
            if value not in ("auto", "lbfgs", "sampling"):
                refuse(key, value, "the acquisition is maximised over n_candidates prior "
                       "draws, the best n_restarts refined by L-BFGS-B.")
            if value == "sampling":
                out["n_restarts"] = 0
        elif key == "acq_optimizer_kwargs":
            names = {"n_points": "n_candidates", "n_restarts_optimizer": "n_restarts"}
            for k, v in dict(value).items():
                if k not in names:
                    refuse(f"{key}'][{k!r}", v, "its settings are n_candidates and "
                           "n_restarts.")
                out[names[k]] = v
        else:
            refuse(key, value, "BayesSearchCV reads n_initial_points, acq_func, "
                   "acq_func_kwargs (xi, kappa), initial_point_generator, acq_optimizer, "
                   "acq_optimizer_kwargs and base_estimator='GP' from optimizer_kwargs; "
                   "pass other settings as keywords (see help(BayesSearchCV)).")
    return out


# parameters every search has (BaseSearch's): not strategy knobs
_COMMON = {
    "estimator", "param_distributions", "n_iter", "scoring", "n_jobs", "refit", "cv",
    "verbose", "pre_dispatch", "random_state", "error_score", "return_train_score",
    "max_time", "checkpoint", "warm_start_from", "callbacks", "batch_size", "asynchronous",
    "objective",
}


def translate(cls_name, own, kwargs):
    """``kwargs`` with the peers' keywords renamed to sksearch's; a
    ``TypeError`` naming the sksearch way for those it has no equivalent of.

    ``own`` is the set of the class's own parameter names: a peer keyword that
    is one of them (``CoordinateDescentSearchCV``'s ``n_points``) keeps its
    sksearch meaning.
    """
    out = {k: v for k, v in kwargs.items() if k in own}
    given = {}  # sksearch name -> the peer keyword that set it
    mapped = {}
    for key, value in kwargs.items():
        if key in own:
            continue
        if key == "optimizer_kwargs":
            mapped.update(
                {k: (v, f"optimizer_kwargs[{key!r}]")
                 for k, v in _optimizer_kwargs(cls_name, own, value).items()}
            )
        elif key in _RENAMED:
            name, whose = _RENAMED[key]
            if key == "n_trials" and value is None:
                raise TypeError(
                    "n_trials=None (Optuna's: no limit) has no sksearch equivalent: a "
                    "search always has a budget, n_iter; add max_time for a time limit."
                )
            if name in given:
                raise TypeError(
                    f"{cls_name} got both {given[name]} and {key}, two names for "
                    f"{name}; give one."
                )
            if name not in own:
                raise TypeError(f"{cls_name} got {whose} {key}, but has no {name}.")
            given[name] = key
            mapped[name] = (value, key)
        elif key in _REFUSED:
            raise TypeError(f"{cls_name} got an unexpected keyword argument {key!r}. "
                            + _REFUSED[key])
        else:
            close = difflib.get_close_matches(key, sorted(own), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(
                f"{cls_name}.__init__() got an unexpected keyword argument {key!r}{hint}"
            )
    for name, (value, key) in mapped.items():
        if name in out:
            raise TypeError(
                f"{cls_name} got both {name} and {key}, which sets {name}; give one."
            )
        out[name] = value
    return out


def peer_keywords(cls):
    """Class decorator: ``cls(...)`` also takes the peers' keywords (see the module)."""
    init = cls.__init__
    own = set(inspect.signature(init).parameters) - {"self"}

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if any(k not in own for k in kwargs):
            kwargs = translate(type(self).__name__, own, kwargs)
            if args[1:] and "param_distributions" in kwargs:
                # BayesSearchCV(est, space, search_spaces=...): Python's own words
                raise TypeError(
                    f"{type(self).__name__} got two search spaces, one positional and "
                    "one by keyword; give one."
                )
        init(self, *args, **kwargs)

    cls.__init__ = __init__

    set_params = cls.set_params

    @functools.wraps(set_params)
    def set_params_(self, **params):
        # set_params(search_spaces=...) as the constructor reads it: renamed
        # only, since a refused keyword is refused by set_params already
        renamed = {}
        for key, value in params.items():
            name = _RENAMED[key][0] if key in _RENAMED and key not in own else key
            if name in renamed:
                raise TypeError(
                    f"{type(self).__name__}.set_params got two values for {name}; give one."
                )
            renamed[name] = value
        return set_params(self, **renamed)

    cls.set_params = set_params_
    return cls
