"""Progression on a self-assessment instrument by group (pure, no Django).

For each group (organisation, method, phase or test bed) and each dimension plus the total
score, over the enrolments with a first and a latest assessment:

- mean first, mean latest and mean change (latest − first);
- the standardised effect size of the paired change, Cohen's d_z = mean(diff) / sd(diff) with
  an approximate 95 % interval d ± 1.96 · √(1/n + d²/(2n)) (the large-sample standard error of
  d_z); undefined (None) for fewer than two enrolments or no spread in the change;
- the shares with reliable improvement and reliable deterioration by Jacobson–Truax (the RCI
  maths of `reliable_change`, whose statistics come from the whole instrument); None when
  there are not yet enough data for the statistics.

`suppress_progression` hides every group row of fewer than the threshold enrolments, and a
complementary group so that a hidden group cannot be recovered from the overall row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from emplus.core.suppression import DEFAULT_THRESHOLD, suppress_cells
from emplus.evidence_core import reliable_change

__all__ = [
    "ALL",
    "TOTAL",
    "ChangeSummary",
    "ProgressRecord",
    "paired_effect_size",
    "progression_table",
    "suppress_progression",
    "summarise",
]

ALL = ""  # the group key of the overall row
TOTAL = "total"  # the dimension code of the total score
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class ProgressRecord:
    """One enrolment's first and latest scores per dimension code, and its group: the code of
    a row of `progression_table`, or any key a caller groups the records by first (an
    enrolment, a cell of organisation, block and person)."""

    group: Any
    first: Mapping[str, float]
    latest: Mapping[str, float]


@dataclass(frozen=True)
class ChangeSummary:
    group: str
    dimension: str
    n: int | None
    mean_first: float | None = None
    mean_latest: float | None = None
    mean_change: float | None = None
    d: float | None = None
    d_low: float | None = None
    d_high: float | None = None
    improved_share: float | None = None
    deteriorated_share: float | None = None

    @property
    def hidden(self) -> bool:
        return self.n is None


def paired_effect_size(diffs: Sequence[float]) -> tuple[float, float, float] | None:
    """Cohen's d_z of paired differences with its approximate 95 % interval."""
    n = len(diffs)
    if n < 2:
        return None
    sd = reliable_change.sample_sd(diffs)
    if sd == 0:
        return None
    d = reliable_change.mean(diffs) / sd
    se = math.sqrt(1 / n + d * d / (2 * n))
    return d, d - Z_95 * se, d + Z_95 * se


def summarise(
    group: str,
    dimension: str,
    pairs: Sequence[tuple[float, float]],
    *,
    stats: reliable_change.ReliabilityStats | None,
) -> ChangeSummary:
    n = len(pairs)
    if n == 0:
        return ChangeSummary(group, dimension, 0)
    firsts = [a for a, _ in pairs]
    latests = [b for _, b in pairs]
    diffs = [b - a for a, b in pairs]
    effect = paired_effect_size(diffs)
    improved = deteriorated = None
    if stats is not None:
        verdicts = [reliable_change.verdict(reliable_change.rci(a, b, stats)) for a, b in pairs]
        improved = verdicts.count(reliable_change.IMPROVED) / n
        deteriorated = verdicts.count(reliable_change.DETERIORATED) / n
    return ChangeSummary(
        group=group,
        dimension=dimension,
        n=n,
        mean_first=reliable_change.mean(firsts),
        mean_latest=reliable_change.mean(latests),
        mean_change=reliable_change.mean(diffs),
        d=effect[0] if effect else None,
        d_low=effect[1] if effect else None,
        d_high=effect[2] if effect else None,
        improved_share=improved,
        deteriorated_share=deteriorated,
    )


def _pairs(
    records: Iterable[ProgressRecord], dimensions: Sequence[str]
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    out: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for rec in records:
        for group in (ALL, rec.group):
            for code in dimensions:
                if code in rec.first and code in rec.latest:
                    out.setdefault((group, code), []).append((rec.first[code], rec.latest[code]))
            if all(c in rec.first and c in rec.latest for c in dimensions):
                total = (
                    sum(rec.first[c] for c in dimensions),
                    sum(rec.latest[c] for c in dimensions),
                )
                out.setdefault((group, TOTAL), []).append(total)
    return out


def progression_table(
    records: Iterable[ProgressRecord],
    *,
    dimensions: Sequence[str],
    stats: Mapping[str, reliable_change.ReliabilityStats | None],
    groups: Sequence[str] | None = None,
) -> list[ChangeSummary]:
    """Overall rows first, then each group's, each in dimension order with the total last.

    `stats` maps dimension codes and TOTAL to the instrument's reliability statistics.
    `groups` fixes the groups listed (default: those present, sorted)."""
    records = list(records)
    pairs = _pairs(records, dimensions)
    if groups is None:
        groups = sorted({r.group for r in records})
    rows = []
    for group in (ALL, *[g for g in groups if g != ALL]):
        for code in (*dimensions, TOTAL):
            rows.append(summarise(group, code, pairs.get((group, code), []), stats=stats.get(code)))
    return rows


def suppress_progression(
    rows: Sequence[ChangeSummary], *, threshold: int = DEFAULT_THRESHOLD
) -> list[ChangeSummary]:
    """Hide group rows of 1..threshold-1 enrolments and their complements, per dimension."""
    cells = {(r.group, r.dimension): int(r.n or 0) for r in rows}
    dims = dict.fromkeys(r.dimension for r in rows)
    groups = [g for g in dict.fromkeys(r.group for r in rows) if g != ALL]
    relations = [((ALL, d), *[(g, d) for g in groups]) for d in dims]
    shown = suppress_cells(cells, relations, threshold=threshold)
    out = []
    for r in rows:
        if shown[(r.group, r.dimension)] is None:
            out.append(ChangeSummary(r.group, r.dimension, None))
        else:
            out.append(replace(r))
    return out
