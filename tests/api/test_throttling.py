"""API rate limits: scoped throttles on list, search, export and estimate endpoints."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient
from tests.core.test_shared_cache import REDIS_URL, _redis_or_skip

from emplus.api.throttling import RateThrottle
from emplus.config.caches import cache_settings
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


# One cache entry for both rates (decision 0072): the same counts as DRF's two throttles.


class _CountingCache:
    """The default cache, counting its reads and writes."""

    def __init__(self) -> None:
        self.reads = self.writes = 0

    def get(self, key, default=None):
        self.reads += 1
        return cache.get(key, default)

    def set(self, key, value, timeout):
        self.writes += 1
        return cache.set(key, value, timeout)


@pytest.fixture(params=["files", "redis"])
def each_cache(request, tmp_path):
    """The file cache of one machine, and Redis (decision 68; skipped without a server)."""
    if request.param == "redis":
        _redis_or_skip()
        configured = cache_settings(cache_dir=tmp_path, redis_url=REDIS_URL)
    else:
        configured = cache_settings(cache_dir=tmp_path)
    with override_settings(CACHES=configured):
        cache.clear()
        yield request.param
        cache.clear()


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.API_THROTTLE_RATES | rates
    }


def test_each_scope_is_counted_at_its_own_rate_on_each_cache(each_cache, coach, settings):
    # given a list rate of 3, a search rate of 2 and an overall rate of 9 an hour (an hour:
    # the cache forgets an entry by the real clock, which a slow machine must not reach)
    _rates(settings, list="3/hour", search="2/hour", user="9/hour")
    api = APIClient()
    api.force_authenticate(coach)

    def search(n: int) -> int:
        return api.post("/api/participants/search/", {"q": f"name{n}"}, format="json").status_code

    # when / then: each scope stops at its own rate
    assert [api.get("/api/units/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [search(n) for n in range(3)] == [201, 201, 429]
    # and the overall rate counted all 7 (it allowed them all): 2 more, then refused
    assert [api.get("/api/me/").status_code for _ in range(3)] == [200, 200, 429]


def test_a_request_refused_by_its_scope_still_counts_for_the_overall_rate(coach, settings):
    # given a list rate of 1 and an overall rate of 3 an hour
    _rates(settings, list="1/hour", user="3/hour")
    api = APIClient()
    api.force_authenticate(coach)
    # when the list is asked three times (the last two refused by the list's rate)
    assert [api.get("/api/units/").status_code for _ in range(3)] == [200, 429, 429]
    # then the overall rate has counted all three, as DRF's two throttles did
    assert api.get("/api/me/").status_code == 429


def test_the_counts_are_read_once_and_written_once_a_request(coach, settings, monkeypatch):
    counting = _CountingCache()
    monkeypatch.setattr(RateThrottle, "cache", counting)
    api = APIClient()
    api.force_authenticate(coach)
    # when a request of a scoped endpoint passes both rates
    assert api.get("/api/units/").status_code == 200
    # then one read and one write
    assert (counting.reads, counting.writes) == (1, 1)


def test_a_refused_request_says_when_to_come_back_as_drf_did(coach, settings, monkeypatch):
    _rates(settings, list="2/hour")
    clock = iter([1000.0, 1010.0, 1030.0])
    monkeypatch.setattr(RateThrottle, "timer", lambda self: next(clock))
    api = APIClient()
    api.force_authenticate(coach)
    assert api.get("/api/units/").status_code == 200
    assert api.get("/api/units/").status_code == 200
    # when the third comes 30 s after the first
    refused = api.get("/api/units/")
    # then it may come back once the first is an hour old: in 3570 s
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3570"


def test_times_past_a_period_no_longer_count(coach, settings, monkeypatch):
    _rates(settings, list="2/hour")
    clock = iter([1000.0, 1001.0, 1002.0, 4601.0])
    monkeypatch.setattr(RateThrottle, "timer", lambda self: next(clock))
    api = APIClient()
    api.force_authenticate(coach)
    statuses = [api.get("/api/units/").status_code for _ in range(4)]
    # the fourth comes more than an hour after the first: one place is free again
    assert statuses == [200, 200, 429, 200]
