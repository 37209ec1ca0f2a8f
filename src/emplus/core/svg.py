"""The small drawing kit of the server-rendered SVG charts and maps: scales, boxes, view boxes.

Charts and maps compute their geometry in Python and the templates only place it; every chart
is shown beside a table with the same numbers (WCAG 2.1 AA).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

# min x, min y, max x, max y
Box = tuple[float, float, float, float]


def scale(value: float, *, domain: tuple[float, float], span: tuple[float, float]) -> float:
    """Map `value` linearly from `domain` (data units) onto `span` (drawing units)."""
    d0, d1 = domain
    r0, r1 = span
    return r0 + (value - d0) * (r1 - r0) / (d1 - d0)


def union(boxes: Iterable[Box]) -> Box:
    """The smallest box that holds all `boxes`."""
    boxes = list(boxes)
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.1f}"


def view_box(x: float, y: float, width: float, height: float) -> str:
    """An SVG viewBox attribute; whole numbers as they are, others to one decimal."""
    return " ".join(_number(v) for v in (x, y, width, height))


def padded_view_box(box: Box, *, pad_fraction: float) -> str:
    """A view box around `box` with a margin of `pad_fraction` of its longer side."""
    min_x, min_y, max_x, max_y = box
    pad = pad_fraction * max(max_x - min_x, max_y - min_y)
    return view_box(min_x - pad, min_y - pad, max_x - min_x + 2 * pad, max_y - min_y + 2 * pad)


_TICK = (
    '<line x1="{x}" x2="{x}" y1="{tick_top}" y2="{tick_bottom}" stroke="#c9d0d9" '
    'stroke-width="1"></line><text x="{x}" y="{axis_y}" text-anchor="middle" font-size="12" '
    'fill="#4a5360">{label}</text>'
)
_DOT_ROW = (
    '\n      <g class="row-{verdict}"><title>{title}</title>\n'
    '        <text x="{left}" y="{label_y}" font-size="13" fill="#1b1f24">{label}{mark}</text>\n'
    '        <line x1="{x_first}" x2="{x_latest}" y1="{y}" y2="{y}" stroke="#14406b" '
    'stroke-width="3"></line>\n'
    '        <circle cx="{x_first}" cy="{y}" r="6" fill="#ffffff" stroke="#14406b" '
    'stroke-width="2"></circle>\n'
    '        <circle cx="{x_latest}" cy="{y}" r="6" fill="#14406b"></circle>\n'
    "      </g>\n      "
)


def dot_plot_marks(
    chart: Any,
    *,
    marks: Mapping[str, str],
    number: Callable[[float], str],
    text: Callable[[Any], str],
) -> str:
    """The ticks and rows of a first-vs-latest dot plot (pathways.charts.DotPlot) as one string,
    for the `<svg>` a template opens (decision 64: a template node per value cost more than the
    rest of the page). `number` writes a coordinate and `text` escapes a text as the template
    would; `marks` adds a sign after a row's label by its verdict."""
    ticks = "".join(
        _TICK.format(
            x=number(tick.x),
            tick_top=number(chart.axis_y + 4),
            tick_bottom=number(chart.height - 4),
            axis_y=number(chart.axis_y),
            label=text(tick.label),
        )
        for tick in chart.ticks
    )
    left = number(chart.left)
    rows = "".join(
        _DOT_ROW.format(
            verdict=text(row.verdict),
            title=text(row.title),
            left=left,
            label_y=number(row.label_y),
            label=text(row.label),
            mark=marks.get(row.verdict, ""),
            x_first=number(row.x_first),
            x_latest=number(row.x_latest),
            y=number(row.y),
        )
        for row in chart.rows
    )
    return f"{ticks}\n      {rows}"
