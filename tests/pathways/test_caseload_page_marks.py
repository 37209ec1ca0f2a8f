"""Deep caseload pages walked from kept marks (decision 77): the reference and key of every
PAGE_MARK_STEP-th participant of a scope, read once per version of the caseloads' order that
the database keeps (CaseloadOrderVersion). Every page is the page of the list walked to its end,
for coordinators and coaches, after inserts, deletes, reference and unit changes and erasure;
never another organisation's or unit's participant; a participant shared by consent appears
and disappears with the consent. In committed transactions (the page's own autocommit, as in
production): PostgreSQL keeps the version and the marks; SQLite keeps neither and walks its
pages as before, and the same assertions hold there."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIClient
from tests.factories import ConsentFactory, ParticipantFactory

from emplus.core.pagination import KeysFirstPaginator, PageMarks
from emplus.pathways import rights, selectors, services
from emplus.pathways.models import Participant
from emplus.pathways.views import caseload as caseload_view

pytestmark = pytest.mark.django_db(transaction=True)

KEEPS_MARKS = connection.vendor == "postgresql"
PER_PAGE = 2
STEP = 3


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    """Pages of two and a mark every three participants, so that ten make deep pages."""
    monkeypatch.setattr(caseload_view, "PER_PAGE", PER_PAGE)
    monkeypatch.setattr(selectors, "PAGE_MARK_STEP", STEP)
    monkeypatch.setattr(selectors, "_page_marks", {})


@pytest.fixture
def caseload(coordinator, unit_a1, unit_a2, unit_b1):
    """Eleven participants of A in two units, registered out of reference order, and two of B
    whose references sort among them."""
    refs = [f"M-{n:02d}" for n in (7, 3, 10, 1, 9, 5, 11, 2, 8, 6, 4)]
    people = [
        ParticipantFactory(actor=coordinator, unit=unit_a1 if n % 3 else unit_a2, participant_ref=r)
        for n, r in enumerate(refs)
    ]
    for ref in ("M-015", "M-085"):
        ParticipantFactory(unit=unit_b1, participant_ref=ref)
    return people


def _expected(viewer) -> list[str]:
    """The viewer's caseload walked to its end, in its order (read as a new request would: the
    memberships and the sharing look-up are kept on the user object)."""
    fresh = type(viewer).objects.get(pk=viewer.pk)
    people = selectors.participant_list(
        viewer=fresh, filters=selectors.CaseloadFilters(), audit_shown=False
    )
    return [p.participant_ref for p in people]


def _pages(client, viewer) -> tuple[list[list[str]], list[str]]:
    """Every page of the viewer's caseload by its link, and the SQL of the reads."""
    client.force_login(viewer)
    url = reverse("pathways:caseload")
    pages, statements = [], []
    number = 1
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page": number})
        assert response.status_code == 200
        statements += [q["sql"] for q in queries]
        page = response.context["page"]
        assert page.number == number
        pages.append([p.participant_ref for p in response.context["people"]])
        if not page.has_next():
            return pages, statements
        number += 1


def _assert_pages(client, viewer) -> list[str]:
    expected = _expected(viewer)
    pages, statements = _pages(client, viewer)
    assert pages == [expected[n : n + PER_PAGE] for n in range(0, len(expected), PER_PAGE)]
    return statements


def _from_mark(statements: list[str]) -> bool:
    """Whether a page's keys were walked from a mark (the row comparison of decision 77)."""
    return any('"participant_ref", V0."id") >= (' in sql for sql in statements)


def test_every_page_is_the_page_of_the_list_for_each_viewer(
    client, caseload, coordinator, coach, other_unit_coach, other_org_coordinator
):
    # then each viewer's pages are those of their list, walked to its end
    for viewer in (coordinator, coach, other_unit_coach, other_org_coordinator):
        _assert_pages(client, viewer)
    # and the coordinator's deep pages start at a mark where the database keeps them
    statements = _assert_pages(client, coordinator)
    assert _from_mark(statements) is KEEPS_MARKS
    # and never list another organisation's or unit's participant
    assert "M-015" not in _expected(coordinator)
    assert set(_expected(coach)).isdisjoint(_expected(other_unit_coach))


def test_the_marks_are_read_once_until_the_order_changes(client, caseload, coordinator):
    client.force_login(coordinator)
    url = reverse("pathways:caseload")

    def marks_read(page: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"page": page}).status_code == 200
        return sum("row_number()" in q["sql"] for q in queries)

    # the first deep page reads the marks, the next deep pages and the first page do not
    assert marks_read(4) == (1 if KEEPS_MARKS else 0)
    assert marks_read(5) == 0
    assert marks_read(1) == 0
    # a change of a name moves nobody: the marks stay
    services.participant_update(actor=coordinator, participant=caseload[0], given_name="Nova")
    assert marks_read(4) == 0
    # a new participant moves the order: read again, once
    ParticipantFactory(actor=coordinator, unit=caseload[0].unit, participant_ref="M-00")
    assert marks_read(4) == (1 if KEEPS_MARKS else 0)
    assert marks_read(3) == 0
    _assert_pages(client, coordinator)


def test_the_pages_follow_every_change_of_the_order(client, caseload, coordinator, coach, unit_a2):
    _assert_pages(client, coordinator)
    _assert_pages(client, coach)
    # a participant whose reference sorts first
    ParticipantFactory(actor=coordinator, unit=caseload[0].unit, participant_ref="M-00")
    _assert_pages(client, coordinator)
    # a reference changed (any write, however made: the database keeps the version)
    Participant.objects.filter(participant_ref="M-09").update(participant_ref="M-005")
    _assert_pages(client, coordinator)
    # a participant moved to the other unit: the coach's list loses them
    moved = Participant.objects.get(participant_ref="M-04")
    assert moved.unit_id != unit_a2.pk
    Participant.objects.filter(pk=moved.pk).update(unit=unit_a2)
    assert "M-04" not in _expected(coach)
    _assert_pages(client, coach)
    _assert_pages(client, coordinator)
    # an erased participant leaves the lists
    rights.participant_erase(actor=coordinator, participant=caseload[3])
    assert "M-01" not in _expected(coordinator)
    _assert_pages(client, coordinator)
    # a deleted one too
    Participant.objects.filter(participant_ref="M-02").delete()
    statements = _assert_pages(client, coordinator)
    _assert_pages(client, coach)
    assert _from_mark(statements) is KEEPS_MARKS


def test_a_participant_shared_by_consent_appears_and_disappears_with_it(
    client, caseload, coordinator, org_b, other_org_coordinator, unit_a1
):
    # given B's coordinator, whose list holds B's two participants
    assert _expected(other_org_coordinator) == ["M-015", "M-085"]
    _assert_pages(client, other_org_coordinator)
    # when a participant of A is shared with B by consent
    person = Participant.objects.get(participant_ref="M-05")
    consent = ConsentFactory(
        participant=person, actor=coordinator, sharing=True, shared_with=[org_b]
    )
    # then B's pages hold them, and A's coordinator's pages are unchanged
    assert _expected(other_org_coordinator) == ["M-015", "M-05", "M-085"]
    _assert_pages(client, other_org_coordinator)
    _assert_pages(client, coordinator)
    # and when the consent is withdrawn, B's pages no longer do
    services.consent_withdraw(actor=coordinator, consent=consent)
    assert _expected(other_org_coordinator) == ["M-015", "M-085"]
    _assert_pages(client, other_org_coordinator)


def test_the_api_pages_are_the_caseload_pages(client, caseload, coordinator, monkeypatch):
    monkeypatch.setattr(PageNumberPagination, "page_size", PER_PAGE)
    expected = _expected(coordinator)
    api = APIClient()
    api.force_authenticate(coordinator)
    for number in range(1, len(expected) // PER_PAGE + 2):
        body = api.get(f"/api/participants/?page={number}").json()
        assert body["count"] == len(expected)
        rows = [row["participant_ref"] for row in body["results"]]
        assert rows == expected[(number - 1) * PER_PAGE : number * PER_PAGE], number


def test_no_marks_inside_a_transaction_or_where_the_kept_counts_cannot_say(caseload, coordinator):
    filters = selectors.CaseloadFilters()
    people = selectors.participant_list(viewer=coordinator, filters=filters, audit_shown=False)
    kept = selectors.participant_pages_kept(people, viewer=coordinator, filters=filters)
    if not KEEPS_MARKS:
        assert kept is None
        return
    # outside a transaction: the count and marks of rows 0, 3, 6 and 9 of the list
    assert kept is not None and kept.count == 11 and kept.marks is not None
    assert type(kept.count) is int  # not PostgreSQL's numeric sum: pages pluralise by it
    expected = _expected(coordinator)
    assert [ref for ref, _key in kept.marks.read()] == expected[::STEP]
    # inside one: the count, no marks (its own writes could be rolled back)
    with transaction.atomic():
        inside = selectors.participant_pages_kept(people, viewer=coordinator, filters=filters)
        assert inside is not None and inside.count == 11 and inside.marks is None
    # a search: nothing kept
    searched = selectors.CaseloadFilters(q="M-0")
    assert selectors.participant_pages_kept(people, viewer=coordinator, filters=searched) is None


def test_the_paginator_walks_from_the_marks_it_is_given_on_either_database(
    caseload, coordinator, django_assert_num_queries
):
    people = selectors.participant_list(
        viewer=coordinator, filters=selectors.CaseloadFilters(), audit_shown=False
    )
    listed = [(p.participant_ref, p.pk) for p in people]
    for step in (1, 2, 3, 5):
        for per_page in (1, 2, 3):
            marks = PageMarks(step, lambda step=step: listed[::step])
            pages = KeysFirstPaginator(
                people, per_page, count=len(listed), count_exact=True, marks=marks
            )
            walked = []
            for number in pages.page_range:
                # each page one statement, its keys walked from the mark before it
                with django_assert_num_queries(1):
                    walked += [(p.participant_ref, p.pk) for p in pages.page(number)]
            assert walked == listed, (step, per_page)
    # marks that cannot say, or of another order than the list's, are not used
    for read in (lambda: None, lambda: [(ref, key, 0) for ref, key in listed]):
        pages = KeysFirstPaginator(
            people, 2, count=len(listed), count_exact=True, marks=PageMarks(2, read)
        )
        assert [p.participant_ref for p in pages.page(4)] == [ref for ref, _ in listed[6:8]]
    # and a count that is not exact (a search cut at a bound) never uses them
    cut = KeysFirstPaginator(people, 2, count=5, marks=PageMarks(1, lambda: listed[:1]))
    assert cut.marks is None
