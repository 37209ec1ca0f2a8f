"""The filters of activities, their coverage and the white spots, shared by the pages and the
API (emplus.core.filters)."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Arena, Phase, TargetGroup
from emplus.core.filters import CodeFilter, SelectorFilterSet
from emplus.geo.models import County
from emplus.mapping.models import Activity
from emplus.mapping.selectors import COVERAGE_SORTS, ActivityFilters
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation


class ActivityFilterSet(SelectorFilterSet):
    filters_class = ActivityFilters

    arena = django_filters.ChoiceFilter(label=_("Arena"), choices=Arena.choices)
    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Phase.choices)
    organisation = CodeFilter(label=_("Organisation"), queryset=Organisation.objects.all())
    thematic_area = CodeFilter(label=_("Thematic area"), queryset=ThematicArea.objects.all())
    target_group = django_filters.ChoiceFilter(label=_("Target group"), choices=TargetGroup.choices)
    county = CodeFilter(label=_("County"), queryset=County.objects.all())
    q = django_filters.CharFilter(label=_("Search"), max_length=100)

    class Meta:
        model = Activity
        fields: list[str] = []


@dataclass(frozen=True)
class CoverageView:
    """How the coverage page shows the filtered activities."""

    measure: str = ""  # "" (activities) or "participants"
    level: str = ""  # "" (municipalities) or "county"
    sort: str = ""  # a key of COVERAGE_SORTS, "-" first for descending


class CoverageFilterSet(ActivityFilterSet):
    """The coverage page: the activity filters, and what to show."""

    measure = django_filters.ChoiceFilter(
        label=_("Measure"), choices=[("participants", _("Participants per 10 000 inhabitants"))]
    )
    level = django_filters.ChoiceFilter(
        label=_("Areas"), choices=[("county", _("Counties (whole country only)"))]
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        choices=[(key, key) for key in COVERAGE_SORTS]
        + [(f"-{k}", f"-{k}") for k in COVERAGE_SORTS],
    )

    @property
    def view(self) -> CoverageView:
        self.is_valid()
        data = self.form.cleaned_data
        return CoverageView(
            measure=data.get("measure") or "",
            level=data.get("level") or "",
            sort=data.get("sort") or "",
        )


class CommaDecimalField(forms.DecimalField):
    """A decimal number written with a comma (Swedish) or a point."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class CommaNumberFilter(django_filters.NumberFilter):
    field_class = CommaDecimalField


@dataclass(frozen=True)
class WhiteSpotFilters:
    arena: str = ""
    max_rate: float = 0.0


class WhiteSpotFilterSet(SelectorFilterSet):
    filters_class = WhiteSpotFilters

    arena = django_filters.ChoiceFilter(label=_("Arena"), choices=Arena.choices)
    max_rate = CommaNumberFilter(
        label=_("At most this many activities per 10 000 inhabitants"),
        min_value=0,
        max_value=100,
    )

    class Meta:
        model = Activity
        fields: list[str] = []

    def _plain(self, name, value):
        return float(value) if name == "max_rate" else super()._plain(name, value)
