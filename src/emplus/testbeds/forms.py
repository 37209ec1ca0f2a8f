"""Forms of the test beds: the bed, a goal and a learning-log entry (directory data, not
personal data)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from emplus.geo.models import Municipality
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Organisation
from emplus.testbeds.models import LearningLogEntry, TestBed, TestBedGoal


class DateInput(forms.DateInput):
    input_type = "date"


class LearningLogEntryForm(forms.ModelForm):
    class Meta:
        model = LearningLogEntry
        fields = ["entry_date", "text"]
        widgets = {"entry_date": DateInput(format="%Y-%m-%d")}


class TestBedGoalForm(forms.ModelForm):
    class Meta:
        model = TestBedGoal
        fields = ["goal", "indicator", "target"]


class TestBedForm(forms.ModelForm):
    class Meta:
        model = TestBed
        fields = [
            "code",
            "name",
            "lead_organisation",
            "partners",
            "county",
            "municipalities",
            "methods",
            "thematic_areas",
            "description",
            "target_group",
            "start_date",
            "end_date",
        ]
        widgets = {
            "start_date": DateInput(format="%Y-%m-%d"),
            "end_date": DateInput(format="%Y-%m-%d"),
            "partners": forms.CheckboxSelectMultiple,
            "methods": forms.CheckboxSelectMultiple,
            "thematic_areas": forms.CheckboxSelectMultiple,
            "municipalities": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, organisation_ids, **kwargs):
        """`organisation_ids`: the organisations the editor may let lead a bed (None: all)."""
        super().__init__(*args, **kwargs)
        leads = Organisation.objects.order_by("name")
        if organisation_ids is not None:
            leads = leads.filter(pk__in=organisation_ids)
        self.fields["lead_organisation"].queryset = leads
        self.fields["lead_organisation"].required = True
        self.fields["partners"].queryset = Organisation.objects.order_by("name")
        self.fields["municipalities"].queryset = Municipality.objects.order_by("name")
        self.fields["methods"].queryset = Method.objects.order_by("name")
        self.fields["thematic_areas"].queryset = ThematicArea.objects.order_by("order", "code")
        if not self.instance._state.adding:
            self.fields["code"].disabled = True

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start."))
        return data

    def test_bed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "code"}
