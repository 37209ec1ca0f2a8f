"""Querysets of the collaboration registry: rows owned by the registering organisation."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class CollaborationQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")


class CollaborationPartyQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="collaboration__organisation")


class CollaborationDocumentQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="collaboration__organisation")
