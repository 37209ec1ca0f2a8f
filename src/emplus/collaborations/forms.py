"""Page input of the collaboration registry → the services' arguments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from emplus.collaborations.choices import (
    CollaborationKind,
    CollaborationStatus,
    DocumentKind,
    PartyRole,
)
from emplus.collaborations.models import Collaboration
from emplus.collaborations.services import PartyInput
from emplus.core.choices import Arena
from emplus.geo.models import County, Municipality
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PARTY_ROWS = 3  # empty party rows offered beyond those named


class CollaborationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Registered by"), queryset=Organisation.objects.none()
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CollaborationKind.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    arenas = forms.MultipleChoiceField(
        label=_("Arenas"),
        choices=Arena.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    thematic_areas = forms.ModelMultipleChoiceField(
        label=_("Thematic areas"),
        queryset=ThematicArea.objects.order_by("order", "code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    counties = forms.ModelMultipleChoiceField(
        label=_("Counties covered"),
        queryset=County.objects.order_by("code"),
        required=False,
        help_text=_("Whole counties; name municipalities below for a smaller area."),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities covered"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
    )
    starts_on = forms.DateField(label=_("Starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), widget=DATE, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=CollaborationStatus.choices, initial=CollaborationStatus.ACTIVE
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact telephone"), max_length=40, required=False)

    def __init__(self, *args, owners, collaboration: Collaboration | None = None, **kwargs):
        if collaboration is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "organisation": collaboration.organisation_id,
                "title": collaboration.title,
                "kind": collaboration.kind,
                "description": collaboration.description,
                "arenas": collaboration.arenas,
                "thematic_areas": list(collaboration.thematic_areas.all()),
                "counties": list(collaboration.counties.all()),
                "municipalities": list(collaboration.municipalities.all()),
                "starts_on": collaboration.starts_on,
                "ends_on": collaboration.ends_on,
                "status": collaboration.status,
                "contact_name": collaboration.contact_name,
                "contact_email": collaboration.contact_email,
                "contact_phone": collaboration.contact_phone,
            }
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = owners
        choices = list(owners[:2])
        if len(choices) == 1:
            self.fields["organisation"].initial = choices[0].pk  # the usual case: one's own
        if collaboration is not None:
            # the owner does not change; the service keeps it
            del self.fields["organisation"]

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            key: data[key]
            for key in (
                "title",
                "kind",
                "description",
                "arenas",
                "thematic_areas",
                "counties",
                "municipalities",
                "starts_on",
                "ends_on",
                "status",
                "contact_name",
                "contact_email",
                "contact_phone",
            )
        }


class PartyForm(forms.Form):
    """One party: an organisation of the register or an employer, and its role."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Partners, municipalities, regions, schools, agencies and others."),
    )
    employer = forms.ModelChoiceField(
        label=_("or employer"), queryset=Organisation.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", "—"), *PartyRole.choices], required=False
    )
    role_note = forms.CharField(label=_("Role in words"), max_length=200, required=False)

    def __init__(self, *args, organisations, employers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["employer"].queryset = employers

    def clean(self):
        data = super().clean()
        named = data.get("organisation") or data.get("employer")
        if data.get("organisation") and data.get("employer"):
            self.add_error("employer", _("Name an organisation or an employer, not both."))
        elif named and not data.get("role"):
            self.add_error("role", _("Give the party's role."))
        return data

    def party(self) -> PartyInput | None:
        data = self.cleaned_data
        if not (data.get("organisation") or data.get("employer")):
            return None
        return PartyInput(
            role=data["role"],
            organisation=data.get("organisation"),
            employer=data.get("employer"),
            role_note=data.get("role_note", ""),
        )


PartyFormSet = forms.formset_factory(PartyForm, extra=PARTY_ROWS, max_num=50, absolute_max=50)


def party_formset(data, *, organisations, employers, collaboration: Collaboration | None = None):
    initial = (
        [
            {
                "organisation": p.organisation_id,
                "employer": p.employer_id,
                "role": p.role,
                "role_note": p.role_note,
            }
            for p in collaboration.parties.all()
        ]
        if collaboration is not None
        else []
    )
    return PartyFormSet(
        data,
        prefix="party",
        initial=initial,
        form_kwargs={"organisations": organisations, "employers": employers},
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word, Excel, PowerPoint or OpenDocument."),
    )


class CloseForm(forms.Form):
    ends_on = forms.DateField(label=_("Ended on"), widget=DATE)
