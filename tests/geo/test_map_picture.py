"""The choropleth as a PNG (for the annexes that hold no SVG): the same areas and fills as the
SVG map, numbers written on areas and hatching, so that it reads in black and white."""

from __future__ import annotations

import io

from PIL import Image

from emplus.geo import maps


def _county_map(values: dict[str, float]) -> maps.Choropleth:
    return maps.choropleth(
        level="county",
        names={"24": "Västerbottens län", "25": "Norrbottens län"},
        values=values,
        breaks=(1.0, 2.0, 3.0, 4.0),
        legend_labels=["0", "1", "2", "3", "4+"],
    )


def _pixel(picture: Image.Image, chart: maps.Choropleth, code: str, width: int):
    """The colour at an area's label point."""
    min_x, min_y, box_w, _ = (float(v) for v in chart.view_box.split())
    x, y = maps.label_point(maps.shapes("county")[code])
    factor = width / box_w
    return picture.getpixel((round((x - min_x) * factor), round((y - min_y) * factor)))


def test_png_fills_areas_like_the_svg_and_keeps_its_proportions():
    # given Västerbotten in the fourth class and Norrbotten without data
    chart = _county_map({"24": 3.0})
    # when drawn as a picture without labels or hatching
    png = maps.choropleth_png(chart, level="county", width=400)
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    # then it is a PNG of the view box's proportions, each area in its map colour
    _, _, box_w, box_h = (float(v) for v in chart.view_box.split())
    assert picture.size == (400, round(box_h * 400 / box_w))
    assert _pixel(picture, chart, "24", 400) == Image.new("RGB", (1, 1), maps.PALETTE[3]).getpixel(
        (0, 0)
    )
    assert _pixel(picture, chart, "25", 400) == Image.new("RGB", (1, 1), maps.NO_DATA).getpixel(
        (0, 0)
    )
    assert picture.getpixel((0, 0)) == (255, 255, 255)  # outside every area


def _dark_pixels(picture: Image.Image, chart: maps.Choropleth, code: str) -> int:
    """Dark pixels in a square around an area's label point (its fill is light)."""
    grey = picture.convert("L")
    min_x, min_y, box_w, _ = (float(v) for v in chart.view_box.split())
    x, y = maps.label_point(maps.shapes("county")[code])
    factor = grey.width / box_w
    px, py = round((x - min_x) * factor), round((y - min_y) * factor)
    return sum(
        1
        for value in grey.crop((px - 15, py - 15, px + 15, py + 15)).get_flattened_data()
        if value < 120
    )


def test_labels_and_hatching_mark_areas_without_colour():
    # given two counties in the same light class
    chart = _county_map({"24": 0.0, "25": 0.0})
    plain = Image.open(io.BytesIO(maps.choropleth_png(chart, level="county", width=400)))
    # when one gets a number and the other hatching
    marked = Image.open(
        io.BytesIO(
            maps.choropleth_png(
                chart, level="county", width=400, labels={"24": "7"}, hatched=["25"]
            )
        )
    )
    # then both show dark marks where the plain map has none
    assert _dark_pixels(plain, chart, "24") == 0 and _dark_pixels(plain, chart, "25") == 0
    assert _dark_pixels(marked, chart, "24") > 10  # the number
    assert _dark_pixels(marked, chart, "25") > 20  # the hatching
