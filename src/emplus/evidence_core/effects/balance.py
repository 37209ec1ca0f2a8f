"""Covariate balance: standardised mean differences before and after matching or weighting."""

from __future__ import annotations

import math

import numpy as np

from emplus.evidence_core.effects.result import BalanceRow


def balance_table(
    covariates: np.ndarray,
    names: list[str],
    treated: np.ndarray,
    *,
    treated_weight: np.ndarray,
    control_weight: np.ndarray,
) -> list[BalanceRow]:
    """SMD of each covariate in the analysis sample and in the matched or weighted sample.

    Both use the same denominator, the pooled standard deviation before adjustment
    (sqrt((s²_treated + s²_control) / 2)), so the change shows the change in means only.
    """
    x_t = covariates[treated]
    x_c = covariates[~treated]
    pooled_sd = np.sqrt((x_t.var(axis=0, ddof=1) + x_c.var(axis=0, ddof=1)) / 2)
    before = x_t.mean(axis=0) - x_c.mean(axis=0)
    after = _weighted_mean(x_t, treated_weight) - _weighted_mean(x_c, control_weight)
    return [
        BalanceRow(
            covariate=name,
            smd_before=_ratio(before[j], pooled_sd[j]),
            smd_after=_ratio(after[j], pooled_sd[j]),
        )
        for j, name in enumerate(names)
    ]


def _weighted_mean(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    total = weight.sum()
    if total <= 0:
        return np.full(x.shape[1], np.nan)
    return weight @ x / total


def _ratio(difference: float, sd: float) -> float | None:
    """SMD, 0 for a covariate constant in both groups, None where it is undefined."""
    if not math.isfinite(difference):
        return None
    if sd > 0:
        return float(difference / sd)
    return 0.0 if difference == 0 else None
