"""Forms with which coordinators maintain their organisation's activities outside the Django
admin (directory data, not personal data)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Phase, TargetGroup
from emplus.mapping.models import Activity
from emplus.organisations.models import Organisation, Unit


class DateInput(forms.DateInput):
    input_type = "date"


class ActivityForm(forms.ModelForm):
    phases = forms.MultipleChoiceField(
        label=_("Pathway phases"),
        choices=Phase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = [
            "code",
            "organisation",
            "unit",
            "title",
            "description",
            "arena",
            "phases",
            "target_groups",
            "methods",
            "thematic_areas",
            "municipalities",
            "place",
            "accessibility",
            "delivery_mode",
            "start_date",
            "end_date",
            "schedule",
            "capacity",
            "contact_email",
            "contact_phone",
        ]
        widgets = {
            "start_date": DateInput(format="%Y-%m-%d"),
            "end_date": DateInput(format="%Y-%m-%d"),
            "methods": forms.CheckboxSelectMultiple,
            "thematic_areas": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, organisation_ids, **kwargs):
        """`organisation_ids`: the organisations the editor may change (None: all)."""
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("name")
        units = Unit.objects.select_related("organisation").order_by("organisation__name", "name")
        if organisation_ids is not None:
            organisations = organisations.filter(pk__in=organisation_ids)
            units = units.filter(organisation__in=organisation_ids)
        self.fields["organisation"].queryset = organisations
        self.fields["unit"].queryset = units
        if not self.instance._state.adding:
            self.fields["code"].disabled = True  # the stable identifier of the HSDS export

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must not be before the start."))
        return data

    def activity_values(self) -> dict[str, Any]:
        """The input of `services.activity_create`/`activity_update` (the code apart)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "code"}
