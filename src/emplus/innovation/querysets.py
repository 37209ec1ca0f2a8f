"""Querysets of the innovation pipeline: an idea, and its strategy goals, belong to the
originator organisation (directory data, read by every role, changed by its coordinators)."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class IdeaQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")


class StrategyGoalQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")
