"""API of activities, coverage, white spots, methods, thematic areas and test beds."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from emplus.geo.models import Municipality
from emplus.mapping.models import Activity
from emplus.mapping.serializers import ActivitySerializer
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


def test_activity_list_writes_what_the_serializer_writes(api, org_b, unit_b1):
    # given an activity with every field filled and several related codes (the order of each
    # related model's own), one with the optional fields empty, and the content's
    methods = [make_method("M-B", "Bmetod"), make_method("M-A", "Ametod")]
    areas = [make_area("ZETA", "Zeta"), make_area("ALFA", "Alfa")]
    make_activity(
        org_b,
        ["2521", "0180", "1280"],
        unit=unit_b1,
        methods=methods,
        thematic_areas=areas,
        title='Språk "café"',
        description="Rad ett\nrad två",
        phases=["prepare", "train"],
        target_groups=["young_neet", "newly_arrived"],
        place="Folkets hus",
        accessibility="Hiss",
        delivery_mode="hybrid",
        end_date=dt.date(2026, 6, 30),
        schedule="Tisdagar",
        capacity=12,
        contact_email="kurs@example.org",
        contact_phone="070-000 00 00",
    )
    make_activity(org_b, [], phases=[], target_groups=[])
    # when
    response = api.get("/api/activities/")
    # then the rows are byte for byte what DRF's serializer renders for the same activities
    rows = response.json()["results"]
    by_id = {a.pk: a for a in Activity.objects.all()}
    assert sorted(row["id"] for row in rows) == sorted(str(pk) for pk in by_id)
    shown = [by_id[UUID(row["id"])] for row in rows]
    expected = JSONRenderer().render(ActivitySerializer(shown, many=True).data)
    assert b'"results":' + expected in response.content
    full = next(row for row in rows if row["capacity"] == 12)
    assert full["municipalities"] == ["0180", "1280", "2521"]
    assert full["methods"] == ["M-A", "M-B"]
    assert full["unit"] == str(unit_b1.pk)
    empty = next(row for row in rows if row["capacity"] is None)
    assert empty["municipalities"] == [] and empty["capacity"] is None


def test_activity_list_reads_a_page_in_a_fixed_number_of_queries(api, org_b):
    # given a page of three activities, then of thirty, each with related codes
    method = make_method()
    for _ in range(3):
        make_activity(org_b, ["2521", "0180"], methods=[method])
    api.get("/api/activities/")  # the user's memberships, read once for the user
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/activities/").status_code == 200
    for _ in range(27):
        make_activity(org_b, ["1280"], methods=[method])
    # when
    with CaptureQueriesContext(connection) as many:
        rows = api.get("/api/activities/").json()["results"]
    # then the count, the rows and one read per related field, however many rows
    assert len(rows) == 30
    assert len(few.captured_queries) == len(many.captured_queries) == 5


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
