"""The two caches of `CACHES`: a directory of files shared by the workers of one machine, or one
Redis shared by every application server (EMPLUS_REDIS_URL, decision 68)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


def cache_settings(*, cache_dir: Path, redis_url: str = "") -> dict[str, dict[str, Any]]:
    """`default` holds what requests make (API rate counts, self-service attempt counts,
    search tokens, known-elsewhere counts); `kept` the reports and frames kept under what they
    read (core.kept, decision 65).

    A file cache deletes a third of its entries at random once it holds MAX_ENTRIES, so
    past a few hundred entries made per request its rate and attempt counts are forgotten at
    random, and searches' tokens with them; `kept` is a cache of its own for that reason,
    with few entries. Redis deletes nothing before an entry's time unless it runs out of
    memory, counts atomically, and serves several application servers; each alias has a
    prefix of its own in the one database."""
    if redis_url:
        return {
            alias: {"BACKEND": REDIS_CACHE, "LOCATION": redis_url, "KEY_PREFIX": f"emplus-{alias}"}
            for alias in ("default", "kept")
        }
    return {
        "default": {"BACKEND": FILE_CACHE, "LOCATION": str(cache_dir)},
        "kept": {
            "BACKEND": FILE_CACHE,
            "LOCATION": str(cache_dir / "kept"),
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        },
    }
