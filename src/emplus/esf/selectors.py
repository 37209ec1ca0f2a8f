"""Reads of the ESF projects app, scoped to the viewer; reads that show people are audited."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.esf import report_core as core
from emplus.esf import reporting
from emplus.esf.models import ESFProject, ReportFile

PARTICIPANTS_PER_PAGE = 50


def esf_project_list(*, viewer: User, permission: str = "esf.view") -> QuerySet[ESFProject]:
    return (
        ESFProject.objects.restrict(viewer, permission)
        .select_related("organisation", "test_bed")
        .order_by("-start_date", "case_number")
    )


def esf_project_get(*, viewer: User, pk: UUID, permission: str = "esf.view") -> ESFProject:
    """One project of an organisation where the viewer holds `permission`; else 404."""
    project = (
        ESFProject.objects.restrict(viewer, permission)
        .select_related("organisation", "test_bed", "template")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    return project


def report_file_get(
    *, viewer: User, project: ESFProject, pk: UUID, permission: str = "esf.view"
) -> ReportFile:
    report_file = (
        ReportFile.objects.restrict(viewer, permission)
        .filter(project=project, pk=pk)
        .select_related("generated_by", "sent_by")
        .first()
    )
    if report_file is None:
        raise Http404
    return report_file


def report_file_log(*, project: ESFProject) -> QuerySet[ReportFile]:
    """The submission log of a project (the caller has already scoped the project)."""
    return (
        ReportFile.objects.filter(project=project)
        .select_related("generated_by", "sent_by")
        .defer("rows", "content")
        .order_by("-month", "-generated_at")
    )


@dataclass
class ProjectOverview:
    statuses: list[core.MonthStatus]
    plan: core.CorrectionPlan
    files_by_month: dict[core.Month, list[ReportFile]] = field(default_factory=dict)
    participant_count: int = 0


@transaction.atomic
def esf_project_overview(*, viewer: User, project: ESFProject, today: date) -> ProjectOverview:
    """Every month with its state, the months to correct or re-send with what changed, and the
    files of each month. Names nobody: changes are shown by participant reference."""
    generated, sent = reporting.history(project)
    current = reporting.participations(project)
    plan = reporting.correction_plan(project, sent=sent, current_participations=current)
    statuses = core.month_overview(
        project=reporting.project_facts(project),
        today=today,
        generated=generated,
        sent=sent.keys(),
        plan=plan,
    )
    files: dict[core.Month, list[ReportFile]] = {}
    for report_file in report_file_log(project=project):
        files.setdefault(core.Month.of(report_file.month), []).append(report_file)
    if plan.corrections:
        # The differences name participants (by reference): a read of their records.
        refs = sorted({c.participant_ref for d in plan.corrections for c in d.changes})
        audit_log(
            actor=viewer,
            action="esf_project.corrections_viewed",
            target=project,
            purpose="esf_reporting",
            details={"participant_refs": refs},
        )
    return ProjectOverview(
        statuses=statuses,
        plan=plan,
        files_by_month=files,
        participant_count=len({p.person.key for p in current}),
    )


@transaction.atomic
def esf_month_preview(
    *, viewer: User, project: ESFProject, month: core.Month, today: date
) -> core.MonthReport:
    """The rows a month would have now, and every problem that stops it (no identity numbers:
    the rows carry only whether one exists). The read is audited."""
    generated, sent = reporting.history(project)
    result = core.month_report(
        project=reporting.project_facts(project),
        participations=reporting.participations(project),
        month=month,
        today=today,
        generated=generated,
        reported=sent.keys(),
    )
    audit_log(
        actor=viewer,
        action="esf_report.previewed",
        target=project,
        purpose="esf_reporting",
        details={
            "month": str(month),
            "participants": sorted({row.participant_key for row in result.rows}),
        },
    )
    return result


@dataclass(frozen=True)
class ParticipantRow:
    participation: core.Participation
    unit: str


@transaction.atomic
def esf_project_participants(*, viewer: User, project: ESFProject, page: str | int | None) -> Page:
    """One page of the project's participations (by start date) with their units; the page
    read is audited. Only the page's people are decrypted."""
    enrolments = reporting.project_enrolments(project).order_by("entry_date", "pk")
    # The page's enrolments are replaced by their report rows below.
    result: Page[Any] = Paginator(enrolments, PARTICIPANTS_PER_PAGE).get_page(page)
    page_qs = enrolments.filter(pk__in=[e.pk for e in result.object_list])
    units = dict(page_qs.values_list("pk", "participant__unit__name"))
    result.object_list = [
        ParticipantRow(p, units.get(UUID(p.key), ""))
        for p in reporting.participations_from(page_qs)
    ]
    audit_log(
        actor=viewer,
        action="participant.listed",
        target=project,
        purpose="esf_reporting",
        details={"participants": sorted({r.participation.person.key for r in result.object_list})},
    )
    return result


@transaction.atomic
def report_file_content(*, viewer: User, report_file: ReportFile) -> bytes:
    """The stored file, byte for byte as generated (its SHA-256 is in the log); audited."""
    content = base64.b64decode(report_file.content)
    audit_log(
        actor=viewer,
        action="esf_report.downloaded",
        target=report_file.project,
        purpose="esf_reporting",
        details={
            "month": str(core.Month.of(report_file.month)),
            "file": str(report_file.pk),
            "sha256": report_file.file_sha256,
        },
    )
    return content
