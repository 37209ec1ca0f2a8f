"""Swedish counties and municipalities from the packaged reference files (no Django import).

The evidence core and the file-based command-line tools read these directly; the database
tables of `emplus.geo` are loaded from the same files by `emplus load-reference-data`.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

RURAL_SKR_GROUPS = frozenset({"C8", "C9"})
# Protocol 6 of Sweden's EU accession treaty (1994) defines sparsely populated regions as those
# with at most 8 inhabitants per km²; we apply it per municipality (settings may override).
SPARSE_DENSITY_MAX = 8.0


@dataclass(frozen=True)
class CountyRecord:
    code: str
    name: str
    short_name: str
    letter: str
    nuts3_code: str
    population_2024: int
    area_km2: float


@dataclass(frozen=True)
class MunicipalityRecord:
    code: str
    name: str
    county_code: str
    population_2024: int
    skr_group_2023: str
    skr_group_2023_name: str
    area_km2: float
    label_lon: float
    label_lat: float

    @property
    def density(self) -> float:
        return self.population_2024 / self.area_km2

    @property
    def is_rural(self) -> bool:
        return self.skr_group_2023 in RURAL_SKR_GROUPS

    def is_sparsely_populated(self, max_density: float = SPARSE_DENSITY_MAX) -> bool:
        return self.density <= max_density


def _rows(filename: str) -> list[dict[str, str]]:
    text = (
        resources.files("emplus.evidence_core")
        .joinpath("data", filename)
        .read_text(encoding="utf-8")
    )
    return list(csv.DictReader(text.splitlines()))


@cache
def counties() -> tuple[CountyRecord, ...]:
    return tuple(
        CountyRecord(
            code=r["county_code"],
            name=r["county_name"],
            short_name=r["county_name_short"],
            letter=r["county_letter"],
            nuts3_code=r["nuts3_code"],
            population_2024=int(r["population_2024"]),
            area_km2=float(r["polygon_area_km2"]),
        )
        for r in _rows("counties.csv")
    )


@cache
def municipalities() -> tuple[MunicipalityRecord, ...]:
    return tuple(
        MunicipalityRecord(
            code=r["code"],
            name=r["name"],
            county_code=r["county_code"],
            population_2024=int(r["population_2024"]),
            skr_group_2023=r["skr_group_2023"],
            skr_group_2023_name=r["skr_group_2023_name"],
            area_km2=float(r["polygon_area_km2"]),
            label_lon=float(r["label_lon"]),
            label_lat=float(r["label_lat"]),
        )
        for r in _rows("municipalities.csv")
    )


@cache
def municipality_by_code() -> dict[str, MunicipalityRecord]:
    return {m.code: m for m in municipalities()}


@cache
def boundaries(level: str) -> dict[str, Any]:
    """Simplified boundaries as a GeoJSON FeatureCollection; level: county or municipality."""
    filename = {"county": "counties.geojson", "municipality": "municipalities.geojson"}[level]
    text = (
        resources.files("emplus.evidence_core")
        .joinpath("data", filename)
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data
