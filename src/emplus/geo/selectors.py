"""Reads of counties and municipalities (reference data: visible to every signed-in user)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from emplus.core.typing import User
from emplus.evidence_core.reference import RURAL_SKR_GROUPS
from emplus.geo.models import County, Municipality

MUNICIPALITY_SORTS = {
    "name": "name",
    "code": "code",
    "county": "county__code",
    "population": "population_2024",
    "area": "area_km2",
    "density": "density_per_km2",
    "group": "skr_group_2023",
}


@dataclass(frozen=True)
class MunicipalityFilters:
    county: str = ""
    rural: bool = False
    sparse: bool = False
    q: str = ""
    sort: str = "code"
    descending: bool = False


def county_list() -> QuerySet[County]:
    return County.objects.annotate(
        municipality_count=Count("municipalities"),
        rural_count=Count(
            "municipalities", filter=Q(municipalities__skr_group_2023__in=RURAL_SKR_GROUPS)
        ),
    ).order_by("code")


def geography_size() -> dict[str, int]:
    """How many counties and municipalities the reference data holds (the start page)."""
    return {
        "county_count": County.objects.count(),
        "municipality_count": Municipality.objects.count(),
    }


def county_find(*, code: str) -> County | None:
    """The county with this code, or None (a filter value, checked by its form)."""
    return County.objects.filter(code=code).first()


def county_get(*, code: str) -> County:
    return get_object_or_404(County, code=code)


def municipality_list(*, filters: MunicipalityFilters | None = None) -> QuerySet[Municipality]:
    filters = filters or MunicipalityFilters()
    qs = Municipality.objects.with_density().select_related("county")
    if filters.county:
        qs = qs.filter(county_id=filters.county)
    if filters.rural:
        qs = qs.rural()
    if filters.sparse:
        qs = qs.sparsely_populated()
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code=filters.q))
    field = MUNICIPALITY_SORTS.get(filters.sort, "code")
    return qs.order_by(f"-{field}" if filters.descending else field, "code")


def municipality_get(*, code: str) -> Municipality:
    return get_object_or_404(Municipality.objects.select_related("county"), code=code)


def municipality_unit_list(*, viewer: User, municipality: Municipality) -> QuerySet:
    """The local units in a municipality that the viewer may see (as `unit_list` of the
    organisations app: permission `organisation.view`).

    Read through the units' own key (`Unit.municipality`, related name `units`) and their
    restricted queryset: `organisations` sits above `geo` in the layers (docs/architecture.md)."""
    return (
        municipality.units.restrict(viewer, "organisation.view")
        .select_related("organisation", "municipality", "municipality__county")
        .order_by("organisation__name", "name")
    )
