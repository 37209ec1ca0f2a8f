"""Querysets of the self-service app: every read starts at visible_to(), the personal scope of
the participant's own organisation (links and attested time are never shared by consent)."""

from __future__ import annotations

from django.db import models

from emplus.core import scoping


class SelfServiceLinkQuerySet(models.QuerySet):
    def visible_to(self, user) -> SelfServiceLinkQuerySet:
        return scoping.personal_scope(
            self, user, organisation_field="organisation", unit_field="participant__unit"
        )


class MonthlyTimeQuerySet(models.QuerySet):
    def visible_to(self, user) -> MonthlyTimeQuerySet:
        return scoping.personal_scope(
            self, user, organisation_field="organisation", unit_field="participant__unit"
        )


class TimeAttestationQuerySet(models.QuerySet):
    def visible_to(self, user) -> TimeAttestationQuerySet:
        return scoping.personal_scope(
            self,
            user,
            organisation_field="organisation",
            unit_field="monthly_time__participant__unit",
        )
