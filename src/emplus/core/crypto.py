"""Personal data at rest: field encryption with rotatable keys, keyed pseudonyms and masking."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
import time
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DecryptionError",
    "EncryptedTextField",
    "decrypt",
    "encrypt",
    "encrypt_many",
    "is_current",
    "mask_personal_id",
    "pseudonym",
    "pseudonyms",
    "rotate",
]


class DecryptionError(Exception):
    """No key in EMPLUS_FIELD_KEYS opens the ciphertext (wrong key set, or corrupted data)."""


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    if not keys:
        raise ImproperlyConfigured("EMPLUS_FIELD_KEYS must hold at least one Fernet key.")
    try:
        fernets = [Fernet(key) for key in keys]
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("EMPLUS_FIELD_KEYS holds an invalid Fernet key.") from exc
    return MultiFernet(fernets), fernets[0]


def _keys() -> tuple[MultiFernet, Fernet]:
    # Keyed on the setting's value so that a changed setting (tests, reloads) takes effect.
    return _fernets(tuple(settings.EMPLUS_FIELD_KEYS))


def encrypt(plaintext: str) -> str:
    """Encrypt with the newest key (the first of EMPLUS_FIELD_KEYS)."""
    return _keys()[0].encrypt(plaintext.encode("utf-8")).decode("ascii")


_FERNET_VERSION = b"\x80"
_BLOCK = 16


@lru_cache(maxsize=4)
def _newest_key_parts(key: str) -> tuple[bytes, bytes]:
    raw = base64.urlsafe_b64decode(key)
    return raw[:16], raw[16:]  # signing key, encryption key (the Fernet spec)


def encrypt_many(plaintexts: Sequence[str]) -> list[str]:
    """`encrypt` for many values at once (an import): the same Fernet tokens (version, time,
    a random IV each, AES-128-CBC with PKCS7 padding, HMAC-SHA256), readable by `decrypt`, but
    the AES rounds of all values run in one call per block position instead of one cipher
    object per value."""
    if not plaintexts:
        return []
    _keys()  # the same checks of EMPLUS_FIELD_KEYS as `encrypt`
    signing_key, encryption_key = _newest_key_parts(settings.EMPLUS_FIELD_KEYS[0])
    stamp = _FERNET_VERSION + int(time.time()).to_bytes(8, "big")
    data = [p.encode("utf-8") for p in plaintexts]
    out: list[str] = [""] * len(data)
    by_blocks: dict[int, list[int]] = {}
    for i, d in enumerate(data):
        by_blocks.setdefault(len(d) // _BLOCK + 1, []).append(i)
    aes = Cipher(algorithms.AES(encryption_key), modes.ECB()).encryptor()  # noqa: S305 - CBC below
    digest, b64 = hmac.digest, base64.urlsafe_b64encode
    for blocks, indexes in by_blocks.items():
        size = blocks * _BLOCK
        padded = b"".join(
            d + bytes([size - len(d)]) * (size - len(d)) for d in (data[i] for i in indexes)
        )
        plain = np.frombuffer(padded, dtype=np.uint8).reshape(len(indexes), blocks, _BLOCK)
        ivs = os.urandom(_BLOCK * len(indexes))
        previous = np.frombuffer(ivs, dtype=np.uint8).reshape(len(indexes), _BLOCK)
        cipher = np.empty_like(plain)
        # CBC: each block is AES(previous ciphertext block XOR plaintext block); the values
        # are independent, so block j of every value goes through AES in one call.
        for j in range(blocks):
            mixed = np.bitwise_xor(previous, plain[:, j, :])
            cipher[:, j, :] = np.frombuffer(aes.update(mixed.tobytes()), dtype=np.uint8).reshape(
                len(indexes), _BLOCK
            )
            previous = cipher[:, j, :]
        body = cipher.reshape(len(indexes), size).tobytes()
        for n, i in enumerate(indexes):
            message = stamp + ivs[n * _BLOCK : (n + 1) * _BLOCK] + body[n * size : (n + 1) * size]
            out[i] = b64(message + digest(signing_key, message, "sha256")).decode("ascii")
    return out


# Version, time stamp and IV before the ciphertext; the HMAC after it (the Fernet spec).
_HEADER, _MAC = 25, 32


class _Openers(threading.local):
    """Per thread (a cipher context is not shared between a worker's threads): for each key
    tuple, each key's signing key and an AES-ECB decryptor, which keeps no state between
    calls (ECB), so one serves every token."""

    def __init__(self) -> None:
        self.by_keys: dict[tuple[str, ...], list[tuple[bytes, Any]]] = {}


_openers = _Openers()


def _openers_of(keys: tuple[str, ...]) -> list[tuple[bytes, Any]]:
    openers = _openers.by_keys.get(keys)
    if openers is None:
        _fernets(keys)  # the same checks of EMPLUS_FIELD_KEYS as `encrypt`
        openers = []
        for key in keys:
            signing_key, encryption_key = _newest_key_parts(key)
            ecb = Cipher(algorithms.AES(encryption_key), modes.ECB())  # noqa: S305 - CBC below
            openers.append((signing_key, ecb.decryptor()))
        _openers.by_keys[keys] = openers
    return openers


def decrypt(token: str) -> str:
    """Decrypt with whichever of EMPLUS_FIELD_KEYS opens the token.

    Exactly Fernet's decryption without a time limit (what MultiFernet.decrypt did here), at
    half its CPU: a page decrypts 100-600 values, and Fernet builds a cipher object, a
    decryptor and an unpadder for each. The HMAC is checked first, with each key in turn;
    CBC is undone as AES-ECB of the blocks XOR the previous ciphertext blocks (the IV first),
    by one reused ECB decryptor per key. A test compares it with Fernet on valid and tampered
    tokens."""
    try:
        data = base64.urlsafe_b64decode(token.encode("ascii"))
    except (ValueError, UnicodeError) as exc:  # binascii.Error is a ValueError
        raise DecryptionError("None of EMPLUS_FIELD_KEYS decrypts this value.") from exc
    size = len(data) - _HEADER - _MAC
    if not data or data[0] != _FERNET_VERSION[0] or size < _BLOCK or size % _BLOCK:
        raise DecryptionError("None of EMPLUS_FIELD_KEYS decrypts this value.")
    signed, mac = data[:-_MAC], data[-_MAC:]
    for signing_key, ecb in _openers_of(tuple(settings.EMPLUS_FIELD_KEYS)):
        if not hmac.compare_digest(hmac.digest(signing_key, signed, "sha256"), mac):
            continue
        ciphertext = signed[_HEADER:]
        chained = int.from_bytes(signed[_HEADER - _BLOCK : -_BLOCK], "big")
        padded = (int.from_bytes(ecb.update(ciphertext), "big") ^ chained).to_bytes(size, "big")
        pad = padded[-1]
        if not 1 <= pad <= _BLOCK or padded[-pad:] != bytes((pad,)) * pad:
            break  # signed but badly padded: no key opens it (as Fernet says)
        try:
            return padded[:-pad].decode("utf-8")
        except UnicodeError as exc:
            raise DecryptionError("None of EMPLUS_FIELD_KEYS decrypts this value.") from exc
    raise DecryptionError("None of EMPLUS_FIELD_KEYS decrypts this value.")


def is_current(token: str) -> bool:
    """True when the token is already encrypted with the newest key."""
    try:
        _keys()[1].decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True


def rotate(token: str) -> str:
    """Re-encrypt a token to the newest key (it may have been written with any listed key)."""
    try:
        return _keys()[0].rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError("None of EMPLUS_FIELD_KEYS decrypts this value.") from exc


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the Python value is the plaintext (str) or None.

    Ciphertexts differ on every write, so the column cannot be searched, ordered, indexed or
    compared: the only lookup is `isnull`. Link records through a pseudonym instead.
    """

    description = _("Encrypted text")

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or getattr(self, "db_index", False) or self.primary_key:
            errors.append(
                checks.Error(
                    "EncryptedTextField cannot be unique, indexed or a primary key.",
                    hint="Store a pseudonym() next to it and index that instead.",
                    obj=self,
                    id="emplus.E001",
                )
            )
        return errors

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None  # Django then raises FieldError("Unsupported lookup ...").
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        return None


def pseudonym(identifier: str) -> str:
    """Keyed pseudonym for linkage: hex HMAC-SHA256 of the (already normalised) identifier.

    Stable for one EMPLUS_PSEUDONYM_KEY; without the key it cannot be reversed or recomputed
    from a guessed identifier.
    """
    if not identifier:
        raise ValueError("Cannot derive a pseudonym from an empty identifier.")
    key = settings.EMPLUS_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("EMPLUS_PSEUDONYM_KEY must be set.")
    return hmac.new(key.encode("utf-8"), identifier.encode("utf-8"), hashlib.sha256).hexdigest()


_SHA256_BLOCK = 64  # bytes


def pseudonyms(identifiers: Sequence[str]) -> list[str]:
    """`pseudonym` of many identifiers (an import): the same digests, one key lookup."""
    if not all(identifiers):
        raise ValueError("Cannot derive a pseudonym from an empty identifier.")
    key = settings.EMPLUS_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("EMPLUS_PSEUDONYM_KEY must be set.")
    # HMAC (RFC 2104) with the key's two padded blocks hashed once: each identifier then
    # costs two short hashes from copies of those states, a third of `hmac.digest`'s time.
    raw = key.encode("utf-8")
    if len(raw) > _SHA256_BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(_SHA256_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in raw))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in raw))
    digests = []
    for identifier in identifiers:
        digest = inner.copy()
        digest.update(identifier.encode("utf-8"))
        keyed = outer.copy()
        keyed.update(digest.digest())
        digests.append(keyed.hexdigest())
    return digests


_PERSONAL_ID = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$")


def mask_personal_id(value: str | None) -> str:
    """Show a personal identity number with its last four digits hidden: 19900101-****.

    The `+` of a person aged 100 or more is kept; anything that does not look like a personal
    identity number is masked entirely rather than echoed.
    """
    if not value:
        return ""
    match = _PERSONAL_ID.match(value.strip())
    if match is None:
        return "****"
    date_part, separator, _last_four = match.groups()
    return f"{date_part}{separator or '-'}****"
