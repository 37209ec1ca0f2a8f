"""Reads of the start page: counts of the work that is due, per membership, each from one
aggregate query inside the viewer's scope (no row is read one by one, nothing is decrypted)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from emplus.accounts.selectors import users_without_second_factor
from emplus.core import scoping
from emplus.core.audit import audit_head, audit_verify
from emplus.core.fingerprints import tables_fingerprint
from emplus.core.kept import kept
from emplus.core.roles import Role
from emplus.core.typing import User
from emplus.evidence import selectors as evidence_selectors
from emplus.evidence.models import EffectEstimate
from emplus.organisations.models import Membership, Organisation, Unit
from emplus.organisations.selectors import memberships_of, role_grants_pending
from emplus.pathways import selectors as pathway_selectors
from emplus.pathways.models import (
    Assessment,
    Consent,
    Enrolment,
    FollowUp,
    Participant,
    PathwayEvent,
    PathwayStep,
)
from emplus.plans import selectors as plan_selectors
from emplus.selfservice.models import MonthlyTime, SelfServiceLink, TimeAttestation

# What the caseload items count: each is also a filter of the caseload (same name, `=1`), so
# the list an item links to shows exactly the participants it counted.
CASELOAD_ITEMS: dict[str, Q] = {
    "followup_due": Q(followup_is_due=True),
    "followup_overdue": Q(followup_is_overdue=True),
    "assessment_due": Q(assessment_is_due=True),
    "stalled": Q(is_stalled=True),
    "core_data_missing": pathway_selectors.core_data_missing(),
    "link_open": Q(has_open_link=True),
    "attestation_waiting": Q(has_attestation_waiting=True),
    "recent": Q(has_recent_record=True),
}


@dataclass(frozen=True)
class CaseloadCounts:
    followup_due: int = 0
    followup_overdue: int = 0
    assessment_due: int = 0
    stalled: int = 0
    core_data_missing: int = 0
    link_open: int = 0
    attestation_waiting: int = 0
    recent: int = 0


@dataclass(frozen=True)
class UnitCounts:
    unit_id: UUID
    unit_name: str
    counts: CaseloadCounts


@dataclass(frozen=True)
class RolePanels:
    """The start page's panels, one per membership whose role has one."""

    coach_units: list[Unit]
    coordinated: list[Organisation]
    analysed: list[Organisation]
    administers: bool


def role_panels(*, viewer: User) -> RolePanels:
    memberships = list(
        memberships_of(user=viewer).order_by("organisation__name", "unit__name", "role")
    )

    def of(role: str) -> list[Membership]:
        return [m for m in memberships if m.role == role]

    return RolePanels(
        coach_units=[m.unit for m in of(Role.COACH) if m.unit is not None],
        coordinated=[m.organisation for m in of(Role.COORDINATOR)],
        analysed=[m.organisation for m in of(Role.ANALYST)],
        administers=bool(of(Role.ADMIN)) or viewer.is_superuser,
    )


def _caseload(*, viewer: User, today: date) -> QuerySet:
    return pathway_selectors.caseload_annotated(viewer=viewer, today=today)


def _aggregates() -> dict[str, Count]:
    return {name: Count("pk", filter=condition) for name, condition in CASELOAD_ITEMS.items()}


def unit_caseload_counts(*, viewer: User, unit: Unit, today: date) -> CaseloadCounts:
    """A coach's unit: one aggregate query over the caseload's own filters."""
    counts = _caseload(viewer=viewer, today=today).filter(unit=unit).aggregate(**_aggregates())
    return CaseloadCounts(**counts)


@dataclass(frozen=True)
class OrganisationCounts:
    total: CaseloadCounts
    units: list[UnitCounts]


# Every table the counts of an organisation read (the caseload's annotations, the viewer's
# scope and the units' names), each with `updated_at`, which every save moves: the services
# change none of them with `QuerySet.update()` of other fields.
CASELOAD_TABLES = (
    Participant,
    Enrolment,
    FollowUp,
    Assessment,
    PathwayStep,
    PathwayEvent,
    Consent,
    SelfServiceLink,
    MonthlyTime,
    TimeAttestation,
    Membership,
    Unit,
)

# How long an organisation's counts are kept while nothing they read changes: two items
# depend on the clock as well (a record of the last RECENT_DAYS days, a link not yet
# expired), so they are at most this late.
KEPT_SECONDS = 60


def organisation_caseload_counts(
    *, viewer: User, organisation: Organisation, today: date
) -> tuple[CaseloadCounts, list[UnitCounts]]:
    """A coordinator's organisation, in total and by unit: one grouped aggregate query over
    the whole caseload (seconds at 100 000 participants), kept (`core.kept`, decision 49)
    under the digest of every table it reads, so only the first view after a write pays and
    concurrent views of the same viewer compute once (decision 60)."""
    parts = "|".join(
        (
            str(viewer.pk),
            str(organisation.pk),
            today.isoformat(),
            repr(pathway_selectors.caseload_thresholds()),
        )
    )
    key = f"home-organisation-counts:{hashlib.sha256(parts.encode()).hexdigest()}"
    counts = kept(
        key,
        lambda: _organisation_counts(viewer=viewer, organisation=organisation, today=today),
        kind=OrganisationCounts,
        timeout=KEPT_SECONDS,
        version=tables_fingerprint((model, "updated_at") for model in CASELOAD_TABLES),
    )
    return counts.total, counts.units


def _organisation_counts(
    *, viewer: User, organisation: Organisation, today: date
) -> OrganisationCounts:
    rows = list(
        _caseload(viewer=viewer, today=today)
        .filter(organisation=organisation)
        .order_by()
        .values("unit_id", "unit__name")
        .annotate(**_aggregates())
        .order_by("unit__name")
    )
    names = list(CASELOAD_ITEMS)
    units = [
        UnitCounts(
            unit_id=row["unit_id"],
            unit_name=row["unit__name"],
            counts=CaseloadCounts(**{name: row[name] for name in names}),
        )
        for row in rows
    ]
    total = CaseloadCounts(**{name: sum(row[name] for row in rows) for name in names})
    return OrganisationCounts(total, units)


TRANSFER_WEEKS = pathway_selectors.TRANSFER_WEEKS


@dataclass(frozen=True)
class TransferCounts:
    imports: int
    exports: int


def organisation_transfers(
    *, viewer: User, organisation: Organisation, since: datetime
) -> TransferCounts:
    transfers = pathway_selectors.transfers_since(
        viewer=viewer, since=since, organisation=organisation
    )
    return TransferCounts(imports=transfers.imports.count(), exports=transfers.exports.count())


# --- analyst -------------------------------------------------------------------------------------

LATEST_ESTIMATES = 5


def estimates_latest(*, viewer: User) -> list[EffectEstimate]:
    """The newest effect estimates the viewer may see, with their status."""
    return list(evidence_selectors.effect_estimate_list(viewer=viewer)[:LATEST_ESTIMATES])


def statistics_core_data_missing(*, viewer: User, organisation: Organisation) -> int:
    """Participants of an analysed organisation, counted for statistics, lacking a core datum of
    the ESF+ indicators (a count only: the analyst never sees who)."""
    return (
        pathway_selectors.participant_pseudonymised_list(viewer=viewer)
        .filter(pathway_selectors.core_data_missing(), organisation=organisation)
        .count()
    )


# --- action plans (coordinator, partnership administrator) ------------------------------------


def plans_at_risk_count(*, viewer: User, today: date) -> int:
    """The viewer's running plans with a goal at risk or off track: the very selector the plan
    list's `?at_risk=1` filters by, so the count and the list cannot drift. The goals' values
    are live (plans.measures, shared within the request), for at most
    plans.selectors.AT_RISK_PLAN_LIMIT running plans."""
    return len(plan_selectors.plans_at_risk(viewer=viewer, on=today))


# --- partnership administrator ---------------------------------------------------------------

# Events the start page checks at each view; `emplus verify-audit` walks the whole chain.
AUDIT_EVENTS_CHECKED = 500


@dataclass(frozen=True)
class AdminCounts:
    without_second_factor: int
    role_grants_pending: int
    audit_events: int
    audit_events_checked: int
    audit_problems: int


def admin_counts(*, viewer: User) -> AdminCounts | None:
    """The administrator's to-do, or None for a viewer who keeps no directory."""
    if not scoping.grants(viewer, "audit.view").everywhere:
        return None
    head = audit_head()
    return AdminCounts(
        without_second_factor=users_without_second_factor().count(),
        role_grants_pending=role_grants_pending(viewer=viewer).count(),
        audit_events=head.count,
        audit_events_checked=min(head.count, AUDIT_EVENTS_CHECKED),
        audit_problems=len(audit_verify(last=AUDIT_EVENTS_CHECKED)),
    )


# --- the page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoachPanel:
    unit: Unit
    counts: CaseloadCounts


@dataclass(frozen=True)
class CoordinatorPanel:
    organisation: Organisation
    total: CaseloadCounts
    units: list[UnitCounts]
    transfers: TransferCounts


@dataclass(frozen=True)
class AnalystPanel:
    organisation: Organisation
    core_data_missing: int


@dataclass(frozen=True)
class StartPage:
    coach: list[CoachPanel]
    coordinator: list[CoordinatorPanel]
    analyst: list[AnalystPanel]
    estimates: list[EffectEstimate]
    admin: AdminCounts | None
    thresholds: pathway_selectors.CaseloadThresholds
    transfer_weeks: int = TRANSFER_WEEKS
    plans_at_risk: int | None = None  # None: no panel (neither coordinator nor administrator)

    @property
    def empty(self) -> bool:
        return not (self.coach or self.coordinator or self.analyst or self.admin)


def start_page(*, viewer: User, today: date) -> StartPage:
    """Every panel of the viewer's roles, each scoped to its membership's unit or organisation
    (a user who coaches in one organisation and coordinates another sees both, apart)."""
    roles = role_panels(viewer=viewer)
    coordinator = []
    for organisation in roles.coordinated:
        total, units = organisation_caseload_counts(
            viewer=viewer, organisation=organisation, today=today
        )
        since = timezone.now() - timedelta(weeks=TRANSFER_WEEKS)
        transfers = organisation_transfers(viewer=viewer, organisation=organisation, since=since)
        coordinator.append(CoordinatorPanel(organisation, total, units, transfers))
    return StartPage(
        coach=[
            CoachPanel(unit, unit_caseload_counts(viewer=viewer, unit=unit, today=today))
            for unit in roles.coach_units
        ],
        coordinator=coordinator,
        analyst=[
            AnalystPanel(o, statistics_core_data_missing(viewer=viewer, organisation=o))
            for o in roles.analysed
        ],
        estimates=estimates_latest(viewer=viewer) if roles.analysed else [],
        admin=admin_counts(viewer=viewer) if roles.administers else None,
        thresholds=pathway_selectors.caseload_thresholds(),
        plans_at_risk=plans_at_risk_count(viewer=viewer, today=today)
        if roles.coordinated or roles.administers
        else None,
    )
