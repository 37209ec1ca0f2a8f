"""Django adapter of the monthly report: reads projects and enrolments into the pure core's
types (emplus.esf.report_core), and writes a month's rows as an XLSX file.

Personal identity numbers are decrypted only by `participations(..., identity_numbers=True)`,
which only the file writer asks for; pages and checks work with the numbers' pseudonyms.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from emplus.core.export_cells import xlsx_workbook, xlsx_write_row
from emplus.esf import report_core as core
from emplus.esf.models import ESFProject, ReportFile
from emplus.pathways.models import Enrolment

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def project_facts(project: ESFProject) -> core.ProjectFacts:
    return core.ProjectFacts(
        start=project.start_date,
        end=project.end_date,
        men_protected_form=project.men_protected_form,
    )


def template_columns(project: ESFProject) -> list[core.Column]:
    template = getattr(project, "template", None)
    if template is None:
        return list(core.PLATFORM_DEFAULT_COLUMNS)
    return [core.Column(c.header, c.field, c.text) for c in template.columns.all()]


def participating_condition(project: ESFProject, prefix: str = "") -> Q:
    """Participants of the project's units; an organisation without chosen units takes part
    with all of them."""
    units = list(project.participating_units.values_list("pk", "organisation_id"))
    with_units = {organisation for _, organisation in units}
    whole = [
        pk
        for pk in project.participating_organisations.values_list("pk", flat=True)
        if pk not in with_units
    ]
    condition = Q(pk__in=[])
    if units:
        condition |= Q(**{f"{prefix}unit__in": [pk for pk, _ in units]})
    if whole:
        condition |= Q(**{f"{prefix}organisation__in": whole})
    return condition


def project_enrolments(project: ESFProject) -> QuerySet[Enrolment]:
    """Enrolments in the participating units that overlap the project period."""
    return (
        Enrolment.objects.filter(participating_condition(project, "participant__"))
        .filter(entry_date__lte=project.end_date)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=project.start_date))
    )


def participations(
    project: ESFProject,
    *,
    identity_numbers: bool = False,
    only_participants: Iterable | None = None,
) -> list[core.Participation]:
    """The project's participations as plain data. Without `identity_numbers` the numbers stay
    encrypted in the database: the core sees only whether one exists, through its pseudonym."""
    qs = project_enrolments(project)
    if only_participants is not None:
        qs = qs.filter(participant__in=list(only_participants))
    return participations_from(qs.order_by("entry_date", "pk"), identity_numbers=identity_numbers)


def participations_from(
    enrolments: QuerySet[Enrolment], *, identity_numbers: bool = False
) -> list[core.Participation]:
    qs = enrolments.select_related("participant")
    if not identity_numbers:
        qs = qs.defer("participant__personal_id", "participant__address")
    qs = qs.annotate(
        has_personal_id=ExpressionWrapper(
            Q(participant__personal_id__isnull=False), output_field=BooleanField()
        )
    )
    result = []
    for enrolment in qs:
        p = enrolment.participant
        identity_ref = p.pseudonym or ("present" if enrolment.has_personal_id else "")
        person = core.Person(
            key=str(p.pk),
            ref=p.participant_ref,
            identity_ref=identity_ref,
            personal_id=p.personal_id if identity_numbers else None,
            protected_identity=p.protected_identity,
            given_name=p.given_name or "",
            family_name=p.family_name or "",
            gender=p.gender,
            birth_date=p.birth_date,
            email=p.email or "",
            phone=p.phone or "",
            municipality_code=p.municipality_id or "",
            lm_status_entry=p.lm_status_entry,
            isced=p.isced,
        )
        result.append(
            core.Participation(
                key=str(enrolment.pk),
                person=person,
                start=enrolment.entry_date,
                end=enrolment.exit_date,
            )
        )
    return result


# --- the submission log -------------------------------------------------------------------------


def month_date(month: core.Month) -> date:
    return month.first_day


def file_rows(report_file: ReportFile) -> tuple[core.ReportRow, ...]:
    return tuple(core.row_from_dict(item) for item in json.loads(report_file.rows))


def rows_json(rows: Sequence[core.ReportRow]) -> str:
    return json.dumps([core.row_to_dict(row) for row in rows], ensure_ascii=False)


def history(project: ESFProject) -> tuple[set[core.Month], dict[core.Month, ReportFile]]:
    """(months with a generated file, the newest sent file of each sent month)."""
    generated: set[core.Month] = set()
    sent: dict[core.Month, ReportFile] = {}
    files = ReportFile.objects.filter(project=project).order_by("month", "sent_at")
    for report_file in files.only("pk", "month", "sent_at", "rows", "generated_at"):
        month = core.Month.of(report_file.month)
        generated.add(month)
        if report_file.sent_at is not None:
            sent[month] = report_file  # ordered by sent_at: the newest wins
    return generated, sent


def correction_plan(
    project: ESFProject,
    *,
    sent: dict[core.Month, ReportFile],
    current_participations: Sequence[core.Participation],
) -> core.CorrectionPlan:
    men_form = project.men_protected_form
    return core.correction_plan(
        sent={month: core.SentMonth(month, file_rows(f), f.sent_at) for month, f in sent.items()},
        current={
            month: core.month_rows(current_participations, month, men_form=men_form)
            for month in sent
        },
    )


# --- the file ------------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def file_name(project: ESFProject, month: core.Month) -> str:
    case = _UNSAFE_NAME.sub("-", project.case_number).strip("-") or "esf"
    return f"{case}_{month}.xlsx"


def write_xlsx(
    rows: Sequence[core.ReportRow],
    *,
    columns: Sequence[core.Column],
    date_format: str,
    created: datetime,
) -> bytes:
    """The month's file: the template's header row, then one row per report row. Every cell is
    text written as a string cell (core.export_cells), so nothing in it is ever taken for a
    formula, and identity numbers and codes keep their leading zeros."""
    buffer = io.BytesIO()
    workbook = xlsx_workbook(buffer)
    # A fixed creation time (the generation's) makes the bytes reproducible from the same rows.
    workbook.set_properties({"created": created.astimezone(UTC).replace(tzinfo=None)})
    sheet = workbook.add_worksheet("Deltagare")
    xlsx_write_row(sheet, 0, 0, [column.header for column in columns])
    for index, row in enumerate(rows, start=1):
        cells = core.render_cells(row, columns, date_format=date_format)
        xlsx_write_row(sheet, index, 0, [cell or None for cell in cells])
    workbook.close()
    return buffer.getvalue()
