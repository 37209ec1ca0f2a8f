"""Reading the header row of a template received from Statistics Sweden, with hard bounds
(file size, archive contents, rows and columns looked at) before anything is parsed."""

from __future__ import annotations

import csv
import io
import zipfile

MAX_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED = 20 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 500
MAX_ROWS_LOOKED_AT = 20
MAX_COLUMNS = 100


class HeaderRowError(ValueError):
    """Why no header row could be read; `code` picks the message shown."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _clean(values) -> list[str]:
    headers = ["" if v is None else str(v).strip() for v in values]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _xlsx_header(data: bytes) -> list[str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise HeaderRowError("unreadable") from None
    if len(members) > MAX_ARCHIVE_MEMBERS or sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
        raise HeaderRowError("too_large")
    from openpyxl import load_workbook  # heavy; only for uploads

    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(
            min_row=1, max_row=MAX_ROWS_LOOKED_AT, max_col=MAX_COLUMNS + 1, values_only=True
        )
        for row in rows:
            headers = _clean(row)
            if any(headers):
                return headers
    except Exception:  # noqa: BLE001 - any parser failure is "unreadable" to the person
        raise HeaderRowError("unreadable") from None
    finally:
        if workbook is not None:
            workbook.close()
    raise HeaderRowError("no_header")


def _csv_header(data: bytes) -> list[str]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    lines = [line for line in text.splitlines()[:MAX_ROWS_LOOKED_AT] if line.strip()]
    if not lines:
        raise HeaderRowError("no_header")
    first = lines[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return _clean(next(csv.reader([first], delimiter=delimiter)))


def header_row_read(data: bytes, *, name: str) -> list[str]:
    """The headers of the first row that has text (trailing empty cells dropped)."""
    if len(data) > MAX_BYTES:
        raise HeaderRowError("too_large")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        headers = _xlsx_header(data)
    elif lower.endswith(".csv"):
        headers = _csv_header(data)
    else:
        raise HeaderRowError("format")
    if len(headers) > MAX_COLUMNS:
        raise HeaderRowError("too_many_columns")
    if not any(headers):
        raise HeaderRowError("no_header")
    return headers
