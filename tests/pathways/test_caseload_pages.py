"""Pages that do not grow with the caseload (issue 14, decision 42): a page's keys are read
first, in reference order, then only its rows; a deep page costs the queries of the first; the
same reference in two organisations neither repeats nor loses a participant; a reference is
found by any part of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIClient
from tests.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory
from tests.pathways.test_caseload_rows import TEMPLATE_PEOPLE

from emplus.core import crypto
from emplus.core.choices import Phase
from emplus.core.models import AuditEvent
from emplus.core.pagination import KeysFirstPaginator
from emplus.pathways import selectors, services
from emplus.pathways.views import caseload as caseload_view

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseload(coordinator, org_a, unit_a1, unit_a2):
    """Seven participants in two units, given in an order other than their references."""
    refs = ["R-07", "R-03", "R-05", "R-01", "R-06", "R-02", "R-04"]
    return [
        ParticipantFactory(actor=coordinator, unit=unit_a1 if i % 2 else unit_a2, participant_ref=r)
        for i, r in enumerate(refs)
    ]


def _scope(viewer, **filters):
    return selectors.participant_list(
        viewer=viewer, filters=selectors.CaseloadFilters(**filters), audit_shown=False
    )


@pytest.mark.parametrize(("per_page", "orphans"), [(3, 0), (3, 1), (2, 0), (7, 0), (50, 0)])
def test_keys_first_pages_are_the_pages_of_the_plain_paginator(
    coordinator, caseload, per_page, orphans
):
    plain = Paginator(_scope(coordinator), per_page, orphans=orphans)
    keys_first = KeysFirstPaginator(_scope(coordinator), per_page, orphans=orphans)
    assert keys_first.count == plain.count == 7
    assert keys_first.num_pages == plain.num_pages
    for number in plain.page_range:
        assert [p.pk for p in keys_first.page(number)] == [p.pk for p in plain.page(number)]
    # and every participant is on exactly one page, in reference order
    walked = [p.participant_ref for n in plain.page_range for p in keys_first.page(n)]
    assert walked == sorted(p.participant_ref for p in caseload)


def test_keys_first_refuses_a_page_past_the_end_as_the_plain_paginator_does(coordinator, caseload):
    pages = KeysFirstPaginator(_scope(coordinator), 3)
    with pytest.raises(EmptyPage):
        pages.page(4)
    assert pages.get_page(99).number == 3
    assert pages.get_page("x").number == 1


def test_a_count_given_to_keys_first_is_not_asked_again(coordinator, caseload):
    pages = KeysFirstPaginator(_scope(coordinator), 3, count=7)
    with CaptureQueriesContext(connection) as queries:
        assert [p.participant_ref for p in pages.page(3)] == ["R-07"]
    assert len(queries) == 1  # the page's rows of the keys its subquery walks to (decision 70)
    assert pages.num_pages == 3


def test_the_rows_of_a_page_keep_their_annotations(coordinator, caseload):
    page = KeysFirstPaginator(_scope(coordinator), 3).page(1)
    assert [p.participant_ref for p in page] == ["R-01", "R-02", "R-03"]
    assert all(hasattr(p, "is_active") and hasattr(p, "current_phase") for p in page)
    assert page[0].display_name  # decrypted, as the page shows it


def test_the_same_reference_in_two_organisations_is_on_one_page_each(
    coordinator, org_a, unit_b1, caseload
):
    # given: org_b's participant R-03 shared with org_a by consent, so the coordinator sees two
    other = ParticipantFactory(unit=unit_b1, participant_ref="R-03")
    ConsentFactory(participant=other, sharing=True, shared_with=[org_a])
    scope = _scope(coordinator)
    assert scope.count() == 8
    # then: pages of one cut between the two R-03 and show each once
    pages = KeysFirstPaginator(scope, 1)
    walked = [pages.page(n)[0].pk for n in pages.page_range]
    assert len(walked) == len(set(walked)) == 8


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def test_a_deep_page_of_the_caseload_costs_the_queries_of_the_first(
    client, coordinator, caseload, monkeypatch
):
    monkeypatch.setattr(caseload_view, "PER_PAGE", 2)
    client.force_login(coordinator)
    url = reverse("pathways:caseload")
    _queries(client, url)  # warm: memberships and the session
    first, deep = _queries(client, url), _queries(client, url + "?page=4")
    assert deep == first
    # and the page shows its own rows, and one audit event names exactly them
    before = AuditEvent.objects.count()
    response = client.get(url + "?page=2")
    assert [p.participant_ref for p in response.context["people"]] == ["R-03", "R-04"]
    event = AuditEvent.objects.order_by("occurred_at", "lane", "sequence")[before:].get()
    assert event.details["participants"] == [str(p.pk) for p in response.context["people"]]


def test_a_deep_page_of_the_api_list_costs_the_queries_of_the_first(
    coordinator, caseload, monkeypatch
):
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    client = APIClient()
    client.force_authenticate(coordinator)
    url = "/api/participants/"
    _queries(client, url)  # warm
    first, deep = _queries(client, url), _queries(client, url + "?page=4")
    assert deep == first
    body = client.get(url + "?page=2").json()
    assert body["count"] == 7
    assert [row["participant_ref"] for row in body["results"]] == ["R-03", "R-04"]
    # a page past the end is refused as before
    assert client.get(url + "?page=5").status_code == 404


@pytest.mark.parametrize(
    ("term", "found"),
    [("R-0", 7), ("r-05", 1), ("05", 1), ("-0", 7), ("R-08", 0)],
)
def test_a_reference_is_found_by_any_part_of_it_in_any_case(coordinator, caseload, term, found):
    assert _scope(coordinator, q=term).count() == found


def test_the_first_follow_ups_due_and_their_count_come_from_one_walk(
    coordinator, caseload, unit_b1
):
    # given follow-ups due on three dates, two on the same day, one not yet due, one whose
    # participant no longer agrees to be contacted, and one of another organisation
    exits = [
        date(2025, 4, 1),
        date(2025, 2, 1),
        date(2025, 2, 1),
        date(2025, 3, 1),
        date(2026, 6, 1),
        date(2025, 2, 1),
        date(2025, 2, 1),
    ]
    people = [*caseload[:6], ParticipantFactory(unit=unit_b1)]
    for person, exit_date in zip(people, exits, strict=True):
        ConsentFactory(participant=person, follow_up=True)
        enrolment = EnrolmentFactory(participant=person, steps=0)
        services.enrolment_exit(
            actor=coordinator, enrolment=enrolment, exit_date=exit_date, reason="job"
        )
    ConsentFactory(participant=caseload[5], given_on=date(2025, 2, 1))
    on = date(2025, 12, 1)
    whole = list(selectors.followups_due(viewer=coordinator, on=on))
    who = [f.enrolment.participant for f in whole]
    assert set(who[:2]) == set(caseload[1:3]) and whole[0].pk < whole[1].pk
    assert who[2:] == [caseload[3], caseload[0]]
    # when the first ones are read for the page, with their count, from one walk
    with CaptureQueriesContext(connection) as queries:
        first, total = selectors.followups_due_first(viewer=coordinator, on=on, limit=3, counted=10)
        refs = [f.participant_ref for f in first]
    # then they are the first of the list, in its order (the key breaks the tie), and the count
    # is the list's: the walk and its count in one query, the rows of the first in another
    assert [f.pk for f in first] == [f.pk for f in whole[:3]]
    assert refs == [p.participant_ref for p in who[:3]]
    assert total == len(whole) == 4
    assert len(queries) == 2


def test_when_the_walk_stops_before_the_end_the_first_follow_ups_due_are_still_the_first(
    coordinator, org_a, unit_a1
):
    # given more follow-ups due than are counted, the earliest exits recorded last
    people = [ParticipantFactory(unit=unit_a1, participant_ref=f"W-{i}") for i in range(6)]
    for i, person in enumerate(people):
        ConsentFactory(participant=person, follow_up=True)
        services.enrolment_exit(
            actor=coordinator,
            enrolment=EnrolmentFactory(participant=person, steps=0),
            exit_date=date(2025, 6, 1) - timedelta(days=10 * i),
            reason="job",
        )
    whole = list(selectors.followups_due(viewer=coordinator, on=date(2026, 6, 1)))
    # when the walk counts only up to three
    with CaptureQueriesContext(connection) as queries:
        first, total = selectors.followups_due_first(
            viewer=coordinator, on=date(2026, 6, 1), limit=2, counted=3
        )
    # then it says "more than three" (four found) and the first two are the earliest of all
    assert total == 4
    assert [f.pk for f in first] == [f.pk for f in whole[:2]]
    assert [f.participant_id for f in first] == [people[5].pk, people[4].pk]
    assert len(queries) == 2  # the walk and its count; the first in due order with their rows


def test_no_follow_up_due_costs_one_query(coordinator, caseload):
    selectors.followups_due_first(viewer=coordinator, on=date(2026, 6, 1), limit=3, counted=10)
    with CaptureQueriesContext(connection) as queries:
        assert selectors.followups_due_first(
            viewer=coordinator, on=date(2026, 6, 1), limit=3, counted=10
        ) == ([], 0)
    assert len(queries) == 1  # the memberships and the sharing look-up were read above


# A day when every exit of `varied` has a follow-up due (six months after it).
LATER = date(2026, 1, 1)


@pytest.fixture
def varied(coordinator, caseload):
    """The caseload with active and exited pathways, steps, assessments and follow-ups due."""
    for n, person in enumerate(caseload):
        ConsentFactory(participant=person, follow_up=True)
        enrolment = EnrolmentFactory(participant=person, steps=n % 3)
        if n % 2:
            services.enrolment_exit(
                actor=coordinator,
                enrolment=enrolment,
                exit_date=enrolment.entry_date + timedelta(days=10 + n),
                reason="job",
            )
    return caseload


def test_an_annotation_chosen_alone_has_its_value_among_all(coordinator, varied):
    # given the caseload with every annotation, on a day some follow-ups are due
    today = LATER
    whole = selectors.caseload_annotated(viewer=coordinator, today=today)
    for name in selectors.CASELOAD_ANNOTATIONS:
        # when only one is asked for
        alone = selectors.caseload_annotated(viewer=coordinator, today=today, names=[name])
        # then each row has the value it has among all, and the others are not computed
        assert dict(alone.values_list("pk", name)) == dict(whole.values_list("pk", name)), name
        row = alone.first()
        others = set(selectors.CASELOAD_ANNOTATIONS) - {name, "is_active"}
        assert not any(hasattr(row, other) for other in others), name
    assert {p.followup_is_due for p in whole} == {True, False}  # the data tells them apart


def test_an_annotation_the_caseload_does_not_know_is_refused(coordinator):
    with pytest.raises(ValueError, match="not an annotation"):
        selectors.caseload_annotated(viewer=coordinator, today=date(2025, 1, 1), names=["x"])


@pytest.mark.parametrize(
    "filters",
    [
        {"status": "active"},
        {"status": "exited"},
        {"phase": "mobilise"},
        {"followup_due": True},
        {"followup_overdue": True},
        {"assessment_due": True},
        {"stalled": True},
        {"link_open": True},
        {"attestation_waiting": True},
        {"recent": True},
        {"status": "active", "followup_due": True},
    ],
)
def test_a_filter_finds_the_same_rows_whatever_the_list_shows(coordinator, varied, filters):
    def found(shown):
        return [
            p.pk
            for p in selectors.participant_list(
                viewer=coordinator,
                filters=selectors.CaseloadFilters(**filters),
                today=LATER,
                audit_shown=False,
                shown=shown,
            )
        ]

    assert found(()) == found(selectors.CASELOAD_SHOWN) == found(selectors.CASELOAD_ANNOTATIONS)


def test_the_caseload_page_decrypts_the_names_it_shows_and_nothing_else(
    client, coordinator, varied, monkeypatch
):
    # given participants with every contact detail filled in (and identity numbers)
    for person in varied:
        services.participant_update(
            actor=coordinator,
            participant=person,
            phone="070-1234567",
            email="a@example.org",
            address="Storgatan 1",
        )
    client.force_login(coordinator)
    client.get(reverse("pathways:caseload"))  # warm
    decrypted = []
    real = crypto.decrypt

    def counting(token):
        value = real(token)
        decrypted.append(value)
        return value

    monkeypatch.setattr(crypto, "decrypt", counting)
    # when the caseload is shown (with follow-ups due beside it)
    response = client.get(reverse("pathways:caseload"))
    # then the names of its rows are decrypted, and nothing else: no identity number, phone,
    # e-mail or address, and no name for the follow-ups (they show the reference)
    people = response.context["people"]
    assert len(people) == 7 and response.context["followups_due"]
    assert len(decrypted) == 2 * len(people)
    assert not {"070-1234567", "a@example.org", "Storgatan 1"} & set(decrypted)
    assert all(p.display_name in response.content.decode() for p in people)


def test_the_links_of_the_caseload_are_those_reverse_gives(client, coordinator, varied):
    client.force_login(coordinator)
    response = client.get(reverse("pathways:caseload"))
    html = response.content.decode()
    people, due = response.context["people"], response.context["followups_due"]
    assert len(people) == 7 and due
    for person in people:
        assert f'<a href="{reverse("pathways:detail", args=[person.pk])}">' in html
    for followup in due:
        participant = followup.participant_id
        record = reverse("pathways:followup", args=[participant, followup.enrolment_id])
        assert f'<a href="{record}">' in html
        assert f'<a href="{reverse("pathways:detail", args=[participant])}">' in html
    # and each row says its status in words, translated
    assert html.count("<td>Aktiv</td>") + html.count("<td>Avslutad</td>") == 7


@pytest.mark.parametrize("searched", [False, True])
def test_the_page_rows_are_the_markup_the_participants_gave(client, coordinator, varied, searched):
    # given participants with odd names (markup, quotes, none at all), several units, phases,
    # active and exited, with follow-ups due and not
    names = ["<b>Bo</b> & 'Li'", "", 'Åsa "Ö"', "%(ref)s {x}", "Bo", "Bo", "Bo Bo"]
    for person, name in zip(varied, names, strict=True):
        services.participant_update(
            actor=coordinator, participant=person, given_name=name, family_name=""
        )
    client.force_login(coordinator)
    # when the caseload page is shown, plain or as the answer to a search
    url = reverse("pathways:caseload")
    response = client.post(url, {"q": "bo"}) if searched else client.get(url)
    # then its rows are, character for character, what the template's loop made of the
    # participants themselves (before decision 63)
    filters = selectors.CaseloadFilters(q="bo" if searched else "")
    participants = list(
        selectors.participant_list(viewer=coordinator, filters=filters, audit_shown=False)
    )
    assert len(participants) == (4 if searched else 7)
    assert [p.pk for p in response.context["people"]] == [p.pk for p in participants]
    for person in participants:
        person.detail_url = reverse("pathways:detail", args=[person.pk])
        person.phase_label = Phase(person.current_phase).label if person.current_phase else ""
    with translation.override("sv"):
        rows = Template(TEMPLATE_PEOPLE).render(Context({"people": participants}))
    assert rows in response.content.decode()
    assert {p.current_phase for p in participants} > {None}
    assert {p.is_active for p in participants} == {True, False}


# Decision 70: a page's rows in one statement, the keys a subquery; past the middle of an
# exactly counted list the keys are walked from the end.


def test_every_page_walked_from_either_end_holds_its_own_rows_and_no_other_organisations(
    coordinator, caseload, unit_b1, django_assert_num_queries
):
    # given a participant of another organisation, not shared, whose reference sorts among them
    ParticipantFactory(unit=unit_b1, participant_ref="R-035")
    expected = [p.pk for p in sorted(caseload, key=lambda p: p.participant_ref)]
    for per_page, orphans in [(2, 0), (2, 1), (3, 0), (7, 0), (1, 0)]:
        # the count given (exact, as the kept counts are) or counted by the paginator
        for given in ({"count": 7, "count_exact": True}, {}):
            pages = KeysFirstPaginator(_scope(coordinator), per_page, orphans=orphans, **given)
            walked = []
            for number in pages.page_range:
                # then each page, first, middle or last, is one statement
                with django_assert_num_queries(1):
                    walked.append([p.pk for p in pages.page(number)])
            # and the pages neither repeat nor skip a row, in reference order, only A's
            assert [pk for page in walked for pk in page] == expected, (per_page, orphans)
            assert all(walked), (per_page, orphans)
            # and past the end is refused as the plain paginator refuses it
            with pytest.raises(EmptyPage):
                pages.page(pages.num_pages + 1)


def test_a_count_that_stops_at_a_bound_is_not_walked_from_the_end(coordinator, caseload):
    # given a count of the first five of seven (as a search counted up to a bound says)
    pages = KeysFirstPaginator(_scope(coordinator), 2, count=5)
    # then the pages are the first five by reference, the last one too
    walked = [[p.participant_ref for p in pages.page(n)] for n in pages.page_range]
    assert walked == [["R-01", "R-02"], ["R-03", "R-04"], ["R-05"]]


def test_the_pages_of_a_search_beyond_its_bound_are_its_first_matches(
    client, coordinator, caseload, monkeypatch
):
    # given a search that matches all seven, counted up to three, two a page
    monkeypatch.setattr(caseload_view, "SEARCH_COUNTED", 3)
    monkeypatch.setattr(caseload_view, "PER_PAGE", 2)
    client.force_login(coordinator)
    first = client.post(reverse("pathways:caseload"), {"q": "R-0"})
    assert first.context["search_more"]
    assert [p.participant_ref for p in first.context["people"]] == ["R-01", "R-02"]
    # when its second (last) page is followed
    link = f"{reverse('pathways:caseload')}?{first.context['query_without_page']}&page=2"
    second = client.get(link)
    # then it shows the third by reference, not the last of the whole list
    assert [p.participant_ref for p in second.context["people"]] == ["R-03"]


def test_the_caseload_and_api_pages_from_either_end_show_only_their_rows(
    client, coordinator, caseload, unit_b1, monkeypatch
):
    ParticipantFactory(unit=unit_b1, participant_ref="R-045")
    monkeypatch.setattr(caseload_view, "PER_PAGE", 3)
    monkeypatch.setattr(PageNumberPagination, "page_size", 3)
    client.force_login(coordinator)
    url = reverse("pathways:caseload")
    shown = [
        [p.participant_ref for p in client.get(f"{url}?page={n}").context["people"]]
        for n in (1, 2, 3)
    ]
    assert shown == [["R-01", "R-02", "R-03"], ["R-04", "R-05", "R-06"], ["R-07"]]
    api = APIClient()
    api.force_authenticate(coordinator)
    bodies = [api.get(f"/api/participants/?page={n}").json() for n in (1, 2, 3)]
    rows = [[row["participant_ref"] for row in body["results"]] for body in bodies]
    assert rows == shown


def test_the_api_page_reads_its_rows_with_the_keys_in_one_statement_without_the_join(
    coordinator, caseload, monkeypatch
):
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    client = APIClient()
    client.force_authenticate(coordinator)
    client.get("/api/participants/")  # warm
    for page in (1, 4):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/participants/?page={page}").status_code == 200
        reads = [q["sql"] for q in queries if 'FROM "pathways_participant"' in q["sql"]]
        # the keys are the rows' subquery, and the organisation's code is joined to the page's
        # rows only: the keys' walk reads the participants' index alone
        keys = [sql for sql in reads if "LIMIT" in sql]
        assert len(keys) == 1, reads
        subquery = keys[0][keys[0].index("IN (SELECT") :]
        assert "organisations_organisation" not in subquery, subquery
