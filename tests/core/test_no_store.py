"""Responses with personal data are never kept by a browser's or a proxy's cache."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from emplus.pathways import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(coach, org_a, unit_a1):
    return services.participant_register(
        actor=coach,
        organisation=org_a,
        unit=unit_a1,
        participant_ref="P-NS-1",
        given_name="Nilla",
        family_name="Nostorsson",
    ).participant


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_pages_of_a_participant_say_no_store(client, coach, person):
    # given a coach who is logged in
    client.force_login(coach)
    # when the caseload and the participant page are opened
    for url in (reverse("pathways:caseload"), reverse("pathways:detail", args=[person.pk])):
        response = client.get(url)
        # then neither may be stored
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.get("Cache-Control"))


def test_export_says_no_store(client, coordinator, person):
    client.force_login(coordinator)
    response = client.get(reverse("pathways:export"), {"format": "csv"})
    assert response.status_code == 200
    assert _no_store(response)


def test_api_responses_say_no_store_also_on_errors(coach, person):
    api = APIClient()
    api.force_authenticate(coach)
    listed = api.get("/api/participants/")
    one = api.get(f"/api/participants/{person.pk}/")
    missing = api.get("/api/participants/00000000-0000-0000-0000-000000000000/")
    assert (listed.status_code, one.status_code, missing.status_code) == (200, 200, 404)
    assert all(_no_store(r) for r in (listed, one, missing))


def test_log_in_page_and_redirects_say_no_store(client):
    assert _no_store(client.get(reverse("pathways:caseload")))  # redirect to log-in
    assert _no_store(client.get(reverse("accounts:login")))


def test_static_files_keep_their_own_caching(client, settings):
    response = client.get(settings.STATIC_URL + "emplus/shell.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
