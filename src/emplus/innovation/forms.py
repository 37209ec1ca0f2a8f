"""Forms of the innovation pipeline: page input turned into a service's arguments."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emplus.innovation.choices import Stage
from emplus.methods.choices import EvidenceLevel


class DateInput(forms.DateInput):
    input_type = "date"


class IdeaForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=_("Originator organisation"))
    title = forms.CharField(max_length=200, label=_("Title"))
    problem = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Problem"))
    proposed_solution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=_("Proposed solution")
    )
    target_group = forms.CharField(max_length=300, label=_("Target group"))
    thematic_area = forms.ModelChoiceField(queryset=None, label=_("Thematic area"))

    def __init__(self, *args, organisations, thematic_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["thematic_area"].queryset = thematic_areas


class MoveForm(forms.Form):
    """A decision to move an idea into `stage`: the criteria met, and the stage's facts (the
    service says which are missing, beside each field)."""

    decided_on = forms.DateField(widget=DateInput, label=_("Decided on"))
    criteria = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Criteria met"),
    )

    def __init__(self, *args, stage, criteria, options, **kwargs):
        super().__init__(*args, prefix=f"move-{stage}", **kwargs)
        self.stage = stage
        self.fields["decided_on"].initial = timezone.localdate()
        self.fields["criteria"].queryset = criteria
        if stage == Stage.DESIGNED:
            self.fields["method_version"] = forms.ModelChoiceField(
                queryset=options["method_versions"],
                required=False,
                label=_("Draft method version"),
            )
        elif stage == Stage.TESTED:
            self.fields["test_bed"] = forms.ModelChoiceField(
                queryset=options["test_beds"], required=False, label=_("Test bed")
            )
            self.fields["test_start"] = forms.DateField(
                widget=DateInput, required=False, label=_("Tested from")
            )
            self.fields["test_end"] = forms.DateField(
                widget=DateInput, required=False, label=_("Tested until")
            )
        elif stage == Stage.EVALUATED:
            self.fields["effect_estimate"] = forms.ModelChoiceField(
                queryset=options["estimates"], required=False, label=_("Effect estimate")
            )
            self.fields["evidence_level"] = forms.TypedChoiceField(
                choices=[("", "–"), *EvidenceLevel.choices],
                coerce=int,
                empty_value=None,
                required=False,
                label=_("Evidence level"),
            )
            self.fields["evidence_reason"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                label=_("Reason for the evidence level"),
            )
        elif stage == Stage.STOPPED:
            self.fields["lessons"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                label=_("What was learned"),
            )
        self.fields["note"] = forms.CharField(
            widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Note")
        )

    def facts(self) -> dict:
        skip = {"decided_on", "criteria", "note"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class AdoptionForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Adopting organisation")
    )
    county = forms.ModelChoiceField(queryset=None, required=False, label=_("Region"))
    adopted_on = forms.DateField(widget=DateInput, label=_("Adopted on"))
    note = forms.CharField(max_length=300, required=False, label=_("Note"))

    def __init__(self, *args, organisations, counties, **kwargs):
        super().__init__(*args, prefix="adoption", **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["county"].queryset = counties


class StrategyGoalForm(forms.Form):
    goal = forms.CharField(max_length=300, label=_("Goal"))
    thematic_area = forms.ModelChoiceField(queryset=None, required=False, label=_("Thematic area"))
    target_year = forms.IntegerField(
        min_value=2020, max_value=2100, required=False, label=_("By year")
    )

    def __init__(self, *args, thematic_areas, **kwargs):
        super().__init__(*args, prefix="goal", **kwargs)
        self.fields["thematic_area"].queryset = thematic_areas
