"""Collaboration API: the register for every member, filters validated, documents listed."""

from __future__ import annotations

import pytest

from emplus.collaborations import services
from tests.collaborations.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def _rows(response):
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def test_list_and_detail_for_a_member_of_another_organisation(
    client, coordinator, collaboration, other_org_coach
):
    services.collaboration_document_attach(
        actor=coordinator, collaboration=collaboration, file=pdf_upload()
    )
    client.force_login(other_org_coach)
    rows = _rows(client.get("/api/collaborations/"))
    assert [r["id"] for r in rows] == [str(collaboration.pk)]
    assert {p["name"] for p in rows[0]["parties"]} == {"Umeå kommun", "Bageriet i Umeå AB"}
    detail = client.get(f"/api/collaborations/{collaboration.pk}/").json()
    assert detail["documents"][0]["file_name"] == "avsiktsforklaring.pdf"
    assert detail["documents"][0]["download_url"].startswith("/collaborations/documents/")


def test_filters_and_a_bad_filter(client, collaboration, other_org_coach):
    client.force_login(other_org_coach)
    assert _rows(client.get("/api/collaborations/?sector=education")) == []
    assert len(_rows(client.get("/api/collaborations/?county=24"))) == 1
    response = client.get("/api/collaborations/?county=99")
    assert response.status_code == 400 and "county" in response.json()


def test_no_role_and_anonymous_are_refused(client, collaboration, no_role_user):
    assert client.get("/api/collaborations/").status_code in (401, 403)
    client.force_login(no_role_user)
    assert client.get("/api/collaborations/").status_code == 403
    assert client.get(f"/api/collaborations/{collaboration.pk}/").status_code == 403
