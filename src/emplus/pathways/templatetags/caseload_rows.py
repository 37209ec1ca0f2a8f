"""The rows of the caseload's two tables, each row one string (decision 58).

A caseload page shows 50 participants and up to 50 follow-ups due: some 650 cells, and in the
template engine each cell is a node (a variable looked up attribute by attribute, localised and
escaped), about 4 ms of the page's CPU. Here each row is the same markup put together by one
format string, every value escaped as `{{ }}` escapes it (a test renders both ways and compares
them, odd characters included). The words that repeat on every row are translated once a page.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()

_PERSON_ROW = (
    "\n    <tr>\n"
    '      <th scope="row"><a href="{url}">{ref}</a></th>\n'
    "      <td>{name}</td>\n"
    "      <td>{unit}</td>\n"
    "      <td>{phase}</td>\n"
    "      <td>{status}</td>\n"
    "      <td>{due}</td>\n"
    "    </tr>\n  "
)
_FOLLOWUP_ROW = (
    "\n    <tr>\n"
    '      <th scope="row"><a href="{url}">{ref}</a></th>\n'
    "      <td>{due_on}</td>\n"
    '      <td><a href="{record_url}">{record}</a></td>\n'
    "    </tr>\n  "
)


def _text(value) -> str:
    """What `{{ value }}` shows of a text: escaped (quotes too), nothing for None."""
    return "" if value is None else escape(str(value))


@register.simple_tag
def caseload_rows(people) -> SafeString:
    """The participants' rows (selectors.CaseloadRow): each carries `detail_url` and
    `phase_label` (the view sets them)."""
    active, exited = escape(gettext("Active")), escape(gettext("Exited"))
    due_yes = escape(gettext("Yes"))
    due_no = (
        f'<span class="visually-hidden">{escape(gettext("No"))}</span>'
        '<span aria-hidden="true">–</span>'
    )
    return SafeString(
        "".join(
            _PERSON_ROW.format(
                url=_text(person.detail_url),
                ref=_text(person.participant_ref),
                name=_text(person.display_name),
                unit=_text(person.unit_name),
                phase=_text(person.phase_label or "–"),
                status=active if person.is_active else exited,
                due=due_yes if person.followup_is_due else due_no,
            )
            for person in people
        )
    )


@register.simple_tag
def followup_rows(followups) -> SafeString:
    """The follow-ups' rows (selectors.FollowUpDue): each carries `detail_url` and `record_url`
    (the view sets them)."""
    record = gettext("Record the follow-up of %(ref)s")
    rows = []
    for followup in followups:
        ref = _text(followup.participant_ref)
        due_on = followup.due_on
        rows.append(
            _FOLLOWUP_ROW.format(
                url=_text(followup.detail_url),
                ref=ref,
                due_on="" if due_on is None else due_on.isoformat(),
                record_url=_text(followup.record_url),
                record=record % {"ref": ref},
            )
        )
    return SafeString("".join(rows))
