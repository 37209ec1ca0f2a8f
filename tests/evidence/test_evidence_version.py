"""The evidence reports kept under a version the database keeps (decision 74): after every kind
of write, committed as in production, the next view of each page equals a computation from
scratch; a view with nothing written counts no table; the load test's own writes move nothing.
PostgreSQL keeps the version (triggers, `evidence` migration 0002); SQLite and a view inside a
transaction use the fingerprint, and the same assertions hold there."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from tests.conftest import import_basis
from tests.evidence.test_progression_cache import (  # noqa: F401 - the fixtures
    _assess,
    _enrolment,
    _new_step,
    _rounded,
    _shown,
    data,
    instrument,
)
from tests.factories import PASSWORD
from tests.pathways.test_importing import row, run

from emplus.core.kept import KEPT_CACHE
from emplus.evidence import selectors
from emplus.evidence.selectors import IndicatorFilters, indicator_report, progression_report
from emplus.pathways import services
from emplus.pathways.evidence_adapter import participant_frame_tables
from emplus.pathways.models import (
    FollowUp,
    Instrument,
    InstrumentReliability,
    Participant,
)
from emplus.pathways.rights import participant_erase

pytestmark = pytest.mark.django_db(transaction=True)

KEEPS_VERSION = connection.vendor == "postgresql"


@pytest.fixture
def complete(data) -> None:  # noqa: F811 - the imported fixture
    """The progression's data with every core datum (isced, months unemployed), so that the
    indicators count its participants."""
    Participant.objects.update(isced=3, unemployed_months=14)


def _requests(unit_a1) -> list[tuple[str, str, IndicatorFilters]]:
    """(page, grouping, filters): whole organisations and blocks (the kept frames and the
    special rule's cells) and a unit's own rows, on both pages."""
    whole, narrow = IndicatorFilters(), IndicatorFilters(unit=unit_a1.pk)
    return [
        ("indicators", "", whole),
        ("indicators", "", narrow),
        ("progression", "organisation", whole),
        ("progression", "phase", whole),
        ("progression", "organisation", narrow),
    ]


def _pages(viewer, requests) -> list[dict]:
    return [
        indicator_report(viewer=viewer, filters=filters).to_dict()
        if page == "indicators"
        else _shown(progression_report(viewer=viewer, filters=filters, group_by=group_by))
        for page, group_by, filters in requests
    ]


def _fresh(viewer, requests) -> list[dict]:
    caches[KEPT_CACHE].clear()  # the kept reports and frames
    return _pages(viewer, requests)


def _ref(ref: str) -> Participant:
    return Participant.objects.get(participant_ref=ref)


def _new_participant(actor) -> None:
    other = _ref("K0")
    registration = services.participant_register(
        actor=actor,
        organisation=other.organisation,
        unit=other.unit,
        participant_ref="K-NEW",
        birth_date=date(1960, 1, 1),
        gender="man",
        municipality=other.municipality,
        lm_status_entry="inactive",
        isced=5,
    )
    services.enrolment_start(
        actor=actor, participant=registration.participant, entry_date=date(2025, 4, 1)
    )


def _exit(actor, ref: str = "K2") -> None:
    services.enrolment_exit(
        actor=actor,
        enrolment=_enrolment(ref),
        exit_date=date(2025, 10, 1),
        reason="job",
        employed=True,
    )


def _new_enrolment(actor) -> None:  # a second enrolment of a participant who left
    _exit(actor, "K3")
    services.enrolment_start(actor=actor, participant=_ref("K3"), entry_date=date(2025, 11, 1))


def _assessment(actor) -> None:
    _assess(
        actor, _enrolment("K1"), Instrument.objects.get(code="AAA-KEPT"), date(2025, 11, 1), 10, 10
    )


def _follow_up(actor) -> None:  # the exit written and viewed before (see the test)
    services.followup_record(
        actor=actor,
        follow_up=FollowUp.objects.get(enrolment__participant__participant_ref="K4"),
        observed_on=date(2026, 4, 10),
        employed=True,
        improved=True,
    )


def _erasure(actor) -> None:
    participant_erase(actor=actor, participant=_ref("K5"))


def _consent_withdrawn(actor) -> None:
    consent = _ref("K4").consents.latest("created_at")
    services.consent_withdraw(actor=actor, consent=consent)


def _import(actor) -> None:  # on PostgreSQL by COPY, in the writer's replica mode
    org = _ref("K0").organisation
    result = run(
        actor, org, [row("IMP-1", exit_date="2025-03-01"), row("IMP-2")], basis=import_basis()
    )
    assert result.ok, result.errors


def _entry_data_past_the_services(actor) -> None:  # no `updated_at` moved (decision 45)
    Participant.objects.filter(participant_ref__in=["K0", "K1"]).update(isced=8, gender="woman")


WRITES = {
    "new participant": _new_participant,
    "new enrolment": _new_enrolment,
    "step": _new_step,
    "assessment": _assessment,
    "exit": _exit,
    "follow-up": _follow_up,
    "erasure": _erasure,
    "consent withdrawn": _consent_withdrawn,
    "import": _import,
}
# Writes that move no `updated_at` and no number of rows: the fingerprint does not see them,
# the version does. The kept frames of a request of whole blocks still find changed rows by
# their `updated_at` (decisions 51 and 55), so these are tested on requests that read their
# own rows.
PAST_THE_SERVICES = {
    "entry data by update()": _entry_data_past_the_services,
}
# The writes that move a number of a page (an erasure keeps what the indicators count).
MOVES_NUMBERS = {
    "new participant",
    "new enrolment",
    "step",
    "assessment",
    "exit",
    "follow-up",
    "import",
}
# What no report reads: the version stays, and the kept reports with it.
NOT_READ = {"consent withdrawn"}


@pytest.mark.usefixtures("complete")
@pytest.mark.parametrize("write", list(WRITES))
def test_every_kind_of_write_is_seen_at_the_next_view(coach, coordinator, unit_a1, write):
    if write == "follow-up":
        _exit(coach, "K4")  # the follow-up's exit, seen before the follow-up is written
    requests = _requests(unit_a1)
    # given the reports viewed and kept
    before = _pages(coordinator, requests)
    version = selectors.evidence_data_version()
    # when the data is written, committed
    WRITES[write](coach)
    # then the version moved where the database keeps one, and every page equals a report
    # computed from scratch
    moved = selectors.evidence_data_version() != version
    assert moved is (KEEPS_VERSION and write not in NOT_READ)
    after = _pages(coordinator, requests)
    assert after == _fresh(coordinator, requests)
    if write in MOVES_NUMBERS:
        assert after != before
    if write in NOT_READ:
        # equal but for the last bits of a float (the rows may come in another order)
        assert _rounded(after) == _rounded(before)


@pytest.mark.skipif(not KEEPS_VERSION, reason="SQLite keeps no version")
@pytest.mark.usefixtures("complete")
@pytest.mark.parametrize("write", list(PAST_THE_SERVICES))
def test_a_write_past_the_services_is_seen_at_the_next_view(coach, coordinator, unit_a1, write):
    narrow = IndicatorFilters(unit=unit_a1.pk)
    requests = [("indicators", "", narrow), ("progression", "organisation", narrow)]
    before = _pages(coordinator, requests)
    PAST_THE_SERVICES[write](coach)
    after = _pages(coordinator, requests)
    assert after == _fresh(coordinator, requests)
    assert after[0] != before[0]


@pytest.mark.usefixtures("complete")
def test_a_view_with_nothing_written_counts_no_table(coordinator, unit_a1, monkeypatch):
    requests = _requests(unit_a1)
    first = _pages(coordinator, requests)
    for name in ("_indicator_report", "_progression_report"):
        monkeypatch.setattr(selectors, name, lambda **kw: pytest.fail("computed again"))
    with CaptureQueriesContext(connection) as queries:
        again = _pages(coordinator, requests)
    assert again == first
    statements = [q["sql"] for q in queries]
    counted = [sql for sql in statements if "count(*)" in sql.lower()]
    versions = [sql for sql in statements if "evidence_evidencedataversion" in sql]
    if KEEPS_VERSION:  # one sum per view in place of the tables' figures
        assert counted == [] and len(versions) == len(requests)
    else:  # the fingerprint, one query per view
        assert len(counted) == len(requests) and versions == []


@pytest.mark.skipif(not KEEPS_VERSION, reason="SQLite keeps no version")
@pytest.mark.usefixtures("complete")
def test_the_version_moves_once_per_committed_write_and_not_with_the_page_views(
    client, coordinator, coach, unit_a1
):
    person = _ref("K0")
    version = selectors.evidence_data_version()
    # the load test's own writes (log-in, session, audit events, a search token, the pages
    # themselves, which may keep the reliability statistics) leave it
    assert client.post("/accounts/login/", {"username": coach.username, "password": PASSWORD})
    client.force_login(coordinator)
    client.post("/participants/", {"q": "K0"})
    assert client.get(f"/participants/{person.pk}/").status_code == 200
    for page in ("/evidence/indicators/", "/evidence/progression/"):
        assert client.get(page).status_code == 200
    InstrumentReliability.objects.update(statistics=None, computed_version=None)
    assert selectors.evidence_data_version() == version
    # one committed transaction of several statements moves it once
    with transaction.atomic():
        person.save()
        _enrolment("K0").save()
    moved = selectors.evidence_data_version()
    assert moved != version
    assert int(moved.split(":")[1]) == int(version.split(":")[1]) + 1
    # a rolled-back one does not
    with pytest.raises(RuntimeError), transaction.atomic():
        Participant.objects.filter(pk=person.pk).update(isced=1)
        raise RuntimeError
    assert selectors.evidence_data_version() == moved
    # and inside a transaction there is none: its own writes could still be rolled back
    with transaction.atomic():
        assert selectors.evidence_data_version() is None


@pytest.mark.skipif(not KEEPS_VERSION, reason="SQLite keeps no version")
def test_every_table_the_fingerprints_count_is_watched():
    """What the reports read moves the version: the tables of the fingerprints (the participant
    frame's, the progression report's by every grouping) and of the scope have a trigger."""
    read = {model._meta.db_table for model in participant_frame_tables()}
    for group_by in selectors.PROGRESSION_GROUPS:
        read |= {model._meta.db_table for model, _ in selectors.progression_tables(group_by)}
    read |= {"organisations_unit", "geo_municipality"}  # evidence_participants' filters
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger "
            "WHERE tgname LIKE %s AND tgenabled = 'A'",
            ["%_evidence_version"],
        )
        watched = {table for (table,) in cursor.fetchall()}
    assert read <= watched, read - watched
    migration = importlib.import_module("emplus.evidence.migrations.0002_evidence_data_version")
    assert len(watched) == len(migration.WATCHED)
