"""Querysets of the action plans: every role reads plans (no personal data); the responsible
organisation changes them through restrict(user, "plan.change"); county and partnership plans
(no organisation) are changed by partnership administrators (docs/decisions/0034)."""

from __future__ import annotations

from emplus.core.scoping import RestrictedQuerySet, ScopeFields


class ActionPlanQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="organisation")


class PlanGoalQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="plan__organisation")


class PlanActionQuerySet(RestrictedQuerySet):
    scope = ScopeFields(organisation="goal__plan__organisation")
