"""Swedish organisation numbers (organisationsnummer): parsing and validation (pure, no Django).

An organisation number has ten digits, written `NNNNNN-NNNN`; the last is a check digit by the
Luhn algorithm (the same as a personnummer's) over the first nine. The third digit is 2 or more,
which keeps organisation numbers apart from personal identity numbers (whose third and fourth
digits are a month, 01-12). A sole trader's number *is* the owner's personnummer: it is personal
data and is refused here, so it never ends up in the employer register. Bolagsverket and
Skatteverket also write a twelve-digit form with the prefix `16`, which is accepted.
"""

from __future__ import annotations

import re

__all__ = [
    "OrganisationNumberError",
    "format_organisation_number",
    "is_valid_organisation_number",
    "luhn_check_digit",
    "parse_organisation_number",
]

# ASCII digits only: `\d` would accept other scripts' digits.
_PATTERN = re.compile(r"^(?:16)?([0-9]{6})-?([0-9]{4})$")

FORMAT_MESSAGE = "not an organisation number: expected ten digits, as NNNNNN-NNNN"
PERSONAL_MESSAGE = (
    "this looks like a personal identity number (a sole trader's number): leave it out, "
    "the register keeps no personal identity numbers"
)
CHECKSUM_MESSAGE = "the organisation number has a wrong check digit"


class OrganisationNumberError(ValueError):
    """The value is not a valid organisation number; `kind` is format, personal or checksum."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for a string of digits (doubling from the right-most digit)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # these positions are doubled once the check digit is appended
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def parse_organisation_number(value: str) -> str:
    """The ten digits of a valid organisation number (no separator), or OrganisationNumberError.

    Spaces around the value are ignored; one '-' before the last four digits is allowed."""
    match = _PATTERN.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise OrganisationNumberError("format", FORMAT_MESSAGE)
    digits = match.group(1) + match.group(2)
    if int(digits[2]) < 2:
        raise OrganisationNumberError("personal", PERSONAL_MESSAGE)
    if luhn_check_digit(digits[:9]) != int(digits[9]):
        raise OrganisationNumberError("checksum", CHECKSUM_MESSAGE)
    return digits


def is_valid_organisation_number(value: str) -> bool:
    try:
        parse_organisation_number(value)
    except OrganisationNumberError:
        return False
    return True


def format_organisation_number(digits: str) -> str:
    """`NNNNNN-NNNN` for ten digits (as stored); anything else unchanged."""
    return f"{digits[:6]}-{digits[6:]}" if len(digits) == 10 and digits.isdigit() else digits
