"""One fit of an sksearch search: its state, its fit-and-score jobs, its results.

A :class:`Run` is made by ``BaseSearch.fit`` and passed along: to the loop
(:mod:`sksearch._loop`), which asks the strategy, runs the jobs and records
the results here, and to the results builder (:mod:`sksearch._fitted`). It
holds everything that lives only while ``fit`` runs (the data, the frozen
folds, the seeds, the journal, the strategy, the evaluations, the callback
contexts, why the search stopped), so the search itself keeps only its
parameters and its public fitted attributes.
"""

# SPDX-License-Identifier: BSD-3-Clause

import pickle

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.model_selection import check_cv
from sklearn.utils.parallel import delayed
from sklearn.utils.validation import indexable

from ._compat import (
    SKLEARN_HAS_CALLBACKS,
    _check_method_params,
    _fit_and_score,
    callback_root,
    get_scorers,
    routed_params,
    search_callback_context,
)
from ._journal import FORMAT as JOURNAL_FORMAT
from ._journal import Journal, search_fingerprint
from ._objectives import (
    candidate_vector,
    is_several,
    measured_fit_and_score,
    measures,
    resolve_objectives,
)
from ._version import __version__
from ._warn import warn_user

__all__ = ["Run", "format_score"]


class _FrozenSplits:
    """A CV splitter that splits once and then repeats the same folds.

    A splitter that shuffles without a fixed seed would give every round
    different folds, and candidates would be compared on different data.
    Freezing the first split compares every candidate on the same folds.
    """

    def __init__(self, cv):
        self.cv = cv
        self._splits = None

    def split(self, X=None, y=None, *args, **kwargs):
        if self._splits is None:
            self._splits = list(self.cv.split(X, y, *args, **kwargs))
        return iter(self._splits)

    def get_n_splits(self, X=None, y=None, *args, **kwargs):
        if self._splits is not None:
            return len(self._splits)
        return self.cv.get_n_splits(X, y, *args, **kwargs)


def _tagged(tag, fit_and_score, *args, **kwargs):
    """Run one fit-and-score job and say which it was (results come back in
    the order they finish)."""
    return tag, fit_and_score(*args, **kwargs)


class _Snapshot:
    """A callback context as it is now, pickled at once: the worker gets it
    unpickled. The context tree (each context holds its parent and its
    children) keeps changing in the driver while joblib pickles earlier
    tasks in another thread; pickling it then raised "dictionary changed size
    during iteration"."""

    def __init__(self, ctx):
        self.blob = pickle.dumps(ctx)

    def __reduce__(self):
        return pickle.loads, (self.blob,)


class _Evaluations:
    """Every candidate of one search with its per-fold results, in the order
    they finished (journal replay first): the rows of ``cv_results_``."""

    def __init__(self):
        self.params, self.out, self.more = [], [], {"iter": []}
        self.n_fits = self.n_failed = 0
        self.last_message = ""

    def add(self, candidate, outs, more):
        """One finished candidate: its parameters, per-fold results and its
        values of the extra ``cv_results_`` columns (``{"iter": 3, ...}``)."""
        self.params.append(candidate)
        self.out.extend(outs)
        for key, value in more.items():
            self.more.setdefault(key, []).append(value)
        self.n_fits += len(outs)
        failed = [o for o in outs if o["fit_error"] is not None]
        self.n_failed += len(failed)
        if failed:
            self.last_message = str(failed[-1]["fit_error"])

    def __len__(self):
        return len(self.params)


def candidate_score(outs, metric):
    """The objective of one candidate: the mean over folds of its test score
    (of ``metric`` with multi-metric scoring), NaN if a fold has none."""
    values = []
    for o in outs:
        v = o["test_scores"]
        if isinstance(v, dict):
            if metric not in v:
                raise ValueError(
                    "With multi-metric scoring the search must know which metric to "
                    f"maximise: set objective (or refit) to one of {sorted(v)!r}; got "
                    f"{metric!r}."
                )
            v = v[metric]
        values.append(float(v))
    return float(np.mean(values))


def format_score(score):
    """A score in progress lines, with the same digits on every line: four
    decimals (scientific notation for very large or small magnitudes)."""
    if not np.isfinite(score):
        return "n/a"
    if score != 0 and not 1e-3 <= abs(score) < 1e6:
        return f"{score:.4e}"
    return f"{score:.4f}"


class Run:
    """The state of one ``fit``, and the fit-and-score jobs it makes.

    The jobs are those sklearn's ``evaluate_candidates`` makes (sklearn's
    ``_fit_and_score``, the search's scorer, routed fit and score
    parameters, folds, ``error_score``, callback contexts) but dispatched by
    the loop. Seeds come from one ``numpy.random.SeedSequence``: the
    strategy is seeded with it, every other consumer with a child of it
    (:meth:`seed`).
    """

    def __init__(self, search, X, y, params, *, space, metric, warm):
        self.search, self.space, self.metric, self.warm = search, space, metric, warm
        # several objectives (None: one, ``metric``): what the strategy is told
        # is their vector, and the costs measured beside each fit
        self.objectives = (
            resolve_objectives(search.objective, search.scoring)
            if is_several(getattr(search, "objective", None)) else None
        )
        self.measures = measures(self.objectives) if self.objectives else ()
        X, y = indexable(X, y)
        self.X, self.y = X, y
        self.params = _check_method_params(X, params=params)
        self.scorers, self.scorer_, self.refit_metric = get_scorers(search)
        self.routed = routed_params(search, self.params)
        self.split_params = self.routed.splitter.split
        self.metadata = None
        if self.params.get("sample_weight") is not None:
            self.metadata = {"sample_weight": self.params["sample_weight"]}
        self.callback_root = callback_root(
            search, X, y, self.metadata, refit=search.refit is not False
        )
        self.callback_ctx = search_callback_context(self.callback_root)
        self.frozen_cv = _FrozenSplits(
            check_cv(search.cv, y, classifier=is_classifier(search.estimator))
        )
        self.splits = list(self.frozen_cv.split(X, y, **self.split_params))
        self.n_splits = len(self.splits)
        self.seeds = np.random.SeedSequence(_entropy(search.random_state))
        self.base = clone(search.estimator)
        self.kwargs = dict(
            scorer=self.scorers,
            fit_params=self.routed.estimator.fit,
            score_params=self.routed.scorer.score,
            return_train_score=search.return_train_score,
            return_n_test_samples=True,
            return_times=True,
            return_parameters=False,
            error_score=search.error_score,
            verbose=search.verbose,
        )
        if SKLEARN_HAS_CALLBACKS and self.callback_ctx is not None:
            # the callbacks get the search's parameters (a clone, made once):
            # the live search changes while joblib pickles tasks
            self.kwargs["caller"] = clone(search)
        self.snapshot_ctx = False
        self.journal = None
        self.evaluations = _Evaluations()
        self.strategy = None  # the strategy (or scheduler) the loop asks
        self.n_batches = self.n_resumed = 0
        self.stop_reason = None
        self.stored = {}  # unit key -> journal records no unit has taken yet
        self.served = set()  # id() of the units taken from the journal
        self.reused = False  # whether the journal's rows are in evaluations already

    # -- seeds --------------------------------------------------------------
    def seed(self, consumer):
        """The seed of one consumer of randomness: ``"strategy"`` gets the
        run's SeedSequence itself (as an int seed of the same stream), every
        other consumer a spawned child, one per name, in a fixed order."""
        if consumer == "strategy":
            return int(self.seeds.entropy)
        order = ("scheduler", "subsample")
        child = np.random.SeedSequence(
            self.seeds.entropy, spawn_key=(order.index(consumer),)
        )
        return int(child.generate_state(1)[0])

    # -- the journal --------------------------------------------------------
    def open_journal(self, extra):
        search = self.search
        if self.objectives:  # the journal's scores are their vectors
            extra = dict(extra or {}, objectives=[tuple(o[:2]) for o in self.objectives])
        fingerprint, parts = search_fingerprint(
            search, self.space, self.X, self.y, self.splits, self.params, extra=extra
        )
        header = {
            "sksearch_journal": JOURNAL_FORMAT,
            "fingerprint": fingerprint,
            "parts": parts,
            "search": type(search).__name__,
            "sksearch_version": __version__,
            "n_splits": self.n_splits,
        }
        self.journal = Journal.open(search.checkpoint, header)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.journal is not None:
            self.journal.close()
        return False

    def note_unfinished(self, exc):
        """Say on ``exc`` (a Ctrl-C, a killed worker, a fit's error with
        ``error_score="raise"``) what became of the evaluations that had
        finished when fit stopped."""
        add_note = getattr(exc, "add_note", None)  # Python >= 3.11
        if add_note is None:
            return
        name, journal = type(self.search).__name__, self.journal
        if journal is None:
            n = len(self.evaluations)
            if n:
                add_note(
                    f"{name}: the {n} evaluations that had finished are lost; with "
                    "checkpoint='a path' they are journaled as they finish, and fit "
                    "resumes from them."
                )
            return
        n = journal.n_on_disk()
        if n:
            stopped = "" if journal.failed is None else f" (journaling stopped: {journal.failed})"
            add_note(
                f"{name}: {n} finished evaluations are in checkpoint={journal.path!r}"
                f"{stopped}; fit with the same checkpoint resumes from them, without "
                "fitting them again."
            )

    # -- jobs and results ---------------------------------------------------
    def split(self, cv):
        """The folds of another splitter over the same data (Hyperband's
        subsampled training folds)."""
        return list(cv.split(self.X, self.y, **self.split_params))

    def jobs(self, tag, candidate, progress, ctx=None, first_task=0, *, splits=None,
             fit_and_score=_fit_and_score, estimator=None):
        """The ``n_splits`` joblib jobs of one candidate, tagged ``(tag, fold)``
        (callback subtasks ``first_task``, ``first_task + 1``, ... of ``ctx``),
        on ``splits`` (default: the search's folds)."""
        out = []
        base = dict(self.kwargs)
        estimator = self.base if estimator is None else estimator
        if self.measures:
            fit_and_score = measured_fit_and_score(fit_and_score, self.measures)
        for s, (train, test) in enumerate(self.splits if splits is None else splits):
            kwargs = dict(base)
            if "caller" in base:
                sub = None
                if ctx is not None:
                    sub = ctx.subcontext(
                        task_name="candidate-split-evaluation", task_id=first_task + s
                    )
                    if self.snapshot_ctx:
                        sub = _Snapshot(sub)
                kwargs["callback_ctx"] = sub
            out.append(delayed(_tagged)(
                (tag, s),
                fit_and_score,
                clone(estimator),
                self.X,
                self.y,
                train=train,
                test=test,
                parameters=candidate,
                split_progress=(s, self.n_splits),
                candidate_progress=progress,
                **kwargs,
            ))
        return out

    def score_of(self, outs):
        """What the strategy is told of one candidate (its per-fold results):
        its mean test score, or the vector of its objectives."""
        if self.objectives:
            return candidate_vector(outs, self.objectives)
        return candidate_score(outs, self.metric)

    # -- nothing journaled is fitted again ------------------------------------
    def unit_key(self, unit):
        """What makes two evaluations the same (a candidate; Hyperband: at a
        resource level)."""
        return self.space.key(self.space.encode(unit.candidate))

    def record_key(self, record):
        # the vector is a cache of the space the journal's fingerprint names:
        # this one's, or the journal was refused
        return self.space.key(Journal.vector(record))

    def record_candidate(self, record):
        """The candidate a record of this search's journal was evaluated at,
        as it was (from its values; an older record from its vector)."""
        candidate = Journal.candidate(record, self.space)
        if candidate is None:
            raise ValueError(f"not a candidate of this search space: {record.get('params')!r}")
        return candidate

    def keep_for_lookup(self, records):
        """Journal records that a unit asked later may take instead of a fit."""
        for record in records:
            try:
                key = self.record_key(record)
            except (ValueError, TypeError, KeyError, IndexError):
                continue
            self.stored.setdefault(key, []).append(record)

    def take_stored(self, unit):
        """The per-fold results of an evaluation the journal holds, or None:
        whatever ``batch_size``, ``n_jobs`` or mode asks for it again, it is
        not fitted again."""
        if not self.stored:
            return None
        records = self.stored.get(self.unit_key(unit))
        if not records:
            return None
        record = records.pop(0)
        self.served.add(id(unit))
        return self.journal_out(record)

    def journal_out(self, record):
        """The per-fold results a journal record holds."""
        return Journal.out(record, self.search.return_train_score)

    def record(self, candidates, outs_of, more, *, rows=None, units=None):
        """Keep and journal the results of finished candidates; return their
        scores. ``more`` maps each extra ``cv_results_`` column to one value
        per candidate; ``rows`` are the parameters shown in ``cv_results_``
        (default: the candidates themselves); ``units`` those asked (default:
        the candidates): a unit taken from the journal is not journaled again,
        nor shown again if the resume showed the journal's rows."""
        scores = [self.score_of(outs_of[i]) for i in range(len(candidates))]
        rows = candidates if rows is None else rows
        units = candidates if units is None else units
        served = [id(u) in self.served for u in units]
        self.served.difference_update(id(u) for u in units)  # an id lives as long as its unit
        for i, row in enumerate(rows):
            if not (self.reused and served[i]):
                self.evaluations.add(row, outs_of[i], {k: v[i] for k, v in more.items()})
        new = [i for i in range(len(units)) if not served[i]]
        if self.journal is not None and new:
            self.journal.write(
                [candidates[i] for i in new],
                [self.space.encode(candidates[i]) for i in new],
                [scores[i] for i in new],
                [o for i in new for o in outs_of[i]],
                len(outs_of[0]),
                {k: [v[i] for i in new] for k, v in more.items()},
            )
        return scores

    def nothing_fitted(self, reason):
        """The error of a loop that evaluated nothing, naming why (``reason``:
        why it stopped)."""
        search, what = self.search, getattr(self, "what", "candidates")
        if reason == "max_time":
            return ValueError(
                f"max_time={search.max_time!r} ran out before the first of the search's "
                f"{what} was evaluated: nothing was fitted. Give max_time at least the "
                f"time of one round (batch_size={search.batch_size} {what}, "
                f"{self.n_splits} fits each)."
            )
        n_warm = getattr(search, "n_warm_start_", 0)
        if reason == "exhausted" and n_warm:
            return ValueError(
                f"warm_start_from: its {n_warm} results already hold all "
                f"{self.space.size} candidates of this search space, so there is none "
                "left to evaluate. Widen param_distributions, or use the earlier "
                "search's results."
            )
        return ValueError(f"No fits were performed: the search stopped ({reason}) "
                          f"before any of its {what} was evaluated.")

    def warn_not_replayed(self, what):
        warn_user(f"checkpoint={self.search.checkpoint!r}: {what}")


def _entropy(random_state):
    """The root seed of a fit, drawn from ``random_state`` as sklearn draws
    seeds (``check_random_state``), so a RandomState instance works as in
    sklearn and a given int always gives the same run."""
    from sklearn.utils import check_random_state

    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
