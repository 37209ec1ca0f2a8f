"""Working-life API: scoped reads, one audit event per list, 404 outside the scope."""

from __future__ import annotations

from datetime import date

import pytest

from emplus.core.models import AuditEvent
from emplus.worklife import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def placement(coach, participant, employer):
    return services.placement_record(
        actor=coach,
        participant=participant,
        employer=employer,
        kind="study_visit",
        started_on=date(2025, 2, 3),
    )


def _rows(response):
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def test_employers_and_placements_for_the_coach(client, coach, employer, placement, participant):
    client.force_login(coach)
    employers = _rows(client.get("/api/employers/"))
    assert [e["organisation_number"] for e in employers] == ["556036-0793"]
    before = AuditEvent.objects.count()
    rows = _rows(client.get("/api/placements/"))
    assert [r["id"] for r in rows] == [str(placement.pk)]
    assert rows[0]["enrolment"] == str(participant.enrolments.get().pk)
    listed = AuditEvent.objects.filter(action="placement.listed_api")
    assert AuditEvent.objects.count() == before + 1 and listed.count() == 1
    assert client.get(f"/api/placements/{placement.pk}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="participant.viewed", target_id=str(participant.pk)
    ).exists()


def test_other_unit_and_organisation_reach_none(
    client, other_org_coach, other_unit_coach, employer, placement
):
    client.force_login(other_org_coach)
    assert _rows(client.get("/api/employers/")) == []
    assert client.get(f"/api/employers/{employer.pk}/").status_code == 404
    assert client.get(f"/api/placements/{placement.pk}/").status_code == 404
    client.force_login(other_unit_coach)
    assert _rows(client.get("/api/placements/")) == []
    assert client.get(f"/api/placements/{placement.pk}/").status_code == 404


def test_analyst_reads_no_placements(client, analyst, placement):
    client.force_login(analyst)
    assert client.get("/api/placements/").status_code == 403


def test_anonymous_is_refused(client, placement):
    assert client.get("/api/placements/").status_code in (401, 403)


def test_education_enrolments_scoped(client, coach, other_unit_coach, participant):
    education = services.education_record(
        actor=coach,
        participant=participant,
        provider_kind="folk_high_school",
        provider_name="Folkhögskolan",
        programme="Allmän kurs",
        started_on=date(2025, 2, 1),
        planned_end=date(2025, 6, 1),
    )
    client.force_login(coach)
    assert [r["id"] for r in _rows(client.get("/api/education-enrolments/"))] == [str(education.pk)]
    assert AuditEvent.objects.filter(action="education.listed_api").count() == 1
    client.force_login(other_unit_coach)
    assert _rows(client.get("/api/education-enrolments/")) == []
    assert client.get(f"/api/education-enrolments/{education.pk}/").status_code == 404
