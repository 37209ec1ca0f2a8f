"""Special-category aggregates that single nobody out, not even by differencing (pure, no Django).

The rule (docs/decisions/0015-special-category-aggregates.md), in short:

1. **Fixed elementary cells.** A special-category count (EECO12 disability, EECO13 third-country
   nationals, EECO14 foreign background, EECO15 minorities; and the progression of self-assessed
   health) is built only from cells *(organisation, calendar block of the entry date)*. A block
   is a calendar year by default (`Calendar(months=12)`), and always whole: every enrolment of
   the block counts, whatever day is asked for.
2. **A request is answered only when it asks for whole cells**: whole organisations (one, the
   viewer's own, or the partnership) and whole blocks, with no unit, municipality, county,
   method or test-bed filter (`aligned_blocks`). Anything narrower shows no special-category
   count at all, only the way to the nearest whole request.
3. **One safe partition per block and indicator, the same for every viewer.** The organisations
   of a block are partitioned (`safe_partition`): an organisation whose count with the
   characteristic, or without it, is 1–4 persons is merged with the other such organisations,
   and the merged group with the smallest safe organisations until it too is safe (or, if even
   the whole partnership is not, it is withheld). The gender columns use a coarser partition of
   the same kind in which every gender is safe. A count is shown only for a union of whole
   blocks of the partition.

Why this holds: everything a viewer can see about special categories is a sum of whole partition
blocks, each of which holds 0 or at least 5 persons with the characteristic and 0 or at least 5
without it. Any difference of two answers (overlapping periods, an organisation and the
partnership, today and yesterday's reporting date) is again a union of whole blocks, so it is 0
or at least 5 persons. The partition depends only on the data of the block, never on who asks
or what else was asked, so two requests cannot be played against each other. Counting persons
(not enrolments) keeps one person with two enrolments from passing for two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from emplus.core.suppression import DEFAULT_THRESHOLD
from emplus.evidence_core.indicators import GENDERS, IndicatorRules, entry_flags

__all__ = [
    "COLUMNS",
    "SPECIAL_CATEGORY_CODES",
    "Calendar",
    "Partition",
    "aligned_blocks",
    "is_safe",
    "partitions_by_block",
    "progression_partitions",
    "released",
    "release_special_counts",
    "safe_partition",
    "special_category_table",
]

SPECIAL_CATEGORY_CODES = ("EECO12", "EECO13", "EECO14", "EECO15")
COLUMNS = ("total", *GENDERS)
PERSON = "person"  # optional column of the participant frame: one value per person


def is_safe(persons: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Zero, or at least the threshold: a count that singles nobody out."""
    return persons == 0 or persons >= threshold


@dataclass(frozen=True)
class Calendar:
    """Fixed, non-overlapping calendar blocks of `months` months, starting in January."""

    months: int = 12

    def __post_init__(self) -> None:
        if self.months < 1 or 12 % self.months:
            raise ValueError("a block is 1, 2, 3, 4, 6 or 12 months long")

    def start(self, day: date) -> date:
        month = (day.month - 1) // self.months * self.months + 1
        return date(day.year, month, 1)

    def next_start(self, day: date) -> date:
        first = self.start(day)
        month = first.month + self.months
        return date(first.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    def end(self, day: date) -> date:
        return date.fromordinal(self.next_start(day).toordinal() - 1)

    def is_start(self, day: date) -> bool:
        return self.start(day) == day

    def is_end(self, day: date) -> bool:
        return self.end(day) == day

    def block_expr(self, column: str) -> pl.Expr:
        """The first day of each date's block, as a Polars expression."""
        col = pl.col(column)
        month = (col.dt.month().cast(pl.Int32) - 1) // self.months * self.months + 1
        return pl.date(col.dt.year(), month, 1)


def aligned_blocks(
    calendar: Calendar,
    *,
    entry_from: date | None,
    entry_to: date | None,
    as_of: date | None,
) -> tuple[date | None, date | None] | None:
    """The first and last block (their first days; None = unbounded) that a request for entries
    from `entry_from` to `entry_to`, reported on `as_of`, covers; None when it cuts a block.

    The block of the reporting date counts whole, so that the reporting date cannot be moved
    day by day within it; an end of the period on or after the reporting date adds nothing."""
    if entry_from is not None and not calendar.is_start(entry_from):
        return None
    last: date | None
    if entry_to is not None and (as_of is None or entry_to < as_of):
        if not calendar.is_end(entry_to):
            return None
        last = calendar.start(entry_to)
    else:
        last = None if as_of is None else calendar.start(as_of)
    first = None if entry_from is None else calendar.start(entry_from)
    return first, last


# --- the partition ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    """Blocks of units (organisations) whose counts may be shown, and the units never shown."""

    blocks: tuple[frozenset[str], ...]
    withheld: frozenset[str] = frozenset()

    def releases(self, units: Iterable[str]) -> bool:
        """Whether `units` is a union of whole shown blocks (units outside are ignored)."""
        wanted = frozenset(units)
        if wanted & self.withheld:
            return False
        return all(block <= wanted or not block & wanted for block in self.blocks)

    def all_blocks(self) -> tuple[frozenset[str], ...]:
        return self.blocks + ((self.withheld,) if self.withheld else ())


def safe_partition(
    units: Iterable[str],
    *,
    safe: Callable[[frozenset[str]], bool],
    weight: Callable[[frozenset[str]], float],
    start: Iterable[frozenset[str]] | None = None,
) -> Partition:
    """Merge the unsafe blocks of `start` (default: one block per unit) into one, then add the
    lightest safe blocks to it until it is safe; if it never is, it is withheld. Deterministic:
    the outcome depends on the counts only."""
    blocks = [frozenset(b) for b in (start or [frozenset({u}) for u in units]) if b]
    ordered = sorted(blocks, key=lambda b: sorted(b))
    safe_blocks = [b for b in ordered if safe(b)]
    unsafe = [b for b in ordered if not safe(b)]
    if not unsafe:
        return Partition(tuple(safe_blocks))
    merged = frozenset().union(*unsafe)
    safe_blocks.sort(key=lambda b: (weight(b), sorted(b)))
    while not safe(merged) and safe_blocks:
        merged |= safe_blocks.pop(0)
    if safe(merged):
        return Partition((*safe_blocks, merged))
    return Partition(tuple(safe_blocks), merged)


def partitions_by_block(
    counts: Mapping[date, Mapping[str, Mapping[str, int]]],
    *,
    safe: Callable[[Mapping[str, int]], bool],
    weight: str,
    start: Mapping[date, Partition] | None = None,
) -> dict[date, Partition]:
    """One partition per block. `counts[block][unit]` holds named person counts that add up
    over units (a person belongs to one organisation); `safe` judges a block's sums."""
    out: dict[date, Partition] = {}
    for block, per_unit in counts.items():

        def summed(
            units: frozenset[str], per_unit: Mapping[str, Mapping[str, int]] = per_unit
        ) -> dict[str, int]:
            total: dict[str, int] = {}
            for unit in units:
                for name, value in per_unit.get(unit, {}).items():
                    total[name] = total.get(name, 0) + value
            return total

        out[block] = safe_partition(
            per_unit,
            safe=lambda units, summed=summed: safe(summed(units)),  # type: ignore[misc]
            weight=lambda units, summed=summed: summed(units).get(weight, 0),  # type: ignore[misc]
            start=None if start is None else start[block].all_blocks(),
        )
    return out


def released(
    partitions: Mapping[date, Partition], units: Iterable[str] | None, blocks: Iterable[date]
) -> bool:
    """Whether the units (None: all) are a union of shown partition blocks in every block."""
    for block in blocks:
        partition = partitions.get(block)
        if partition is None:
            continue  # nobody in this block: nothing to protect
        wanted = [u for b in partition.all_blocks() for u in b] if units is None else list(units)
        if not partition.releases(wanted):
            return False
    return True


def progression_partitions(
    counts: Mapping[date, Mapping[str, Mapping[str, int]]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> tuple[dict[date, Partition], dict[date, Partition]]:
    """Partitions for the progression on a special-category dimension: the means need blocks
    of 0 or at least `threshold` persons (`n`); the shares with reliable change a coarser
    partition whose blocks also hold 0 or at least `threshold` persons who improved, who
    deteriorated and whose change was within measurement error."""
    means = partitions_by_block(
        counts, safe=lambda c: is_safe(c.get("n", 0), threshold), weight="n"
    )
    shares = partitions_by_block(
        counts,
        safe=lambda c: all(
            is_safe(c.get(k, 0), threshold) for k in ("n", "improved", "deteriorated", "unchanged")
        ),
        weight="n",
        start=means,
    )
    return means, shares


# --- ESF+ special-category indicators ---------------------------------------------------------


def special_category_table(
    participants: pl.DataFrame | pl.LazyFrame,
    *,
    calendar: Calendar,
    rules: IndicatorRules | None = None,
    codes: Sequence[str] = SPECIAL_CATEGORY_CODES,
) -> pl.DataFrame:
    """Per organisation, block (its first day) and gender, over the participants with complete
    core data: `rows` and `persons`, and per code the rows (`{code}`) and persons
    (`{code}_persons`) that count. Every enrolment of the block counts (no reporting date)."""
    lf = entry_flags(participants, rules=rules or IndicatorRules(), codes=codes)
    if PERSON in lf.collect_schema().names():
        lf = lf.with_columns(pl.col(PERSON).alias("_person"))
    else:  # a file without persons: every row is one
        lf = lf.with_row_index("_person")
    return (
        lf.filter(pl.col("_complete"))
        .with_columns(calendar.block_expr("entry_date").alias("block"))
        .group_by("organisation", "block", "gender")
        .agg(
            pl.len().alias("rows"),
            pl.col("_person").n_unique().alias("persons"),
            *[pl.col(c).sum().alias(c) for c in codes],
            *[pl.col("_person").filter(pl.col(c)).n_unique().alias(f"{c}_persons") for c in codes],
        )
        .sort("organisation", "block", "gender")
        .collect()
    )


@dataclass(frozen=True)
class SpecialRelease:
    """The special-category cells of one request: the count or None, and why none."""

    values: dict[tuple[str, str], int | None] = field(default_factory=dict)

    def hidden(self) -> set[tuple[str, str]]:
        return {k for k, v in self.values.items() if v is None}


def _counts(table: pl.DataFrame, code: str) -> dict[date, dict[str, dict[str, int]]]:
    counts: dict[date, dict[str, dict[str, int]]] = {}
    for rec in table.iter_rows(named=True):
        cell = counts.setdefault(rec["block"], {}).setdefault(rec["organisation"], {})
        yes, everyone = rec[f"{code}_persons"], rec["persons"]
        for name, value in (("yes", yes), ("no", everyone - yes), ("persons", everyone)):
            cell[name] = cell.get(name, 0) + value
            key = f"{name}_{rec['gender']}"
            cell[key] = cell.get(key, 0) + value
    return counts


def release_special_counts(
    table: pl.DataFrame,
    *,
    organisations: Iterable[str] | None,
    first_block: date | None,
    last_block: date | None,
    codes: Sequence[str] = SPECIAL_CATEGORY_CODES,
    threshold: int = DEFAULT_THRESHOLD,
) -> SpecialRelease:
    """The counts of `codes` (total and by gender) for the organisations (None: all) and the
    blocks from `first_block` to `last_block` (None: unbounded), each shown only when it is a
    sum of whole blocks of the safe partitions.

    `table` is `special_category_table` over the whole partnership (at least for these
    blocks): the partitions must not depend on who asks."""
    in_range = pl.lit(True)
    if first_block is not None:
        in_range &= pl.col("block") >= first_block
    if last_block is not None:
        in_range &= pl.col("block") <= last_block
    table = table.filter(in_range)
    blocks = sorted(set(table.get_column("block").to_list())) if table.height else []
    wanted = None if organisations is None else frozenset(organisations)
    requested = table if wanted is None else table.filter(pl.col("organisation").is_in(wanted))
    values: dict[tuple[str, str], int | None] = {}

    def safe_total(c: Mapping[str, int]) -> bool:
        return is_safe(c.get("yes", 0), threshold) and is_safe(c.get("no", 0), threshold)

    def safe_genders(c: Mapping[str, int]) -> bool:
        return all(
            is_safe(c.get(f"yes_{g}", 0), threshold) and is_safe(c.get(f"no_{g}", 0), threshold)
            for g in GENDERS
        )

    for code in codes:
        counts = _counts(table, code)
        by_total = partitions_by_block(counts, safe=safe_total, weight="persons")
        by_gender = partitions_by_block(counts, safe=safe_genders, weight="persons", start=by_total)
        rows = dict.fromkeys(GENDERS, 0)
        for rec in requested.group_by("gender").agg(pl.col(code).sum()).iter_rows():
            if rec[0] in rows:
                rows[rec[0]] = int(rec[1])
        show_total = released(by_total, wanted, blocks)
        show_genders = released(by_gender, wanted, blocks)
        values[(code, "total")] = sum(rows.values()) if show_total else None
        for g in GENDERS:
            values[(code, g)] = rows[g] if show_genders else None
    return SpecialRelease(values)
