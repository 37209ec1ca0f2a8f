"""Personal data at rest: field encryption with rotatable keys, keyed pseudonyms and masking."""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
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
    "is_current",
    "mask_personal_id",
    "pseudonym",
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
