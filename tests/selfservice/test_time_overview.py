"""The unit's list of attested time pages in the database: a page builds the rows of its own
participants only, the counts come from the database, and a page costs the same queries with
5 participants as with 40."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emplus.core.models import AuditEvent
from emplus.pathways import services as pathway_services
from emplus.selfservice import selectors, services
from emplus.selfservice.choices import TimeStatus
from emplus.selfservice.views import time as time_views
from tests.selfservice.conftest import ENTRY, MARCH, enrol


def _enrol_without_steps(actor, unit, ref):
    participant = pathway_services.participant_register(
        actor=actor, organisation=unit.organisation, unit=unit, participant_ref=ref
    ).participant
    pathway_services.enrolment_start(actor=actor, participant=participant, entry_date=ENTRY)
    return participant


def _paper(actor, participant):
    services.time_attestation_record_paper(
        actor=actor, participant=participant, month=MARCH, paper_date=date(2025, 4, 3)
    )


@pytest.fixture
def every_status(coach, unit_a1):
    """One participant of unit A1 in each state a month can be in."""
    attested = enrol(coach, unit_a1, ref="T-attested")
    _paper(coach, attested)
    changed = enrol(coach, unit_a1, ref="T-changed")
    _paper(coach, changed)
    services.monthly_time_set_hours(actor=coach, participant=changed, month=MARCH, hours="12.5")
    zeroed = enrol(coach, unit_a1, ref="T-zeroed")
    _paper(coach, zeroed)
    services.monthly_time_set_hours(actor=coach, participant=zeroed, month=MARCH, hours="0")
    stored = enrol(coach, unit_a1, ref="T-stored")
    services.monthly_time_ensure(actor=coach, participant=stored, month=MARCH)
    enrol(coach, unit_a1, ref="T-derived")  # no row: 31 hours from the steps
    _enrol_without_steps(coach, unit_a1, "T-no-steps")
    return unit_a1


def test_the_counts_are_those_of_the_rows(coach, every_status):
    # given the participants of every state
    participants = selectors.time_participants(viewer=coach, unit=every_status, month=MARCH)
    # when the counts are read from the database, and the rows are built in full
    summary = selectors.time_summary(participants=participants, month=MARCH)
    rows = selectors.time_rows(participants=list(participants), month=MARCH)
    # then they agree, and say what each participant's month is
    assert summary == selectors.time_summary_of_rows(rows)
    assert {row.participant.participant_ref: row.status for row in rows} == {
        "T-attested": TimeStatus.ATTESTED,
        "T-changed": TimeStatus.CHANGED,
        "T-zeroed": TimeStatus.NO_HOURS,
        "T-stored": TimeStatus.MISSING,
        "T-derived": TimeStatus.MISSING,
        "T-no-steps": TimeStatus.NO_HOURS,
    }
    assert (summary.participants, summary.attested, summary.missing) == (6, 1, 2)
    assert (summary.changed, summary.without_hours) == (1, 2)
    assert summary.attested_hours == Decimal("31.0")
    assert summary.total_hours == Decimal("31.0") * 3 + Decimal("12.5")


def test_an_empty_month_counts_nothing(coach, unit_a1):
    participants = selectors.time_participants(viewer=coach, unit=unit_a1, month=MARCH)
    summary = selectors.time_summary(participants=participants, month=MARCH)
    assert summary == selectors.time_summary_of_rows([])
    assert summary.total_hours == Decimal("0.0")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_a_page_costs_the_same_queries_with_5_participants_as_with_40(
    client, coach, unit_a1, monkeypatch
):
    monkeypatch.setattr(time_views, "PAGE_SIZE", 3)
    # (an attested month on the first and on the last page: its attestation is read too)
    _paper(coach, enrol(coach, unit_a1, ref="Q00"))
    for number in range(1, 5):
        enrol(coach, unit_a1, ref=f"Q{number:02d}")
    client.force_login(coach)
    url = reverse("selfservice:time_overview") + f"?unit={unit_a1.pk}&month=2025-03"
    _queries(client, url)  # warm: the session and the memberships
    few = _queries(client, url)
    for number in range(5, 40):
        enrol(coach, unit_a1, ref=f"Q{number:02d}")
    _paper(coach, enrol(coach, unit_a1, ref="Q99"))
    built = []
    rows_of = selectors._rows
    monkeypatch.setattr(
        selectors,
        "_rows",
        lambda people, *args: built.append(len(people)) or rows_of(people, *args),
    )
    many, deep = _queries(client, url), _queries(client, url + "&page=14")
    assert few == many == deep
    # and only the rows of a page were built, not the 41 of the list
    assert built == [3, 2]
    # and the page shows its own rows, the counts are the whole list's, one audit event
    before = AuditEvent.objects.count()
    response = client.get(url + "&page=2")
    refs = [row.participant.participant_ref for row in response.context["rows"]]
    assert refs == ["Q03", "Q04", "Q05"]
    summary = response.context["summary"]
    assert (summary.participants, summary.attested, summary.missing) == (41, 2, 39)
    event = AuditEvent.objects.order_by("occurred_at", "lane", "sequence")[before:].get()
    assert event.details["participants"] == [
        str(row.participant.pk) for row in response.context["rows"]
    ]


def test_the_pages_walk_every_participant_once(client, coach, every_status, monkeypatch):
    monkeypatch.setattr(time_views, "PAGE_SIZE", 4)
    client.force_login(coach)
    url = reverse("selfservice:time_overview") + f"?unit={every_status.pk}&month=2025-03"
    walked = [
        row.participant.participant_ref
        for page in (1, 2)
        for row in client.get(f"{url}&page={page}").context["rows"]
    ]
    assert walked == sorted(walked) and len(set(walked)) == 6
    # a page past the last shows the last, as before
    assert client.get(f"{url}&page=9").context["page"].number == 2
