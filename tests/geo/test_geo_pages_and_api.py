"""Geography pages (tables beside maps) and API endpoints."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_geo_pages_render_for_any_member(client, coach):
    client.force_login(coach)
    for url in [
        reverse("geo:index"),
        reverse("geo:county", args=["25"]),
        reverse("geo:municipality_list"),
        reverse("geo:municipality", args=["2521"]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url


def test_index_map_and_table_cover_every_area(client, coach):
    client.force_login(coach)
    page = client.get(reverse("geo:index")).content.decode()
    assert page.count("<path ") == 290  # one shape per municipality
    assert len(re.findall(r'href="/geo/counties/\d\d/"', page)) == 21  # the table


def test_county_page_shows_its_municipalities_on_map_and_in_table(client, coach):
    client.force_login(coach)
    page = client.get(reverse("geo:county", args=["25"])).content.decode()  # Norrbotten: 14
    assert page.count("<path ") == 14
    assert len(re.findall(r'href="/geo/municipalities/25\d\d/"', page)) == 14
    assert "Pajala" in page


def test_municipality_list_filters_and_sorts(client, coach):
    client.force_login(coach)
    url = reverse("geo:municipality_list")
    rural = client.get(url, {"rural": "1"}).context["municipalities"]
    assert len(rural) == 56 and all(m.is_rural for m in rural)
    sparse = client.get(url, {"sparse": "1", "county": "25"}).context["municipalities"]
    assert sparse and all(m.is_sparsely_populated and m.county_id == "25" for m in sparse)
    by_pop = client.get(url, {"sort": "-population"}).context["municipalities"]
    assert by_pop[0].name == "Stockholm"
    assert [m.population_2024 for m in by_pop] == sorted(
        (m.population_2024 for m in by_pop), reverse=True
    )
    # a bad sort key falls back to the code order instead of failing
    assert client.get(url, {"sort": "drop table"}).status_code == 200
    assert client.get(url, {"q": "umeå"}).context["municipalities"][0].code == "2480"


def test_unknown_codes_are_404(client, coach):
    client.force_login(coach)
    assert client.get(reverse("geo:county", args=["99"])).status_code == 404
    assert client.get(reverse("geo:municipality", args=["0000"])).status_code == 404


def test_geo_api_lists_filters_and_gives_boundaries(coach):
    api = APIClient()
    api.force_authenticate(coach)
    counties = api.get("/api/counties/").json()
    assert counties["count"] == 21
    assert api.get("/api/municipalities/", {"county": "25"}).json()["count"] == 14
    rural = api.get("/api/municipalities/", {"rural": "true", "page_size": 500}).json()
    assert rural["count"] == 56
    pajala = api.get("/api/municipalities/2521/").json()
    assert pajala["is_rural"] and pajala["is_sparsely_populated"]
    assert pajala["population_2024"] > 0
    shapes = api.get("/api/municipalities/boundaries/").json()
    assert shapes["type"] == "FeatureCollection" and len(shapes["features"]) == 290
    assert len(api.get("/api/counties/boundaries/").json()["features"]) == 21


def test_geo_api_needs_a_role(no_role_user):
    api = APIClient()
    assert api.get("/api/counties/").status_code in (401, 403)
    api.force_authenticate(no_role_user)
    assert api.get("/api/counties/").status_code == 403
