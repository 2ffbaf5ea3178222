"""Parzen (kernel density) estimators of the TPE, on encoded columns.

One estimator is a mixture of ``m`` kernels centred on observations plus one
prior kernel. Over numeric columns (in ``[0, 1]``) a kernel is a normal
truncated to ``[0, 1]``; over a categorical column it is a smoothed
distribution over the choices (the observed choice gets weight
``1 + smoothing / (m + 1)``, every other choice ``smoothing / (m + 1)``, where
``smoothing`` is ``categorical_smoothing``, by default ``prior_weight`` as in
Optuna; the prior kernel is uniform). An integer column's kernel is integrated over
each integer's share of ``[0, 1]`` (a probability, as Optuna's), so its
density does not grow without bound as the bandwidth shrinks on repeated
values. With ``multivariate=True`` a kernel is the product over
the columns (Falkner et al. 2018, as Optuna's ``multivariate=True``);
otherwise each column is its own one-dimensional mixture (Bergstra et al.
2011).
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import logsumexp, ndtr
from scipy.stats import truncnorm

_C1 = 0.5 * np.log(2.0 * np.pi)


def default_weights(n):
    """Optuna's observation weights: flat for the 25 most recent, a linear ramp
    down to ``1/n`` for older ones (in trial order)."""
    if n < 25:
        return np.ones(n)
    return np.concatenate([np.linspace(1.0 / n, 1.0, n - 25), np.ones(25)])


def _univariate_sigmas(mus, consider_endpoints):
    """Bergstra's bandwidths: the larger distance to a neighbour, the bounds 0
    and 1 counting as neighbours (for the edge kernels only with
    ``consider_endpoints``)."""
    if len(mus) == 0:
        return np.empty(0)
    order = np.argsort(mus, kind="stable")
    s = np.concatenate([[0.0], mus[order], [1.0]])
    gaps = np.diff(s)
    sig = np.maximum(gaps[:-1], gaps[1:])
    if not consider_endpoints and len(mus) >= 2:
        sig[0] = gaps[1]
        sig[-1] = gaps[-2]
    out = np.empty_like(sig)
    out[order] = sig
    return out


class ParzenEstimator:
    """Mixture of kernels over some columns of the encoded space.

    Parameters
    ----------
    X : ndarray (m, d)
        Observed values of the modelled columns (valid, snapped).
    weights : ndarray (m,)
        Weight of each observation.
    n_choices : ndarray of int (d,)
        Number of choices of each column, 0 for numeric ones.
    prior_weight, multivariate, consider_endpoints, consider_magic_clip
        See :class:`~sksearch.optimizers.TPEOptimizer`.
    categorical_smoothing : float or None
        The weight spread over the choices of each categorical kernel (see
        above); ``None`` is ``prior_weight``, Optuna's.
    bins : list or None
        For each column, ``None`` (continuous or categorical) or a function
        mapping an array of encoded values of an integer column to the lower
        and upper edges of their integers' shares of ``[0, 1]``.
    """

    def __init__(
        self,
        X,
        weights,
        n_choices,
        *,
        prior_weight=1.0,
        multivariate=True,
        consider_endpoints=False,
        consider_magic_clip=True,
        bins=None,
        categorical_smoothing=None,
    ):
        X = np.asarray(X, dtype=float).reshape(-1, len(n_choices))
        m, d = X.shape
        self.multivariate = multivariate
        self.n_choices = np.asarray(n_choices, dtype=int)
        self.num = np.flatnonzero(self.n_choices == 0)
        self.cat = np.flatnonzero(self.n_choices > 0)
        bins = [None] * d if bins is None else list(bins)
        self.bins = [bins[j] for j in self.num]
        w = np.append(np.asarray(weights, dtype=float), prior_weight)
        if w.sum() <= 0:  # no prior and no weight: uniform over observations
            w = np.append(np.ones(m), 0.0)
        self.w = w / w.sum()
        with np.errstate(divide="ignore"):
            self.log_w = np.log(self.w)

        # numeric kernels: truncated normals on [0, 1], bandwidth by the
        # neighbour rule of Bergstra et al. (2011) in every mode, as Optuna
        # (>= 4) does also for multivariate kernels; the prior is N(0.5, 1)
        sig = np.empty((m, self.num.size))
        for t, j in enumerate(self.num):
            sig[:, t] = _univariate_sigmas(X[:, j], consider_endpoints)
        lo = 1.0 / min(100.0, 1.0 + (m + 1)) if consider_magic_clip else 1e-12
        sig = np.clip(sig, lo, 1.0)
        mus = np.vstack([X[:, self.num], np.full((1, self.num.size), 0.5)])
        sig = np.vstack([sig, np.ones((1, self.num.size))])
        self.mus, self.sigmas = mus, sig
        self._a = (0.0 - mus) / sig
        self._b = (1.0 - mus) / sig
        self._log_z = np.log(np.maximum(ndtr(self._b) - ndtr(self._a), 1e-300))

        # categorical kernels; Optuna (>= 4): smoothing prior_weight /
        # n_kernels per choice
        smoothing = prior_weight if categorical_smoothing is None else categorical_smoothing
        self.probs = []
        for j in self.cat:
            k = int(self.n_choices[j])
            p = np.full((m + 1, k), smoothing / (m + 1))
            idx = np.clip(np.round(X[:, j]), 0, k - 1).astype(int)
            p[np.arange(m), idx] += 1.0
            if smoothing <= 0:  # the prior kernel stays uniform
                p[-1] = 1.0 / k
            self.probs.append(p / p.sum(axis=1, keepdims=True))

    @property
    def n_kernels(self):
        return len(self.w)

    def sample(self, size, rng):
        """``size`` draws, shape ``(size, d)`` (numeric continuous, categorical
        as indices)."""
        d = len(self.n_choices)
        out = np.empty((size, d))
        if self.multivariate:
            idx = rng.choice(self.n_kernels, size=size, p=self.w)
            kernels = np.repeat(idx[:, None], d, axis=1)
        else:
            kernels = rng.choice(self.n_kernels, size=(size, d), p=self.w)
        for t, j in enumerate(self.num):
            kk = kernels[:, j]
            out[:, j] = truncnorm.rvs(
                self._a[kk, t], self._b[kk, t], loc=self.mus[kk, t], scale=self.sigmas[kk, t],
                random_state=rng,
            )
        for t, j in enumerate(self.cat):
            p = self.probs[t][kernels[:, j]]  # (size, k)
            u = rng.random((size, 1))
            out[:, j] = np.minimum((np.cumsum(p, axis=1) < u).sum(axis=1), p.shape[1] - 1)
        return np.clip(out, 0.0, None)

    def log_pdf(self, Xq):
        """Log density of the rows of ``Xq`` (shape ``(q, d)``)."""
        Xq = np.atleast_2d(np.asarray(Xq, dtype=float))
        q = Xq.shape[0]
        # per-kernel, per-column log densities: (q, n_kernels, d)
        parts = []
        if self.num.size:
            z = (Xq[:, None, self.num] - self.mus[None]) / self.sigmas[None]
            lp = -0.5 * z * z - np.log(self.sigmas)[None] - _C1 - self._log_z[None]
            for t, edges in enumerate(self.bins):
                if edges is None:
                    continue
                # an integer: the kernel's mass over the integer's share
                lo, hi = edges(Xq[:, self.num[t]])
                mu, sig = self.mus[None, :, t], self.sigmas[None, :, t]
                mass = ndtr((hi[:, None] - mu) / sig) - ndtr((lo[:, None] - mu) / sig)
                lp[:, :, t] = np.log(np.maximum(mass, 1e-300)) - self._log_z[None, :, t]
            parts.append(lp)
        for t, j in enumerate(self.cat):
            k = self.probs[t].shape[1]
            idx = np.clip(np.round(Xq[:, j]), 0, k - 1).astype(int)
            parts.append(np.log(self.probs[t][:, idx].T)[:, :, None])
        if not parts:
            return np.zeros(q)
        lp = np.concatenate(parts, axis=2)
        if self.multivariate:
            return logsumexp(self.log_w[None, :] + lp.sum(axis=2), axis=1)
        return logsumexp(self.log_w[None, :, None] + lp, axis=1).sum(axis=1)
