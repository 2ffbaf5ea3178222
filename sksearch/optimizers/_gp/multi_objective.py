"""Several objectives for the GP: ParEGO's scalarisations and expected
hypervolume improvement (EHVI), every objective maximised.

* **ParEGO** (Knowles 2006): each ask draws a weight vector ``w`` on the
  simplex, normalises each objective to ``[0, 1]`` over the observations
  (1 the best) and models the augmented Chebyshev scalarisation
  ``-(max_j w_j (1 - f_j) + rho * sum_j w_j (1 - f_j))``, ``rho = 0.05``,
  with one GP and expected improvement. Departure: the weights are drawn
  from the flat Dirichlet distribution rather than from Knowles' finite grid.
* **EHVI** (Emmerich et al. 2006): one GP per objective, and the expected
  growth of the hypervolume of the observed front if the candidate were
  evaluated, under independent Gaussian posteriors. With two objectives it
  is exact and closed form (below), with its gradient; with more it is a
  Monte Carlo estimate over the candidates most promising by the
  hypervolume improvement of their optimistic point ``mean + 2 std``.

Exact two-objective EHVI: sort the front by the first objective; the region
it does not dominate above the reference point ``r`` is a staircase of
vertical strips ``[l_i, u_i)`` in the first objective, each dominated up to
a height ``h_i`` in the second. A new point ``y`` adds
``sum_i (min(y_1, u_i) - l_i)^+ (y_2 - h_i)^+``, and since the posteriors of
the two objectives are independent, its expectation is the sum over strips
of ``(psi(l_i) - psi(u_i)) * psi_2(h_i)`` with ``psi(a) = E[(Y - a)^+] =
sigma (phi(z) + z Phi(z))``, ``z = (mu - a) / sigma``: ``O(front)`` per
candidate, vectorised.
"""

# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import ndtr

from ..._pareto import hypervolume, non_dominated

__all__ = ["EHVI", "draw_weights", "parego_scores", "reference_point"]

_RHO = 0.05
_C1 = 1.0 / np.sqrt(2.0 * np.pi)
# EHVI is maximised in log space (it is flat at 0 far from the front); this
# floor, in standardised units squared, keeps the log finite
_TINY = 1e-12


def draw_weights(k, rng):
    """A weight vector drawn uniformly on the simplex of ``k`` objectives."""
    return rng.dirichlet(np.ones(k))


def parego_scores(Y, weights):
    """The augmented Chebyshev scalarisation (maximised) of the rows of ``Y``
    normalised per objective over its finite rows; NaN rows stay NaN."""
    Y = np.asarray(Y, dtype=float)
    ok = np.isfinite(Y).all(axis=1)
    out = np.full(len(Y), np.nan)
    if not ok.any():
        return out
    lo, hi = Y[ok].min(axis=0), Y[ok].max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    loss = (hi - Y[ok]) / span  # 0 the best, 1 the worst
    wl = loss * np.asarray(weights, dtype=float)
    out[ok] = -(wl.max(axis=1) + _RHO * wl.sum(axis=1))
    return out


def reference_point(Y):
    """A tenth of the observed range below the worst value of each objective."""
    lo, hi = Y.min(axis=0), Y.max(axis=0)
    return lo - 0.1 * np.maximum(hi - lo, 1e-9)


def _psi(mu, sigma, a):
    """``E[(Y - a)^+]`` for ``Y ~ N(mu, sigma)``, with its derivatives in mu
    and sigma (``Phi(z)`` and ``phi(z)``); ``a = inf`` gives 0."""
    z = (mu - a) / sigma
    finite = np.isfinite(z)  # z = -inf where a = inf
    zf = np.where(finite, z, 0.0)
    pdf = _C1 * np.exp(-0.5 * zf**2) * finite
    cdf = np.where(finite, ndtr(zf), 0.0)
    value = sigma * (pdf + zf * cdf)
    return value, cdf, pdf


class EHVI:
    """Expected hypervolume improvement over GP features (larger is better),
    as ``log(EHVI + tiny)``; the interface of
    :class:`~sksearch.optimizers._gp.acqf.Acquisition`.

    Parameters
    ----------
    posteriors : list of Posterior
        One per objective, on standardised scores.
    front : ndarray (m, k)
        The observed (and believed) standardised scores.
    ref : ndarray (k,)
        Reference point.
    rng : numpy Generator
        For the Monte Carlo draws with more than two objectives.
    n_samples : int
        Monte Carlo draws per candidate (more than two objectives).
    n_exact : int
        Candidates scored by Monte Carlo (more than two objectives), the
        best by their optimistic point's hypervolume improvement.
    """

    def __init__(self, posteriors, front, ref, rng, n_samples=32, n_exact=20):
        self.posteriors = posteriors
        self.ref = np.asarray(ref, dtype=float)
        P = np.asarray(front, dtype=float)
        P = P[np.all(P > self.ref, axis=1)]
        self.front = np.unique(P[non_dominated(P)], axis=0) if len(P) else P
        self.k = len(posteriors)
        self.rng = rng
        self.n_samples, self.n_exact = n_samples, n_exact
        if self.k == 2:
            P = self.front[np.argsort(self.front[:, 0])]  # f1 up, f2 down
            self.lower = np.concatenate([[self.ref[0]], P[:, 0]])
            self.upper = np.concatenate([P[:, 0], [np.inf]])
            self.height = np.concatenate([P[:, 1], [self.ref[1]]])

    def _exact2(self, mu, sd, grad=False):
        (m1, m2), (s1, s2) = mu, sd
        a_l, cl, pl = _psi(m1[:, None], s1[:, None], self.lower[None, :])
        a_u, cu, pu = _psi(m1[:, None], s1[:, None], self.upper[None, :])
        b, ch, ph = _psi(m2[:, None], s2[:, None], self.height[None, :])
        a = a_l - a_u
        ehvi = np.sum(a * b, axis=1)
        if not grad:
            return ehvi
        return ehvi, (np.sum((cl - cu) * b, axis=1), np.sum(a * ch, axis=1)), (
            np.sum((pl - pu) * b, axis=1), np.sum(a * ph, axis=1))

    def _hvi(self, y):
        base = hypervolume(self.front, self.ref) if len(self.front) else 0.0
        return hypervolume(np.vstack([self.front, y]), self.ref) - base

    def _monte_carlo(self, mu, sd):
        mu, sd = np.column_stack(mu), np.column_stack(sd)
        optimistic = np.array([self._hvi(m + 2.0 * s) for m, s in zip(mu, sd)])
        # candidates left out rank below every one scored, in optimistic order
        out = np.log(_TINY) - 1.0 + optimistic / (1.0 + optimistic.max())
        top = np.argsort(-optimistic, kind="stable")[: self.n_exact]
        z = self.rng.standard_normal((self.n_samples, self.k))
        for i in top:
            draws = mu[i] + sd[i] * z
            out[i] = np.log(np.mean([self._hvi(d) for d in draws]) + _TINY)
        return out

    def values(self, F):
        preds = [p.predict(F) for p in self.posteriors]
        mu, sd = [m for m, _ in preds], [s for _, s in preds]
        if self.k != 2:
            return self._monte_carlo(mu, sd)
        return np.log(self._exact2(mu, sd) + _TINY)

    def value_and_grad(self, F):
        if self.k != 2:
            raise NotImplementedError("EHVI has a gradient with two objectives only.")
        preds = [p.predict_with_grad(F) for p in self.posteriors]
        mu = [p[0] for p in preds]
        sd = [p[1] for p in preds]
        ehvi, dmu, dsd = self._exact2(mu, sd, grad=True)
        grad = sum(dmu[j][:, None] * preds[j][2] + dsd[j][:, None] * preds[j][3]
                   for j in range(2))
        return np.log(ehvi + _TINY), grad / (ehvi + _TINY)[:, None]
