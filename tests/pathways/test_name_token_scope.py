"""The name tokens' copies of their participant's organisation, unit and reference (decision
80): the database keeps them whichever write moves a participant, an upgrade fills them in, and
a search counted and paged from them finds what the list itself holds, within the viewer's
scope only; where they cannot say (consent sharing, other filters, a key rotation) the search
walks the participants as before."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.factories import ConsentFactory, ParticipantFactory

from emplus.pathways import selectors, services
from emplus.pathways.models import Participant, ParticipantNameToken
from emplus.pathways.rights import participant_erase
from emplus.pathways.selectors import CaseloadFilters

pytestmark = pytest.mark.django_db

# As the SQL names them (the participants' table name begins the tokens').
TOKENS = f'"{ParticipantNameToken._meta.db_table}"'
PARTICIPANTS = f'"{Participant._meta.db_table}"'


def _copies(person: Participant) -> set[tuple]:
    """The copies its tokens hold, as one set (one element when they agree)."""
    return set(
        ParticipantNameToken.objects.filter(participant=person).values_list(
            "organisation_id", "unit_id", "participant_ref"
        )
    )


def _own(person: Participant) -> set[tuple]:
    person.refresh_from_db()
    return {(person.organisation_id, person.unit_id, person.participant_ref)}


def _listed(viewer, term: str, **filters) -> list:
    """Every match the long way: the participants' own list, in its order."""
    people = selectors.participant_list(
        viewer=viewer, filters=CaseloadFilters(q=term, **filters), audit_shown=False
    )
    return [p.pk for p in people]


def _keys(viewer, term: str, **filters) -> list | None:
    keys = selectors.participant_search_keys(
        viewer=viewer, filters=CaseloadFilters(q=term, **filters)
    )
    return None if keys is None else [key for key, _ref in keys]


def _shown(client, viewer, term: str) -> tuple[int, list]:
    client.force_login(viewer)
    response = client.post(reverse("pathways:caseload"), {"q": term})
    assert response.status_code == 200
    return response.context["page"].paginator.count, [p.pk for p in response.context["people"]]


def test_registration_writes_the_copies_and_every_write_that_moves_a_participant_keeps_them(
    coach, unit_a1, unit_a2, unit_b1
):
    person = ParticipantFactory(actor=coach, unit=unit_a1, given_name="Siv", participant_ref="T-1")
    assert _copies(person) == _own(person) and len(_own(person)) == 1
    # a write that passes the services by (a bulk update, an operator's SQL) moves it
    Participant.objects.filter(pk=person.pk).update(unit=unit_a2, participant_ref="T-2")
    assert _copies(person) == _own(person)
    assert _copies(person) == {(unit_a2.organisation_id, unit_a2.pk, "T-2")}
    # another organisation too
    Participant.objects.filter(pk=person.pk).update(organisation=unit_b1.organisation, unit=unit_b1)
    assert _copies(person) == _own(person)
    # a service's save of every column, with a new name: the tokens rewritten, copies and all
    person = Participant.objects.get(pk=person.pk)
    services.participant_update(actor=None, participant=person, given_name="Sally")
    assert _copies(person) == _own(person)
    # and other participants' tokens are left as they were
    other = ParticipantFactory(actor=coach, unit=unit_a1, given_name="Siv", participant_ref="T-3")
    Participant.objects.filter(pk=person.pk).update(participant_ref="T-4")
    assert _copies(other) == {(unit_a1.organisation_id, unit_a1.pk, "T-3")}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the import writer's replica mode is PostgreSQL's"
)
def test_the_copies_follow_in_the_import_writers_replica_mode(coach, unit_a1, unit_a2):
    person = ParticipantFactory(actor=coach, unit=unit_a1, given_name="Rut")
    with transaction.atomic(), connection.cursor() as cursor:
        # the import's writer turns ordinary triggers off (decision 40)
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE pathways_participant SET unit_id = %s WHERE id = %s", [unit_a2.pk, person.pk]
        )
    assert _copies(person) == {(unit_a2.organisation_id, unit_a2.pk, person.participant_ref)}


def test_the_search_from_the_tokens_keeps_to_each_viewers_scope(
    client,
    coordinator,
    coach,
    other_unit_coach,
    other_org_coordinator,
    no_role_user,
    unit_a1,
    unit_a2,
    unit_b1,
):
    # given Ekbackas in both units of A and in B, in no particular order of reference
    for n in range(9):
        unit = (unit_a1, unit_a2, unit_b1)[n % 3]
        ParticipantFactory(unit=unit, family_name="Ekbacka", participant_ref=f"E-{(n * 5) % 9}")
    ParticipantFactory(unit=unit_a1, family_name="Ekholm", participant_ref="E-9")
    # then each viewer's keys are those of their own list, in its order
    for viewer, holders in [
        (coordinator, 6),
        (coach, 3),
        (other_unit_coach, 3),
        (other_org_coordinator, 3),
    ]:
        listed = _listed(viewer, "ekbacka")
        assert len(listed) == holders
        assert _keys(viewer, "ekbacka") == listed
        assert _shown(client, viewer, "ekbacka") == (holders, listed)
    # a coach's own unit within the organisation's list, and a unit filter
    assert set(_keys(coach, "ekbacka")).isdisjoint(_keys(other_unit_coach, "ekbacka"))
    assert _keys(coordinator, "ekbacka", unit=unit_a2.pk) == _listed(
        coordinator, "ekbacka", unit=unit_a2.pk
    )
    assert _keys(coordinator, "ekbacka", organisation=unit_b1.organisation_id) == []
    # two words: both must begin a word of the name
    assert _keys(coordinator, "ekb ekh") == [] and _keys(coordinator, "ekh") == _listed(
        coordinator, "ekh"
    )
    # no role: nothing
    assert _keys(no_role_user, "ekbacka") == []


def test_an_erased_participant_is_neither_counted_nor_shown(client, coach, unit_a1):
    kept, erased = (
        ParticipantFactory(actor=coach, unit=unit_a1, given_name="Ines", participant_ref=ref)
        for ref in ("I-1", "I-2")
    )
    participant_erase(actor=coach, participant=erased, reason="request")
    assert _keys(coach, "ines") == [kept.pk]
    assert _shown(client, coach, "ines") == (1, [kept.pk])


def test_shared_participants_are_found_by_the_participants_walk_until_the_consent_is_withdrawn(
    client, coordinator, org_a, unit_a1, unit_b1
):
    # given a participant of B who shares with A, and one of A, of the same name
    mine = ParticipantFactory(unit=unit_a1, given_name="Vera", participant_ref="V-1")
    shared = ParticipantFactory(unit=unit_b1, given_name="Vera", participant_ref="V-2")
    consent = ConsentFactory(participant=shared, sharing=True, shared_with=[org_a])
    # then the tokens cannot say (they know B, not the consent) and the list is walked
    assert _keys(coordinator, "vera") is None
    assert _shown(client, coordinator, "vera") == (2, [mine.pk, shared.pk])
    # when the consent is withdrawn, the tokens answer, with A's participant alone
    services.consent_withdraw(actor=None, consent=consent)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # a new request's user
    assert _keys(coordinator, "vera") == [mine.pk]
    assert _shown(client, coordinator, "vera") == (1, [mine.pk])


def test_where_the_tokens_cannot_say_the_list_is_walked_as_before(
    settings, client, coordinator, unit_a1
):
    people = [
        ParticipantFactory(unit=unit_a1, given_name="Olga", participant_ref=f"O-{n}")
        for n in range(3)
    ]
    expected = [p.pk for p in people]
    # a filter the tokens do not hold, a reference, a word too short to look up
    assert _keys(coordinator, "olga", status="active") is None
    assert _keys(coordinator, "O-1") is None
    assert _keys(coordinator, "o") is None
    # a key rotation under way: each word has a digest under either key
    settings.EMPLUS_SEARCH_KEYS = ["a-new-key-first-for-tests", *settings.EMPLUS_SEARCH_KEYS]
    assert _keys(coordinator, "olga") is None
    assert _shown(client, coordinator, "olga") == (3, expected)


def test_the_caseload_and_the_api_count_and_page_a_search_from_the_tokens_alone(
    client, coordinator, unit_a1
):
    for n in range(5):
        ParticipantFactory(unit=unit_a1, given_name="Harriet", participant_ref=f"H-{n}")
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("pathways:caseload"), {"q": "harriet"})
    assert response.context["page"].paginator.count == 5
    # the search's count and page keys: one statement on the tokens, no participant read
    (counted,) = [q["sql"] for q in queries if "counted AS" in q["sql"]]
    assert TOKENS in counted and PARTICIPANTS not in counted
    # the API's list of a search: counted on the tokens, its rows those of the list
    token = client.post(reverse("api:participant-search"), {"q": "harriet"}).json()["search"]
    with CaptureQueriesContext(connection) as queries:
        listed = client.get(reverse("api:participant-list"), {"search": token}).json()
    assert listed["count"] == 5
    assert [row["participant_ref"] for row in listed["results"]] == [f"H-{n}" for n in range(5)]
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all(PARTICIPANTS not in sql for sql in counts)


@pytest.mark.django_db(transaction=True)
def test_an_upgrade_fills_the_copies_of_the_tokens_already_stored(coach, unit_a1):
    # given a participant indexed before the copies existed (migration 0020's tokens, written
    # by migration 0006's function as an upgrade from before would have them)
    person = ParticipantFactory(
        actor=coach, unit=unit_a1, family_name="Dahl", participant_ref="M-1"
    )
    before = ("pathways", "0020_caseload_order_version")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("pathways")
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([before])
        old_apps = executor.loader.project_state(before).apps
        old_apps.get_model("pathways", "ParticipantNameToken").objects.all().delete()
        indexing = __import__(
            "emplus.pathways.migrations.0006_participant_name_index", fromlist=["index_existing"]
        )
        indexing.index_existing(old_apps, None)
    finally:
        # when the upgrade runs
        MigrationExecutor(connection).migrate(latest)
    # then the tokens hold the copies, the search finds the name, and the copies follow again
    assert _copies(person) == _own(person)
    assert _listed(coach, "dahl") == [person.pk] == _keys(coach, "dahl")
    Participant.objects.filter(pk=person.pk).update(participant_ref="M-2")
    assert _copies(person) == _own(person)
