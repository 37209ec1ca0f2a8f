"""Forms with which coordinators keep their organisation's methods and administrators the
thematic areas (directory data, not personal data)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Arena, Phase, TargetGroup
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Organisation


class DateInput(forms.DateInput):
    input_type = "date"


class MethodForm(forms.ModelForm):
    """A method's content and the version it is released as; `owner` and `code` only when it
    is new."""

    owner = forms.ModelChoiceField(label=_("Owner organisation"), queryset=Organisation.objects)
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
    arenas = forms.MultipleChoiceField(
        label=_("Arenas"),
        choices=Arena.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.CharField(
        label=_("Version"),
        max_length=20,
        help_text=_("A new number for every change, e.g. 1.1; earlier versions stay as they were."),
    )
    released_on = forms.DateField(label=_("Released on"), widget=DateInput(format="%Y-%m-%d"))
    change_note = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Method
        fields = [
            "code",
            "name",
            "purpose",
            "phases",
            "target_groups",
            "arenas",
            "thematic_areas",
            "steps",
            "resources",
            "evidence_level",
        ]
        widgets = {"thematic_areas": forms.CheckboxSelectMultiple}
        help_texts = {"steps": _("One step per line.")}

    CONTENT = (
        "name",
        "purpose",
        "phases",
        "target_groups",
        "arenas",
        "thematic_areas",
        "steps",
        "resources",
        "evidence_level",
    )

    def __init__(self, *args, organisation_ids, **kwargs):
        """`organisation_ids`: the organisations the editor may add methods for (None: all)."""
        super().__init__(*args, **kwargs)
        self.fields["thematic_areas"].queryset = ThematicArea.objects.order_by("order", "code")
        if self.instance._state.adding:
            owners = Organisation.objects.order_by("name")
            if organisation_ids is not None:
                owners = owners.filter(pk__in=organisation_ids)
            self.fields["owner"].queryset = owners
            self.fields["released_on"].initial = timezone.localdate()
            self.fields["version"].initial = "1.0"
            self.order_fields(["owner", "code"])
        else:
            del self.fields["owner"]
            del self.fields["code"]
            self.fields["released_on"].initial = timezone.localdate()

    def method_values(self) -> dict[str, Any]:
        """The content arguments of `services.method_create`/`method_version_release`."""
        return {name: self.cleaned_data[name] for name in self.CONTENT}

    def version_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("version", "released_on", "change_note")}


class ThematicAreaForm(forms.ModelForm):
    class Meta:
        model = ThematicArea
        fields = ["name_sv", "name_en", "description", "order"]
