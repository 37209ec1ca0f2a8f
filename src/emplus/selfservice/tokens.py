"""Link tokens: random, unguessable, and stored only as a hash."""

from __future__ import annotations

import hashlib
import re
import secrets

# 24 random bytes = 192 bits, 32 URL-safe characters: far beyond guessing, short enough for a
# QR code a cheap phone camera reads at arm's length.
TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """SHA-256 of the token. A plain hash suffices (no salt, no slow hash): the token carries
    192 random bits, so there is no dictionary to try against a leaked hash."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def token_well_formed(token: str) -> bool:
    return bool(TOKEN_PATTERN.match(token))
