"""Maximise an acquisition function over the mixed (numeric + categorical) space.

Sampling, then local refinement, with a fixed budget so the cost per ask does
not grow with the number of trials beyond the GP's own cost:

1. score a pool of candidates: prior draws over the whole space (every
   sub-space, every categorical combination the draws hit) plus
   perturbations of the best observed points;
2. refine the ``n_restarts`` best of them with L-BFGS-B on their active
   numeric columns (integers relaxed to the continuum), categoricals fixed;
3. snap the results to valid values (integers to their bin, categoricals to
   a choice) and return the best one the caller accepts (new, not already in
   the batch), falling back to the pool in order of acquisition value.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.optimize import minimize


def local_candidates(space, centres, n_per_centre, rng, scale=0.05, p_flip=0.2):
    """Perturbations of ``centres``: Gaussian steps on numeric columns, random
    re-draws of categorical columns with probability ``p_flip``."""
    if len(centres) == 0 or n_per_centre < 1:
        return np.empty((0, space.n_dims))
    X = np.repeat(np.asarray(centres, dtype=float), n_per_centre, axis=0)
    num = ~space.is_categorical
    X[:, num] = np.clip(X[:, num] + scale * rng.standard_normal((len(X), num.sum())), 0.0, 1.0)
    cat = np.flatnonzero(space.is_categorical)
    if cat.size:
        flip = rng.random((len(X), cat.size)) < p_flip
        draws = np.floor(rng.random((len(X), cat.size)) * space.n_choices[cat])
        X[:, cat] = np.where(flip, draws, X[:, cat])
    return X


def optimize_acqf(acq, fmap, space, pool, *, n_restarts, accept, maxiter=30):
    """Best acceptable encoded vector for ``acq``, or ``None``.

    Parameters
    ----------
    acq : Acquisition
    fmap : FeatureMap
    space : Space
    pool : ndarray (m, n_dims)
        Candidate encoded vectors (every column filled).
    n_restarts : int
        How many of the best pool points are refined by L-BFGS-B.
    accept : callable
        ``accept(snapped_vector) -> bool``; e.g. new and not already chosen.
    maxiter : int
        Iteration cap of each L-BFGS-B run.
    """
    values = acq.values(fmap.transform(pool))
    order = np.argsort(-values, kind="stable")
    starts = pool[order[:n_restarts]].copy()
    refined = starts
    if len(starts):
        # One L-BFGS-B run over all restarts at once, on the sum of their
        # (independent) acquisition values, as BoTorch does: the gradient is
        # separable, and one Python-level call per step instead of one per
        # restart halved the cost of this function at 100 trials.
        active = space.active_masks(starts)[:, fmap.numeric_columns]  # (R, n_numeric)
        rows, which = np.nonzero(active)
        cols, feats = fmap.numeric_columns[which], fmap.numeric_features[which]
        if rows.size:
            F0 = fmap.transform(starts)

            def negacq(x):
                F = F0.copy()
                F[rows, feats] = x
                val, grad = acq.value_and_grad(F)
                return -val.sum(), -grad[rows, feats]

            res = minimize(
                negacq,
                np.clip(starts[rows, cols], 0.0, 1.0),
                jac=True,
                method="L-BFGS-B",
                bounds=[(0.0, 1.0)] * rows.size,
                options={"maxiter": maxiter},
            )
            if np.all(np.isfinite(res.x)):
                starts[rows, cols] = res.x
        refined = [space.snap(v) for v in starts]
    if len(refined):
        refined = np.array(refined)
        rvals = acq.values(fmap.transform(refined))
        for i in np.argsort(-rvals, kind="stable"):
            if accept(refined[i]):
                return refined[i]
    for i in order:
        v = space.snap(pool[i])
        if accept(v):
            return v
    return None
