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


Point = tuple[float, float]


@dataclass(frozen=True)
class Shape:
    code: str
    d: str
    bounds: svg.Box
    # Each polygon as its outer ring then its holes, in drawing units (for `choropleth_png`).
    polygons: tuple[tuple[tuple[Point, ...], ...], ...] = ()


@cache
def shapes(level: str) -> dict[str, Shape]:
    key = "code" if level == "municipality" else "county_code"
    result: dict[str, Shape] = {}
    for feature in reference.boundaries(level)["features"]:
        parts: list[str] = []
        xs: list[float] = []
        ys: list[float] = []
        polygons = []
        for polygon in feature["geometry"]["coordinates"]:
            rings = []
            for ring in polygon:
                points = [_xy(lon, lat) for lon, lat in ring]
                xs += [x for x, _ in points]
                ys += [y for _, y in points]
                parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points) + "Z")
                rings.append(tuple(points))
            polygons.append(tuple(rings))
        code = feature["properties"][key]
        result[code] = Shape(
            code, "".join(parts), (min(xs), min(ys), max(xs), max(ys)), tuple(polygons)
        )
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


# --- the same map as a picture, for files that hold no SVG (the XLSX and PDF annexes) ----------


def _ring_area_centroid(ring: tuple[Point, ...]) -> tuple[float, Point]:
    """Area and centroid of a closed ring (shoelace formula); the mean point if it is flat."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-9:
        return 0.0, (sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring))
    return abs(area) / 2, (cx / (3 * area), cy / (3 * area))


def label_point(shape: Shape) -> Point:
    """Where a label goes on an area: the centroid of its largest outer ring."""
    return max(_ring_area_centroid(polygon[0]) for polygon in shape.polygons)[1]


def choropleth_png(
    chart: Choropleth,
    *,
    level: str,
    width: int = 1000,
    labels: Mapping[str, str] | None = None,
    hatched: Iterable[str] = (),
) -> bytes:
    """The choropleth as a PNG drawn by Pillow with its bundled font (no system font, no
    network): the same areas, fills and view box as the SVG. `labels` are written on their
    areas and `hatched` areas get diagonal lines, so that the map also reads in black and
    white and not by colour alone."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    min_x, min_y, box_w, box_h = (float(v) for v in chart.view_box.split())
    factor = width / box_w
    height = max(1, round(box_h * factor))
    all_shapes = shapes(level)
    hatched = set(hatched)

    def px(point: Point) -> Point:
        return (point[0] - min_x) * factor, (point[1] - min_y) * factor

    picture = Image.new("RGB", (width, height), "white")
    lines = Image.new("L", (width, height), 0)
    hatch_draw = ImageDraw.Draw(lines)
    step = max(6, width // 90)
    for offset in range(-height, width, step):
        hatch_draw.line([(offset, height), (offset + height, 0)], fill=255, width=max(1, step // 5))
    for area in chart.areas:
        mask = Image.new("L", (width, height), 0)
        draw = ImageDraw.Draw(mask)
        for polygon in all_shapes[area.code].polygons:
            outer, *holes = polygon
            draw.polygon([px(p) for p in outer], fill=255)
            for hole in holes:
                draw.polygon([px(p) for p in hole], fill=0)
        picture.paste(area.fill, mask=mask)
        if area.code in hatched:
            hatch = Image.new("L", (width, height), 0)
            hatch.paste(lines, mask=mask)
            picture.paste("#555555", mask=hatch)
    outline = ImageDraw.Draw(picture)
    for area in chart.areas:
        for polygon in all_shapes[area.code].polygons:
            for ring in polygon:
                outline.line([px(p) for p in ring + ring[:1]], fill="#404040", width=1)
    font = ImageFont.load_default(size=max(12, width // 30))
    for code, text in (labels or {}).items():
        outline.text(
            px(label_point(all_shapes[code])),
            text,
            fill="black",
            font=font,
            anchor="mm",
            stroke_width=max(2, width // 300),
            stroke_fill="white",
        )
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
