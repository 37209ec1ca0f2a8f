"""Querysets of the organisations app: directory rows, read through restrict(user, permission)."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields, restrict


class OrganisationQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="pk")

    def partners(self) -> OrganisationQuerySet:
        return self.filter(is_partner=True)


class UnitQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")

    def workplaces(self, user, permission: str) -> UnitQuerySet:
        """Units where the user may do `permission` to the records placed in them: a coach's own
        unit, every unit of an organisation where the role is not bound to a unit."""
        return restrict(self, user, permission, fields=ScopeFields("organisation", unit="pk"))


class MembershipQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")
