"""Writes of the action plans: plans, goals, actions, recorded values and the monthly
snapshots; each one transaction with its audit entry (directory data, not personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emplus.core.audit import audit_log
from emplus.core.typing import User
from emplus.evidence_core.goal_status import status_parameters
from emplus.geo.models import County
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation
from emplus.plans.choices import ActionStatus, OwnerKind
from emplus.plans.measures import Measurer
from emplus.plans.models import ActionPlan, GoalSnapshot, GoalValue, PlanAction, PlanGoal
from emplus.plans.permissions import can_change_plan_of
from emplus.plans.status import goal_status_of
from emplus.testbeds.models import TestBed

PURPOSE = "directory"

# What a goal measures and whose participants it counts: fixed once values are recorded or
# snapshots taken, for those numbers measured exactly this (a changed binding would put values
# of another measure on one line). The title, baseline, target and deadline stay editable:
# they are the plan's intent, and the history keeps each value as it was measured.
GOAL_BINDING_FIELDS = (
    "kind",
    "indicator_code",
    "metric_name",
    "organisation",
    "unit",
    "county",
    "method",
    "test_bed",
    "entry_from",
    "entry_to",
)

# The fields of a goal a form or the demo may set (besides the plan).
GOAL_FIELDS = ("title", *GOAL_BINDING_FIELDS, "baseline", "target", "deadline", "order")


def plan_can_change(*, actor: User, plan: ActionPlan) -> bool:
    return can_change_plan_of(
        actor, owner_kind=plan.owner_kind, organisation_id=plan.organisation_id
    )


def _require_change(actor: User, plan: ActionPlan) -> None:
    if not plan_can_change(actor=actor, plan=plan):
        raise PermissionDenied("You may not change this action plan.")


def _audit(actor: User | None, event: str, plan: ActionPlan, **details: Any) -> None:
    audit_log(
        actor=actor,
        action=event,
        target=plan,
        organisation=plan.organisation_id,
        purpose=PURPOSE,
        details={"plan": str(plan.pk), **details},
    )


def _owner_fields(
    *,
    owner_kind: str,
    organisation: Organisation | None,
    test_bed: TestBed | None,
    county: County | None,
) -> dict[str, Any]:
    """The owner columns of a plan: only the one its kind names (a test bed's plan is the
    responsibility of the bed's lead organisation)."""
    if owner_kind == OwnerKind.ORGANISATION:
        if organisation is None:
            raise ValidationError(
                {"organisation": _("Choose the organisation that owns the plan.")}
            )
        return {"organisation": organisation, "test_bed": None, "county": None}
    if owner_kind == OwnerKind.TEST_BED:
        if test_bed is None:
            raise ValidationError({"test_bed": _("Choose the test bed that owns the plan.")})
        return {"organisation": test_bed.lead_organisation, "test_bed": test_bed, "county": None}
    if owner_kind == OwnerKind.COUNTY:
        if county is None:
            raise ValidationError({"county": _("Choose the county that owns the plan.")})
        return {"organisation": None, "test_bed": None, "county": county}
    return {"organisation": None, "test_bed": None, "county": None}


@transaction.atomic
def plan_create(
    *,
    actor: User,
    title: str,
    owner_kind: str,
    period_start: date,
    period_end: date,
    organisation: Organisation | None = None,
    test_bed: TestBed | None = None,
    county: County | None = None,
    thematic_area: ThematicArea | None = None,
    description: str = "",
) -> ActionPlan:
    """A new action plan, by someone who may change plans of that owner."""
    plan = ActionPlan(
        title=title,
        owner_kind=owner_kind,
        period_start=period_start,
        period_end=period_end,
        thematic_area=thematic_area,
        description=description,
        **_owner_fields(
            owner_kind=owner_kind, organisation=organisation, test_bed=test_bed, county=county
        ),
    )
    _require_change(actor, plan)
    plan.full_clean()
    plan.save()
    _audit(actor, "action_plan.created", plan, owner_kind=owner_kind)
    return plan


@transaction.atomic
def plan_update(
    *,
    actor: User,
    plan: ActionPlan,
    title: str,
    period_start: date,
    period_end: date,
    thematic_area: ThematicArea | None = None,
    description: str = "",
) -> ActionPlan:
    """Change a plan's title, period, area and description (its owner stays)."""
    _require_change(actor, plan)
    plan.title = title
    plan.period_start = period_start
    plan.period_end = period_end
    plan.thematic_area = thematic_area
    plan.description = description
    plan.full_clean()
    plan.save()
    _audit(actor, "action_plan.changed", plan)
    return plan


@transaction.atomic
def plan_delete(*, actor: User, plan: ActionPlan) -> None:
    _require_change(actor, plan)
    _audit(actor, "action_plan.deleted", plan, title=plan.title)
    plan.delete()


@transaction.atomic
def goal_add(*, actor: User, plan: ActionPlan, **fields: Any) -> PlanGoal:
    """A goal of the plan; `fields` are among GOAL_FIELDS. Its line starts at the plan's
    start, so the deadline must come after it."""
    _require_change(actor, plan)
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown goal fields: {sorted(unknown)}")
    goal = PlanGoal(plan=plan, **fields)
    if goal.deadline and goal.deadline <= plan.period_start:
        raise ValidationError({"deadline": _("The deadline must come after the plan starts.")})
    goal.full_clean()
    goal.save()
    _audit(actor, "plan_goal.added", plan, goal=str(goal.pk), kind=goal.kind)
    return goal


def _goal_has_history(goal: PlanGoal) -> bool:
    """Whether values were recorded for the goal or snapshots taken of it."""
    return goal.values.exists() or goal.snapshots.exists()


def _audit_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(getattr(value, "pk", value))


@transaction.atomic
def goal_update(*, actor: User, goal: PlanGoal, **fields: Any) -> PlanGoal:
    """Change a goal; `fields` are among GOAL_FIELDS. Refused (naming the field) when the
    deadline is not after the plan's start or, once the goal has recorded values or snapshots,
    when its binding (GOAL_BINDING_FIELDS) would change. The audit entry keeps each changed
    field's old and new value: the goal's history."""
    _require_change(actor, goal.plan)
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown goal fields: {sorted(unknown)}")
    goal = PlanGoal.objects.select_for_update().select_related("plan").get(pk=goal.pk)
    before = {name: getattr(goal, name) for name in fields}
    changed = sorted(name for name, value in fields.items() if before[name] != value)
    if not changed:
        return goal
    bound = [name for name in changed if name in GOAL_BINDING_FIELDS]
    if bound and _goal_has_history(goal):
        message = _("Values are recorded for the goal: what it measures can no longer change.")
        raise ValidationError(dict.fromkeys(bound, message))
    deadline = fields.get("deadline", goal.deadline)
    if deadline and deadline <= goal.plan.period_start:
        raise ValidationError({"deadline": _("The deadline must come after the plan starts.")})
    for name in changed:
        setattr(goal, name, fields[name])
    goal.full_clean()
    goal.save()
    _audit(
        actor,
        "plan_goal.changed",
        goal.plan,
        goal=str(goal.pk),
        changes={
            name: [_audit_value(before[name]), _audit_value(fields[name])] for name in changed
        },
    )
    return goal


@transaction.atomic
def goal_delete(*, actor: User, goal: PlanGoal) -> None:
    _require_change(actor, goal.plan)
    _audit(actor, "plan_goal.deleted", goal.plan, goal=str(goal.pk), title=goal.title)
    goal.delete()


@transaction.atomic
def action_add(
    *,
    actor: User,
    goal: PlanGoal,
    title: str,
    responsible: Organisation,
    due_date: date,
    status: str = ActionStatus.PLANNED,
) -> PlanAction:
    _require_change(actor, goal.plan)
    action = PlanAction(
        goal=goal, title=title, responsible=responsible, due_date=due_date, status=status
    )
    action.full_clean()
    action.save()
    _audit(actor, "plan_action.added", goal.plan, goal=str(goal.pk), action=str(action.pk))
    return action


@transaction.atomic
def action_status_set(*, actor: User, action: PlanAction, status: str) -> PlanAction:
    _require_change(actor, action.goal.plan)
    action.status = status
    action.full_clean()
    action.save(update_fields=["status", "updated_at"])
    _audit(actor, "plan_action.status_set", action.goal.plan, action=str(action.pk), status=status)
    return action


@transaction.atomic
def goal_value_record(
    *, actor: User, goal: PlanGoal, recorded_on: date, value: Decimal, note: str = ""
) -> GoalValue:
    """A value of a manual metric."""
    _require_change(actor, goal.plan)
    if goal.kind != "manual":
        raise ValidationError(_("Only a manual metric takes recorded values."))
    row = GoalValue(goal=goal, recorded_on=recorded_on, value=value, note=note)
    row.full_clean()
    row.save()
    _audit(actor, "plan_goal.value_recorded", goal.plan, goal=str(goal.pk), value=str(value))
    return row


@dataclass(frozen=True)
class SnapshotRun:
    month: date
    taken: int
    already: int


@transaction.atomic
def snapshot_take(*, on: date | None = None, actor: User | None = None) -> SnapshotRun:
    """The monthly snapshot: each goal of a plan running this month gets its value and status
    once per month; a second run in the same month keeps the first (idempotent)."""
    on = on or timezone.localdate()
    month = on.replace(day=1)
    parameters = status_parameters()
    measurer = Measurer(on=on)
    done = set(GoalSnapshot.objects.filter(month=month).values_list("goal_id", flat=True))
    goals = (
        PlanGoal.objects.filter(plan__period_start__lte=on, plan__period_end__gte=month)
        .select_related("plan", "method", "test_bed")
        .order_by("plan_id", "order")
    )
    taken = already = 0
    for goal in goals:
        if goal.pk in done:
            already += 1
            continue
        measurement = measurer.measure(goal)
        GoalSnapshot.objects.create(
            goal=goal,
            month=month,
            taken_on=on,
            value=None if measurement.value is None else Decimal(str(measurement.value)),
            base=measurement.base if measurement.value is not None else None,
            status=goal_status_of(goal, measurement.value, on=on, parameters=parameters),
            parameters_version=parameters.version,
        )
        taken += 1
    audit_log(
        actor=actor,
        action="plan_goal.snapshots_taken",
        purpose=PURPOSE,
        details={"month": month.isoformat(), "taken": taken, "already": already},
    )
    return SnapshotRun(month, taken, already)
