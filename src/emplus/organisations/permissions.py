"""Who may change an organisation's directory data (activities, methods, test beds): coordinators
and administrators of the owning organisation (reading it needs only the view permission)."""

from __future__ import annotations

from uuid import UUID

from emplus.core.roles import Role
from emplus.core.scoping import reach_of

EDITOR_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


def editable_organisation_ids(user) -> frozenset[UUID] | None:
    """Organisations whose activities the user may change; None means all (superuser)."""
    if getattr(user, "is_superuser", False):
        return None
    return frozenset(org for org, role, _ in reach_of(user).memberships if role in EDITOR_ROLES)


def can_change_owned(user, owner_ids) -> bool:
    allowed = editable_organisation_ids(user)
    return allowed is None or bool(allowed & set(owner_ids))
