"""The read-only API of the action plans: a plan with its goals' live values."""

from __future__ import annotations

from emplus.plans import selectors
from tests.plans.conftest import enrol, esf_goal, exit_to_work, make_plan


def test_a_plan_with_its_live_values(client, coordinator, other_org_coordinator, unit_a1, bed):
    plan = make_plan(coordinator, bed)
    esf_goal(coordinator, plan)
    enrolments = enrol(unit_a1, bed, 2)
    exit_to_work(coordinator, enrolments[0])
    client.force_login(coordinator)
    listed = client.get("/api/action-plans/").json()
    assert [p["id"] for p in listed["results"]] == [str(plan.pk)]
    detail = client.get(f"/api/action-plans/{plan.pk}/").json()
    [goal] = detail["goals"]
    assert goal["goal"]["indicator_code"] == "EECR04" and goal["value"] == 1.0
    # outside the owning organisation the small count is hidden
    client.force_login(other_org_coordinator)
    [goal] = client.get(f"/api/action-plans/{plan.pk}/").json()["goals"]
    assert goal["value"] is None and goal["suppressed"] is True
    assert client.get("/api/action-plans/not-a-uuid/").status_code == 404


def test_plans_at_risk_names_the_viewers_plans_only(
    coordinator, other_org_coordinator, unit_a1, bed
):
    plan = make_plan(coordinator, bed)
    esf_goal(coordinator, plan, target="1000")  # far behind the line
    enrol(unit_a1, bed, 1)
    [at_risk] = selectors.plans_at_risk(viewer=coordinator)
    assert at_risk.plan == plan and at_risk.goals[0].status == "off_track"
    assert selectors.plans_at_risk(viewer=other_org_coordinator) == []
