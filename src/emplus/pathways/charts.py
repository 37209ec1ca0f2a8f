"""Server-rendered SVG charts of distance travelled (no JavaScript, no chart library).

A dot plot: one row per dimension on the instrument's scale, a hollow dot for the first
assessment and a filled dot for the latest, joined by a line. Every chart is drawn beside a
table with the same numbers; the chart is for seeing the pattern, the table for reading it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from emplus.core import svg
from emplus.evidence_core.reliable_change import DimensionChange

WIDTH = 640
LEFT, RIGHT = 24, 616
TOP = 28
ROW = 46


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    label_y: float
    y: float
    x_first: float
    x_latest: float
    verdict: str
    title: str


@dataclass(frozen=True)
class DotPlot:
    view_box: str
    width: int
    height: int
    axis_y: float
    left: int
    right: int
    ticks: list[Tick]
    rows: list[ChartRow]


def x_of(value: float, scale_min: int, scale_max: int) -> float:
    return svg.scale(value, domain=(scale_min, scale_max), span=(LEFT, RIGHT))


def dot_plot(
    *, rows: Sequence[DimensionChange], scale_min: int, scale_max: int, title_format=None
) -> DotPlot | None:
    """Lay out a first-vs-latest dot plot; None when no row has both values."""
    drawable = [r for r in rows if r.first is not None and r.latest is not None]
    if not drawable:
        return None
    title_format = title_format or (lambda r: f"{r.label}: {r.first} → {r.latest}")
    chart_rows = []
    for index, row in enumerate(drawable):
        top = TOP + index * ROW
        chart_rows.append(
            ChartRow(
                label=row.label,
                label_y=top + 14,
                y=top + 30,
                x_first=round(x_of(row.first, scale_min, scale_max), 1),
                x_latest=round(x_of(row.latest, scale_min, scale_max), 1),
                verdict=row.verdict,
                title=title_format(row),
            )
        )
    height = TOP + len(drawable) * ROW + 8
    ticks = [
        Tick(round(x_of(v, scale_min, scale_max), 1), str(v))
        for v in range(scale_min, scale_max + 1)
    ]
    return DotPlot(
        view_box=svg.view_box(0, 0, WIDTH, height),
        width=WIDTH,
        height=height,
        axis_y=TOP - 12,
        left=LEFT,
        right=RIGHT,
        ticks=ticks,
        rows=chart_rows,
    )
