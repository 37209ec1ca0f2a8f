"""The self-service API: links (the address returned once), hours, attestations, and the
endpoint of the offline queue (saved once per key, conflicts returned, scope kept)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from emplus.pathways.models import Assessment, PathwayEvent
from emplus.selfservice.models import MonthlyTime, OfflineEntry, SelfServiceLink, TimeAttestation
from tests.selfservice.conftest import form_scores

pytestmark = pytest.mark.django_db

SYNC = "/api/offline-entries/"


def _entry(participant, instrument, **overrides):
    body = {
        "key": str(uuid.uuid4()),
        "kind": "assessment",
        "participant": str(participant.pk),
        "enrolment": str(participant.enrolments.get().pk),
        "base": "",
        "data": {"assessed_on": "2025-05-02", **form_scores(instrument, 4)},
    }
    body.update(overrides)
    return body


def test_a_link_is_created_through_the_api_and_its_address_returned_once(
    client, coach, participant
):
    client.force_login(coach)
    response = client.post(
        "/api/selfservice-links/",
        {"participant": str(participant.pk), "purpose": "assessment", "valid_days": 3},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["url"].startswith("http://testserver/s/") and body["state"] == "pending"
    listed = client.get("/api/selfservice-links/").json()["results"]
    assert [item["id"] for item in listed] == [body["id"]] and "url" not in listed[0]
    revoked = client.post(f"/api/selfservice-links/{body['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"


def test_links_of_another_organisation_are_not_found(client, coach, other_org_coach, participant):
    client.force_login(coach)
    created = client.post(
        "/api/selfservice-links/",
        {"participant": str(participant.pk), "purpose": "assessment"},
        content_type="application/json",
    ).json()
    client.force_login(other_org_coach)
    assert client.get("/api/selfservice-links/").json()["results"] == []
    assert client.get(f"/api/selfservice-links/{created['id']}/").status_code == 404
    assert client.post(f"/api/selfservice-links/{created['id']}/revoke/").status_code == 404
    response = client.post(
        "/api/selfservice-links/",
        {"participant": str(participant.pk), "purpose": "assessment"},
        content_type="application/json",
    )
    assert response.status_code == 404 and SelfServiceLink.objects.count() == 1


def test_analysts_get_no_links_hours_or_queue(client, analyst, participant, instrument):
    client.force_login(analyst)
    for url in ["/api/selfservice-links/", "/api/monthly-times/", "/api/time-attestations/"]:
        assert client.get(url).status_code == 403, url
    response = client.post(SYNC, _entry(participant, instrument), content_type="application/json")
    assert response.status_code == 403


def test_hours_and_paper_attestations_through_the_api(client, coach, coordinator, participant):
    client.force_login(coach)
    set_hours = client.post(
        "/api/monthly-times/",
        {
            "participant": str(participant.pk),
            "month": "2025-03",
            "hours": "20.5",
            "base_version": 0,
        },
        content_type="application/json",
    )
    assert set_hours.status_code == 200 and set_hours.json()["status"] == "missing"
    stale = client.post(
        "/api/monthly-times/",
        {"participant": str(participant.pk), "month": "2025-03", "hours": "3", "base_version": 0},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["details"]["hours"] == "20.5"
    paper = client.post(
        "/api/time-attestations/",
        {"participant": str(participant.pk), "month": "2025-03", "paper_date": "2025-04-01"},
        content_type="application/json",
    )
    assert paper.status_code == 201 and paper.json()["still_valid"] is True
    client.force_login(coordinator)
    months = client.get("/api/monthly-times/?month=2025-03-01").json()["results"]
    assert [(m["hours"], m["status"]) for m in months] == [("20.5", "attested")]
    assert len(client.get("/api/time-attestations/").json()["results"]) == 1
    from emplus.core.models import AuditEvent

    listed = AuditEvent.objects.filter(action="monthly_time.listed_api").last()
    assert listed.details["participants"] == [str(participant.pk)]


def test_an_offline_entry_is_saved_once_whatever_the_number_of_sendings(
    client, coach, participant, instrument
):
    client.force_login(coach)
    body = _entry(participant, instrument)
    first = client.post(SYNC, body, content_type="application/json")
    assert first.status_code == 201 and first.json()["status"] == "saved"
    again = client.post(SYNC, body, content_type="application/json")
    assert again.status_code == 200 and again.json()["replay"] is True
    assert again.json()["id"] == first.json()["id"]
    assert Assessment.objects.count() == 1 and OfflineEntry.objects.count() == 1
    # the same key with other content is refused, not applied
    other = client.post(
        SYNC, {**body, "data": {**body["data"], "score_goal": "9"}}, content_type="application/json"
    )
    assert other.status_code == 422 and Assessment.objects.count() == 1


def test_an_offline_entry_that_meets_a_newer_record_is_a_conflict_until_forced(
    client, coach, participant, instrument
):
    client.force_login(coach)
    loaded = "2025-05-01T10:00:00+02:00"
    client.post(SYNC, _entry(participant, instrument), content_type="application/json")
    # an entry made on a form loaded before that assessment, for another day
    body = _entry(
        participant,
        instrument,
        base=loaded,
        data={"assessed_on": "2025-05-03", **form_scores(instrument)},
    )
    conflict = client.post(SYNC, body, content_type="application/json")
    assert conflict.status_code == 409 and conflict.json()["status"] == "conflict"
    assert Assessment.objects.count() == 1
    forced = client.post(SYNC, {**body, "force": True}, content_type="application/json")
    assert forced.status_code == 201 and Assessment.objects.count() == 2


def test_invalid_offline_entries_are_reported_with_their_errors(
    client, coach, participant, instrument
):
    client.force_login(coach)
    body = _entry(participant, instrument, data={"assessed_on": "2025-05-02"})
    response = client.post(SYNC, body, content_type="application/json")
    assert response.status_code == 422 and "score_goal" in response.json()["errors"]
    assert OfflineEntry.objects.count() == 0


def test_offline_events_and_hours(client, coach, participant):
    client.force_login(coach)
    event = {
        "key": str(uuid.uuid4()),
        "kind": "event",
        "participant": str(participant.pk),
        "enrolment": str(participant.enrolments.get().pk),
        "data": {"kind": "placement_started", "occurred_on": "2025-05-05", "note": ""},
    }
    assert client.post(SYNC, event, content_type="application/json").status_code == 201
    duplicate = {**event, "key": str(uuid.uuid4())}
    assert client.post(SYNC, duplicate, content_type="application/json").status_code == 409
    assert PathwayEvent.objects.count() == 1
    hours = {
        "key": str(uuid.uuid4()),
        "kind": "time_hours",
        "participant": str(participant.pk),
        "month": "2025-03",
        "base": "0",
        "data": {"hours": "12"},
    }
    assert client.post(SYNC, hours, content_type="application/json").status_code == 201
    assert MonthlyTime.objects.get().hours == 12
    # a paper attestation entered in a shell opened offline (no hours seen) asks first
    paper = {
        "key": str(uuid.uuid4()),
        "kind": "time_paper",
        "participant": str(participant.pk),
        "month": "2025-03",
        "base": "",
        "data": {"paper_date": "2025-04-02"},
    }
    asked = client.post(SYNC, paper, content_type="application/json")
    assert asked.status_code == 409 and asked.json()["details"]["hours"] == "12.0"
    forced = client.post(SYNC, {**paper, "force": True}, content_type="application/json")
    assert forced.status_code == 201 and TimeAttestation.objects.get().paper_date == date(
        2025, 4, 2
    )


def test_the_queue_cannot_reach_another_organisations_participant(
    client, other_org_coach, participant, instrument
):
    client.force_login(other_org_coach)
    response = client.post(SYNC, _entry(participant, instrument), content_type="application/json")
    assert response.status_code == 404 and Assessment.objects.count() == 0


def test_the_schema_describes_the_self_service_endpoints(client):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    for path in [
        "/api/selfservice-links/",
        "/api/selfservice-links/{id}/revoke/",
        "/api/monthly-times/",
        "/api/time-attestations/",
        "/api/offline-entries/",
    ]:
        assert path in schema["paths"], path
    responses = schema["paths"]["/api/offline-entries/"]["post"]["responses"]
    assert {"200", "201", "409", "422"} <= set(responses)
