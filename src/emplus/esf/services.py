"""Writes of the ESF projects app: each one transaction, each audited in that transaction."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.esf import report_core as core
from emplus.esf import reporting
from emplus.esf.choices import TemplateSource
from emplus.esf.models import ColumnTemplate, ESFProject, ReportFile, TemplateColumn
from emplus.organisations.models import Organisation, Unit
from emplus.testbeds.models import TestBed

MAX_COLUMNS = 100
# A template without these cannot carry a monthly report.
REQUIRED_FIELDS = ("personal_id", "start_date", "end_date")


class ReportRefused(Exception):
    """The month cannot be written; `problems` lists every reason."""

    def __init__(self, problems: Sequence[core.Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = tuple(problems)


# --- projects -----------------------------------------------------------------------------------


def _check_project(
    *,
    organisation: Organisation,
    start_date: date,
    end_date: date,
    organisations: list[Organisation],
    units: list[Unit],
    men_protected_form: str,
) -> None:
    errors: dict[str, str] = {}
    if end_date < start_date:
        errors["end_date"] = _("The project cannot end before it starts.")
    chosen = {o.pk for o in organisations} | {organisation.pk}
    if any(unit.organisation_id not in chosen for unit in units):
        errors["participating_units"] = _("Every unit must belong to a participating organisation.")
    problem = core.men_form_problem(men_protected_form)
    if problem == "placeholder":
        errors["men_protected_form"] = _(
            "Write ÅÅÅÅMMDD once where the birth date goes, as in the instructions."
        )
    elif problem == "characters":
        errors["men_protected_form"] = _(
            "Use at most 32 letters, digits, '+' or '-', as in the instructions."
        )
    if errors:
        raise ValidationError(errors)


def _template_default(project: ESFProject) -> ColumnTemplate:
    template = ColumnTemplate.objects.create(project=project, source=TemplateSource.PLATFORM)
    TemplateColumn.objects.bulk_create(
        TemplateColumn(template=template, position=i, header=c.header, field=c.field, text=c.text)
        for i, c in enumerate(core.PLATFORM_DEFAULT_COLUMNS)
    )
    return template


@transaction.atomic
def esf_project_create(
    *,
    actor: User,
    organisation: Organisation,
    case_number: str,
    title: str,
    programme_area: str,
    start_date: date,
    end_date: date,
    participating_organisations: Iterable[Organisation] = (),
    participating_units: Iterable[Unit] = (),
    men_protected_form: str = "",
    test_bed: TestBed | None = None,
) -> ESFProject:
    """Create a project with the platform's default column template; the owner organisation
    always takes part."""
    organisations = list(participating_organisations)
    units = list(participating_units)
    _check_project(
        organisation=organisation,
        start_date=start_date,
        end_date=end_date,
        organisations=organisations,
        units=units,
        men_protected_form=men_protected_form,
    )
    project = ESFProject(
        organisation=organisation,
        case_number=case_number.strip(),
        title=title.strip(),
        programme_area=programme_area,
        start_date=start_date,
        end_date=end_date,
        men_protected_form=men_protected_form,
        test_bed=test_bed,
    )
    project.full_clean()
    project.save()
    project.participating_organisations.set({organisation, *organisations})
    project.participating_units.set(units)
    _template_default(project)
    audit_log(actor=actor, action="esf_project.created", target=project, purpose="esf_reporting")
    return project


PROJECT_FIELDS = (
    "case_number",
    "title",
    "programme_area",
    "start_date",
    "end_date",
    "men_protected_form",
    "test_bed",
)


@transaction.atomic
def esf_project_update(
    *,
    actor: User,
    project: ESFProject,
    participating_organisations: Iterable[Organisation] | None = None,
    participating_units: Iterable[Unit] | None = None,
    **values: Any,
) -> ESFProject:
    """Change a project's facts; audits the names of the fields that changed. Months already
    sent are compared with the changed data on the project page."""
    unknown = set(values) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    organisations = (
        list(project.participating_organisations.all())
        if participating_organisations is None
        else list(participating_organisations)
    )
    units = (
        list(project.participating_units.all())
        if participating_units is None
        else list(participating_units)
    )
    merged = {name: values.get(name, getattr(project, name)) for name in PROJECT_FIELDS}
    _check_project(
        organisation=project.organisation,
        start_date=merged["start_date"],
        end_date=merged["end_date"],
        organisations=organisations,
        units=units,
        men_protected_form=merged["men_protected_form"],
    )
    changed = sorted(name for name, value in values.items() if getattr(project, name) != value)
    for name, value in values.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    organisations_now = {project.organisation, *organisations}
    if {o.pk for o in organisations_now} != set(
        project.participating_organisations.values_list("pk", flat=True)
    ):
        project.participating_organisations.set(organisations_now)
        changed.append("participating_organisations")
    if {u.pk for u in units} != set(project.participating_units.values_list("pk", flat=True)):
        project.participating_units.set(units)
        changed.append("participating_units")
    if changed:
        audit_log(
            actor=actor,
            action="esf_project.changed",
            target=project,
            purpose="esf_reporting",
            details={"fields": changed},
        )
    return project


# --- column templates ---------------------------------------------------------------------------


def _check_columns(columns: Sequence[core.Column]) -> None:
    if not columns:
        raise ValidationError(_("A template needs at least one column."))
    if len(columns) > MAX_COLUMNS:
        raise ValidationError(_("A template has at most %(max)s columns.") % {"max": MAX_COLUMNS})
    errors = []
    for number, column in enumerate(columns, start=1):
        if not column.header.strip():
            errors.append(_("Column %(n)s has no header.") % {"n": number})
        if column.field == "fixed" and not column.text.strip():
            errors.append(_("Column %(n)s: write the fixed text.") % {"n": number})
    fields = [c.field for c in columns]
    labels = {
        "personal_id": _("personal identity number"),
        "start_date": _("start date"),
        "end_date": _("end date"),
    }
    for name in REQUIRED_FIELDS:
        if name not in fields:
            errors.append(_("No column takes the %(field)s.") % {"field": labels[name]})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def esf_template_update(
    *,
    actor: User,
    project: ESFProject,
    columns: Sequence[core.Column],
    date_format: str,
    source: str = TemplateSource.ADJUSTED,
    source_file_name: str = "",
) -> ColumnTemplate:
    """Replace the project's columns (header exactly as in the template received, the field it
    takes) and its date format."""
    _check_columns(columns)
    if date_format not in core.DATE_FORMATS:
        raise ValidationError({"date_format": _("Choose one of the date formats offered.")})
    template, _created = ColumnTemplate.objects.get_or_create(project=project)
    template.source = source
    template.date_format = date_format
    if source == TemplateSource.RECEIVED:
        template.source_file_name = source_file_name[:255]
    template.full_clean()
    template.save()
    template.columns.all().delete()
    TemplateColumn.objects.bulk_create(
        TemplateColumn(
            template=template,
            position=i,
            header=c.header.strip()[:200],
            field=c.field,
            text=c.text.strip()[:100],
        )
        for i, c in enumerate(columns)
    )
    audit_log(
        actor=actor,
        action="esf_template.changed",
        target=project,
        purpose="esf_reporting",
        details={"columns": len(columns), "source": source, "date_format": date_format},
    )
    return template


# --- the monthly report -------------------------------------------------------------------------


@transaction.atomic
def esf_report_generate(
    *, actor: User, project: ESFProject, month: core.Month, today: date | None = None
) -> ReportFile:
    """Check the month and write its file to the submission log; refused with every problem.

    Identity numbers are decrypted here, for the rows of this month only, and leave the
    process only inside the (encrypted) stored file and its download."""
    today = today or timezone.localdate()
    # One generation per project at a time: the history read below must stay true.
    project = ESFProject.objects.select_for_update().get(pk=project.pk)
    generated, sent = reporting.history(project)
    checked = core.month_report(
        project=reporting.project_facts(project),
        participations=reporting.participations(project),
        month=month,
        today=today,
        generated=generated,
        reported=sent.keys(),
    )
    if checked.problems:
        raise ReportRefused(checked.problems)
    people = {row.participant_key for row in checked.rows}
    with_numbers = reporting.participations(
        project, identity_numbers=True, only_participants=people
    )
    rows = core.month_rows(with_numbers, month, men_form=project.men_protected_form)
    template = project.template
    now = timezone.now()
    content = reporting.write_xlsx(
        rows,
        columns=reporting.template_columns(project),
        date_format=template.date_format,
        created=now,
    )
    digest = hashlib.sha256(content).hexdigest()
    report_file = ReportFile.objects.create(
        project=project,
        month=month.first_day,
        generated_by=actor,
        generated_at=now,
        file_name=reporting.file_name(project, month),
        file_sha256=digest,
        row_count=len(rows),
        rows=reporting.rows_json(rows),
        content=base64.b64encode(content).decode("ascii"),
    )
    audit_log(
        actor=actor,
        action="esf_report.generated",
        target=project,
        purpose="esf_reporting",
        details={
            "month": str(month),
            "file": str(report_file.pk),
            "sha256": digest,
            "rows": len(rows),
            "participants": sorted(people),
        },
    )
    return report_file


@transaction.atomic
def esf_report_mark_sent(*, actor: User, report_file: ReportFile) -> ReportFile:
    """Record that this file was sent to Statistics Sweden: who, when."""
    report_file = ReportFile.objects.select_for_update().get(pk=report_file.pk)
    if report_file.sent_at is not None:
        raise ValidationError(_("This file is already marked as sent."))
    newer = ReportFile.objects.filter(
        project_id=report_file.project_id,
        month=report_file.month,
        generated_at__gt=report_file.generated_at,
    )
    if newer.exists():
        raise ValidationError(
            _("A newer file of this month exists: mark that one as sent instead.")
        )
    report_file.sent_by = actor
    report_file.sent_at = timezone.now()
    report_file.save(update_fields=["sent_by", "sent_at", "updated_at"])
    audit_log(
        actor=actor,
        action="esf_report.marked_sent",
        target=report_file.project,
        purpose="esf_reporting",
        details={
            "month": str(core.Month.of(report_file.month)),
            "file": str(report_file.pk),
            "sha256": report_file.file_sha256,
        },
    )
    return report_file
