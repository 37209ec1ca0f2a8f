"""A table as a file download (XLSX or CSV), every cell made inert (decision 0012)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

from emplus.core.export_cells import table_bytes

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def download_format(requested: str | None) -> str | None:
    """The file format a download asks for (XLSX unless named); None for an unknown one."""
    file_format = requested or "xlsx"
    return file_format if file_format in CONTENT_TYPES else None


def table_download(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, name: str, file_format: str
) -> HttpResponse:
    content = table_bytes(header, rows, file_format=file_format, sheet_name=name)
    reply = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    reply["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return reply
