"""Swedish personnummer and samordningsnummer: parsing and validation (pure, no Django).

Two implementations with the same verdicts: `parse_personnummer` for one value and
`personnummer_frame` (Polars expressions) for a whole column of a large file. Error messages
never contain the number itself, so they can be shown and logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import polars as pl

__all__ = [
    "Personnummer",
    "PersonnummerChecksumError",
    "PersonnummerDateError",
    "PersonnummerError",
    "PersonnummerFormatError",
    "is_valid_personnummer",
    "parse_personnummer",
    "personnummer_frame",
]

# ASCII only: Python's `\d` and `str.strip()` accept Unicode digits/spaces that Polars' regex and
# strip_chars would treat differently, and the two implementations must agree.
_WHITESPACE = " \t\r\n\x0b\x0c"
_PATTERN = r"^([0-9]{2})?([0-9]{2})([0-9]{2})([0-9]{2})([-+]?)([0-9]{3})([0-9])$"
_RE = re.compile(_PATTERN)
COORDINATION_DAY_OFFSET = 60

FORMAT_MESSAGE = (
    "not a personnummer or samordningsnummer: expected 10 or 12 digits, "
    "optionally with '-' or '+' before the last four"
)
DATE_MESSAGE = "the personnummer or samordningsnummer contains an impossible date"
CHECKSUM_MESSAGE = "the personnummer or samordningsnummer has a wrong check digit"


class PersonnummerError(ValueError):
    """The value is not a valid personnummer/samordningsnummer; the message omits the value."""

    kind = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class PersonnummerFormatError(PersonnummerError):
    kind = "format"

    def __init__(self) -> None:
        super().__init__(FORMAT_MESSAGE)


class PersonnummerDateError(PersonnummerError):
    kind = "date"

    def __init__(self) -> None:
        super().__init__(DATE_MESSAGE)


class PersonnummerChecksumError(PersonnummerError):
    kind = "checksum"

    def __init__(self) -> None:
        super().__init__(CHECKSUM_MESSAGE)


@dataclass(frozen=True)
class Personnummer:
    """A valid number. `normalised` is the 12-digit form without separator (YYYYMMDDNNNC)."""

    normalised: str
    birth_date: date
    is_coordination_number: bool
    # Third digit of the serial: odd for men, even for women in the population register. This is
    # registered legal sex, not gender; never use it to fill the gender column.
    sex_digit: int

    def __repr__(self) -> str:  # keep the number out of logs and tracebacks
        return "Personnummer(<hidden>)"


def luhn_ok(ten_digits: str) -> bool:
    """Luhn check over the 10-digit form YYMMDDNNNC."""
    total = 0
    for i, ch in enumerate(ten_digits):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p - 9 if p > 9 else p
    return total % 10 == 0


def _infer_year(yy: int, month: int, day: int, plus: bool, reference: date) -> int:
    # The latest year with these two digits not after the reference date: the person is 0-99
    # years old on the reference date. '+' marks 100 years or more, one century earlier.
    year = reference.year - (reference.year - yy) % 100
    if year == reference.year and (month, day) > (reference.month, reference.day):
        year -= 100
    return year - 100 if plus else year


def parse_personnummer(value: str, *, reference_date: date) -> Personnummer:
    """Parse and validate; raise a PersonnummerError subclass (message without the number).

    Accepts YYMMDD-NNNC, YYMMDD+NNNC, YYMMDDNNNC, YYYYMMDD-NNNC and YYYYMMDDNNNC (surrounding
    spaces ignored). The 12-digit form carries its century (a '+' there is accepted and
    ignored); in the 10-digit form the century is inferred relative to `reference_date`.
    """
    m = _RE.fullmatch(value.strip(_WHITESPACE))
    if m is None:
        raise PersonnummerFormatError()
    cc, yy, mm, dd, sep, serial, check = m.groups()
    month, day_field = int(mm), int(dd)
    coordination = day_field > COORDINATION_DAY_OFFSET
    day = day_field - COORDINATION_DAY_OFFSET if coordination else day_field
    if cc is not None:
        year = int(cc + yy)
    else:
        year = _infer_year(int(yy), month, day, sep == "+", reference_date)
    try:
        if year < 1:
            raise ValueError
        birth = date(year, month, day)
    except ValueError:
        raise PersonnummerDateError() from None
    if not luhn_ok(yy + mm + dd + serial + check):
        raise PersonnummerChecksumError()
    return Personnummer(
        normalised=f"{year:04d}{mm}{dd}{serial}{check}",
        birth_date=birth,
        is_coordination_number=coordination,
        sex_digit=int(serial[2]),
    )


def is_valid_personnummer(value: str, *, reference_date: date) -> bool:
    try:
        parse_personnummer(value, reference_date=reference_date)
    except PersonnummerError:
        return False
    return True


def personnummer_frame(values: pl.Series, *, reference_date: date) -> pl.DataFrame:
    """Vectorised validation of a string column; the same verdicts as `parse_personnummer`.

    Returns one row per value with `error` (null when valid or when the value is null, else
    "format", "date" or "checksum"), `birth_date`, `normalised` (12 digits) and
    `is_coordination_number` (null unless valid). Computed in stages so that no intermediate
    result is evaluated twice.
    """
    ref_year, ref_md = reference_date.year, reference_date.month * 100 + reference_date.day
    c = pl.col
    lf = (
        pl.LazyFrame({"raw": values.cast(pl.String)})
        .with_columns(s=c("raw").str.strip_chars(_WHITESPACE))
        # The format check in simple steps (one regular expression with groups costs several
        # times more): an optional '-'/'+' before the last four characters, then 10 or 12 ASCII
        # digits.
        .with_columns(sep=c("s").str.slice(-5, 1))
        .with_columns(
            has_sep=c("sep").is_in(["-", "+"]) & (c("s").str.len_bytes() > 5),
            plus=c("sep") == "+",
        )
        .with_columns(
            digits=pl.when("has_sep")
            .then(pl.concat_str(c("s").str.head(-5), c("s").str.tail(4)))
            .otherwise("s")
        )
        .with_columns(
            matched=c("digits").str.len_bytes().is_in([10, 12])
            & c("digits").str.contains("^[0-9]+$")
        )
        .with_columns(digits=pl.when("matched").then("digits"), plus=c("plus") & c("has_sep"))
        .with_columns(long=c("digits").str.len_bytes() == 12)
        .with_columns(
            ten=pl.when("long").then(c("digits").str.slice(2)).otherwise("digits"),
            cc=pl.when("long").then(c("digits").str.slice(0, 2).cast(pl.Int32)),
        )
        .with_columns(number=c("ten").cast(pl.Int64))
        .with_columns(
            yy=c("number") // 10**8,
            month=(c("number") // 10**6) % 100,
            day_field=(c("number") // 10**4) % 100,
        )
        .with_columns(coordination=c("day_field") > COORDINATION_DAY_OFFSET)
        .with_columns(
            day=pl.when("coordination")
            .then(c("day_field") - COORDINATION_DAY_OFFSET)
            .otherwise("day_field"),
            latest=ref_year - (ref_year - c("yy")) % 100,
        )
        .with_columns(
            # Latest year with these two digits not after the reference date (age 0-99); '+'
            # marks 100 years or more.
            inferred=c("latest")
            - pl.when((c("latest") == ref_year) & (c("month") * 100 + c("day") > ref_md))
            .then(100)
            .otherwise(0)
            - pl.when("plus").then(100).otherwise(0),
        )
        .with_columns(
            year=pl.when(c("cc").is_not_null())
            .then(c("cc") * 100 + c("yy"))
            .otherwise("inferred")
            .cast(pl.Int64)
        )
        .with_columns(
            birth=pl.when(
                (c("year") >= 1)
                & c("month").is_between(1, 12)
                & c("day").is_between(1, _days_in_month(c("year"), c("month")))
            ).then(_civil_to_date(c("year"), c("month"), c("day"))),
            luhn=pl.sum_horizontal(
                _luhn_term((c("number") // 10 ** (9 - i)) % 10, doubled=i % 2 == 0)
                for i in range(10)
            ),
        )
        .with_columns(
            error=pl.when(c("s").is_null())
            .then(pl.lit(None, pl.String))
            .when(~c("matched"))
            .then(pl.lit("format"))
            .when(c("birth").is_null())
            .then(pl.lit("date"))
            .when(c("luhn") % 10 != 0)
            .then(pl.lit("checksum"))
        )
        .with_columns(valid=c("error").is_null() & c("s").is_not_null())
        .select(
            "error",
            pl.when("valid").then("birth").alias("birth_date"),
            # YYYY then MMDDNNNC, the last eight digits of the 10-digit form: one integer
            # formatted once is cheaper than joining two strings per row.
            pl.when("valid")
            .then((c("year") * 10**8 + c("number") % 10**8).cast(pl.String).str.zfill(12))
            .alias("normalised"),
            pl.when("valid").then("coordination").alias("is_coordination_number"),
        )
    )
    # The streaming engine runs the stages over batches of rows on every core; the in-memory
    # engine would run most of them (one or two expressions each) on a single core.
    return lf.collect(engine="streaming")


def _days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def _civil_to_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    # Days since 1970-01-01 by integer arithmetic (H. Hinnant's days_from_civil): much faster
    # than formatting and parsing a date string per row.
    y = year - (month <= 2).cast(pl.Int64)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return (era * 146097 + doe - 719468).cast(pl.Int32).cast(pl.Date)


def _luhn_term(digit: pl.Expr, *, doubled: bool) -> pl.Expr:
    if not doubled:
        return digit
    p = digit * 2
    return pl.when(p > 9).then(p - 9).otherwise(p)
