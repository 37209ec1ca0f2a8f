"""A fixed-window attempt counter in the cache, for the public link pages.

The default cache is a file cache (EMPLUS_CACHE_DIR) shared by the server processes of one
machine, or one Redis for every server (EMPLUS_REDIS_URL, decision 68: counts made atomically,
none forgotten at random as a full file cache forgets them); without Redis, several machines
share the directory or use sticky sessions, otherwise each counts on its own
(docs/operations.md, docs/deployment-multi-host.md)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from emplus.core.client_address import client_address as core_client_address


@dataclass(frozen=True)
class Limit:
    attempts: int
    window_seconds: int


# Per address: a class of participants behind one school or office address must still get
# through; unknown tokens from one address are few in honest use.
DEFAULT_LIMITS = {
    "address": Limit(120, 600),
    "address_unknown": Limit(10, 600),
    "token": Limit(30, 600),
}


def _limit(name: str) -> Limit:
    configured = getattr(settings, "EMPLUS_SELFSERVICE_LIMITS", {}).get(name)
    return Limit(*configured) if configured else DEFAULT_LIMITS[name]


def _key(name: str, value: str) -> str:
    # Hashed: addresses and tokens are not kept in the cache as they are.
    digest = hashlib.sha256(f"{name}\x00{value}".encode()).hexdigest()[:32]
    return f"emplus:selfservice:{name}:{digest}"


def peek(name: str, value: str) -> bool:
    """True while `value` is still under the limit named `name` (counts nothing)."""
    return int(cache.get(_key(name, value), 0)) < _limit(name).attempts


def hit(name: str, value: str) -> tuple[bool, bool]:
    """Count one attempt. Returns (allowed, just_exceeded): just_exceeded is True only for the
    first attempt over the limit, so the refusal is audited once per window, not per attempt."""
    limit = _limit(name)
    key = _key(name, value)
    cache.add(key, 0, timeout=limit.window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window_seconds)
        count = 1
    return count <= limit.attempts, count == limit.attempts + 1


def client_address(request) -> str:
    # The same address as the log-in throttling: correct behind the trusted proxies.
    return core_client_address(request) or ""
