"""Personnummer/samordningsnummer: the scalar parser and the vectorised one agree and are right.

Numbers here are generated inside the test (fictitious); none is a real person's.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emplus.core.personnummer import (
    PersonnummerChecksumError,
    PersonnummerDateError,
    PersonnummerError,
    PersonnummerFormatError,
    is_valid_personnummer,
    parse_personnummer,
    personnummer_frame,
)

REF = date(2026, 6, 30)


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return str((10 - total % 10) % 10)


def make(birth: date, serial: str = "123", *, coordination: bool = False, form: str = "10-") -> str:
    """A valid number for `birth` in one of the forms 10, 10-, 10+, 12, 12-."""
    day = birth.day + (60 if coordination else 0)
    ten9 = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial}"
    check = luhn_digit(ten9)
    head, tail = ten9[:6], ten9[6:] + check
    century = f"{birth.year // 100:02d}"
    return {
        "10": head + tail,
        "10-": f"{head}-{tail}",
        "10+": f"{head}+{tail}",
        "12": century + head + tail,
        "12-": f"{century}{head}-{tail}",
    }[form]


def vector_verdict(values: list[str | None], ref: date = REF) -> list[tuple]:
    out = personnummer_frame(pl.Series(values, dtype=pl.String), reference_date=ref)
    return list(out.iter_rows())


def scalar_verdict(value: str | None, ref: date = REF) -> tuple:
    if value is None:
        return (None, None, None, None)
    try:
        p = parse_personnummer(value, reference_date=ref)
    except PersonnummerError as exc:
        return (exc.kind, None, None, None)
    return (None, p.birth_date, p.normalised, p.is_coordination_number)


# --- the scalar parser -----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["10", "10-", "12", "12-"])
def test_every_form_of_a_valid_number_gives_the_same_result(form):
    # given
    value = make(date(1981, 12, 18), "987", form=form)
    # when
    parsed = parse_personnummer(value, reference_date=REF)
    # then
    assert parsed.birth_date == date(1981, 12, 18)
    assert parsed.normalised == "19811218" + value[-4:]
    assert parsed.is_coordination_number is False
    assert parsed.sex_digit == 7


def test_surrounding_spaces_are_ignored():
    assert parse_personnummer(f"  {make(date(1990, 1, 2))} ", reference_date=REF).birth_date == (
        date(1990, 1, 2)
    )


def test_plus_means_a_hundred_years_or_more():
    value = make(date(1925, 3, 4), form="10+")
    assert parse_personnummer(value, reference_date=REF).birth_date == date(1925, 3, 4)
    # without '+', the same digits are a child born in 2025
    assert parse_personnummer(value.replace("+", "-"), reference_date=REF).birth_date == date(
        2025, 3, 4
    )


def test_century_makes_the_person_younger_than_100_on_the_reference_date():
    # A birthday later in the year than the reference date with the reference year's digits
    # would lie in the future: the person was born a century earlier (aged 99).
    later = make(date(1926, 7, 1))
    same_day = make(date(2026, 6, 30))
    assert parse_personnummer(later, reference_date=REF).birth_date == date(1926, 7, 1)
    assert parse_personnummer(same_day, reference_date=REF).birth_date == date(2026, 6, 30)
    # two digits above the reference year's: last century
    assert parse_personnummer(make(date(1927, 1, 1)), reference_date=REF).birth_date == date(
        1927, 1, 1
    )


def test_the_reference_date_decides_the_century():
    value = make(date(2010, 5, 5))
    assert parse_personnummer(value, reference_date=date(2010, 5, 5)).birth_date.year == 2010
    assert parse_personnummer(value, reference_date=date(2010, 5, 4)).birth_date.year == 1910


def test_twelve_digits_carry_their_century():
    value = make(date(1905, 5, 5), form="12-")
    assert parse_personnummer(value, reference_date=REF).birth_date == date(1905, 5, 5)


def test_samordningsnummer_has_day_plus_sixty():
    value = make(date(1990, 4, 30), coordination=True)
    parsed = parse_personnummer(value, reference_date=REF)
    assert parsed.is_coordination_number is True
    assert parsed.birth_date == date(1990, 4, 30)
    assert parsed.normalised[6:8] == "90"


@pytest.mark.parametrize(
    "digits9",
    [
        "900230123",  # 30 February
        "901301123",  # month 13
        "900001123",  # month 00
        "900100123",  # day 00
        "900132123",  # day 32
        "900431123",  # 31 April
        "900160123",  # samordningsnummer day 60 = day 0
        "900192123",  # samordningsnummer day 92 = day 32
        "010229123",  # 29 February 2001
    ],
)
def test_impossible_dates_are_rejected(digits9):
    value = digits9[:6] + "-" + digits9[6:] + luhn_digit(digits9)
    with pytest.raises(PersonnummerDateError):
        parse_personnummer(value, reference_date=REF)


def test_29_february_depends_on_the_century():
    nine = "000229123"
    value = nine + luhn_digit(nine)
    assert parse_personnummer(value, reference_date=REF).birth_date == date(2000, 2, 29)
    with pytest.raises(PersonnummerDateError):
        parse_personnummer("19" + value, reference_date=REF)  # 1900 was no leap year


def test_wrong_check_digit_is_rejected():
    value = make(date(1981, 12, 18), "987")
    wrong = value[:-1] + str((int(value[-1]) + 1) % 10)
    with pytest.raises(PersonnummerChecksumError):
        parse_personnummer(wrong, reference_date=REF)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "abc",
        "19900230",
        "81121898",
        "811218--9876",
        "8112-189876",
        "811218 9876",
        "1981121898765",
        "81121898761",
        "１９８１１２１８９８７６",
        "811218-987６",
        "811218/9876",
    ],
)
def test_malformed_values_are_rejected(value):
    with pytest.raises(PersonnummerFormatError):
        parse_personnummer(value, reference_date=REF)


def test_messages_never_contain_the_number():
    value = make(date(1981, 12, 18), "987")
    wrong = value[:-1] + str((int(value[-1]) + 1) % 10)
    for bad in (wrong, "900230-1234", value + "9"):
        with pytest.raises(PersonnummerError) as info:
            parse_personnummer(bad, reference_date=REF)
        assert bad not in str(info.value)
        assert "811218" not in str(info.value) and "900230" not in str(info.value)
    assert "811218" not in repr(parse_personnummer(value, reference_date=REF))


def test_is_valid_is_the_boolean_form():
    assert is_valid_personnummer(make(date(1990, 1, 1)), reference_date=REF)
    assert not is_valid_personnummer("900230-1234", reference_date=REF)


# --- the vectorised validator agrees with the scalar one ------------------------------------


def test_vectorised_examples():
    values = [
        make(date(1981, 12, 18), form="10-"),
        make(date(1925, 3, 4), form="10+"),
        make(date(1990, 4, 30), coordination=True, form="12"),
        "900230-1234",
        "811218-9875",
        "nonsense",
        None,
        "   ",
    ]
    assert vector_verdict(values) == [scalar_verdict(v) for v in values]


def test_vectorised_keeps_row_order_over_many_batches_and_pads_early_years():
    # given a column far longer than one batch of the streaming engine, cycling through
    # numbers with different results (year 1 and year 999 included, whose normalised form
    # needs leading zeros)
    distinct = [
        make(date(1981, 12, 18), form="10-"),
        make(date(1, 2, 3), serial="456", form="12"),
        make(date(999, 9, 9), coordination=True, form="12-"),
        "811218-9875",
        None,
        make(date(2001, 1, 31), serial="002", form="10"),
        "nonsense",
    ]
    values = [distinct[i % len(distinct)] for i in range(350_003)]
    # when
    out = personnummer_frame(pl.Series(values, dtype=pl.String), reference_date=REF)
    # then every row has its own value's verdict, in order
    expected = pl.DataFrame(
        [scalar_verdict(distinct[i % len(distinct)]) for i in range(len(distinct))],
        schema=out.schema,
        orient="row",
    )
    assert expected.get_column("normalised").to_list()[1:3] == [
        "00010203" + distinct[1][-4:],
        "09990969" + distinct[2][-4:],
    ]
    cycled = expected.select(pl.all().gather(pl.int_range(len(values)) % len(distinct)))
    assert out.equals(cycled)


digits = st.text(alphabet="0123456789", min_size=0, max_size=13)
near_valid = st.builds(
    lambda cc, body, sep, tail: cc + body + sep + tail,
    st.sampled_from(["", "18", "19", "20", "00"]),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.sampled_from(["", "-", "+", " ", "--"]),
    st.text(alphabet="0123456789", min_size=3, max_size=5),
)
valid_numbers = st.builds(
    lambda birth, serial, coord, form: make(birth, serial, coordination=coord, form=form),
    st.dates(min_value=date(1927, 7, 1), max_value=REF),
    st.text(alphabet="0123456789", min_size=3, max_size=3),
    st.booleans(),
    st.sampled_from(["10", "10-", "12", "12-"]),
)
any_value = st.one_of(valid_numbers, near_valid, digits, st.text(max_size=14), st.none())


@settings(max_examples=400, deadline=None)
@given(values=st.lists(any_value, min_size=1, max_size=40), ref=st.dates(date(1990, 1, 1)))
def test_vectorised_and_scalar_verdicts_are_equal(values, ref):
    assert vector_verdict(values, ref) == [scalar_verdict(v, ref) for v in values]


@settings(max_examples=200, deadline=None)
@given(value=valid_numbers)
def test_generated_valid_numbers_parse_to_their_birth_date(value):
    parsed = parse_personnummer(value, reference_date=REF)
    assert len(parsed.normalised) == 12
    assert parsed.birth_date <= REF
    assert (REF.year - parsed.birth_date.year) <= 100
