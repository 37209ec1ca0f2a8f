"""Reads of the pathway module, scoped to the viewer; reads of a record are audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from emplus.core.audit import audit_log
from emplus.pathways.models import (
    Consent,
    Enrolment,
    FollowUp,
    Participant,
    PathwayStep,
)


@dataclass(frozen=True)
class CaseloadFilters:
    q: str = ""
    phase: str = ""
    status: str = ""  # "active", "exited" or ""
    followup_due: bool = False


def _current_phase() -> Subquery:
    latest = PathwayStep.objects.filter(
        enrolment__participant=OuterRef("pk"), enrolment__exit_date__isnull=True
    ).order_by("-started_on", "-created_at")
    return Subquery(latest.values("phase")[:1])


def participant_list(
    *, viewer, filters: CaseloadFilters | None = None, today: date | None = None
) -> list[Participant]:
    """The caseload: participants the viewer may see, newest entry first.

    Names are encrypted, so the text search runs over the decrypted names of the (small)
    scoped caseload in Python; the reference is matched too."""
    filters = filters or CaseloadFilters()
    today = today or timezone.localdate()
    open_enrolment = Enrolment.objects.filter(participant=OuterRef("pk"), exit_date__isnull=True)
    due = FollowUp.objects.due(on=today).filter(enrolment__participant=OuterRef("pk"))
    qs = (
        Participant.objects.visible_to(viewer)
        .filter(erased_at__isnull=True)
        .select_related("unit", "organisation")
        .annotate(
            is_active=Exists(open_enrolment),
            current_phase=_current_phase(),
            followup_is_due=Exists(due),
        )
        .order_by("participant_ref")
    )
    if filters.phase:
        qs = qs.filter(current_phase=filters.phase)
    if filters.status == "active":
        qs = qs.filter(is_active=True)
    elif filters.status == "exited":
        qs = qs.filter(is_active=False)
    if filters.followup_due:
        qs = qs.filter(followup_is_due=True)
    people = list(qs)
    if filters.q:
        needle = filters.q.casefold()
        people = [
            p
            for p in people
            if needle in p.participant_ref.casefold() or needle in p.display_name.casefold()
        ]
    # A list shows names too: one audit event names every record it showed.
    audit_log(
        actor=viewer,
        action="participant.listed",
        purpose="case_work",
        details={"participants": [str(p.pk) for p in people]},
    )
    return people


def participant_get(*, viewer, pk, purpose: str = "case_work") -> Participant:
    """One participant the viewer may see; the read is written to the audit log."""
    participant = (
        Participant.objects.visible_to(viewer)
        .filter(pk=pk, erased_at__isnull=True)
        .select_related("organisation", "unit", "municipality")
        .prefetch_related(
            Prefetch("consents", queryset=Consent.objects.prefetch_related("shared_with")),
        )
        .first()
    )
    if participant is None:
        raise Http404
    audit_log(actor=viewer, action="participant.viewed", target=participant, purpose=purpose)
    return participant


def participant_for_change(*, viewer, pk) -> Participant:
    """Only the viewer's own organisation's records may be changed (shared ones are read-only)."""
    participant = (
        Participant.objects.owned_by_viewer(viewer).filter(pk=pk, erased_at__isnull=True).first()
    )
    if participant is None:
        raise Http404
    return participant


def consent_current(*, participant: Participant) -> Consent | None:
    return participant.consents.active().order_by("-given_on", "-created_at").first()


def followups_due(*, viewer, on: date) -> QuerySet[FollowUp]:
    """Follow-ups due for the viewer's caseload whose participant still agrees to be contacted."""
    contact_allowed = Consent.objects.active().filter(
        participant=OuterRef("enrolment__participant"), follow_up=True
    )
    return (
        FollowUp.objects.visible_to(viewer)
        .due(on=on)
        .filter(Exists(contact_allowed), enrolment__participant__erased_at__isnull=True)
        .select_related("enrolment__participant")
    )


def participant_pseudonymised_list(*, viewer) -> QuerySet[Participant]:
    """Participants of the organisations where the viewer is an analyst (for pseudonymised
    output only: the caller must leave out every identifying field)."""
    from emplus.core import scoping
    from emplus.core.roles import Role

    organisations = {
        org for org, role, _ in scoping.reach_of(viewer).memberships if role == Role.ANALYST
    }
    if not organisations:
        return Participant.objects.none()
    return Participant.objects.filter(organisation__in=organisations)
