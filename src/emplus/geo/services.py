"""Writes to the geography tables: loading the packaged reference data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db import transaction

from emplus.evidence_core import reference
from emplus.geo.models import County, Municipality


@dataclass(frozen=True)
class LoadReport:
    counties: int
    municipalities: int
    created: int
    updated: int


_Geography = TypeVar("_Geography", County, Municipality)


def _sync(model: type[_Geography], rows: dict[str, dict]) -> tuple[int, int]:
    """Insert missing rows and update changed ones in bulk; returns (created, updated)."""
    existing = model.objects.in_bulk(list(rows))
    new = [model(pk=pk, **values) for pk, values in rows.items() if pk not in existing]
    changed, fields = [], set()
    for pk, obj in existing.items():
        differing = [name for name, value in rows[pk].items() if getattr(obj, name) != value]
        if differing:
            for name in differing:
                setattr(obj, name, rows[pk][name])
            changed.append(obj)
            fields.update(differing)
    model.objects.bulk_create(new)
    if changed:
        model.objects.bulk_update(changed, sorted(fields))
    return len(new), len(changed)


@transaction.atomic
def reference_data_load() -> LoadReport:
    """Load the 21 counties and 290 municipalities; running it again changes nothing."""
    counties = {
        c.code: {
            "name": c.name,
            "short_name": c.short_name,
            "letter": c.letter,
            "nuts3_code": c.nuts3_code,
            "population_2024": c.population_2024,
            "area_km2": c.area_km2,
        }
        for c in reference.counties()
    }
    municipalities = {
        m.code: {
            "name": m.name,
            "county_id": m.county_code,
            "population_2024": m.population_2024,
            "area_km2": m.area_km2,
            "skr_group_2023": m.skr_group_2023,
            "skr_group_2023_name": m.skr_group_2023_name,
            "label_lon": m.label_lon,
            "label_lat": m.label_lat,
        }
        for m in reference.municipalities()
    }
    created_c, updated_c = _sync(County, counties)
    created_m, updated_m = _sync(Municipality, municipalities)
    return LoadReport(
        counties=County.objects.count(),
        municipalities=Municipality.objects.count(),
        created=created_c + created_m,
        updated=updated_c + updated_m,
    )
