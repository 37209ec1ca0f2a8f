"""Reads of the self-service app, scoped to the viewer; reads that show names are audited."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
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


def hours_derived_many(participant_ids: Iterable[UUID] | QuerySet, months: list[date]) -> dict:
    """Hours from the steps for every (participant id, month) asked for, in one query (and for
    the other months of the same steps: look up the months you asked for)."""
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
class TimeSummary:
    """The counts of a unit's month: every participant of the list, not a page of it."""

    participants: int
    attested: int
    missing: int
    changed: int
    without_hours: int
    attested_hours: Decimal
    total_hours: Decimal


@dataclass(frozen=True)
class TimeOverview:
    """A unit's month with every row (the export)."""

    unit: Unit
    month: date
    rows: list[MonthRow]
    summary: TimeSummary


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


def time_participants(
    *, viewer: User, unit: Unit, month: date, permission: str = "time.view"
) -> QuerySet[Participant]:
    """The participants of a unit's month, in reference order (the key breaks ties, so that
    pages neither repeat nor lose anyone): those of the unit where the viewer holds
    `permission` (own organisation, never by consent) with an enrolment in the month.

    `unit` must come from time_units(viewer, permission); the caller audits what it shows
    (time_rows_shown, or the export's own event)."""
    enrolled = Enrolment.objects.filter(_enrolled_in(hours_rules.month_start(month)))
    return (
        Participant.objects.restrict(viewer, permission)
        .filter(unit=unit, erased_at__isnull=True, pk__in=enrolled.values("participant_id"))
        .order_by("participant_ref", "pk")
    )


def time_rows(*, participants: list[Participant], month: date) -> list[MonthRow]:
    """The rows of these participants (a page of time_participants) for one month."""
    month = hours_rules.month_start(month)
    ids = [p.pk for p in participants]
    return _rows(participants, {pk: [month] for pk in ids}, _monthly_rows(ids, [month]))


def time_summary(*, participants: QuerySet[Participant], month: date) -> TimeSummary:
    """The counts of the whole list without building its rows: one aggregate over the list
    reads each participant's stored month (hours, and whether an attestation still counts or
    once did), and only the hours of the others are derived from their steps; two queries
    however many participants, and the same figures as the rows would give."""
    month = hours_rules.month_start(month)
    stored = MonthlyTime.objects.filter(participant=OuterRef("pk"), month=month)
    attested = TimeAttestation.objects.filter(
        monthly_time__participant=OuterRef("pk"), monthly_time__month=month
    )
    listed = participants.order_by().annotate(
        stored_hours=Subquery(stored.values("hours")[:1]),
        valid=Exists(attested.filter(time_version=F("monthly_time__version"))),
        earlier=Exists(attested),
    )
    open_with_hours = Q(valid=False, stored_hours__gt=0)
    totals = listed.aggregate(
        participants=Count("pk"),
        attested=Count("pk", filter=Q(valid=True)),
        changed=Count("pk", filter=open_with_hours & Q(earlier=True)),
        missing=Count("pk", filter=open_with_hours & Q(earlier=False)),
        attested_hours=Sum("stored_hours", filter=Q(valid=True)),
        hours=Sum("stored_hours"),
    )
    # A month without a stored row has no attestation: missing when its steps give hours.
    others = participants.order_by().exclude(
        pk__in=MonthlyTime.objects.filter(month=month).values("participant_id")
    )
    derived = [
        hours
        for (_, derived_month), hours in hours_derived_many(others.values("pk"), [month]).items()
        if derived_month == month
    ]
    count = totals["participants"]
    missing = totals["missing"] + sum(1 for hours in derived if hours > 0)
    return TimeSummary(
        participants=count,
        attested=totals["attested"],
        missing=missing,
        changed=totals["changed"],
        without_hours=count - totals["attested"] - totals["changed"] - missing,
        attested_hours=totals["attested_hours"] or Decimal("0.0"),
        total_hours=(totals["hours"] or Decimal("0.0")) + sum(derived, Decimal("0.0")),
    )


def time_overview(
    *, viewer: User, unit: Unit, month: date, permission: str = "time.view"
) -> TimeOverview:
    """Per unit and month, every row (the export): whose time is attested, whose is missing,
    and the attested hours. The page reads one page of rows (time_participants, time_rows)
    and the counts (time_summary) instead."""
    month = hours_rules.month_start(month)
    participants = time_participants(viewer=viewer, unit=unit, month=month, permission=permission)
    rows = time_rows(participants=list(participants), month=month)
    return TimeOverview(unit=unit, month=month, rows=rows, summary=time_summary_of_rows(rows))


def time_summary_of_rows(rows: list[MonthRow]) -> TimeSummary:
    """The counts of rows already built (the export has them all)."""
    by_status: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        by_status[row.status] += 1
    return TimeSummary(
        participants=len(rows),
        attested=by_status[TimeStatus.ATTESTED],
        missing=by_status[TimeStatus.MISSING],
        changed=by_status[TimeStatus.CHANGED],
        without_hours=by_status[TimeStatus.NO_HOURS],
        attested_hours=sum(
            (r.hours for r in rows if r.status == TimeStatus.ATTESTED), Decimal("0.0")
        ),
        total_hours=sum((r.hours for r in rows), Decimal("0.0")),
    )
