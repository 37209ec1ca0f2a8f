"""Reads of the accounts app: for the user themselves, and the administrators' lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from emplus.core.roles import ROLES_REQUIRING_SECOND_FACTOR
from emplus.core.typing import User
from emplus.organisations.models import Membership


def users_without_second_factor() -> QuerySet[User]:
    """Active users holding a role that needs a second factor and having no confirmed one: the
    administrators' to-do (the start page counts it, the user list filters by it)."""
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    needing = Membership.objects.filter(user=OuterRef("pk"), role__in=ROLES_REQUIRING_SECOND_FACTOR)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Exists(needing))
        .exclude(Exists(confirmed))
    )


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
