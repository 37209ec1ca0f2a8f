"""A caseload search's count and first page from one walk (decision 69): the same matches,
count, pages and order as the list itself, on both databases, for names matching none, a few,
exactly the bound, one more and several times it; never another organisation's participants;
a bounded number of queries."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from tests.factories import ParticipantFactory

from emplus.pathways import selectors
from emplus.pathways.models import Participant
from emplus.pathways.name_index import name_index_write
from emplus.pathways.views import caseload as caseload_views

pytestmark = pytest.mark.django_db


def _many(unit, family_name: str, count: int, prefix: str) -> None:
    """`count` participants named `family_name` in `unit`, written in bulk (a thousand
    registrations one by one would take minutes): copies of one registered participant, each
    with its own key, reference and name index rows."""
    if count == 0:
        return
    first = ParticipantFactory(unit=unit, family_name=family_name, participant_ref=f"{prefix}-0")
    copies = []
    for n in range(1, count):
        copy = Participant.objects.get(pk=first.pk)
        copy.pk = uuid.uuid4()
        copy.participant_ref = f"{prefix}-{n}"
        copy.personal_id = ""
        copy.pseudonym = None
        copies.append(copy)
    Participant.objects.bulk_create(copies, batch_size=500)
    name_index_write(participants=copies, new=True)


def _expected(viewer, term: str) -> list[uuid.UUID]:
    """Every match the long way: the list itself, walked to its end in its order."""
    people = selectors.participant_list(
        viewer=viewer, filters=selectors.CaseloadFilters(q=term), audit_shown=False
    )
    return [p.pk for p in people]


def _post(client, user, term: str):
    client.force_login(user)
    response = client.post(reverse("pathways:caseload"), {"q": term})
    assert response.status_code == 200
    return response


def _assert_search(client, user, term: str, expected: list[uuid.UUID], bound: int, per_page: int):
    """The POST's count, "more than" and first page, and each further page by its link, are
    those of the list walked to its end."""
    response = _post(client, user, term)
    page = response.context["page"]
    assert page.paginator.count == min(len(expected), bound)
    assert response.context["search_more"] is (len(expected) > bound)
    listed = expected[:bound]
    shown = [person.pk for person in response.context["people"]]
    assert shown == listed[:per_page]
    # the other pages, by number through the search's token
    url = reverse("pathways:caseload")
    for number in range(2, page.paginator.num_pages + 1):
        token = re.search(r"\?search=([^\"&]+)", response.content.decode())
        assert token is not None
        later = client.get(url, {"search": html.unescape(token[1]), "page": number})
        assert later.context["page"].number == number
        assert later.context["page"].paginator.count == min(len(expected), bound)
        assert [p.pk for p in later.context["people"]] == listed[
            (number - 1) * per_page : number * per_page
        ]


@pytest.mark.parametrize("matching", [0, 2, 6, 7, 20])
def test_a_search_shows_the_count_and_pages_of_the_list_itself(
    client, monkeypatch, coordinator, coach, unit_a1, unit_a2, unit_b1, matching
):
    # given a bound of 6 and pages of 4: none, a few, exactly the bound, one more and several
    # times the bound match, in two units of A, with references in no particular order
    monkeypatch.setattr(caseload_views, "SEARCH_COUNTED", 6)
    monkeypatch.setattr(caseload_views, "PER_PAGE", 4)
    for n in range(matching):
        ref = f"S-{(n * 7) % 23:02d}-{n}"
        ParticipantFactory(
            unit=unit_a1 if n % 3 else unit_a2, family_name="Ekbacka", participant_ref=ref
        )
    # and others of the same name in organisation B, and others of A by another name
    for n in range(3):
        ParticipantFactory(unit=unit_b1, family_name="Ekbacka", participant_ref=f"S-00-b{n}")
    ParticipantFactory(unit=unit_a1, family_name="Ekholm", participant_ref="S-00-x")
    # then the coordinator's and the coach's searches list what the list itself holds
    for user in (coordinator, coach):
        expected = _expected(user, "ekbacka")
        assert len(expected) == (
            matching if user is coordinator else sum(n % 3 != 0 for n in range(matching))
        )
        _assert_search(client, user, "ekbacka", expected, bound=6, per_page=4)


def test_a_page_beyond_the_matches_or_not_a_number_shows_what_the_paginator_says(
    client, monkeypatch, coordinator, unit_a1
):
    monkeypatch.setattr(caseload_views, "PER_PAGE", 2)
    for n in range(5):
        ParticipantFactory(unit=unit_a1, given_name="Maja", participant_ref=f"M-{n}")
    expected = _expected(coordinator, "maja")
    response = _post(client, coordinator, "maja")
    token = html.unescape(re.search(r"\?search=([^\"&]+)", response.content.decode())[1])
    url = reverse("pathways:caseload")
    for asked, number in [("99", 3), ("0", 3), ("-1", 3), ("x", 1), ("2", 2), ("", 1)]:
        shown = client.get(url, {"search": token, "page": asked}).context
        page = shown["page"]
        assert page.number == number, asked
        assert page.paginator.count == 5
        assert [p.pk for p in shown["people"]] == expected[(number - 1) * 2 : number * 2]


@pytest.mark.parametrize(("matching", "more"), [(1000, False), (1001, True)])
def test_a_search_of_exactly_the_bound_and_one_more(
    client, coordinator, unit_a1, unit_b1, matching, more
):
    # given 1 000 or 1 001 Hagmarks in A (the bound of the page is 1 000), and 5 in B
    _many(unit_a1, "Hagmark", matching, "H")
    _many(unit_b1, "Hagmark", 5, "HB")
    expected = _expected(coordinator, "hagmark")
    assert len(expected) == matching
    response = _post(client, coordinator, "hagmark")
    assert response.context["page"].paginator.count == 1000
    assert response.context["search_more"] is more
    assert [p.pk for p in response.context["people"]] == expected[:50]


def test_another_organisations_participants_never_match(client, coordinator, unit_a1, unit_b1):
    ParticipantFactory(unit=unit_b1, given_name="Leila", family_name="Stenberg")
    response = _post(client, coordinator, "leila stenb")
    assert response.context["page"].paginator.count == 0
    assert list(response.context["people"]) == []
    mine = ParticipantFactory(unit=unit_a1, given_name="Leila", family_name="Stenbäck")
    response = _post(client, coordinator, "leila stenb")
    assert [p.pk for p in response.context["people"]] == [mine.pk]


def test_a_search_post_keeps_to_its_query_budget(
    client, coordinator, coach, unit_a1, django_assert_max_num_queries
):
    for n in range(60):
        ParticipantFactory(unit=unit_a1, family_name="Karlsson", participant_ref=f"K-{n:02d}")
    for user in (coordinator, coach):
        client.force_login(user)
        client.post(reverse("pathways:caseload"), {"q": "karl"})  # warm: the first request's reads
        # the session, the user, the sharing check, the count with the page's keys, the page's
        # rows, the follow-ups due (and on PostgreSQL the version they are kept under), the
        # audit event and the registration button: no walk of the keys where the count found
        # every match
        with django_assert_max_num_queries(12 if connection.vendor == "postgresql" else 11):
            response = client.post(reverse("pathways:caseload"), {"q": "karl"})
        assert response.context["page"].paginator.count == 60
