"""Files kept between two requests of one session (the import's checked file, a check's list of
errors): encrypted in `VAR_DIR/imports/` under a random name that only the session holds, and
removed when used, replaced or stale."""

from __future__ import annotations

import base64
import contextlib
import secrets
import time
from pathlib import Path

from django.conf import settings

from emplus.core.crypto import DecryptionError, decrypt, encrypt


def _directory() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep(data: bytes) -> str:
    """Keep `data`; the token that reads it back."""
    directory = _directory()
    # Files of checks never confirmed go once their session could no longer use them.
    stale_before = time.time() - settings.SESSION_COOKIE_AGE
    for old in directory.iterdir():
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < stale_before:
                old.unlink()
    token = secrets.token_urlsafe(24)
    (directory / token).write_text(encrypt(base64.b64encode(data).decode("ascii")))
    return token


def _path(token: str) -> Path | None:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    return _directory() / token


def read(token: str) -> bytes | None:
    """The kept data, or None when the token names nothing readable."""
    path = _path(token)
    if path is None:
        return None
    try:
        return base64.b64decode(decrypt(path.read_text()))
    except (OSError, DecryptionError, ValueError):
        return None


def take(token: str) -> bytes | None:
    """The kept data, removed as it is read."""
    data = read(token)
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
    return data
