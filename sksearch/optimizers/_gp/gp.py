"""The Gaussian-process surrogate: hyperparameter fit and posterior.

The kernel is ``C * Matern(nu=5/2, ARD) + White`` on the GP features (inputs
in ``[0, 1]``, outputs standardised by the caller), as in Snoek et al. (2012).
The kernel is a scikit-learn kernel object; its hyperparameters are fitted
by maximising the log marginal likelihood with L-BFGS-B (warm-started from
the previous fit and capped in iterations so the cost per ask stays flat).
The likelihood is computed here rather than through
:class:`~sklearn.gaussian_process.GaussianProcessRegressor`, which was the
bottleneck (see :func:`log_marginal_likelihood`); a test checks both agree.

The posterior itself is computed here in numpy instead of through
``GaussianProcessRegressor.predict``: the acquisition optimiser needs the
gradient of the posterior mean and variance with respect to the inputs,
which ``predict`` does not give, and ``predict``'s input validation costs
about 0.2 ms per call, which dominated a finite-difference L-BFGS-B run
(hundreds of calls per ask).
"""

# SPDX-License-Identifier: BSD-3-Clause


import numpy as np
from scipy.linalg import cho_solve, cholesky, solve_triangular
from scipy.optimize import minimize
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

_SQRT5 = np.sqrt(5.0)
_JITTER = 1e-8

LENGTH_SCALE_BOUNDS = (0.03, 100.0)
AMPLITUDE_BOUNDS = (0.05, 20.0)
NOISE_BOUNDS = (1e-6, 1.0)


def default_kernel(n_length_scales):
    """``C * Matern52(ARD) + White`` with bounds suited to [0, 1] inputs and
    standardised outputs."""
    return ConstantKernel(1.0, AMPLITUDE_BOUNDS) * Matern(
        length_scale=np.full(n_length_scales, 0.5),
        length_scale_bounds=LENGTH_SCALE_BOUNDS,
        nu=2.5,
    ) + WhiteKernel(1e-2, NOISE_BOUNDS)


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


def grouped_sq_diff(F, groups=None):
    """Squared differences between the rows of ``F``, summed per length-scale
    group: shape ``(n, n, n_groups)`` (``groups=None``: one per feature).

    Past 512 features (the hashed Weisfeiler-Lehman features of a large
    cell space) each group's squared distances come from its Gram matrix
    instead of the ``(n, n, n_features)`` array of differences, which would
    take 330 MB at 200 points and 1 033 features.
    """
    if groups is not None and F.shape[1] > 512:
        groups = np.asarray(groups, dtype=int)
        out = np.empty((F.shape[0], F.shape[0], int(groups.max()) + 1))
        for g in range(out.shape[2]):
            Fg = F[:, groups == g]
            sq_norm = np.sum(Fg**2, axis=1)
            out[:, :, g] = np.maximum(sq_norm[:, None] + sq_norm[None, :] - 2 * Fg @ Fg.T, 0.0)
        return out
    sq = (F[:, None, :] - F[None, :, :]) ** 2
    if groups is None:
        return sq
    G = np.zeros((F.shape[1], int(np.max(groups)) + 1))
    G[np.arange(F.shape[1]), groups] = 1.0
    return sq @ G


def log_marginal_likelihood(theta, F, y, sq_diff=None):
    """Log marginal likelihood of ``default_kernel`` at log-hyperparameters
    ``theta`` (sklearn's ``kernel.theta`` order: amplitude, length scales,
    noise) and its gradient w.r.t. ``theta``.

    ``sq_diff`` (from :func:`grouped_sq_diff`) has one slice per length
    scale; by default one per feature of ``F``.

    The same value as ``GaussianProcessRegressor.log_marginal_likelihood``
    (tested), computed directly: sklearn's goes through the generic kernel
    API (3-D gradient tensors, parameter objects, ``K^-1`` for every call)
    and took 16 ms per call at 100 points and 10 features against 0.5 ms
    here, which made the hyperparameter fit 70% of an ask.
    """
    n = F.shape[0]
    if sq_diff is None:
        sq_diff = grouped_sq_diff(F)
    d = sq_diff.shape[2]
    amp, ls, noise = np.exp(theta[0]), np.exp(theta[1 : 1 + d]), np.exp(theta[-1])
    r2 = sq_diff @ (1.0 / ls**2)
    r = np.sqrt(r2)
    e = np.exp(-_SQRT5 * r)
    K = amp * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r2) * e
    K_amp = K.copy()
    K[np.diag_indices(n)] += noise + _JITTER
    try:
        L = cholesky(K, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return -np.inf, np.zeros_like(theta)
    alpha = cho_solve((L, True), y, check_finite=False)
    lml = -0.5 * y @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * np.log(2 * np.pi)
    W = np.outer(alpha, alpha) - cho_solve((L, True), np.eye(n), check_finite=False)
    grad = np.empty_like(theta)
    grad[0] = 0.5 * np.sum(W * K_amp)  # d K / d log amp = K without noise
    # d K / d log l_d = amp (5/3) (1 + sqrt5 r) e (x_d - x'_d)^2 / l_d^2
    G = W * (amp * (5.0 / 3.0) * (1.0 + _SQRT5 * r) * e)
    grad[1 : 1 + d] = 0.5 * np.einsum("ij,ijd->d", G, sq_diff) / ls**2
    grad[-1] = 0.5 * noise * np.trace(W)
    return lml, grad


def log_prior(theta):
    """Log prior density of the hyperparameters (up to a constant) and its
    gradient w.r.t. ``theta``: Optuna's GPSampler priors, Gamma(2, 0.5) on
    each inverse squared length scale, Gamma(2, 1) on the amplitude and
    Gamma(1.1, 30) on the noise variance.

    Without them the marginal likelihood, with a few dozen points, often
    explains a categorical's effect by noise and sets its length scales to
    the upper bound: measured on a 5-dimensional mixed function (40 trials),
    one seed in eight never found the best category.
    """
    amp, ls_log, noise = np.exp(theta[0]), theta[1:-1], np.exp(theta[-1])
    lam = np.exp(-2.0 * ls_log)  # inverse squared length scales
    value = (
        (np.log(lam) - 0.5 * lam).sum()
        + (np.log(amp) - amp)
        + (0.1 * np.log(noise) - 30 * noise)
    )
    grad = np.empty_like(theta)
    grad[0] = 1.0 - amp
    grad[1:-1] = -2.0 + lam
    grad[-1] = 0.1 - 30.0 * noise
    return value, grad


def fit_kernel(F, y, theta0=None, restart=True, maxiter=50, groups=None):
    """Fit the kernel hyperparameters to ``(F, y)``: maximum a posteriori,
    the marginal likelihood times :func:`log_prior`.

    ``groups`` gives the length scale of each feature (features of one
    group share it, as the one-hot features of a categorical do); ``None``:
    one per feature.

    L-BFGS-B in log space within the kernel's bounds, started from
    ``theta0`` (the previous fit's ``kernel.theta``) and, if ``restart`` or
    there is no ``theta0``, also from the default; keeps the best. Returns a
    fitted scikit-learn kernel (``C * Matern(nu=2.5) + White``).
    """
    sq_diff = grouped_sq_diff(F, groups)
    kernel = default_kernel(sq_diff.shape[2])
    bounds = kernel.bounds

    def neg(theta):
        lml, grad = log_marginal_likelihood(theta, F, y, sq_diff)
        if not np.isfinite(lml):
            return 1e25, np.zeros_like(theta)
        lp, lp_grad = log_prior(theta)
        return -(lml + lp), -(grad + lp_grad)

    starts = [kernel.theta] if theta0 is None else (
        [theta0, kernel.theta] if restart else [theta0]
    )
    best_theta, best = kernel.theta, np.inf
    for theta in starts:
        # np.errstate, not warnings.catch_warnings: the latter swaps the
        # process-wide filters and is not thread-safe (searches fitted in
        # threads would leave RuntimeWarnings ignored for good)
        with np.errstate(all="ignore"):
            res = minimize(
                neg, np.clip(theta, bounds[:, 0], bounds[:, 1]), jac=True,
                method="L-BFGS-B", bounds=bounds, options={"maxiter": maxiter},
            )
        if np.all(np.isfinite(res.x)) and res.fun < best:
            best_theta, best = res.x, res.fun
    return kernel.clone_with_theta(best_theta)


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
    groups : ndarray of int, optional
        The kernel length scale of each feature, as given to
        :func:`fit_kernel`; ``None``: one per feature.
    """

    def __init__(self, kernel, F, y, groups=None):
        self.amplitude = float(kernel.k1.k1.constant_value)
        ls = np.atleast_1d(np.asarray(kernel.k1.k2.length_scale, dtype=float))
        if groups is not None:
            ls = ls[np.asarray(groups, dtype=int)] if ls.size > 1 else ls
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
        # the inverse Cholesky factor (not K^-1: that loses digits when the
        # noise is small); scipy's solve_triangular costs ~0.1 ms per call in
        # argument checks, a third of the acquisition optimisation
        self.L_inv = solve_triangular(
            self.L, np.eye(len(self.y)), lower=True, check_finite=False
        )

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
        v = self.L_inv @ k.T
        var = self.amplitude - np.einsum("nm,nm->m", v, v)
        return mean, np.sqrt(np.maximum(var, 1e-12))

    def predict_with_grad(self, Fq):
        """Mean, std and their gradients w.r.t. every feature, at the rows of
        ``Fq``: shapes ``(m,)``, ``(m,)``, ``(m, d)``, ``(m, d)``."""
        Fq = np.atleast_2d(Fq)
        diff = Fq[:, None, :] - self.F[None, :, :]  # (m, n, d)
        r = np.sqrt(np.sum((diff / self.length_scale) ** 2, axis=2))
        e = np.exp(-_SQRT5 * r)
        k = self.amplitude * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e  # (m, n)
        # d k / d r = -(5/3) C r (1 + sqrt5 r) e and d r / d x_g = diff_g / (l_g^2 r)
        dk = (-(5.0 / 3.0) * self.amplitude * (1.0 + _SQRT5 * r) * e)[:, :, None] * (
            diff / self.length_scale**2
        )  # (m, n, d)
        mean = k @ self.alpha
        v = k @ self.L_inv.T  # rows of L^-1 k
        Kk = v @ self.L_inv  # rows of K^-1 k
        var = self.amplitude - np.sum(v * v, axis=1)
        tiny = var < 1e-12
        std = np.sqrt(np.where(tiny, 1e-12, var))
        dmean = np.einsum("mnd,n->md", dk, self.alpha)
        dstd = -np.einsum("mnd,mn->md", dk, Kk) / std[:, None]
        dstd[tiny] = 0.0
        return mean, std, dmean, dstd
