"""Who may change an action plan: the policy in one place (docs/decisions/0034)."""

from __future__ import annotations

from uuid import UUID

from emplus.core import scoping
from emplus.organisations.permissions import can_change_owned
from emplus.plans.choices import OwnerKind


def can_change_plan_of(user, *, owner_kind: str, organisation_id: UUID | None) -> bool:
    """Organisation and test-bed plans: a coordinator or administrator of the responsible
    organisation; county and partnership plans (and a test bed without a lead organisation):
    a partnership administrator."""
    if owner_kind in (OwnerKind.ORGANISATION, OwnerKind.TEST_BED) and organisation_id:
        return can_change_owned(user, [organisation_id], "plan.change")
    return scoping.has_permission(user, "plan.change_partnership")
