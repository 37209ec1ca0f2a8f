"""API of activities, coverage, white spots, methods, thematic areas and test beds."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from emplus.geo.models import Municipality
from tests.mapping.factories import make_activity, make_area, make_method, make_test_bed

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(coach):
    client = APIClient()
    client.force_authenticate(coach)
    return client


@pytest.fixture
def content(org_b):
    method = make_method()
    method.thematic_areas.set([make_area()])
    make_activity(org_b, ["2521"], methods=[method], arena="working_life")
    make_activity(org_b, ["1280"], arena="education_training")
    make_test_bed(lead_organisation=org_b)
    return method


def test_activities_are_listed_and_filtered(api, content):
    # when
    everything = api.get("/api/activities/").json()
    working = api.get("/api/activities/", {"arena": "working_life"}).json()
    # then
    assert everything["count"] == 2
    assert working["count"] == 1
    assert working["results"][0]["methods"] == ["M-TEST"]
    assert working["results"][0]["municipalities"] == ["2521"]


def test_coverage_and_white_spots_match_the_pages(api, content):
    # when
    coverage = {r["code"]: r for r in api.get("/api/activities/coverage/").json()}
    spots = [
        r["code"] for r in api.get("/api/activities/white-spots/", {"arena": "working_life"}).json()
    ]
    # then
    assert len(coverage) == 290
    assert coverage["2521"]["activities"] == 1
    expected = set(Municipality.objects.rural_or_sparse().values_list("code", flat=True)) - {"2521"}
    assert set(spots) == expected


def test_methods_thematic_areas_and_test_beds(api, content):
    assert api.get("/api/methods/M-TEST/").json()["thematic_areas"] == ["SPARSE"]
    assert [a["code"] for a in api.get("/api/thematic-areas/").json()["results"]] == ["SPARSE"]
    assert api.get("/api/test-beds/TB-TEST/").json()["lead_organisation"] == "ORGB"
    assert api.get("/api/methods/NOPE/").status_code == 404


def test_without_a_role_or_log_in_the_api_refuses(no_role_user, content):
    client = APIClient()
    assert client.get("/api/activities/").status_code in (401, 403)
    client.force_authenticate(no_role_user)
    for url in ("/api/activities/", "/api/methods/", "/api/test-beds/", "/api/thematic-areas/"):
        assert client.get(url).status_code == 403, url
