"""Querysets of the ESF projects app: every read starts at restrict(user, permission)."""

from __future__ import annotations

from django.db import models

from emplus.core.roles import role_has_permission
from emplus.core.scoping import reach_of


def organisations_with_permission(user, permission: str) -> set:
    """The organisations where one of the user's memberships holds `permission`: a permission
    granted in one organisation never opens another's rows."""
    return {
        organisation_id
        for organisation_id, role, _unit in reach_of(user).memberships
        if role_has_permission(role, permission)
    }


class ESFProjectQuerySet(models.QuerySet):
    def restrict(self, user, permission: str) -> ESFProjectQuerySet:
        """Projects owned by an organisation where the user holds `permission`."""
        return self.filter(organisation__in=organisations_with_permission(user, permission))


class ReportFileQuerySet(models.QuerySet):
    def restrict(self, user, permission: str) -> ReportFileQuerySet:
        return self.filter(
            project__organisation__in=organisations_with_permission(user, permission)
        )

    def sent(self) -> ReportFileQuerySet:
        return self.filter(sent_at__isnull=False)
