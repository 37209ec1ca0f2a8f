"""Querysets of the self-service app: every read starts at restrict(user, permission), within
the participant's own organisation and unit (links and attested time are never shared by
consent)."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class SelfServiceLinkQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation", unit="participant__unit")


class MonthlyTimeQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation", unit="participant__unit")


class TimeAttestationQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation", unit="monthly_time__participant__unit")
