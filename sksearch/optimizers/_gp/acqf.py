"""Acquisition functions, for maximisation of a standardised score.

* ``"ei"``: expected improvement (Mockus 1978; Jones, Schonlau & Welch 1998),
  computed in log space with the numerically stable form of Ament et al.
  (2023, "Unexpected improvements to expected improvement"), so that far
  from the incumbent EI does not underflow to a flat 0 and the optimiser
  still has a gradient to follow;
* ``"pi"``: probability of improvement (Kushner 1964), as ``log Phi(z)``;
* ``"ucb"`` (alias ``"lcb"``, its name for minimisation): upper confidence
  bound ``mu + kappa * sigma`` (Srinivas et al. 2010).
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import erfcx, log_ndtr, ndtr

_C1 = 0.5 * np.log(2.0 * np.pi)
_C2 = 0.5 * np.log(np.pi / 2.0)
_INV_SQRT_EPS = 1.0 / np.sqrt(np.finfo(float).eps)


def _log1mexp(x):
    """``log(1 - exp(x))`` for ``x < 0``, accurately."""
    x = np.asarray(x, dtype=float)
    return np.where(
        x > -np.log(2.0),
        np.log(-np.expm1(np.minimum(x, -1e-300))),
        np.log1p(-np.exp(np.minimum(x, 0.0))),
    )


def log_h(z):
    """``log(phi(z) + z * Phi(z))``, the log of EI at unit variance, stably."""
    z = np.atleast_1d(np.asarray(z, dtype=float))
    out = np.empty_like(z)
    upper = z > -1.0
    zu = z[upper]
    out[upper] = np.log(zu * ndtr(zu) + np.exp(-0.5 * zu * zu - _C1))
    mid = (~upper) & (z > -_INV_SQRT_EPS)
    zm = z[mid]
    out[mid] = -0.5 * zm * zm - _C1 + _log1mexp(np.log(erfcx(-zm / np.sqrt(2.0)) * np.abs(zm)) + _C2)
    low = ~(upper | mid)
    zl = z[low]
    out[low] = -0.5 * zl * zl - _C1 - 2.0 * np.log(np.abs(zl))
    return out


class Acquisition:
    """An acquisition function over GP features (larger is better).

    Parameters
    ----------
    posterior : Posterior
    kind : {"ei", "pi", "ucb", "lcb"}
    best : float
        Best (largest) standardised score observed.
    xi : float
        Improvement margin of EI and PI, in standard deviations of the score.
    kappa : float
        Exploration weight of UCB.
    """

    def __init__(self, posterior, kind, best, xi=0.01, kappa=1.96):
        self.posterior = posterior
        self.kind = "ucb" if kind == "lcb" else kind
        self.best = float(best)
        self.xi = float(xi)
        self.kappa = float(kappa)

    def values(self, F):
        mean, std = self.posterior.predict(F)
        if self.kind == "ucb":
            return mean + self.kappa * std
        z = (mean - self.best - self.xi) / std
        if self.kind == "ei":
            return np.log(std) + log_h(z)
        return log_ndtr(z)

    def value_and_grad(self, f, features):
        mean, std, dmean, dstd = self.posterior.predict_with_grad(f, features)
        if self.kind == "ucb":
            return mean + self.kappa * std, dmean + self.kappa * dstd
        z = (mean - self.best - self.xi) / std
        dz = (dmean - z * dstd) / std
        if self.kind == "ei":
            lh = log_h(z)[0]
            return np.log(std) + lh, dstd / std + np.exp(log_ndtr(z) - lh) * dz
        lp = log_ndtr(z)
        return lp, np.exp(-0.5 * z * z - _C1 - lp) * dz
