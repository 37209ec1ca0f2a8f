"""Reads of working-life results for pages and exports: placement outcomes by group (counts,
suppressed) and the scoped record lists the exports write. Every read goes through restrict()
or the evidence scope of completion_rates (selectors.py)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TypeVar
from uuid import UUID

from django.db.models import QuerySet

from emplus.core import scoping
from emplus.core.audit import audit_list
from emplus.core.suppression import suppress_cells
from emplus.core.typing import User
from emplus.evidence_core.completion import placement_counts
from emplus.evidence_core.income_stability import StabilityParameters
from emplus.worklife import selectors
from emplus.worklife.choices import CompletionGroup, OutcomeGroup, PlacementKind
from emplus.worklife.models import (
    EducationEnrolment,
    GigAssignment,
    IncomeRecord,
    WorkplacePlacement,
)
from emplus.worklife.selectors import STEP_GROUP_PATHS, CompletionRow, StabilityRow

_Record = TypeVar("_Record", WorkplacePlacement, EducationEnrolment, GigAssignment)

# The lookup paths of a group's key and label, from a placement.
_OUTCOME_GROUP_PATHS: dict[str, tuple[str, str]] = {
    OutcomeGroup.KIND: ("kind", "kind"),
    OutcomeGroup.INDUSTRY: ("employer__sni_division", "employer__sni_division"),
    **STEP_GROUP_PATHS,  # organisation, method, test bed, thematic area: as for studies
}


@dataclass(frozen=True)
class OutcomeRow:
    key: str
    label: str
    ended: int | None  # None: suppressed
    offered: int | None
    continued: int | None
    ended_early: int | None
    as_planned: int | None
    offer_rate: float | None
    suppressed: bool


def placement_outcomes_by_group(
    *, viewer: User, group_by: str, thematic_area: str | None = None
) -> list[OutcomeRow]:
    """Ended placements by outcome, grouped by kind, employer industry (SNI division),
    organisation, method, test bed or thematic area; `thematic_area` keeps the placements of
    pathways whose method belongs to that area (by its code). The scope and
    suppression are those of the completion rates: analysts and administrators see the
    partnership, coordinators their own organisations; a group with records of organisations
    the viewer does not see at full detail has its counts of 1-4 (and those that would reveal
    them) hidden, and then no rate."""
    key_path, label_path = _OUTCOME_GROUP_PATHS[group_by]
    placements = WorkplacePlacement.objects.filter(participant__erased_at__isnull=True).exclude(
        outcome=""
    )
    if not scoping.has_permission(viewer, "evidence.view_partnership"):
        placements = placements.filter(
            participant__organisation__in=sorted(
                scoping.organisation_ids_with(viewer, "evidence.view")
            )
        )
    if thematic_area is not None:
        placements = placements.filter(step__enrolment__method__thematic_areas__code=thematic_area)
    outcomes: dict[tuple[str, str], list[str]] = defaultdict(list)
    owners: dict[tuple[str, str], set[UUID]] = defaultdict(set)
    for key, label, organisation_id, outcome in placements.values_list(
        key_path, label_path, "participant__organisation_id", "outcome"
    ):
        if key is None:
            continue  # no method, test bed or thematic area on that pathway
        outcomes[(key, label)].append(outcome)
        owners[(key, label)].add(organisation_id)
    detail = scoping.organisation_ids_with(viewer, "evidence.view_detail")
    rows = []
    for (key, label), items in sorted(outcomes.items(), key=lambda kv: str(kv[0][1])):
        counts = placement_counts(items)
        full = owners[(key, label)] <= detail
        cells = {
            "ended": counts.ended,
            "offered": counts.offered,
            "continued": counts.continued,
            "ended_early": counts.ended_early,
            "as_planned": counts.as_planned,
        }
        shown: dict[str, int | None] = (
            dict(cells)
            if full
            else suppress_cells(
                cells, [("ended", "offered", "continued", "ended_early", "as_planned")]
            )
        )
        rows.append(
            OutcomeRow(
                key=key,
                label=_label(group_by, key, label),
                ended=shown["ended"],
                offered=shown["offered"],
                continued=shown["continued"],
                ended_early=shown["ended_early"],
                as_planned=shown["as_planned"],
                offer_rate=counts.offer_rate
                if shown["ended"] is not None and shown["offered"] is not None
                else None,
                suppressed=not full,
            )
        )
    return rows


def _label(group_by: str, key: str, label: str) -> str:
    if group_by == OutcomeGroup.KIND:
        return str(PlacementKind(key).label) if key in PlacementKind.values else key
    if group_by == OutcomeGroup.INDUSTRY:
        return f"SNI {key}"
    return label


# --- the record lists of the exports (each export is one audit event naming the people) -------


def _listed(viewer: User, action: str, ids: list[UUID]) -> None:
    if ids:
        audit_list(actor=viewer, action=action, ids=list(dict.fromkeys(ids)), purpose="case_work")


def _exported(viewer: User, records: QuerySet[_Record], action: str) -> list[_Record]:
    """A personal record list of the participants the viewer may see, in reference order, and
    the one audit event that names them."""
    rows = list(
        records.filter(participant__erased_at__isnull=True)
        .select_related("participant")
        .order_by("participant__participant_ref", "started_on", "pk")
    )
    _listed(viewer, action, [r.participant_id for r in rows])
    return rows


def placements_for_export(*, viewer: User) -> list[WorkplacePlacement]:
    """The placements of the participants the viewer may see (no free text: the file travels)."""
    return _exported(
        viewer,
        WorkplacePlacement.objects.restrict(viewer, "placement.view").select_related("employer"),
        "placement.exported",
    )


def education_for_export(*, viewer: User) -> list[EducationEnrolment]:
    return _exported(
        viewer,
        EducationEnrolment.objects.restrict(viewer, "education.view"),
        "education.exported",
    )


def gig_assignments_for_export(*, viewer: User) -> list[GigAssignment]:
    """Gig assignments: the owning organisation only, like income."""
    return _exported(
        viewer, GigAssignment.objects.restrict(viewer, "income.view"), "gig_assignment.exported"
    )


def income_for_export(*, viewer: User) -> QuerySet[IncomeRecord]:
    """Monthly income records: the owning organisation only."""
    records = (
        IncomeRecord.objects.restrict(viewer, "income.view")
        .filter(participant__erased_at__isnull=True)
        .select_related("participant")
        .order_by("participant__participant_ref", "month", "source")
    )
    _listed(viewer, "income.exported", list(records.values_list("participant_id", flat=True)))
    return records


# --- a thematic area's results (its page in emplus.methods reads them) ------------------------


@dataclass(frozen=True)
class AreaResults:
    outcomes: list[OutcomeRow]  # by kind of placement
    stability: StabilityRow | None
    completion: CompletionRow | None
    parameters: StabilityParameters


def area_results(*, viewer: User, area_code: str, as_of: date) -> AreaResults | None:
    """Placement outcomes by kind, income stability and completion of the participants whose
    enrolment names one of the area's methods, with the aggregates' scope and suppression;
    None for a viewer without evidence.view."""
    if not scoping.has_permission(viewer, "evidence.view"):
        return None
    return AreaResults(
        outcomes=placement_outcomes_by_group(
            viewer=viewer, group_by=OutcomeGroup.KIND, thematic_area=area_code
        ),
        stability=next(
            (
                r
                for r in selectors.income_stability_by_group(
                    viewer=viewer, group_by=CompletionGroup.THEMATIC_AREA, as_of=as_of
                )
                if r.key == area_code
            ),
            None,
        ),
        completion=next(
            (
                r
                for r in selectors.completion_rates(
                    viewer=viewer, group_by=CompletionGroup.THEMATIC_AREA, as_of=as_of
                )
                if r.key == area_code
            ),
            None,
        ),
        parameters=selectors.stability_parameters_current(),
    )
