"""Who may change which plan (decision 0034), and the owner rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from emplus.core.audit import AuditEvent
from emplus.plans import services
from tests.plans.conftest import PERIOD, esf_goal, make_plan


def test_a_test_bed_plan_belongs_to_the_lead_organisation_and_is_audited(coordinator, bed):
    plan = make_plan(coordinator, bed)
    assert plan.organisation == bed.lead_organisation and plan.county is None
    assert AuditEvent.objects.filter(action="action_plan.created", target_id=str(plan.pk)).exists()


def test_another_organisation_cannot_plan_for_the_test_bed(other_org_coordinator, bed):
    with pytest.raises(PermissionDenied):
        make_plan(other_org_coordinator, bed)


def test_a_coach_cannot_add_a_goal(coach, coordinator, bed):
    plan = make_plan(coordinator, bed)
    with pytest.raises(PermissionDenied):
        esf_goal(coach, plan)


def test_county_and_partnership_plans_are_for_partnership_administrators(
    coordinator, admin_user, geo
):
    from emplus.geo.models import County

    county = County.objects.get(code="25")
    kwargs = {
        "title": "Länets plan",
        "owner_kind": "county",
        "county": county,
        "period_start": PERIOD[0],
        "period_end": PERIOD[1],
    }
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=coordinator, **kwargs)
    plan = services.plan_create(actor=admin_user, **kwargs)
    assert plan.organisation is None and plan.county == county


def test_an_owner_kind_without_its_owner_names_the_field(coordinator):
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            actor=coordinator,
            title="X",
            owner_kind="test_bed",
            period_start=PERIOD[0],
            period_end=PERIOD[1],
        )
    assert "test_bed" in error.value.message_dict


def test_values_are_recorded_only_for_manual_metrics(coordinator, bed):
    plan = make_plan(coordinator, bed)
    goal = esf_goal(coordinator, plan)
    with pytest.raises(ValidationError):
        services.goal_value_record(
            actor=coordinator, goal=goal, recorded_on=date(2026, 2, 1), value=Decimal("3")
        )
