"""Reads of working life, scoped to the viewer through restrict(); lists of placements are one
audit event naming the participants shown."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import cast
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery, UUIDField
from django.http import Http404

from emplus.core import scoping
from emplus.core.audit import audit_list, audit_log
from emplus.core.compiled import CompiledRead, CompiledRows
from emplus.core.suppression import suppress_cells
from emplus.core.typing import User
from emplus.evidence_core.completion import (
    CompletionCounts,
    PlacementCounts,
    completion_counts,
    placement_counts,
)
from emplus.evidence_core.income_stability import (
    IncomeStability,
    Month,
    StabilityParameters,
    income_stability,
    last_complete_month,
    stability_parameters,
    stability_summary,
)
from emplus.evidence_core.job_matching import (
    Candidate,
    Match,
    OpportunityProfile,
    rank_candidates,
)
from emplus.evidence_core.reference import municipality_by_code
from emplus.evidence_core.ssyk import SsykError, SsykGroups, ssyk_groups
from emplus.organisations.models import Organisation
from emplus.pathways import selectors as pathway_selectors
from emplus.pathways.models import Enrolment, Participant, PathwayStep
from emplus.worklife.choices import CompletionGroup, ProposalStatus
from emplus.worklife.models import (
    EducationEnrolment,
    Employer,
    EmployerContact,
    GigAssignment,
    IncomeRecord,
    Opportunity,
    Proposal,
    ProposalEvent,
    WorkplacePlacement,
    WorkProfile,
)


def employer_list(*, viewer: User, q: str = "") -> QuerySet[Employer]:
    """Employers of the viewer's organisations and of those they work with as partners."""
    employers = (
        Employer.objects.restrict(viewer, "employer.view")
        .select_related("organisation", "municipality")
        .order_by("name", "pk")
    )
    if q:
        employers = employers.filter(name__icontains=q) | employers.filter(
            organisation_number__contains=q.replace("-", "")
        )
    return employers


def employer_get(*, viewer: User, pk: UUID) -> Employer:
    employer = (
        Employer.objects.restrict(viewer, "employer.view")
        .select_related("organisation", "municipality")
        .prefetch_related("contacts", "partner_organisations", "partner_units")
        .filter(pk=pk)
        .first()
    )
    if employer is None:
        raise Http404
    return employer


def employer_for_change(*, viewer: User, pk: UUID) -> Employer:
    """An employer of an organisation where the viewer may change employers (else 404)."""
    employer = Employer.objects.owned(viewer, "employer.change").filter(pk=pk).first()
    if employer is None:
        raise Http404
    return employer


def employer_contact_for_change(*, viewer: User, employer: Employer, pk: UUID) -> EmployerContact:
    contact = EmployerContact.objects.filter(employer=employer, pk=pk).first()
    if contact is None or not scoping.allows(viewer, "employer.change", employer):
        raise Http404
    return contact


def employer_options(*, viewer: User) -> QuerySet[Employer]:
    """The employers a placement may name: those the viewer reads."""
    return Employer.objects.restrict(viewer, "employer.view").order_by("name")


def employer_can_change(*, viewer: User, employer: Employer) -> bool:
    return scoping.allows(viewer, "employer.change", employer)


def employer_placements(*, viewer: User, employer: Employer) -> list[WorkplacePlacement]:
    """The placements at an employer whose participants the viewer may see (one audit event
    naming them); other organisations' and units' participants are left out."""
    placements = list(
        WorkplacePlacement.objects.restrict(viewer, "placement.view")
        .filter(employer=employer, participant__erased_at__isnull=True)
        .select_related("participant")
        .order_by("-started_on", "pk")
    )
    if placements:
        audit_list(
            actor=viewer,
            action="placement.list_viewed",
            ids=[p.participant_id for p in placements],
            purpose="case_work",
        )
    return placements


@dataclass(frozen=True)
class EmployerOutcomes:
    counts: PlacementCounts
    running: int | None
    ended: int | None
    offered: int | None
    continued: int | None
    ended_early: int | None
    as_planned: int | None
    suppressed: bool  # the viewer is outside the owning organisation: small counts hidden


def employer_outcomes(*, viewer: User, employer: Employer) -> EmployerOutcomes:
    """Placements at the employer by outcome, over every organisation's participants (counts,
    no persons); small counts are suppressed for viewers outside the owning organisation
    (emplus.core.suppression, docs/decisions/0006)."""
    outcomes = list(
        WorkplacePlacement.objects.filter(employer=employer).values_list("outcome", flat=True)
    )
    counts = placement_counts(outcomes)
    running = sum(1 for o in outcomes if not o)
    cells = {
        "all": len(outcomes),
        "running": running,
        "ended": counts.ended,
        "offered": counts.offered,
        "continued": counts.continued,
        "ended_early": counts.ended_early,
        "as_planned": counts.as_planned,
    }
    owner = employer.organisation_id in scoping.organisation_ids_with(viewer, "employer.view")
    shown: dict[str, int | None]
    if owner:
        shown = dict(cells)
    else:
        shown = suppress_cells(
            cells,
            [
                ("all", "running", "ended"),
                ("ended", "offered", "continued", "ended_early", "as_planned"),
            ],
        )
    return EmployerOutcomes(
        counts=counts,
        running=shown["running"],
        ended=shown["ended"],
        offered=shown["offered"],
        continued=shown["continued"],
        ended_early=shown["ended_early"],
        as_planned=shown["as_planned"],
        suppressed=not owner,
    )


def participant_placements(
    *, viewer: User, participant: Participant
) -> QuerySet[WorkplacePlacement]:
    """The placements of one participant the viewer may see (the participant page audits the
    read of the participant)."""
    return (
        WorkplacePlacement.objects.restrict(viewer, "placement.view")
        .filter(participant=participant)
        .select_related("employer")
        .order_by("-started_on", "pk")
    )


def placement_for_change(*, viewer: User, pk: UUID) -> WorkplacePlacement:
    placement = (
        WorkplacePlacement.objects.restrict(viewer, "placement.change")
        .filter(pk=pk, participant__erased_at__isnull=True)
        .select_related("participant", "employer", "step__enrolment")
        .first()
    )
    if placement is None:
        raise Http404
    return placement


def employer_owner_options(*, viewer: User) -> QuerySet[Organisation]:
    """The organisations an employer may be registered in by the viewer."""
    return Organisation.objects.restrict(viewer, "employer.change").order_by("name")


def participant_for_placements(
    *, viewer: User, pk: UUID, permission: str = "placement.view"
) -> Participant:
    """The participant whose placements are shown or changed (audited read; else 404)."""
    return pathway_selectors.participant_get(viewer=viewer, pk=pk, permission=permission)


def participant_can_place(*, viewer: User, participant: Participant) -> bool:
    return scoping.allows(viewer, "placement.change", participant)


# --- education --------------------------------------------------------------------------------


def participant_education(
    *, viewer: User, participant: Participant
) -> QuerySet[EducationEnrolment]:
    """The courses of study of one participant the viewer may see."""
    return (
        EducationEnrolment.objects.restrict(viewer, "education.view")
        .filter(participant=participant)
        .order_by("-started_on", "pk")
    )


def education_for_change(*, viewer: User, pk: UUID) -> EducationEnrolment:
    education = (
        EducationEnrolment.objects.restrict(viewer, "education.change")
        .filter(pk=pk, participant__erased_at__isnull=True)
        .select_related("participant", "step__enrolment")
        .first()
    )
    if education is None:
        raise Http404
    return education


def participant_can_study(*, viewer: User, participant: Participant) -> bool:
    return scoping.allows(viewer, "education.change", participant)


# The lookup paths of a group's key and label, from a record that is a pathway step (studies,
# placements).
STEP_GROUP_PATHS: dict[str, tuple[str, str]] = {
    CompletionGroup.ORGANISATION: (
        "participant__organisation__code",
        "participant__organisation__name",
    ),
    CompletionGroup.METHOD: ("step__enrolment__method__code", "step__enrolment__method__name"),
    CompletionGroup.TEST_BED: (
        "step__enrolment__test_bed__code",
        "step__enrolment__test_bed__name",
    ),
    CompletionGroup.THEMATIC_AREA: (
        "step__enrolment__method__thematic_areas__code",
        "step__enrolment__method__thematic_areas__name_sv",
    ),
}


@dataclass(frozen=True)
class CompletionRow:
    key: str
    label: str
    due: int | None  # None: suppressed
    completed: int | None
    interrupted: int | None
    overdue: int | None
    with_qualification: int | None
    rate: float | None
    suppressed: bool


def completion_rates(*, viewer: User, group_by: str, as_of: date) -> list[CompletionRow]:
    """Completion of the courses of study whose planned end has passed, by organisation, method,
    test bed or thematic area (evidence_core.completion). Analysts and administrators see the
    partnership, coordinators their own organisations; a group is shown in full only when all
    its records belong to organisations the viewer sees at full detail, otherwise counts of 1-4
    (and those that would reveal them) are suppressed (docs/decisions/0006, 0010)."""
    key_path, label_path = STEP_GROUP_PATHS[group_by]
    records = EducationEnrolment.objects.filter(participant__erased_at__isnull=True)
    if not scoping.has_permission(viewer, "evidence.view_partnership"):
        records = records.filter(
            participant__organisation__in=sorted(
                scoping.organisation_ids_with(viewer, "evidence.view")
            )
        )
    detail = scoping.organisation_ids_with(viewer, "evidence.view_detail")
    groups: dict[tuple[str, str], list[tuple[str, date | None, bool]]] = defaultdict(list)
    owners: dict[tuple[str, str], set[UUID]] = defaultdict(set)
    for key, label, organisation_id, status, planned_end, qualification in records.values_list(
        key_path,
        label_path,
        "participant__organisation_id",
        "status",
        "planned_end",
        "qualification",
    ):
        if key is None:
            continue  # no method, test bed or thematic area on that pathway
        groups[(key, label)].append((status, planned_end, bool(qualification)))
        owners[(key, label)].add(organisation_id)
    rows = []
    for (key, label), items in sorted(groups.items(), key=lambda kv: kv[0][1]):
        counts: CompletionCounts = completion_counts(items, as_of=as_of)
        if counts.due == 0:
            continue
        full = owners[(key, label)] <= detail
        cells = {
            "due": counts.due,
            "completed": counts.completed,
            "interrupted": counts.interrupted,
            "overdue": counts.overdue,
            "with_qualification": counts.with_qualification,
        }
        shown: dict[str, int | None] = (
            dict(cells)
            if full
            else suppress_cells(
                cells,
                [
                    ("due", "completed", "interrupted", "overdue"),
                ],
            )
        )
        rate = counts.rate if shown["due"] is not None and shown["completed"] is not None else None
        rows.append(
            CompletionRow(
                key=key,
                label=label,
                due=shown["due"],
                completed=shown["completed"],
                interrupted=shown["interrupted"],
                overdue=shown["overdue"],
                with_qualification=shown["with_qualification"],
                rate=rate,
                suppressed=not full,
            )
        )
    return rows


# --- income -----------------------------------------------------------------------------------


def participant_income(*, viewer: User, participant: Participant) -> QuerySet[IncomeRecord]:
    """The monthly income records of one participant (owning organisation only)."""
    return (
        IncomeRecord.objects.restrict(viewer, "income.view")
        .filter(participant=participant)
        .order_by("-month", "source")
    )


def income_record_for_change(*, viewer: User, pk: UUID) -> IncomeRecord:
    record = (
        IncomeRecord.objects.restrict(viewer, "income.change")
        .filter(pk=pk, participant__erased_at__isnull=True)
        .select_related("participant")
        .first()
    )
    if record is None:
        raise Http404
    return record


def participant_can_record_income(*, viewer: User, participant: Participant) -> bool:
    return scoping.allows(viewer, "income.change", participant)


@dataclass(frozen=True)
class StabilityView:
    current: IncomeStability
    previous: IncomeStability
    rows: list[dict]  # one per month of the current window: month, total, above threshold
    version: int
    threshold: float
    reasoning: str


def participant_income_stability(
    *, viewer: User, participant: Participant, as_of: date
) -> StabilityView | None:
    """Income stability of one participant over the last complete months before `as_of`, next
    to the window before it (decision 18); None when the viewer may not see income."""
    if not scoping.allows(viewer, "income.view", participant):
        return None
    parameters = stability_parameters()
    records = [
        (Month.of(month), float(amount))
        for month, amount in IncomeRecord.objects.filter(participant=participant).values_list(
            "month", "amount"
        )
    ]
    last = last_complete_month(as_of)
    current = income_stability(records, last_month=last, parameters=parameters)
    previous = income_stability(
        records, last_month=last.plus(-parameters.window_months), parameters=parameters
    )
    rows = [
        {"month": str(month), "total": total, "above": total >= parameters.threshold}
        for month, total in zip(current.months, current.monthly, strict=True)
    ]
    return StabilityView(
        current=current,
        previous=previous,
        rows=rows,
        version=parameters.version,
        threshold=parameters.threshold,
        reasoning=parameters.threshold_reasoning,
    )


# Lookup paths of a group from a participant (an enrolment's method or test bed: a participant
# with several enrolments counts once in each of their groups).
_PARTICIPANT_GROUP_PATHS: dict[str, tuple[str, str]] = {
    CompletionGroup.ORGANISATION: ("organisation__code", "organisation__name"),
    CompletionGroup.METHOD: ("enrolments__method__code", "enrolments__method__name"),
    CompletionGroup.TEST_BED: ("enrolments__test_bed__code", "enrolments__test_bed__name"),
    CompletionGroup.THEMATIC_AREA: (
        "enrolments__method__thematic_areas__code",
        "enrolments__method__thematic_areas__name_sv",
    ),
}


@dataclass(frozen=True)
class StabilityRow:
    key: str
    label: str
    people: int | None  # None: suppressed
    stable: int | None
    not_stable: int | None
    mean_months_with_income: float | None
    median_coefficient_of_variation: float | None
    suppressed: bool


def income_stability_by_group(*, viewer: User, group_by: str, as_of: date) -> list[StabilityRow]:
    """Income stability aggregated by organisation, method, test bed or thematic area (decision
    18): the people with any income in the window, stable and not, the mean months with income
    and the median coefficient of variation. Analysts and administrators see the partnership,
    coordinators their own organisations; outside the organisations seen at full detail counts
    of 1-4 are suppressed, and a group's means with them."""
    key_path, label_path = _PARTICIPANT_GROUP_PATHS[group_by]
    people = Participant.objects.filter(erased_at__isnull=True, income_records__isnull=False)
    if not scoping.has_permission(viewer, "evidence.view_partnership"):
        people = people.filter(
            organisation__in=sorted(scoping.organisation_ids_with(viewer, "evidence.view"))
        )
    memberships = set(people.values_list(key_path, label_path, "pk", "organisation_id").distinct())
    parameters = stability_parameters()
    last = last_complete_month(as_of)
    records: dict[UUID, list[tuple[Month, float]]] = defaultdict(list)
    for participant_id, month, amount in IncomeRecord.objects.filter(
        participant__in=people.values("pk")
    ).values_list("participant_id", "month", "amount"):
        records[participant_id].append((Month.of(month), float(amount)))
    results = {
        pk: income_stability(rows, last_month=last, parameters=parameters)
        for pk, rows in records.items()
    }
    groups: dict[tuple[str, str], set[UUID]] = defaultdict(set)
    owners: dict[tuple[str, str], set[UUID]] = defaultdict(set)
    for key, label, pk, organisation_id in memberships:
        if key is None:
            continue
        groups[(key, label)].add(pk)
        owners[(key, label)].add(organisation_id)
    detail = scoping.organisation_ids_with(viewer, "evidence.view_detail")
    rows = []
    for (key, label), members in sorted(groups.items(), key=lambda kv: kv[0][1]):
        summary = stability_summary([results[pk] for pk in sorted(members) if pk in results])
        if summary.people == 0:
            continue
        full = owners[(key, label)] <= detail
        cells = {"people": summary.people, "stable": summary.stable, "not": summary.not_stable}
        shown: dict[str, int | None] = (
            dict(cells) if full else suppress_cells(cells, [("people", "stable", "not")])
        )
        hide_means = shown["people"] is None
        rows.append(
            StabilityRow(
                key=key,
                label=label,
                people=shown["people"],
                stable=shown["stable"],
                not_stable=shown["not"],
                mean_months_with_income=None if hide_means else summary.mean_months_with_income,
                median_coefficient_of_variation=None
                if hide_means
                else summary.median_coefficient_of_variation,
                suppressed=not full,
            )
        )
    return rows


def stability_parameters_current() -> StabilityParameters:
    """The parameter set in use (its version and threshold are shown with every figure)."""
    return stability_parameters()


def participant_gig_assignments(
    *, viewer: User, participant: Participant
) -> QuerySet[GigAssignment]:
    """A participant's gig assignments (owning organisation only, like income)."""
    return (
        GigAssignment.objects.restrict(viewer, "income.view")
        .filter(participant=participant)
        .order_by("-started_on", "pk")
    )


# --- opportunities and matching (decision 30) ---------------------------------------------------

MATCHES_PER_PAGE = 25
OPPORTUNITIES_PER_PAGE = 25


@dataclass(frozen=True)
class OpportunityFilters:
    q: str = ""  # in the title or the employer's name
    kind: str = ""
    municipality: str = ""  # a municipality code
    ssyk: str = ""  # a code prefix: "53" finds 5321 and 5330
    open_only: bool = True


def opportunity_list(
    *, viewer: User, filters: OpportunityFilters | None = None
) -> QuerySet[Opportunity]:
    """Opportunities of the viewer's organisations and of employers they work with."""
    filters = filters or OpportunityFilters()
    opportunities = (
        Opportunity.objects.restrict(viewer, "opportunity.view")
        .select_related("employer", "municipality", "organisation")
        .order_by("-created_at", "pk")
    )
    if filters.q:
        opportunities = opportunities.filter(title__icontains=filters.q) | opportunities.filter(
            employer__name__icontains=filters.q
        )
    if filters.kind:
        opportunities = opportunities.filter(kind=filters.kind)
    if filters.municipality:
        opportunities = opportunities.filter(municipality_id=filters.municipality)
    if filters.ssyk:
        opportunities = opportunities.filter(ssyk_code__startswith=filters.ssyk)
    if filters.open_only:
        opportunities = opportunities.filter(is_open=True)
    return opportunities


def opportunity_get(*, viewer: User, pk: UUID) -> Opportunity:
    opportunity = (
        Opportunity.objects.restrict(viewer, "opportunity.view")
        .select_related("employer", "municipality", "organisation")
        .filter(pk=pk)
        .first()
    )
    if opportunity is None:
        raise Http404
    return opportunity


def opportunity_for_change(*, viewer: User, pk: UUID) -> Opportunity:
    """An opportunity of an organisation where the viewer may change opportunities (else 404)."""
    opportunity = Opportunity.objects.owned(viewer, "opportunity.change").filter(pk=pk).first()
    if opportunity is None:
        raise Http404
    return opportunity


def opportunity_occupation(*, opportunity: Opportunity) -> SsykGroups | None:
    """The names of the opportunity's SSYK major and sub-major group (reference data)."""
    try:
        return ssyk_groups(opportunity.ssyk_code)
    except SsykError:
        return None


def opportunity_can_change(*, viewer: User, opportunity: Opportunity) -> bool:
    return scoping.allows(viewer, "opportunity.change", opportunity)


def opportunity_owner_options(*, viewer: User) -> QuerySet[Organisation]:
    """The organisations an opportunity may be registered in by the viewer."""
    return Organisation.objects.restrict(viewer, "opportunity.change").order_by("name")


def employer_opportunities(*, viewer: User, employer: Employer) -> QuerySet[Opportunity]:
    return opportunity_list(viewer=viewer, filters=OpportunityFilters(open_only=False)).filter(
        employer=employer
    )


def opportunity_export_rows(*, viewer: User) -> QuerySet[Opportunity]:
    """Every opportunity of the viewer's own organisations (exports: owner organisation only)."""
    return (
        Opportunity.objects.owned(viewer, "opportunity.view")
        .select_related("employer", "municipality", "organisation")
        .annotate(proposal_count=Count("proposals"))
        .order_by("organisation__name", "-created_at", "pk")
    )


@dataclass(frozen=True)
class MatchRow:
    rank: int
    participant: Participant
    match: Match
    proposal: Proposal | None


@dataclass(frozen=True)
class MatchPage:
    page: Page  # of Match, best first
    rows: list[MatchRow]  # the page's participants, loaded and audited
    considered: int  # participants scored


def _current_phase() -> Subquery:
    latest = PathwayStep.objects.filter(
        enrolment__participant=OuterRef("pk"), enrolment__exit_date__isnull=True
    ).order_by("-started_on", "-created_at")
    return Subquery(latest.values("phase")[:1])


def _as_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def opportunity_matches(
    *, viewer: User, opportunity: Opportunity, page: int | str | None = 1
) -> MatchPage:
    """The participants on an open pathway in the viewer's OWN scope (the caseload permission,
    without participants shared by consent from other organisations) ranked for the opportunity
    by evidence_core.job_matching. Every candidate is scored from plain columns read in one
    query (no names decrypted); only the page's participants are loaded, and audited as one
    list read."""
    own = scoping.restrict(Participant.objects.all(), viewer, "participant.view")
    open_enrolment = Enrolment.objects.filter(participant=OuterRef("pk"), exit_date__isnull=True)
    columns = (
        own.filter(erased_at__isnull=True)
        .filter(Exists(open_enrolment))
        .annotate(current_phase=_current_phase())
        .values_list(
            "pk",
            "participant_ref",
            "municipality_id",
            "work_profile__occupational_goals",
            "work_profile__max_commute_km",
            "work_profile__hours_per_week",
            "work_profile__available_from",
            "current_phase",
        )
    )
    candidates = []
    refs: dict[object, str] = {}
    for pk, ref, home, goals, commute, hours, available, phase in columns:
        refs[pk] = ref
        candidates.append(
            Candidate(
                key=pk,
                occupational_goals=tuple(goals or ()),
                municipality_code=home or "",
                max_commute_km=_as_float(commute),
                available_from=available,
                hours_per_week=_as_float(hours),
                phase=phase or "",
            )
        )
    profile = OpportunityProfile(
        kind=opportunity.kind,
        ssyk_code=opportunity.ssyk_code,
        municipality_code=opportunity.municipality_id,
        starts_on=opportunity.starts_on,
        hours_per_week=_as_float(opportunity.hours_per_week),
    )
    points = {code: (m.label_lat, m.label_lon) for code, m in municipality_by_code().items()}
    ranked = rank_candidates(candidates, profile, points_of=points, tie_break=refs)
    shown = Paginator(list(ranked), MATCHES_PER_PAGE).get_page(page)
    keys = [cast(UUID, m.key) for m in shown]
    people = {p.pk: p for p in Participant.objects.filter(pk__in=keys)}
    proposals = {
        p.participant_id: p
        for p in Proposal.objects.filter(opportunity=opportunity, participant__in=keys)
    }
    first = shown.start_index()
    rows = [
        MatchRow(first + i, people[key], m, proposals.get(key))
        for i, (key, m) in enumerate(zip(keys, shown, strict=True))
    ]
    if rows:
        audit_list(
            actor=viewer,
            action="opportunity.matches_viewed",
            ids=keys,
            purpose="case_work",
            target=opportunity,
        )
    return MatchPage(page=shown, rows=rows, considered=len(candidates))


def opportunity_proposals(*, viewer: User, opportunity: Opportunity) -> list[Proposal]:
    """The proposals to an opportunity whose participants the viewer may see (one audit event);
    other organisations' and units' proposals are counted, never shown (proposal_counts)."""
    proposals = list(
        Proposal.objects.restrict(viewer, "proposal.view")
        .filter(opportunity=opportunity, participant__erased_at__isnull=True)
        .select_related("participant")
        .order_by("-status_on", "pk")
    )
    if proposals:
        audit_list(
            actor=viewer,
            action="proposal.list_viewed",
            ids=[p.participant_id for p in proposals],
            purpose="case_work",
        )
    return proposals


@dataclass(frozen=True)
class ProposalCounts:
    cells: dict[str, int | None]  # by status and "all"; None: suppressed
    suppressed: bool


def proposal_counts(
    *, viewer: User, opportunity: Opportunity | None = None, employer: Employer | None = None
) -> ProposalCounts:
    """Proposals by status to an opportunity (or to all of an employer's), over every
    organisation's participants; counts of 1-4 suppressed outside the owning organisation."""
    proposals = Proposal.objects.all()
    owner_id = opportunity.organisation_id if opportunity else employer.organisation_id  # type: ignore[union-attr]
    if opportunity is not None:
        proposals = proposals.filter(opportunity=opportunity)
    else:
        proposals = proposals.filter(opportunity__employer=employer)
    by_status = dict(proposals.values_list("status").annotate(n=Count("pk")).order_by())
    cells = {status: by_status.get(status, 0) for status in ProposalStatus.values}
    cells["all"] = sum(cells.values())
    if owner_id in scoping.organisation_ids_with(viewer, "opportunity.view"):
        return ProposalCounts(cells=dict(cells), suppressed=False)
    return ProposalCounts(
        cells=suppress_cells(cells, [("all", *ProposalStatus.values)]), suppressed=True
    )


def proposal_get(*, viewer: User, pk: UUID) -> Proposal:
    """One proposal with its history, of a participant the viewer may see (audited read)."""
    proposal = (
        Proposal.objects.restrict(viewer, "proposal.view")
        .filter(pk=pk, participant__erased_at__isnull=True)
        .select_related("participant", "opportunity__employer", "placement")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=ProposalEvent.objects.select_related("actor").order_by(
                    "occurred_on", "created_at"
                ),
            )
        )
        .first()
    )
    if proposal is None:
        raise Http404
    audit_log(
        actor=viewer,
        action="proposal.viewed",
        target=proposal.participant,
        purpose="case_work",
        details={"proposal": str(proposal.pk)},
    )
    return proposal


def participant_for_proposal(*, viewer: User, pk: str) -> Participant:
    """A participant the viewer may propose, named by a form's value (404 when it is not a
    reference to one, including a malformed one)."""
    try:
        key = UUID(str(pk))
    except ValueError as error:
        raise Http404 from error
    return pathway_selectors.participant_get(viewer=viewer, pk=key, permission="proposal.change")


def proposal_export_rows(*, viewer: User) -> QuerySet[Proposal]:
    """The proposals of the viewer's own scope (coach: unit; coordinator: organisation)."""
    return (
        scoping.restrict(Proposal.objects.all(), viewer, "proposal.view")
        .filter(participant__erased_at__isnull=True)
        .select_related("participant", "opportunity__employer", "opportunity__organisation")
        .order_by("-status_on", "pk")
    )


# The participant page's two reads of the work-profile block, compiled once (decision 71):
# for a viewer whose grants cover the participant's organisation and unit, the only one the
# page shows the block to, they are the same statement on every request.
_WORK_PROFILE = CompiledRead(
    WorkProfile,
    lambda participant: WorkProfile.objects.filter(participant_id=participant),
    participant=("participant", UUID(int=0xE71)),
)


def work_profile_of(*, viewer: User, participant: Participant) -> WorkProfile | None:
    if participant_can_see_proposals(viewer=viewer, participant=participant):
        return next(iter(_WORK_PROFILE.raw(participant=participant.pk)), None)
    profiles = _of_participant(WorkProfile.objects.all(), viewer=viewer, participant=participant)
    return profiles.first()


def _of_participant(rows: QuerySet, *, viewer: User, participant: Participant) -> QuerySet:
    """`rows` (scoped by the participant's organisation and unit) of one participant, as far as
    the viewer may see them. Where the viewer's grants cover the participant's organisation and
    unit, the scope would only add a join to the query: it is decided here, from the
    memberships already read (the participant page asks it on every request)."""
    if not participant_can_see_proposals(viewer=viewer, participant=participant):
        rows = scoping.restrict(rows, viewer, "proposal.view")
    return rows.filter(participant=participant)


def participant_can_see_proposals(*, viewer: User, participant: Participant) -> bool:
    """From the viewer's memberships, without a query (the page has the participant)."""
    return scoping.grants(viewer, "proposal.view").covers(
        organisation_id=participant.organisation_id, unit_id=participant.unit_id
    )


@dataclass(frozen=True, slots=True)
class ProposalHistoryEntry:
    """One move of one of the participant's proposals, as the participant page lists it."""

    proposal_id: UUID
    occurred_on: date
    status: str
    note: str
    title: str
    employer: str

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))


_STATUS_LABELS = dict(ProposalStatus.choices)


def _proposal_history(events: QuerySet[ProposalEvent]) -> QuerySet:
    return events.order_by("occurred_on", "created_at").values_list(
        "proposal_id",
        "occurred_on",
        "status",
        "note",
        "proposal__opportunity__title",
        "proposal__opportunity__employer__name",
    )


_PROPOSAL_HISTORY = CompiledRows(
    ProposalEvent,
    lambda participant: _proposal_history(
        ProposalEvent.objects.filter(proposal__participant_id=participant)
    ),
    participant=(UUIDField(), UUID(int=0xE71)),
)


def participant_proposal_history(
    *, viewer: User, participant: Participant
) -> list[ProposalHistoryEntry]:
    """Every move of the participant's proposals, oldest first, in one query (the timeline)."""
    if participant_can_see_proposals(viewer=viewer, participant=participant):
        rows = _PROPOSAL_HISTORY.rows(participant=participant.pk)
    else:
        proposals = _of_participant(Proposal.objects.all(), viewer=viewer, participant=participant)
        rows = list(_proposal_history(ProposalEvent.objects.filter(proposal__in=proposals)))
    return [ProposalHistoryEntry(*row) for row in rows]


def participant_can_propose(*, viewer: User, participant: Participant) -> bool:
    return scoping.grants(viewer, "proposal.change").covers(
        organisation_id=participant.organisation_id, unit_id=participant.unit_id
    )
