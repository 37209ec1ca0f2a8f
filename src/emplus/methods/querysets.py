"""Querysets of the methods library: methods are read by every role and changed through
restrict(user, "method.change") in an owner organisation."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class MethodQuerySet(RestrictedQuerySet):
    # owners is many-to-many: a restricted queryset may repeat a method; callers take distinct()
    scope = ScopeFields(organisation="owners")
