"""The participant's monthly income as bars with the stability threshold as a line (geometry
only; the template draws it beside a table with the same numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from emplus.core import svg

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 628, 16, 188


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the month, YYYY-MM
    above: bool
    title: str


@dataclass(frozen=True)
class IncomeChart:
    view_box: str
    bars: list[Bar]
    threshold_y: float
    left: int
    right: int
    base_y: int
    top_label: str


def income_bars(
    *, months: Sequence[str], totals: Sequence[float], threshold: float
) -> IncomeChart | None:
    """Bars of monthly totals on a scale from zero to the larger of the highest month and 1.25
    times the threshold; None without months."""
    if not months:
        return None
    top = max(max(totals), threshold * 1.25)
    step = (RIGHT - LEFT) / len(months)
    bars = []
    for i, (month, total) in enumerate(zip(months, totals, strict=True)):
        y = svg.scale(total, domain=(0, top), span=(BOTTOM, TOP))
        bars.append(
            Bar(
                x=round(LEFT + i * step + step * 0.15, 1),
                y=round(y, 1),
                width=round(step * 0.7, 1),
                height=round(BOTTOM - y, 1),
                label=month,
                above=total >= threshold,
                title=f"{month}: {total:.0f}",
            )
        )
    return IncomeChart(
        view_box=svg.view_box(0, 0, WIDTH, HEIGHT),
        bars=bars,
        threshold_y=round(svg.scale(threshold, domain=(0, top), span=(BOTTOM, TOP)), 1),
        left=LEFT,
        right=RIGHT,
        base_y=BOTTOM,
        top_label=f"{top:.0f}",
    )


# --- shares by group (placements offered a job, people with stable income, completed studies) -

SHARE_WIDTH, SHARE_LABEL, SHARE_BAR_END, SHARE_ROW = 640, 220, 600, 26


@dataclass(frozen=True)
class ShareBar:
    y: float
    width: float
    text_y: float
    share_x: float
    label: str
    share: str  # "42 %", or "·" where the count is suppressed


@dataclass(frozen=True)
class ShareChart:
    view_box: str
    bars: list[ShareBar]
    left: int
    right: int
    height: int


def share_bars(items: Sequence[tuple[str, float | None]]) -> ShareChart | None:
    """Horizontal bars of shares from 0 to 100 % (a suppressed share draws no bar); None
    without items. The template draws it beside a table with the same numbers."""
    if not items:
        return None
    height = SHARE_ROW * len(items) + 8
    bars = []
    for i, (label, share) in enumerate(items):
        width = (
            0.0
            if share is None
            else round(svg.scale(share, domain=(0, 1), span=(0, SHARE_BAR_END - SHARE_LABEL)), 1)
        )
        bars.append(
            ShareBar(
                y=4 + i * SHARE_ROW,
                width=width,
                text_y=18 + i * SHARE_ROW,
                share_x=round(SHARE_LABEL + width + 6, 1),
                label=label[:32],
                share="·" if share is None else f"{share * 100:.0f} %",
            )
        )
    return ShareChart(
        view_box=svg.view_box(0, 0, SHARE_WIDTH, height),
        bars=bars,
        left=SHARE_LABEL,
        right=SHARE_BAR_END,
        height=height,
    )
