"""Distance travelled: Jacobson–Truax reliable change from plain numbers (no Django here).

RCI = (x2 − x1) / S_diff, with S_diff = √2 · SE and SE = SD_baseline · √(1 − r)
(Jacobson & Truax 1991). SD_baseline and the reliability r are estimated from the data: the
standard deviation of the first assessments, and the test–retest Pearson correlation between
first and second assessments (per dimension) or Cronbach's alpha (for the total score). Until
enough participants have two assessments there are no such estimates, and the functions here
say so (None) rather than invent numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Participants with at least two assessments needed before SD and r are estimated.
MIN_PARTICIPANTS = 30
# |RCI| above this is a change unlikely (p < .05) to be measurement error alone.
CRITICAL_RCI = 1.96

IMPROVED = "improved"
DETERIORATED = "deteriorated"
NO_RELIABLE_CHANGE = "no_reliable_change"
NOT_ENOUGH_DATA = "not_enough_data"


@dataclass(frozen=True)
class ReliabilityStats:
    """What the reliable-change index of one dimension (or the total) rests on."""

    n: int
    sd_baseline: float
    reliability: float
    se: float
    s_diff: float


@dataclass(frozen=True)
class DimensionChange:
    code: str
    label: str
    first: int | None
    latest: int | None
    change: int | None
    rci: float | None
    verdict: str  # IMPROVED, DETERIORATED, NO_RELIABLE_CHANGE or NOT_ENOUGH_DATA


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def sample_sd(values: Sequence[float]) -> float:
    """Standard deviation with n − 1 in the denominator."""
    if len(values) < 2:
        raise ValueError("need at least two values")
    m = mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when either variable does not vary."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys differ in length")
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha of k items over n respondents (rows are respondents).

    α = k / (k − 1) · (1 − Σ var(item) / var(total)), sample variances; None when undefined."""
    if len(rows) < 2:
        return None
    k = len(rows[0])
    if k < 2 or any(len(row) != k for row in rows):
        return None
    item_variances = sum(sample_sd([row[i] for row in rows]) ** 2 for i in range(k))
    total_variance = sample_sd([sum(row) for row in rows]) ** 2
    if total_variance == 0:
        return None
    return k / (k - 1) * (1 - item_variances / total_variance)


def stats_from(
    baseline: Sequence[float], reliability: float | None, *, minimum: int = MIN_PARTICIPANTS
) -> ReliabilityStats | None:
    """SE and S_diff from the baseline scores and a reliability estimate, or None when there are
    too few participants or the estimates cannot carry an index (no spread, r ≤ 0 or r ≥ 1)."""
    if len(baseline) < minimum or reliability is None or not 0 < reliability < 1:
        return None
    sd = sample_sd(baseline)
    if sd == 0:
        return None
    se = sd * math.sqrt(1 - reliability)
    return ReliabilityStats(
        n=len(baseline), sd_baseline=sd, reliability=reliability, se=se, s_diff=math.sqrt(2) * se
    )


def retest_stats(
    pairs: Sequence[tuple[float, float]], *, minimum: int = MIN_PARTICIPANTS
) -> ReliabilityStats | None:
    """One dimension: (first, second) score per participant → baseline SD and test–retest r."""
    if len(pairs) < minimum:
        return None
    firsts = [a for a, _ in pairs]
    seconds = [b for _, b in pairs]
    return stats_from(firsts, pearson(firsts, seconds), minimum=minimum)


def total_stats(
    first_profiles: Sequence[Sequence[float]], *, minimum: int = MIN_PARTICIPANTS
) -> ReliabilityStats | None:
    """The total score: baseline SD of the summed first assessments and Cronbach's alpha of the
    dimensions at baseline (internal consistency as the reliability)."""
    if len(first_profiles) < minimum:
        return None
    totals = [sum(profile) for profile in first_profiles]
    return stats_from(totals, cronbach_alpha(first_profiles), minimum=minimum)


def _stats_of_squares(n: int, squares: int, reliability: float | None) -> ReliabilityStats | None:
    """`stats_from` for baseline scores given as their number and `squares`, n² times their sum
    of squared deviations (n·Σx² − (Σx)², an exact integer)."""
    if reliability is None or not 0 < reliability < 1 or squares <= 0:
        return None
    sd = math.sqrt(squares / (n * (n - 1)))
    se = sd * math.sqrt(1 - reliability)
    return ReliabilityStats(
        n=n, sd_baseline=sd, reliability=reliability, se=se, s_diff=math.sqrt(2) * se
    )


def retest_stats_from_sums(
    n: int,
    sum_a: int,
    sum_b: int,
    sum_aa: int,
    sum_bb: int,
    sum_ab: int,
    *,
    minimum: int = MIN_PARTICIPANTS,
) -> ReliabilityStats | None:
    """`retest_stats` of n (first, second) pairs of whole scores given by their exact sums
    (Σa, Σb, Σa², Σb², Σab): the sums can be kept and a pair added or taken away in O(1)
    (decision 56). Integers, so no rounding builds up; the float arithmetic is done once, here.
    The estimates equal `retest_stats`' to about 1e-12 (it sums deviations in floats)."""
    if n < max(minimum, 2):
        return None
    sxx = n * sum_aa - sum_a * sum_a  # n² · Σ(a − ā)², exact
    syy = n * sum_bb - sum_b * sum_b
    sxy = n * sum_ab - sum_a * sum_b
    if sxx == 0 or syy == 0:
        return None  # pearson: a variable that does not vary
    if sxy <= 0 or sxy * sxy >= sxx * syy:
        return None  # r ≤ 0 or r = 1, decided exactly (floats could put r = 1 a hair below)
    return _stats_of_squares(n, sxx, sxy / math.sqrt(sxx * syy))


def total_stats_from_sums(
    n: int,
    item_sums: Sequence[int],
    item_squares: Sequence[int],
    total_sum: int,
    total_squares: int,
    *,
    minimum: int = MIN_PARTICIPANTS,
) -> ReliabilityStats | None:
    """`total_stats` of n complete first profiles of whole scores given by their exact sums:
    per item Σx and Σx², and of the totals Σt and Σt² (decision 56)."""
    if n < max(minimum, 2):
        return None
    k = len(item_sums)
    if k < 2:
        return None  # cronbach_alpha: one item has no internal consistency
    items = sum(n * sq - s * s for s, sq in zip(item_sums, item_squares, strict=True))
    total = n * total_squares - total_sum * total_sum
    if total == 0 or items >= total or k * items <= total:
        return None  # no spread, α ≤ 0 or α ≥ 1, decided exactly
    return _stats_of_squares(n, total, k / (k - 1) * (1 - items / total))


def rci(x1: float, x2: float, stats: ReliabilityStats) -> float:
    return (x2 - x1) / stats.s_diff


def verdict(index: float | None) -> str:
    if index is None:
        return NOT_ENOUGH_DATA
    if index > CRITICAL_RCI:
        return IMPROVED
    if index < -CRITICAL_RCI:
        return DETERIORATED
    return NO_RELIABLE_CHANGE


def change_of(
    *,
    code: str,
    label: str,
    first: int | None,
    latest: int | None,
    stats: ReliabilityStats | None,
) -> DimensionChange:
    if first is None or latest is None:
        return DimensionChange(code, label, first, latest, None, None, NOT_ENOUGH_DATA)
    index = rci(first, latest, stats) if stats is not None else None
    return DimensionChange(code, label, first, latest, latest - first, index, verdict(index))


def distance_travelled(
    *,
    dimensions: Sequence[tuple[str, str]],
    first: Mapping[str, int],
    latest: Mapping[str, int],
    stats: Mapping[str, ReliabilityStats | None],
) -> list[DimensionChange]:
    """Per dimension (code, label): first vs latest score, change, RCI and its verdict."""
    return [
        change_of(
            code=code,
            label=label,
            first=first.get(code),
            latest=latest.get(code),
            stats=stats.get(code),
        )
        for code, label in dimensions
    ]
