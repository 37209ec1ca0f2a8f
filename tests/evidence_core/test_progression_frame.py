"""The progression table from a wide frame (decision 44: one row per enrolment, a pair of
columns per dimension) equals the one from records."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emplus.evidence_core import reliable_change
from emplus.evidence_core.progression import (
    ALL,
    TOTAL,
    ProgressRecord,
    person_change_counts_wide,
    progression_table,
    progression_table_wide,
)

DIMS = ("a", "b", "c")
STATS = {
    "a": reliable_change.ReliabilityStats(40, 2.0, 0.7, 1.1, 1.5),
    "b": None,
    "c": reliable_change.ReliabilityStats(40, 1.5, 0.8, 0.7, 1.0),
    TOTAL: reliable_change.ReliabilityStats(40, 4.0, 0.9, 1.3, 1.8),
}


def _records(rng: random.Random, count: int) -> list[ProgressRecord]:
    records = []
    for _ in range(count):
        first = {d: rng.randint(1, 10) for d in DIMS if rng.random() < 0.9}
        latest = {d: rng.randint(1, 10) for d in DIMS if rng.random() < 0.9}
        records.append(ProgressRecord(rng.choice(["X", "Y", "Z"]), first, latest))
    return records


def _same(got: list, expected: list) -> None:
    assert [(r.group, r.dimension, r.n) for r in got] == [
        (r.group, r.dimension, r.n) for r in expected
    ]
    for g, e in zip(got, expected, strict=True):
        for name in (
            "mean_first",
            "mean_latest",
            "mean_change",
            "d",
            "d_low",
            "d_high",
            "improved_share",
            "deteriorated_share",
        ):
            a, b = getattr(g, name), getattr(e, name)
            assert (a is None) == (b is None), (g, e, name)
            if a is not None:
                assert a == pytest.approx(b, rel=1e-9, abs=1e-12), (g, e, name)


def test_constant_change_has_no_effect_size_and_an_empty_group_is_zero():
    records = [ProgressRecord("X", {"a": 3, "b": 4, "c": 5}, {"a": 5, "b": 6, "c": 7})] * 4
    wide = _wide(records, group=pl.Series([r.group for r in records], dtype=pl.String))
    rows = progression_table_wide(wide, dimensions=DIMS, stats=STATS, groups=["X", "W"])
    keyed = {(r.group, r.dimension): r for r in rows}
    assert keyed[(ALL, "a")].n == 4 and keyed[(ALL, "a")].d is None
    assert keyed[(ALL, "a")].mean_change == 2 and keyed[(ALL, "b")].improved_share is None
    assert keyed[(ALL, TOTAL)].mean_change == 6 and keyed[("W", "a")].n == 0


def _reference_counts(records, *, counted, stats):
    """The per-person counting as the selector did it record by record before decision 39."""
    persons: dict = {}
    for rec in records:
        org, block, person = rec.group
        for dimension in counted:
            if dimension == TOTAL:
                if not all(c in rec.first and c in rec.latest for c in DIMS):
                    continue
                pair = (sum(rec.first[c] for c in DIMS), sum(rec.latest[c] for c in DIMS))
            elif dimension in rec.first and dimension in rec.latest:
                pair = (rec.first[dimension], rec.latest[dimension])
            else:
                continue
            kinds = {"n"}
            if stats.get(dimension) is not None:
                verdict = reliable_change.verdict(reliable_change.rci(*pair, stats[dimension]))
                kinds.add(
                    {
                        reliable_change.IMPROVED: "improved",
                        reliable_change.DETERIORATED: "deteriorated",
                    }.get(verdict, "unchanged")
                )
            cell = persons.setdefault(dimension, {}).setdefault(block, {}).setdefault(org, {})
            for kind in kinds:
                cell.setdefault(kind, set()).add(person)
    return {
        d: {
            b: {o: {k: len(v) for k, v in c.items()} for o, c in by_o.items()}
            for b, by_o in x.items()
        }
        for d, x in persons.items()
    }


def _wide(records: list[ProgressRecord], **extra) -> pl.DataFrame:
    """The wide frame of decision 44: one row per record, `first:<code>` and `latest:<code>`."""
    return pl.DataFrame(
        {
            **extra,
            **{
                f"{side}:{code}": [getattr(r, side).get(code) for r in records]
                for side in ("first", "latest")
                for code in DIMS
            },
        },
        schema_overrides={f"{s}:{c}": pl.Int64 for s in ("first", "latest") for c in DIMS},
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), count=st.integers(0, 60))
def test_the_wide_table_equals_the_record_table(seed, count):
    records = _records(random.Random(seed), count)  # noqa: S311 - test data
    expected = progression_table(
        [r for r in records if set(r.first) & set(r.latest)], dimensions=DIMS, stats=STATS
    )
    wide = _wide(records, group=pl.Series([r.group for r in records], dtype=pl.String))
    _same(progression_table_wide(wide, dimensions=DIMS, stats=STATS), expected)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), count=st.integers(0, 80))
def test_wide_person_counts_equal_the_record_by_record_counts(seed, count):
    rng = random.Random(seed)  # noqa: S311 - test data
    blocks = [date(2024, 1, 1), date(2025, 1, 1)]
    records = []
    for rec in _records(rng, count):
        cell = (rng.choice(["O1", "O2"]), rng.choice(blocks), f"p{rng.randint(0, count // 2)}")
        records.append(ProgressRecord(cell, rec.first, rec.latest))
    wide = _wide(
        records,
        organisation=pl.Series([r.group[0] for r in records], dtype=pl.String),
        block=pl.Series([r.group[1] for r in records], dtype=pl.Date),
        person=pl.Series([r.group[2] for r in records], dtype=pl.String),
    )
    counted = ["b", "c", TOTAL]
    got = person_change_counts_wide(wide, dimensions=DIMS, counted=counted, stats=STATS)
    assert got == _reference_counts(records, counted=counted, stats=STATS)
