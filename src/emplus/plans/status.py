"""A goal's straight line and status, from its row (the rule itself is the pure
evidence_core.goal_status)."""

from __future__ import annotations

from datetime import date

from emplus.evidence_core.goal_status import GoalLine, StatusParameters, goal_status
from emplus.plans.models import PlanGoal


def goal_line(goal: PlanGoal) -> GoalLine:
    """From the baseline at the plan's start to the target at the goal's deadline."""
    return GoalLine(
        baseline=float(goal.baseline),
        target=float(goal.target),
        start=goal.plan.period_start,
        deadline=goal.deadline,
    )


def goal_status_of(
    goal: PlanGoal, value: float | None, *, on: date, parameters: StatusParameters | None = None
) -> str:
    return str(goal_status(goal_line(goal), value, on=on, parameters=parameters))
