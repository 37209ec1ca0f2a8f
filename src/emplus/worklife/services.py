"""Writes of working life: employers, their contacts and workplace placements; each one
transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Required, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from emplus.core import scoping
from emplus.core.audit import audit_list, audit_log
from emplus.core.choices import Phase
from emplus.core.organisation_number import (
    OrganisationNumberError,
    parse_organisation_number,
)
from emplus.core.typing import User
from emplus.evidence_core.income_file import IncomeRow
from emplus.evidence_core.participant_file import FileIssue
from emplus.evidence_core.ssyk import SsykError, ssyk_clean
from emplus.geo.models import Municipality
from emplus.organisations.models import Organisation, Unit
from emplus.pathways.models import Consent, Enrolment, Participant, PathwayStep
from emplus.worklife.choices import PLACEMENT_PHASE, PROPOSAL_MOVES, ProposalStatus
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

# Employers are directory data (audited so that every change has an author); placements are
# case work about a participant.
DIRECTORY = "directory"
CASE_WORK = "case_work"
# What remains of a required free-text reason after the participant is erased.
ERASED_TEXT = "–"


def organisation_number_clean(value: str) -> str:
    """The ten digits of a valid organisation number, or a ValidationError naming the field."""
    try:
        return parse_organisation_number(value)
    except OrganisationNumberError as error:
        messages = {
            "format": _("Not an organisation number: write ten digits, as NNNNNN-NNNN."),
            "personal": _(
                "This looks like a personal identity number (a sole trader's number); the "
                "register keeps no personal identity numbers."
            ),
            "checksum": _("The organisation number has a wrong check digit."),
        }
        message = messages.get(error.kind, str(error))
        raise ValidationError(
            {"organisation_number": ValidationError(message, code=error.kind)}
        ) from error


def _employer_links_set(
    *,
    employer: Employer,
    partner_organisations: Iterable[Organisation],
    partner_units: Iterable[Unit],
) -> None:
    organisations = list(partner_organisations)
    units = list(partner_units)
    allowed = {o.pk for o in organisations} | {employer.organisation_id}
    stray = [u for u in units if u.organisation_id not in allowed]
    if stray:
        raise ValidationError(
            {
                "partner_units": _(
                    "A unit must belong to the owning organisation or a partner organisation "
                    "named: %(units)s."
                )
                % {"units": ", ".join(sorted(u.name for u in stray))}
            }
        )
    employer.partner_organisations.set(
        [o for o in organisations if o.pk != employer.organisation_id]
    )
    employer.partner_units.set(units)


@transaction.atomic
def employer_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    organisation_number: str,
    sni_division: str,
    municipality: Municipality,
    size_band: str,
    sector: str = "business",
    notes: str = "",
    partner_organisations: Iterable[Organisation] = (),
    partner_units: Iterable[Unit] = (),
) -> Employer:
    """Register an employer in an organisation where the actor may change employers."""
    if organisation.pk not in scoping.organisation_ids_with(actor, "employer.change"):
        raise PermissionDenied("Employers are registered in one's own organisation.")
    digits = organisation_number_clean(organisation_number)
    if Employer.objects.filter(organisation=organisation, organisation_number=digits).exists():
        raise ValidationError(
            {"organisation_number": _("This organisation has registered this employer already.")}
        )
    employer = Employer(
        organisation=organisation,
        name=name.strip(),
        organisation_number=digits,
        sni_division=sni_division,
        municipality=municipality,
        size_band=size_band,
        sector=sector,
        notes=notes,
    )
    employer.full_clean()
    employer.save()
    _employer_links_set(
        employer=employer, partner_organisations=partner_organisations, partner_units=partner_units
    )
    audit_log(
        actor=actor,
        action="employer.created",
        target=employer,
        purpose=DIRECTORY,
        details={"organisation_number": digits},
    )
    return employer


@transaction.atomic
def employer_update(
    *,
    actor: User,
    employer: Employer,
    name: str,
    organisation_number: str,
    sni_division: str,
    municipality: Municipality,
    size_band: str,
    sector: str = "business",
    notes: str = "",
    partner_organisations: Iterable[Organisation] = (),
    partner_units: Iterable[Unit] = (),
) -> Employer:
    """Change an employer of the actor's own organisation."""
    if not scoping.allows(actor, "employer.change", employer):
        raise PermissionDenied("Only the owning organisation changes an employer.")
    digits = organisation_number_clean(organisation_number)
    duplicate = Employer.objects.filter(
        organisation_id=employer.organisation_id, organisation_number=digits
    ).exclude(pk=employer.pk)
    if duplicate.exists():
        raise ValidationError(
            {"organisation_number": _("This organisation has registered this employer already.")}
        )
    employer.name = name.strip()
    employer.organisation_number = digits
    employer.sni_division = sni_division
    employer.municipality = municipality
    employer.size_band = size_band
    employer.sector = sector
    employer.notes = notes
    employer.full_clean()
    employer.save()
    _employer_links_set(
        employer=employer, partner_organisations=partner_organisations, partner_units=partner_units
    )
    audit_log(actor=actor, action="employer.changed", target=employer, purpose=DIRECTORY)
    return employer


@transaction.atomic
def employer_contact_add(
    *, actor: User, employer: Employer, name: str, title: str = "", email: str = "", phone: str = ""
) -> EmployerContact:
    """A business contact of an employer of the actor's own organisation."""
    if not scoping.allows(actor, "employer.change", employer):
        raise PermissionDenied("Only the owning organisation changes an employer.")
    contact = EmployerContact(employer=employer, name=name, title=title, email=email, phone=phone)
    contact.full_clean()
    contact.save()
    audit_log(
        actor=actor,
        action="employer.contact_added",
        target=employer,
        purpose=DIRECTORY,
        details={"contact": str(contact.pk)},
    )
    return contact


@transaction.atomic
def employer_contact_remove(*, actor: User, contact: EmployerContact) -> None:
    employer = contact.employer
    if not scoping.allows(actor, "employer.change", employer):
        raise PermissionDenied("Only the owning organisation changes an employer.")
    audit_log(
        actor=actor,
        action="employer.contact_removed",
        target=employer,
        purpose=DIRECTORY,
        details={"contact": str(contact.pk)},
    )
    contact.delete()


# --- placements -----------------------------------------------------------------------------


def _open_enrolment(participant: Participant) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(participant=participant, exit_date__isnull=True)
        .order_by("-entry_date")
        .first()
    )
    if enrolment is None:
        raise ValidationError(
            {"participant": _("The participant has no open pathway to place the placement on.")}
        )
    return enrolment


def _placement_check(*, actor: User, placement: WorkplacePlacement) -> None:
    if (
        not Employer.objects.restrict(actor, "employer.view")
        .filter(pk=placement.employer_id)
        .exists()
    ):
        raise ValidationError(
            {"employer": _("Choose an employer of your organisation or partners.")}
        )
    placement.full_clean(exclude=["step"])


def _step_sync(placement: WorkplacePlacement, step: PathwayStep) -> PathwayStep:
    """The pathway step a placement is: its phase by kind, the employer as the activity."""
    step.phase = PLACEMENT_PHASE[placement.kind]
    step.activity = f"{placement.get_kind_display()}: {placement.employer.name}"[:200]
    return _step_save(placement, step)


def _education_step_sync(education: EducationEnrolment, step: PathwayStep) -> PathwayStep:
    """The pathway step a course of study is: the train phase, provider and programme."""
    step.phase = Phase.TRAIN
    step.activity = f"{education.programme} ({education.provider_name})"[:200]
    return _step_save(education, step)


def _step_save(record: WorkplacePlacement | EducationEnrolment, step: PathwayStep) -> PathwayStep:
    step.started_on = record.started_on
    step.ended_on = record.ended_on
    step.full_clean()
    step.save()
    return step


def _step_pathway(
    *,
    actor: User,
    permission: str,
    target: Participant | WorkplacePlacement | EducationEnrolment,
    started_on: date,
    denied: str,
    too_early: str,
) -> Enrolment:
    """The pathway of a record that is a step (placement, studies): a new one joins the open
    pathway, a changed one keeps its own. The record is the actor's to write and starts no
    earlier than the pathway's entry."""
    if not scoping.allows(actor, permission, target):
        raise PermissionDenied(denied)
    if isinstance(target, Participant):
        enrolment = _open_enrolment(target)
    else:
        enrolment = target.step.enrolment
    if started_on < enrolment.entry_date:
        raise ValidationError({"started_on": too_early})
    return enrolment


def _assign(record: WorkplacePlacement | EducationEnrolment, values: Mapping[str, object]) -> None:
    for name, value in values.items():
        setattr(record, name, value)


class PlacementValues(TypedDict, total=False):
    """What a placement form sets (the first three are required)."""

    employer: Required[Employer]
    kind: Required[str]
    started_on: Required[date]
    ended_on: date | None
    hours_per_week: Decimal | None
    supervisor: str
    goals: str
    outcome: str
    outcome_reason: str


@transaction.atomic
def placement_record(
    *, actor: User, participant: Participant, **values: Unpack[PlacementValues]
) -> WorkplacePlacement:
    """A placement on the participant's open pathway; it is also a step of the kind's phase."""
    enrolment = _step_pathway(
        actor=actor,
        permission="placement.change",
        target=participant,
        started_on=values["started_on"],
        denied="Placements are recorded for one's own participants.",
        too_early=_("The placement cannot start before the entry."),
    )
    placement = WorkplacePlacement(participant=participant, **values)
    _placement_check(actor=actor, placement=placement)
    placement.step = _step_sync(placement, PathwayStep(enrolment=enrolment))
    placement.save()
    audit_log(
        actor=actor,
        action="placement.recorded",
        target=participant,
        purpose=CASE_WORK,
        details={
            "placement": str(placement.pk),
            "employer": str(placement.employer_id),
            "kind": placement.kind,
        },
    )
    return placement


@transaction.atomic
def placement_update(
    *, actor: User, placement: WorkplacePlacement, **values: Unpack[PlacementValues]
) -> WorkplacePlacement:
    """Change a placement (dates, outcome, …; what is not given stays); its step follows."""
    _step_pathway(
        actor=actor,
        permission="placement.change",
        target=placement,
        started_on=values["started_on"],
        denied="Placements are changed for one's own participants.",
        too_early=_("The placement cannot start before the entry."),
    )
    _assign(placement, values)
    _placement_check(actor=actor, placement=placement)
    _step_sync(placement, placement.step)
    placement.save()
    audit_log(
        actor=actor,
        action="placement.changed",
        target=placement.participant,
        purpose=CASE_WORK,
        details={"placement": str(placement.pk), "outcome": placement.outcome},
    )
    return placement


# --- education --------------------------------------------------------------------------------


class EducationValues(TypedDict, total=False):
    """What a studies form sets (the first five are required)."""

    provider_kind: Required[str]
    provider_name: Required[str]
    programme: Required[str]
    started_on: Required[date]
    planned_end: Required[date]
    isced_level: int | None
    ended_on: date | None
    status: str
    interruption_reason: str
    qualification: str


@transaction.atomic
def education_record(
    *, actor: User, participant: Participant, **values: Unpack[EducationValues]
) -> EducationEnrolment:
    """A course of study on the participant's open pathway; also a step of the train phase."""
    enrolment = _step_pathway(
        actor=actor,
        permission="education.change",
        target=participant,
        started_on=values["started_on"],
        denied="Studies are recorded for one's own participants.",
        too_early=_("The studies cannot start before the entry."),
    )
    education = EducationEnrolment(participant=participant, **values)
    education.full_clean(exclude=["step"])
    education.step = _education_step_sync(education, PathwayStep(enrolment=enrolment))
    education.save()
    audit_log(
        actor=actor,
        action="education.recorded",
        target=participant,
        purpose=CASE_WORK,
        details={"education": str(education.pk), "status": education.status},
    )
    return education


@transaction.atomic
def education_update(
    *, actor: User, education: EducationEnrolment, **values: Unpack[EducationValues]
) -> EducationEnrolment:
    """Change a course of study (completed, interrupted, …); its pathway step follows."""
    _step_pathway(
        actor=actor,
        permission="education.change",
        target=education,
        started_on=values["started_on"],
        denied="Studies are changed for one's own participants.",
        too_early=_("The studies cannot start before the entry."),
    )
    _assign(education, values)
    education.full_clean(exclude=["step"])
    _education_step_sync(education, education.step)
    education.save()
    audit_log(
        actor=actor,
        action="education.changed",
        target=education.participant,
        purpose=CASE_WORK,
        details={"education": str(education.pk), "status": education.status},
    )
    return education


# --- income -----------------------------------------------------------------------------------


@transaction.atomic
def income_record_set(
    *, actor: User, participant: Participant, month: date, source: str, amount: Decimal
) -> IncomeRecord:
    """The income of one month from one source (entered again, it replaces the earlier amount)."""
    if not scoping.allows(actor, "income.change", participant):
        raise PermissionDenied("Income is recorded for one's own participants.")
    first_day = month.replace(day=1)
    record = IncomeRecord.objects.filter(
        participant=participant, month=first_day, source=source
    ).first() or IncomeRecord(participant=participant, month=first_day, source=source)
    previous = None if record._state.adding else record.amount
    record.amount = amount
    record.full_clean()
    record.save()
    audit_log(
        actor=actor,
        action="income.recorded",
        target=participant,
        purpose=CASE_WORK,
        details={
            "month": f"{first_day:%Y-%m}",
            "source": source,
            "replaced": previous is not None,
        },
    )
    return record


@transaction.atomic
def income_record_delete(*, actor: User, record: IncomeRecord) -> None:
    if not scoping.allows(actor, "income.change", record):
        raise PermissionDenied("Income is changed for one's own participants.")
    audit_log(
        actor=actor,
        action="income.deleted",
        target=record.participant,
        purpose=CASE_WORK,
        details={"month": f"{record.month:%Y-%m}", "source": record.source},
    )
    record.delete()


# --- erasure ------------------------------------------------------------------------------------


def participant_worklife_erase(*, participant: Participant, **_signal: object) -> None:
    """Clear the free text of an erased participant's placements and studies (it may name the
    person or others); kinds, dates, outcomes, statuses and monthly amounts stay for the
    statistics, like the pathway's (pathways.rights.participant_erase, in its transaction)."""
    placements = WorkplacePlacement.objects.filter(participant=participant)
    placements.update(supervisor="", goals="")
    # A reason is required where the outcome is an early end: it becomes a dash.
    placements.exclude(outcome_reason="").update(outcome_reason=ERASED_TEXT)
    studies = EducationEnrolment.objects.filter(participant=participant)
    studies.update(qualification="")
    studies.exclude(interruption_reason="").update(interruption_reason=ERASED_TEXT)
    proposals = Proposal.objects.filter(participant=participant)
    proposals.exclude(declined_reason="").update(declined_reason=ERASED_TEXT)
    ProposalEvent.objects.filter(proposal__participant=participant).update(note="")


class IncomeImportError(ValueError):
    """The file is refused whole; `errors` names every row and column."""

    def __init__(self, errors: tuple[FileIssue, ...]) -> None:
        self.errors = errors
        super().__init__(f"the income file has {len(errors)} error(s)")


@transaction.atomic
def income_import(*, actor: User, rows: tuple[IncomeRow, ...]) -> int:
    """Store the rows of a validated income file (evidence_core.income_file) for participants
    the actor may record income for, all or nothing: a reference that names no such participant
    (or several) refuses the whole file. A month and source already recorded is replaced. One
    audit event names the participants."""
    refs = {r.participant_ref for r in rows}
    found: dict[str, list[Participant]] = {}
    for participant in Participant.objects.restrict(actor, "income.change").filter(
        participant_ref__in=refs, erased_at__isnull=True
    ):
        found.setdefault(participant.participant_ref, []).append(participant)
    errors = []
    for r in rows:
        matches = found.get(r.participant_ref, [])
        if len(matches) != 1:
            errors.append(
                FileIssue(
                    "no participant of yours has this reference"
                    if not matches
                    else "several of your participants have this reference",
                    r.row,
                    "participant_ref",
                    code="ref_unknown" if not matches else "ref_ambiguous",
                )
            )
    if errors:
        raise IncomeImportError(tuple(errors))
    touched = []
    for r in rows:
        participant = found[r.participant_ref][0]
        IncomeRecord.objects.update_or_create(
            participant=participant,
            month=r.month.first_day,
            source=r.source,
            defaults={"amount": Decimal(r.amount)},
        )
        touched.append(participant.pk)
    audit_list(
        actor=actor,
        action="income.imported",
        ids=list(dict.fromkeys(touched)),
        purpose=CASE_WORK,
        details={"rows": len(rows)},
    )
    return len(rows)


@transaction.atomic
def gig_assignment_record(
    *,
    actor: User,
    participant: Participant,
    company: str,
    client: str,
    started_on: date,
    hours: Decimal,
    invoiced: Decimal,
    salary_paid: Decimal,
    ended_on: date | None = None,
) -> GigAssignment:
    """An assignment through a self-employment company (income: the owning organisation)."""
    if not scoping.allows(actor, "income.change", participant):
        raise PermissionDenied("Assignments are recorded for one's own participants.")
    assignment = GigAssignment(
        participant=participant,
        company=company,
        client=client,
        started_on=started_on,
        ended_on=ended_on,
        hours=hours,
        invoiced=invoiced,
        salary_paid=salary_paid,
    )
    assignment.full_clean()
    assignment.save()
    audit_log(
        actor=actor,
        action="gig_assignment.recorded",
        target=participant,
        purpose=CASE_WORK,
        details={"assignment": str(assignment.pk)},
    )
    return assignment


# --- opportunities, work profiles and proposals (decision 30) ----------------------------------


def ssyk_code_clean(value: str, *, field: str = "ssyk_code") -> str:
    """A valid SSYK 2012 code (one to four digits of a known group), or a ValidationError."""
    try:
        return ssyk_clean(value)
    except SsykError as error:
        messages = {
            "format": _("Not an SSYK 2012 code: write one to four digits, as 5321."),
            "unknown": _("%(code)s is in no SSYK 2012 major or sub-major group.") % {"code": value},
        }
        raise ValidationError(
            {field: ValidationError(messages[error.kind], code=error.kind)}
        ) from error


def _opportunity_fill(
    opportunity: Opportunity,
    *,
    actor: User,
    employer: Employer,
    title: str,
    kind: str,
    ssyk_code: str,
    municipality: Municipality,
    starts_on: date | None,
    hours_per_week: Decimal | None,
    requirements: str,
    is_open: bool,
) -> None:
    if not Employer.objects.restrict(actor, "employer.view").filter(pk=employer.pk).exists():
        raise ValidationError(
            {"employer": _("Choose an employer of your organisation or partners.")}
        )
    opportunity.employer = employer
    opportunity.title = title.strip()
    opportunity.kind = kind
    opportunity.ssyk_code = ssyk_code_clean(ssyk_code)
    opportunity.municipality = municipality
    opportunity.starts_on = starts_on
    opportunity.hours_per_week = hours_per_week
    opportunity.requirements = requirements
    opportunity.is_open = is_open
    opportunity.full_clean()
    opportunity.save()


@transaction.atomic
def opportunity_create(
    *,
    actor: User,
    organisation: Organisation,
    employer: Employer,
    title: str,
    kind: str,
    ssyk_code: str,
    municipality: Municipality,
    starts_on: date | None = None,
    hours_per_week: Decimal | None = None,
    requirements: str = "",
    is_open: bool = True,
) -> Opportunity:
    """Register an employer's opportunity in an organisation where the actor may change
    opportunities; the employer is one the actor reads (own or partner)."""
    if organisation.pk not in scoping.organisation_ids_with(actor, "opportunity.change"):
        raise PermissionDenied("Opportunities are registered in one's own organisation.")
    opportunity = Opportunity(organisation=organisation)
    _opportunity_fill(
        opportunity,
        actor=actor,
        employer=employer,
        title=title,
        kind=kind,
        ssyk_code=ssyk_code,
        municipality=municipality,
        starts_on=starts_on,
        hours_per_week=hours_per_week,
        requirements=requirements,
        is_open=is_open,
    )
    audit_log(
        actor=actor,
        action="opportunity.created",
        target=opportunity,
        purpose=DIRECTORY,
        details={"employer": str(employer.pk), "kind": kind, "ssyk": opportunity.ssyk_code},
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    actor: User,
    opportunity: Opportunity,
    employer: Employer,
    title: str,
    kind: str,
    ssyk_code: str,
    municipality: Municipality,
    starts_on: date | None = None,
    hours_per_week: Decimal | None = None,
    requirements: str = "",
    is_open: bool = True,
) -> Opportunity:
    """Change an opportunity of the actor's own organisation (closing it stops new proposals)."""
    if not scoping.allows(actor, "opportunity.change", opportunity):
        raise PermissionDenied("Only the owning organisation changes an opportunity.")
    _opportunity_fill(
        opportunity,
        actor=actor,
        employer=employer,
        title=title,
        kind=kind,
        ssyk_code=ssyk_code,
        municipality=municipality,
        starts_on=starts_on,
        hours_per_week=hours_per_week,
        requirements=requirements,
        is_open=is_open,
    )
    audit_log(
        actor=actor,
        action="opportunity.changed",
        target=opportunity,
        purpose=DIRECTORY,
        details={"is_open": is_open},
    )
    return opportunity


@transaction.atomic
def work_profile_set(
    *,
    actor: User,
    participant: Participant,
    occupational_goals: Iterable[str] = (),
    max_commute_km: int | None = None,
    hours_per_week: Decimal | None = None,
    available_from: date | None = None,
) -> WorkProfile:
    """Record what a participant looks for (the matching reads it); one profile each."""
    if not scoping.allows(actor, "proposal.change", participant):
        raise PermissionDenied("Work profiles are recorded for one's own participants.")
    goals: list[str] = []
    for goal in occupational_goals:
        if goal.strip():
            code = ssyk_code_clean(goal, field="occupational_goals")
            if code not in goals:
                goals.append(code)
    profile = WorkProfile.objects.filter(participant=participant).first() or WorkProfile(
        participant=participant
    )
    profile.occupational_goals = goals
    profile.max_commute_km = max_commute_km
    profile.hours_per_week = hours_per_week
    profile.available_from = available_from
    profile.full_clean()
    profile.save()
    audit_log(
        actor=actor,
        action="work_profile.set",
        target=participant,
        purpose=CASE_WORK,
        details={"goals": goals},
    )
    return profile


def proposal_consent_given(participant: Participant) -> bool:
    """Whether the participant's current consent covers sharing a proposal with an employer."""
    return (
        Consent.objects.current().filter(participant=participant, employer_proposals=True).exists()
    )


def _proposal_consent_check(participant: Participant) -> None:
    if not proposal_consent_given(participant):
        message = _(
            "The participant's consent does not cover sharing a proposal with an "
            "employer. Record the participant's consent to \"Sharing proposals with "
            'employers" on their page first.'
        )
        raise ValidationError({"participant": ValidationError(message, code="consent")})


def _proposal_event(
    *, actor: User, proposal: Proposal, occurred_on: date, note: str = ""
) -> ProposalEvent:
    event = ProposalEvent(
        proposal=proposal,
        status=proposal.status,
        occurred_on=occurred_on,
        note=note,
        actor=actor,
    )
    event.full_clean()
    event.save()
    audit_log(
        actor=actor,
        action=f"proposal.{proposal.status}",
        target=proposal.participant,
        purpose=CASE_WORK,
        details={"proposal": str(proposal.pk), "opportunity": str(proposal.opportunity_id)},
    )
    return event


@transaction.atomic
def proposal_create(
    *,
    actor: User,
    opportunity: Opportunity,
    participant: Participant,
    proposed_on: date,
    note: str = "",
) -> Proposal:
    """Propose one of the actor's own participants to an open opportunity the actor reads; the
    participant's current consent must cover sharing proposals with employers."""
    if not scoping.allows(actor, "proposal.change", participant) or participant.erased_at:
        raise PermissionDenied("Proposals are made for one's own participants.")
    if (
        not Opportunity.objects.restrict(actor, "opportunity.view")
        .filter(pk=opportunity.pk)
        .exists()
    ):
        raise PermissionDenied("The opportunity is not one the actor reads.")
    if not opportunity.is_open:
        raise ValidationError({"opportunity": _("The opportunity is closed to proposals.")})
    if Proposal.objects.filter(opportunity=opportunity, participant=participant).exists():
        raise ValidationError(
            {"participant": _("The participant is already proposed to this opportunity.")}
        )
    _proposal_consent_check(participant)
    proposal = Proposal(
        opportunity=opportunity,
        participant=participant,
        status=ProposalStatus.PROPOSED,
        status_on=proposed_on,
    )
    proposal.full_clean()
    proposal.save()
    _proposal_event(actor=actor, proposal=proposal, occurred_on=proposed_on, note=note)
    return proposal


@transaction.atomic
def proposal_move(
    *,
    actor: User,
    proposal: Proposal,
    status: str,
    occurred_on: date,
    note: str = "",
    create_placement: bool = True,
) -> Proposal:
    """Move a proposal one step on (proposed → meeting → offered → started) or decline it with a
    reason. Declining is always possible; the other moves need the participant's consent still.
    Started records the placement at the employer (the opportunity's kind and hours) unless
    `create_placement` is off; the history keeps every move."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    participant = proposal.participant
    if not scoping.allows(actor, "proposal.change", participant) or participant.erased_at:
        raise PermissionDenied("Proposals are changed for one's own participants.")
    if status not in PROPOSAL_MOVES.get(proposal.status, ()):
        raise ValidationError(
            {
                "status": _("A proposal that is %(now)s cannot become %(next)s.")
                % {
                    "now": proposal.get_status_display(),
                    "next": ProposalStatus(status).label
                    if status in ProposalStatus.values
                    else status,
                }
            }
        )
    if occurred_on < proposal.status_on:
        raise ValidationError({"occurred_on": _("A move cannot be dated before the one before.")})
    if status == ProposalStatus.DECLINED:
        if not note.strip():
            raise ValidationError({"note": _("Say why the proposal was declined.")})
        proposal.declined_reason = note.strip()
    else:
        _proposal_consent_check(participant)
    proposal.status = status
    proposal.status_on = occurred_on
    if status == ProposalStatus.STARTED and create_placement and proposal.placement_id is None:
        opportunity = proposal.opportunity
        proposal.placement = placement_record(
            actor=actor,
            participant=participant,
            employer=opportunity.employer,
            kind=opportunity.kind,
            started_on=occurred_on,
            hours_per_week=opportunity.hours_per_week,
            goals=opportunity.title,
        )
    proposal.full_clean()
    proposal.save()
    _proposal_event(actor=actor, proposal=proposal, occurred_on=occurred_on, note=note)
    return proposal
