"""Page input of the action plans → the services' arguments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from emplus.geo.models import County
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Organisation, Unit
from emplus.plans.choices import ActionStatus, GoalKind, OwnerKind
from emplus.testbeds.models import TestBed

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.Form):
    """A new plan: its owner (only the kinds and rows the user may change) and its period."""

    title = forms.CharField(label=_("Title"), max_length=200)
    owner_kind = forms.ChoiceField(label=_("Owner"), choices=OwnerKind.choices)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    test_bed = forms.ModelChoiceField(
        label=_("Test bed"), queryset=TestBed.objects.none(), required=False
    )
    county = forms.ModelChoiceField(
        label=_("County"), queryset=County.objects.order_by("code"), required=False
    )
    thematic_area = forms.ModelChoiceField(
        label=_("Thematic area"), queryset=ThematicArea.objects.order_by("code"), required=False
    )
    period_start = forms.DateField(label=_("Period starts"), widget=DATE)
    period_end = forms.DateField(label=_("Period ends"), widget=DATE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, options: dict, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = options["organisations"]
        self.fields["test_bed"].queryset = options["test_beds"]
        self.fields["owner_kind"].choices = [
            (k, label) for k, label in OwnerKind.choices if k in options["kinds"]
        ]
        if not options["partnership"]:
            del self.fields["county"]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", _("The period must end after it starts."))
        return data


class PlanEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    thematic_area = forms.ModelChoiceField(
        label=_("Thematic area"), queryset=ThematicArea.objects.order_by("code"), required=False
    )
    period_start = forms.DateField(label=_("Period starts"), widget=DATE)
    period_end = forms.DateField(label=_("Period ends"), widget=DATE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    clean = PlanForm.clean


class GoalForm(forms.Form):
    """A goal: what measures it, the participants it counts, and its line."""

    title = forms.CharField(label=_("Goal"), max_length=300)
    kind = forms.ChoiceField(label=_("Measured by"), choices=GoalKind.choices)
    esf_code = forms.ChoiceField(label=_("ESF+ indicator"), required=False)
    dimension = forms.ChoiceField(
        label=_("Dimension of the self-assessment (progression)"), required=False
    )
    metric_name = forms.CharField(
        label=_("Name of the manual metric"), max_length=200, required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Only participants of the organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=_("Only participants of the unit"),
        queryset=Unit.objects.select_related("organisation").order_by("organisation__name", "name"),
        required=False,
    )
    county = forms.ModelChoiceField(
        label=_("Only participants living in the county"),
        queryset=County.objects.order_by("code"),
        required=False,
    )
    method = forms.ModelChoiceField(
        label=_("Only pathways with the method"),
        queryset=Method.objects.order_by("name"),
        required=False,
    )
    test_bed = forms.ModelChoiceField(
        label=_("Only pathways in the test bed"),
        queryset=TestBed.objects.order_by("name"),
        required=False,
    )
    entry_from = forms.DateField(label=_("Entered from"), widget=DATE, required=False)
    entry_to = forms.DateField(label=_("Entered until"), widget=DATE, required=False)
    baseline = forms.DecimalField(label=_("Baseline"), max_digits=12, decimal_places=2)
    target = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=2)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    def __init__(self, *args: Any, esf_codes: list, dimensions: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["esf_code"].choices = [("", "–"), *esf_codes]
        self.fields["dimension"].choices = [("", "–"), *dimensions]

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if kind == GoalKind.ESF and not data.get("esf_code"):
            self.add_error("esf_code", _("Choose the ESF+ indicator the goal counts."))
        if kind == GoalKind.PROGRESSION and not data.get("dimension"):
            self.add_error("dimension", _("Choose the dimension whose improvement counts."))
        if kind == GoalKind.MANUAL and not data.get("metric_name"):
            self.add_error("metric_name", _("Name the metric you will record."))
        start, end = data.get("entry_from"), data.get("entry_to")
        if start and end and end < start:
            self.add_error("entry_to", _("The end of the period comes before its start."))
        return data

    def goal_values(self) -> dict:
        data = dict(self.cleaned_data)
        kind = data["kind"]
        esf_code, dimension = data.pop("esf_code"), data.pop("dimension")
        data["indicator_code"] = {GoalKind.ESF: esf_code, GoalKind.PROGRESSION: dimension}.get(
            kind, ""
        )
        if kind != GoalKind.MANUAL:
            data["metric_name"] = ""
        return data


class GoalEditForm(GoalForm):
    """A goal's change: the add form filled in from the goal. Once values are recorded
    (`bound_locked`), what the goal measures and whom it counts are shown but disabled."""

    BINDING = (
        "kind",
        "esf_code",
        "dimension",
        "metric_name",
        "organisation",
        "unit",
        "county",
        "method",
        "test_bed",
        "entry_from",
        "entry_to",
    )

    def __init__(self, *args: Any, goal: Any, bound_locked: bool, **kwargs: Any) -> None:
        names = [name for name in GoalForm.base_fields if name not in ("esf_code", "dimension")]
        initial = {name: getattr(goal, name) for name in names}
        initial["esf_code"] = goal.indicator_code if goal.kind == GoalKind.ESF else ""
        initial["dimension"] = goal.indicator_code if goal.kind == GoalKind.PROGRESSION else ""
        super().__init__(*args, initial=initial, **kwargs)
        if bound_locked:
            for name in self.BINDING:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Values are recorded for the goal: what it measures can no longer change."
                )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    responsible = forms.ModelChoiceField(
        label=_("Responsible organisation"), queryset=Organisation.objects.order_by("name")
    )
    due_date = forms.DateField(label=_("Due date"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class GoalValueForm(forms.Form):
    recorded_on = forms.DateField(label=_("Date"), widget=DATE)
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    owner_kind = forms.ChoiceField(
        label=_("Owner"), choices=[("", _("All")), *OwnerKind.choices], required=False
    )
    thematic_area = forms.ChoiceField(label=_("Thematic area"), required=False)
    county = forms.ChoiceField(label=_("County"), required=False)
    current = forms.BooleanField(label=_("Running today"), required=False)
    at_risk = forms.BooleanField(
        label=_("At risk: running plans I am responsible for with a goal at risk or off track"),
        required=False,
    )

    def __init__(self, *args: Any, areas: list, counties: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["thematic_area"].choices = [("", _("All")), *areas]
        self.fields["county"].choices = [("", _("All")), *counties]
