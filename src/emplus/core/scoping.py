"""The one place that decides which rows a user may do something with: `restrict(qs, user,
permission)`, used by every page, export, API endpoint, form, search and task.

A permission counts only in the organisation (or, for a coach, the unit) of the membership whose
role holds it: a user who coordinates organisation A and coaches a unit of organisation B gets
A's participants for "participant.export", and nothing of B, because a coach does not hold it.
Each model declares once, on its QuerySet (`scope = ScopeFields(...)`), which of its fields name
the owning organisation and unit (docs/decisions/0021).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, reduce
from typing import Self, TypeVar
from uuid import UUID

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet

from emplus.core.roles import PARTNERSHIP_WIDE_PERMISSIONS, Role, role_has_permission

# A coach's grants reach only the unit of the membership; every other role's reach the whole
# organisation.
UNIT_BOUND_ROLES = frozenset({Role.COACH})


@dataclass(frozen=True)
class ScopeFields:
    """Where a model's rows name their owner, as lookup paths from the model.

    `unit` is the path to the local unit for rows that a coach sees only within their unit
    (personal records); leave it None for organisation-wide rows (directory data), which any
    grant in the organisation opens."""

    organisation: str
    unit: str | None = None


@dataclass(frozen=True)
class Grants:
    """Where one user holds one permission."""

    everywhere: bool
    organisations: frozenset[UUID]  # the whole organisation
    units: frozenset[tuple[UUID, UUID]]  # (organisation, unit): a coach's unit only

    def __bool__(self) -> bool:
        return self.everywhere or bool(self.organisations) or bool(self.units)

    @property
    def organisation_ids(self) -> frozenset[UUID]:
        """Organisations with any grant (whole or one unit of it)."""
        return self.organisations | {org for org, _unit in self.units}

    def covers(self, *, organisation_id, unit_id=None, unit_bound: bool = True) -> bool:
        """Whether a row owned by this organisation (and unit) is within these grants."""
        if self.everywhere or organisation_id in self.organisations:
            return True
        if not unit_bound:
            return organisation_id in self.organisation_ids
        return (organisation_id, unit_id) in self.units

    def condition(self, fields: ScopeFields) -> Q | None:
        """The filter for a model's rows; None means every row."""
        if self.everywhere:
            return None
        unit_field = fields.unit
        if unit_field is None:
            # organisation-wide rows: a grant for one unit opens its whole organisation
            return Q(**{f"{fields.organisation}__in": sorted(self.organisation_ids)})
        parts = []
        if self.organisations:
            parts.append(Q(**{f"{fields.organisation}__in": sorted(self.organisations)}))
        for organisation_id, unit_id in sorted(self.units):
            if organisation_id not in self.organisations:
                parts.append(Q(**{fields.organisation: organisation_id, unit_field: unit_id}))
        return reduce(operator.or_, parts, Q(pk__in=[]))


NO_GRANTS = Grants(False, frozenset(), frozenset())


Membership = tuple[UUID, str, UUID | None]


def _memberships(user) -> tuple[Membership, ...]:
    """(organisation, role, unit) of each membership, read once per request and user: with the
    user itself where the session's backend read them (accounts.backends), else here."""
    cached = getattr(user, "_emplus_memberships", None)
    if cached is None:
        # Unordered: the model's ordering (organisation name, user name) would join two tables.
        cached = remember_memberships(
            user, user.memberships.order_by().values_list("organisation_id", "role", "unit_id")
        )
    return cached


def remember_memberships(user, rows) -> tuple[Membership, ...]:
    """Keep the memberships just read with `user` for the rest of this request (the user object
    lives no longer than its request)."""
    user._emplus_memberships = tuple(rows)
    return user._emplus_memberships


def _is_active_user(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def grants(user, permission: str) -> Grants:
    """Where `user` holds `permission`: only memberships whose role holds it count."""
    role_has_permission(Role.COACH, permission)  # unknown permission names fail loudly
    if not _is_active_user(user):
        return NO_GRANTS
    return _grants(_memberships(user), user.is_superuser, permission)


def _grants(rows: Iterable[Membership], is_superuser: bool, permission: str) -> Grants:
    roles = {role for _, role, _ in rows} | ({Role.ADMIN} if is_superuser else set())
    if any(permission in PARTNERSHIP_WIDE_PERMISSIONS.get(role, ()) for role in roles):
        return Grants(True, frozenset(), frozenset())
    if is_superuser and role_has_permission(Role.ADMIN, permission):
        return Grants(True, frozenset(), frozenset())
    organisations: set[UUID] = set()
    units: set[tuple[UUID, UUID]] = set()
    for organisation_id, role, unit_id in rows:
        if not role_has_permission(role, permission):
            continue
        if role in UNIT_BOUND_ROLES:
            if unit_id is not None:
                units.add((organisation_id, unit_id))
        else:
            organisations.add(organisation_id)
    return Grants(False, frozenset(organisations), frozenset(units))


_QS = TypeVar("_QS", bound=QuerySet)


def scope_fields_of(qs: QuerySet) -> ScopeFields:
    fields = getattr(qs, "scope", None)
    if not isinstance(fields, ScopeFields):
        raise ImproperlyConfigured(
            f"{qs.model.__name__} declares no scope: give its QuerySet `scope = ScopeFields()`."
        )
    return fields


def restrict(qs: _QS, user, permission: str, *, fields: ScopeFields | None = None) -> _QS:
    """The rows of `qs` that `user` may do `permission` with (deny by default). `fields`
    overrides the model's declaration for a second view of the same rows (units as workplaces)."""
    user_grants = grants(user, permission)
    if not user_grants:
        return qs.none()
    condition = user_grants.condition(fields or scope_fields_of(qs))
    return qs if condition is None else qs.filter(condition)


def has_permission(user, permission: str) -> bool:
    """Whether `user` holds `permission` anywhere: the gate of a page (403). Which rows it then
    opens is for restrict() to say (404 outside)."""
    return bool(grants(user, permission))


def permissions_anywhere(user, permissions: tuple[str, ...]) -> frozenset[str]:
    """Those of `permissions` that `user` holds somewhere (has_permission() of each), worked
    out once per process for each shape of memberships: whether a permission is held anywhere
    depends on the roles (and whether a coach has a unit), not on which organisation."""
    if not _is_active_user(user):
        return frozenset()
    shape = frozenset((role, unit_id is not None) for _, role, unit_id in _memberships(user))
    return _permissions_of_shape(shape, user.is_superuser, permissions)


_SOMEWHERE = UUID(int=0)


@cache
def _permissions_of_shape(
    shape: frozenset[tuple[str, bool]], is_superuser: bool, permissions: tuple[str, ...]
) -> frozenset[str]:
    rows = [(_SOMEWHERE, role, _SOMEWHERE if has_unit else None) for role, has_unit in shape]
    return frozenset(p for p in permissions if _grants(rows, is_superuser, p))


def allows(user, permission: str, obj: models.Model) -> bool:
    """Whether `user` holds `permission` for this one object (in its organisation and unit)."""
    model = type(obj)
    return restrict(model._default_manager.filter(pk=obj.pk), user, permission).exists()


def organisation_ids_with(user, permission: str) -> frozenset[UUID]:
    """The organisations where `user` holds `permission` (whole or for one unit)."""
    return grants(user, permission).organisation_ids


class RestrictedQuerySet(models.QuerySet):
    """Base of the QuerySets of owned rows: subclasses set `scope`."""

    scope: ScopeFields | None = None

    def restrict(self, user, permission: str) -> Self:
        return restrict(self, user, permission)


# --- roles, not scope ---------------------------------------------------------------------------


def roles_of(user) -> frozenset[str]:
    """The roles a user holds anywhere (for the second factor, not for reaching rows)."""
    if not _is_active_user(user):
        return frozenset()
    roles = frozenset(role for _, role, _ in _memberships(user))
    return (roles | {Role.ADMIN}) if user.is_superuser else roles
