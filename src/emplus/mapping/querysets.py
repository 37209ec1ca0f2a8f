"""Querysets of the mapping app: activities are read by every role, changed through
restrict(user, "activity.change") in the owning organisation."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class ActivityQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")
