"""The Gaussian-process surrogate: hyperparameter fit and posterior.

The kernel is ``C * Matern(nu=5/2, ARD) + White`` on the GP features (inputs
in ``[0, 1]``, outputs standardised by the caller), as in Snoek et al. (2012).
Hyperparameters are fitted by maximising the log marginal likelihood with
scikit-learn's :class:`~sklearn.gaussian_process.GaussianProcessRegressor`
(L-BFGS-B, warm-started from the previous fit and capped in iterations so
the cost per ask stays flat).

The posterior itself is computed here in numpy instead of through
``GaussianProcessRegressor.predict``: the acquisition optimiser needs the
gradient of the posterior mean and variance with respect to the inputs,
which ``predict`` does not give, and ``predict``'s input validation costs
about 0.2 ms per call, which dominated a finite-difference L-BFGS-B run
(hundreds of calls per ask).
"""

# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

_SQRT5 = np.sqrt(5.0)
_JITTER = 1e-8

LENGTH_SCALE_BOUNDS = (0.03, 100.0)
AMPLITUDE_BOUNDS = (0.05, 20.0)
NOISE_BOUNDS = (1e-6, 1.0)


def default_kernel(n_features):
    """``C * Matern52(ARD) + White`` with bounds suited to [0, 1] inputs and
    standardised outputs."""
    return ConstantKernel(1.0, AMPLITUDE_BOUNDS) * Matern(
        length_scale=np.full(n_features, 0.5),
        length_scale_bounds=LENGTH_SCALE_BOUNDS,
        nu=2.5,
    ) + WhiteKernel(1e-2, NOISE_BOUNDS)


def _make_lbfgsb(maxiter):
    def optimizer(obj_func, initial_theta, bounds):
        res = minimize(
            obj_func,
            initial_theta,
            method="L-BFGS-B",
            jac=True,
            bounds=bounds,
            options={"maxiter": maxiter},
        )
        return res.x, res.fun

    return optimizer


_CONTROLLER = None


def single_threaded_blas():
    """Context manager limiting BLAS to one thread.

    The GP's matrices are small (at most a few hundred rows): multi-threaded
    OpenBLAS only adds synchronisation. Measured on a 2-core machine under
    load, one ask at 100 trials took 10x longer with the default threads.
    """
    global _CONTROLLER
    from threadpoolctl import ThreadpoolController

    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def fit_kernel(F, y, theta0=None, restart=True, maxiter=50):
    """Fit the kernel hyperparameters to ``(F, y)`` by maximum marginal likelihood.

    Starts from ``theta0`` (the log-hyperparameters of the previous fit)
    and, if ``restart`` or there is no ``theta0``, also from the default;
    keeps the best. Returns the fitted kernel.
    """
    starts = [None] if theta0 is None else ([theta0, None] if restart else [theta0])
    best_kernel, best_lml = None, -np.inf
    for theta in starts:
        kernel = default_kernel(F.shape[1])
        if theta is not None:
            kernel = kernel.clone_with_theta(theta)
        gpr = GaussianProcessRegressor(
            kernel,
            alpha=_JITTER,
            optimizer=_make_lbfgsb(maxiter),
            normalize_y=False,
            copy_X_train=False,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            try:
                gpr.fit(F, y)
            except (np.linalg.LinAlgError, ValueError):
                continue
        lml = gpr.log_marginal_likelihood_value_
        if np.isfinite(lml) and lml > best_lml:
            best_kernel, best_lml = gpr.kernel_, lml
    if best_kernel is None:  # numerically hopeless data: fall back to defaults
        best_kernel = default_kernel(F.shape[1])
    return best_kernel


class Posterior:
    """GP posterior of the latent function given training data and a fitted kernel.

    Parameters
    ----------
    kernel : sklearn kernel
        ``C * Matern(nu=2.5) + White`` as returned by :func:`fit_kernel`.
    F : ndarray (n, d)
        Training features.
    y : ndarray (n,)
        Standardised training targets.
    """

    def __init__(self, kernel, F, y):
        self.amplitude = float(kernel.k1.k1.constant_value)
        ls = np.asarray(kernel.k1.k2.length_scale, dtype=float)
        self.length_scale = np.broadcast_to(ls, (F.shape[1],)).copy()
        self.noise = float(kernel.k2.noise_level)
        self.F = np.asarray(F, dtype=float)
        self.y = np.asarray(y, dtype=float)
        self._Fs = self.F / self.length_scale
        self._Fs_sq = np.sum(self._Fs**2, axis=1)
        K = self._k(self._Fs, self._Fs_sq, self.F)
        K[np.diag_indices_from(K)] += self.noise + _JITTER
        self.L = cholesky(K, lower=True, check_finite=False)
        self.alpha = cho_solve((self.L, True), self.y, check_finite=False)

    def _k(self, Fs_q, Fs_q_sq, Fq):
        r2 = Fs_q_sq[:, None] + self._Fs_sq[None, :] - 2.0 * Fs_q @ self._Fs.T
        r = np.sqrt(np.maximum(r2, 0.0))
        return self.amplitude * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * np.exp(-_SQRT5 * r)

    def predict(self, Fq):
        """Posterior mean and standard deviation at the rows of ``Fq``."""
        Fq = np.atleast_2d(Fq)
        Fs = Fq / self.length_scale
        k = self._k(Fs, np.sum(Fs**2, axis=1), Fq)
        mean = k @ self.alpha
        v = solve_triangular(self.L, k.T, lower=True, check_finite=False)
        var = self.amplitude - np.einsum("nm,nm->m", v, v)
        return mean, np.sqrt(np.maximum(var, 1e-12))

    def predict_with_grad(self, fq, features):
        """Mean, std and their gradients w.r.t. ``fq[features]`` at one point."""
        diff = fq[None, :] - self.F  # (n, d)
        r = np.sqrt(np.sum((diff / self.length_scale) ** 2, axis=1))
        e = np.exp(-_SQRT5 * r)
        k = self.amplitude * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e
        # d k / d r = -(5/3) C r (1 + sqrt5 r) e and d r / d x_g = diff_g / (l_g^2 r)
        dk = (-(5.0 / 3.0) * self.amplitude * (1.0 + _SQRT5 * r) * e)[:, None] * (
            diff[:, features] / self.length_scale[features] ** 2
        )  # (n, g)
        mean = k @ self.alpha
        # K^-1 k through the Cholesky factor (an explicit inverse loses digits
        # when the noise is small and K ill-conditioned)
        v = solve_triangular(self.L, k, lower=True, check_finite=False)
        Kk = solve_triangular(self.L, v, lower=True, trans="T", check_finite=False)
        var = self.amplitude - v @ v
        if var < 1e-12:
            return mean, 1e-6, dk.T @ self.alpha, np.zeros(len(features))
        std = np.sqrt(var)
        dmean = dk.T @ self.alpha
        dstd = -(dk.T @ Kk) / std
        return mean, std, dmean, dstd
