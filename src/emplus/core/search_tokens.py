"""Searches by name without the name in an address: the terms stay on the server under a token.

A search form posts its terms and the server answers with the results; where they run to more
pages, it keeps the terms in the cache under a random token bound to the user, and the page
links carry only the token (`?search=...`; the API's search returns it). The addresses, the
browser history and the web server's access log never hold a name or an identity number, and
pagination keeps working because the token is an ordinary query parameter (decision 63).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache

TOKEN_SECONDS = 30 * 60
_PREFIX = "emplus:search:"


def _key(token: str) -> str:
    return f"{_PREFIX}{token}"


def search_token_store(*, user, kind: str, terms: dict[str, Any]) -> str:
    """Keep `terms` for `user` and return the token that names them (valid 30 minutes)."""
    token = secrets.token_urlsafe(16)
    cache.set(_key(token), {"user": str(user.pk), "kind": kind, "terms": terms}, TOKEN_SECONDS)
    return token


def search_token_load(*, user, kind: str, token: str) -> dict[str, Any] | None:
    """The terms behind a token, or None when it is unknown, expired, of another kind of
    search or of another user (a token seen in someone else's history opens nothing)."""
    if not token or len(token) > 64:
        return None
    stored = cache.get(_key(token))
    if not stored or stored.get("user") != str(user.pk) or stored.get("kind") != kind:
        return None
    return dict(stored["terms"])
