"""The small drawing kit of the server-rendered SVG charts and maps: scales, boxes, view boxes.

Charts and maps compute their geometry in Python and the templates only place it; every chart
is shown beside a table with the same numbers (WCAG 2.1 AA).
"""

from __future__ import annotations

from collections.abc import Iterable

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
