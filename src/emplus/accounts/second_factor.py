"""Who needs the second factor: the one rule used by pages, the API and token issuing."""

from __future__ import annotations

from django.conf import settings

from emplus.core.roles import ROLES_REQUIRING_SECOND_FACTOR
from emplus.core.scoping import roles_of


def second_factor_required_for(user) -> bool:
    """True when this user must prove a second factor (whether or not they have yet)."""
    if not settings.EMPLUS_REQUIRE_2FA or user is None or not user.is_authenticated:
        return False
    return bool(roles_of(user) & ROLES_REQUIRING_SECOND_FACTOR) or user.is_staff


def session_is_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())
