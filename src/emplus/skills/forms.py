"""Forms of the skills app: page input turned into a service's arguments (no saving here)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from emplus.organisations.models import code_validator
from emplus.skills.choices import CourseFormat, CourseLanguage, StaffKind, TargetRole, Urgency


class DateInput(forms.DateInput):
    input_type = "date"


class SkillNeedForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"))
    skill_area = forms.ModelChoiceField(queryset=None, label=_("Skill area"))
    county = forms.ModelChoiceField(queryset=None, label=_("County"))
    staff_kind = forms.ChoiceField(choices=StaffKind.choices, label=_("Who needs it"))
    people = forms.IntegerField(min_value=1, max_value=10000, label=_("Number of people"))
    urgency = forms.ChoiceField(choices=Urgency.choices, label=_("Urgency"))
    note = forms.CharField(max_length=500, required=False, label=_("Note"))

    def __init__(self, *args, organisations, skill_areas, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["skill_area"].queryset = skill_areas
        self.fields["county"].queryset = counties
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]


class CourseForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=_("Published by"))
    title = forms.CharField(max_length=200, label=_("Title"))
    provider = forms.CharField(max_length=200, label=_("Provider"))
    format = forms.ChoiceField(choices=CourseFormat.choices, label=_("Format"))
    length_hours = forms.IntegerField(min_value=1, max_value=2000, label=_("Length (hours)"))
    language = forms.ChoiceField(choices=CourseLanguage.choices, label=_("Language"))
    target_roles = forms.MultipleChoiceField(
        choices=TargetRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Target roles"),
    )
    skill_areas = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label=_("Skill areas")
    )
    methods = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("Linked methods")
    )
    thematic_areas = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Thematic areas"),
    )
    description = forms.CharField(widget=forms.Textarea, required=False, label=_("Description"))

    def __init__(self, *args, organisations, skill_areas, methods, thematic_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["skill_areas"].queryset = skill_areas
        self.fields["methods"].queryset = methods
        self.fields["thematic_areas"].queryset = thematic_areas


class OccasionForm(forms.Form):
    starts_on = forms.DateField(widget=DateInput, label=_("Starts"))
    ends_on = forms.DateField(widget=DateInput, label=_("Ends"))
    county = forms.ModelChoiceField(
        queryset=None, required=False, label=_("County"), empty_label=_("Online")
    )
    place = forms.CharField(max_length=200, required=False, label=_("Place"))
    places = forms.IntegerField(min_value=1, max_value=1000, label=_("Places"))

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.get_full_name() or obj.user.username} ({obj.organisation.name})"


class RegistrationForm(forms.Form):
    membership = StaffChoiceField(queryset=None, label=_("Staff member"))
    county = forms.ModelChoiceField(queryset=None, label=_("County where the person works"))

    def __init__(self, *args, memberships, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships
        self.fields["county"].queryset = counties


class CompletionForm(forms.Form):
    completed_on = forms.DateField(widget=DateInput, label=_("Completed on"))


class SkillAreaForm(forms.Form):
    code = forms.CharField(max_length=32, validators=[code_validator], label=_("Code"))
    name_sv = forms.CharField(max_length=200, label=_("Name (Swedish)"))
    name_en = forms.CharField(max_length=200, label=_("Name (English)"))
    description = forms.CharField(widget=forms.Textarea, required=False, label=_("Description"))
    order = forms.IntegerField(min_value=0, max_value=999, initial=0, label=_("Order"))
    thematic_areas = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Thematic areas"),
    )
    methods = forms.ModelMultipleChoiceField(queryset=None, required=False, label=_("Methods"))

    def __init__(self, *args, thematic_areas, methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["thematic_areas"].queryset = thematic_areas
        self.fields["methods"].queryset = methods
