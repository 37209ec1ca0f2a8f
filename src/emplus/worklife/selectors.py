"""Reads of working life, scoped to the viewer through restrict(); lists of placements are one
audit event naming the participants shown."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from emplus.core import scoping
from emplus.core.audit import audit_list
from emplus.core.suppression import suppress_cells
from emplus.core.typing import User
from emplus.evidence_core.completion import PlacementCounts, placement_counts
from emplus.organisations.models import Organisation
from emplus.pathways import selectors as pathway_selectors
from emplus.pathways.models import Participant
from emplus.worklife.models import Employer, EmployerContact, WorkplacePlacement


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
