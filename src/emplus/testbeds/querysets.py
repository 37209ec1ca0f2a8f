"""Querysets of the test beds app: beds are read by every role, changed through
restrict(user, "testbed.change") in the lead organisation."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class TestBedQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="lead_organisation")
