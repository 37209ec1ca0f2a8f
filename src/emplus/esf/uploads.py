"""Reading the header row of a template received from Statistics Sweden. The file is bounded
before and while it is parsed by `emplus.core.tabular` (size, archive, declared and streamed
extent, time); only the first rows are looked at."""

from __future__ import annotations

import csv
import zipfile

from emplus.core.tabular import (
    TableTooLarge,
    TabularLimits,
    check_columns,
    check_size,
    iter_xlsx_rows,
)

MAX_ROWS_LOOKED_AT = 20


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


def _xlsx_header(data: bytes, limits: TabularLimits) -> list[str]:
    try:
        for number, row in enumerate(iter_xlsx_rows(data, limits), start=1):
            headers = _clean(row)
            if any(headers):
                return headers
            if number >= MAX_ROWS_LOOKED_AT:
                break
    except TableTooLarge:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise HeaderRowError("unreadable") from None
    raise HeaderRowError("no_header")


def _csv_header(data: bytes) -> list[str]:
    text = ""
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


def header_row_read(data: bytes, *, name: str, limits: TabularLimits) -> list[str]:
    """The headers of the first row that has text (trailing empty cells dropped). Raises
    TableTooLarge for a file over a limit, HeaderRowError for one without a header row."""
    check_size(len(data), limits)
    lower = name.lower()
    if lower.endswith(".xlsx"):
        headers = _xlsx_header(data, limits)
    elif lower.endswith(".csv"):
        headers = _csv_header(data)
    else:
        raise HeaderRowError("format")
    check_columns(len(headers), limits)
    if not any(headers):
        raise HeaderRowError("no_header")
    return headers
