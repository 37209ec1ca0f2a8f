"""Demo action plans: one per test bed, its goals on live indicators (ESF+ participants and
results, placements leading to work) and a manual metric, with targets chosen around the
values on the demo's day so that every status appears (on track, at risk, off track,
achieved), actions under each goal and three monthly snapshots. Deterministic for a seed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from emplus.demo.pathways import TODAY
from emplus.evidence_core.goal_status import Status, status_parameters
from emplus.plans.choices import ActionStatus, GoalKind, OwnerKind
from emplus.plans.measures import Measurer
from emplus.plans.models import ActionPlan, GoalValue, PlanAction, PlanGoal
from emplus.plans.services import snapshot_take
from emplus.testbeds.models import TestBed

STATUSES = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.ACHIEVED]
GOALS = [
    ("Fler deltagare når testbädden", GoalKind.ESF, "EECO01", ""),
    ("Fler i arbete efter avslut", GoalKind.ESF, "EECR04", ""),
    ("Praktik leder till anställning", GoalKind.PLACEMENT_WORK, "", ""),
    ("Arbetsgivarträffar i länet", GoalKind.MANUAL, "", "Antal arbetsgivarträffar"),
]
ACTIONS = [
    "Uppsökande arbete tillsammans med kommunens arbetsmarknadsenhet",
    "Gemensam utbildningsdag för handledare",
    "Uppföljningsmöte med arbetsgivarna",
]


def _target_for(status: Status, value: float, fraction: float) -> Decimal:
    """A target (from a baseline of 0) that puts `value` in `status` a `fraction` of the way
    through the period (tolerance: status_parameters())."""
    if value <= 0:  # nothing counted yet: only "achieved" (a target of 0) or "off track"
        return Decimal("0") if status == Status.ACHIEVED else Decimal("10")
    tolerance = status_parameters().tolerance
    target = {
        Status.ACHIEVED: value * 0.8,
        Status.ON_TRACK: value / fraction * 0.95,
        Status.AT_RISK: value / (fraction - tolerance / 2),
        Status.OFF_TRACK: value / fraction * 3,
    }[status]
    return Decimal(str(round(target, 2)))


def create(rng: random.Random) -> int:
    """The plans; returns how many goals they hold."""
    start = dt.date(TODAY.year, 1, 1)
    end = dt.date(TODAY.year + 1, 6, 30)
    measurer = Measurer(on=TODAY)
    count = 0
    beds = TestBed.objects.exclude(lead_organisation=None).select_related("lead_organisation")
    for index, bed in enumerate(beds.order_by("code")):
        plan, _ = ActionPlan.objects.update_or_create(
            owner_kind=OwnerKind.TEST_BED,
            test_bed=bed,
            defaults={
                "title": f"Handlingsplan {bed.name}",
                "organisation": bed.lead_organisation,
                "thematic_area": bed.thematic_areas.order_by("code").first(),
                "period_start": start,
                "period_end": end,
                "description": "Testbäddens mål för perioden, följda mot plattformens data.",
            },
        )
        for order, (title, kind, code, metric) in enumerate(GOALS):
            status = STATUSES[(index + order) % len(STATUSES)]
            goal, _ = PlanGoal.objects.update_or_create(
                plan=plan,
                order=order,
                defaults={
                    "title": title,
                    "kind": kind,
                    "indicator_code": code,
                    "metric_name": metric,
                    "test_bed": None if kind == GoalKind.MANUAL else bed,
                    "baseline": Decimal("0"),
                    "target": Decimal("1"),
                    "deadline": end,
                },
            )
            if kind == GoalKind.MANUAL:
                GoalValue.objects.update_or_create(
                    goal=goal,
                    recorded_on=TODAY - dt.timedelta(days=14),
                    defaults={"value": Decimal(rng.randint(4, 12)), "note": ""},
                )
            value = measurer.measure(goal).value
            fraction = (TODAY - start).days / (end - start).days
            goal.target = _target_for(status, value or 0.0, fraction)
            goal.save(update_fields=["target", "updated_at"])
            for i, action in enumerate(rng.sample(ACTIONS, 2)):
                PlanAction.objects.update_or_create(
                    goal=goal,
                    title=action,
                    defaults={
                        "responsible": bed.lead_organisation,
                        "due_date": TODAY + dt.timedelta(days=30 * (i + 1)),
                        "status": rng.choice(list(ActionStatus.values)),
                    },
                )
            count += 1
    for months_back in (3, 2, 1):
        day = (TODAY.replace(day=1) - dt.timedelta(days=28 * months_back)).replace(day=1)
        snapshot_take(on=day)
    return count
