"""Propensity score: a logistic regression of treatment on covariates by Newton–IRLS in NumPy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Above this many rows the fit starts from a fit on an evenly spaced subsample, so that the
#: full data need only the last two or three Newton steps (the result is the same maximum).
WARM_START_ROWS = 200_000
#: Rows per block of the information matrix, so that its weighted copy of the design matrix is
#: a few megabytes reused from step to step instead of n × k fresh memory every Newton step.
BLOCK_ROWS = 32_768


def expit(x: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow (NumPy only: SciPy is slow to import)."""
    return np.exp(-np.logaddexp(0.0, -x))


def log_expit(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


@dataclass(frozen=True)
class Design:
    """Covariates centred and scaled, with an intercept first; constant columns left out.

    Scaling changes nothing in the fitted scores or effect estimates, but keeps the Newton
    steps well conditioned when earnings in kronor sit beside 0/1 indicators.
    """

    matrix: np.ndarray  #: (rows, 1 + used columns), float64

    @classmethod
    def build(cls, covariates: np.ndarray) -> Design:
        n = covariates.shape[0]
        used = np.empty(0, dtype=np.intp)
        if covariates.shape[1]:
            mean = covariates.mean(axis=0)
            sd = covariates.std(axis=0)
            used = np.flatnonzero(sd > 1e-12 * np.maximum(1.0, np.abs(mean)))
        # Column-major: the Newton loop reads whole columns.
        matrix = np.empty((n, 1 + used.size), order="F")
        matrix[:, 0] = 1.0
        for i, j in enumerate(used, start=1):
            matrix[:, i] = (covariates[:, j] - mean[j]) / sd[j]
        return cls(matrix)

    def linear(self, coef: np.ndarray) -> np.ndarray:
        """Linear predictor, summed column by column so equal rows get bit-equal values."""
        out = np.full(self.matrix.shape[0], coef[0])
        for j in range(1, self.matrix.shape[1]):
            out += coef[j] * self.matrix[:, j]
        return out


@dataclass(frozen=True)
class PropensityFit:
    """A fitted logistic propensity model."""

    coef: np.ndarray
    logit: np.ndarray  #: linear predictor (log odds of treatment) per row
    score: np.ndarray  #: P(treated | covariates) per row
    hessian_inv: np.ndarray  #: inverse of the mean information matrix, for influence functions
    converged: bool


def fit_propensity(design: Design, treated: np.ndarray, *, max_iter: int = 100) -> PropensityFit:
    """Maximum-likelihood logistic regression by Newton's method with step halving."""
    z = design.matrix
    t = treated.astype(np.float64)
    n = t.size
    share = min(max(float(t.mean()), 1e-6), 1 - 1e-6)
    coef = np.zeros(z.shape[1])
    coef[0] = np.log(share / (1 - share))
    if n > WARM_START_ROWS:
        stride = n // (WARM_START_ROWS // 4)
        sample = Design(np.asfortranarray(z[::stride]))
        start = fit_propensity(sample, treated[::stride], max_iter=max_iter)
        if start.converged and np.all(np.isfinite(start.coef)):
            coef = start.coef
    eta = design.linear(coef)
    loglik = _loglik(eta, t)
    converged = False
    for _ in range(max_iter):
        p = expit(eta)
        gradient = z.T @ (t - p)
        information = _information(z, p * (1 - p))
        step = _solve(information, gradient)
        # Step halving keeps the likelihood rising when a full Newton step overshoots.
        for _halving in range(30):
            new_coef = coef + step
            new_eta = design.linear(new_coef)
            new_loglik = _loglik(new_eta, t)
            if new_loglik >= loglik - 1e-12 * abs(loglik):
                break
            step = step / 2
        gain = new_loglik - loglik
        coef, eta, loglik = new_coef, new_eta, new_loglik
        size = np.max(np.abs(step))
        # Iterate to a tiny step (cheap: convergence is quadratic), since nearest-neighbour
        # matches can flip on the last digits of the scores; stop early only when stuck.
        if size < 1e-10 or (gain <= 0 and size < 1e-6):
            converged = True
            break
    p = expit(eta)
    information = _information(z, p * (1 - p)) / n
    return PropensityFit(
        coef=coef,
        logit=eta,
        score=p,
        hessian_inv=np.linalg.pinv(information),
        converged=converged,
    )


def _information(z: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Z' diag(weight) Z, summed over blocks of rows."""
    k = z.shape[1]
    total = np.zeros((k, k))
    for start in range(0, z.shape[0], BLOCK_ROWS):
        block = z[start : start + BLOCK_ROWS]
        total += (block * weight[start : start + BLOCK_ROWS, None]).T @ block
    return total


def _loglik(eta: np.ndarray, t: np.ndarray) -> float:
    # t log p + (1 - t) log(1 - p) = t eta - log(1 + e^eta)
    return float(t @ eta - np.logaddexp(0.0, eta).sum())


def _solve(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(matrix, vector)
    except np.linalg.LinAlgError:
        # Collinear covariates: the minimum-norm step still converges to the same scores.
        return np.linalg.lstsq(matrix, vector, rcond=None)[0]
