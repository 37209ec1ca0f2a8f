"""Demo action plans: one per test bed, goals on live indicators in every status."""

from __future__ import annotations

import pytest

from emplus.demo.builder import demo_data_create
from emplus.demo.pathways import TODAY
from emplus.geo.services import reference_data_load
from emplus.plans.measures import Measurer
from emplus.plans.models import ActionPlan, GoalSnapshot, PlanGoal
from emplus.plans.status import goal_status_of
from emplus.testbeds.models import TestBed

pytestmark = pytest.mark.django_db


def test_every_test_bed_has_a_plan_with_goals_in_every_status():
    reference_data_load()
    demo_data_create(participants=200)
    beds = TestBed.objects.exclude(lead_organisation=None)
    assert ActionPlan.objects.filter(test_bed__in=beds).count() == beds.count()
    measurer = Measurer(on=TODAY)
    goals = PlanGoal.objects.select_related("plan", "test_bed", "method")
    statuses = {goal_status_of(g, measurer.measure(g).value, on=TODAY) for g in goals}
    assert {"on_track", "at_risk", "off_track", "achieved"} <= statuses
    assert {"esf", "placement_work", "manual"} <= set(goals.values_list("kind", flat=True))
    assert GoalSnapshot.objects.values("month").distinct().count() == 3
    # a second run adds nothing
    before = (PlanGoal.objects.count(), GoalSnapshot.objects.count())
    demo_data_create(participants=200)
    assert (PlanGoal.objects.count(), GoalSnapshot.objects.count()) == before
