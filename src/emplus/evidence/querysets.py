"""Querysets of the evidence app: effect estimates belong to the organisation of the treated
group (decision 11) and are read through restrict(user, permission)."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class EffectEstimateQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")
