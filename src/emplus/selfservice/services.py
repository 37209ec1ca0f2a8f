"""Writes of the self-service app: links, hours and attestations. Each is one transaction with
its audit entry; the audit target is the participant, so their history shows every step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.pathways import services as pathway_services
from emplus.pathways.models import Enrolment, Instrument, Participant, PathwayStep
from emplus.selfservice import hours as hours_rules
from emplus.selfservice.choices import AttestationMethod, HoursSource, LinkPurpose, LinkState
from emplus.selfservice.models import MonthlyTime, SelfServiceLink, TimeAttestation
from emplus.selfservice.tokens import token_hash, token_new

DEFAULT_VALID_DAYS = 7
MAX_VALID_DAYS = 30
# No month has more hours than this; a larger number is a typing error.
MAX_HOURS_PER_MONTH = Decimal(24 * 31)


class LinkUnavailable(Exception):  # noqa: N818 - a state, not a programming error
    """The link cannot be used: it was used, has expired or was revoked."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class Conflict(Exception):  # noqa: N818 - a state, not a programming error
    """The record changed since the form was loaded: both versions are shown, nothing is
    overwritten unless the person chooses to."""

    def __init__(self, message: str, *, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


@dataclass(frozen=True)
class CreatedLink:
    link: SelfServiceLink
    token: str  # shown once, to its creator; only its hash is stored


@dataclass(frozen=True)
class LinkUse:
    replay: bool  # True: the same submission again; nothing new was saved
    assessment: object | None = None
    attestation: TimeAttestation | None = None


# --- helpers ---------------------------------------------------------------------------------


def _enrolment_open(participant: Participant) -> Enrolment | None:
    return participant.enrolments.open().order_by("-entry_date").first()


def _enrolment_in_month(participant: Participant, month: date) -> Enrolment | None:
    return (
        participant.enrolments.filter(entry_date__lte=hours_rules.month_end(month))
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=month))
        .order_by("-entry_date")
        .first()
    )


def _check_month(participant: Participant, month: date, *, today: date) -> None:
    if month > hours_rules.month_start(today):
        raise ValidationError(
            {"month": _("Hours can be recorded only for months that have begun.")}
        )
    if _enrolment_in_month(participant, month) is None:
        raise ValidationError({"month": _("The participant was not enrolled in this month.")})


def _check_participant(participant: Participant) -> None:
    if participant.erased_at is not None:
        raise ValidationError(_("This participant's identity has been erased."))


def hours_derived(*, participant: Participant, month: date) -> Decimal:
    """The hours the pathway's steps give the month (see emplus.selfservice.hours)."""
    steps = PathwayStep.objects.filter(
        enrolment__participant=participant,
        hours__isnull=False,
        started_on__lte=hours_rules.month_end(month),
    ).filter(Q(ended_on__gte=month) | Q(ended_on__isnull=True, started_on__gte=month))
    derived = hours_rules.hours_by_month(
        hours_rules.StepHours(s.started_on, s.ended_on, s.hours)
        for s in steps.only("started_on", "ended_on", "hours")
        if s.hours is not None  # filtered above; says so to the type checker
    )
    return derived.get(month, Decimal("0.0"))


def attestation_valid(monthly: MonthlyTime) -> TimeAttestation | None:
    """The attestation that still counts: one made for the current version of the hours."""
    return monthly.attestations.filter(time_version=monthly.version).order_by("-created_at").first()


def parse_hours(value: object) -> Decimal:
    try:
        hours = Decimal(str(value).replace(",", ".").strip()).quantize(hours_rules.TENTH)
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Give the hours as a number, e.g. 12.5.")}) from None
    if hours < 0 or hours > MAX_HOURS_PER_MONTH:
        raise ValidationError(
            {"hours": _("Give between 0 and %(max)s hours.") % {"max": MAX_HOURS_PER_MONTH}}
        )
    return hours


def _base_matches(monthly: MonthlyTime, base_version: int | None) -> bool:
    """Did the form see these hours? A form loaded before any row existed saw version 0: the
    row that came from the steps since then (version 1, untouched) is what it showed."""
    if base_version is None or base_version == monthly.version:
        return True
    return base_version == 0 and monthly.version == 1 and monthly.source == HoursSource.DERIVED


# --- links -----------------------------------------------------------------------------------


def _link_revoke(*, actor: User, link: SelfServiceLink, now: datetime, reason: str) -> None:
    link.revoked_at = now
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_log(
        actor=actor,
        action="selfservice_link.revoked",
        target=link.participant,
        purpose="case_work",
        details={"link": str(link.pk), "reason": reason},
    )


@transaction.atomic
def selfservice_link_create(
    *,
    actor: User,
    participant: Participant,
    purpose: str,
    instrument: Instrument | None = None,
    month: date | None = None,
    valid_days: int = DEFAULT_VALID_DAYS,
    now: datetime | None = None,
) -> CreatedLink:
    """Create a one-time link for a self-assessment or for attesting a month's hours.

    An earlier unused link for the same purpose and subject is revoked: one live link each."""
    now = now or timezone.now()
    _check_participant(participant)
    if not 1 <= int(valid_days) <= MAX_VALID_DAYS:
        raise ValidationError(
            {"valid_days": _("A link is valid for 1 to %(max)s days.") % {"max": MAX_VALID_DAYS}}
        )
    if purpose == LinkPurpose.ASSESSMENT:
        if instrument is None or not instrument.is_active:
            raise ValidationError({"instrument": _("Choose an instrument that is in use.")})
        enrolment = _enrolment_open(participant)
        if enrolment is None:
            raise ValidationError(_("The participant has no open enrolment."))
        month = None
    elif purpose == LinkPurpose.ATTEST_TIME:
        if month is None:
            raise ValidationError({"month": _("Choose the month to attest.")})
        month = hours_rules.month_start(month)
        _check_month(participant, month, today=timezone.localdate(now))
        enrolment = _enrolment_in_month(participant, month)
        monthly = monthly_time_ensure(actor=actor, participant=participant, month=month, now=now)
        if monthly.hours <= 0:
            raise ValidationError({"month": _("There are no hours to attest in this month.")})
        if attestation_valid(monthly) is not None:
            raise ValidationError({"month": _("This month is already attested.")})
        instrument = None
    else:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    earlier = SelfServiceLink.objects.select_for_update().filter(
        participant=participant,
        purpose=purpose,
        instrument=instrument,
        month=month,
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    for old in earlier:
        _link_revoke(actor=actor, link=old, now=now, reason="replaced")
    token = token_new()
    link = SelfServiceLink(
        organisation=participant.organisation,
        participant=participant,
        enrolment=enrolment,
        purpose=purpose,
        instrument=instrument,
        month=month,
        token_hash=token_hash(token),
        expires_at=now + timedelta(days=int(valid_days)),
        created_by=actor,
    )
    link.full_clean()
    link.save()
    audit_log(
        actor=actor,
        action="selfservice_link.created",
        target=participant,
        purpose="case_work",
        details={
            "link": str(link.pk),
            "purpose": purpose,
            "month": month,
            "expires_at": link.expires_at,
        },
    )
    return CreatedLink(link=link, token=token)


@transaction.atomic
def selfservice_link_revoke(
    *, actor: User, link: SelfServiceLink, now: datetime | None = None
) -> SelfServiceLink:
    """Revoke an unused link at once; revoking twice changes nothing."""
    link = (
        SelfServiceLink.objects.select_for_update(of=("self",))
        .select_related("participant")
        .get(pk=link.pk)
    )
    if link.used_at is not None:
        raise ValidationError(_("A link that has been used cannot be revoked."))
    if link.revoked_at is None:
        _link_revoke(actor=actor, link=link, now=now or timezone.now(), reason="coach")
    return link


def selfservice_link_state(link: SelfServiceLink, now: datetime | None = None) -> str:
    """The state the participant meets: an erased participant's links are revoked for them."""
    if link.participant.erased_at is not None and link.used_at is None:
        return LinkState.REVOKED
    return link.state(now)


@transaction.atomic
def selfservice_link_open(*, link: SelfServiceLink, now: datetime | None = None) -> SelfServiceLink:
    """The participant opened the link (no account: the actor is nobody)."""
    first = link.opened_at is None
    if first:
        link.opened_at = now or timezone.now()
        link.save(update_fields=["opened_at", "updated_at"])
    audit_log(
        actor=None,
        action="selfservice_link.opened",
        target=link.participant,
        purpose="case_work",
        details={"link": str(link.pk), "first": first},
    )
    return link


@transaction.atomic
def selfservice_link_refuse(*, link: SelfServiceLink | None, reason: str) -> None:
    """Audit a refusal: a used, expired or revoked link, or too many attempts."""
    audit_log(
        actor=None,
        action="selfservice_link.refused",
        target=link.participant if link is not None else None,
        purpose="case_work",
        details={"link": str(link.pk) if link is not None else None, "reason": reason},
    )


def _link_for_use(link: SelfServiceLink, key: UUID, now: datetime) -> tuple[SelfServiceLink, bool]:
    """Lock the link; the flag is True when this very submission already used it (a replay)."""
    link = (
        SelfServiceLink.objects.select_for_update(of=("self",))
        .select_related("participant", "enrolment", "instrument")
        .get(pk=link.pk)
    )
    if link.used_at is not None:
        if link.used_key == key:
            return link, True
        raise LinkUnavailable(LinkState.USED)
    state = selfservice_link_state(link, now)
    if state != LinkState.PENDING:
        raise LinkUnavailable(state)
    return link, False


def _link_mark_used(link: SelfServiceLink, key: UUID, now: datetime, details: dict) -> None:
    link.used_at = now
    link.used_key = key
    link.save(update_fields=["used_at", "used_key", "assessment", "updated_at"])
    audit_log(
        actor=None,
        action="selfservice_link.used",
        target=link.participant,
        purpose="case_work",
        details={"link": str(link.pk), **details},
    )


@transaction.atomic
def selfservice_link_use_for_assessment(
    *, link: SelfServiceLink, key: UUID, scores: dict[str, int], now: datetime | None = None
) -> LinkUse:
    """Save the participant's own answers as an assessment marked as entered by them."""
    now = now or timezone.now()
    locked, replay = _link_for_use(link, key, now)
    if replay:
        return LinkUse(replay=True, assessment=locked.assessment)
    if locked.purpose != LinkPurpose.ASSESSMENT:
        raise ValueError("not an assessment link")
    enrolment = locked.enrolment
    if locked.instrument is None:  # excluded by the link's constraint
        raise ValueError("an assessment link without an instrument")
    assessment = pathway_services.assessment_record(
        actor=None,
        enrolment=enrolment,
        instrument=locked.instrument,
        assessed_on=max(timezone.localdate(now), enrolment.entry_date),
        scores=scores,
        entered_by_participant=True,
    )
    locked.assessment = assessment
    _link_mark_used(locked, key, now, {"assessment": str(assessment.pk)})
    return LinkUse(replay=False, assessment=assessment)


@transaction.atomic
def selfservice_link_use_for_attestation(
    *, link: SelfServiceLink, key: UUID, hours_seen: object, now: datetime | None = None
) -> LinkUse:
    """The participant attests the hours they were shown; if the hours changed meanwhile they
    are shown the new ones instead (a conflict), never attesting hours they did not see."""
    now = now or timezone.now()
    locked, replay = _link_for_use(link, key, now)
    if replay:
        return LinkUse(replay=True, attestation=TimeAttestation.objects.get(link=locked))
    if locked.purpose != LinkPurpose.ATTEST_TIME:
        raise ValueError("not an attestation link")
    if locked.month is None:  # excluded by the link's constraint
        raise ValueError("an attestation link without a month")
    monthly = MonthlyTime.objects.select_for_update().get(
        participant=locked.participant, month=locked.month
    )
    seen = parse_hours(hours_seen)
    if seen != monthly.hours:
        raise Conflict(
            _("The hours have changed since you opened the page."),
            details={"hours": str(monthly.hours)},
        )
    if attestation_valid(monthly) is not None:
        raise Conflict(_("These hours have already been attested."), details={})
    attestation = TimeAttestation(
        organisation=monthly.organisation,
        monthly_time=monthly,
        hours=monthly.hours,
        time_version=monthly.version,
        method=AttestationMethod.PARTICIPANT_LINK,
        signed_at=now,
        link=locked,
    )
    attestation.full_clean()
    attestation.save()
    audit_log(
        actor=None,
        action="time_attestation.recorded",
        target=locked.participant,
        purpose="case_work",
        details={
            "attestation": str(attestation.pk),
            "month": monthly.month,
            "method": AttestationMethod.PARTICIPANT_LINK,
            "hours": str(monthly.hours),
        },
    )
    _link_mark_used(locked, key, now, {"attestation": str(attestation.pk)})
    return LinkUse(replay=False, attestation=attestation)


# --- attested time ---------------------------------------------------------------------------


@transaction.atomic
def monthly_time_ensure(
    *, actor: User, participant: Participant, month: date, now: datetime | None = None
) -> MonthlyTime:
    """The month's hours row, created from the pathway's steps the first time it is needed."""
    month = hours_rules.month_start(month)
    existing = MonthlyTime.objects.select_for_update().filter(participant=participant, month=month)
    found = existing.first()
    if found is not None:
        return found
    _check_participant(participant)
    _check_month(participant, month, today=timezone.localdate(now or timezone.now()))
    monthly = MonthlyTime(
        organisation=participant.organisation,
        participant=participant,
        month=month,
        hours=hours_derived(participant=participant, month=month),
        source=HoursSource.DERIVED,
        version=1,
        updated_by=actor,
    )
    monthly.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            monthly.save()
    except IntegrityError:
        # Created by a concurrent request a moment ago: use that one.
        return existing.get()
    audit_log(
        actor=actor,
        action="monthly_time.created",
        target=participant,
        purpose="case_work",
        details={"month": month, "hours": str(monthly.hours), "source": HoursSource.DERIVED},
    )
    return monthly


@transaction.atomic
def monthly_time_set_hours(
    *,
    actor: User,
    participant: Participant,
    month: date,
    hours: object,
    base_version: int | None = None,
    now: datetime | None = None,
) -> MonthlyTime:
    """Set a month's hours. A change after an attestation leaves that attestation behind: the
    month then needs a new one. `base_version` is the version the form showed; if the hours
    changed since, nothing is saved and the current hours are returned in a Conflict."""
    value = parse_hours(hours)
    monthly = monthly_time_ensure(actor=actor, participant=participant, month=month, now=now)
    monthly = MonthlyTime.objects.select_for_update().get(pk=monthly.pk)
    if not _base_matches(monthly, base_version):
        raise Conflict(
            _("Someone changed these hours after you opened the form."),
            details={"hours": str(monthly.hours), "version": monthly.version},
        )
    if value == monthly.hours:
        return monthly
    voided = attestation_valid(monthly)
    before = monthly.hours
    monthly.hours = value
    monthly.source = HoursSource.EDITED
    monthly.version += 1
    monthly.updated_by = actor
    monthly.full_clean(validate_unique=False)
    monthly.save(update_fields=["hours", "source", "version", "updated_by", "updated_at"])
    audit_log(
        actor=actor,
        action="monthly_time.hours_set",
        target=participant,
        purpose="case_work",
        details={
            "month": monthly.month,
            "hours_before": str(before),
            "hours": str(value),
            "version": monthly.version,
            "attestation_left_behind": str(voided.pk) if voided else None,
        },
    )
    return monthly


@transaction.atomic
def time_attestation_record_paper(
    *,
    actor: User,
    participant: Participant,
    month: date,
    paper_date: date,
    base_version: int | None = None,
    now: datetime | None = None,
) -> TimeAttestation:
    """Record that the participant signed the month's hours on paper, on `paper_date`."""
    today = timezone.localdate(now or timezone.now())
    monthly = monthly_time_ensure(actor=actor, participant=participant, month=month, now=now)
    monthly = MonthlyTime.objects.select_for_update().get(pk=monthly.pk)
    if not _base_matches(monthly, base_version):
        raise Conflict(
            _("The hours changed after you opened the form: check them before recording."),
            details={"hours": str(monthly.hours), "version": monthly.version},
        )
    if paper_date > today:
        raise ValidationError({"paper_date": _("The date on the paper cannot be in the future.")})
    if paper_date < monthly.month:
        raise ValidationError(
            {"paper_date": _("The paper cannot be signed before the month began.")}
        )
    if monthly.hours <= 0:
        raise ValidationError(_("There are no hours to attest in this month."))
    current = attestation_valid(monthly)
    if current is not None:
        raise Conflict(
            _("This month is already attested (%(date)s).") % {"date": current.signed_on},
            details={"attestation": str(current.pk)},
        )
    attestation = TimeAttestation(
        organisation=monthly.organisation,
        monthly_time=monthly,
        hours=monthly.hours,
        time_version=monthly.version,
        method=AttestationMethod.PAPER,
        paper_date=paper_date,
        recorded_by=actor,
    )
    attestation.full_clean()
    attestation.save()
    audit_log(
        actor=actor,
        action="time_attestation.recorded",
        target=participant,
        purpose="case_work",
        details={
            "attestation": str(attestation.pk),
            "month": monthly.month,
            "method": AttestationMethod.PAPER,
            "hours": str(monthly.hours),
        },
    )
    return attestation
