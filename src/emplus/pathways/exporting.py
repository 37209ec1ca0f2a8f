"""Export of participants in the participant-file format (what the import reads back)."""

from __future__ import annotations

import io

import polars as pl
from django.db.models import QuerySet

from emplus.core.audit import audit_list
from emplus.core.export_cells import openpyxl_row, safe_frame
from emplus.organisations.models import Organisation
from emplus.pathways.evidence_adapter import participant_frame

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def participants_export(
    *,
    actor,
    participants: QuerySet,
    organisation: Organisation | None,
    include_identity: bool = False,
    channel: str = "page",
) -> pl.DataFrame:
    """The given (already scoped) participants as a participant file frame, one row per
    participant (its latest enrolment), erased records left out. The export is audited:
    who, which records (one event naming them all, by record id), whether identities were
    included; never the records' contents."""
    participants = participants.filter(erased_at__isnull=True)
    frame = participant_frame(participants, include_identity=include_identity, enrolments="latest")
    audit_list(
        actor=actor,
        action="participant.exported",
        ids=participants.order_by("participant_ref").values_list("pk", flat=True),
        organisation=organisation,
        purpose="case_work",
        details={"rows": frame.height, "personal_id": include_identity, "channel": channel},
    )
    return frame


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates as YYYY-MM-DD, booleans as yes/no, numbers as digits: the file's vocabulary."""
    exprs = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if dtype == pl.Boolean:
            exprs.append(pl.when(column).then(pl.lit("yes")).when(~column).then(pl.lit("no")))
        else:
            exprs.append(column.cast(pl.String))
    return frame.select([e.alias(n) for e, n in zip(exprs, frame.columns, strict=True)])


def write_participant_file(
    frame: pl.DataFrame, *, file_format: str = "csv", byte_order_mark: bool = True
) -> bytes:
    """CSV (UTF-8, ',', with a byte-order mark so that Excel reads å, ä, ö) or XLSX bytes.

    Text that a spreadsheet would run as a formula is written inert (`core.export_cells`); the
    participant-file reader reads it back unchanged."""
    text = _as_text(frame)
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("participants")
        sheet.append(openpyxl_row(sheet, text.columns))
        for row in text.iter_rows():
            sheet.append(openpyxl_row(sheet, row))
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    if file_format != "csv":
        raise ValueError(f"unknown format {file_format!r}")
    data = safe_frame(text).write_csv(null_value="").encode("utf-8")
    return (b"\xef\xbb\xbf" if byte_order_mark else b"") + data
