"""1:1 nearest-neighbour matching on the logit of the propensity score, with replacement.

Matching is a sort of the controls and a binary search per treated row, so a million rows
take well under a second. Controls tied at the nearest distance share the match equally
(as in Abadie and Imbens), which keeps the result independent of row order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Matches:
    """Matches of the treated rows to control rows.

    Positions refer to the controls sorted by score (``order`` maps them back); each treated
    row's matched set is at most two contiguous runs of sorted controls.
    """

    order: np.ndarray  #: control index (into the control arrays) of each sorted position
    matched: np.ndarray  #: bool per treated row: a control lay within the caliper
    runs: tuple[tuple[np.ndarray, np.ndarray], ...]  #: (start, stop) per run, per treated row
    size: np.ndarray  #: number of controls in each treated row's matched set (0 if unmatched)

    def control_weights(self, n_control: int) -> tuple[np.ndarray, np.ndarray]:
        """K and K' per control: sums over treated rows of 1/size and 1/size² of its matches."""
        share = np.where(self.matched, 1.0 / np.maximum(self.size, 1), 0.0)
        k = _spread(self.runs, share, n_control)
        k_sq = _spread(self.runs, share**2, n_control)
        out_k = np.empty(n_control)
        out_k_sq = np.empty(n_control)
        out_k[self.order] = k
        out_k_sq[self.order] = k_sq
        return out_k, out_k_sq

    def mean_of(self, sorted_values: np.ndarray) -> np.ndarray:
        """Mean of ``sorted_values`` (controls in sorted order) over each matched set."""
        cumulative = np.concatenate(([0.0], np.cumsum(sorted_values)))
        total = np.zeros(self.size.size)
        for start, stop in self.runs:
            total += cumulative[stop] - cumulative[start]
        return np.where(self.matched, total / np.maximum(self.size, 1), np.nan)


def match_nearest(
    treated_logit: np.ndarray,
    control_logit: np.ndarray,
    caliper: float | None,
    tolerance: float | None = None,
) -> Matches:
    """Match each treated row to its nearest control(s) on the logit, within ``caliper``.

    Distances and scores within ``tolerance`` count as ties. Integer covariates often put
    two controls exactly as far on either side of a treated row; without a tolerance the last
    bit of rounding (which changes with row order) would pick one of them.
    """
    order = np.argsort(control_logit, kind="stable")
    ordered = control_logit[order]
    n = ordered.size
    if tolerance is None:
        tolerance = score_tolerance(control_logit)
    pos = np.searchsorted(ordered, treated_logit)
    left = np.clip(pos - 1, 0, n - 1)
    right = np.clip(pos, 0, n - 1)
    d_left = np.abs(treated_logit - ordered[left])
    d_right = np.abs(ordered[right] - treated_logit)
    distance = np.minimum(d_left, d_right)
    matched = np.ones(treated_logit.size, dtype=bool)
    if caliper is not None:
        matched = distance <= caliper + tolerance
    use_left = (d_left <= distance + tolerance) & matched
    use_right = (d_right <= distance + tolerance) & matched
    spans = []
    for use, neighbour in ((use_left, left), (use_right, right)):
        value = ordered[neighbour]
        start = np.searchsorted(ordered, value - tolerance, side="left")
        stop = np.searchsorted(ordered, value + tolerance, side="right")
        spans.append((np.where(use, start, 0), np.where(use, stop, 0)))
    (l_start, l_stop), (r_start, r_stop) = spans
    # Overlapping runs (the same value on both sides, or values within the tolerance) merge.
    overlap = use_left & use_right & (r_start <= l_stop)
    l_start = np.where(use_left, l_start, r_start)
    l_stop = np.where(overlap | ~use_left, r_stop, l_stop)
    r_start = np.where(overlap | ~use_left, 0, r_start)
    r_stop = np.where(overlap | ~use_left, 0, r_stop)
    size = (l_stop - l_start) + (r_stop - r_start)
    runs = ((l_start, l_stop), (r_start, r_stop))
    return Matches(order=order, matched=matched, runs=runs, size=size)


def score_tolerance(logit: np.ndarray) -> float:
    """Scores closer than this are equal: far above rounding error, far below real gaps."""
    return 1e-9 * max(1.0, float(np.abs(logit).max(initial=0.0)))


def _spread(
    runs: tuple[tuple[np.ndarray, np.ndarray], ...], amount: np.ndarray, n: int
) -> np.ndarray:
    """Add ``amount[i]`` to every position of treated row i's runs (difference-array trick)."""
    diff = np.zeros(n + 1)
    for start, stop in runs:
        diff += np.bincount(start, weights=amount, minlength=n + 1)
        diff -= np.bincount(stop, weights=amount, minlength=n + 1)
    return np.cumsum(diff[:-1])


def control_variance(
    sorted_logit: np.ndarray, sorted_outcome: np.ndarray, tolerance: float
) -> np.ndarray:
    """Conditional outcome variance of each control, from its nearest fellow controls.

    Abadie and Imbens' estimator: J/(J+1) times the squared difference between a control's
    outcome and the mean of its J nearest controls. The neighbours are the other controls
    with the same score if there are any, else all controls of the next lower and next
    higher score; so ties are used whole and the result does not depend on row order.
    """
    n = sorted_outcome.size
    if n < 2:
        return np.zeros(n)
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    starts[1:] = np.diff(sorted_logit) > tolerance
    group = np.cumsum(starts) - 1
    n_groups = int(group[-1]) + 1
    total = np.bincount(group, weights=sorted_outcome, minlength=n_groups)
    count = np.bincount(group, minlength=n_groups).astype(np.float64)
    own_count = count[group] - 1
    own_sum = total[group] - sorted_outcome
    # Sums and counts of the neighbouring score groups (zero beyond either end).
    padded_total = np.concatenate(([0.0], total, [0.0]))
    padded_count = np.concatenate(([0.0], count, [0.0]))
    side_count = padded_count[group] + padded_count[group + 2]
    side_sum = padded_total[group] + padded_total[group + 2]
    tied = own_count > 0
    j = np.where(tied, own_count, side_count)
    neighbour_mean = np.where(tied, own_sum, side_sum) / j
    return j / (j + 1) * (sorted_outcome - neighbour_mean) ** 2


@dataclass(frozen=True)
class MatchingEstimate:
    """ATT from matching, its Abadie–Imbens standard error and the weights used."""

    estimate: float
    std_error: float
    treated_used: np.ndarray  #: bool per treated row: matched within the caliper
    control_weight: np.ndarray  #: K per control row: how often it serves as a match


def psm_att(
    treated_logit: np.ndarray,
    control_logit: np.ndarray,
    treated_outcome: np.ndarray,
    control_outcome: np.ndarray,
    caliper: float | None,
) -> MatchingEstimate:
    """ATT as the mean treated-minus-match difference, with the Abadie–Imbens (2006) variance.

    The variance is that of the population ATT for matching with replacement:
    (1/N1²) [sum over matched treated of (Y_i - Ŷ_i(0) - ATT)² +
    sum over controls of (K_j² - K'_j) sigma²_j], with K_j the times a control is used
    and K'_j the sum of its squared shares. The propensity score is taken as known.
    """
    tolerance = score_tolerance(control_logit)
    matches = match_nearest(treated_logit, control_logit, caliper, tolerance)
    used = matches.matched
    n_used = int(used.sum())
    if n_used == 0:
        return MatchingEstimate(np.nan, np.nan, used, np.zeros(control_logit.size))
    sorted_outcome = control_outcome[matches.order]
    counterfactual = matches.mean_of(sorted_outcome)
    difference = treated_outcome[used] - counterfactual[used]
    att = float(difference.mean())
    k, k_sq = matches.control_weights(control_logit.size)
    sigma2 = np.empty(control_logit.size)
    sigma2[matches.order] = control_variance(
        control_logit[matches.order], sorted_outcome, tolerance
    )
    variance = (np.sum((difference - att) ** 2) + np.sum((k**2 - k_sq) * sigma2)) / n_used**2
    return MatchingEstimate(att, float(np.sqrt(variance)), used, k)
