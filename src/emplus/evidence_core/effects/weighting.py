"""Inverse probability weighting and doubly robust (AIPW) estimators of the ATT.

Both follow Sant'Anna and Zhao (2020, the ``DRDID`` estimators) with a cross-section outcome:
treated rows weigh 1, controls p/(1-p), weights normalised within each group. Standard
errors come from the influence function, including the estimation of the propensity
(and outcome) model, i.e. the sandwich of the stacked estimating equations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WeightingEstimate:
    """ATT from weighting, its standard error, and the control weights used."""

    estimate: float
    std_error: float
    control_weight: np.ndarray  #: p/(1-p) per control row (unnormalised)


def ipw_att(
    outcome: np.ndarray, treated: np.ndarray, design: np.ndarray, logit: np.ndarray
) -> WeightingEstimate:
    """Normalised (Hájek) ATT weighting estimator with a sandwich standard error."""
    t, w_t, w_c, p = _weights(treated, logit)
    n = t.size
    eta_t = np.sum(w_t * outcome) / np.sum(w_t)
    eta_c = np.sum(w_c * outcome) / np.sum(w_c)
    inf_treat = w_t * (outcome - eta_t) / w_t.mean()
    m2 = design.T @ (w_c * (outcome - eta_c)) / n
    inf_control = (w_c * (outcome - eta_c) + _ps_projection(design, t, p, m2)) / w_c.mean()
    influence = inf_treat - inf_control
    return WeightingEstimate(
        estimate=float(eta_t - eta_c),
        std_error=_std_error(influence),
        control_weight=w_c[~treated],
    )


def aipw_att(
    outcome: np.ndarray, treated: np.ndarray, design: np.ndarray, logit: np.ndarray
) -> WeightingEstimate:
    """Doubly robust ATT: a linear outcome model fitted on controls, plus ATT weights.

    Consistent when either the propensity model or the outcome model is right.
    """
    t, w_t, w_c, p = _weights(treated, logit)
    n = t.size
    control = ~treated
    gram = design[control].T @ design[control] / n
    gram_inv = np.linalg.pinv(gram)
    beta = gram_inv @ (design[control].T @ outcome[control] / n)
    residual = outcome - design @ beta
    eta_t = np.sum(w_t * residual) / np.sum(w_t)
    eta_c = np.sum(w_c * residual) / np.sum(w_c)

    def ols_projection(m: np.ndarray) -> np.ndarray:
        # Influence of the outcome-model coefficients, projected on direction m.
        return (1 - t) * residual * (design @ (gram_inv @ m))

    m1 = design.T @ w_t / n
    inf_treat = (w_t * (residual - eta_t) - ols_projection(m1)) / w_t.mean()
    m2 = design.T @ (w_c * (residual - eta_c)) / n
    m3 = design.T @ w_c / n
    inf_control = (
        w_c * (residual - eta_c) + _ps_projection(design, t, p, m2) - ols_projection(m3)
    ) / w_c.mean()
    influence = inf_treat - inf_control
    return WeightingEstimate(
        estimate=float(eta_t - eta_c),
        std_error=_std_error(influence),
        control_weight=w_c[control],
    )


def _weights(
    treated: np.ndarray, logit: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    t = treated.astype(np.float64)
    # p/(1-p) is exp(logit): exact even where p rounds to 1.
    w_c = np.where(treated, 0.0, np.exp(np.minimum(logit, 700.0)))
    p = 1.0 / (1.0 + np.exp(-logit))
    return t, t, w_c, p


def _ps_projection(design: np.ndarray, t: np.ndarray, p: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Influence of the logit coefficients on an estimate whose derivative in them is m."""
    information = (design * (p * (1 - p))[:, None]).T @ design / t.size
    return (t - p) * (design @ (np.linalg.pinv(information) @ m))


def _std_error(influence: np.ndarray) -> float:
    return float(np.std(influence, ddof=1) / np.sqrt(influence.size))
