"""The one evaluation loop of every sksearch search.

``run_loop(run, ...)`` resumes from the journal, then either runs rounds
(ask ``batch_size`` units, fit them, tell them) or, in asynchronous mode,
asks for one unit whenever a worker frees, on the loop's own joblib workers.
What a unit is (a candidate; a candidate at a resource level in Hyperband)
is the run's: the loop calls its ``ask_round``, ``unit_jobs``,
``units_done``, ``resume`` and ``progress_line``. A resumed run's journal is
replayed by the loop itself: a unit the journal holds is taken from it
(``take_stored``) instead of fitted.
"""

# SPDX-License-Identifier: BSD-3-Clause

import copy
import threading
import time

from joblib.parallel import get_active_backend
from sklearn.utils.parallel import Parallel

__all__ = ["run_loop"]


def run_loop(run, *, n_iter, batch_size, n_units, what):
    """Resume, run the rounds (or the asynchronous mode), and set
    ``run.stop_reason``. ``n_units``: the units the callback context is
    told to expect (None: not known), or a function that counts them, called
    only where callbacks listen and no ``max_time`` may cut the search."""
    search = run.search
    search_ctx = None
    if run.callback_ctx is not None:
        if callable(n_units):
            # counted only where the search runs to its end: with max_time, a
            # plan of millions of steps would be counted for nothing, and the
            # number of units is not known in advance (None)
            n_units = n_units() if search.max_time is None else None
        search_ctx = run.callback_ctx.subcontext(
            task_name="search", max_subtasks=n_units
        ).call_on_fit_task_begin(estimator=search)
    start = time.perf_counter()
    n_iter += run.resume()  # evaluations reused outside the budget
    # what is left to fit: the journal's evaluations are in the results
    # already, or replayed by the loop
    _announce(run, n_iter - max(len(run.evaluations), run.n_resumed), what)
    # a resumed search that its callbacks had already stopped (they read the
    # told history) evaluates nothing new
    if run.n_resumed and any(cb(search) for cb in (search.callbacks or [])):
        reason = "callback"
    else:
        backend = own_backend()
        # a task is pickled (loky's feeder thread, Dask's client) while the
        # loop goes on: in asynchronous mode its callback context must be a
        # snapshot taken under the loop's lock
        run.snapshot_ctx = search.asynchronous and not getattr(backend, "uses_threads", False)
        parallel = Parallel(
            n_jobs=search.n_jobs,
            pre_dispatch=search.pre_dispatch,
            return_as="generator_unordered",
            backend=backend,
        )
        clock = _Clock(run, start)
        with parallel:
            if search.asynchronous:
                reason = _asynchronous(run, parallel, n_iter, clock, search_ctx)
            else:
                reason = _rounds(run, parallel, n_iter, batch_size, clock, search_ctx)
    if not len(run.evaluations):
        raise run.nothing_fitted(reason)
    run.stop_reason = reason
    return search_ctx


def own_backend():
    """A copy of the active joblib backend instance, for the loop's own
    ``Parallel``: under ``parallel_config(backend=...)`` every ``Parallel``
    shares one backend instance, and the loop's ending its pool would end
    the pool of another ``Parallel`` still running."""
    backend, _ = get_active_backend()
    return copy.copy(backend)


class _Clock:
    """``max_time``, the callbacks and the progress line of one loop."""

    def __init__(self, run, start):
        self.run, self.start = run, start
        self.max_time = run.search.max_time

    def time_is_up(self):
        return self.max_time is not None and time.perf_counter() - self.start >= self.max_time

    def after_unit(self, n_iter, ctx):
        """The reason to stop after a round or unit, or None."""
        search = self.run.search
        stop = ctx is not None and bool(ctx.call_on_fit_task_end(estimator=search))
        if search.verbose > 0:
            elapsed = time.perf_counter() - self.start
            print(self.run.progress_line(len(self.run.evaluations), n_iter, elapsed))
        if stop or any(cb(search) for cb in (search.callbacks or [])):
            return "callback"
        if self.time_is_up():
            return "max_time"
        return None


def _unit_context(run, search_ctx, n_fits):
    if search_ctx is None:
        return None
    return search_ctx.subcontext(
        task_name="search-batch", max_subtasks=n_fits, sequential_subtasks=False
    ).call_on_fit_task_begin(estimator=run.search)


def _rounds(run, parallel, n_iter, batch_size, clock, search_ctx):
    """The deterministic mode: ask a round, fit it, tell it, repeat."""
    evaluations, n_splits = run.evaluations, run.n_splits
    while len(evaluations) < n_iter:
        if clock.time_is_up() and len(evaluations) >= run.n_resumed:  # not in a replay
            return "max_time"
        batch = run.ask_round(min(batch_size, n_iter - len(evaluations)))
        if not batch:  # the space has no new candidate left
            return "exhausted"
        n_before = len(evaluations)
        stored = [run.take_stored(unit) for unit in batch]  # replayed, not fitted
        outs = [out or [None] * n_splits for out in stored]
        fit = [i for i, out in enumerate(stored) if out is None]
        ctx = _unit_context(run, search_ctx, len(fit) * n_splits) if fit else None
        # made before any is dispatched: joblib pickles tasks in another
        # thread, and making a task adds to the callback context tree
        tasks = [
            job
            for k, i in enumerate(fit)
            for job in run.unit_jobs(i, batch[i], (n_before + i, n_iter), ctx, k * n_splits)
        ]
        for (i, s), out in parallel(tasks):
            outs[i][s] = out
        run.units_done(batch, outs, [run.n_batches] * len(batch))
        run.n_batches += 1
        reason = clock.after_unit(n_iter, ctx)
        if reason == "callback":
            return reason
    return "n_iter"


def _asynchronous(run, parallel, n_iter, clock, search_ctx):
    """The asynchronous mode: a unit is asked for as soon as a worker frees,
    told while the others still run (the strategy sees the units in flight
    as pending, as constant liar does)."""
    n_splits = run.n_splits
    lock = threading.Lock()
    flight = {}  # tag -> [unit, outs, n_left, iteration, ctx]
    state = {"asked": len(run.evaluations), "reason": None}

    def tasks():
        # joblib pulls the next job from this generator when a worker frees,
        # possibly from its own callback thread: the strategy is asked and
        # told under the lock
        while True:
            with lock:
                if state["reason"] is not None or state["asked"] >= n_iter:
                    return
                if clock.time_is_up() and state["asked"] >= run.n_resumed:
                    state["reason"] = "max_time"
                    return
                batch = run.ask_round(1)
                if not batch:
                    state["reason"] = "exhausted"
                    return
                tag = state["asked"]
                state["asked"] += 1
                stored = run.take_stored(batch[0])
                if stored is not None:  # journaled: told now, never fitted again
                    run.units_done(batch, [stored], [tag])
                    run.n_batches += 1
                    state["reason"] = clock.after_unit(n_iter, None)
                    continue
                ctx = _unit_context(run, search_ctx, n_splits)
                flight[tag] = [batch[0], [None] * n_splits, n_splits, tag, ctx]
                unit_jobs = list(run.unit_jobs(tag, batch[0], (tag, n_iter), ctx, 0))
            yield from unit_jobs

    for (tag, s), out in parallel(tasks()):
        with lock:
            entry = flight[tag]
            entry[1][s] = out
            entry[2] -= 1
            if entry[2]:
                continue
            del flight[tag]
            unit, outs, _, iteration, ctx = entry
            run.units_done([unit], [outs], [iteration])
            run.n_batches += 1
            reason = clock.after_unit(n_iter, ctx)
            if state["reason"] is None and reason is not None:
                state["reason"] = reason
    return state["reason"] or "n_iter"


def _announce(run, n, what):
    """The one line sklearn's searches print at their start (verbose > 0):
    the ``n`` units left to fit, after those resumed from the journal."""
    if run.search.verbose <= 0:
        return
    n_splits = run.n_splits
    if not run.n_resumed:
        print(f"Fitting {n_splits} folds for each of {n} {what}, totalling {n_splits * n} fits")
        return
    fitting = (
        f"fitting {n_splits} folds for each of up to {n} more {what}, totalling "
        f"{n_splits * n} fits" if n else "nothing left to fit but the refit"
    )
    print(f"Resumed {run.n_resumed} {what} from the checkpoint journal; {fitting}")
