"""The filters of the municipality page and API (emplus.core.filters)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from emplus.core.filters import CodeFilter, SelectorFilterSet, StrictBooleanFilter
from emplus.geo.models import County, Municipality
from emplus.geo.selectors import MUNICIPALITY_SORTS, MunicipalityFilters

_SORTS = [(k, k) for k in MUNICIPALITY_SORTS] + [(f"-{k}", f"-{k}") for k in MUNICIPALITY_SORTS]


class MunicipalityPageFilterSet(SelectorFilterSet):
    """The municipality table: a county, only rural or sparsely populated ones, a name, a sort."""

    filters_class = MunicipalityFilters

    county = CodeFilter(label=_("County"), queryset=County.objects.all())
    rural = StrictBooleanFilter(label=_("Rural"))
    sparse = StrictBooleanFilter(label=_("Sparsely populated"))
    q = django_filters.CharFilter(label=_("Search"), max_length=100)
    sort = django_filters.ChoiceFilter(label=_("Sort"), choices=_SORTS)

    class Meta:
        model = Municipality
        fields: list[str] = []

    @property
    def selector_filters(self) -> MunicipalityFilters:
        plain = super().selector_filters
        self.is_valid()
        sort = self.form.cleaned_data.get("sort") or "code"
        return MunicipalityFilters(
            county=plain.county,
            rural=bool(plain.rural),
            sparse=bool(plain.sparse),
            q=plain.q,
            sort=sort.lstrip("-"),
            descending=sort.startswith("-"),
        )


class MunicipalityFilter(django_filters.FilterSet):
    """The municipality API: filters the reference list itself (yes/no are strict, an unknown
    county is a 400)."""

    county = CodeFilter(label=_("County"), queryset=County.objects.all(), method="filter_county")
    rural = StrictBooleanFilter(method="filter_rural")
    sparsely_populated = StrictBooleanFilter(method="filter_sparse")

    class Meta:
        model = Municipality
        fields = ["skr_group_2023"]

    def filter_county(self, qs, name, value):
        return qs.filter(county=value)

    def filter_rural(self, qs, name, value):
        return qs.rural() if value else qs.exclude(pk__in=qs.rural().values("pk"))

    def filter_sparse(self, qs, name, value):
        sparse = Municipality.objects.sparsely_populated().values("pk")
        return qs.filter(pk__in=sparse) if value else qs.exclude(pk__in=sparse)
