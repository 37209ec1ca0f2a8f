"""Page input of working life → the services' arguments."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emplus.evidence_core.income_stability import Month
from emplus.geo.models import Municipality
from emplus.organisations.models import Organisation, Unit
from emplus.worklife.choices import (
    ISCED_CHOICES,
    SNI_CHOICES,
    CompletionGroup,
    EducationStatus,
    EmployerSector,
    IncomeSource,
    OutcomeGroup,
    PlacementKind,
    PlacementOutcome,
    ProposalStatus,
    ProviderKind,
    SizeBand,
)
from emplus.worklife.models import Employer

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EmployerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Owning organisation"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    organisation_number = forms.CharField(
        label=_("Organisation number"),
        max_length=13,
        help_text=_(
            "Ten digits, as NNNNNN-NNNN. A sole trader's personal identity number is not kept."
        ),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=EmployerSector.choices)
    sni_division = forms.ChoiceField(label=_("Industry (SNI 2007 division)"), choices=SNI_CHOICES)
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name")
    )
    size_band = forms.ChoiceField(label=_("Size"), choices=SizeBand.choices)
    partner_organisations = forms.ModelMultipleChoiceField(
        label=_("Partner organisations working with it"),
        queryset=Organisation.objects.filter(is_partner=True).order_by("name"),
        required=False,
    )
    partner_units = forms.ModelMultipleChoiceField(
        label=_("Units working with it"),
        queryset=Unit.objects.filter(organisation__is_partner=True)
        .select_related("organisation")
        .order_by("organisation__name", "name"),
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, owners, employer: Employer | None = None, **kwargs):
        if employer is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "organisation": employer.organisation_id,
                "name": employer.name,
                "organisation_number": employer.organisation_number_display,
                "sector": employer.sector,
                "sni_division": employer.sni_division,
                "municipality": employer.municipality_id,
                "size_band": employer.size_band,
                "partner_organisations": list(employer.partner_organisations.all()),
                "partner_units": list(employer.partner_units.all()),
                "notes": employer.notes,
            }
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = owners
        self.fields["partner_units"].label_from_instance = lambda u: (
            f"{u.organisation.name}: {u.name}"
        )
        if employer is not None:
            del self.fields["organisation"]  # the owner does not change

    def employer_values(self) -> dict:
        values = dict(self.cleaned_data)
        values.pop("organisation", None)
        return values


class EmployerContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title or role"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class PlacementForm(forms.Form):
    employer = forms.ModelChoiceField(label=_("Employer"), queryset=Employer.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices)
    started_on = forms.DateField(label=_("Start"), widget=DATE)
    ended_on = forms.DateField(label=_("End"), widget=DATE, required=False)
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"), min_value=0, max_value=80, decimal_places=1, required=False
    )
    supervisor = forms.CharField(label=_("Workplace supervisor"), max_length=200, required=False)
    goals = forms.CharField(
        label=_("Goals"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("Not ended yet"))] + list(PlacementOutcome.choices),
        required=False,
    )
    outcome_reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the placement ended early."),
    )

    def __init__(self, *args, employers, placement=None, **kwargs):
        if placement is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(placement, name)
                for name in (
                    "kind",
                    "started_on",
                    "ended_on",
                    "hours_per_week",
                    "supervisor",
                    "goals",
                    "outcome",
                    "outcome_reason",
                )
            } | {"employer": placement.employer_id}
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = employers


class EducationForm(forms.Form):
    provider_kind = forms.ChoiceField(label=_("Kind of provider"), choices=ProviderKind.choices)
    provider_name = forms.CharField(label=_("Provider"), max_length=200)
    programme = forms.CharField(label=_("Programme or course"), max_length=200)
    isced_level = forms.TypedChoiceField(
        label=_("Level (ISCED 2011)"),
        choices=[("", "–")] + [(str(v), label) for v, label in ISCED_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    started_on = forms.DateField(label=_("Start"), widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=EducationStatus.choices)
    ended_on = forms.DateField(
        label=_("Ended on"),
        widget=DATE,
        required=False,
        help_text=_("When the studies were completed or interrupted."),
    )
    interruption_reason = forms.CharField(
        label=_("Reason for the interruption"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    qualification = forms.CharField(
        label=_("Qualification obtained"), max_length=200, required=False
    )

    FIELDS = (
        "provider_kind",
        "provider_name",
        "programme",
        "isced_level",
        "started_on",
        "planned_end",
        "status",
        "ended_on",
        "interruption_reason",
        "qualification",
    )

    def __init__(self, *args, education=None, **kwargs):
        if education is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(education, name) for name in self.FIELDS}
        super().__init__(*args, **kwargs)


class CompletionFilterForm(forms.Form):
    group_by = forms.ChoiceField(
        label=_("Group by"), choices=CompletionGroup.choices, required=False
    )
    as_of = forms.DateField(label=_("Reporting date"), widget=DATE, required=False)


class OutcomeFilterForm(forms.Form):
    group_by = forms.ChoiceField(label=_("Group by"), choices=OutcomeGroup.choices, required=False)


class IncomeRecordForm(forms.Form):
    month = forms.CharField(
        label=_("Month"),
        max_length=10,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM"}),
        help_text=_("As YYYY-MM."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=IncomeSource.choices)
    amount = forms.DecimalField(
        label=_("Amount (SEK before tax)"), min_value=0, max_value=10_000_000, decimal_places=0
    )

    def clean_month(self) -> date:
        value = self.cleaned_data["month"]
        try:
            return Month.parse(value).first_day
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM.")) from None


class IncomeImportForm(forms.Form):
    file = forms.FileField(
        label=_("Income file (CSV or XLSX)"),
        help_text=_("Columns participant_ref, month (YYYY-MM), source and amount (whole kronor)."),
    )


class GigAssignmentForm(forms.Form):
    company = forms.CharField(label=_("Self-employment company"), max_length=200)
    client = forms.CharField(label=_("Client"), max_length=200)
    started_on = forms.DateField(label=_("Start"), widget=DATE)
    ended_on = forms.DateField(label=_("End"), widget=DATE, required=False)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, decimal_places=1, max_digits=7)
    invoiced = forms.DecimalField(
        label=_("Invoiced amount (SEK)"), min_value=0, decimal_places=0, max_digits=10
    )
    salary_paid = forms.DecimalField(
        label=_("Salary paid (SEK)"), min_value=0, decimal_places=0, max_digits=10
    )


# --- opportunities, work profiles and proposals -------------------------------------------------


class OpportunityForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Owning organisation"), queryset=Organisation.objects.none()
    )
    employer = forms.ModelChoiceField(label=_("Employer"), queryset=Employer.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices)
    ssyk_code = forms.CharField(
        label=_("Occupation (SSYK 2012 code)"),
        max_length=8,
        help_text=_("One to four digits, e.g. 5321 (assistant nurses) or 53 (care work)."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name")
    )
    starts_on = forms.DateField(label=_("Start"), required=False, widget=DATE)
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"), min_value=1, max_value=80, decimal_places=1, required=False
    )
    requirements = forms.CharField(
        label=_("Requirements"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    is_open = forms.BooleanField(label=_("Open for proposals"), required=False, initial=True)

    def __init__(self, *args, owners, employers, opportunity=None, **kwargs):
        if opportunity is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "organisation": opportunity.organisation_id,
                "employer": opportunity.employer_id,
                "title": opportunity.title,
                "kind": opportunity.kind,
                "ssyk_code": opportunity.ssyk_code,
                "municipality": opportunity.municipality_id,
                "starts_on": opportunity.starts_on,
                "hours_per_week": opportunity.hours_per_week,
                "requirements": opportunity.requirements,
                "is_open": opportunity.is_open,
            }
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = owners
        self.fields["employer"].queryset = employers
        if opportunity is not None:
            del self.fields["organisation"]  # the owner does not change
        elif len(owners) == 1:
            self.fields["organisation"].initial = owners[0].pk  # the one the user can choose

    def opportunity_values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "organisation"}


class OpportunityFilterForm(forms.Form):
    q = forms.CharField(label=_("Title or employer"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *PlacementKind.choices], required=False
    )
    ssyk = forms.RegexField(
        label=_("Occupation (SSYK code or its start)"),
        regex=r"^[0-9]{1,4}$",
        required=False,
        error_messages={"invalid": _("Write one to four digits.")},
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label=_("All municipalities"),
    )
    closed = forms.BooleanField(label=_("Include closed ones"), required=False)


class WorkProfileForm(forms.Form):
    occupational_goals = forms.CharField(
        label=_("Occupational goals (SSYK 2012 codes)"),
        max_length=100,
        required=False,
        help_text=_("One to four digits each, separated by commas, e.g. 5321, 941."),
    )
    max_commute_km = forms.IntegerField(
        label=_("Longest commute (km)"), min_value=0, max_value=500, required=False
    )
    hours_per_week = forms.DecimalField(
        label=_("Hours available per week"),
        min_value=0,
        max_value=80,
        decimal_places=1,
        required=False,
    )
    available_from = forms.DateField(label=_("Available from"), required=False, widget=DATE)

    def profile_values(self) -> dict:
        values = dict(self.cleaned_data)
        goals = values.pop("occupational_goals") or ""
        return {**values, "occupational_goals": [g for g in goals.split(",") if g.strip()]}


class ProposalMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(
        label=_("Note (the reason, when declined)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, moves=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(m, ProposalStatus(m).label) for m in moves]
        self.fields["occurred_on"].initial = timezone.localdate
