"""Data-subject rights: the export holds everything about one person, erasure removes identity
but leaves the ESF+ indicators unchanged, and retention anonymises at the right day."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.http import Http404
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tests.conftest import make_user

from emplus.core.audit import audit_verify
from emplus.core.models import AuditEvent
from emplus.evidence_core.indicators import compute_indicators
from emplus.geo.models import Municipality
from emplus.pathways import rights, selectors, services
from emplus.pathways.evidence_adapter import participant_frame
from emplus.pathways.models import Goal, Instrument, Participant, PathwayEvent, PathwayStep

pytestmark = pytest.mark.django_db


def personnummer(birth: date, serial: int) -> str:
    """A generated, checksum-valid number for tests only (YYYYMMDD-NNNC)."""
    digits = f"{birth:%y%m%d}{serial:03d}"
    total = 0
    for i, ch in enumerate(digits):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{birth:%Y%m%d}-{serial:03d}{(10 - total % 10) % 10}"


def build(
    actor,
    org,
    unit,
    ref,
    *,
    birth=date(1990, 1, 1),
    entry=date(2024, 2, 1),
    exit_on=date(2024, 9, 30),
    serial=1,
    **values,
):
    """A participant with consent, an enrolment, a step, an event, a goal, two assessments,
    an exit and a recorded follow-up."""
    special = values.get("special_category_basis") == "consent"
    participant = services.participant_register(
        actor=actor,
        organisation=org,
        unit=unit,
        participant_ref=ref,
        personal_id=personnummer(birth, serial),
        given_name="Ingrid",
        family_name="Svensdotter",
        phone="070-1234567",
        email="ingrid@example.org",
        address="Storgatan 1, Umeå",
        gender=values.pop("gender", "woman"),
        municipality=Municipality.objects.get(code="2480"),
        lm_status_entry=values.pop("lm_status_entry", "unemployed"),
        unemployed_months=values.pop("unemployed_months", 14),
        isced=values.pop("isced", 2),
        citizenship=values.pop("citizenship", "SE"),
        **values,
    ).participant
    services.consent_record(
        actor=actor,
        participant=participant,
        information_version="2026-1",
        given_on=entry,
        case_work=True,
        statistics=True,
        follow_up=True,
        special_categories=special,  # disability and minority stay only on consent covering them
    )
    enrolment = services.enrolment_start(actor=actor, participant=participant, entry_date=entry)
    services.step_record(
        actor=actor,
        enrolment=enrolment,
        phase="prepare",
        activity="CV workshop with Ingrid at Storgatan",
        started_on=entry,
        hours=6,
    )
    services.event_record(
        actor=actor,
        enrolment=enrolment,
        kind="placement_started",
        occurred_on=entry + timedelta(days=30),
        note="Placement at Ingrid's uncle's bakery",
    )
    services.goal_record(actor=actor, enrolment=enrolment, description="Ingrid wants to drive")
    instrument = Instrument.objects.get(code="VAGEN")
    codes = list(instrument.dimensions.values_list("code", flat=True))
    for day, value in ((entry, 3), (exit_on or entry + timedelta(days=60), 7)):
        services.assessment_record(
            actor=actor,
            enrolment=enrolment,
            instrument=instrument,
            assessed_on=day,
            scores=dict.fromkeys(codes, value),
        )
    if exit_on is not None:
        services.enrolment_exit(
            actor=actor,
            enrolment=enrolment,
            exit_date=exit_on,
            reason="job",
            job_searching=False,
            employed=True,
            qualification=True,
        )
        services.followup_record(
            actor=actor,
            follow_up=enrolment.follow_up,
            observed_on=exit_on + timedelta(days=183),
            employed=True,
            improved=None,
        )
    return participant


# --- export ---------------------------------------------------------------------------------


def test_export_holds_everything_about_the_person_and_is_audited(
    coordinator, coach, org_a, unit_a1
):
    # given
    participant = build(
        coach, org_a, unit_a1, "A-1", disability="yes", special_category_basis="consent"
    )
    # when
    data = rights.participant_export_data(actor=coordinator, participant=participant)
    # then
    text = json.dumps(data, default=str)
    assert data["identity"]["personal_id"] == "199001010017"
    assert data["identity"]["given_name"] == "Ingrid"
    assert data["contact"]["email"] == "ingrid@example.org"
    assert data["special_categories"]["disability"] == "yes"
    assert data["consents"][0]["statistics"] is True
    assert data["consents"][0]["legal_basis"] == "consent"  # the recorded basis goes with it
    (enrolment,) = data["enrolments"]
    assert enrolment["steps"][0]["activity"].startswith("CV workshop")
    assert enrolment["events"][0]["note"].startswith("Placement")
    assert enrolment["goals"][0]["description"] == "Ingrid wants to drive"
    assert [a["scores"][0]["value"] for a in enrolment["assessments"]] == [3, 7]
    assert len(enrolment["assessments"][0]["scores"]) == 9
    assert enrolment["follow_up"]["employed"] is True
    assert enrolment["situation_upon_leaving"]["employed"] is True
    actions = [e["action"] for e in data["audit_events"]]
    assert actions[0] == "participant.created"
    assert actions[-1] == "participant.rights_exported"
    assert "Svensdotter" in text


def test_export_of_another_organisations_participant_is_404(coach, org_a, unit_a1, org_b, unit_b1):
    participant = build(coach, org_a, unit_a1, "A-1")
    other_coordinator = make_user("coord-b", org_b, "coordinator")
    with pytest.raises(Http404):
        rights.participant_for_rights(viewer=other_coordinator, pk=participant.pk)


# --- erasure --------------------------------------------------------------------------------

AS_OF = date(2026, 1, 15)


def _indicators(org):
    result = compute_indicators(
        participant_frame(Participant.objects.filter(organisation=org)), as_of=AS_OF
    )
    return result.participants.as_dict(), [row.as_dict() for row in result.indicators]


def test_erasure_keeps_every_indicator_total_and_removes_the_identity(
    coach, coordinator, org_a, unit_a1
):
    # given a varied caseload, with ages on the indicator boundaries at entry
    people = [
        build(coach, org_a, unit_a1, "A-1"),
        build(
            coach,
            org_a,
            unit_a1,
            "A-2",
            birth=date(1994, 2, 2),  # 29 at entry on 2024-02-01, 30 the next day
            serial=2,
            gender="man",
            disability="yes",
            minority="yes",
            special_category_basis="consent",
            citizenship="SY",
            born_abroad=True,
            homeless=True,
        ),
        build(
            coach,
            org_a,
            unit_a1,
            "A-3",
            birth=date(2006, 2, 2),  # 17 at entry
            serial=3,
            lm_status_entry="inactive",
            unemployed_months=None,
            isced=1,
        ),
        build(
            coach,
            org_a,
            unit_a1,
            "A-4",
            birth=date(1968, 2, 29),
            entry=date(2023, 3, 1),  # 55 on the day (29 February counts from 1 March)
            exit_on=date(2023, 8, 1),
            serial=4,
            isced=6,
        ),
        build(coach, org_a, unit_a1, "A-5", birth=date(1985, 5, 5), serial=5, exit_on=None),
    ]
    before = _indicators(org_a)
    assert before[0]["reportable"] == 5
    totals = {row["code"]: row["total"] for row in before[1]}
    # the boundary cases count where they should, so a shifted birth date would show
    assert (totals["EECO06"], totals["EECO07"], totals["EECO08"]) == (1, 1, 1)
    assert (totals["EECO12"], totals["EECO15"], totals["EECO13"]) == (1, 1, 1)
    assert totals["EECR04"] > 0 and totals["EECR05"] > 0
    old = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, given_name, family_name, personal_id, phone, email, address "
            "FROM pathways_participant"
        )
        for row in cursor.fetchall():
            old[str(row[0]).replace("-", "")] = row[1:]
    # when
    for person in people[:4]:
        rights.participant_erase(actor=coordinator, participant=person)
    # then the indicators are identical
    assert _indicators(org_a) == before
    # and the identity is gone: no old ciphertext anywhere, no pseudonym, empty names
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, given_name, family_name, personal_id, phone, email, address, pseudonym, "
            "participant_ref FROM pathways_participant WHERE erased_at IS NOT NULL"
        )
        erased_rows = cursor.fetchall()
    assert len(erased_rows) == 4
    all_old_ciphertexts = {value for values in old.values() for value in values if value}
    for row in erased_rows:
        assert not set(row[1:7]) & all_old_ciphertexts
        assert row[3] is None and row[7] is None
        assert row[8].startswith("erased-") and row[8] not in {"A-1", "A-2", "A-3", "A-4"}
    for person in Participant.objects.filter(erased_at__isnull=False):
        assert (person.given_name, person.family_name, person.phone, person.email) == ("",) * 4
        assert person.address == ""
    # the birth date keeps only the age at entry (34 on 2024-02-01)
    people[0].refresh_from_db()
    assert people[0].birth_date == date(1990, 2, 1)
    # free text is gone, the dates stay
    erased = Participant.objects.filter(erased_at__isnull=False)
    assert set(
        PathwayStep.objects.filter(enrolment__participant__in=erased).values_list(
            "activity", flat=True
        )
    ) == {""}
    assert set(
        PathwayEvent.objects.filter(enrolment__participant__in=erased).values_list(
            "note", flat=True
        )
    ) == {""}
    assert set(
        Goal.objects.filter(enrolment__participant__in=erased).values_list("description", flat=True)
    ) == {""}
    # the one not erased keeps everything
    kept = Participant.objects.get(pk=people[4].pk)
    assert kept.given_name == "Ingrid" and kept.personal_id
    # the erasure is in the audit log, whose chain still holds
    assert AuditEvent.objects.filter(action="participant.erased").count() == 4
    assert audit_verify() == []


def test_erased_participant_is_no_longer_readable_nor_known_elsewhere(
    coach, coordinator, other_org_coach, org_a, unit_a1, org_b, unit_b1
):
    # given
    participant = build(coach, org_a, unit_a1, "A-1")
    # when
    rights.participant_erase(actor=coordinator, participant=participant)
    # then the pages' selectors do not find it, and registering the same person elsewhere
    # no longer reveals that organisation A knew them
    with pytest.raises(Http404):
        selectors.participant_get(viewer=coordinator, pk=participant.pk)
    with pytest.raises(Http404):
        rights.participant_for_rights(viewer=coordinator, pk=participant.pk)
    result = services.participant_register(
        actor=other_org_coach,
        organisation=org_b,
        unit=unit_b1,
        participant_ref="B-1",
        personal_id=personnummer(date(1990, 1, 1), 1),
    )
    assert result.known_elsewhere == []


def test_erasing_twice_changes_nothing(coach, coordinator, org_a, unit_a1):
    participant = build(coach, org_a, unit_a1, "A-1")
    first = rights.participant_erase(actor=coordinator, participant=participant)
    ref, erased_at = first.participant_ref, first.erased_at
    second = rights.participant_erase(actor=coordinator, participant=participant)
    assert (second.participant_ref, second.erased_at) == (ref, erased_at)
    assert AuditEvent.objects.filter(action="participant.erased").count() == 1


@given(
    birth=st.dates(date(1920, 1, 1), date(2010, 12, 31)),
    offsets=st.lists(st.integers(0, 365 * 60), min_size=0, max_size=4),
)
@hypothesis_settings(max_examples=300, deadline=None)
def test_generalised_birth_date_keeps_the_age_at_every_entry(birth, offsets):
    entries = [birth + timedelta(days=5000 + o) for o in offsets]
    generalised = rights.generalised_birth_date(birth, entries)
    for entry in entries:
        assert rights._age(entry, generalised) == rights._age(entry, birth)
    if not entries:
        assert generalised == date(birth.year, 1, 1)


# --- retention ------------------------------------------------------------------------------


@override_settings(EMPLUS_RETENTION_YEARS=5)
def test_retention_anonymises_the_day_after_five_years_not_before(coach, org_a, unit_a1):
    # given one exit exactly five years before "today", one a day earlier, one still open
    build(coach, org_a, unit_a1, "ON-BOUNDARY", entry=date(2020, 1, 1), exit_on=date(2021, 3, 15))
    build(
        coach,
        org_a,
        unit_a1,
        "ONE-DAY-OVER",
        entry=date(2020, 1, 1),
        exit_on=date(2021, 3, 14),
        serial=2,
    )
    build(coach, org_a, unit_a1, "OPEN", entry=date(2020, 1, 1), exit_on=None, serial=3)
    out = StringIO()
    # when: a dry run first
    call_command("apply_retention", "--dry-run", "--today", "2026-03-15", stdout=out)
    # then nothing changes
    assert "due 1;" in out.getvalue() and "anonymised 0;" in out.getvalue()
    assert not Participant.objects.filter(erased_at__isnull=False).exists()
    # when for real
    call_command("apply_retention", "--today", "2026-03-15", stdout=StringIO())
    # then only the one past the period is anonymised
    remaining = set(
        Participant.objects.filter(erased_at__isnull=True).values_list("participant_ref", flat=True)
    )
    assert remaining == {"ON-BOUNDARY", "OPEN"}
    # and running again the same day changes nothing
    events = AuditEvent.objects.count()
    again = StringIO()
    call_command("apply_retention", "--today", "2026-03-15", stdout=again)
    assert AuditEvent.objects.count() == events
    assert "due 0;" in again.getvalue() and "already anonymised 1" in again.getvalue()
    # the next day the boundary case is due too
    call_command("apply_retention", "--today", "2026-03-16", stdout=StringIO())
    assert set(
        Participant.objects.filter(erased_at__isnull=True).values_list("participant_ref", flat=True)
    ) == {"OPEN"}


def test_retention_years_come_from_settings(coach, org_a, unit_a1, settings):
    settings.EMPLUS_RETENTION_YEARS = 1
    build(coach, org_a, unit_a1, "A-1", entry=date(2024, 1, 1), exit_on=date(2024, 6, 1))
    result = rights.retention_apply(today=date(2025, 6, 2))
    assert (result.due, result.erased) == (1, 1)


def test_retention_rejects_a_bad_date(db):
    with pytest.raises(CommandError):
        call_command("apply_retention", "--today", "15/03/2026", stdout=StringIO())


# --- pages ----------------------------------------------------------------------------------


def _rights_urls(participant):
    base = f"/participants/rights/{participant.pk}/"
    return [base, f"{base}export/", f"{base}export.json"]


def test_rights_pages_role_matrix(
    client, coach, coordinator, analyst, no_role_user, org_a, unit_a1, org_b
):
    # given
    participant = build(coach, org_a, unit_a1, "A-1")
    other_coordinator = make_user("coord-b", org_b, "coordinator")
    urls = ["/participants/rights/", *_rights_urls(participant)]
    # then anonymous users go to the log-in page
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # coaches, analysts and users without a role are refused
    for user in (no_role_user, coach, analyst):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
    # another organisation's coordinator does not find the person
    client.force_login(other_coordinator)
    for url in _rights_urls(participant):
        assert client.get(url).status_code == 404
    # the owning organisation's coordinator does
    client.force_login(coordinator)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_json_export_is_a_download_named_by_record_id(client, coach, coordinator, org_a, unit_a1):
    participant = build(coach, org_a, unit_a1, "A-1")
    client.force_login(coordinator)
    response = client.get(f"/participants/rights/{participant.pk}/export.json")
    assert response["Content-Type"].startswith("application/json")
    assert f"participant-{participant.pk}.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["identity"]["family_name"] == "Svensdotter"
    page = client.get(f"/participants/rights/{participant.pk}/export/").content.decode()
    assert "Svensdotter" in page and "199001010017" in page
    assert AuditEvent.objects.filter(action="participant.rights_exported").count() == 2


def test_lookup_by_reference_uses_post_and_finds_only_own_organisation(
    client, coach, coordinator, org_a, unit_a1, other_org_coach, org_b, unit_b1
):
    mine = build(coach, org_a, unit_a1, "A-1")
    build(other_org_coach, org_b, unit_b1, "B-1", serial=2)
    client.force_login(coordinator)
    found = client.post("/participants/rights/", {"participant_ref": "A-1"})
    assert found.status_code == 302 and str(mine.pk) in found["Location"]
    missing = client.post("/participants/rights/", {"participant_ref": "B-1"})
    assert missing.status_code == 200
    assert b'role="alert"' in missing.content


def test_erasure_needs_the_reference_typed_and_a_post(client, coach, coordinator, org_a, unit_a1):
    participant = build(coach, org_a, unit_a1, "A-1")
    url = f"/participants/rights/{participant.pk}/erase/"
    client.force_login(coach)
    assert client.post(url, {"confirm_ref": "A-1"}).status_code == 403
    client.force_login(coordinator)
    assert client.get(url).status_code == 405
    wrong = client.post(url, {"confirm_ref": "A-2"})
    assert wrong.status_code == 400
    participant.refresh_from_db()
    assert participant.erased_at is None
    done = client.post(url, {"confirm_ref": "A-1"})
    assert done.status_code == 302 and done["Location"] == "/participants/rights/"
    participant.refresh_from_db()
    assert participant.erased_at is not None and participant.given_name == ""
    # afterwards the rights pages no longer find the person
    assert client.get(f"/participants/rights/{participant.pk}/").status_code == 404
