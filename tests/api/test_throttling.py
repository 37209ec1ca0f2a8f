"""API rate limits: scoped throttles on list, search, export and estimate endpoints."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from emplus.core.viewsets import ScopedReadOnlyViewSet
from emplus.evidence.api import IndicatorsView
from emplus.pathways.api import ParticipantViewSet, PseudonymisedParticipantViewSet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_every_endpoint_kind_names_its_scope():
    assert ScopedReadOnlyViewSet.throttle_scope == "list"
    assert ParticipantViewSet.throttle_scope == "search"
    assert PseudonymisedParticipantViewSet.throttle_scope == "export"
    assert IndicatorsView.throttle_scope == "estimate"


def test_a_list_endpoint_answers_429_past_its_rate(coach, coordinator, settings):
    # given
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.API_THROTTLE_RATES | {"list": "3/minute"}
    }
    api = APIClient()
    api.force_authenticate(coach)
    # when
    statuses = [api.get("/api/units/").status_code for _ in range(4)]
    # then
    assert statuses == [200, 200, 200, 429]
    # another scope, and another user, still have their own budget
    assert api.get("/api/participants/").status_code == 200
    other = APIClient()
    other.force_authenticate(coordinator)
    assert other.get("/api/units/").status_code == 200


def test_the_search_scope_limits_the_caseload_search(coach, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.API_THROTTLE_RATES | {"search": "2/minute"}
    }
    api = APIClient()
    api.force_authenticate(coach)
    statuses = [
        api.post("/api/participants/search/", {"q": f"name{i}"}, format="json").status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_the_overall_user_rate_applies_to_every_endpoint(coach, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.API_THROTTLE_RATES | {"user": "2/minute"}
    }
    api = APIClient()
    api.force_authenticate(coach)
    assert [api.get("/api/me/").status_code for _ in range(3)] == [200, 200, 429]
