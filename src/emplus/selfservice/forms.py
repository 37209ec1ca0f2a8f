"""Forms of the self-service app: the coach's link, hours and paper forms, and the
participant's own pages. Forms validate input; the services decide and save."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emplus.selfservice.services import DEFAULT_VALID_DAYS, MAX_VALID_DAYS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class KeyedForm(forms.Form):
    """A form whose submission carries an idempotency key (made when the form is shown), so
    sending it twice, or again from the offline queue, saves it once."""

    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)


class LinkCreateForm(forms.Form):
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_VALID_DAYS,
        initial=DEFAULT_VALID_DAYS,
        help_text=_("The link works once, and only within this many days."),
    )


class HoursForm(KeyedForm):
    base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    hours = forms.DecimalField(
        label=_("Hours this month"),
        min_value=0,
        max_digits=6,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PaperForm(KeyedForm):
    base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    paper_date = forms.DateField(
        label=_("Date the participant signed the paper"),
        widget=DateInput,
        initial=timezone.localdate,
    )


class ParticipantAssessmentForm(KeyedForm):
    """The participant's own self-assessment: one answer on the scale for every dimension."""

    def __init__(self, *args, instrument, dimensions, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.dimension_codes = [d.code for d in dimensions]
        choices = [(v, str(v)) for v in range(instrument.scale_min, instrument.scale_max + 1)]
        for dimension in dimensions:
            self.fields[f"score_{dimension.code}"] = forms.TypedChoiceField(
                label=dimension.label,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a number for this question.")},
            )

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"score_{code}"] for code in self.dimension_codes}


class AttestForm(KeyedForm):
    hours_seen = forms.DecimalField(widget=forms.HiddenInput, max_digits=6, decimal_places=1)
    confirm = forms.BooleanField(
        label=_("I confirm that I took part for these hours."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
