"""A keyed blind index: search encrypted names by lookup, without decrypting them.

A name is split into words (Unicode-normalised and case-folded, so "Åsa" and "ÅSA" agree);
every prefix of a word from MIN_PREFIX letters up to MAX_PREFIX is stored as an HMAC-SHA256
digest under a key of its own (EMPLUS_SEARCH_KEYS, newest first), never the text. A search
term's words are digested the same way and looked up in an index, so "anna kar" finds
"Anna-Karin Berg" and nothing is decrypted but the rows shown.

What the index reveals to someone with the database but not the key: how many prefixes a name
has (its rough length) and which records share a prefix. That is less than the names, and the
key lives outside the database like the field keys. Digests are truncated to 128 bits: enough
against collisions at any caseload size, half the index.

Rotation: put a new key first and run `emplus rotate-field-keys`, which rewrites every index
row with the newest key (rebuilders registered by the apps that own an index). Searches use
every listed key meanwhile, so nothing goes missing during the rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "MAX_PREFIX",
    "MIN_PREFIX",
    "index_digests",
    "rebuilders",
    "register_rebuilder",
    "term_digests",
    "words",
]

MIN_PREFIX = 2  # one letter would name a fifth of a caseload and tell little
MAX_PREFIX = 24  # a longer search word is cut here: at worst a few more rows match
_WORD = re.compile(r"\w+")

# Apps with an index register a function that rewrites it with the newest key (rotation).
_rebuilders: list[Callable[[int], int]] = []


def register_rebuilder(rebuild: Callable[[int], int]) -> None:
    """Register `rebuild(batch_size) -> rows rewritten`, run by `emplus rotate-field-keys`."""
    if rebuild not in _rebuilders:
        _rebuilders.append(rebuild)


def rebuilders() -> list[Callable[[int], int]]:
    return list(_rebuilders)


def words(text: str) -> list[str]:
    """The normalised words of a text: NFKC, case-folded, split at anything not a letter or
    digit."""
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())


def _keys() -> list[hmac.HMAC]:
    keys = tuple(key for key in settings.EMPLUS_SEARCH_KEYS if key)
    if not keys:
        raise ImproperlyConfigured("EMPLUS_SEARCH_KEYS must hold at least one key.")
    return _keyed(keys)


@lru_cache(maxsize=4)
def _keyed(keys: tuple[str, ...]) -> list[hmac.HMAC]:
    # A keyed HMAC state per key, copied for each digest: an import digests millions of
    # prefixes, and copying skips the key schedule each time.
    return [hmac.new(key.encode("utf-8"), digestmod=hashlib.sha256) for key in keys]


def _digest(key: hmac.HMAC, prefix: str) -> str:
    state = key.copy()
    state.update(prefix.encode("utf-8"))
    return state.hexdigest()[:32]


def index_digests(*texts: str) -> set[str]:
    """The digests to store for a record's texts, under the newest key."""
    key = _keys()[0]
    prefixes = {
        word[:length]
        for text in texts
        for word in words(text)
        for length in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1)
    }
    return {_digest(key, prefix) for prefix in prefixes}


def term_digests(term: str) -> list[list[str]]:
    """For each searchable word of a search term, its digests under every key (a record
    matches when it has one of them for every word). Words shorter than MIN_PREFIX are left
    out; an empty list means the term has nothing to look up."""
    keys = _keys()
    return [
        [_digest(key, word[:MAX_PREFIX]) for key in keys]
        for word in dict.fromkeys(words(term))
        if len(word) >= MIN_PREFIX
    ]
