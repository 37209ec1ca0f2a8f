"""The monthly snapshot: each running goal once per month, its value and status kept."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from emplus.plans import selectors, services
from emplus.plans.models import GoalSnapshot
from tests.plans.conftest import enrol, esf_goal, exit_to_work, make_plan


def test_a_snapshot_is_taken_once_per_month(coordinator, unit_a1, bed):
    plan = make_plan(coordinator, bed)
    goal = esf_goal(coordinator, plan, target="10")
    enrolments = enrol(unit_a1, bed, 6)
    exit_to_work(coordinator, enrolments[0], on=date(2026, 2, 1))
    first = services.snapshot_take(on=date(2026, 3, 3))
    exit_to_work(coordinator, enrolments[1], on=date(2026, 3, 5))
    again = services.snapshot_take(on=date(2026, 3, 20))
    assert (first.taken, again.taken, again.already) == (1, 0, 1)
    snap = GoalSnapshot.objects.get(goal=goal)
    assert (snap.month, snap.value, snap.status) == (date(2026, 3, 1), 1, "at_risk")
    [row] = selectors.goal_rows(viewer=coordinator, plan=plan, on=date(2026, 4, 1))
    assert [(h.month, h.value) for h in row.history] == [(date(2026, 3, 1), 1.0)]


def test_plans_outside_their_period_are_not_snapshotted(coordinator, bed):
    plan = make_plan(coordinator, bed)
    esf_goal(coordinator, plan)
    assert services.snapshot_take(on=date(2027, 3, 1)).taken == 0


def test_the_command_takes_and_refuses_a_bad_date(coordinator, bed):
    plan = make_plan(coordinator, bed)
    esf_goal(coordinator, plan)
    out = StringIO()
    call_command("plan_snapshots", "--on", "2026-05-02", stdout=out)
    assert "2026-05: 1 goal(s)" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("plan_snapshots", "--on", "May")
