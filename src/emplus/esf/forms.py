"""Forms of the ESF projects app: input only; the services validate and write."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from emplus.esf.choices import ColumnField, DateFormat, ProgrammeArea
from emplus.esf.querysets import organisations_with_permission
from emplus.organisations.models import Organisation, Unit
from emplus.testbeds.models import TestBed


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.organisation.name})"


class ProjectForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Owner organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("The organisation that reports the participants to Statistics Sweden."),
    )
    case_number = forms.CharField(label=_("Case number (ärendenummer)"), max_length=64)
    title = forms.CharField(label=_("Title"), max_length=300)
    programme_area = forms.ChoiceField(
        label=_("Programme area"), choices=ProgrammeArea.choices, widget=forms.RadioSelect
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    participating_organisations = forms.ModelMultipleChoiceField(
        label=_("Participating organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("The owner organisation always takes part."),
    )
    participating_units = UnitChoiceField(
        label=_("Participating units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "Choose units to limit an organisation to them; an organisation without chosen "
            "units takes part with all of its units."
        ),
    )
    men_protected_form = forms.CharField(
        label=_("Protected-identity form for men"),
        max_length=32,
        required=False,
        help_text=_(
            "Copy it from the project's instructions, with ÅÅÅÅMMDD where the birth date goes. "
            "The form for women is known (ÅÅÅÅMMDDTf29); the form for men has no default."
        ),
    )
    test_bed = forms.ModelChoiceField(
        label=_("Test bed"), queryset=TestBed.objects.none(), required=False
    )

    def __init__(self, *args, user, project=None, **kwargs):
        if project is not None:
            kwargs.setdefault(
                "initial",
                {
                    "organisation": project.organisation_id,
                    "case_number": project.case_number,
                    "title": project.title,
                    "programme_area": project.programme_area,
                    "start_date": project.start_date,
                    "end_date": project.end_date,
                    "participating_organisations": list(
                        project.participating_organisations.values_list("pk", flat=True)
                    ),
                    "participating_units": list(
                        project.participating_units.values_list("pk", flat=True)
                    ),
                    "men_protected_form": project.men_protected_form,
                    "test_bed": project.test_bed_id,
                },
            )
        super().__init__(*args, **kwargs)
        own = organisations_with_permission(user, "esf.manage")
        self.fields["organisation"].queryset = Organisation.objects.restrict(user, "esf.manage")
        if project is not None:
            # The owner does not change: another organisation's coordinators would take over.
            del self.fields["organisation"]
            own = {project.organisation_id}
        candidates = Organisation.objects.filter(Q(is_partner=True) | Q(pk__in=own))
        self.fields["participating_organisations"].queryset = candidates
        self.fields["participating_units"].queryset = Unit.objects.filter(
            organisation__in=candidates
        ).select_related("organisation")
        self.fields["test_bed"].queryset = TestBed.objects.order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The project cannot end before it starts."))
        return data

    def project_values(self) -> dict:
        data = self.cleaned_data
        return {
            "case_number": data["case_number"],
            "title": data["title"],
            "programme_area": data["programme_area"],
            "start_date": data["start_date"],
            "end_date": data["end_date"],
            "men_protected_form": data["men_protected_form"].strip(),
            "test_bed": data["test_bed"],
            "participating_organisations": list(data["participating_organisations"]),
            "participating_units": list(data["participating_units"]),
        }


class ColumnForm(forms.Form):
    header = forms.CharField(label=_("Header"), max_length=200, required=False)
    field = forms.ChoiceField(label=_("Takes"), choices=ColumnField.choices)
    text = forms.CharField(label=_("Fixed text"), max_length=100, required=False)


ColumnFormSet = formset_factory(
    ColumnForm, extra=1, can_delete=True, can_order=True, max_num=100, absolute_max=100
)


class TemplateSettingsForm(forms.Form):
    date_format = forms.ChoiceField(
        label=_("Date format"), choices=DateFormat.choices, widget=forms.RadioSelect
    )


class HeaderUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The template received (XLSX or CSV)"),
        help_text=_(
            "Only its header row is read: the first row that has text. Then choose what each "
            "column takes."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an XLSX or CSV file."))
        return upload
