"""{% owner_plans owner %}: the action plans of an organisation, a test bed or a county, for
their pages (lower apps load this tag by name and never import the plans app)."""

from __future__ import annotations

from django import template

from emplus.core.permissions import has_permission
from emplus.plans.selectors import owner_plan_list

register = template.Library()

# An owner has a handful of plans; the plan list (filtered) shows the rest.
SHOWN = 10


@register.inclusion_tag("plans/_owner_plans.html", takes_context=True)
def owner_plans(context, owner):
    user = context["request"].user
    if not has_permission(user, "plan.view"):
        return {"visible": False}
    plans = list(owner_plan_list(viewer=user, owner=owner)[: SHOWN + 1])
    return {"visible": True, "plans": plans[:SHOWN], "more": len(plans) > SHOWN}
