"""The participant page's repeated markup, each row one string (decision 64, as decision 58 did
for the caseload): the distance-travelled chart's marks, its table's rows and the enrolments'
timelines. In the template engine every value of these loops is a node (looked up attribute by
attribute, localised, escaped), some 250 a page; here one format string a row gives the same
text, every value escaped as `{{ }}` escapes it (a test renders both ways and compares them).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString

from emplus.core import svg

if TYPE_CHECKING:
    from emplus.pathways.charts import DotPlot
    from emplus.pathways.selectors import TimelineItem

register = template.Library()

_MARKS = {"improved": " ▲", "deteriorated": " ▼"}
_TABLE_ROW = (
    '\n      <tr><th scope="row">{label}</th><td class="num">{first}</td>'
    '<td class="num">{latest}</td>\n'
    '        <td class="num">{change}</td>\n'
    '        <td class="num">{rci}</td><td>{verdict}</td></tr>\n    '
)
_TIMELINE_ENTRY = (
    '\n      <li class="kind-{kind}"><time datetime="{on}">{on}</time> '
    "<strong>{title}</strong>{text}</li>\n    "
)


def _text(value) -> str:
    """What `{{ value }}` shows of a text: escaped (quotes too), nothing for None."""
    return "" if value is None else escape(str(value))


def _number(value) -> str:
    """What `{{ value }}` shows of a number in `{% localize off %}` (SVG coordinates)."""
    return number_format(value, use_l10n=False)


@register.simple_tag
def chart_marks(chart: DotPlot) -> SafeString:
    """The chart's ticks and then its rows (drawn by core.svg), inside the chart element."""
    return SafeString(svg.dot_plot_marks(chart, marks=_MARKS, number=_number, text=_text))


def _signed(change: int | None) -> str:
    if change is None:
        return "–"
    return f"+{change}" if change > 0 else str(change)


@register.simple_tag
def progress_table_rows(rows: Iterable[dict]) -> SafeString:
    """The rows of the distance-travelled table (`selectors.participant_progress_summary`)."""
    return SafeString(
        "".join(
            _TABLE_ROW.format(
                label=_text(row["label"]),
                first="–" if row["first"] is None else _text(row["first"]),
                latest="–" if row["latest"] is None else _text(row["latest"]),
                change=_signed(row["change"]),
                rci=_text(row["rci"] or "–"),
                verdict=_text(row["verdict_label"]),
            )
            for row in rows
        )
    )


@register.simple_tag
def timeline_entries(entries: Iterable[TimelineItem]) -> SafeString:
    """The entries of one enrolment's timeline (`selectors.enrolment_timeline`)."""
    return SafeString(
        "".join(
            _TIMELINE_ENTRY.format(
                kind=_text(entry.kind),
                on=entry.on.isoformat(),
                title=_text(entry.title),
                text=f" – {_text(entry.text)}" if entry.text else "",
            )
            for entry in entries
        )
    )
