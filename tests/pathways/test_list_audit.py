"""A list request (page, API list, export) is ONE audit event naming the rows it showed; a read
of one record stays one event of its own (issue 8, item 12)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIClient

from emplus.core.models import AuditEvent
from emplus.pathways import services

pytestmark = pytest.mark.django_db


def _people(actor, org, unit, n, start=0):
    people = []
    for i in range(start, start + n):
        participant = services.participant_enrol(
            actor=actor,
            unit=unit,
            participant_ref=f"L-{i:03}",
            entry_date=date(2025, 1, 10),
            consent=services.ConsentTerms(
                information_version="1",
                given_on=date(2025, 1, 10),
                purposes=frozenset({"case_work", "statistics"}),
            ),
        ).participant
        people.append(participant)
    return people


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _list(client, url):
    """(response, new audit events, queries) of one GET."""
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return response, list(AuditEvent.objects.order_by("sequence")[before:]), len(queries)


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("/api/participants/", "participant.listed_api"),
        ("/api/enrolments/", "participant.listed_api"),
    ],
)
def test_an_api_list_is_one_event_naming_its_page_whatever_its_length(
    coach, org_a, unit_a1, url, action
):
    # given three participants
    people = _people(coach, org_a, unit_a1, 3)
    client = api(coach)
    client.get(url)  # warm: the memberships are read once per user object
    # when the list is read
    _, events, few_queries = _list(client, url)
    # then one event names all three
    assert [e.action for e in events] == [action]
    assert sorted(events[0].details["participants"]) == sorted(str(p.pk) for p in people)
    # and with twelve participants it is still one event and no more queries
    people += _people(coach, org_a, unit_a1, 9, start=3)
    _, events, many_queries = _list(client, url)
    assert len(events) == 1 and len(events[0].details["participants"]) == 12
    assert many_queries == few_queries


def test_an_api_list_names_only_the_page_it_returned(coach, org_a, unit_a1, monkeypatch):
    people = _people(coach, org_a, unit_a1, 5)
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    response, events, _ = _list(api(coach), "/api/participants/?page=2")
    shown = [row["id"] for row in response.json()["results"]]
    assert len(shown) == 2 and len(events) == 1
    assert events[0].details["participants"] == shown
    assert set(shown) <= {str(p.pk) for p in people}


def test_a_record_read_is_one_event_of_its_own(coach, org_a, unit_a1):
    person = _people(coach, org_a, unit_a1, 1)[0]
    enrolment = person.enrolments.get()
    client = api(coach)
    for url in (f"/api/participants/{person.pk}/", f"/api/enrolments/{enrolment.pk}/"):
        _, events, _ = _list(client, url)
        assert [(e.action, e.target_id) for e in events] == [("participant.viewed", str(person.pk))]


def test_the_caseload_page_is_one_event(client, coach, org_a, unit_a1):
    people = _people(coach, org_a, unit_a1, 4)
    client.force_login(coach)
    _, events, _ = _list(client, reverse("pathways:caseload"))
    listed = [e for e in events if e.action == "participant.listed"]
    assert len(listed) == 1 and len(events) == 1
    assert sorted(listed[0].details["participants"]) == sorted(str(p.pk) for p in people)


def test_the_export_is_one_event_naming_every_row(client, coordinator, org_a, unit_a1, unit_a2):
    people = _people(coordinator, org_a, unit_a1, 3) + _people(
        coordinator, org_a, unit_a2, 2, start=3
    )
    client.force_login(coordinator)
    _, events, _ = _list(client, reverse("pathways:export") + "?format=csv")
    assert [e.action for e in events] == ["participant.exported"]
    assert sorted(events[0].details["participants"]) == sorted(str(p.pk) for p in people)
    assert events[0].details["rows"] == 5


def test_the_pseudonymised_list_is_one_event_naming_its_page(coach, analyst, org_a, unit_a1):
    people = _people(coach, org_a, unit_a1, 3)
    response, events, _ = _list(api(analyst), "/api/pseudonymised/participants/")
    assert len(response.json()["results"]) == 3
    assert [e.action for e in events] == ["participant.pseudonymised_listed"]
    assert sorted(events[0].details["participants"]) == sorted(str(p.pk) for p in people)
    # the record ids stay in the log, never in the analyst's response
    assert not any(str(p.pk) in response.content.decode() for p in people)


def test_the_caseload_event_names_the_follow_ups_due_shown_beside_a_search(
    client, coach, org_a, unit_a1
):
    # given a participant whose follow-up is due, and another one
    due, other = _people(coach, org_a, unit_a1, 2)
    services.consent_record(
        actor=coach,
        participant=due,
        information_version="1",
        given_on=date(2025, 1, 10),
        case_work=True,
        follow_up=True,
    )
    services.enrolment_exit(
        actor=coach, enrolment=due.enrolments.get(), exit_date=date(2025, 2, 1), reason="job"
    )
    client.force_login(coach)
    # when the coach searches for the other one
    response = client.post(reverse("pathways:caseload"), {"q": other.participant_ref}, follow=True)
    # then the page shows the due follow-up too, and the one event names both
    assert response.status_code == 200
    assert [f.participant_id for f in response.context["followups_due"]] == [due.pk]
    events = list(AuditEvent.objects.filter(action="participant.listed"))
    assert len(events) == 1
    assert set(events[0].details["participants"]) == {str(due.pk), str(other.pk)}


def test_the_caseload_is_paged_and_its_event_names_the_page_shown(client, coach, org_a, unit_a1):
    # given more participants than one page holds
    people = _people(coach, org_a, unit_a1, 55)
    client.force_login(coach)
    url = reverse("pathways:caseload")
    # when the first and the second page are read
    first, first_events, first_queries = _list(client, url)
    second, second_events, _ = _list(client, url + "?page=2")
    # then the first shows 50 by reference, the second the other 5, and both say 55
    by_ref = sorted(people, key=lambda p: p.participant_ref)
    first_html, second_html = first.content.decode(), second.content.decode()
    assert [p.participant_ref in first_html for p in by_ref] == [True] * 50 + [False] * 5
    assert [p.participant_ref in second_html for p in by_ref] == [False] * 50 + [True] * 5
    assert "55 deltagare" in first_html and "Sida 1 av 2" in first_html
    assert "?page=2" in first_html and "?page=1" in second_html
    # and each page's one event names exactly its rows
    assert sorted(first_events[0].details["participants"]) == sorted(str(p.pk) for p in by_ref[:50])
    assert sorted(second_events[0].details["participants"]) == sorted(
        str(p.pk) for p in by_ref[50:]
    )
    # and a caseload four times as large reads the page with the same number of queries
    _people(coach, org_a, unit_a1, 165, start=55)
    _, _, larger_queries = _list(client, url)
    assert larger_queries == first_queries


def test_a_caseload_page_out_of_range_shows_the_last_page(client, coach, org_a, unit_a1):
    people = _people(coach, org_a, unit_a1, 52)
    client.force_login(coach)
    response, events, _ = _list(client, reverse("pathways:caseload") + "?page=99")
    assert "Sida 2 av 2" in response.content.decode()
    assert len(events[0].details["participants"]) == 2
    assert len(people) == 52
