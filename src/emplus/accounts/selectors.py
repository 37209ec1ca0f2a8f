"""Reads of the accounts app, for the user themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from knox.models import AuthToken

from emplus.core.typing import User


@dataclass(frozen=True)
class ApiTokenRow:
    id: str
    name: str
    prefix: str
    created: datetime
    expiry: datetime | None
    second_factor_verified: bool


def api_token_list(*, user: User) -> list[ApiTokenRow]:
    """The user's live API tokens, newest first (expired ones are not listed)."""
    rows = (
        AuthToken.objects.filter(user=user, expiry__gt=timezone.now())
        .select_related("emplus")
        .order_by("-created")
    )
    return [
        ApiTokenRow(
            id=token.digest[:16],
            name=getattr(getattr(token, "emplus", None), "name", ""),
            prefix=token.token_key[:8],
            created=token.created,
            expiry=token.expiry,
            second_factor_verified=getattr(
                getattr(token, "emplus", None), "second_factor_verified", False
            ),
        )
        for token in rows
    ]
