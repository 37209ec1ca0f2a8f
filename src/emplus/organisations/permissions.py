"""Who may change an organisation's directory data (activities, methods, test beds): those who
hold the change permission in the owning organisation (reading it needs only the view
permission). The grants come from emplus.core.scoping, like every other scope."""

from __future__ import annotations

from uuid import UUID

from emplus.core import scoping


def editable_organisation_ids(user, permission: str = "activity.change") -> frozenset[UUID] | None:
    """Organisations whose rows the user may change with `permission`; None means all."""
    grants = scoping.grants(user, permission)
    if grants.everywhere:
        return None
    return grants.organisation_ids


def can_change_owned(user, owner_ids, permission: str = "activity.change") -> bool:
    allowed = editable_organisation_ids(user, permission)
    return allowed is None or bool(allowed & set(owner_ids))
