"""Querysets of the organisations app, each scoped through emplus.core.scoping."""

from __future__ import annotations

from django.db import models

from emplus.core import scoping


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> OrganisationQuerySet:
        return scoping.directory_scope(self, user, organisation_field="pk")

    def partners(self) -> OrganisationQuerySet:
        return self.filter(is_partner=True)


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> UnitQuerySet:
        return scoping.directory_scope(self, user, organisation_field="organisation")


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user) -> MembershipQuerySet:
        return scoping.directory_scope(self, user, organisation_field="organisation")
