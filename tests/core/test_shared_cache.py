"""The caches of `CACHES`: files on one machine, one Redis for several (decision 68).

The Redis tests use the Redis server of this machine (EMPLUS_TEST_REDIS_URL, database 15 by
default); in CI it must be there, elsewhere they are skipped without it."""

from __future__ import annotations

import os
import secrets
import uuid

import pytest
import redis
from asgiref.local import Local
from django.core.cache import CacheHandler, caches
from django.test import override_settings

from emplus.config.caches import FILE_CACHE, REDIS_CACHE, cache_settings
from emplus.core.search_tokens import search_token_load, search_token_store
from emplus.selfservice import ratelimit

REDIS_URL = os.environ.get("EMPLUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class _User:
    def __init__(self) -> None:
        self.pk = uuid.uuid4()


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis must be reachable in CI ({REDIS_URL}): {exc}")
        pytest.skip(f"no Redis at {REDIS_URL}")


@pytest.fixture
def redis_caches(tmp_path):
    _redis_or_skip()
    shared = cache_settings(cache_dir=tmp_path, redis_url=REDIS_URL)
    with override_settings(CACHES=shared):
        yield shared


def test_without_a_redis_url_the_caches_are_directories_kept_its_own(tmp_path):
    # when
    configured = cache_settings(cache_dir=tmp_path)
    # then
    assert configured["default"] == {"BACKEND": FILE_CACHE, "LOCATION": str(tmp_path)}
    assert configured["kept"]["BACKEND"] == FILE_CACHE
    assert configured["kept"]["LOCATION"] == str(tmp_path / "kept")


def test_with_a_redis_url_both_caches_use_it_each_under_its_own_prefix(tmp_path):
    # when
    configured = cache_settings(cache_dir=tmp_path, redis_url="redis://cache.internal:6379/1")
    # then
    assert {alias: entry["BACKEND"] for alias, entry in configured.items()} == {
        "default": REDIS_CACHE,
        "kept": REDIS_CACHE,
    }
    assert configured["default"]["LOCATION"] == "redis://cache.internal:6379/1"
    assert configured["default"]["KEY_PREFIX"] != configured["kept"]["KEY_PREFIX"]


def test_a_search_made_on_one_server_pages_on_another(redis_caches):
    # given a search kept by one application server
    user = _User()
    token = search_token_store(user=user, kind="caseload", terms={"q": "Ekbacka"})
    # when another server (a cache connection of its own) reads the token
    other = CacheHandler(redis_caches)
    stored = other["default"].get(f"emplus:search:{token}")
    # then it finds the same terms, for the same user only
    assert stored["terms"] == {"q": "Ekbacka"}
    assert search_token_load(user=user, kind="caseload", token=token) == {"q": "Ekbacka"}
    assert search_token_load(user=_User(), kind="caseload", token=token) is None


def test_redis_forgets_no_search_or_count_at_random_where_a_file_cache_does(tmp_path, settings):
    # given the first 50 of 1 000 searches, in a file cache and in Redis
    user = _User()

    def first_kept() -> int:
        first = [search_token_store(user=user, kind="caseload", terms={"q": n}) for n in range(50)]
        for n in range(950):
            search_token_store(user=user, kind="caseload", terms={"q": n})
        return sum(
            search_token_load(user=user, kind="caseload", token=t) is not None for t in first
        )

    with override_settings(CACHES=cache_settings(cache_dir=tmp_path / "files")):
        # then the file cache (300 entries, a third deleted at random when full) lost most
        assert first_kept() < 25
    _redis_or_skip()
    with override_settings(CACHES=cache_settings(cache_dir=tmp_path, redis_url=REDIS_URL)):
        # and Redis kept every one
        assert first_kept() == 50


def test_attempts_count_across_servers_up_to_the_limit(redis_caches, settings):
    # given a limit of 5 attempts per link, and attempts made on two servers in turn
    settings.EMPLUS_SELFSERVICE_LIMITS = {"token": (5, 600)}
    link = secrets.token_urlsafe(16)
    results = []
    for _attempt in range(7):
        caches._connections = Local()  # new connections: as on another server
        results.append(ratelimit.hit("token", link))
    # then the sixth attempt is the first refused, and it alone is reported as just exceeded
    assert [allowed for allowed, _ in results] == [True] * 5 + [False, False]
    assert [exceeded for _, exceeded in results] == [False] * 5 + [True, False]
    assert not ratelimit.peek("token", link)
