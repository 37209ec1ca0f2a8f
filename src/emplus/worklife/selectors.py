"""Reads of working life, scoped to the viewer through restrict(); lists of placements are one
audit event naming the participants shown."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from emplus.core import scoping
from emplus.core.audit import audit_list
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
from emplus.organisations.models import Organisation
from emplus.pathways import selectors as pathway_selectors
from emplus.pathways.models import Participant
from emplus.worklife.choices import CompletionGroup
from emplus.worklife.models import (
    EducationEnrolment,
    Employer,
    EmployerContact,
    GigAssignment,
    IncomeRecord,
    WorkplacePlacement,
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
