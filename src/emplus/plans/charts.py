"""A goal's chart: the straight line from baseline to target, the monthly snapshots and the
live value (geometry only; the page draws it beside a table with the same numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from emplus.core import svg

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 468, 14, 176


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str
    live: bool


@dataclass(frozen=True)
class GoalChart:
    view_box: str
    line: tuple[float, float, float, float]  # x1, y1, x2, y2 of the straight line
    points: list[Point]
    left: int
    right: int
    top: int
    base_y: int
    low_label: str
    high_label: str
    start_label: str
    end_label: str


def goal_chart(
    *,
    start: date,
    deadline: date,
    baseline: float,
    target: float,
    history: Sequence[tuple[date, float | None]],
    live: tuple[date, float | None],
) -> GoalChart:
    """Time runs from the plan's start to the later of the deadline and the live day; values
    from the smallest to the largest of baseline, target and every shown value."""
    values = [baseline, target, *(v for _, v in history if v is not None)]
    if live[1] is not None:
        values.append(live[1])
    low, high = min(values), max(values)
    if high == low:
        high = low + 1
    end = max(deadline, live[0])
    span_days = max((end - start).days, 1)

    def x(day: date) -> float:
        days = min(max((day - start).days, 0), span_days)
        return round(svg.scale(days, domain=(0, span_days), span=(LEFT, RIGHT)), 1)

    def y(value: float) -> float:
        return round(svg.scale(value, domain=(low, high), span=(BOTTOM, TOP)), 1)

    points = [
        Point(x(day), y(value), f"{day:%Y-%m}: {value:g}", False)
        for day, value in history
        if value is not None
    ]
    if live[1] is not None:
        points.append(Point(x(live[0]), y(live[1]), f"{live[0]:%Y-%m-%d}: {live[1]:g}", True))
    return GoalChart(
        view_box=svg.view_box(0, 0, WIDTH, HEIGHT),
        line=(x(start), y(baseline), x(deadline), y(target)),
        points=points,
        left=LEFT,
        right=RIGHT,
        top=TOP,
        base_y=BOTTOM,
        low_label=f"{low:g}",
        high_label=f"{high:g}",
        start_label=start.isoformat(),
        end_label=end.isoformat(),
    )
