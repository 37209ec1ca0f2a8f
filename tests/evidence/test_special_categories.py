"""The special-category rule in the pure core: fixed calendar blocks, whole requests only, and
counts that are sums of whole blocks of one safe partition, so that no differencing of answers
reveals a group of 1–4 people (docs/decisions/0015-special-category-aggregates.md)."""

from __future__ import annotations

import itertools
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emplus.evidence_core.special_categories import (
    Calendar,
    Partition,
    aligned_blocks,
    is_safe,
    release_special_counts,
    safe_partition,
    special_category_table,
)

GENDERS = ("woman", "man", "non_binary")
YEAR = Calendar(12)


def person(i: int, org: str, entry: date, gender: str = "woman", disability: str = "no") -> dict:
    return {
        "person": f"p{i}",
        "organisation": org,
        "entry_date": entry,
        "gender": gender,
        "birth_date": date(1990, 1, 1),
        "lm_status_entry": "inactive",
        "isced": 3,
        "disability": disability,
    }


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows)


# --- blocks and whole requests ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "day", "start", "end"),
    [
        (12, date(2025, 7, 3), date(2025, 1, 1), date(2025, 12, 31)),
        (6, date(2025, 7, 3), date(2025, 7, 1), date(2025, 12, 31)),
        (3, date(2025, 2, 28), date(2025, 1, 1), date(2025, 3, 31)),
        (1, date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_blocks_are_fixed_calendar_periods(months, day, start, end):
    calendar = Calendar(months)
    assert (calendar.start(day), calendar.end(day)) == (start, end)
    assert calendar.is_start(start) and calendar.is_end(end)
    assert not calendar.is_start(day) or day == start


def test_a_block_must_divide_the_year():
    with pytest.raises(ValueError):
        Calendar(5)


@pytest.mark.parametrize(
    ("entry_from", "entry_to", "as_of", "expected"),
    [
        # no period: every block up to the reporting date's, that block whole
        (None, None, date(2025, 6, 30), (None, date(2025, 1, 1))),
        (None, None, date(2025, 6, 29), (None, date(2025, 1, 1))),
        # whole years
        (date(2024, 1, 1), date(2024, 12, 31), date(2025, 6, 30), (date(2024, 1, 1),) * 2),
        # a period ending after the reporting date ends with the reporting date's block
        (date(2025, 1, 1), date(2025, 12, 31), date(2025, 3, 1), (date(2025, 1, 1),) * 2),
        (date(2025, 1, 1), date(2025, 8, 15), date(2025, 3, 1), (date(2025, 1, 1),) * 2),
        # one day, half a year, a day short: cut a block
        (date(2025, 6, 30), date(2025, 6, 30), date(2025, 12, 31), None),
        (date(2025, 1, 1), date(2025, 6, 29), date(2025, 12, 31), None),
        (date(2025, 1, 2), None, date(2025, 12, 31), None),
    ],
)
def test_only_whole_blocks_are_whole_requests(entry_from, entry_to, as_of, expected):
    got = aligned_blocks(YEAR, entry_from=entry_from, entry_to=entry_to, as_of=as_of)
    assert got == expected


# --- the partition ----------------------------------------------------------------------------


def test_small_organisations_are_merged_and_the_merged_group_grows_until_safe():
    counts = {"A": 20, "B": 3, "C": 1, "D": 9, "E": 6}

    def safe(units):
        return is_safe(sum(counts[u] for u in units))

    def weight(units):
        return sum(counts[u] for u in units)

    partition = safe_partition(counts, safe=safe, weight=weight)
    # B and C (4 together) take in the lightest safe one, E
    assert set(partition.blocks) == {frozenset("A"), frozenset("D"), frozenset("BCE")}
    assert not partition.withheld
    assert partition.releases("AD") and partition.releases("ABCDE") and partition.releases("BCE")
    assert not partition.releases("B") and not partition.releases("E")
    assert not partition.releases("ABD")


def test_when_the_whole_partnership_is_too_small_everything_is_withheld():
    partition = safe_partition("AB", safe=lambda u: is_safe(len(u) * 2), weight=len)
    assert partition == Partition((), frozenset("AB"))
    assert not partition.releases("AB")


# --- the guarantee against differencing -------------------------------------------------------

ORGS = ("A", "B", "C")
YEARS = (2024, 2025)


@st.composite
def partnerships(draw):
    rows = []
    for i in range(draw(st.integers(0, 90))):
        rows.append(
            person(
                i,
                draw(st.sampled_from(ORGS)),
                date(draw(st.sampled_from(YEARS)), draw(st.integers(1, 12)), 1),
                draw(st.sampled_from(GENDERS)),
                draw(st.sampled_from(["yes", "no", "no", "declined"])),
            )
        )
    return rows


def _requests():
    """Every whole request an attacker can make: one organisation, two, or all; each year or
    both."""
    orgs = [None, *[(o,) for o in ORGS], *itertools.combinations(ORGS, 2)]
    periods = [(date(y, 1, 1), date(y, 1, 1)) for y in YEARS] + [(None, date(2025, 1, 1))]
    return list(itertools.product(orgs, periods))


def _cells(orgs, period):
    first, last = period
    years = [
        y for y in YEARS if (first is None or y >= first.year) and (last is None or y <= last.year)
    ]
    return frozenset((o, y) for o in (orgs or ORGS) for y in years)


@settings(max_examples=60, deadline=None)
@given(partnerships())
def test_no_combination_of_answers_reveals_a_group_of_one_to_four(rows):
    # given every released count of every whole request
    data = frame(rows) if rows else frame([person(0, "A", date(2024, 1, 1))]).clear()
    table = special_category_table(data, calendar=YEAR, codes=("EECO12",))
    released = {column: [] for column in ("total", *GENDERS)}
    for orgs, period in _requests():
        values = release_special_counts(
            table,
            organisations=orgs,
            first_block=period[0],
            last_block=period[1],
            codes=("EECO12",),
        ).values
        for column in released:
            if values[("EECO12", column)] is not None:
                released[column].append(_cells(orgs, period))
    # when the attacker combines them (intersections and differences of any of them: the
    # finest such groups are the cells that lie in exactly the same answers) ...
    for column, sets in released.items():
        signature: dict = {}
        for cell in frozenset().union(*sets):
            key = frozenset(i for i, s in enumerate(sets) if cell in s)
            signature.setdefault(key, set()).add(cell)
        # ... every group of people they can isolate holds 0 or at least 5 with a disability,
        # and 0 or at least 5 without
        for atom in signature.values():
            chosen = [
                r
                for r in rows
                if (r["organisation"], r["entry_date"].year) in atom
                and (column == "total" or r["gender"] == column)
            ]
            yes = {r["person"] for r in chosen if r["disability"] == "yes"}
            no = {r["person"] for r in chosen if r["disability"] != "yes"}
            assert is_safe(len(yes)) and is_safe(len(no)), (column, sorted(atom))


def test_one_person_in_a_small_organisation_is_not_revealed_by_the_partnership_total():
    # given A with 6 of 12 disabled, B with 1 of 7 (the person an attacker looks for)
    rows = [
        person(i, "A", date(2025, 3, 1), disability="yes" if i < 6 else "no") for i in range(12)
    ]
    rows += [
        person(20 + i, "B", date(2025, 3, 1), disability="yes" if i == 0 else "no")
        for i in range(7)
    ]
    table = special_category_table(frame(rows), calendar=YEAR, codes=("EECO12",))

    def total(orgs):
        values = release_special_counts(
            table, organisations=orgs, first_block=None, last_block=None, codes=("EECO12",)
        ).values
        return values[("EECO12", "total")]

    # when / then: the partnership is shown, neither organisation alone
    assert total(None) == 7
    assert total(["A"]) is None and total(["B"]) is None


def test_a_person_with_two_enrolments_is_one_person():
    # given 4 people, one of them with two enrolments in the same year: 5 rows, 4 persons
    rows = [person(i, "A", date(2025, 2, 1), disability="yes") for i in range(4)]
    rows.append(person(0, "A", date(2025, 9, 1), disability="yes"))
    rows += [person(10 + i, "A", date(2025, 2, 1)) for i in range(10)]
    table = special_category_table(frame(rows), calendar=YEAR, codes=("EECO12",))
    values = release_special_counts(
        table, organisations=None, first_block=None, last_block=None, codes=("EECO12",)
    ).values
    assert values[("EECO12", "total")] is None
