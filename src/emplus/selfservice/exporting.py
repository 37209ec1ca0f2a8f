"""The attested-time list of a unit and month as an XLSX workbook, written through the
project's formula-safe cell helper (emplus.core.export_cells): text is never a formula."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from emplus.core.audit import audit_log
from emplus.core.export_cells import xlsx_workbook, xlsx_write, xlsx_write_row
from emplus.selfservice.selectors import TimeOverview


def time_overview_xlsx(overview: TimeOverview, *, actor) -> bytes:
    """One row per participant: reference, hours, status, how and when attested. No names:
    the reference is enough to follow up, and the file may travel."""
    buffer = io.BytesIO()
    workbook = xlsx_workbook(buffer)
    sheet = workbook.add_worksheet(_("Attested time")[:31])
    bold = workbook.add_format({"bold": True})
    tenth = workbook.add_format({"num_format": "0.0"})
    headers = [
        _("Participant reference"),
        _("Unit"),
        _("Month"),
        _("Hours"),
        _("Source of the hours"),
        _("Status"),
        _("Attested by"),
        _("Signed on"),
    ]
    xlsx_write_row(sheet, 0, 0, headers, bold)
    month = overview.month.strftime("%Y-%m")
    for index, row in enumerate(overview.rows, start=1):
        attestation = row.attestation
        xlsx_write_row(
            sheet,
            index,
            0,
            [
                row.participant.participant_ref,
                overview.unit.name,
                month,
                None,
                str(row.source_label),
                str(row.status_label),
                attestation.get_method_display() if attestation else "",
                attestation.signed_on if attestation else "",
            ],
        )
        xlsx_write(sheet, index, 3, row.hours, tenth)
    total = len(overview.rows) + 2
    for offset, (label, value) in enumerate(
        [
            (_("Attested hours"), overview.summary.attested_hours),
            (_("Attested"), overview.summary.attested),
            (_("Not attested"), overview.summary.missing + overview.summary.changed),
        ]
    ):
        xlsx_write(sheet, total + offset, 0, label, bold)
        xlsx_write(sheet, total + offset, 3, value, tenth if offset == 0 else None)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 28)
    sheet.set_column(4, 7, 24)
    workbook.close()
    audit_log(
        actor=actor,
        action="monthly_time.exported",
        organisation=overview.unit.organisation_id,
        purpose="case_work",
        details={
            "month": overview.month,
            "unit": str(overview.unit.pk),
            "participants": [str(r.participant.pk) for r in overview.rows],
        },
    )
    return buffer.getvalue()
