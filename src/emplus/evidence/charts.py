"""Server-rendered SVG chart of an effect estimate: covariate balance before and after.

Bars of |SMD| per covariate on one scale, with the customary 0.1 threshold line; the page
shows the balance table beside it.
"""

from __future__ import annotations

from emplus.core import svg


def _bar(smd: float, top: float, plot_w: int) -> float:
    return svg.scale(abs(smd), domain=(0, top), span=(0, plot_w))


def balance_chart(balance: list[dict]) -> dict:
    """Geometry of the server-rendered SVG balance chart: |SMD| before and after per covariate
    on a common scale, with the customary 0.1 threshold line."""
    values = [abs(v) for b in balance for v in (b["smd_before"], b["smd_after"]) if v is not None]
    top = max([0.25, *values])
    label_w, plot_w, row_h = 220, 360, 28
    rows = []
    for i, b in enumerate(balance):
        y = 30 + i * row_h
        before = None if b["smd_before"] is None else _bar(b["smd_before"], top, plot_w)
        after = None if b["smd_after"] is None else _bar(b["smd_after"], top, plot_w)
        rows.append(
            {
                "label": b["covariate"],
                "y": y,
                "text_y": y + 14,
                "before_w": before,
                "after_w": after,
                "after_y": y + 11,
            }
        )
    return {
        "rows": rows,
        "label_w": label_w,
        "width": label_w + plot_w + 20,
        "height": 40 + len(balance) * row_h,
        "threshold_x": label_w + _bar(0.1, top, plot_w),
        "axis_end": label_w + plot_w,
        "top": top,
    }
