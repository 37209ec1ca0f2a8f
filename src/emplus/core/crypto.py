"""Personal data at rest: field encryption with rotatable keys, keyed pseudonyms and masking."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import time
from collections.abc import Sequence
from functools import lru_cache

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


def decrypt(token: str) -> str:
    """Decrypt with whichever of EMPLUS_FIELD_KEYS opens the token."""
    try:
        return _keys()[0].decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise DecryptionError("None of EMPLUS_FIELD_KEYS decrypts this value.") from exc


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


def pseudonyms(identifiers: Sequence[str]) -> list[str]:
    """`pseudonym` of many identifiers (an import): the same digests, one key lookup."""
    if not all(identifiers):
        raise ValueError("Cannot derive a pseudonym from an empty identifier.")
    key = settings.EMPLUS_PSEUDONYM_KEY
    if not key:
        raise ImproperlyConfigured("EMPLUS_PSEUDONYM_KEY must be set.")
    raw, digest = key.encode("utf-8"), hmac.digest
    return [digest(raw, i.encode("utf-8"), "sha256").hex() for i in identifiers]


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
