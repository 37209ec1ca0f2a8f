"""Reads of the self-service app, scoped to the viewer; reads that show names are audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.organisations.models import Unit
from emplus.pathways import selectors as pathway_selectors
from emplus.pathways.models import Enrolment, Participant, PathwayStep
from emplus.selfservice import hours as hours_rules
from emplus.selfservice.choices import HoursSource, TimeStatus
from emplus.selfservice.models import MonthlyTime, SelfServiceLink, TimeAttestation
from emplus.selfservice.tokens import token_hash, token_well_formed


def participant_for_selfservice(*, viewer: User, pk: UUID, permission: str) -> Participant:
    """A participant for whom the viewer holds `permission` ("selfservice.link", "time.view",
    "time.change") in the participant's organisation and unit; links and time are never shared
    by consent. The read is audited, as every page here shows the name."""
    return pathway_selectors.participant_get(viewer=viewer, pk=pk, permission=permission)


# --- links -----------------------------------------------------------------------------------


def link_list(*, viewer: User, participant: Participant | None = None) -> QuerySet[SelfServiceLink]:
    qs = SelfServiceLink.objects.restrict(viewer, "selfservice.link").select_related(
        "participant", "instrument", "created_by"
    )
    if participant is not None:
        qs = qs.filter(participant=participant)
    return qs.order_by("-created_at")


def link_get(*, viewer: User, pk: UUID) -> SelfServiceLink:
    link = link_list(viewer=viewer).filter(pk=pk).first()
    if link is None:
        raise Http404
    return link


def link_by_token(*, token: str) -> SelfServiceLink | None:
    """The link a token opens, or None; malformed tokens never reach the database."""
    if not token_well_formed(token):
        return None
    return (
        SelfServiceLink.objects.select_related("participant", "enrolment", "instrument")
        .filter(token_hash=token_hash(token))
        .first()
    )


# --- attested time ---------------------------------------------------------------------------


@dataclass
class MonthRow:
    participant: Participant
    month: date
    hours: Decimal
    source: str
    version: int  # 0 while no row is stored: the hours then come from the steps
    monthly: MonthlyTime | None
    attestation: TimeAttestation | None  # the one that still counts
    earlier: TimeAttestation | None  # the newest one, when it no longer counts

    @property
    def status(self) -> str:
        if self.attestation is not None:
            return TimeStatus.ATTESTED
        if self.hours <= 0:
            return TimeStatus.NO_HOURS
        if self.earlier is not None:
            return TimeStatus.CHANGED
        return TimeStatus.MISSING

    @property
    def status_label(self) -> str:
        return str(TimeStatus(self.status).label)

    @property
    def source_label(self) -> str:
        return str(HoursSource(self.source).label)


def _enrolled_in(month: date) -> Q:
    return Q(entry_date__lte=hours_rules.month_end(month)) & (
        Q(exit_date__isnull=True) | Q(exit_date__gte=month)
    )


def hours_derived_many(participant_ids: Iterable[UUID], months: list[date]) -> dict:
    """Hours from the steps for every (participant id, month) asked for, in one query."""
    if not months:
        return {}
    first, last = min(months), hours_rules.month_end(max(months))
    steps = PathwayStep.objects.filter(
        enrolment__participant_id__in=participant_ids, hours__isnull=False, started_on__lte=last
    ).filter(Q(ended_on__gte=first) | Q(ended_on__isnull=True, started_on__gte=first))
    by_participant = defaultdict(list)
    for participant_id, started, ended, hours in steps.values_list(
        "enrolment__participant_id", "started_on", "ended_on", "hours"
    ):
        if hours is not None:  # filtered above; says so to the type checker
            by_participant[participant_id].append(hours_rules.StepHours(started, ended, hours))
    return {
        (pid, month): value
        for pid, steps_of in by_participant.items()
        for month, value in hours_rules.hours_by_month(steps_of).items()
    }


def _rows(
    participants: list[Participant], months_of: dict, monthly_rows: Iterable[MonthlyTime]
) -> list[MonthRow]:
    stored = {(m.participant_id, m.month): m for m in monthly_rows}
    wanted = {month for months in months_of.values() for month in months}
    missing = [p.pk for p in participants if any((p.pk, m) not in stored for m in months_of[p.pk])]
    derived = hours_derived_many(missing, sorted(wanted)) if missing else {}
    rows = []
    for participant in participants:
        for month in months_of[participant.pk]:
            monthly = stored.get((participant.pk, month))
            if monthly is None:
                rows.append(
                    MonthRow(
                        participant=participant,
                        month=month,
                        hours=derived.get((participant.pk, month), Decimal("0.0")),
                        source=HoursSource.DERIVED,
                        version=0,
                        monthly=None,
                        attestation=None,
                        earlier=None,
                    )
                )
                continue
            attestations = list(monthly.attestations.all())  # prefetched, newest first
            valid = next((a for a in attestations if a.time_version == monthly.version), None)
            rows.append(
                MonthRow(
                    participant=participant,
                    month=month,
                    hours=monthly.hours,
                    source=monthly.source,
                    version=monthly.version,
                    monthly=monthly,
                    attestation=valid,
                    earlier=None if valid else (attestations[0] if attestations else None),
                )
            )
    return rows


def _monthly_rows(participant_ids: Iterable[UUID], months: Iterable[date]) -> QuerySet[MonthlyTime]:
    return MonthlyTime.objects.filter(
        participant_id__in=participant_ids, month__in=months
    ).prefetch_related(
        Prefetch(
            "attestations",
            queryset=TimeAttestation.objects.select_related("recorded_by").order_by("-created_at"),
        )
    )


def participant_months(
    *, participant: Participant, today: date, months: list[date] | None = None
) -> list[MonthRow]:
    """Every month of the participant's enrolments up to the current one, newest first (or
    only `months`). The participant comes from participant_for_selfservice (scoped)."""
    if months is None:
        current = hours_rules.month_start(today)
        found: set[date] = set()
        for entry, exit_date in participant.enrolments.values_list("entry_date", "exit_date"):
            last = min(exit_date or today, today)
            if last >= entry:
                found.update(hours_rules.months_between(entry, last))
        months = sorted((m for m in found if m <= current), reverse=True)
    monthly = _monthly_rows([participant.pk], months)
    return _rows([participant], {participant.pk: months}, monthly)


def participant_month(*, participant: Participant, month: date) -> MonthRow:
    return participant_months(participant=participant, today=month, months=[month])[0]


def time_units(*, viewer: User, permission: str = "time.view") -> QuerySet[Unit]:
    """The units whose attested time the viewer follows (or exports): a coach's unit, a
    coordinator's organisation's units."""
    return (
        Unit.objects.workplaces(viewer, permission)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


@dataclass(frozen=True)
class TimeOverview:
    unit: Unit
    month: date
    rows: list[MonthRow]
    attested: int
    missing: int
    changed: int
    without_hours: int
    attested_hours: Decimal
    total_hours: Decimal


def time_rows_shown(*, viewer: User, unit: Unit, month: date, rows: list[MonthRow]) -> None:
    """One audit event for a page of the list: it names the participants it showed."""
    audit_log(
        actor=viewer,
        action="monthly_time.listed",
        organisation=unit.organisation_id,
        purpose="case_work",
        details={
            "month": month,
            "unit": str(unit.pk),
            "participants": [str(row.participant.pk) for row in rows],
        },
    )


def time_overview(
    *, viewer: User, unit: Unit, month: date, permission: str = "time.view"
) -> TimeOverview:
    """Per unit and month: whose time is attested, whose is missing, and the attested hours.

    `unit` must come from time_units(viewer, permission); the caller audits what it shows
    (time_rows_shown, or the export's own event). The participants are those of the unit where
    the viewer holds `permission` (own organisation, never by consent) with an enrolment in the
    month."""
    month = hours_rules.month_start(month)
    enrolled = Enrolment.objects.filter(_enrolled_in(month)).values("participant_id")
    participants = list(
        Participant.objects.restrict(viewer, permission)
        .filter(unit=unit, erased_at__isnull=True, pk__in=enrolled)
        .order_by("participant_ref")
    )
    ids = [p.pk for p in participants]
    rows = _rows(participants, {pk: [month] for pk in ids}, _monthly_rows(ids, [month]))
    by_status: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        by_status[row.status] += 1
    return TimeOverview(
        unit=unit,
        month=month,
        rows=rows,
        attested=by_status[TimeStatus.ATTESTED],
        missing=by_status[TimeStatus.MISSING],
        changed=by_status[TimeStatus.CHANGED],
        without_hours=by_status[TimeStatus.NO_HOURS],
        attested_hours=sum(
            (r.hours for r in rows if r.status == TimeStatus.ATTESTED), Decimal("0.0")
        ),
        total_hours=sum((r.hours for r in rows), Decimal("0.0")),
    )
