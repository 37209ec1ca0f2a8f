"""Employers and their opportunities; participants' placements, studies, income and proposals."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from emplus.core.models import UUIDModel
from emplus.core.organisation_number import format_organisation_number
from emplus.geo.models import Municipality
from emplus.organisations.models import Organisation, Unit
from emplus.pathways.models import Participant, PathwayStep
from emplus.worklife.choices import (
    ISCED_CHOICES,
    SNI_CHOICES,
    EducationStatus,
    EmployerSector,
    IncomeSource,
    PlacementKind,
    PlacementOutcome,
    ProposalStatus,
    ProviderKind,
    SizeBand,
)
from emplus.worklife.querysets import (
    EducationEnrolmentQuerySet,
    EmployerQuerySet,
    GigAssignmentQuerySet,
    IncomeRecordQuerySet,
    OpportunityQuerySet,
    PlacementQuerySet,
    ProposalQuerySet,
    WorkProfileQuerySet,
)


class Employer(UUIDModel):
    """A business or another organisation that offers placements or jobs, registered by one
    partner organisation (the owner) and worked with by others."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="employers",
        verbose_name=_("owning organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    # Ten digits without separator, validated by the service (check digit, not a personnummer).
    organisation_number = models.CharField(_("organisation number"), max_length=10)
    sector = models.CharField(
        _("sector"), max_length=20, choices=EmployerSector.choices, default=EmployerSector.BUSINESS
    )
    sni_division = models.CharField(
        _("industry (SNI 2007 division)"), max_length=2, choices=SNI_CHOICES
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("municipality"),
    )
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices)
    partner_organisations = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="employers_worked_with",
        verbose_name=_("partner organisations working with it"),
    )
    partner_units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="employers_worked_with",
        verbose_name=_("units working with it"),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = EmployerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "organisation_number"],
                name="employer_number_unique_per_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def organisation_number_display(self) -> str:
        return format_organisation_number(self.organisation_number)


class EmployerContact(UUIDModel):
    """A contact person of the employer (a business contact, not a participant)."""

    employer = models.ForeignKey(
        Employer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("employer")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title or role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business contact")
        verbose_name_plural = _("business contacts")

    def __str__(self) -> str:
        return self.name


class WorkplacePlacement(UUIDModel):
    """A participant's placement at an employer; it is a step of its phase on the pathway."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="placements",
        verbose_name=_("participant"),
    )
    # The step of the pathway that this placement is (phase by kind, dates and hours).
    step = models.OneToOneField(
        PathwayStep,
        on_delete=models.CASCADE,
        related_name="placement",
        verbose_name=_("pathway step"),
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.PROTECT, related_name="placements", verbose_name=_("employer")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=PlacementKind.choices)
    started_on = models.DateField(_("start"))
    ended_on = models.DateField(_("end"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(80)],
    )
    supervisor = models.CharField(_("workplace supervisor"), max_length=200, blank=True)
    goals = models.TextField(_("goals"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=24, choices=PlacementOutcome.choices, blank=True
    )
    outcome_reason = models.TextField(_("reason"), blank=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-created_at"]
        verbose_name = _("workplace placement")
        verbose_name_plural = _("workplace placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="placement_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(ended_on__isnull=False),
                name="placement_outcome_needs_end",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=PlacementOutcome.ENDED_EARLY) | ~Q(outcome_reason=""),
                name="placement_early_end_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employer}"

    def clean(self) -> None:
        errors = {}
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("The end cannot be before the start.")
        if self.outcome and not self.ended_on:
            errors["ended_on"] = _("Give the end date with the outcome.")
        if self.outcome == PlacementOutcome.ENDED_EARLY and not self.outcome_reason.strip():
            errors["outcome_reason"] = _("Say why the placement ended early.")
        if errors:
            raise ValidationError(errors)


class EducationEnrolment(UUIDModel):
    """A participant's course of study with an education provider; it is a step of the train
    phase on the pathway, and counts towards completion rates once its planned end has passed."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="education_enrolments",
        verbose_name=_("participant"),
    )
    step = models.OneToOneField(
        PathwayStep,
        on_delete=models.CASCADE,
        related_name="education",
        verbose_name=_("pathway step"),
    )
    provider_kind = models.CharField(
        _("kind of provider"), max_length=30, choices=ProviderKind.choices
    )
    provider_name = models.CharField(_("provider"), max_length=200)
    programme = models.CharField(_("programme or course"), max_length=200)
    isced_level = models.PositiveSmallIntegerField(
        _("level (ISCED 2011)"), choices=ISCED_CHOICES, null=True, blank=True
    )
    started_on = models.DateField(_("start"))
    planned_end = models.DateField(_("planned end"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EducationStatus.choices, default=EducationStatus.ONGOING
    )
    interruption_reason = models.TextField(_("reason for the interruption"), blank=True)
    qualification = models.CharField(_("qualification obtained"), max_length=200, blank=True)

    objects = EducationEnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-created_at"]
        verbose_name = _("education enrolment")
        verbose_name_plural = _("education enrolments")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("started_on")),
                name="education_planned_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="education_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status=EducationStatus.INTERRUPTED) | ~Q(interruption_reason=""),
                name="education_interruption_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(qualification="") | Q(status=EducationStatus.COMPLETED),
                name="education_qualification_when_completed",
            ),
            models.CheckConstraint(
                condition=Q(isced_level__lte=8) | Q(isced_level__isnull=True),
                name="education_isced_0_to_8",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.provider_name}"

    def clean(self) -> None:
        errors = {}
        if self.planned_end and self.started_on and self.planned_end < self.started_on:
            errors["planned_end"] = _("The planned end cannot be before the start.")
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("The end cannot be before the start.")
        if self.status == EducationStatus.INTERRUPTED and not self.interruption_reason.strip():
            errors["interruption_reason"] = _("Say why the studies were interrupted.")
        if self.status != EducationStatus.COMPLETED and self.qualification.strip():
            errors["qualification"] = _("A qualification is recorded with completed studies.")
        if self.status != EducationStatus.ONGOING and not self.ended_on:
            errors["ended_on"] = _("Give the date the studies ended.")
        if errors:
            raise ValidationError(errors)


class IncomeRecord(UUIDModel):
    """A participant's income of one month from one source (SEK before tax); months without a
    record count as zero in the stability measures (evidence_core.income_stability)."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="income_records",
        verbose_name=_("participant"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    source = models.CharField(_("source"), max_length=20, choices=IncomeSource.choices)
    amount = models.DecimalField(
        _("amount (SEK)"),
        max_digits=10,
        decimal_places=0,
        validators=[MinValueValidator(0), MaxValueValidator(10_000_000)],
    )

    objects = IncomeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["month", "source"]
        verbose_name = _("income record")
        verbose_name_plural = _("income records")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "month", "source"], name="income_one_per_month_and_source"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="income_not_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="income_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_source_display()}: {self.amount}"


class GigAssignment(UUIDModel):
    """An assignment a participant carries out through a self-employment company (such as
    Convoy): the client, the period, the hours, what was invoiced and the salary paid out."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="gig_assignments",
        verbose_name=_("participant"),
    )
    company = models.CharField(_("self-employment company"), max_length=200)
    client = models.CharField(_("client"), max_length=200)
    started_on = models.DateField(_("start"))
    ended_on = models.DateField(_("end"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours"), max_digits=7, decimal_places=1, validators=[MinValueValidator(0)]
    )
    invoiced = models.DecimalField(
        _("invoiced amount (SEK)"),
        max_digits=10,
        decimal_places=0,
        validators=[MinValueValidator(0)],
    )
    salary_paid = models.DecimalField(
        _("salary paid (SEK)"), max_digits=10, decimal_places=0, validators=[MinValueValidator(0)]
    )

    objects = GigAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-created_at"]
        verbose_name = _("gig assignment")
        verbose_name_plural = _("gig assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="gig_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(salary_paid__lte=F("invoiced")), name="gig_salary_within_invoice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} ({self.company})"

    def clean(self) -> None:
        errors = {}
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("The end cannot be before the start.")
        if (
            self.salary_paid is not None
            and self.invoiced is not None
            and self.salary_paid > self.invoiced
        ):
            errors["salary_paid"] = _("The salary paid cannot exceed the invoiced amount.")
        if errors:
            raise ValidationError(errors)


class Opportunity(UUIDModel):
    """A placement or a job an employer offers, registered by a partner organisation (the owner:
    the employer's owner); the coaches match their participants to it."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("owning organisation"),
    )
    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("employer"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=PlacementKind.choices)
    # SSYK 2012, one to four digits, checked by evidence_core.ssyk in the service.
    ssyk_code = models.CharField(_("occupation (SSYK 2012)"), max_length=4)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(80)],
    )
    requirements = models.TextField(_("requirements"), blank=True)
    is_open = models.BooleanField(_("open for proposals"), default=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(
                condition=Q(ssyk_code__regex=r"^[0-9]{1,4}$"), name="opportunity_ssyk_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.employer}"


class WorkProfile(UUIDModel):
    """What a participant looks for, for matching: occupational goals (SSYK 2012 codes), the
    longest commute, the hours available and from when. Personal data, scoped like placements."""

    participant = models.OneToOneField(
        Participant,
        on_delete=models.CASCADE,
        related_name="work_profile",
        verbose_name=_("participant"),
    )
    occupational_goals = models.JSONField(
        _("occupational goals (SSYK 2012)"), default=list, blank=True
    )
    max_commute_km = models.PositiveSmallIntegerField(
        _("longest commute (km)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(500)],
    )
    hours_per_week = models.DecimalField(
        _("hours available per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(80)],
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)

    objects = WorkProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("work profile")
        verbose_name_plural = _("work profiles")

    def __str__(self) -> str:
        return ", ".join(self.occupational_goals) or "–"


class Proposal(UUIDModel):
    """A coach's proposal of a participant to an opportunity, shared with the employer on the
    participant's consent; its way is kept in ProposalEvent rows."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("opportunity"),
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("participant"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    status_on = models.DateField(_("since"))
    declined_reason = models.TextField(_("reason for declining"), blank=True)
    placement = models.OneToOneField(
        WorkplacePlacement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
        verbose_name=_("placement"),
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-status_on", "-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "participant"], name="proposal_once_per_opportunity"
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.DECLINED) | ~Q(declined_reason=""),
                name="proposal_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity.title}: {self.get_status_display()}"


class ProposalEvent(UUIDModel):
    """One move of a proposal (its history): the state entered, when, by whom, and why."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("proposal")
    )
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices)
    occurred_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["occurred_on", "created_at"]
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.get_status_display()}"
