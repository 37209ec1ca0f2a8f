"""The caseload's counts (decision 50): the participants from the counts the database keeps
(PostgreSQL; SQLite counts), the follow-ups due from one walk. Right after every kind of write,
on both databases, and never another unit's or organisation's rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from tests.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory
from tests.pathways.test_importing import row, run

from emplus.pathways import rights, selectors, services
from emplus.pathways.import_writer import BulkWriter
from emplus.pathways.models import Consent, FollowUp, Participant, ParticipantCount
from emplus.pathways.views import caseload as caseload_views

pytestmark = pytest.mark.django_db

KEEPS_COUNTS = connection.vendor == "postgresql"


def _shown(client, user) -> tuple[int, int]:
    """What the caseload page says: its participants, its follow-ups due."""
    client.force_login(user)
    response = client.get(reverse("pathways:caseload"))
    assert response.status_code == 200
    return response.context["page"].paginator.count, response.context["followups_due_count"]


def _walked(viewer) -> int:
    """The count the long way: every participant of the viewer's scope."""
    return selectors.participant_list(viewer=viewer, audit_shown=False).count()


def _assert_counts(client, expected: dict) -> None:
    for user, count in expected.items():
        assert _shown(client, user)[0] == _walked(user) == count, user.username
        kept = selectors.participant_count_kept(viewer=user, filters=selectors.CaseloadFilters())
        assert kept == (count if KEEPS_COUNTS else None), user.username


def test_the_participant_count_is_right_after_every_kind_of_write(
    client, coach, coordinator, other_unit_coach, other_org_coach, unit_a1, unit_a2, unit_b1
):
    # given three participants in unit A1, two in A2 and one in B1
    a1 = [ParticipantFactory(actor=coach, unit=unit_a1) for _ in range(3)]
    a2 = [ParticipantFactory(unit=unit_a2) for _ in range(2)]
    ParticipantFactory(unit=unit_b1)
    # then each sees their own: a coach their unit, a coordinator the organisation
    _assert_counts(client, {coach: 3, other_unit_coach: 2, coordinator: 5, other_org_coach: 1})
    # when a coach registers one more
    services.participant_enrol(
        actor=coach,
        unit=unit_a1,
        participant_ref="NEW-1",
        consent=services.ConsentTerms(
            information_version="1", given_on=date(2026, 1, 5), purposes=frozenset({"case_work"})
        ),
        entry_date=date(2026, 1, 5),
        given_name="Ny",
        family_name="Deltagare",
    )
    _assert_counts(client, {coach: 4, other_unit_coach: 2, coordinator: 6, other_org_coach: 1})
    # when one is erased
    rights.participant_erase(actor=coordinator, participant=a1[0])
    _assert_counts(client, {coach: 3, other_unit_coach: 2, coordinator: 5})
    # when one moves to the other unit (by any writer: the database keeps the count)
    Participant.objects.filter(pk=a1[1].pk).update(unit=unit_a2, updated_at=timezone.now())
    _assert_counts(client, {coach: 2, other_unit_coach: 3, coordinator: 5})
    # when many arrive in one statement, as an import writes them
    Participant.objects.bulk_create(
        [
            Participant(organisation=unit_a2.organisation, unit=unit_a2, participant_ref=f"B-{i}")
            for i in range(4)
        ]
    )
    _assert_counts(client, {coach: 2, other_unit_coach: 7, coordinator: 9, other_org_coach: 1})
    # when rows are deleted and a name is changed (which changes no count)
    Participant.objects.filter(participant_ref__in=["B-0", "B-1"]).delete()
    services.participant_update(actor=coordinator, participant=a2[0], given_name="Annan")
    _assert_counts(client, {coach: 2, other_unit_coach: 5, coordinator: 7, other_org_coach: 1})


@pytest.mark.skipif(not KEEPS_COUNTS, reason="the counts are kept on PostgreSQL")
def test_each_write_folds_the_units_rows_into_one(coach, unit_a1, unit_a2):
    # when participants are registered one at a time, in two units
    for _ in range(4):
        ParticipantFactory(actor=coach, unit=unit_a1)
    ParticipantFactory(unit=unit_a2)
    # then each unit has one row, not one per write (no other transaction holds any)
    kept = ParticipantCount.objects.order_by("unit").values_list("unit", "participants")
    assert sorted(kept, key=lambda row: row[1]) == [(unit_a2.pk, 1), (unit_a1.pk, 4)]


@pytest.mark.skipif(not KEEPS_COUNTS, reason="the counts are kept on PostgreSQL")
def test_the_caseload_page_does_not_walk_the_participants_to_count_them(
    client, coordinator, unit_a1
):
    for _ in range(3):
        ParticipantFactory(unit=unit_a1)
    client.force_login(coordinator)
    url = reverse("pathways:caseload")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not any('FROM "pathways_participant"' in sql for sql in counts), counts


def test_a_search_or_a_filter_is_counted_not_looked_up(coordinator, unit_a1, unit_a2):
    ParticipantFactory(unit=unit_a1, participant_ref="R-11")
    ParticipantFactory(unit=unit_a2, participant_ref="R-22")
    filters = selectors.CaseloadFilters
    assert selectors.participant_count_kept(viewer=coordinator, filters=filters(q="R-1")) is None
    assert (
        selectors.participant_count_kept(viewer=coordinator, filters=filters(status="active"))
        is None
    )
    assert selectors.participant_count_kept(
        viewer=coordinator, filters=filters(unit=unit_a2.pk)
    ) == (1 if KEEPS_COUNTS else None)


def test_participants_shared_with_the_organisation_are_counted_with_it(
    client, coordinator, org_a, unit_a1, unit_b1
):
    # given a participant of organisation B who consents to sharing with A
    ParticipantFactory(unit=unit_a1)
    shared = ParticipantFactory(unit=unit_b1)
    ConsentFactory(participant=shared, sharing=True, shared_with=[org_a])
    # then A's coordinator's caseload counts both: the kept counts (A's units) cannot say
    assert (
        selectors.participant_count_kept(viewer=coordinator, filters=selectors.CaseloadFilters())
        is None
    )
    assert _shown(client, coordinator)[0] == _walked(coordinator) == 2


def test_the_follow_ups_due_count_is_right_after_an_exit_a_consent_change_and_a_record(
    client, coach, other_unit_coach, unit_a1, unit_a2
):
    # given two participants of unit A1 who agree to follow-up contact, and one of unit A2
    people = [ParticipantFactory(actor=coach, unit=unit_a1) for _ in range(2)]
    other = ParticipantFactory(unit=unit_a2)
    for person in [*people, other]:
        ConsentFactory(participant=person, follow_up=True)
    enrolments = [EnrolmentFactory(participant=person, steps=0) for person in [*people, other]]
    assert _shown(client, coach)[1] == 0
    # when they leave (their follow-ups due six months on, long past)
    for enrolment in enrolments:
        services.enrolment_exit(
            actor=coach if enrolment.participant in people else other_unit_coach,
            enrolment=enrolment,
            exit_date=date(2025, 3, 1),
            reason="job",
        )
    # then each coach counts their unit's only
    assert _shown(client, coach)[1] == 2
    assert _shown(client, other_unit_coach)[1] == 1
    # when one no longer agrees to be contacted
    ConsentFactory(participant=people[0], follow_up=False, given_on=date(2025, 6, 1))
    assert _shown(client, coach)[1] == 1
    # when the other's follow-up is recorded
    services.followup_record(
        actor=coach,
        follow_up=FollowUp.objects.get(enrolment__participant=people[1]),
        observed_on=date(2025, 9, 1),
        employed=True,
        improved=True,
    )
    assert _shown(client, coach)[1] == 0
    assert _shown(client, other_unit_coach)[1] == 1


def test_an_import_is_counted_as_it_commits(client, coordinator, org_a, unit_a1):
    # given one participant registered by hand
    ParticipantFactory(unit=unit_a1)
    # when a file of three is imported (on PostgreSQL by COPY, the foreign keys' triggers off)
    result = run(coordinator, org_a, [row(f"IMP-{i}") for i in range(3)])
    assert not result.errors
    # then the caseload counts all four
    _assert_counts(client, {coordinator: 4})
    if KEEPS_COUNTS:
        assert BulkWriter(now=timezone.now(), organisation=org_a)._may_check_keys_itself(
            (Participant,)
        )


def _api_count(client, user) -> int:
    client.force_login(user)
    response = client.get("/api/participants/")
    assert response.status_code == 200
    return response.json()["count"]


def test_the_api_list_counts_as_the_caseload_right_after_writes_and_within_its_scope(
    client, coach, coordinator, other_unit_coach, other_org_coach, unit_a1, unit_a2, unit_b1
):
    # given two participants in unit A1, one in A2 and one in B1
    a1 = [ParticipantFactory(actor=coach, unit=unit_a1) for _ in range(2)]
    ParticipantFactory(unit=unit_a2)
    ParticipantFactory(unit=unit_b1)
    expected = {coach: 2, other_unit_coach: 1, coordinator: 3, other_org_coach: 1}
    assert {user: _api_count(client, user) for user in expected} == expected
    # when one is erased and one moves to the other unit
    rights.participant_erase(actor=coordinator, participant=a1[0])
    Participant.objects.filter(pk=a1[1].pk).update(unit=unit_a2, updated_at=timezone.now())
    # then the API says so at once, each within their own scope
    expected = {coach: 0, other_unit_coach: 2, coordinator: 2, other_org_coach: 1}
    assert {user: _api_count(client, user) for user in expected} == expected
    for user in expected:
        assert _api_count(client, user) == _walked(user), user.username


@pytest.mark.skipif(not KEEPS_COUNTS, reason="the counts are kept on PostgreSQL")
def test_the_api_list_does_not_walk_the_participants_to_count_them(client, coordinator, unit_a1):
    for _ in range(3):
        ParticipantFactory(unit=unit_a1)
    client.force_login(coordinator)
    client.get("/api/participants/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/participants/").json()["count"] == 3
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not any('FROM "pathways_participant"' in sql for sql in counts), counts


def test_the_api_list_of_a_search_is_counted(client, coordinator, unit_a1):
    # a search is never answered from the kept counts (they count everyone)
    ParticipantFactory(unit=unit_a1, participant_ref="R-11")
    ParticipantFactory(unit=unit_a1, participant_ref="R-22")
    client.force_login(coordinator)
    token = client.post("/api/participants/search/", {"q": "R-1"}).json()["search"]
    assert client.get("/api/participants/", {"search": token}).json()["count"] == 1


def test_a_follow_up_is_due_only_where_the_newest_consent_allows_contact(client, coach, unit_a1):
    # given five participants whose follow-ups are due, each with another consent history
    def consents(person, *records):
        for given_on, follow_up in records:
            ConsentFactory(participant=person, follow_up=follow_up, given_on=given_on)

    early, late = date(2025, 1, 10), date(2025, 6, 1)
    people = {
        "allows": [(early, True)],
        "allowed, then not": [(early, True), (late, False)],
        "not, then allows": [(early, False), (late, True)],
        "allows, withdrawn": [(early, True)],
        "allowed, newest withdrawn": [(early, True), (late, True)],
        "none": [],
    }
    made = {}
    for label, records in people.items():
        person = ParticipantFactory(actor=coach, unit=unit_a1)
        consents(person, *records)
        enrolment = EnrolmentFactory(participant=person, steps=0)
        services.enrolment_exit(
            actor=coach, enrolment=enrolment, exit_date=date(2025, 3, 1), reason="job"
        )
        made[label] = person
    for label in ("allows, withdrawn", "allowed, newest withdrawn"):
        newest = made[label].consents.order_by("-given_on", "-created_at").first()
        services.consent_withdraw(actor=coach, consent=newest)
    # then only those whose newest record agrees to contact and stands are due, whichever way
    # the newest record is written (the walk in due order takes the anti-join, decision 57)
    expected = {made["allows"].pk, made["not, then allows"].pk}
    for newest in (None, Consent.objects.current_unsuperseded()):
        due = selectors.followups_due(viewer=coach, on=timezone.localdate(), consents=newest)
        listed = {f.enrolment.participant_id for f in due}
        assert listed == expected, newest
    # the same as the newest consent record decides it, participant by participant
    for person in made.values():
        current = selectors.consent_current(participant=person)
        assert (person.pk in listed) == bool(current and current.follow_up), person
    # and the caseload page counts them so
    assert _shown(client, coach)[1] == 2


def _searched(client, user, term: str):
    """The caseload page of a search, as the browser reaches it: the answer to its POST."""
    client.force_login(user)
    page = client.post(reverse("pathways:caseload"), {"q": term})
    assert page.status_code == 200
    return page


def test_a_search_is_counted_exactly_up_to_its_bound_and_said_to_be_more_beyond(
    client, monkeypatch, coordinator, coach, unit_a1, unit_a2, unit_b1
):
    monkeypatch.setattr(caseload_views, "SEARCH_COUNTED", 3)
    # given three Ekbackas in organisation A (two in unit A1) and two in organisation B
    for unit in (unit_a1, unit_a1, unit_a2):
        ParticipantFactory(unit=unit, family_name="Ekbacka")
    ParticipantFactory(unit=unit_b1, family_name="Ekbacka")
    ParticipantFactory(unit=unit_b1, family_name="Ekbacka")
    ParticipantFactory(unit=unit_a1, family_name="Norrgren")
    # then a search up to the bound is counted exactly, never another unit's or organisation's
    page = _searched(client, coordinator, "ekbacka")
    assert page.context["page"].paginator.count == 3
    assert not page.context["search_more"]
    assert "3 deltagare." in page.content.decode()  # the page in Swedish
    assert _searched(client, coach, "ekbacka").context["page"].paginator.count == 2
    # when one more is registered in A, right away the page says there are more than the bound
    ParticipantFactory(unit=unit_a2, family_name="Ekbacka")
    page = _searched(client, coordinator, "ekbacka")
    assert page.context["search_more"]
    assert page.context["page"].paginator.count == 3
    assert len(page.context["people"]) == 3
    assert "Fler än 3 deltagare matchar" in page.content.decode()
    # and the first by reference are the ones listed
    first = selectors.participant_list(
        viewer=coordinator, filters=selectors.CaseloadFilters(q="ekbacka"), audit_shown=False
    )
    assert [p.pk for p in page.context["people"]] == [p.pk for p in first[:3]]
    # when one is renamed and one erased, the count follows at once
    services.participant_update(actor=coordinator, participant=first[0], family_name="Hagmark")
    rights.participant_erase(actor=coordinator, participant=first[1])
    page = _searched(client, coordinator, "ekbacka")
    assert not page.context["search_more"]
    assert page.context["page"].paginator.count == 2


def test_the_newest_consent_as_an_anti_join_is_the_newest_record(coach, unit_a1):
    # given consent histories: one record, a later day, the same day recorded later, withdrawn
    early, late = date(2025, 1, 10), date(2025, 6, 1)
    histories = [
        [(early, True)],
        [(early, True), (late, False)],
        [(early, False), (late, True)],
        [(late, True), (late, False)],
        [(late, False), (late, True)],
        [(early, True), (late, True), (early, False)],
    ]
    for history in histories:
        person = ParticipantFactory(actor=coach, unit=unit_a1)
        for given_on, follow_up in history:
            ConsentFactory(participant=person, follow_up=follow_up, given_on=given_on)
    withdrawn = ParticipantFactory(actor=coach, unit=unit_a1)
    services.consent_withdraw(
        actor=coach, consent=ConsentFactory(participant=withdrawn, follow_up=True)
    )
    # then both ways give the same record of each participant, and none for the withdrawn
    both = [
        sorted(q.values_list("participant_id", "pk", "follow_up"))
        for q in (Consent.objects.current(), Consent.objects.current_unsuperseded())
    ]
    assert both[0] == both[1]
    assert [follow_up for _, _, follow_up in both[1]].count(True) == 4
    assert withdrawn.pk not in {participant for participant, _, _ in both[1]}
    assert len(both[1]) == len(histories)
