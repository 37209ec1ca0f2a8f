"""Forms of the coach's pages: input shape and messages only; the rules live in services."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Phase
from emplus.geo.models import Municipality
from emplus.organisations.models import Organisation, Unit
from emplus.pathways import fields as participant_fields
from emplus.pathways.choices import (
    ConsentPurpose,
    EventKind,
    ExitReason,
    Gender,
    LabourMarketStatus,
    ProcessingBasis,
    SpecialCategoryAnswer,
)
from emplus.pathways.models import Participant
from emplus.pathways.services import ConsentTerms

BLANK = [("", _("Not stated"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _date(label, *, required=True, initial=None, help_text=""):
    return forms.DateField(
        label=label, required=required, initial=initial, widget=DateInput, help_text=help_text
    )


def _max_length(name: str) -> int | None:
    return participant_fields.BY_NAME[name].max_length


def _yes_no(label):
    return forms.NullBooleanField(label=label, required=False, widget=forms.NullBooleanSelect)


def registration_units(user):
    """Units where the user may register participants: a coach's own unit(s), a coordinator's
    organisation's units."""
    return (
        Unit.objects.workplaces(user, "participant.change")
        .select_related("organisation")
        .order_by("name")
    )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.organisation.name})"


class EntryFields(forms.Form):
    """Identity, contact and entry characteristics shared by registration and editing."""

    given_name = forms.CharField(
        label=_("Given name"), max_length=_max_length("given_name"), required=False
    )
    family_name = forms.CharField(
        label=_("Family name"), max_length=_max_length("family_name"), required=False
    )
    personal_id = forms.CharField(
        label=_("Personal identity number"),
        max_length=_max_length("personal_id"),
        required=False,
        help_text=_("Personnummer or samordningsnummer, 10 or 12 digits (optional)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    protected_identity = forms.BooleanField(
        label=_("Protected identity (skyddad identitet)"),
        required=False,
        help_text=_(
            "Reports to Statistics Sweden then carry the special form for protected identities "
            "instead of the number."
        ),
    )
    birth_date = _date(_("Birth date"), required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=BLANK + Gender.choices, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=_max_length("phone"), required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=_max_length("email"), required=False)
    address = forms.CharField(label=_("Address"), max_length=_max_length("address"), required=False)
    municipality = forms.ModelChoiceField(
        label=_("Municipality of residence at entry"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
        empty_label=_("Not stated"),
    )
    lm_status_entry = forms.ChoiceField(
        label=_("Labour-market status at entry"),
        choices=BLANK + LabourMarketStatus.choices,
        required=False,
    )
    unemployed_months = forms.IntegerField(
        label=_("Months of unemployment at entry"), min_value=0, max_value=600, required=False
    )
    isced = forms.TypedChoiceField(
        label=_("Highest education (ISCED 2011)"),
        choices=BLANK + [(str(level), str(level)) for level in range(9)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("0 = below primary school, 3 = upper secondary, 6 = bachelor's degree."),
    )
    citizenship = forms.CharField(
        label=_("Citizenship"),
        max_length=_max_length("citizenship"),
        required=False,
        help_text=_("Two-letter country code (e.g. SE), stateless or unknown."),
    )
    born_abroad = _yes_no(_("Born abroad"))
    parents_born_abroad = forms.TypedChoiceField(
        label=_("Parents born abroad"),
        choices=BLANK + [("0", "0"), ("1", "1"), ("2", "2")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    homeless = _yes_no(_("Homeless or housing exclusion"))
    rural_override = _yes_no(_("Lives in a rural area (overrides the municipality)"))
    special_consent = forms.BooleanField(
        label=_("The participant has given explicit consent to recording disability and minority"),
        required=False,
    )
    disability = forms.ChoiceField(
        label=_("Disability"), choices=BLANK + SpecialCategoryAnswer.choices, required=False
    )
    minority = forms.ChoiceField(
        label=_("Belongs to a minority"),
        choices=BLANK + SpecialCategoryAnswer.choices,
        required=False,
    )

    # The lists come from the one declaration of the participant's fields.
    entry_fields = participant_fields.ENTRY_FIELDS
    contact_fields = participant_fields.CONTACT_FIELDS
    special_fields = participant_fields.SPECIAL_FIELDS

    def clean(self):
        data = super().clean()
        if not data.get("special_consent"):
            for name in self.special_fields:
                if data.get(name):
                    self.add_error(
                        name,
                        _(
                            "Record disability or minority only with the participant's explicit "
                            "consent: tick the consent box first."
                        ),
                    )
        return data

    def participant_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.entry_fields}
        for name in participant_fields.blank_text_fields() & set(self.entry_fields):
            values[name] = values[name] or ""
        values.update({name: data.get(name) or "" for name in self.contact_fields})
        if data.get("special_consent"):
            values.update({name: data.get(name) or "" for name in self.special_fields})
        else:
            values.update(dict.fromkeys(self.special_fields, ""))
        return values

    @property
    def special_category_basis(self) -> str:
        return "consent" if self.cleaned_data.get("special_consent") else ""

    @property
    def special_has_errors(self) -> bool:
        return any(self[name].errors for name in ("special_consent", *self.special_fields))


class ConsentFields(forms.Form):
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"),
        choices=ProcessingBasis.choices,
        initial=ProcessingBasis.CONSENT,
        required=False,  # a select always sends one; a post without it means consent
        help_text=_(
            "Usually the participant's consent. Sharing with other organisations and recording "
            "disability and minority always need consent."
        ),
    )
    purposes = forms.MultipleChoiceField(
        label=_("The participant agrees to"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Share with these partner organisations"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only when the participant agrees to sharing."),
    )
    information_version = forms.CharField(
        label=_("Version of the information text"),
        max_length=32,
        initial="1",
        help_text=_("The version of the information the participant was given."),
    )
    given_on = _date(_("Consent given on"), initial=timezone.localdate)

    def __init__(self, *args, own_organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = (
            Organisation.objects.filter(is_partner=True)
            .exclude(pk__in=[getattr(o, "pk", o) for o in own_organisations])
            .order_by("name")
        )

    def clean_legal_basis(self) -> str:
        return self.cleaned_data.get("legal_basis") or ProcessingBasis.CONSENT

    def clean(self):
        data = super().clean()
        purposes = set(data.get("purposes") or [])
        if "purposes" in data and ConsentPurpose.CASE_WORK not in purposes:
            self.add_error(
                "purposes", _("Registration needs the participant's consent to case work.")
            )
        if data.get("shared_with") and ConsentPurpose.SHARING not in purposes:
            self.add_error(
                "shared_with", _("Name organisations only when the participant agrees to sharing.")
            )
        basis = data.get("legal_basis")
        if (
            basis
            and basis != ProcessingBasis.CONSENT
            and (ConsentPurpose.SHARING in purposes or data.get("special_consent"))
        ):
            self.add_error(
                "legal_basis",
                _(
                    "Sharing with other organisations and recording disability and minority "
                    "need the participant's consent."
                ),
            )
        return data

    def consent_terms(self) -> ConsentTerms:
        """The consent as `services.ConsentTerms` (the registration page records consent)."""
        data = self.cleaned_data
        purposes = set(data["purposes"])
        if data.get("special_consent"):
            purposes.add("special_categories")
        return ConsentTerms(
            information_version=data["information_version"],
            given_on=data["given_on"],
            legal_basis=data["legal_basis"],
            purposes=frozenset(purposes),
            shared_with=tuple(data.get("shared_with") or ()),
        )

    def consent_values(self) -> dict:
        data = self.cleaned_data
        purposes = set(data["purposes"])
        values = {p: p in purposes for p in ConsentPurpose.values}
        values["special_categories"] = bool(data.get("special_consent"))
        return {
            "information_version": data["information_version"],
            "given_on": data["given_on"],
            "legal_basis": data["legal_basis"],
            "shared_with": list(data.get("shared_with") or []),
            **values,
        }


class RegisterForm(EntryFields, ConsentFields):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    participant_ref = forms.CharField(
        label=_("Participant reference"),
        max_length=64,
        help_text=_("Your organisation's own reference, e.g. a case number (not the name)."),
    )
    entry_date = _date(_("Entry date"), initial=timezone.localdate)

    field_order = ["unit", "participant_ref"]

    def __init__(self, *args, user, **kwargs):
        units = registration_units(user)
        organisations = {u.organisation_id for u in units}
        super().__init__(*args, own_organisations=organisations, **kwargs)
        self.fields["unit"].queryset = units
        if len(units) == 1:
            self.fields["unit"].initial = units[0].pk

    def clean(self):
        data = super().clean()
        unit, ref = data.get("unit"), data.get("participant_ref")
        if (
            unit is not None
            and ref
            and Participant.objects.filter(
                organisation_id=unit.organisation_id, participant_ref=ref
            ).exists()
        ):
            self.add_error(
                "participant_ref", _("This reference is already used in your organisation.")
            )
        return data


class ParticipantEditForm(EntryFields):
    def __init__(self, *args, participant: Participant, **kwargs):
        initial = {name: getattr(participant, name) for name in self.entry_fields}
        initial.update({name: getattr(participant, name) for name in self.contact_fields})
        initial.update({name: getattr(participant, name) for name in self.special_fields})
        initial["municipality"] = participant.municipality_id
        initial["special_consent"] = bool(participant.special_category_basis)
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["personal_id"].help_text = _(
            "Leave empty to keep the recorded number. Personnummer or samordningsnummer, 10 or 12 "
            "digits."
        )


class ConsentForm(ConsentFields):
    special_consent = forms.BooleanField(
        label=_("The participant gives explicit consent to recording disability and minority"),
        required=False,
    )


class EnrolmentForm(forms.Form):
    entry_date = _date(_("Entry date"), initial=timezone.localdate)


class StepForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    activity = forms.CharField(label=_("Activity"), max_length=200)
    started_on = _date(_("Started on"), initial=timezone.localdate)
    ended_on = _date(_("Ended on"), required=False)
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0, max_digits=6, decimal_places=1, required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The end cannot be before the start."))
        return data


class EventForm(forms.Form):
    # Works without a connection: the page queues it (emplus.selfservice offline queue).
    offline_kind = "event"
    kind = forms.ChoiceField(label=_("What happened"), choices=EventKind.choices)
    occurred_on = _date(_("Date"), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("No health details or identity numbers here."),
    )


class GoalForm(forms.Form):
    description = forms.CharField(
        label=_("Goal"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    target_date = _date(_("Target date"), required=False)
    achieved_on = _date(_("Achieved on"), required=False)


class ExitForm(forms.Form):
    exit_date = _date(_("Exit date"), initial=timezone.localdate)
    reason = forms.ChoiceField(label=_("Exit reason"), choices=ExitReason.choices)
    observed_on = _date(
        _("Situation upon leaving recorded on"),
        required=False,
        help_text=_("Empty means the exit date."),
    )
    job_searching = _yes_no(_("Job searching upon leaving"))
    in_education = _yes_no(_("In education or training upon leaving"))
    qualification = _yes_no(_("Gained a qualification upon leaving"))
    employed = _yes_no(_("Employed or self-employed upon leaving"))

    def __init__(self, *args, entry_date=None, suggestions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry_date = entry_date
        self.suggestions = suggestions or {}
        for answer, found in self.suggestions.items():
            field = self.fields[answer]
            field.initial = found[0].value
            field.help_text = _("Suggested: %(answer)s. %(reasons)s") % {
                "answer": _("Yes") if found[0].value else _("No"),
                "reasons": " ".join(s.reason for s in found),
            }
        if self.suggestions:
            # A suggestion is never saved unchecked: the coach confirms the answers.
            self.fields["suggestions_checked"] = forms.BooleanField(
                label=_("I have checked the suggested answers and changed any that are wrong"),
                required=True,
                error_messages={"required": _("Confirm that you have checked the answers.")},
            )

    def exit_values(self) -> dict:
        """The cleaned answers for the exit service (without the confirmation)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "suggestions_checked"}

    def clean(self):
        data = super().clean()
        exit_date, observed = data.get("exit_date"), data.get("observed_on")
        if exit_date and self.entry_date and exit_date < self.entry_date:
            self.add_error("exit_date", _("The exit cannot be before the entry."))
        if exit_date and observed and observed < exit_date:
            self.add_error("observed_on", _("The situation cannot be recorded before the exit."))
        return data


class EnrolmentDatesForm(forms.Form):
    entry_date = _date(_("Entry date"))
    exit_date = _date(_("Exit date"), required=False)

    def __init__(self, *args, enrolment, **kwargs):
        kwargs.setdefault(
            "initial", {"entry_date": enrolment.entry_date, "exit_date": enrolment.exit_date}
        )
        super().__init__(*args, **kwargs)
        if enrolment.exit_date is None:
            del self.fields["exit_date"]
        else:
            self.fields["exit_date"].required = True

    def clean(self):
        data = super().clean()
        entry, exit_date = data.get("entry_date"), data.get("exit_date")
        if entry and exit_date and exit_date < entry:
            self.add_error("exit_date", _("The exit cannot be before the entry."))
        return data


class FollowUpForm(forms.Form):
    observed_on = _date(_("Recorded on"), initial=timezone.localdate)
    employed = _yes_no(_("Employed or self-employed"))
    improved = _yes_no(_("Improved labour-market situation"))


class AssessmentForm(forms.Form):
    offline_kind = "assessment"  # works without a connection, like EventForm
    assessed_on = _date(_("Date"), initial=timezone.localdate)

    def __init__(self, *args, instrument, language="sv", **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        english = language.startswith("en")
        choices = [(str(v), str(v)) for v in range(instrument.scale_min, instrument.scale_max + 1)]
        self.dimension_codes = []
        for dimension in instrument.dimensions.order_by("order"):
            low = dimension.anchor_low_en if english else dimension.anchor_low_sv
            high = dimension.anchor_high_en if english else dimension.anchor_high_sv
            name = f"score_{dimension.code}"
            self.dimension_codes.append(dimension.code)
            self.fields[name] = forms.TypedChoiceField(
                label=dimension.label_en if english else dimension.label_sv,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
                help_text=_("%(min)s = %(low)s, %(max)s = %(high)s")
                % {
                    "min": instrument.scale_min,
                    "low": low,
                    "max": instrument.scale_max,
                    "high": high,
                },
            )

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"score_{code}"] for code in self.dimension_codes}


class ImportBasisForm(forms.Form):
    """The legal basis of the participants a file creates: recorded for each of them as their
    first consent record (sharing is never agreed by import)."""

    prefix = "basis"
    legal_basis = forms.ChoiceField(
        label=_("Legal basis of the participants' data"),
        choices=ProcessingBasis.choices,
        initial=ProcessingBasis.CONSENT,
    )
    purposes = forms.MultipleChoiceField(
        label=_("The basis covers"),
        choices=[(v, label) for v, label in ConsentPurpose.choices if v != ConsentPurpose.SHARING],
        widget=forms.CheckboxSelectMultiple,
        initial=[ConsentPurpose.CASE_WORK, ConsentPurpose.STATISTICS],
        help_text=_(
            "Case work is needed; statistics lets the analysts use the pseudonymised data."
        ),
    )
    information_version = forms.CharField(
        label=_("Version of the information text"), max_length=32, initial="1"
    )
    given_on = _date(_("Consent given or basis recorded on"), initial=timezone.localdate)

    def clean_purposes(self) -> list[str]:
        purposes = self.cleaned_data["purposes"]
        if ConsentPurpose.CASE_WORK not in purposes:
            raise forms.ValidationError(
                _(
                    "Registration needs the participant's consent to case work, or another "
                    "legal basis that covers it."
                )
            )
        return purposes

    def terms(self) -> ConsentTerms:
        data = self.cleaned_data
        return ConsentTerms(
            information_version=data["information_version"],
            given_on=data["given_on"],
            legal_basis=data["legal_basis"],
            purposes=frozenset(data["purposes"]),
        )

    def as_session(self) -> dict:
        data = self.cleaned_data
        return {
            "legal_basis": data["legal_basis"],
            "purposes": sorted(data["purposes"]),
            "information_version": data["information_version"],
            "given_on": data["given_on"].isoformat(),
        }

    @staticmethod
    def terms_from_session(stored: dict) -> ConsentTerms:
        return ConsentTerms(
            information_version=stored["information_version"],
            given_on=date.fromisoformat(stored["given_on"]),
            legal_basis=stored["legal_basis"],
            purposes=frozenset(stored["purposes"]),
        )
