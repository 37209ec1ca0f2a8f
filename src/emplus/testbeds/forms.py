"""Forms of the test beds: an entry of the learning log (directory data, not personal data)."""

from __future__ import annotations

from django import forms

from emplus.testbeds.models import LearningLogEntry


class DateInput(forms.DateInput):
    input_type = "date"


class LearningLogEntryForm(forms.ModelForm):
    class Meta:
        model = LearningLogEntry
        fields = ["entry_date", "text"]
        widgets = {"entry_date": DateInput(format="%Y-%m-%d")}
