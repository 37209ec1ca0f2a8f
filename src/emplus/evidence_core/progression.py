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

import polars as pl

from emplus.core.suppression import DEFAULT_THRESHOLD, suppress_cells
from emplus.evidence_core import reliable_change

__all__ = [
    "ALL",
    "TOTAL",
    "ChangeSummary",
    "ProgressRecord",
    "paired_effect_size",
    "person_change_counts_wide",
    "progression_table",
    "progression_table_wide",
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


def _summary_of(
    group: str, code: str, row: Mapping[str, Any], stats: reliable_change.ReliabilityStats | None
) -> ChangeSummary:
    n = row["n"]
    d = d_low = d_high = None
    if n >= 2 and row["sd"]:
        d = row["mean_change"] / row["sd"]
        se = math.sqrt(1 / n + d * d / (2 * n))
        d_low, d_high = d - Z_95 * se, d + Z_95 * se
    return ChangeSummary(
        group=group,
        dimension=code,
        n=n,
        mean_first=row["mean_first"],
        mean_latest=row["mean_latest"],
        mean_change=row["mean_change"],
        d=d,
        d_low=d_low,
        d_high=d_high,
        improved_share=None if stats is None else row["improved"] / n,
        deteriorated_share=None if stats is None else row["deteriorated"] / n,
    )


# --- the same from a wide frame (decision 44: one row per enrolment, a pair of columns per
# dimension; no long frame of enrolment × dimension rows) ----------------------------------


def first_column(code: str) -> str:
    return f"first:{code}"


def latest_column(code: str) -> str:
    return f"latest:{code}"


def _wide_pairs(
    dimensions: Sequence[str], codes: Iterable[str]
) -> Iterable[tuple[str, pl.Expr, pl.Expr]]:
    """(code, first, latest) of each of `codes` of a wide frame; TOTAL sums `dimensions` where
    all of them are scored at both, as `progression_table` does."""
    firsts = [pl.col(first_column(c)) for c in dimensions]
    latests = [pl.col(latest_column(c)) for c in dimensions]
    for code in codes:
        if code != TOTAL:
            yield code, pl.col(first_column(code)), pl.col(latest_column(code))
            continue
        every = pl.all_horizontal(
            [e.is_not_null() for e in firsts] + [e.is_not_null() for e in latests]
        )
        yield (
            TOTAL,
            pl.when(every).then(pl.sum_horizontal(firsts)),
            pl.when(every).then(pl.sum_horizontal(latests)),
        )


def _wide_verdicts(
    frame: pl.DataFrame, stats: reliable_change.ReliabilityStats | None
) -> pl.DataFrame:
    s_diff = None if stats is None else stats.s_diff
    index = (pl.col("latest") - pl.col("first")) / pl.lit(s_diff, dtype=pl.Float64)
    return frame.with_columns(
        diff=pl.col("latest") - pl.col("first"),
        _improved=index > reliable_change.CRITICAL_RCI,
        _deteriorated=index < -reliable_change.CRITICAL_RCI,
        _rated=index.is_not_null(),
    )


def progression_table_wide(
    wide: pl.DataFrame,
    *,
    dimensions: Sequence[str],
    stats: Mapping[str, reliable_change.ReliabilityStats | None],
    groups: Sequence[str] | None = None,
) -> list[ChangeSummary]:
    """`progression_table` from a wide frame: one row per enrolment with its `group` and, per
    dimension, `first:<code>` and `latest:<code>` (None where not scored)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    aggregates = {
        "n": pl.len(),
        "mean_first": pl.col("first").mean(),
        "mean_latest": pl.col("latest").mean(),
        "mean_change": pl.col("diff").mean(),
        "sd": pl.col("diff").std(ddof=1),
        "improved": pl.col("_improved").sum(),
        "deteriorated": pl.col("_deteriorated").sum(),
    }
    for code, first, latest in _wide_pairs(dimensions, (*dimensions, TOTAL)):
        pairs = wide.select("group", first.alias("first"), latest.alias("latest")).drop_nulls(
            ["first", "latest"]
        )
        if pairs.height == 0:
            continue
        pairs = _wide_verdicts(pairs, stats.get(code))
        overall = pairs.select(pl.lit(ALL).alias("group"), **aggregates)
        for row in pl.concat([overall, pairs.group_by("group").agg(**aggregates)]).iter_rows(
            named=True
        ):
            found[(row["group"], code)] = row
    if groups is None:
        # the groups of enrolments with a change on some dimension, as `progression_table`
        scored = pl.any_horizontal(
            pl.col(first_column(c)).is_not_null() & pl.col(latest_column(c)).is_not_null()
            for c in dimensions
        )
        groups = sorted(set(wide.filter(scored).get_column("group").to_list()))
    rows = []
    for group in (ALL, *[g for g in groups if g != ALL]):
        for code in (*dimensions, TOTAL):
            kept = found.get((group, code))
            rows.append(
                ChangeSummary(group, code, 0)
                if kept is None
                else _summary_of(group, code, kept, stats.get(code))
            )
    return rows


def person_change_counts_wide(
    wide: pl.DataFrame,
    *,
    dimensions: Sequence[str],
    counted: Iterable[str],
    stats: Mapping[str, reliable_change.ReliabilityStats | None],
) -> dict[str, dict[Any, dict[Any, dict[str, int]]]]:
    """Per dimension of `counted` (TOTAL may be one), `block` and `organisation` of a wide frame
    (as `progression_table_wide`'s, with `block`, `organisation` and `person` instead of
    `group`): the persons with a change (`n`), and where the dimension has statistics those with
    a reliable improvement, a reliable deterioration or neither. A count that is zero is left
    out."""
    person = pl.col("person")
    out: dict[str, dict[Any, dict[Any, dict[str, int]]]] = {}
    for code, first, latest in _wide_pairs(dimensions, counted):
        pairs = wide.select(
            "block",
            "organisation",
            "person",
            first.alias("first"),
            latest.alias("latest"),
        ).drop_nulls(["first", "latest"])
        table = (
            _wide_verdicts(pairs, stats.get(code))
            .group_by("block", "organisation")
            .agg(
                n=person.n_unique(),
                improved=person.filter(pl.col("_improved")).n_unique(),
                deteriorated=person.filter(pl.col("_deteriorated")).n_unique(),
                unchanged=person.filter(
                    pl.col("_rated") & ~pl.col("_improved") & ~pl.col("_deteriorated")
                ).n_unique(),
            )
        )
        for row in table.iter_rows(named=True):
            cell = {k: row[k] for k in ("n", "improved", "deteriorated", "unchanged") if row[k]}
            out.setdefault(code, {}).setdefault(row["block"], {})[row["organisation"]] = cell
    return out


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
