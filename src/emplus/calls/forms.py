"""Forms of funding calls and consortia: page input → a service's arguments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from emplus.calls.choices import Funder
from emplus.calls.models import Call, ConsortiumPartner
from emplus.geo.models import County
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation


class DateInput(forms.DateInput):
    input_type = "date"


class CallForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(
        label=_("Registered by"), queryset=Organisation.objects.none()
    )

    class Meta:
        model = Call
        fields = [
            "organisation",
            "funder",
            "funder_name",
            "title",
            "deadline",
            "themes",
            "target_regions",
            "budget_frame",
            "eligibility_notes",
            "link_text",
        ]
        widgets = {
            "deadline": DateInput(format="%Y-%m-%d"),
            "themes": forms.CheckboxSelectMultiple,
            "target_regions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, organisation_ids, **kwargs):
        """`organisation_ids`: organisations the editor may register calls for (None: all)."""
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = ThematicArea.objects.order_by("order", "code")
        self.fields["target_regions"].queryset = County.objects.order_by("name")
        if self.instance._state.adding:
            organisations = Organisation.objects.order_by("name")
            if organisation_ids is not None:
                organisations = organisations.filter(pk__in=organisation_ids)
            self.fields["organisation"].queryset = organisations
        else:
            del self.fields["organisation"]

    def clean(self):
        data = super().clean()
        named = (Funder.REGION, Funder.FOUNDATION, Funder.OTHER)
        if data.get("funder") in named and not data.get("funder_name", "").strip():
            self.add_error("funder_name", _("Name the region, foundation or other funder."))
        return data

    def call_values(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in self.Meta.fields if n != "organisation"}


class ConsortiumForm(forms.Form):
    lead_organisation = forms.ModelChoiceField(
        label=_("Lead organisation"), queryset=Organisation.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisation_ids, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("name")
        if organisation_ids is not None:
            organisations = organisations.filter(pk__in=organisation_ids)
        self.fields["lead_organisation"].queryset = organisations


class PartnerForm(forms.ModelForm):
    class Meta:
        model = ConsortiumPartner
        fields = [
            "organisation",
            "role",
            "role_description",
            "contact",
            "letter_of_intent",
            "budget_share",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        if not self.instance._state.adding:
            del self.fields["organisation"]

    def partner_values(self) -> dict[str, Any]:
        return {n: self.cleaned_data[n] for n in self.fields if n != "organisation"}
