"""Organisation numbers: the Luhn check digit, the format, and no personal identity numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emplus.core.organisation_number import (
    OrganisationNumberError,
    format_organisation_number,
    is_valid_organisation_number,
    luhn_check_digit,
    parse_organisation_number,
)


def _valid(nine: str) -> str:
    return nine + str(luhn_check_digit(nine))


@pytest.mark.parametrize(
    "value",
    [
        "202100-5448",  # Skatteverket (a public authority's published number)
        "2021005448",
        "16202100-5448",
        " 202100-5448 ",
    ],
)
def test_valid_numbers_in_every_accepted_form(value):
    assert parse_organisation_number(value) == "2021005448"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("202100-5449", "checksum"),
        ("20210-05448", "format"),
        ("202100 5448", "format"),
        ("2021005", "format"),
        ("", "format"),
        ("abcdef-ghij", "format"),
        ("١٢٣٤٥٦-٧٨٩٠", "format"),  # Arabic-Indic digits are not accepted
        ("800101-1236", "personal"),  # third digit below 2: a personnummer, refused
    ],
)
def test_invalid_numbers_say_why(value, kind):
    with pytest.raises(OrganisationNumberError) as error:
        parse_organisation_number(value)
    assert error.value.kind == kind
    assert value.strip() not in str(error.value) or not value.strip()


def test_check_digit_known_values():
    assert luhn_check_digit("202100544") == 8
    assert luhn_check_digit("556012579") == 0  # AB Volvo, 556012-5790


def test_format_for_display():
    assert format_organisation_number("2021005448") == "202100-5448"
    assert format_organisation_number("") == ""


nines = st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda s: s[2] >= "2")


@given(nines)
def test_every_number_with_its_check_digit_is_valid(nine):
    number = _valid(nine)
    assert parse_organisation_number(number) == number
    assert parse_organisation_number(f"{number[:6]}-{number[6:]}") == number
    assert is_valid_organisation_number("16" + number)


@given(nines, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_changing_any_single_digit_breaks_the_check(nine, position, delta):
    number = _valid(nine)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    if changed[2] < "2":
        return  # refused as a personal number instead
    assert not is_valid_organisation_number(changed)


@given(nines)
def test_swapping_neighbouring_unequal_digits_is_caught_mostly(nine):
    # Luhn catches every swap of adjacent digits except 0<->9; check that rule exactly.
    number = _valid(nine)
    for i in range(3, 9):
        a, b = number[i], number[i + 1]
        if a == b or {a, b} == {"0", "9"}:
            continue
        swapped = number[:i] + b + a + number[i + 2 :]
        assert not is_valid_organisation_number(swapped)
