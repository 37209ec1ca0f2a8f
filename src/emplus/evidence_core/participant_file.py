"""Reading and validating participant files (CSV or XLSX) into a typed Polars frame (no Django).

The rules are those of the participant-file spec: column names, value vocabularies and the
errors that reject a file. Every check is a Polars expression over the whole column, so a file
of a million rows is validated in a few seconds; only the rows that fail are turned into
messages. Messages read `row N, column C: what is wrong, found X` (the header is row 1) and
never contain a personal_id.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Literal

import polars as pl

from emplus.core.export_cells import CSV_GUARD, unguard_frame
from emplus.core.personnummer import (
    CHECKSUM_MESSAGE,
    DATE_MESSAGE,
    FORMAT_MESSAGE,
    personnummer_frame,
)
from emplus.core.tabular import (
    LOCAL_LIMITS,
    TableTooLarge,
    TabularLimits,
    check_columns,
    check_size,
    iter_xlsx_rows,
    source_size,
)
from emplus.evidence_core.reference import municipality_by_code

__all__ = [
    "BOOLEAN_COLUMNS",
    "COLUMNS",
    "CORE_COLUMNS",
    "DATE_COLUMNS",
    "REQUIRED_COLUMNS",
    "FileIssue",
    "ParticipantFile",
    "ParticipantFileError",
    "empty_participant_frame",
    "participant_schema",
    "parse_participant_table",
    "read_participant_file",
]

Source = str | Path | bytes | IO[bytes]

REQUIRED_COLUMNS = ("participant_ref", "organisation", "entry_date")
CORE_COLUMNS = ("birth_date", "gender", "lm_status_entry", "isced", "unemployed_months")
DATE_COLUMNS = ("birth_date", "entry_date", "exit_date", "exit_observed_on", "followup_observed_on")
BOOLEAN_COLUMNS = (
    "born_abroad",
    "homeless",
    "rural",
    "exit_job_searching",
    "exit_in_education",
    "exit_qualification",
    "exit_employed",
    "followup_employed",
    "followup_improved",
)
# File columns in the spec's order; the typed frame has these (personal_id normalised to its
# 12-digit form) plus `row`, the row number in the file.
COLUMNS = (
    "participant_ref",
    "organisation",
    "personal_id",
    "birth_date",
    "gender",
    "municipality_code",
    "entry_date",
    "exit_date",
    "lm_status_entry",
    "unemployed_months",
    "isced",
    "disability",
    "citizenship",
    "born_abroad",
    "parents_born_abroad",
    "minority",
    "homeless",
    "rural",
    "exit_observed_on",
    "exit_job_searching",
    "exit_in_education",
    "exit_qualification",
    "exit_employed",
    "followup_observed_on",
    "followup_employed",
    "followup_improved",
    "method",
    "test_bed",
)
MAX_REF_LENGTH = 64

_BOOLEANS = {"yes": True, "no": False, "ja": True, "nej": False, "true": True, "false": False}
_BOOLEANS |= {"1": True, "0": False}
_GENDERS = {
    "woman": "woman",
    "kvinna": "woman",
    "man": "man",
    "non_binary": "non_binary",
    "non-binary": "non_binary",
    "icke-binär": "non_binary",
}
# Files saved on macOS may carry decomposed characters (a + combining diaeresis).
_GENDERS |= {unicodedata.normalize("NFD", k): v for k, v in _GENDERS.items()}
_LM_STATUSES = {s: s for s in ("unemployed", "inactive", "employed", "self_employed")}
_SPECIAL = {"yes": "yes", "no": "no", "declined": "declined", "ja": "yes", "nej": "no"}

# ISO 3166-1 alpha-2, officially assigned codes (249), plus XK (Kosovo), which the EU and the
# Swedish authorities use.
_ISO_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW XK
"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())
_CITIZENSHIPS = {c.lower(): c for c in ISO_COUNTRIES} | {"stateless": "stateless"}
_CITIZENSHIPS["unknown"] = "unknown"

_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# A date in year ≥ 1 (Polars parses year 0): compared as the day number, without taking each
# date apart into its year.
_FIRST_DAY = date(1, 1, 1)
_UINT_RE = r"^[0-9]+$"
_EMPTY_FILE = "the file is empty: expected a header row naming the columns"
_EXTRA_FIELDS = 4  # extra CSV fields read beyond the header to detect over-long rows

_KINDS: dict[str, tuple[Any, ...]] = (
    {
        "participant_ref": ("ref",),
        "organisation": ("organisation",),
        "personal_id": ("personal_id",),
        "gender": ("code", _GENDERS, "not one of woman, man, non_binary, kvinna, icke-binär"),
        "municipality_code": ("municipality",),
        "lm_status_entry": (
            "code",
            _LM_STATUSES,
            "not one of unemployed, inactive, employed, self_employed",
        ),
        "unemployed_months": ("int", 0, None, "not a whole number of months ≥ 0"),
        "isced": ("int", 0, 8, "not an ISCED 2011 level, a whole number 0–8"),
        "disability": ("code", _SPECIAL, "not one of yes, no, declined"),
        "citizenship": (
            "code",
            _CITIZENSHIPS,
            "not an ISO 3166-1 alpha-2 country code, stateless or unknown",
        ),
        "parents_born_abroad": ("int", 0, 2, "not 0, 1 or 2"),
        "minority": ("code", _SPECIAL, "not one of yes, no, declined"),
        "method": ("text",),
        "test_bed": ("text",),
    }
    | dict.fromkeys(DATE_COLUMNS, ("date",))
    | dict.fromkeys(BOOLEAN_COLUMNS, ("bool",))
)


def participant_schema() -> dict[str, pl.DataType]:
    """Column types of the validated participant frame (the evidence core's input)."""
    types: dict[str, pl.DataType] = {"row": pl.Int64()}
    for name in COLUMNS:
        kind = _KINDS[name][0]
        types[name] = {
            "date": pl.Date(),
            "bool": pl.Boolean(),
            "int": pl.Int64(),
        }.get(kind, pl.String())
    return types


def empty_participant_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=participant_schema())


@dataclass(frozen=True)
class FileIssue:
    """One error or warning; `row` None means the whole file."""

    message: str
    row: int | None = None
    column: str | None = None
    # A code and its parameters let an app show the message in the reader's language (the
    # English `message` stays for logs and commands); an issue without a code is shown as its
    # message (one an app wrote in the reader's language already).
    code: str = ""
    params: tuple[tuple[str, str | int], ...] = ()

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column is None:
            return f"row {self.row}: {self.message}"
        return f"row {self.row}, column {self.column}: {self.message}"


class ParticipantFileError(ValueError):
    """The file has errors; `errors` lists them all."""

    def __init__(self, errors: tuple[FileIssue, ...]) -> None:
        self.errors = errors
        super().__init__(f"the participant file has {len(errors)} error(s)")


@dataclass(frozen=True)
class ParticipantFile:
    """The outcome of reading a file: the typed rows unless there are errors."""

    errors: tuple[FileIssue, ...]
    warnings: tuple[FileIssue, ...]
    rows_read: int
    frame: pl.DataFrame | None = field(default=None, repr=False, compare=False)
    # Set when the file was refused before reading it for exceeding a limit (`core.tabular`).
    refusal: TableTooLarge | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def data(self) -> pl.DataFrame:
        """The validated rows (all data rows, the not-yet-started included)."""
        if self.errors or self.frame is None:
            raise ParticipantFileError(self.errors)
        return self.frame


def read_participant_file(
    source: Source,
    *,
    as_of: date,
    organisations: Mapping[str, str] | None = None,
    file_format: Literal["csv", "xlsx"] | None = None,
    limits: TabularLimits | None = None,
) -> ParticipantFile:
    """Read a CSV or XLSX participant file and validate every row.

    `organisations` maps accepted codes and aliases (any case) to the canonical code; None
    accepts any non-empty code. `as_of` is the reporting date: it fixes the century of 10-digit
    personal_ids and marks rows that have not started yet. The format is taken from the file
    name (.xlsx) or the content (the ZIP signature), else CSV. `limits` bound the file before
    and while it is parsed (default: `core.tabular.LOCAL_LIMITS`, for an operator's own files;
    uploads pass the settings' limits); a file over a limit is refused with one error and
    `refusal` set.
    """
    limits = limits or LOCAL_LIMITS
    fmt = file_format or _guess_format(source)
    try:
        raw = read_raw_table(source, fmt, limits, encode=_dictionary_columns(organisations))
    except TableTooLarge as exc:
        return ParticipantFile(errors=(FileIssue(str(exc)),), warnings=(), rows_read=0, refusal=exc)
    except _UnreadableFile as exc:
        return ParticipantFile(errors=(exc.issue(),), warnings=(), rows_read=0)
    return parse_participant_table(raw, as_of=as_of, organisations=organisations)


class _UnreadableFile(Exception):
    """A file that is not a table; `code` and `params` as a FileIssue's."""

    def __init__(
        self, message: str, code: str, params: tuple[tuple[str, str | int], ...] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.params = params

    def issue(self) -> FileIssue:
        return FileIssue(str(self), code=self.code, params=self.params)


def read_raw_table(
    source: Source,
    file_format: str,
    limits: TabularLimits,
    *,
    encode: frozenset[str] = frozenset(),
) -> pl.DataFrame:
    """All cells as strings, the header as first row, plus `row`; bounded by `limits`.

    A CSV column whose header names one of `encode` is read dictionary-encoded (a Categorical
    with its own category set) instead: the same cells, a quarter of the memory.
    Raises TableTooLarge, or _UnreadableFile for a file that is not a table."""
    check_size(source_size(source), limits)
    if file_format == "xlsx":
        return _read_xlsx(source, limits)
    return _read_csv(source, limits, encode=encode)


def _guess_format(source: Source) -> str:
    if isinstance(source, str | Path):
        if Path(source).suffix.lower() in {".xlsx", ".xlsm"}:
            return "xlsx"
        with open(source, "rb") as fh:
            head = fh.read(4)
    elif isinstance(source, bytes):
        head = source[:4]
    else:
        pos = source.tell()
        head = source.read(4)
        source.seek(pos)
    return "xlsx" if head == b"PK\x03\x04" else "csv"


def _read_csv(
    source: Source, limits: TabularLimits = LOCAL_LIMITS, *, encode: frozenset[str] = frozenset()
) -> pl.DataFrame:
    """All cells as strings, header included as the first row, plus `row` (1-based); the
    columns named in `encode` as Categoricals (see `read_raw_table`)."""
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            head = fh.read(65536)
        polars_source: str | Path | bytes = source
    else:
        data = source if isinstance(source, bytes) else source.read()
        head = data[:65536]
        polars_source = data
    if not head.strip():
        raise _UnreadableFile(_EMPTY_FILE, "empty_file")
    first_line = head.split(b"\n", 1)[0]
    try:
        first_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        if len(first_line) < len(head) or len(head) < 65536:
            raise _UnreadableFile("the file is not UTF-8 encoded text", "not_utf8") from None
    # Swedish Excel writes ';'; the header decides (names never contain either character).
    separator = ";" if first_line.count(b";") > first_line.count(b",") else ","
    # A header without quotes is its first line: parsing that alone spares mapping the file.
    whole_line = len(first_line) < len(head) and b'"' not in first_line
    header_source = first_line + b"\n" if whole_line else polars_source
    try:
        header = pl.read_csv(
            header_source,
            has_header=False,
            n_rows=1,
            separator=separator,
            infer_schema=False,
            truncate_ragged_lines=True,
        )
        check_columns(header.width, limits)
        width = header.width + _EXTRA_FIELDS
        names = [(v or "").strip().lower() for v in header.row(0)] if header.height else []
        schema: dict[str, pl.DataType] = {f"c{i}": pl.String() for i in range(width)}
        for i, name in enumerate(names):
            if name in encode:
                # Coded columns repeat a few values: the reader builds each column's dictionary
                # as it goes, so a million cells never exist as strings (and never page in).
                schema[f"c{i}"] = pl.Categorical(pl.Categories.random())
        # One row more than allowed (the header is a row here) tells that there are too many.
        last = None if limits.max_rows is None else limits.max_rows + 2
        frame = pl.read_csv(
            polars_source,
            has_header=False,
            separator=separator,
            schema=schema,
            missing_columns="insert",
            truncate_ragged_lines=True,
            empty_string_is_null=True,
            quote_char='"',
            n_rows=last,
        )
        if limits.max_rows is not None and frame.height > limits.max_rows + 1:
            raise TableTooLarge("rows", limit=limits.max_rows)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc).lower():
            raise _UnreadableFile("the file is not UTF-8 encoded text", "not_utf8") from None
        detail = _first_line(exc)
        raise _UnreadableFile(
            f"the file cannot be read as CSV: {detail}", "not_csv", (("detail", detail),)
        ) from None
    except pl.exceptions.NoDataError:
        raise _UnreadableFile(_EMPTY_FILE, "empty_file") from None
    # Exports put a single quote before text a spreadsheet would run as a formula; drop it. A
    # dictionary holding such a cell (rare: no valid code is formula-like) goes back to strings.
    guarded = [
        name
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Categorical)
        and dtype.categories.to_series().str.starts_with(CSV_GUARD).any()
    ]
    frame = frame.with_columns(pl.col(guarded).cast(pl.String)) if guarded else frame
    return _name_raw(unguard_frame(_one_chunk(frame)))


def _one_chunk(frame: pl.DataFrame) -> pl.DataFrame:
    """The reader's table without its trailing columns that hold no cell at all (the fields
    read beyond the header for over-long rows, usually empty), in one chunk per column.

    The reader returns dozens of chunks and string kernels are much faster on one: joining
    them here, while nothing else holds the chunks, lets their memory be reused by the
    validation instead of the validation copying the whole table beside it."""
    width = frame.width
    while width and frame.get_column(frame.columns[width - 1]).null_count() == frame.height:
        width -= 1
    # Column by column, each column's chunks freed before the next is joined.
    columns = frame.columns[:width]
    return pl.DataFrame([frame.drop_in_place(name).rechunk() for name in columns])


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _read_xlsx(source: Source, limits: TabularLimits = LOCAL_LIMITS) -> pl.DataFrame:
    # The container, the declared size and the rows are bounded by `core.tabular` before and
    # while openpyxl reads them.
    try:
        rows = [[_xlsx_text(v) for v in r] for r in iter_xlsx_rows(source, limits)]
    except TableTooLarge:
        raise
    except Exception as exc:  # zipfile and openpyxl raise many kinds for a broken file
        kind = type(exc).__name__
        raise _UnreadableFile(
            f"the file cannot be read as XLSX ({kind})", "not_xlsx", (("detail", kind),)
        ) from None
    while rows and not any(v is not None for v in rows[-1]):
        rows.pop()  # trailing empty rows (formatting only)
    if not rows or not any(v is not None for v in rows[0]):
        raise _UnreadableFile(
            "row 1: the header row is empty; expected the column names", "header_empty"
        )
    # Cells beyond the last non-empty one are padding of the sheet's extent.
    width = max((i + 1 for r in rows for i, v in enumerate(r) if v is not None), default=0)
    check_columns(width, limits)
    columns = {f"c{i}": [r[i] if i < len(r) else None for r in rows] for i in range(width)}
    frame = pl.DataFrame(columns, schema={f"c{i}": pl.String for i in range(width)})
    return _name_raw(frame)


def _xlsx_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _name_raw(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns `c0, c1, ...` with the header as first row: add the 1-based `row` number."""
    return frame.with_row_index("row", offset=1).with_columns(pl.col("row").cast(pl.Int64))


def parse_participant_table(
    raw: pl.DataFrame,
    *,
    as_of: date,
    organisations: Mapping[str, str] | None = None,
) -> ParticipantFile:
    """Validate a raw table of strings: `row` plus `c0, c1, ...`, the header as first row.

    This is the file-independent half of `read_participant_file`, so an importer can feed it
    rows from elsewhere.
    """
    errors: list[FileIssue] = []
    warnings: list[FileIssue] = []
    raw_columns = [c for c in raw.columns if c != "row"]
    header_row = raw.row(0, named=True) if raw.height else {}
    header = [(header_row.get(c) or "").strip().lower() for c in raw_columns]
    last_named = max((i for i, h in enumerate(header) if h), default=-1)
    # String kernels are much faster on one chunk; the CSV reader's table is one already (see
    # `_one_chunk`), a table from elsewhere may not be.
    body = raw.slice(1).rechunk()

    by_name: dict[str, str] = {}  # canonical name -> raw column
    position_of: dict[str, int] = {}
    for index, (column, key) in enumerate(zip(raw_columns, header, strict=True)):
        position = index + 1
        if not key:
            cleaned = body.select("row", _clean(pl.col(column)).alias(column))
            if cleaned.get_column(column).is_null().all():
                continue
            if index > last_named:
                _collect(
                    errors,
                    cleaned,
                    pl.col(column).is_not_null(),
                    str(position),
                    f"the row has more fields than the header's {last_named + 1} columns",
                    _found_value(column),
                    "extra_fields",
                    (("columns", pl.lit(last_named + 1)), ("value", _found_value(column))),
                )
            else:
                warnings.append(
                    FileIssue(
                        "a column without a name; ignored",
                        row=1,
                        column=str(position),
                        code="unnamed_column",
                    )
                )
        elif key not in _KINDS:
            warnings.append(
                FileIssue(
                    "unknown column; ignored", row=1, column=_shown(key), code="unknown_column"
                )
            )
        elif key in by_name:
            errors.append(
                FileIssue(
                    f"the column appears more than once (columns {position_of[key]} and "
                    f"{position})",
                    row=1,
                    column=key,
                    code="duplicate_column",
                    params=(("first", position_of[key]), ("second", position)),
                )
            )
        else:
            by_name[key] = column
            position_of[key] = position
    for name in REQUIRED_COLUMNS:
        if name not in by_name:
            errors.append(
                FileIssue(
                    "a required column is missing, found no such column",
                    row=1,
                    column=name,
                    code="missing_column",
                )
            )

    values = body.select(
        "row",
        *[
            pl.col(by_name[n]).alias(n) if n in by_name else pl.lit(None, pl.String).alias(n)
            for n in COLUMNS
        ],
    )
    typed, format_checks = _parse_columns(values, as_of=as_of, organisations=organisations)
    # Fully empty rows (often left at the end of a sheet) are not data rows. Most files have
    # none, and filtering would copy every column.
    blank = typed.select(pl.all_horizontal(pl.col(f"__empty_{n}") for n in COLUMNS)).to_series()
    if blank.any():
        typed = typed.filter(~blank)
    checks = format_checks + _cross_checks(typed, present=set(by_name))
    masks = typed.select([c.mask.alias(f"m{i}") for i, c in enumerate(checks)])
    for i, (check, count) in enumerate(zip(checks, masks.sum().row(0), strict=True)):
        if count:
            _collect(
                errors,
                typed.with_columns(masks.get_column(f"m{i}")),
                pl.col(f"m{i}"),
                check.column,
                check.message,
                check.found,
                check.code,
                check.params,
            )

    final = typed.select(
        "row",
        *[pl.col(f"__{n}").alias(n) for n in COLUMNS if n != "birth_date"],
        # If birth_date is empty and personal_id valid, the birth date comes from personal_id.
        pl.coalesce("__birth_date", "__pid_birth").alias("birth_date"),
    ).select(list(participant_schema()))
    late = final.filter(pl.col("entry_date") > as_of).select(
        "row", pl.col("entry_date").cast(pl.String)
    )
    warnings += [
        FileIssue(
            f"entry_date is after the reporting date {as_of.isoformat()}, found {entry}; the "
            "row is left out",
            row,
            "entry_date",
            code="entry_after_reporting_date",
            params=(("reporting_date", as_of.isoformat()), ("entry_date", entry)),
        )
        for row, entry in late.iter_rows()
    ]
    errors.sort(key=lambda e: (e.row or 0, _column_order(e.column)))
    return ParticipantFile(
        errors=tuple(errors),
        warnings=tuple(warnings),
        rows_read=typed.height,
        frame=None if errors else final,
    )


def _column_order(column: str | None) -> int:
    if column in COLUMNS:
        return COLUMNS.index(column)
    return len(COLUMNS)


def _clean(expr: pl.Expr) -> pl.Expr:
    # Trim surrounding spaces; an empty or blank cell is unknown.
    stripped = expr.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def _shown(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class _Check:
    column: str
    mask: pl.Expr
    message: str
    found: pl.Expr | None  # a string expression describing what was found; None → not echoed
    # The FileIssue's code, and its parameters as expressions over the row (see FileIssue).
    code: str = ""
    params: tuple[tuple[str, pl.Expr], ...] = ()


def _text(name: str) -> pl.Expr:
    # A raw column as strings, whether it was read as strings or dictionary-encoded.
    return pl.col(name).cast(pl.String)


def _found_value(name: str) -> pl.Expr:
    return pl.format("'{}'", pl.col(name).str.strip_chars().str.slice(0, 40))


def _bad_cell_code(name: str) -> str:
    """The FileIssue code of a cell its column's parser rejects: one per kind of date and
    yes/no column, else one per column (each names its own values)."""
    kind = _KINDS[name][0]
    if kind == "date":
        return "not_date"
    if kind == "bool":
        return "not_yes_no"
    return f"bad_{name}"


def _parser(name: str, organisations: Mapping[str, str] | None) -> tuple[Any, pl.DataType, str]:
    """(parse function from the trimmed cell, result type, message) for a coded column."""
    kind, *args = _KINDS[name]
    if kind == "date":

        def parse(col: pl.Expr) -> pl.Expr:
            parsed = pl.when(col.str.contains(_DATE_RE)).then(
                col.str.to_date("%Y-%m-%d", strict=False)
            )
            return pl.when(parsed >= _FIRST_DAY).then(parsed)

        return parse, pl.Date(), "not a date in the form YYYY-MM-DD"
    if kind == "bool":
        return (
            lambda col: col.str.to_lowercase().replace_strict(
                _BOOLEANS, default=None, return_dtype=pl.Boolean
            ),
            pl.Boolean(),
            "not a yes/no value (yes, no, ja, nej, true, false, 1, 0)",
        )
    if kind == "code" or kind == "organisation":
        if kind == "code":
            mapping, message = args
        else:
            assert organisations is not None  # noqa: S101 - guarded by the caller
            mapping = {k.strip().lower(): v for k, v in organisations.items()}
            message = "not a known organisation code"
        return (
            lambda col: col.str.to_lowercase().replace_strict(
                mapping, default=None, return_dtype=pl.String
            ),
            pl.String(),
            message,
        )
    if kind == "int":
        low, high, message = args

        def parse_int(col: pl.Expr) -> pl.Expr:
            number = pl.when(col.str.contains(_UINT_RE)).then(col.cast(pl.Int64, strict=False))
            in_range = number >= low if high is None else number.is_between(low, high)
            return pl.when(in_range).then(number)

        return parse_int, pl.Int64(), message
    if kind == "municipality":
        codes = list(municipality_by_code())
        return (
            lambda col: pl.when(col.is_in(codes)).then(col),
            pl.String(),
            "not a known 4-digit SCB municipality code",
        )
    raise ValueError(kind)


def _coded_columns(organisations: Mapping[str, str] | None) -> frozenset[str]:
    """Columns parsed through their dictionary: all but free text (and the organisation code
    when there is no register to map it with)."""
    text_kinds = {"ref", "text", "personal_id"} | (
        {"organisation"} if organisations is None else set()
    )
    return frozenset(name for name in COLUMNS if _KINDS[name][0] not in text_kinds)


def _dictionary_columns(organisations: Mapping[str, str] | None) -> frozenset[str]:
    """Coded columns the CSV reader encodes as it reads: all but the dates, which stay strings
    so that a column written entirely in the strict form is parsed directly (see
    `_strict_dates`); building a dictionary of a date column cost the reader more than the
    parse it saves."""
    return _coded_columns(organisations) - frozenset(DATE_COLUMNS)


def _strict_dates(
    values: pl.DataFrame, names: list[str]
) -> tuple[pl.DataFrame, list[pl.Expr], set[str]]:
    """Parse the string date columns `names` whose every cell is empty or exactly a valid
    YYYY-MM-DD (what a program writes): the typed value and the empty-cell mask of each, as
    expressions over the returned frame. A column with any other cell (spaces, another form, a
    bad date) is left to the dictionary path, which trims and names every bad cell.

    A cell that parses untrimmed has no surrounding spaces, so its trimmed value is itself
    and the result equals the dictionary path's."""
    if not names:
        return values, [], set()
    # As the dictionary path's `parse` for a date, with its two conditions checked once for
    # the whole column instead of per row (the eager engine would parse twice).
    # Without the cache of distinct strings: on a million cells it costs more than it saves.
    values = values.with_columns(
        pl.col(n).str.to_date("%Y-%m-%d", strict=False, cache=False).alias(f"__strict_{n}")
        for n in names
    )
    strict = [
        pl.col(n).is_null()
        | (pl.col(n).str.contains(_DATE_RE) & (pl.col(f"__strict_{n}") >= _FIRST_DAY)).fill_null(
            False
        )
        for n in names
    ]
    complete = values.select(ok.all() for ok in strict).row(0)
    direct = {name for name, ok in zip(names, complete, strict=True) if ok}
    exprs = [
        expr
        for name in names
        if name in direct
        for expr in (
            pl.col(f"__strict_{name}").alias(f"__{name}"),
            pl.col(name).is_null().alias(f"__empty_{name}"),
        )
    ]
    return values, exprs, direct


def _parse_columns(
    values: pl.DataFrame, *, as_of: date, organisations: Mapping[str, str] | None
) -> tuple[pl.DataFrame, list[_Check]]:
    """Add `__<name>` (typed), `__empty_<name>` and, for bad cells, `__bad_<name>` columns.

    Coded columns (dates, booleans, codes, numbers) repeat a few thousand distinct values
    across a file: each column (but a date column written strictly, see `_strict_dates`) is
    dictionary-encoded (a Categorical with its own category set, so its categories are exactly
    the values that occur; the CSV reader already gives them so), each distinct value is
    trimmed and parsed once, and the results are gathered back by code.
    The encoding and the gathering each run as one `select` over all coded columns, so Polars
    spreads the columns over the cores. Free-text columns are trimmed directly.
    """
    checks: list[_Check] = []
    exprs: list[pl.Expr] = []
    coded = _coded_columns(organisations)
    # Date columns read as strings and written strictly are parsed directly; the rest, and
    # every date column that holds another cell, go through their dictionary.
    values, gathered, direct = _strict_dates(
        values, [n for n in DATE_COLUMNS if values.schema[n] == pl.String]
    )
    values = values.with_columns(
        pl.col(name).cast(pl.Categorical(pl.Categories.random()))
        for name in COLUMNS
        if name in coded
        and name not in direct
        and not isinstance(values.schema[name], pl.Categorical)
    )
    for name in COLUMNS:
        if name not in coded or name in direct:
            continue
        columns, message, found = _parse_coded(values.get_column(name), name, organisations)
        gathered += columns
        if len(columns) == 3:  # some cells are bad
            checks.append(
                _Check(
                    name,
                    pl.col(f"__bad_{name}"),
                    message,
                    found,
                    _bad_cell_code(name),
                    (("value", found),),
                )
            )
    # Free-text columns are trimmed once, up front: `_clean` names the trimmed text twice and
    # the eager engine would trim again at every use.
    free_text = [name for name in COLUMNS if name not in coded]
    values = values.with_columns(
        pl.col(n).str.strip_chars().alias(f"__trimmed_{n}") for n in free_text
    )
    for name in free_text:
        kind = _KINDS[name][0]
        trimmed = pl.col(f"__trimmed_{name}")
        filled = trimmed.str.len_bytes() > 0
        cleaned = pl.when(filled).then(trimmed)  # as `_clean`
        exprs.append((~filled).fill_null(True).alias(f"__empty_{name}"))
        if kind == "organisation":
            # Codes are case-insensitive; without a register, the upper-case form is canonical.
            exprs.append(cleaned.str.to_uppercase().alias(f"__{name}"))
        elif kind != "personal_id":
            exprs.append(cleaned.alias(f"__{name}"))
        if kind == "ref":
            length = pl.col("__participant_ref").str.len_chars()
            checks.append(
                _Check(
                    name,
                    (length > MAX_REF_LENGTH).fill_null(False),
                    f"longer than {MAX_REF_LENGTH} characters",
                    pl.format("{} characters", length),
                    "ref_too_long",
                    (("limit", pl.lit(MAX_REF_LENGTH)), ("length", length)),
                )
            )

    pid = personnummer_frame(values.get_column("personal_id"), reference_date=as_of)
    for kind_name, text in (
        ("format", FORMAT_MESSAGE),
        ("date", DATE_MESSAGE),
        ("checksum", CHECKSUM_MESSAGE),
    ):
        mask = (pl.col("__pid_error") == kind_name).fill_null(False)
        checks.append(_Check("personal_id", mask, text, None, f"personal_id_{kind_name}"))
    typed = values.with_columns(*exprs, *gathered).with_columns(
        pid.get_column("error").alias("__pid_error"),
        pid.get_column("birth_date").alias("__pid_birth"),
        pid.get_column("normalised").alias("__personal_id"),
    )
    return typed, checks


def _parse_coded(
    encoded: pl.Series, name: str, organisations: Mapping[str, str] | None
) -> tuple[list[pl.Expr], str, pl.Expr]:
    """Expressions over the encoded column: typed values, the empty-cell mask and, when some
    cells are bad, the bad-cell mask; the message for a bad cell and what it shows as found."""
    parse, dtype, message = _parser(name, organisations)
    dictionary = encoded.dtype
    assert isinstance(dictionary, pl.Categorical)  # noqa: S101 - encoded by the caller
    # The categories in code order (a code never used would be null: parsed as unknown).
    distinct = (
        dictionary.categories.to_series()
        .to_frame("value")
        .with_row_index("code")
        .with_columns(clean=_clean(pl.col("value")))
        .with_columns(parsed=parse(pl.col("clean")).cast(dtype))
    )
    codes = pl.col(name).to_physical()
    columns = [pl.lit(distinct.get_column("parsed")).gather(codes).alias(f"__{name}")]
    blank = distinct.filter(pl.col("value").is_not_null() & pl.col("clean").is_null())
    empty = codes.is_null()
    if blank.height:
        empty = empty | codes.is_in(blank.get_column("code").to_list())
    columns.append(empty.alias(f"__empty_{name}"))
    bad = distinct.filter(pl.col("clean").is_not_null() & pl.col("parsed").is_null())
    if bad.height:
        codes_bad = bad.get_column("code").to_list()
        columns.append(codes.is_in(codes_bad).fill_null(False).alias(f"__bad_{name}"))
    # As `_found_value`, from the dictionary: the cells are codes, not strings.
    shown = distinct.select(_found_value("value")).to_series()
    return columns, message, pl.lit(shown).gather(codes)


def _cross_checks(typed: pl.DataFrame, *, present: set[str]) -> list[_Check]:
    """Checks that relate columns: required values, order of dates, agreement, uniqueness."""
    checks = [
        _Check(
            name,
            pl.col(f"__empty_{name}"),
            "a required value is missing",
            pl.lit("an empty cell"),
            "required_missing",
        )
        for name in REQUIRED_COLUMNS
        if name in present
    ]

    def found_dates(a: str, b: str) -> pl.Expr:
        return pl.concat_str([pl.lit(f"{a} "), _text(a), pl.lit(f" and {b} "), _text(b)])

    checks.append(
        _Check(
            "exit_date",
            (pl.col("__exit_date") < pl.col("__entry_date")).fill_null(False),
            "exit_date is before entry_date",
            found_dates("exit_date", "entry_date"),
            "exit_before_entry",
            (("exit_date", _text("exit_date")), ("entry_date", _text("entry_date"))),
        )
    )
    for obs in ("exit_observed_on", "followup_observed_on"):
        checks.append(
            _Check(
                obs,
                (pl.col(f"__{obs}") < pl.col("__exit_date")).fill_null(False),
                f"{obs} is before exit_date",
                found_dates(obs, "exit_date"),
                "observed_before_exit",
                (
                    ("observed_column", pl.lit(obs)),
                    ("observed", _text(obs)),
                    ("exit_date", _text("exit_date")),
                ),
            )
        )
    checks.append(
        _Check(
            "personal_id",
            (pl.col("__pid_birth") != pl.col("__birth_date")).fill_null(False),
            "the birth date in personal_id disagrees with birth_date",
            pl.concat_str([pl.lit("birth_date "), _text("birth_date")]),
            "personal_id_birth_date",
            (("birth_date", _text("birth_date")),),
        )
    )
    # Duplicates: every occurrence after the first of an organisation's participant_ref. Most
    # files have no repeated reference at all, which is cheap to establish.
    refs = typed.get_column("__participant_ref")
    if refs.drop_nulls().n_unique() == refs.count():
        return checks
    org = pl.col("__organisation")
    key = [org, pl.col("__participant_ref")]
    first = pl.col("row").min().over(key)
    checks.append(
        _Check(
            "participant_ref",
            (
                pl.col("__participant_ref").is_not_null()
                & org.is_not_null()
                & (pl.col("row") != first)
            ).fill_null(False),
            "the same participant_ref appears more than once for one organisation",
            pl.concat_str(
                [
                    _found_value("participant_ref"),
                    pl.lit(" for "),
                    org,
                    pl.lit(" (first on row "),
                    first.cast(pl.String),
                    pl.lit(")"),
                ]
            ),
            "duplicate_ref",
            (
                ("value", _found_value("participant_ref")),
                ("organisation", org),
                ("first_row", first),
            ),
        )
    )
    return checks


def _collect(
    errors: list[FileIssue],
    frame: pl.DataFrame,
    mask: pl.Expr,
    column: str,
    message: str,
    found: pl.Expr | None,
    code: str = "",
    params: tuple[tuple[str, pl.Expr], ...] = (),
) -> None:
    # Compute what was found before filtering: some descriptions look at other rows (`over`).
    found_expr = found if found is not None else pl.lit(None, pl.String)
    names = [name for name, _ in params]
    selected = (
        frame.select(
            "row",
            mask.alias("__mask"),
            found_expr.alias("found"),
            *[expr.cast(pl.String).alias(f"__param{i}") for i, (_, expr) in enumerate(params)],
        )
        .filter("__mask")
        .drop("__mask")
    )
    for row, shown, *values in selected.iter_rows():
        text = message if shown is None else f"{message}, found {shown}"
        errors.append(
            FileIssue(
                text,
                row=row,
                column=column,
                code=code,
                params=tuple(zip(names, (v or "" for v in values), strict=True)),
            )
        )
