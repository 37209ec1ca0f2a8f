"""Pages for counties and municipalities: tables with a map beside them."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from emplus.core.permissions import permission_required
from emplus.geo import maps, selectors
from emplus.geo.filters import MunicipalityPageFilterSet

DENSITY_BREAKS = (2.0, 8.0, 25.0, 100.0)


def _density_legend() -> list[str]:
    unit = _("inhabitants/km²")
    return [
        _("under %(n)s %(unit)s") % {"n": 2, "unit": unit},
        "2–8 " + unit,
        "8–25 " + unit,
        "25–100 " + unit,
        _("%(n)s %(unit)s or more") % {"n": 100, "unit": unit},
    ]


def _density_label(value: float) -> str:
    return f"{number_format(value, 1)} {_('inhabitants/km²')}"


def _density_map(municipalities, focus=None) -> maps.Choropleth:
    return maps.choropleth(
        level="municipality",
        names={m.code: m.name for m in municipalities},
        values={m.code: m.density for m in municipalities},
        breaks=DENSITY_BREAKS,
        legend_labels=_density_legend(),
        value_format=_density_label,
        focus=focus,
    )


@permission_required("geo.view")
def geo_index(request):
    counties = selectors.county_list()
    municipalities = selectors.municipality_list()
    return render(
        request,
        "geo/index.html",
        {
            "counties": counties,
            "map": _density_map(municipalities),
            "sparse_limit": settings.EMPLUS_SPARSE_DENSITY_MAX,
        },
    )


@permission_required("geo.view")
def county_detail(request, code: str):
    county = selectors.county_get(code=code)
    municipalities = list(
        selectors.municipality_list(filters=selectors.MunicipalityFilters(county=county.code))
    )
    return render(
        request,
        "geo/county_detail.html",
        {
            "county": county,
            "municipalities": municipalities,
            "map": _density_map(municipalities),
            "sparse_limit": settings.EMPLUS_SPARSE_DENSITY_MAX,
        },
    )


@permission_required("geo.view")
def municipality_list(request):
    filterset = MunicipalityPageFilterSet(request.GET)
    filters = filterset.selector_filters
    municipalities = list(selectors.municipality_list(filters=filters))
    params = request.GET.copy()
    params.pop("sort", None)
    return render(
        request,
        "geo/municipality_list.html",
        {
            "municipalities": municipalities,
            "filters": filters,
            "filterset": filterset,
            "counties": selectors.county_list(),
            "query_without_sort": params.urlencode(),
            "total_population": sum(m.population_2024 for m in municipalities),
            "sparse_limit": settings.EMPLUS_SPARSE_DENSITY_MAX,
            "columns": [
                ("code", _("Code"), False),
                ("name", _("Municipality"), False),
                ("county", _("County"), False),
                ("population", _("Population 2024"), True),
                ("area", _("Area km²"), True),
                ("density", _("Inhabitants/km²"), True),
                ("group", _("SKR group 2023"), False),
            ],
        },
    )


@permission_required("geo.view")
def municipality_detail(request, code: str):
    municipality = selectors.municipality_get(code=code)
    neighbours = list(
        selectors.municipality_list(
            filters=selectors.MunicipalityFilters(county=municipality.county_id)
        )
    )
    units = selectors.municipality_unit_list(viewer=request.user, municipality=municipality)
    return render(
        request,
        "geo/municipality_detail.html",
        {
            "municipality": municipality,
            "units": units,
            "map": _density_map(neighbours, focus=[municipality.code]),
            "sparse_limit": settings.EMPLUS_SPARSE_DENSITY_MAX,
        },
    )
