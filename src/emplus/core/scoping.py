"""The one place that decides which rows a user may see: every page, export and API uses it.

Directory data (organisations, units, memberships) is visible within the user's own
organisations, and to partnership administrators across all of them. Personal records are
visible to coaches within their unit and to coordinators within their organisation; no role
crosses to another organisation's personal records through this scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet

from emplus.core.roles import ROLES_SEEING_ALL_ORGANISATIONS, Role, role_has_permission


@dataclass(frozen=True)
class Reach:
    """What a user's memberships give access to; computed once per request and user."""

    sees_all_organisations: bool
    organisation_ids: frozenset[UUID]
    roles: frozenset[str]
    # (organisation id, role, unit id or None) for each membership
    memberships: tuple[tuple[UUID, str, UUID | None], ...]

    def has_permission(self, permission: str) -> bool:
        return any(role_has_permission(role, permission) for role in self.roles)


NO_REACH = Reach(False, frozenset(), frozenset(), ())


def reach_of(user) -> Reach:
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_REACH
    cached = getattr(user, "_emplus_reach", None)
    if cached is not None:
        return cached
    rows = tuple(user.memberships.values_list("organisation_id", "role", "unit_id"))
    roles = frozenset(role for _, role, _ in rows)
    if user.is_superuser:
        roles |= {Role.ADMIN}
    result = Reach(
        sees_all_organisations=bool(roles & ROLES_SEEING_ALL_ORGANISATIONS),
        organisation_ids=frozenset(org for org, _, _ in rows),
        roles=roles,
        memberships=rows,
    )
    user._emplus_reach = result
    return result


def directory_scope(qs: QuerySet, user, *, organisation_field: str) -> QuerySet:
    """Organisation-directory rows: own organisations, or all for partnership administrators."""
    reach = reach_of(user)
    if reach.sees_all_organisations:
        return qs
    if not reach.organisation_ids:
        return qs.none()
    return qs.filter(**{f"{organisation_field}__in": reach.organisation_ids})


def personal_scope(
    qs: QuerySet, user, *, organisation_field: str = "organisation", unit_field: str = "unit"
) -> QuerySet:
    """Personal records: coaches see their unit's, coordinators their organisation's.

    Analysts and administrators get nothing here: analysts read pseudonymised selectors, and
    administering the partnership gives no right to read another organisation's records.
    """
    reach = reach_of(user)
    condition = Q()
    for organisation_id, role, unit_id in reach.memberships:
        if role == Role.COORDINATOR:
            condition |= Q(**{organisation_field: organisation_id})
        elif role == Role.COACH and unit_id is not None:
            condition |= Q(**{organisation_field: organisation_id, unit_field: unit_id})
    if not condition:
        return qs.none()
    return qs.filter(condition)
