"""The filters of the indicator, progression and effect-estimate pages and of the indicator API,
declared once (emplus.core.filters)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from emplus.core.filters import CodeFilter, SelectorFilterSet
from emplus.evidence.choices import GROUP_LABELS, EstimateOutcome, EstimateStatus
from emplus.evidence.estimates import GROUP_KEYS
from emplus.evidence.models import EffectEstimate
from emplus.evidence.selectors import EstimateFilters, IndicatorFilters
from emplus.geo.models import County, Municipality
from emplus.organisations.models import Organisation
from emplus.pathways.models import Enrolment
from emplus.pathways.selectors import enrolment_reference_list


class _PeriodForm(forms.Form):
    def clean(self):
        data = super().clean() or {}
        start, end = data.get("entry_from"), data.get("entry_to")
        if start and end and start > end:
            self.add_error("entry_to", _("The period ends before it starts."))
        return data


def _code(model, label):
    return CodeFilter(label=label, queryset=model.objects.all())


class IndicatorFilterSet(SelectorFilterSet):
    """Participant attributes (organisation, unit, county and municipality of residence at
    entry) select participants; enrolment attributes (method, test bed, entry period) select
    enrolments; `as_of` is the reporting date (default today)."""

    filters_class = IndicatorFilters

    organisation = _code(Organisation, _("Organisation"))
    # A unit by its id; whether it is the viewer's is the selector's question (an unknown
    # id selects nothing rather than telling whether it exists).
    unit = django_filters.UUIDFilter(label=_("Local unit"))
    county = _code(County, _("County"))
    municipality = _code(Municipality, _("Municipality"))
    # Methods and test beds sit above evidence in the layers: reached through the enrolment.
    method = CodeFilter(label=_("Method"), queryset=enrolment_reference_list("method"))
    test_bed = CodeFilter(label=_("Test bed"), queryset=enrolment_reference_list("test_bed"))
    entry_from = django_filters.DateFilter(label=_("Entry from"))
    entry_to = django_filters.DateFilter(label=_("Entry to"))
    as_of = django_filters.DateFilter(label=_("Reporting date"))

    class Meta:
        model = Enrolment
        fields: list[str] = []
        form = _PeriodForm


GROUP_CHOICES = list(GROUP_LABELS.items())


class ProgressionFilterSet(IndicatorFilterSet):
    group_by = django_filters.ChoiceFilter(label=_("Group by"), choices=GROUP_CHOICES)

    @property
    def group_by_value(self) -> str:
        self.is_valid()
        return self.form.cleaned_data.get("group_by") or "organisation"


class EstimateGroupFilterSet(IndicatorFilterSet):
    """The group of an effect estimate: the indicator filters that define one."""

    @classmethod
    def get_filters(cls):
        return {k: v for k, v in super().get_filters().items() if k in GROUP_KEYS}


class EstimateFilterSet(SelectorFilterSet):
    """The list of effect estimates (the effects page and the API)."""

    filters_class = EstimateFilters

    status = django_filters.ChoiceFilter(label=_("Status"), choices=EstimateStatus.choices)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=EstimateOutcome.choices)

    class Meta:
        model = EffectEstimate
        fields: list[str] = []
