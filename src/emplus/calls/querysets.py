"""Querysets of funding calls and consortia: calls are read by every role and changed in the
organisation that registered them; a consortium belongs to its lead organisation."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class CallQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")


class ConsortiumQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="lead_organisation")


class ConsortiumPartnerQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="consortium__lead_organisation")


class ConsortiumEventQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="consortium__lead_organisation")
