"""Bounded reading of CSV and XLSX files: limits checked before and while parsing (pure, no Django).

A spreadsheet is a ZIP of XML. A 2 KB file can declare a million rows and 16 384 columns (its
`<dimension ref=...>`), which openpyxl pads out cell by cell, or hold a gigabyte of XML
compressed a thousand to one. Every reader of uploaded tables goes through this module:

1. the size in bytes (`check_size`), before anything is read;
2. for XLSX, the ZIP directory (`inspect_xlsx`): number of entries, total uncompressed size and
   compression ratio, then the first sheet's declared dimension, read from the first bytes of
   its XML; all before openpyxl opens the file;
3. while parsing: rows and columns are cut at the limits (openpyxl in read-only mode with an
   explicit last row and column, Polars with `n_rows`), and a deadline is checked as rows
   stream in.

A file over a limit raises `TableTooLarge` with a `kind` and the numbers, so that callers with
a user interface can translate the message; `str()` is a plain English sentence for the
command line. The Django side takes the limits from settings (`emplus.core.uploads`).
"""

from __future__ import annotations

import io
import posixpath
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # Polars loads only when a table is read
    import polars as pl

__all__ = [
    "LOCAL_LIMITS",
    "UPLOAD_LIMITS",
    "Deadline",
    "SheetShape",
    "TableTooLarge",
    "TabularLimits",
    "check_columns",
    "check_size",
    "inspect_xlsx",
    "iter_xlsx_rows",
    "source_size",
    "xlsx_frame",
]

MiB = 1024 * 1024
# Excel's own sheet limits: nothing larger is a real spreadsheet.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
# Entries smaller than this are not checked for their compression ratio (tiny XML parts
# compress extremely well and are harmless).
_RATIO_FLOOR = 1 * MiB
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class TabularLimits:
    """Upper bounds for one table file. None switches a bound off.

    `max_rows` counts data rows (the header is not counted); `max_seconds` is the wall-clock
    budget for parsing; the XLSX bounds apply to the ZIP container."""

    max_bytes: int | None = 25 * MiB
    max_rows: int | None = 200_000
    max_columns: int | None = 200
    max_seconds: float | None = 60.0
    max_uncompressed_bytes: int = 200 * MiB
    max_compression_ratio: float = 200.0
    max_zip_entries: int = 1_000


#: Defaults for files that users upload (the settings may change them).
UPLOAD_LIMITS = TabularLimits()
#: Files an operator passes on the command line: no size or row bound (a million-row CSV is a
#: normal input), but the structural XLSX checks still hold.
LOCAL_LIMITS = TabularLimits(
    max_bytes=None,
    max_rows=None,
    max_columns=1_000,
    max_seconds=None,
    max_uncompressed_bytes=4 * 1024 * MiB,
)


class TableTooLarge(ValueError):
    """The file exceeds a limit; nothing of it was used.

    `kind` is one of: bytes, rows, columns, declared_rows, declared_columns, uncompressed,
    ratio, entries, seconds."""

    _TEXT = {
        "bytes": "the file is {found:,} bytes; at most {limit:,} bytes are accepted",
        "rows": "the file has more than {limit:,} data rows (empty rows that carry formatting "
        "count too)",
        "columns": "the file has {found:,} columns; at most {limit:,} are accepted",
        "declared_rows": "the workbook declares {found:,} rows; at most {limit:,} data rows "
        "are accepted",
        "declared_columns": "the workbook declares {found:,} columns; at most {limit:,} are "
        "accepted",
        "uncompressed": "the workbook unpacks to more than {limit:,} bytes",
        "ratio": "the workbook is compressed more than {limit:,.0f} to 1, which no ordinary "
        "spreadsheet is",
        "entries": "the workbook holds more than {limit:,} parts",
        "seconds": "reading the file took longer than {limit:,.0f} seconds",
    }

    def __init__(self, kind: str, *, limit: float, found: float | None = None) -> None:
        self.kind = kind
        self.limit = limit
        self.found = found
        super().__init__(self._TEXT[kind].format(limit=limit, found=found or 0))


def source_size(source: str | Path | bytes | IO[bytes]) -> int:
    """Size in bytes of a path, bytes, or a seekable binary stream (position kept)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return len(source)
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    position = source.tell()
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def check_size(size: int, limits: TabularLimits) -> None:
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise TableTooLarge("bytes", limit=limits.max_bytes, found=size)


def check_columns(columns: int, limits: TabularLimits) -> None:
    if limits.max_columns is not None and columns > limits.max_columns:
        raise TableTooLarge("columns", limit=limits.max_columns, found=columns)


class Deadline:
    """The parse-time budget: `check()` raises once it is spent."""

    def __init__(self, limits: TabularLimits) -> None:
        self.limit = limits.max_seconds
        self.ends = None if self.limit is None else time.monotonic() + self.limit

    def check(self) -> None:
        if self.ends is not None and time.monotonic() > self.ends:
            raise TableTooLarge("seconds", limit=self.limit or 0)


# --- XLSX -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetShape:
    """What the first sheet declares: rows and columns of its `<dimension>` (None if absent)."""

    path: str
    rows: int | None
    columns: int | None


def _open_zip(source: str | Path | bytes | IO[bytes]) -> zipfile.ZipFile:
    if isinstance(source, bytes | bytearray | memoryview):
        return zipfile.ZipFile(io.BytesIO(source))
    return zipfile.ZipFile(source)


def inspect_xlsx(source: str | Path | bytes | IO[bytes], limits: TabularLimits) -> SheetShape:
    """Check the ZIP container and the first sheet's declared dimension without parsing any
    cell. Raises TableTooLarge, or zipfile.BadZipFile / KeyError for a file that is not a
    workbook."""
    position = None if isinstance(source, str | Path | bytes) else source.tell()
    try:
        with _open_zip(source) as archive:
            entries = archive.infolist()
            if len(entries) > limits.max_zip_entries:
                raise TableTooLarge("entries", limit=limits.max_zip_entries, found=len(entries))
            total = 0
            for entry in entries:
                total += entry.file_size
                if total > limits.max_uncompressed_bytes:
                    raise TableTooLarge(
                        "uncompressed", limit=limits.max_uncompressed_bytes, found=total
                    )
                if entry.file_size > _RATIO_FLOOR:
                    ratio = entry.file_size / max(entry.compress_size, 1)
                    if ratio > limits.max_compression_ratio:
                        raise TableTooLarge(
                            "ratio", limit=limits.max_compression_ratio, found=ratio
                        )
            path = _first_sheet_path(archive)
            with archive.open(path) as sheet:
                head = _read_head(sheet)
    finally:
        if position is not None:
            source.seek(position)  # type: ignore[union-attr]
    shape = _declared_shape(path, head)
    if shape.rows is not None and limits.max_rows is not None and shape.rows > limits.max_rows + 1:
        raise TableTooLarge("declared_rows", limit=limits.max_rows, found=shape.rows)
    if (
        shape.columns is not None
        and limits.max_columns is not None
        and shape.columns > limits.max_columns
    ):
        raise TableTooLarge("declared_columns", limit=limits.max_columns, found=shape.columns)
    return shape


def _read_head(stream: IO[bytes]) -> bytes:
    """The sheet XML up to its cell data (where the dimension must be), at most 64 KB."""
    head = b""
    while len(head) < _HEAD_BYTES:
        chunk = stream.read(4096)
        if not chunk:
            break
        head += chunk
        if _SHEET_DATA.search(head):
            break
    return head


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part of the first sheet in workbook order (what openpyxl reads as worksheets[0])."""
    from xml.etree import ElementTree as ET  # noqa: S405 - bounded size; expat limits entities

    names = set(archive.namelist())
    workbook = _workbook_part(archive)
    base = posixpath.dirname(workbook)
    rels_path = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
    if workbook not in names or rels_path not in names:
        raise KeyError("not a workbook")
    book = ET.fromstring(_read_part(archive, workbook))  # noqa: S314
    rels = ET.fromstring(_read_part(archive, rels_path))  # noqa: S314
    targets = {r.get("Id"): r.get("Target", "") for r in rels if r.tag.endswith("Relationship")}
    for element in book.iter():
        if element.tag.endswith("}sheet") or element.tag == "sheet":
            rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            if not target:
                continue
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(base, target))
            )
            if path in names:
                return path
    raise KeyError("the workbook has no sheet")


def _workbook_part(archive: zipfile.ZipFile, default: str = "xl/workbook.xml") -> str:
    """The main workbook part named by the package relationships (usually xl/workbook.xml)."""
    from xml.etree import ElementTree as ET  # noqa: S405

    try:
        rels = ET.fromstring(_read_part(archive, "_rels/.rels"))  # noqa: S314
    except KeyError:
        return default
    for r in rels:
        if r.get("Type", "").endswith("/officeDocument"):
            return r.get("Target", default).lstrip("/")
    return default


def _read_part(archive: zipfile.ZipFile, name: str, limit: int = 8 * MiB) -> bytes:
    with archive.open(name) as part:
        data = part.read(limit + 1)
    if len(data) > limit:
        raise TableTooLarge("uncompressed", limit=limit, found=len(data))
    return data


def _declared_shape(path: str, head: bytes) -> SheetShape:
    match = _DIMENSION.search(head)
    if not match:
        return SheetShape(path, None, None)
    ref = match.group(1).decode("ascii", "replace").strip()
    last = ref.split(":")[-1]
    end = _CELL.match(last)
    if not end:
        return SheetShape(path, None, None)
    # openpyxl pads from row 1 and column A up to the end of the extent, so the end counts.
    return SheetShape(path, int(end.group(2)), _column_number(end.group(1)))


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + (ord(char) - 64)
    return number


def iter_xlsx_rows(
    source: str | Path | bytes | IO[bytes], limits: TabularLimits
) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows as value tuples, the header first, after `inspect_xlsx`.

    Rows are streamed by openpyxl in read-only mode with the last row and column given, so no
    declared extent is padded out; more than `max_rows` data rows or a spent deadline raise
    TableTooLarge. Trailing empty cells are kept (callers trim)."""
    from openpyxl import load_workbook

    check_size(source_size(source), limits)
    shape = inspect_xlsx(source, limits)
    deadline = Deadline(limits)
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    workbook = load_workbook(stream, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        last_row = None if limits.max_rows is None else limits.max_rows + 2
        # openpyxl pads every row to the last column asked for: the declared width when there
        # is one (never above the limit, see inspect_xlsx), else the limit.
        last_column = min(
            shape.columns or EXCEL_MAX_COLUMNS, limits.max_columns or EXCEL_MAX_COLUMNS
        )
        rows = sheet.iter_rows(
            min_row=1,
            max_row=last_row or EXCEL_MAX_ROWS,
            max_col=last_column,
            values_only=True,
        )
        for count, row in enumerate(rows, start=1):
            if limits.max_rows is not None and count > limits.max_rows + 1:
                # Refused rather than cut: rows beyond could hold data. Empty rows that carry
                # formatting count, as they do for openpyxl.
                raise TableTooLarge("rows", limit=limits.max_rows)
            if count % 1000 == 0:
                deadline.check()
            yield row
        deadline.check()
    finally:
        workbook.close()


def xlsx_frame(source: str | Path | bytes | IO[bytes], limits: TabularLimits) -> pl.DataFrame:
    """The first sheet as a Polars frame with the header row as column names; a column of
    numbers is numeric, of booleans boolean, of dates a date, anything else text."""
    import polars as pl

    rows = iter_xlsx_rows(source, limits)
    header = next(rows, None)
    if header is None:
        return pl.DataFrame()
    width = max((i + 1 for i, v in enumerate(header) if v not in (None, "")), default=0)
    names = []
    for i, value in enumerate(header[:width]):
        name = str(value).strip() if value not in (None, "") else f"column_{i + 1}"
        while name in names:
            name += "_"
        names.append(name)
    check_columns(width, limits)
    columns: list[list[Any]] = [[] for _ in names]
    for row in rows:
        if not any(v is not None for v in row):
            continue
        for i in range(width):
            columns[i].append(row[i] if i < len(row) else None)
    return pl.DataFrame({n: _typed_column(v) for n, v in zip(names, columns, strict=True)})


def _typed_column(values: list[Any]) -> pl.Series:
    import datetime as dt

    import polars as pl

    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pl.Series(values, dtype=pl.Boolean)
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pl.Series(values, dtype=pl.Int64)
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pl.Series([None if v is None else float(v) for v in values], dtype=pl.Float64)
    if present and all(isinstance(v, dt.datetime) for v in present):
        return pl.Series(values, dtype=pl.Datetime)
    if present and all(isinstance(v, dt.date) for v in present):
        return pl.Series(values, dtype=pl.Date)
    return pl.Series([None if v is None else str(v) for v in values], dtype=pl.String)
