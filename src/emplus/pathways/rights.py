"""Data-subject rights: export everything about one person, erase identity, apply retention.

Erasure (GDPR Art. 17) is anonymisation, not deletion: identity, contact details and free text
go, the statistical record (dates, entry characteristics, situation upon leaving, follow-up,
assessments) stays so that the ESF+ indicators do not shift. See docs/decisions/0008-erasure.md.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from emplus.core.audit import audit_log
from emplus.core.models import AuditEvent
from emplus.core.typing import User
from emplus.pathways.models import (
    Assessment,
    Enrolment,
    Goal,
    Participant,
    PathwayEvent,
    PathwayStep,
)
from emplus.pathways.name_index import name_index_clear
from emplus.pathways.signals import participant_erased

DEFAULT_RETENTION_YEARS = 5
ERASED_REF_PREFIX = "erased-"


# --- selectors --------------------------------------------------------------------------------


def participant_ref_find(*, viewer: User, reference: str) -> UUID | None:
    """The id of the not-yet-erased participant with this reference in an organisation where
    the viewer answers data-subject requests, or None."""
    return (
        Participant.objects.restrict(viewer, "participant.rights")
        .filter(participant_ref=reference, erased_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )


def participant_for_rights(*, viewer, pk, permission: str = "participant.rights") -> Participant:
    """A not-yet-erased participant of an organisation where the viewer holds `permission`
    (others: 404; a coordinator of one organisation who coaches in another gets 404 there).

    Only the controller answers a data-subject request: records shared with the viewer's
    organisation by consent are not included."""
    from django.http import Http404

    participant = (
        Participant.objects.restrict(viewer, permission)
        .filter(pk=pk, erased_at__isnull=True)
        .select_related("organisation", "unit", "municipality")
        .first()
    )
    if participant is None:
        raise Http404
    return participant


# --- export (Art. 15 / 20) --------------------------------------------------------------------


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def _enrolment_data(enrolment: Enrolment) -> dict[str, Any]:
    follow_up = getattr(enrolment, "follow_up", None)
    return {
        "id": str(enrolment.pk),
        "entry_date": enrolment.entry_date,
        "exit_date": enrolment.exit_date,
        "exit_reason": enrolment.exit_reason,
        "method": enrolment.method.code if enrolment.method_id else None,
        "test_bed": enrolment.test_bed.code if enrolment.test_bed_id else None,
        "situation_upon_leaving": {
            "observed_on": enrolment.exit_observed_on,
            "job_searching": enrolment.exit_job_searching,
            "in_education": enrolment.exit_in_education,
            "qualification": enrolment.exit_qualification,
            "employed": enrolment.exit_employed,
        },
        "follow_up": None
        if follow_up is None
        else {
            "due_on": follow_up.due_on,
            "observed_on": follow_up.observed_on,
            "employed": follow_up.employed,
            "improved": follow_up.improved,
        },
        "steps": [
            {
                "phase": s.phase,
                "activity": s.activity,
                "started_on": s.started_on,
                "ended_on": s.ended_on,
                "hours": None if s.hours is None else str(s.hours),
            }
            for s in enrolment.steps.all()
        ],
        "events": [
            {"kind": e.kind, "occurred_on": e.occurred_on, "note": e.note}
            for e in enrolment.events.all()
        ],
        "goals": [
            {
                "description": g.description,
                "target_date": g.target_date,
                "achieved_on": g.achieved_on,
            }
            for g in enrolment.goals.all()
        ],
        "assessments": [
            {
                "assessed_on": a.assessed_on,
                "instrument": a.instrument.code,
                "instrument_version": a.instrument.version,
                "recorded_by": _user(a.recorded_by),
                "entered_by_participant": a.entered_by_participant,
                "scores": [
                    {
                        "dimension": s.dimension.code,
                        "label_sv": s.dimension.label_sv,
                        "label_en": s.dimension.label_en,
                        "value": s.value,
                    }
                    for s in sorted(a.scores.all(), key=lambda s: s.dimension.order)
                ],
            }
            for a in enrolment.assessments.all()
        ],
    }


def participant_export_data(*, actor, participant: Participant) -> dict[str, Any]:
    """Everything the platform holds about one person (right of access and portability).

    The export is audited first, so the audit list it contains includes this export."""
    audit_log(
        actor=actor,
        action="participant.rights_exported",
        target=participant,
        purpose="data_subject_access",
    )
    enrolments = (
        Enrolment.objects.filter(participant=participant)
        .select_related("method", "test_bed", "follow_up")
        .prefetch_related(
            "steps",
            "events",
            "goals",
            # Through the queryset, so that every assessment brings its instrument and scores.
            _assessments_prefetch(),
        )
        .order_by("entry_date")
    )
    consents = participant.consents.select_related("recorded_by", "withdrawn_by").prefetch_related(
        "shared_with"
    )
    audit_events = AuditEvent.objects.filter(
        target_type=Participant._meta.label_lower, target_id=str(participant.pk)
    ).order_by("occurred_at", "lane", "sequence")
    return {
        "generated_at": timezone.now(),
        "generated_by": _user(actor),
        "controller": {
            "organisation": participant.organisation.name,
            "organisation_code": participant.organisation.code,
            "unit": participant.unit.name,
        },
        "participant": {
            "id": str(participant.pk),
            "participant_ref": participant.participant_ref,
            "registered_at": participant.created_at,
            "updated_at": participant.updated_at,
        },
        "identity": {
            "given_name": participant.given_name,
            "family_name": participant.family_name,
            "personal_id": participant.personal_id,
            "pseudonym": participant.pseudonym,
        },
        "contact": {
            "phone": participant.phone,
            "email": participant.email,
            "address": participant.address,
        },
        "entry": {
            "birth_date": participant.birth_date,
            "gender": participant.gender,
            "municipality": participant.municipality_id,
            "lm_status_entry": participant.lm_status_entry,
            "unemployed_months": participant.unemployed_months,
            "isced": participant.isced,
            "citizenship": participant.citizenship,
            "born_abroad": participant.born_abroad,
            "parents_born_abroad": participant.parents_born_abroad,
            "homeless": participant.homeless,
            "rural_override": participant.rural_override,
            "protected_identity": participant.protected_identity,
        },
        "special_categories": {
            "disability": participant.disability,
            "minority": participant.minority,
            "legal_basis": participant.special_category_basis,
        },
        "consents": [
            {
                "legal_basis": c.legal_basis,
                "given_on": c.given_on,
                "information_version": c.information_version,
                "case_work": c.case_work,
                "statistics": c.statistics,
                "sharing": c.sharing,
                "shared_with": sorted(o.name for o in c.shared_with.all()),
                "follow_up": c.follow_up,
                "register_linkage": c.register_linkage,
                "employer_proposals": c.employer_proposals,
                "special_categories": c.special_categories,
                "recorded_by": _user(c.recorded_by),
                "withdrawn_at": c.withdrawn_at,
                "withdrawn_by": _user(c.withdrawn_by),
            }
            for c in consents
        ],
        "enrolments": [_enrolment_data(e) for e in enrolments],
        "share_requests": [
            {
                "requesting_organisation": r.requesting_organisation.name,
                "requested_by": _user(r.requested_by),
                "status": r.status,
                "created_at": r.created_at,
            }
            for r in participant.share_requests.select_related(
                "requesting_organisation", "requested_by"
            ).order_by("created_at")
        ],
        "audit_events": [
            {
                "occurred_at": e.occurred_at,
                "actor": e.actor_username or None,
                "action": e.action,
                "purpose": e.purpose,
                "details": e.details,
            }
            for e in audit_events
        ],
    }


def _assessments_prefetch() -> Prefetch:
    return Prefetch(
        "assessments",
        queryset=Assessment.objects.select_related("instrument", "recorded_by").prefetch_related(
            "scores__dimension"
        ),
    )


# --- erasure (Art. 17) ------------------------------------------------------------------------


def _age(day: date, birth: date) -> int:
    # As the evidence engine counts it: completed years on YYYYMMDD integers.
    def ymd(d: date) -> int:
        return d.year * 10_000 + d.month * 100 + d.day

    return (ymd(day) - ymd(birth)) // 10_000


def generalised_birth_date(birth: date | None, entries: list[date]) -> date | None:
    """A birth date that keeps the age at every entry (all the indicators use) and nothing more.

    The latest date that gives the same completed years at each entry: the earliest of
    "entry minus age" over the entries. Without entries only the birth year is kept."""
    if birth is None:
        return None
    if not entries:
        return date(birth.year, 1, 1)
    candidates = []
    for entry in entries:
        years = _age(entry, birth)
        try:
            candidates.append(entry.replace(year=entry.year - years))
        except ValueError:  # 29 February in a year without it
            candidates.append(entry.replace(year=entry.year - years, day=28))
    generalised = min(candidates)
    if all(_age(e, generalised) == _age(e, birth) for e in entries):
        return generalised
    return birth  # cannot happen for consistent dates; never shift an indicator


def _erase_admin_history(participant: Participant, token: str) -> None:
    # The admin's change history keeps str(participant), which is the participant_ref.
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Participant),
        object_id=str(participant.pk),
    ).update(object_repr=token)


@transaction.atomic
def participant_erase(
    *, actor, participant: Participant, reason: str = "data_subject_request"
) -> Participant:
    """Remove the identity and free text of a participant; keep the statistical record.

    Irreversible. Erasing an already erased participant changes nothing."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.erased_at is not None:
        return participant
    token = f"{ERASED_REF_PREFIX}{secrets.token_hex(12)}"
    entries = list(participant.enrolments.values_list("entry_date", flat=True))
    participant.participant_ref = token
    participant.given_name = ""
    participant.family_name = ""
    participant.personal_id = None
    participant.pseudonym = None
    participant.phone = ""
    participant.email = ""
    participant.address = ""
    participant.birth_date = generalised_birth_date(participant.birth_date, entries)
    participant.erased_at = timezone.now()
    participant.save()
    name_index_clear(participant=participant)
    # Free text may name the person or others; the dates and kinds stay for the statistics.
    for step in PathwayStep.objects.filter(enrolment__participant=participant).exclude(activity=""):
        step.activity = ""
        step.save(update_fields=["activity", "updated_at"])
    for event in PathwayEvent.objects.filter(enrolment__participant=participant).exclude(note=""):
        event.note = ""
        event.save(update_fields=["note", "updated_at"])
    for goal in Goal.objects.filter(enrolment__participant=participant).exclude(description=""):
        goal.description = ""
        goal.save(update_fields=["description", "updated_at"])
    _erase_admin_history(participant, token)
    participant_erased.send(sender=Participant, participant=participant)
    audit_log(
        actor=actor,
        action="participant.erased",
        target=participant,
        purpose="erasure",
        details={"reason": reason},
    )
    return participant


# --- retention --------------------------------------------------------------------------------


def retention_years() -> int:
    return int(getattr(settings, "EMPLUS_RETENTION_YEARS", DEFAULT_RETENTION_YEARS))


def retention_due(*, today: date, years: int | None = None) -> QuerySet[Participant]:
    """Not-yet-erased participants whose last exit is more than `years` years before `today`.

    A participant with an open enrolment is never due, whatever their earlier exits."""
    years = retention_years() if years is None else years
    cutoff = today - relativedelta(years=years)
    return (
        Participant.objects.filter(erased_at__isnull=True)
        .annotate(last_exit=Max("enrolments__exit_date"))
        .filter(last_exit__lt=cutoff)
        .exclude(
            Exists(Enrolment.objects.filter(participant=OuterRef("pk"), exit_date__isnull=True))
        )
        .order_by("pk")
    )


@dataclass(frozen=True)
class RetentionResult:
    cutoff: date
    due: int
    erased: int
    already_erased: int


def retention_apply(
    *, today: date | None = None, dry_run: bool = False, years: int | None = None
) -> RetentionResult:
    """Anonymise (erase) every participant past the retention period; idempotent.

    Each participant is erased in a transaction of its own, so a run that is stopped half-way
    leaves only whole erasures behind and the next run finishes the rest."""
    today = today or timezone.localdate()
    years = retention_years() if years is None else years
    due = list(retention_due(today=today, years=years).values_list("pk", flat=True))
    already = Participant.objects.filter(erased_at__isnull=False).count()
    erased = 0
    if not dry_run:
        for pk in due:
            participant = Participant.objects.get(pk=pk)
            participant_erase(actor=None, participant=participant, reason="retention")
            erased += 1
    return RetentionResult(
        cutoff=today - relativedelta(years=years),
        due=len(due),
        erased=erased,
        already_erased=already,
    )
