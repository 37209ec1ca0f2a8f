"""The caseload's rows put together in Python (decision 58) are the markup the template's loops
gave: the same text for the same rows, in both languages, odd characters escaped the same way."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from uuid import UUID

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from emplus.pathways.templatetags.caseload_rows import caseload_rows, followup_rows

# The loops as the template had them before decision 58, verbatim.
TEMPLATE_PEOPLE = """{% load i18n %}{% translate "Active" as active %}{% translate "Exited" as exited %}{% translate "Yes" as yes %}{% translate "No" as no %}{% for p in people %}
    <tr>
      <th scope="row"><a href="{{ p.detail_url }}">{{ p.participant_ref }}</a></th>
      <td>{{ p.display_name }}</td>
      <td>{{ p.unit.name }}</td>
      <td>{{ p.phase_label|default:"–" }}</td>
      <td>{% if p.is_active %}{{ active }}{% else %}{{ exited }}{% endif %}</td>
      <td>{% if p.followup_is_due %}{{ yes }}{% else %}<span class="visually-hidden">{{ no }}</span><span aria-hidden="true">–</span>{% endif %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501
TEMPLATE_FOLLOWUPS = """{% load i18n %}{% for f in followups_due %}
    <tr>
      <th scope="row"><a href="{{ f.detail_url }}">{{ f.participant_ref }}</a></th>
      <td>{{ f.due_on|date:"Y-m-d" }}</td>
      <td><a href="{{ f.record_url }}">{% blocktranslate with ref=f.participant_ref %}Record the follow-up of {{ ref }}{% endblocktranslate %}</a></td>
    </tr>
  {% endfor %}"""  # noqa: E501

ODD = ["Åsa Öberg", "<b>Bo</b> & 'Li' \"X\"", "", "%(ref)s %s", "{name}", "a\u00a0b – c"]


def _people():
    people = []
    for i, text in enumerate(ODD):
        key = UUID(int=i + 1)
        people.append(
            SimpleNamespace(
                pk=key,
                detail_url=reverse("pathways:detail", args=[key]),
                participant_ref=f"R-{i}{text[:3]}",
                display_name=text or f"R-{i}",
                unit=SimpleNamespace(name=f"Enhet {text}"),  # the old loop's
                unit_name=f"Enhet {text}",
                phase_label=["", "Mobilisering", text, "Matchning"][i % 4],
                is_active=bool(i % 2),
                followup_is_due=bool(i % 3 == 0),
            )
        )
    return people


def _followups():
    return [
        SimpleNamespace(
            detail_url=reverse("pathways:detail", args=[UUID(int=i + 1)]),
            record_url=reverse("pathways:followup", args=[UUID(int=i + 1), UUID(int=100 + i)]),
            due_on=date(2026 + i, 1 + i, 3 * i + 1),
            participant_ref=f"F-{text}",
        )
        for i, text in enumerate(ODD)
    ]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_rows_are_the_markup_the_template_gave(language):
    # given rows with names, references and units holding markup, quotes and placeholders
    people, followups = _people(), _followups()
    with translation.override(language):
        # when they are put together by the tags and by the template's loops
        context = Context({"people": people, "followups_due": followups})
        # then the text is the same, character for character
        assert caseload_rows(people) == Template(TEMPLATE_PEOPLE).render(context)
        assert followup_rows(followups) == Template(TEMPLATE_FOLLOWUPS).render(context)
    assert "&lt;b&gt;Bo&lt;/b&gt; &amp; &#x27;Li&#x27; &quot;X&quot;" in caseload_rows(people)


def test_no_rows_are_no_text():
    assert caseload_rows([]) == followup_rows([]) == ""
