"""Server-rendered SVG maps of counties and municipalities (no map tiles, no JavaScript).

Boundaries come from the packaged GeoJSON. Every map is drawn beside a table with the same
numbers: the map is for seeing a pattern, the table for reading it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from emplus.core import svg
from emplus.evidence_core import reference

# An equirectangular projection scaled at 62° N keeps Sweden's shape recognisable at this size.
_COS = math.cos(math.radians(62.0))
_SCALE = 40.0
_WEST, _NORTH = 10.9, 69.2

# ColorBrewer YlGnBu, five classes (light = low): distinguishable in grey and for colour blindness.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#e0e0e0"


def _xy(lon: float, lat: float) -> tuple[float, float]:
    return (lon - _WEST) * _COS * _SCALE, (_NORTH - lat) * _SCALE


@dataclass(frozen=True)
class Shape:
    code: str
    d: str
    bounds: svg.Box


@cache
def shapes(level: str) -> dict[str, Shape]:
    key = "code" if level == "municipality" else "county_code"
    result: dict[str, Shape] = {}
    for feature in reference.boundaries(level)["features"]:
        parts: list[str] = []
        xs: list[float] = []
        ys: list[float] = []
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                points = [_xy(lon, lat) for lon, lat in ring]
                xs += [x for x, _ in points]
                ys += [y for _, y in points]
                parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points) + "Z")
        code = feature["properties"][key]
        result[code] = Shape(code, "".join(parts), (min(xs), min(ys), max(xs), max(ys)))
    return result


@dataclass(frozen=True)
class MapArea:
    code: str
    name: str
    d: str
    fill: str
    label: str


@dataclass(frozen=True)
class LegendEntry:
    fill: str
    label: str


@dataclass(frozen=True)
class Choropleth:
    view_box: str
    areas: list[MapArea]
    legend: list[LegendEntry]


def class_of(value: float | None, breaks: tuple[float, ...]) -> int | None:
    """Index of the class of value given ascending upper bounds (the last class is open)."""
    if value is None:
        return None
    for index, upper in enumerate(breaks):
        if value < upper:
            return index
    return len(breaks)


def choropleth(
    *,
    level: str,
    names: Mapping[str, str],
    values: Mapping[str, float | None],
    breaks: tuple[float, ...],
    legend_labels: Iterable[str],
    value_format=str,
    focus: Iterable[str] | None = None,
) -> Choropleth:
    """Colour the areas named in `names` by the class of their value; the view box fits
    `focus` (default: all drawn areas)."""
    if len(breaks) != len(PALETTE) - 1:
        raise ValueError(f"need {len(PALETTE) - 1} class breaks")
    all_shapes = shapes(level)
    areas = []
    for code, name in names.items():
        value = values.get(code)
        index = class_of(value, breaks)
        fill = NO_DATA if index is None else PALETTE[index]
        label = f"{name}: {'–' if value is None else value_format(value)}"
        areas.append(MapArea(code, name, all_shapes[code].d, fill, label))
    focus_codes = list(focus) if focus is not None else list(names)
    box = svg.union(all_shapes[c].bounds for c in focus_codes)
    view_box = svg.padded_view_box(box, pad_fraction=0.03)
    legend = [LegendEntry(fill, label) for fill, label in zip(PALETTE, legend_labels, strict=True)]
    return Choropleth(view_box=view_box, areas=areas, legend=legend)
