"""Covariate balance: standardised mean differences before and after matching or weighting."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from emplus.evidence_core.effects.result import BalanceRow


@dataclass(frozen=True)
class GroupMoments:
    """What the balance table needs of the data alone: each group's rows, the pooled standard
    deviation and the difference in means before adjustment."""

    treated_x: np.ndarray
    control_x: np.ndarray
    pooled_sd: np.ndarray
    before: np.ndarray


def group_moments(covariates: np.ndarray, treated: np.ndarray) -> GroupMoments:
    x_t = covariates[treated]
    x_c = covariates[~treated]
    pooled_sd = np.sqrt((x_t.var(axis=0, ddof=1) + x_c.var(axis=0, ddof=1)) / 2)
    before = x_t.mean(axis=0) - x_c.mean(axis=0)
    return GroupMoments(x_t, x_c, pooled_sd, before)


def balance_table(
    covariates: np.ndarray,
    names: list[str],
    treated: np.ndarray,
    *,
    treated_weight: np.ndarray,
    control_weight: np.ndarray,
    moments: GroupMoments | None = None,
) -> list[BalanceRow]:
    """SMD of each covariate in the analysis sample and in the matched or weighted sample.

    Both use the same denominator, the pooled standard deviation before adjustment
    (sqrt((s²_treated + s²_control) / 2)), so the change shows the change in means only.
    `moments` are `group_moments(covariates, treated)` when the caller computed them already.
    """
    moments = moments or group_moments(covariates, treated)
    x_t, x_c = moments.treated_x, moments.control_x
    pooled_sd, before = moments.pooled_sd, moments.before
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
