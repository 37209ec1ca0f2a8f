"""The start page: what a signed-in user works with; a visitor is asked to log in."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(LANGUAGE_CODE="en")
def test_signed_in_user_sees_their_organisations_and_the_geography(client, coach, org_b):
    # given a coach of organisation A (organisation B exists but is out of reach)
    client.force_login(coach)
    # when they open the start page
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    # then the page counts the reference geography and only the organisations they can see
    assert response.status_code == 200
    assert response.context["county_count"] == 21
    assert response.context["municipality_count"] == 290
    assert response.context["organisation_count"] == 1
    assert "Organisation B" not in response.content.decode()


def test_visitor_gets_the_log_in_link_and_no_counts(client, geo):
    response = client.get("/")
    assert response.status_code == 200
    assert "county_count" not in response.context
