"""Writes of the pathway module: each one transaction, each audited in that transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from emplus.core.audit import audit_log
from emplus.core.crypto import pseudonym
from emplus.core.personnummer import PersonnummerError, parse_personnummer
from emplus.core.typing import User
from emplus.organisations.models import Organisation, Unit
from emplus.pathways import selectors
from emplus.pathways.choices import ConsentPurpose, LegalBasis, ProcessingBasis
from emplus.pathways.fields import SPECIAL_FIELDS, VALUE_FIELDS
from emplus.pathways.models import (
    Assessment,
    AssessmentScore,
    Consent,
    Enrolment,
    FollowUp,
    Goal,
    Instrument,
    InstrumentReliability,
    Participant,
    PathwayEvent,
    PathwayStep,
    ShareRequest,
)
from emplus.pathways.name_index import name_index_write
from emplus.pathways.progress_data import statistics_kept_through
from emplus.pathways.progress_summary import enrolment_progress_refresh

if TYPE_CHECKING:  # methods and testbeds sit above pathways: the types only (docs/architecture.md)
    from emplus.methods.models import Method
    from emplus.testbeds.models import TestBed

_Record = TypeVar("_Record", PathwayStep, PathwayEvent, Goal)

FOLLOW_UP_AFTER = relativedelta(months=6)


@dataclass(frozen=True)
class IdentityCheck:
    normalised: str | None
    birth_date: date | None
    pseudonym: str | None


def identity_check(
    *, personal_id: str | None, birth_date: date | None, reference_date: date | None = None
) -> IdentityCheck:
    """Validate a personnummer/samordningsnummer and its agreement with the birth date.

    Raises ValidationError on the personal_id field with a message that never repeats it."""
    if not personal_id:
        return IdentityCheck(None, birth_date, None)
    try:
        parsed = parse_personnummer(
            personal_id, reference_date=reference_date or timezone.localdate()
        )
    except PersonnummerError as exc:
        raise ValidationError({"personal_id": str(exc)}) from None
    if birth_date is not None and birth_date != parsed.birth_date:
        raise ValidationError(
            {
                "personal_id": _(
                    "The birth date in the personal identity number does not match the birth date."
                )
            }
        )
    return IdentityCheck(parsed.normalised, parsed.birth_date, pseudonym(parsed.normalised))


@dataclass
class Registration:
    participant: Participant
    # Other organisations that know the same person (names only, never their records), where
    # the consents on both sides allow saying so (selectors.participant_known_elsewhere).
    known_elsewhere: list[Organisation] = field(default_factory=list)
    # The check was not made: the user reached the hourly number of checks.
    known_elsewhere_limited: bool = False
    consent: Consent | None = None
    enrolment: Enrolment | None = None


CONSENT_PURPOSES = (*ConsentPurpose.values, "special_categories")


@dataclass(frozen=True)
class ConsentTerms:
    """What one consent record holds: the legal basis, the purposes it covers, the information
    text the participant was given, and (with consent to sharing) the organisations named."""

    information_version: str
    given_on: date
    legal_basis: str = ProcessingBasis.CONSENT
    purposes: frozenset[str] = frozenset()
    shared_with: tuple[Organisation, ...] = ()

    def record_values(self) -> dict:
        """Keyword arguments of `consent_record`."""
        unknown = set(self.purposes) - set(CONSENT_PURPOSES)
        if unknown:
            raise TypeError(f"unknown consent purposes: {sorted(unknown)}")
        return {
            "information_version": self.information_version,
            "given_on": self.given_on,
            "legal_basis": self.legal_basis,
            "shared_with": list(self.shared_with),
            **{name: name in self.purposes for name in CONSENT_PURPOSES},
        }


def _check_special_categories(values: dict, basis: str) -> None:
    given = [name for name in SPECIAL_FIELDS if values.get(name)]
    if given and not basis:
        raise ValidationError(
            {
                name: _(
                    "Disability and minority may only be recorded with a recorded consent or legal "
                    "basis."
                )
                for name in given
            }
        )


@transaction.atomic
def participant_register(
    *,
    actor: User,
    organisation: Organisation,
    unit: Unit,
    participant_ref: str,
    personal_id: str | None = None,
    special_category_basis: str = "",
    purpose: str = "case_work",
    **values: Any,
) -> Registration:
    """Register a participant in the actor's organisation and unit."""
    unknown = set(values) - set(VALUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown participant fields: {sorted(unknown)}")
    if unit.organisation_id != organisation.pk:
        raise ValidationError({"unit": _("The unit must belong to the same organisation.")})
    _check_special_categories(values, special_category_basis)
    identity = identity_check(personal_id=personal_id, birth_date=values.get("birth_date"))
    if (
        identity.pseudonym
        and Participant.objects.filter(
            organisation=organisation, pseudonym=identity.pseudonym, erased_at__isnull=True
        ).exists()
    ):
        raise ValidationError(
            {"personal_id": _("This person is already registered in your organisation.")}
        )
    participant = Participant(
        organisation=organisation,
        unit=unit,
        participant_ref=participant_ref,
        personal_id=identity.normalised,
        pseudonym=identity.pseudonym,
        special_category_basis=special_category_basis,
        **values,
    )
    if participant.birth_date is None:
        participant.birth_date = identity.birth_date
    participant.full_clean()
    participant.save()
    name_index_write(participants=[participant], new=True)
    audit_log(actor=actor, action="participant.created", target=participant, purpose=purpose)
    return Registration(participant=participant)


@transaction.atomic
def participant_enrol(
    *,
    actor: User,
    unit: Unit,
    participant_ref: str,
    consent: ConsentTerms,
    entry_date: date,
    personal_id: str | None = None,
    special_category_basis: str = "",
    **values: Any,
) -> Registration:
    """Register a participant together with the legal basis of their data (a consent record)
    and their first enrolment: what the registration page and the API both do, all or nothing.

    The check whether other organisations know the person follows the consents on both sides
    (`selectors.participant_known_elsewhere`)."""
    if ConsentPurpose.CASE_WORK not in consent.purposes:
        raise ValidationError(
            {
                "purposes": _(
                    "Registration needs the participant's consent to case work, or another legal "
                    "basis that covers it."
                )
            }
        )
    if special_category_basis == LegalBasis.CONSENT and (
        "special_categories" not in consent.purposes
    ):
        raise ValidationError(
            {
                "special_category_basis": _(
                    "Disability and minority are recorded on consent only when the consent "
                    "covers them."
                )
            }
        )
    registration = participant_register(
        actor=actor,
        organisation=unit.organisation,
        unit=unit,
        participant_ref=participant_ref,
        personal_id=personal_id,
        special_category_basis=special_category_basis,
        **values,
    )
    participant = registration.participant
    registration.consent = consent_record(
        actor=actor, participant=participant, **consent.record_values()
    )
    registration.enrolment = enrolment_start(
        actor=actor, participant=participant, entry_date=entry_date
    )
    known = selectors.participant_known_elsewhere(viewer=actor, participant=participant)
    registration.known_elsewhere = known.organisations
    registration.known_elsewhere_limited = known.limited
    return registration


@transaction.atomic
def participant_update(
    *,
    actor: User,
    participant: Participant,
    personal_id: str | None = None,
    special_category_basis: str | None = None,
    purpose: str = "case_work",
    **values: Any,
) -> Participant:
    """Change entry characteristics, contact details or identity; audits the field names."""
    unknown = set(values) - set(VALUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown participant fields: {sorted(unknown)}")
    if participant.erased_at is not None:
        raise ValidationError(_("This participant's identity has been erased."))
    basis = (
        participant.special_category_basis
        if special_category_basis is None
        else special_category_basis
    )
    merged = {name: values.get(name, getattr(participant, name)) for name in SPECIAL_FIELDS}
    _check_special_categories(merged, basis)
    changed = [name for name, value in values.items() if getattr(participant, name) != value]
    special_recorded = any(merged.values()) and (
        basis != participant.special_category_basis or set(changed) & set(SPECIAL_FIELDS)
    )
    if (
        special_recorded
        and basis == LegalBasis.CONSENT
        and not Consent.objects.current()
        .filter(participant=participant, special_categories=True)
        .exists()
    ):
        # On consent, the values need a current consent record that covers them (else the
        # next consent change would clear them again): record that consent first.
        raise ValidationError(
            {
                "special_category_basis": _(
                    "First record a new consent that covers disability and minority (on the "
                    "participant's page)."
                )
            }
        )
    if personal_id is not None:
        identity = identity_check(
            personal_id=personal_id, birth_date=values.get("birth_date", participant.birth_date)
        )
        if identity.normalised != participant.personal_id:
            participant.personal_id = identity.normalised
            participant.pseudonym = identity.pseudonym
            changed.append("personal_id")
    if basis != participant.special_category_basis:
        participant.special_category_basis = basis
        changed.append("special_category_basis")
    for name, value in values.items():
        setattr(participant, name, value)
    participant.full_clean()
    participant.save()
    if {"given_name", "family_name"} & set(changed):
        name_index_write(participants=[participant])
    if changed:
        audit_log(
            actor=actor,
            action="participant.changed",
            target=participant,
            purpose=purpose,
            details={"fields": sorted(changed)},
        )
    return participant


@transaction.atomic
def consent_record(
    *,
    actor: User,
    participant: Participant,
    information_version: str,
    given_on: date,
    shared_with: Sequence[Organisation] = (),
    legal_basis: str = ProcessingBasis.CONSENT,
    **purposes: bool,
) -> Consent:
    """Record a consent (or another legal basis) for some purposes. It replaces the one before:
    only the newest record counts. Special-category values recorded on consent are cleared when
    the new record no longer covers them."""
    if set(purposes) - set(CONSENT_PURPOSES):
        raise TypeError(
            f"unknown consent purposes: {sorted(set(purposes) - set(CONSENT_PURPOSES))}"
        )
    if legal_basis not in ProcessingBasis.values:
        raise ValidationError({"legal_basis": _("Not a known legal basis.")})
    if legal_basis != ProcessingBasis.CONSENT and (
        purposes.get("sharing")
        or purposes.get("special_categories")
        or purposes.get("employer_proposals")
    ):
        raise ValidationError(
            {
                "legal_basis": _(
                    "Sharing with other organisations and recording disability and minority "
                    "need the participant's consent."
                )
            }
        )
    if shared_with and not purposes.get("sharing"):
        raise ValidationError({"shared_with": _("Name organisations only when sharing is agreed.")})
    if any(getattr(o, "pk", o) == participant.organisation_id for o in shared_with):
        raise ValidationError(
            {"shared_with": _("Name other organisations, not the participant's own.")}
        )
    consent = Consent(
        participant=participant,
        information_version=information_version,
        given_on=given_on,
        legal_basis=legal_basis,
        recorded_by=actor,
        **purposes,
    )
    consent.full_clean()
    consent.save()
    consent.shared_with.set(shared_with)
    audit_log(
        actor=actor,
        action="consent.recorded",
        target=participant,
        purpose="case_work",
        details={
            "consent": str(consent.pk),
            "legal_basis": legal_basis,
            "purposes": sorted(k for k, v in purposes.items() if v),
        },
    )
    _special_categories_follow_consent(actor=actor, participant=participant)
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent) -> Consent:
    """Withdrawal takes effect at once: sharing and follow-up contact stop with it, and
    special-category values recorded on consent are cleared."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = actor
        consent.save(update_fields=["withdrawn_at", "withdrawn_by", "updated_at"])
        audit_log(
            actor=actor,
            action="consent.withdrawn",
            target=consent.participant,
            purpose="case_work",
            details={"consent": str(consent.pk)},
        )
        _special_categories_follow_consent(actor=actor, participant=consent.participant)
    return consent


def _special_categories_follow_consent(*, actor: User, participant: Participant) -> None:
    """Disability and minority recorded on consent stay only while the participant's newest
    consent covers them; otherwise they are cleared (audited, by field name only)."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.special_category_basis != LegalBasis.CONSENT:
        return
    if Consent.objects.current().filter(participant=participant, special_categories=True).exists():
        return
    cleared = [name for name in SPECIAL_FIELDS if getattr(participant, name)]
    for name in SPECIAL_FIELDS:
        setattr(participant, name, "")
    participant.special_category_basis = ""
    participant.save(update_fields=[*SPECIAL_FIELDS, "special_category_basis", "updated_at"])
    audit_log(
        actor=actor,
        action="participant.special_categories_cleared",
        target=participant,
        purpose="case_work",
        details={"fields": sorted(cleared), "reason": "consent"},
    )


@transaction.atomic
def share_request_create(
    *, actor: User, participant: Participant, organisation: Organisation
) -> ShareRequest:
    """Ask the owning organisation to share a person it knows (the requester sees nothing yet)."""
    request = ShareRequest.objects.create(
        participant=participant, requesting_organisation=organisation, requested_by=actor
    )
    audit_log(
        actor=actor,
        action="share.requested",
        target=participant,
        purpose="case_work",
        details={"requesting_organisation": str(organisation.pk)},
    )
    return request


@transaction.atomic
def enrolment_start(
    *,
    actor: User,
    participant: Participant,
    entry_date: date,
    method: Method | None = None,
    test_bed: TestBed | None = None,
) -> Enrolment:
    if participant.enrolments.open().exists():
        raise ValidationError(_("The participant already has an open enrolment."))
    enrolment = Enrolment(
        participant=participant, entry_date=entry_date, method=method, test_bed=test_bed
    )
    enrolment.full_clean()
    enrolment.save()
    audit_log(
        actor=actor,
        action="enrolment.started",
        target=participant,
        purpose="case_work",
        details={"enrolment": str(enrolment.pk)},
    )
    return enrolment


@transaction.atomic
def enrolment_exit(
    *,
    actor: User,
    enrolment: Enrolment,
    exit_date: date,
    reason: str,
    observed_on: date | None = None,
    job_searching: bool | None = None,
    in_education: bool | None = None,
    qualification: bool | None = None,
    employed: bool | None = None,
) -> Enrolment:
    """Close an enrolment, record the situation upon leaving, schedule the follow-up."""
    enrolment.exit_date = exit_date
    enrolment.exit_reason = reason
    enrolment.exit_observed_on = observed_on or exit_date
    enrolment.exit_job_searching = job_searching
    enrolment.exit_in_education = in_education
    enrolment.exit_qualification = qualification
    enrolment.exit_employed = employed
    enrolment.full_clean()
    enrolment.save()
    FollowUp.objects.update_or_create(
        enrolment=enrolment, defaults={"due_on": exit_date + FOLLOW_UP_AFTER}
    )
    audit_log(
        actor=actor,
        action="enrolment.exited",
        target=enrolment.participant,
        purpose="case_work",
        details={"enrolment": str(enrolment.pk)},
    )
    return enrolment


@transaction.atomic
def enrolment_dates_correct(
    *, actor: User, enrolment: Enrolment, entry_date: date, exit_date: date | None = None
) -> Enrolment:
    """Correct a wrongly recorded entry or exit date. An exit, once recorded, keeps a date (an
    exit is undone by no correction); a pending follow-up moves with the exit. Months already
    reported to Statistics Sweden show the change on their ESF project's page."""
    if enrolment.exit_date is not None and exit_date is None:
        raise ValidationError({"exit_date": _("An exit that has been recorded keeps a date.")})
    if enrolment.exit_date is None and exit_date is not None:
        raise ValidationError({"exit_date": _("Record the exit on its own page.")})
    changed = [
        name
        for name, value in (("entry_date", entry_date), ("exit_date", exit_date))
        if getattr(enrolment, name) != value
    ]
    if not changed:
        return enrolment
    enrolment.entry_date = entry_date
    enrolment.exit_date = exit_date
    if exit_date is not None and (
        enrolment.exit_observed_on is None or enrolment.exit_observed_on < exit_date
    ):
        enrolment.exit_observed_on = exit_date
    enrolment.full_clean()
    enrolment.save()
    follow_up = FollowUp.objects.filter(enrolment=enrolment, observed_on__isnull=True).first()
    if follow_up is not None and exit_date is not None:
        follow_up.due_on = exit_date + FOLLOW_UP_AFTER
        follow_up.save(update_fields=["due_on"])
    audit_log(
        actor=actor,
        action="enrolment.dates_corrected",
        target=enrolment.participant,
        purpose="case_work",
        details={"enrolment": str(enrolment.pk), "fields": changed},
    )
    return enrolment


@transaction.atomic
def followup_record(
    *,
    actor: User,
    follow_up: FollowUp,
    observed_on: date,
    employed: bool | None,
    improved: bool | None,
) -> FollowUp:
    exit_date = follow_up.enrolment.exit_date  # set: a follow-up is scheduled by the exit
    if exit_date is not None and observed_on < exit_date:
        raise ValidationError({"observed_on": _("The follow-up cannot be before the exit.")})
    follow_up.observed_on = observed_on
    follow_up.employed = employed
    follow_up.improved = improved
    follow_up.save()
    audit_log(
        actor=actor,
        action="followup.recorded",
        target=follow_up.enrolment.participant,
        purpose="case_work",
        details={"enrolment": str(follow_up.enrolment_id)},
    )
    return follow_up


def _enrolment_record_save(*, actor: User, record: _Record, kind: str) -> _Record:
    """Validate and save a step, event or goal, and audit it against its participant."""
    record.full_clean()
    record.save()
    audit_log(
        actor=actor,
        action=f"{kind}.recorded",
        target=record.enrolment.participant,
        purpose="case_work",
        details={kind: str(record.pk)},
    )
    return record


@transaction.atomic
def step_record(
    *,
    actor: User,
    enrolment: Enrolment,
    phase: str,
    activity: str,
    started_on: date,
    ended_on: date | None = None,
    hours: Decimal | None = None,
) -> PathwayStep:
    step = PathwayStep(
        enrolment=enrolment,
        phase=phase,
        activity=activity,
        started_on=started_on,
        ended_on=ended_on,
        hours=hours,
    )
    return _enrolment_record_save(actor=actor, record=step, kind="step")


@transaction.atomic
def event_record(
    *, actor: User, enrolment: Enrolment, kind: str, occurred_on: date, note: str = ""
) -> PathwayEvent:
    event = PathwayEvent(enrolment=enrolment, kind=kind, occurred_on=occurred_on, note=note)
    return _enrolment_record_save(actor=actor, record=event, kind="event")


@transaction.atomic
def goal_record(
    *,
    actor: User,
    enrolment: Enrolment,
    description: str,
    target_date: date | None = None,
    achieved_on: date | None = None,
) -> Goal:
    goal = Goal(
        enrolment=enrolment,
        description=description,
        target_date=target_date,
        achieved_on=achieved_on,
    )
    return _enrolment_record_save(actor=actor, record=goal, kind="goal")


def instrument_data_changed(*, instrument: Instrument) -> None:
    """Raise the data version of an instrument's assessments, so that its reliability
    statistics are computed again from every assessment at the next read (decision 39): for a
    write of assessments in bulk, inside its own transaction (the new version is seen with the
    new rows). A write of a few participants' assessments keeps them up to date instead
    (`progress_data.statistics_kept_through`, decision 56)."""
    InstrumentReliability.objects.get_or_create(instrument=instrument)
    InstrumentReliability.objects.filter(instrument=instrument).update(
        data_version=F("data_version") + 1
    )


@transaction.atomic
def progress_summary_rebuild(*, actor: User | None) -> dict[str, int]:
    """Write the stored progress summary of every instrument again from the assessments (the
    operator's escape hatch, `emplus rebuild-progress`; decision 44); the rows per instrument
    code and version."""
    written = {}
    for instrument in Instrument.objects.order_by("code", "version"):
        rows = enrolment_progress_refresh(instrument=instrument, enrolments=None)
        written[f"{instrument.code} {instrument.version}"] = rows
    audit_log(actor=actor, action="progress.rebuilt", purpose="evaluation", details=written)
    return written


@transaction.atomic
def assessment_record(
    *,
    actor: User | None,  # None: the participant through a self-service link
    enrolment: Enrolment,
    instrument: Instrument,
    assessed_on: date,
    scores: dict[str, int],
    entered_by_participant: bool = False,
) -> Assessment:
    """Record a self-assessment: one value on the instrument's scale for every dimension.

    `entered_by_participant` marks one the participant filled in through a self-service link;
    the actor is then None (no account) and the caller audits how the link was used."""
    dimensions = {d.code: d for d in instrument.dimensions.all()}
    errors = {}
    for code in dimensions:
        value = scores.get(code)
        if value is None:
            errors[code] = _("Give a value for every dimension.")
        elif not instrument.scale_min <= int(value) <= instrument.scale_max:
            errors[code] = _("Use a value from %(low)s to %(high)s.") % {
                "low": instrument.scale_min,
                "high": instrument.scale_max,
            }
    for code in set(scores) - set(dimensions):
        errors[code] = _("Not a dimension of this instrument.")
    if errors:
        raise ValidationError(errors)
    if assessed_on < enrolment.entry_date:
        raise ValidationError({"assessed_on": _("The assessment cannot be before the entry.")})
    # The reliability statistics kept up to date with the participant's new share (decision 56).
    with statistics_kept_through(instrument=instrument, participants=[enrolment.participant_id]):
        assessment = Assessment.objects.create(
            enrolment=enrolment,
            instrument=instrument,
            assessed_on=assessed_on,
            recorded_by=actor,
            entered_by_participant=entered_by_participant,
        )
        AssessmentScore.objects.bulk_create(
            AssessmentScore(assessment=assessment, dimension=dimensions[code], value=int(value))
            for code, value in scores.items()
        )
    enrolment_progress_refresh(instrument=instrument, enrolments=[enrolment.pk])
    audit_log(
        actor=actor,
        action="assessment.recorded",
        target=enrolment.participant,
        purpose="case_work",
        details={
            "assessment": str(assessment.pk),
            "entered_by_participant": entered_by_participant,
        },
    )
    return assessment
