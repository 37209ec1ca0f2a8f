"""Editing a goal: a lead corrects a target or a deadline without losing its recorded values;
what a goal measures stays fixed once values are recorded; the unhappy paths (bad input,
another organisation, a coach) and the audit entry that keeps the old and new values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from emplus.core.audit import AuditEvent
from emplus.plans import services
from emplus.plans.models import PlanGoal
from tests.plans.conftest import esf_goal, make_plan

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Fler i arbete",
    "kind": "esf",
    "esf_code": "EECR04",
    "baseline": "0",
    "target": "10",
    "deadline": "2026-12-31",
}


def _manual_goal(actor, plan):
    return services.goal_add(
        actor=actor,
        plan=plan,
        title="Arbetsgivarmöten",
        kind="manual",
        metric_name="Möten",
        baseline=Decimal(0),
        target=Decimal(12),
        deadline=date(2026, 12, 31),
    )


def test_a_coordinator_corrects_the_target_and_deadline_from_the_plan_page(
    client, coordinator, bed
):
    plan = make_plan(coordinator, bed)
    goal = esf_goal(coordinator, plan)
    client.force_login(coordinator)
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    url = reverse("plans:goal_edit", args=[goal.pk])
    assert f'href="{url}"' in page
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["esf_code"] == "EECR04"
    response = client.post(
        url, {**FORM, "test_bed": bed.pk, "target": "25", "deadline": "2026-10-31"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#goal-{goal.pk}")
    goal.refresh_from_db()
    assert goal.target == Decimal(25) and goal.deadline == date(2026, 10, 31)
    event = AuditEvent.objects.get(action="plan_goal.changed")
    assert event.details["goal"] == str(goal.pk)
    changes = event.details["changes"]
    assert sorted(changes) == ["deadline", "target"]
    assert changes["deadline"] == ["2026-12-31", "2026-10-31"]
    assert [Decimal(v) for v in changes["target"]] == [10, 25]


def test_bad_input_names_the_field_and_changes_nothing(client, coordinator, bed):
    plan = make_plan(coordinator, bed)
    goal = esf_goal(coordinator, plan)
    client.force_login(coordinator)
    url = reverse("plans:goal_edit", args=[goal.pk])
    response = client.post(url, {**FORM, "target": "many"})
    assert response.status_code == 400 and response.context["form"].errors["target"]
    # the service's own rule, shown by field: the deadline must come after the plan starts
    response = client.post(url, {**FORM, "target": "30", "deadline": "2025-06-01"})
    assert response.status_code == 400 and response.context["form"].errors["deadline"]
    goal.refresh_from_db()
    assert goal.target == Decimal(10) and goal.deadline == date(2026, 12, 31)
    assert not AuditEvent.objects.filter(action="plan_goal.changed").exists()


def test_recorded_values_fix_what_the_goal_measures_but_not_its_target(client, coordinator, bed):
    plan = make_plan(coordinator, bed)
    goal = _manual_goal(coordinator, plan)
    services.goal_value_record(
        actor=coordinator, goal=goal, recorded_on=date(2026, 3, 1), value=Decimal(5)
    )
    # the service refuses a new binding, naming the field, and writes nothing
    with pytest.raises(services.ValidationError) as refused:
        services.goal_update(actor=coordinator, goal=goal, metric_name="Besök", target=Decimal(20))
    assert "metric_name" in refused.value.message_dict
    goal.refresh_from_db()
    assert goal.metric_name == "Möten" and goal.target == Decimal(12)
    # the page shows the binding disabled: a posted change of it is ignored, the target saved
    client.force_login(coordinator)
    url = reverse("plans:goal_edit", args=[goal.pk])
    assert client.get(url).context["form"].fields["metric_name"].disabled
    response = client.post(
        url,
        {
            "title": "Arbetsgivarmöten",
            "kind": "esf",
            "esf_code": "EECR04",
            "metric_name": "Besök",
            "baseline": "0",
            "target": "20",
            "deadline": "2026-12-31",
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.kind, goal.metric_name, goal.target) == ("manual", "Möten", Decimal(20))
    assert goal.values.count() == 1


def test_without_values_the_goal_may_measure_something_else(coordinator, bed):
    plan = make_plan(coordinator, bed)
    goal = esf_goal(coordinator, plan)
    services.goal_update(actor=coordinator, goal=goal, indicator_code="EECR02")
    goal.refresh_from_db()
    assert goal.indicator_code == "EECR02"


def test_another_organisations_coordinator_gets_404(
    client, coordinator, other_org_coordinator, bed
):
    plan = make_plan(coordinator, bed)
    goal = esf_goal(coordinator, plan)
    client.force_login(other_org_coordinator)
    url = reverse("plans:goal_edit", args=[goal.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {**FORM, "target": "99"}).status_code == 404
    with pytest.raises(services.PermissionDenied):
        services.goal_update(actor=other_org_coordinator, goal=goal, target=Decimal(99))
    goal.refresh_from_db()
    assert goal.target == Decimal(10)


def test_a_coach_may_not_edit_a_goal(client, coach, coordinator, bed):
    plan = make_plan(coordinator, bed)
    goal = esf_goal(coordinator, plan)
    client.force_login(coach)
    url = reverse("plans:goal_edit", args=[goal.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {**FORM, "target": "99"}).status_code == 403
    assert PlanGoal.objects.get().target == Decimal(10)
