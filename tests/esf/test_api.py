"""The ESF API: scoped like the pages, never an identity number, the schema stays valid."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
import yaml
from openapi_spec_validator import validate

from emplus.core.models import AuditEvent
from emplus.esf import report_core as core
from emplus.esf import services
from tests.esf.conftest import add_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_file(project, coordinator, org_a, unit_a1):
    add_participant(coordinator, org_a, unit_a1, "A1", date(2026, 1, 12))
    add_participant(coordinator, org_a, unit_a1, "N1", date(2026, 2, 3), personal_id=None)
    report_file = services.esf_report_generate(
        actor=coordinator, project=project, month=core.Month(2026, 1), today=date(2026, 3, 2)
    )
    return services.esf_report_mark_sent(actor=coordinator, report_file=report_file)


def test_projects_months_month_and_log_for_the_owners_coordinator(
    client, coordinator, project, sent_file
):
    client.force_login(coordinator)
    projects = client.get("/api/esf-projects/").json()
    assert [p["case_number"] for p in projects["results"]] == ["2026/00042"]
    assert projects["results"][0]["men_protected_form_set"] is False
    months = client.get(f"/api/esf-projects/{project.pk}/months/").json()
    assert months["months"][0]["month"] == "2026-01"
    assert months["months"][0]["state"] == "sent"
    month = client.get(f"/api/esf-projects/{project.pk}/months/2026-02/").json()
    assert [r["participant_ref"] for r in month["rows"]] == ["N1"]
    assert month["rows"][0]["identity_recorded"] is False
    assert [p["code"] for p in month["problems"]] == ["identity_missing"]
    log = client.get("/api/esf-report-files/", {"project": str(project.pk)}).json()
    assert log["results"][0]["file_sha256"] == sent_file.file_sha256
    assert log["results"][0]["sent_by"] == "coordinator-a"
    body = str(projects) + str(months) + str(month) + str(log)
    assert "199005" not in body  # no identity number anywhere


def test_download_through_the_api(client, coordinator, project, sent_file):
    client.force_login(coordinator)
    response = client.get(f"/api/esf-report-files/{sent_file.pk}/download/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert hashlib.sha256(response.content).hexdigest() == sent_file.file_sha256
    assert AuditEvent.objects.filter(action="esf_report.downloaded").exists()


@pytest.mark.parametrize("persona", ["other_org_coordinator", "mixed"])
def test_another_organisation_sees_nothing(request, client, persona, project, sent_file):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/esf-projects/").json()["results"] == []
    assert client.get("/api/esf-report-files/").json()["results"] == []
    for url in [
        f"/api/esf-projects/{project.pk}/",
        f"/api/esf-projects/{project.pk}/months/",
        f"/api/esf-projects/{project.pk}/months/2026-01/",
        f"/api/esf-report-files/{sent_file.pk}/",
        f"/api/esf-report-files/{sent_file.pk}/download/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("persona", ["coach", "analyst", "admin_user"])
def test_other_roles_are_forbidden(request, client, persona, project):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/esf-projects/").status_code == 403
    assert client.get(f"/api/esf-projects/{project.pk}/").status_code == 403


def test_malformed_ids_and_months_are_404_not_500(client, coordinator, project):
    client.force_login(coordinator)
    assert client.get("/api/esf-projects/not-a-uuid/").status_code == 404
    assert client.get(f"/api/esf-projects/{project.pk}/months/2026-1/").status_code == 404
    assert client.get(f"/api/esf-projects/{project.pk}/months/2026-13/").status_code == 404


def test_schema_stays_valid_and_lists_the_esf_endpoints(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    validate(schema)
    for path in [
        "/api/esf-projects/",
        "/api/esf-projects/{id}/months/",
        "/api/esf-projects/{id}/months/{month}/",
        "/api/esf-report-files/{id}/download/",
    ]:
        assert path in schema["paths"], path
