"""A test bed led by organisation A with participants enrolled in it, and plan helpers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from emplus.pathways import services as pathway_services
from emplus.plans import services
from emplus.testbeds.models import TestBed
from tests.factories import EnrolmentFactory, ParticipantFactory, TestBedFactory

PERIOD = (date(2026, 1, 1), date(2026, 12, 31))
HALFWAY = date(2026, 7, 2)


@pytest.fixture
def bed(org_a, geo) -> TestBed:
    return TestBedFactory(code="TB-PLAN", lead_organisation=org_a)


def enrol(unit, bed, n, *, ref="PL"):
    """`n` participants of `unit` with complete core data, enrolled in the test bed."""
    out = []
    for i in range(n):
        participant = ParticipantFactory(
            unit=unit, participant_ref=f"{ref}-{i}", isced=3, unemployed_months=3
        )
        out.append(
            EnrolmentFactory(participant=participant, entry_date=date(2026, 1, 15), test_bed=bed)
        )
    return out


def exit_to_work(actor, enrolment, on=date(2026, 5, 1)):
    return pathway_services.enrolment_exit(
        actor=actor, enrolment=enrolment, exit_date=on, reason="job", employed=True
    )


def make_plan(actor, bed, **fields):
    return services.plan_create(
        actor=actor,
        title=fields.pop("title", "Handlingsplan för testbädden"),
        owner_kind="test_bed",
        test_bed=bed,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        **fields,
    )


def esf_goal(actor, plan, *, code="EECR04", baseline="0", target="10", **fields):
    return services.goal_add(
        actor=actor,
        plan=plan,
        title=fields.pop("title", "Fler i arbete"),
        kind="esf",
        indicator_code=code,
        test_bed=plan.test_bed,
        baseline=Decimal(baseline),
        target=Decimal(target),
        deadline=fields.pop("deadline", PERIOD[1]),
        **fields,
    )


def running_plan(actor, bed, title, *, target, days=365):
    """A plan with one ESF+ goal running `days` either side of today (negative: ended): with a
    target of 1000 participants in work it is far behind its line; with 0 it is achieved."""
    today = timezone.localdate()
    plan = services.plan_create(
        actor=actor,
        title=title,
        owner_kind="test_bed",
        test_bed=bed,
        period_start=today - timedelta(days=abs(days) * 2),
        period_end=today + timedelta(days=days),
    )
    services.goal_add(
        actor=actor,
        plan=plan,
        title="Fler i arbete",
        kind="esf",
        indicator_code="EECR04",
        test_bed=bed,
        baseline=Decimal("0"),
        target=Decimal(target),
        deadline=plan.period_end,
    )
    return plan
