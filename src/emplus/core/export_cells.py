"""Cells of CSV and XLSX exports that a spreadsheet never runs as a formula (pure, no Django).

A spreadsheet treats text that starts with `=`, `+`, `-` or `@` (and, in some programs, a tab
or a carriage return before one) as a formula, so a participant reference or an activity title
typed as `=HYPERLINK(...)` would run in the analyst's Excel (OWASP "CSV injection"). Every
writer goes through this module:

- CSV: `safe_cell` / `safe_row` / `safe_frame` put a single quote before such text, which the
  spreadsheet shows as text (OWASP's advice); the participant-file reader drops that quote
  again, so an export still imports unchanged (`strip_csv_guard`).
- XLSX: `xlsx_workbook` opens an xlsxwriter workbook that never turns strings into formulas,
  numbers or links, and `xlsx_write` / `xlsx_write_row` write text with `write_string`;
  `openpyxl_row` makes openpyxl write-only cells whose text is a string cell (data type `s`).
  Text keeps its exact value there: a string cell is never evaluated.

Numbers stay numbers: a negative number is a number, not text, and text that is exactly a
number (`-5`, `+46`, `1,5`) is not a formula and is written unchanged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # the libraries load only when an export is written
    import polars as pl
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "CSV_GUARD",
    "FORMULA_PATTERN",
    "NUMBER_PATTERN",
    "is_formula_like",
    "openpyxl_row",
    "safe_cell",
    "safe_frame",
    "safe_row",
    "strip_csv_guard",
    "table_bytes",
    "unguard_frame",
    "xlsx_workbook",
    "xlsx_write",
    "xlsx_write_row",
]

CSV_GUARD = "'"
# The characters that start a formula (OWASP), with their full-width forms (which some East
# Asian spreadsheet versions accept as well). Leading spaces are skipped: some programs trim
# them before deciding.
_TRIGGERS = "=+\\-@\t\r\uff1d\uff0b\uff0d\uff20"
FORMULA_PATTERN = rf"^ *[{_TRIGGERS}]"
# Text that is exactly a (signed) number is read as that number, never as a formula.
NUMBER_PATTERN = r"^ *[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)? *$"
_FORMULA = re.compile(FORMULA_PATTERN)
_NUMBER = re.compile(NUMBER_PATTERN)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula."""
    return bool(_FORMULA.match(text)) and not _NUMBER.match(text)


def safe_cell(value: Any) -> Any:
    """The value for a CSV cell: formula-like text gets a leading single quote; everything
    else (numbers, dates, None, ordinary text) is returned unchanged."""
    if isinstance(value, str) and is_formula_like(value):
        return CSV_GUARD + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """`safe_cell` over a row, for `csv.writer.writerow`."""
    return [safe_cell(v) for v in values]


def strip_csv_guard(text: str) -> str:
    """Undo `safe_cell` on a value read from a CSV file written by the platform."""
    if text.startswith(CSV_GUARD) and is_formula_like(text[1:]):
        return text[1:]
    return text


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A Polars frame ready for `write_csv`: formula-like text in every text column gets the
    leading single quote (the same rule as `safe_cell`, as a columnar expression)."""
    import polars as pl

    exprs = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        column = pl.col(name)
        risky = column.str.contains(FORMULA_PATTERN) & ~column.str.contains(NUMBER_PATTERN)
        exprs.append(
            pl.when(risky.fill_null(False))
            .then(pl.lit(CSV_GUARD) + column)
            .otherwise(column)
            .alias(name)
        )
    return frame.with_columns(exprs) if exprs else frame


def unguard_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Undo `safe_frame` on every text column of a frame read from a CSV file.

    Only the columns where some cell starts with the guard are rewritten: in most files none
    does, and rewriting a column copies every string (about 1.5 CPU seconds for a file of a
    million rows and 28 columns)."""
    import polars as pl

    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text or not frame.height:
        return frame
    starts = frame.select(
        pl.col(name).str.starts_with(CSV_GUARD).any().alias(name) for name in text
    ).row(0)
    exprs = []
    for name, any_guard in zip(text, starts, strict=True):
        if not any_guard:
            continue
        column = pl.col(name)
        rest = column.str.slice(1)
        guarded = (
            column.str.starts_with(CSV_GUARD)
            & rest.str.contains(FORMULA_PATTERN)
            & ~rest.str.contains(NUMBER_PATTERN)
        )
        exprs.append(pl.when(guarded.fill_null(False)).then(rest).otherwise(column).alias(name))
    return frame.with_columns(exprs) if exprs else frame


# --- XLSX ---------------------------------------------------------------------------------------

# Options that stop xlsxwriter from interpreting strings (formulas, numbers, links).
XLSXWRITER_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def xlsx_workbook(target: str | Path | IO[bytes], **options: Any) -> Workbook:
    """An xlsxwriter Workbook (in memory) that writes every string as a string."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, {"in_memory": True, **options, **XLSXWRITER_OPTIONS})


def xlsx_write(
    sheet: Worksheet, row: int, col: int, value: Any, cell_format: Format | None = None
) -> None:
    """Write one cell with xlsxwriter: text as a string cell, numbers as numbers, booleans as
    booleans, dates as ISO text; None (and NaN) leaves the cell empty."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, int | float | Decimal):
        number = float(value)
        if math.isfinite(number):
            sheet.write_number(row, col, number, cell_format)
    elif isinstance(value, datetime | date):
        sheet.write_string(row, col, value.isoformat(), cell_format)
    else:
        sheet.write_string(row, col, str(value), cell_format)


def xlsx_write_row(
    sheet: Worksheet,
    row: int,
    col: int,
    values: Sequence[Any] | Iterable[Any],
    cell_format: Format | None = None,
) -> None:
    """`xlsx_write` for consecutive cells of a row."""
    for offset, value in enumerate(values):
        xlsx_write(sheet, row, col + offset, value, cell_format)


def openpyxl_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Cells for `sheet.append` of an openpyxl write-only sheet: text becomes a string cell
    (never a formula), other values are passed on as they are."""
    from openpyxl.cell import WriteOnlyCell

    out: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(value)
    return out


def table_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    file_format: str,
    sheet_name: str = "data",
) -> bytes:
    """A whole table as CSV (UTF-8 with a byte-order mark, so that Excel reads å, ä, ö) or
    XLSX bytes, every cell through the rules above. Dates are written as YYYY-MM-DD."""
    import csv
    import io

    if file_format == "xlsx":
        buffer = io.BytesIO()
        workbook = xlsx_workbook(buffer)
        sheet = workbook.add_worksheet(sheet_name[:31])
        xlsx_write_row(sheet, 0, 0, header)
        for number, row in enumerate(rows, start=1):
            xlsx_write_row(sheet, number, 0, row)
        workbook.close()
        return buffer.getvalue()
    if file_format != "csv":
        raise ValueError(f"unknown format {file_format!r}")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(
            safe_row(v.isoformat() if isinstance(v, date | datetime) else v for v in row)
        )
    return b"\xef\xbb\xbf" + text.getvalue().encode("utf-8")
