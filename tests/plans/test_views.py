"""Pages of the action plans: create a plan and a goal as a new user would, see the live value,
print, export; the unhappy paths (other organisation, wrong role, bad input)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from emplus.plans import selectors, services
from emplus.plans.models import ActionPlan, PlanGoal
from tests.plans.conftest import enrol, esf_goal, exit_to_work, make_plan, running_plan

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_a_coordinator_creates_a_test_bed_plan_with_an_esf_goal_and_sees_its_value(
    client, coordinator, unit_a1, bed
):
    enrolments = enrol(unit_a1, bed, 6)
    for enrolment in enrolments[:3]:
        exit_to_work(coordinator, enrolment)
    _login(client, coordinator)
    response = client.post(
        reverse("plans:new"),
        {
            "title": "Testbäddens plan",
            "owner_kind": "test_bed",
            "test_bed": bed.pk,
            "period_start": "2026-01-01",
            "period_end": "2027-12-31",
        },
    )
    plan = ActionPlan.objects.get()
    assert response.status_code == 302 and plan.organisation == bed.lead_organisation
    response = client.post(
        reverse("plans:goal_new", args=[plan.pk]),
        {
            "title": "I arbete efter avslut",
            "kind": "esf",
            "esf_code": "EECR04",
            "test_bed": bed.pk,
            "baseline": "0",
            "target": "20",
            "deadline": "2027-12-31",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("plans:detail", args=[plan.pk]))
    assert page.status_code == 200
    [row, _chart] = page.context["goals"][0:1][0]
    assert row.value == 3.0
    assert "<svg" in page.content.decode()
    # the test bed's page lists the plan
    bed_page = client.get(reverse("testbeds:detail", args=[bed.code]))
    assert "Testbäddens plan" in bed_page.content.decode()


def test_a_goal_without_its_indicator_names_the_field(client, coordinator, bed):
    plan = make_plan(coordinator, bed)
    _login(client, coordinator)
    response = client.post(
        reverse("plans:goal_new", args=[plan.pk]),
        {"title": "X", "kind": "esf", "baseline": "0", "target": "x", "deadline": "2026-12-31"},
    )
    assert response.status_code == 400
    assert "ESF+" in response.content.decode() and not PlanGoal.objects.exists()


def test_a_deadline_before_the_plan_starts_is_refused_by_field(client, coordinator, bed):
    plan = make_plan(coordinator, bed)
    _login(client, coordinator)
    response = client.post(
        reverse("plans:goal_new", args=[plan.pk]),
        {
            "title": "X",
            "kind": "manual",
            "metric_name": "Möten",
            "baseline": "0",
            "target": "4",
            "deadline": "2025-06-01",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["deadline"]


def test_another_organisations_coordinator_cannot_change_the_plan(
    client, coordinator, other_org_coordinator, bed
):
    plan = make_plan(coordinator, bed)
    _login(client, other_org_coordinator)
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("plans:edit", args=[plan.pk])).status_code == 404
    assert client.post(reverse("plans:goal_new", args=[plan.pk]), {}).status_code == 404


def test_a_coach_reads_plans_but_creates_none(client, coach, coordinator, bed):
    make_plan(coordinator, bed)
    _login(client, coach)
    assert client.get(reverse("plans:list")).status_code == 200
    assert client.get(reverse("plans:new")).status_code == 403


def test_a_coordinator_may_not_make_a_partnership_plan(client, coordinator):
    _login(client, coordinator)
    response = client.post(
        reverse("plans:new"),
        {
            "title": "Alla",
            "owner_kind": "partnership",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 400 and not ActionPlan.objects.exists()


def test_print_and_export(client, coordinator, unit_a1, bed):
    plan = make_plan(coordinator, bed)
    esf_goal(coordinator, plan)
    _login(client, coordinator)
    assert client.get(reverse("plans:print", args=[plan.pk])).status_code == 200
    response = client.get(reverse("plans:export", args=[plan.pk]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "Fler i arbete" in archive.read("xl/sharedStrings.xml").decode()


def test_the_plan_list_paginates_within_a_query_budget(
    client, coordinator, bed, django_assert_max_num_queries
):
    for i in range(25):
        make_plan(coordinator, bed, title=f"Plan {i:02d}")
    _login(client, coordinator)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("plans:list"), {"owner_kind": "test_bed"})
    assert response.status_code == 200 and len(response.context["page"].object_list) == 20


def test_the_overview_stays_within_a_query_budget(
    client, coordinator, unit_a1, bed, django_assert_max_num_queries
):
    plan = make_plan(coordinator, bed)
    for code in ("EECO01", "EECO02", "EECR04"):
        esf_goal(coordinator, plan, code=code)
    enrol(unit_a1, bed, 5)
    _login(client, coordinator)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 200


def test_actions_and_manual_values(client, coordinator, org_a, bed):
    plan = make_plan(coordinator, bed)
    _login(client, coordinator)
    client.post(
        reverse("plans:goal_new", args=[plan.pk]),
        {
            "title": "Arbetsgivarmöten",
            "kind": "manual",
            "metric_name": "Möten",
            "baseline": "0",
            "target": "12",
            "deadline": "2026-12-31",
        },
    )
    goal = PlanGoal.objects.get()
    response = client.post(
        reverse("plans:value_new", args=[goal.pk]),
        {"recorded_on": date(2026, 3, 1).isoformat(), "value": "5"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("plans:action_new", args=[goal.pk]),
        {
            "title": "Bjud in",
            "responsible": org_a.pk,
            "due_date": "2026-06-30",
            "status": "planned",
        },
    )
    assert response.status_code == 302
    action = goal.actions.get()
    client.post(reverse("plans:action_status", args=[action.pk]), {"status": "done"})
    action.refresh_from_db()
    assert action.status == "done"


def test_registering_an_exit_on_its_page_changes_the_plans_value_and_status(
    client, coordinator, unit_a1, bed
):
    # given a test-bed plan whose goal counts exits to work (EECR04), 4 by the deadline with
    # the plan halfway, and six participants in the test bed, two of whom left for work
    today = timezone.localdate()
    plan = services.plan_create(
        actor=coordinator,
        title="Plan",
        owner_kind="test_bed",
        test_bed=bed,
        period_start=today - timedelta(days=100),
        period_end=today + timedelta(days=100),
    )
    esf_goal(coordinator, plan, target="4", deadline=plan.period_end)
    enrolments = enrol(unit_a1, bed, 6)
    for enrolment in enrolments[:2]:
        exit_to_work(coordinator, enrolment, on=today - timedelta(days=5))
    _login(client, coordinator)
    [(row, _chart)] = client.get(reverse("plans:detail", args=[plan.pk])).context["goals"]
    assert (row.value, row.status) == (2.0, "on_track")
    # when a coordinator records a third exit to work on the participant's exit page
    enrolment = enrolments[2]
    response = client.post(
        reverse("pathways:exit", args=[enrolment.participant_id, enrolment.pk]),
        {"exit_date": today.isoformat(), "reason": "job", "employed": "true"},
    )
    assert response.status_code == 302
    # then the plan shows the new value and status at once
    [(row, _chart)] = client.get(reverse("plans:detail", args=[plan.pk])).context["goals"]
    assert (row.value, row.status) == (3.0, "on_track")
    # and a fourth reaches the target
    enrolment = enrolments[3]
    client.post(
        reverse("pathways:exit", args=[enrolment.participant_id, enrolment.pk]),
        {"exit_date": today.isoformat(), "reason": "job", "employed": "true"},
    )
    [(row, _chart)] = client.get(reverse("plans:detail", args=[plan.pk])).context["goals"]
    assert (row.value, row.status) == (4.0, "achieved")


def test_the_at_risk_filter_lists_exactly_the_viewers_plans_at_risk(
    client, coordinator, other_org_coordinator, unit_a1, bed, django_assert_max_num_queries
):
    # given two running plans of A's test bed, one far behind its line and one on track, and
    # an ended plan
    behind = running_plan(coordinator, bed, "Långt efter", target="1000")
    running_plan(coordinator, bed, "I fas", target="0")
    running_plan(coordinator, bed, "Avslutad", target="1000", days=-30)
    enrol(unit_a1, bed, 1)
    _login(client, coordinator)
    # when A's coordinator filters the list to the plans at risk
    with django_assert_max_num_queries(20):
        response = client.get(reverse("plans:list"), {"at_risk": "on"})
    # then the list holds the plan the selector names, and only it
    assert response.status_code == 200
    listed = [p.pk for p in response.context["page"].object_list]
    assert listed == [p.plan.pk for p in selectors.plans_at_risk(viewer=coordinator)]
    assert listed == [behind.pk]
    # and another organisation's coordinator is responsible for none of them
    _login(client, other_org_coordinator)
    response = client.get(reverse("plans:list"), {"at_risk": "on"})
    assert response.context["page"].paginator.count == 0
    # without the filter everyone still reads every plan
    assert client.get(reverse("plans:list")).context["page"].paginator.count == 3
