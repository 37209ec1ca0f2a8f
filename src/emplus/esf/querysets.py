"""Querysets of the ESF projects app: every read starts at restrict(user, permission)."""

from __future__ import annotations

from emplus.core import scoping
from emplus.core.scoping import RestrictedQuerySet, ScopeFields


def organisations_with_permission(user, permission: str) -> frozenset:
    """The organisations where one of the user's memberships holds `permission`: a permission
    granted in one organisation never opens another's rows."""
    return scoping.organisation_ids_with(user, permission)


class ESFProjectQuerySet(RestrictedQuerySet):
    """Projects owned by an organisation where the user holds the permission."""

    scope = ScopeFields(organisation="organisation")


class ReportFileQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="project__organisation")

    def sent(self) -> ReportFileQuerySet:
        return self.filter(sent_at__isnull=False)
