"""Reads of the action plans: plans (every role reads them), their goals with live values as
the viewer may see them, history, and the plans at risk for the start page.

A live value counts participants of possibly several organisations: it is shown in full when
every organisation it includes is one the viewer sees at full detail (`evidence.view_detail`);
otherwise a value resting on a count of 1-4 persons is hidden, and its status with it
(emplus.core.suppression's threshold, docs/decisions/0010, 0034)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from emplus.core import scoping
from emplus.core.suppression import DEFAULT_THRESHOLD
from emplus.core.typing import User
from emplus.evidence.selectors import special_dimensions, special_indicator_codes
from emplus.evidence_core.goal_status import expected_value
from emplus.evidence_core.indicators import INDICATORS
from emplus.geo.models import County
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation
from emplus.organisations.permissions import editable_organisation_ids
from emplus.pathways import progress_data
from emplus.plans.choices import SHARE_KINDS, GoalStatus, OwnerKind
from emplus.plans.measures import Measurement, Measurer
from emplus.plans.models import ActionPlan, GoalSnapshot, PlanAction, PlanGoal
from emplus.plans.permissions import can_change_plan_of
from emplus.plans.status import goal_line, goal_status_of
from emplus.testbeds.models import TestBed

DETAIL_PERMISSION = "evidence.view_detail"
AT_RISK = frozenset({GoalStatus.AT_RISK, GoalStatus.OFF_TRACK})


@dataclass(frozen=True)
class PlanFilters:
    q: str = ""
    owner_kind: str = ""
    thematic_area: str = ""  # code
    county: str = ""  # code
    current: bool = False  # running today
    at_risk: bool = False  # the viewer's plans at risk (plans_at_risk, as the start page counts)


def plan_list(*, viewer: User, filters: PlanFilters | None = None) -> QuerySet[ActionPlan]:
    """Every plan (no personal data: every role reads them), filtered, newest period first."""
    filters = filters or PlanFilters()
    qs = ActionPlan.objects.select_related(
        "organisation", "test_bed", "county", "thematic_area"
    ).annotate(goal_count=Count("goals"))
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.owner_kind:
        qs = qs.filter(owner_kind=filters.owner_kind)
    if filters.thematic_area:
        qs = qs.filter(thematic_area__code=filters.thematic_area)
    if filters.county:
        qs = qs.filter(Q(county_id=filters.county) | Q(test_bed__county_id=filters.county))
    if filters.current:
        today = timezone.localdate()
        qs = qs.filter(period_start__lte=today, period_end__gte=today)
    if filters.at_risk:
        qs = qs.filter(pk__in=[risk.plan.pk for risk in plans_at_risk(viewer=viewer)])
    return qs.order_by("-period_start", "title", "pk")


def plan_get(*, viewer: User, pk: UUID) -> ActionPlan:
    return get_object_or_404(
        ActionPlan.objects.select_related("organisation", "test_bed", "county", "thematic_area"),
        pk=pk,
    )


def plan_can_change(*, viewer: User, plan: ActionPlan) -> bool:
    return can_change_plan_of(
        viewer, owner_kind=plan.owner_kind, organisation_id=plan.organisation_id
    )


def plan_for_change(*, viewer: User, pk: UUID) -> ActionPlan:
    """The plan, if the viewer may change it (else 404: it is not theirs to change)."""
    plan = plan_get(viewer=viewer, pk=pk)
    if not plan_can_change(viewer=viewer, plan=plan):
        raise Http404
    return plan


def goal_for_change(*, viewer: User, pk: UUID) -> PlanGoal:
    goal = get_object_or_404(PlanGoal.objects.select_related("plan"), pk=pk)
    if not plan_can_change(viewer=viewer, plan=goal.plan):
        raise Http404
    return goal


def goal_has_history(*, goal: PlanGoal) -> bool:
    """Whether values were recorded for the goal or snapshots taken of it (its binding is
    then fixed, services.GOAL_BINDING_FIELDS)."""
    return goal.values.exists() or goal.snapshots.exists()


def action_for_change(*, viewer: User, pk: UUID) -> PlanAction:
    action = get_object_or_404(PlanAction.objects.select_related("goal__plan"), pk=pk)
    if not plan_can_change(viewer=viewer, plan=action.goal.plan):
        raise Http404
    return action


# --- what a viewer sees of a value ---------------------------------------------------------------


def visible_value(
    value: float | None,
    *,
    base: int | None,
    organisation_ids: Iterable[UUID],
    detail: frozenset,
    threshold: int = DEFAULT_THRESHOLD,
) -> tuple[float | None, bool]:
    """(the value as the viewer sees it, whether it is hidden by suppression)."""
    if value is None or set(organisation_ids) <= detail:
        return value, False
    if base is not None and 0 < base < threshold:
        return None, True
    return value, False


@dataclass(frozen=True)
class HistoryPoint:
    month: date
    value: float | None
    status: str

    @property
    def status_label(self) -> str:
        return str(GoalStatus(self.status).label)


@dataclass(frozen=True)
class GoalRow:
    goal: PlanGoal
    value: float | None
    status: str
    suppressed: bool
    expected: float
    is_share: bool
    history: tuple[HistoryPoint, ...]

    @property
    def status_label(self) -> str:
        return str(GoalStatus(self.status).label)


def _goals(plan: ActionPlan) -> QuerySet[PlanGoal]:
    return (
        plan.goals.select_related("organisation", "unit", "county", "method", "test_bed")
        .prefetch_related("actions__responsible")
        .order_by("order", "created_at")
    )


def goal_rows(
    *,
    viewer: User,
    plan: ActionPlan,
    on: date | None = None,
    measurer: Measurer | None = None,
    goals: Iterable[PlanGoal] | None = None,
    with_history: bool = True,
) -> list[GoalRow]:
    """Every goal of the plan with its live value and status as the viewer may see them, and
    its monthly history (same rule; none read with `with_history=False`)."""
    on = on or timezone.localdate()
    measurer = measurer or Measurer(on=on)
    detail = scoping.organisation_ids_with(viewer, DETAIL_PERMISSION)
    goals = list(_goals(plan) if goals is None else goals)
    snapshots: dict[UUID, list[GoalSnapshot]] = {}
    if with_history:
        for snap in GoalSnapshot.objects.filter(goal__in=goals).order_by("month"):
            snapshots.setdefault(snap.goal_id, []).append(snap)
    rows = []
    for goal in goals:
        goal.plan = plan  # the line starts at the plan's start; no query per goal
        measurement: Measurement = measurer.measure(goal)
        value, hidden = visible_value(
            measurement.value,
            base=measurement.base,
            organisation_ids=measurement.organisation_ids,
            detail=detail,
        )
        history = []
        for snap in snapshots.get(goal.pk, []):
            shown, snap_hidden = visible_value(
                None if snap.value is None else float(snap.value),
                base=snap.base,
                organisation_ids=measurement.organisation_ids,
                detail=detail,
            )
            history.append(
                HistoryPoint(snap.month, shown, GoalStatus.NO_DATA if snap_hidden else snap.status)
            )
        rows.append(
            GoalRow(
                goal=goal,
                value=value,
                status=goal_status_of(goal, value, on=on),
                suppressed=hidden,
                expected=round(expected_value(goal_line(goal), on), 1),
                is_share=goal.kind in SHARE_KINDS,
                history=tuple(history),
            )
        )
    return rows


# --- plans of an owner, plans at risk --------------------------------------------------------


def owner_plan_list(
    *, viewer: User, owner: Organisation | TestBed | County
) -> QuerySet[ActionPlan]:
    """The plans an organisation, a test bed or a county owns (for their pages)."""
    qs = ActionPlan.objects.select_related("thematic_area")
    if isinstance(owner, Organisation):
        qs = qs.filter(owner_kind=OwnerKind.ORGANISATION, organisation=owner)
    elif isinstance(owner, TestBed):
        qs = qs.filter(owner_kind=OwnerKind.TEST_BED, test_bed=owner)
    elif isinstance(owner, County):
        qs = qs.filter(owner_kind=OwnerKind.COUNTY, county=owner)
    else:
        return qs.none()
    return qs.order_by("-period_start", "title")


@dataclass(frozen=True)
class PlanAtRisk:
    plan: ActionPlan
    goals: tuple[GoalRow, ...]  # the goals at risk or off track (without their history)


# A start page shows a handful; more is the plan list's job.
AT_RISK_PLAN_LIMIT = 20


def plans_at_risk(*, viewer: User, on: date | None = None) -> list[PlanAtRisk]:
    """Running plans the viewer is responsible for (those of their organisations and the test
    beds they lead; county and partnership plans for partnership administrators) with at least
    one goal at risk or off track, as the viewer sees the values."""
    on = on or timezone.localdate()
    organisations = scoping.organisation_ids_with(viewer, "plan.view")
    mine = Q(organisation__in=sorted(organisations))
    if scoping.has_permission(viewer, "plan.change_partnership"):
        mine |= Q(organisation__isnull=True)
    plans = list(
        ActionPlan.objects.filter(mine, period_start__lte=on, period_end__gte=on)
        .select_related("organisation", "test_bed", "county")
        .order_by("period_end", "title")[:AT_RISK_PLAN_LIMIT]
    )
    # Every goal of those plans in one read; their values shared within the one Measurer.
    goals_of: dict[UUID, list[PlanGoal]] = {plan.pk: [] for plan in plans}
    for goal in (
        PlanGoal.objects.filter(plan__in=plans)
        .select_related("organisation", "unit", "county", "method", "test_bed")
        .order_by("order", "created_at")
    ):
        goals_of[goal.plan_id].append(goal)
    measurer = Measurer(on=on)
    out = []
    for plan in plans:
        rows = [
            r
            for r in goal_rows(
                viewer=viewer,
                plan=plan,
                on=on,
                measurer=measurer,
                goals=goals_of[plan.pk],
                with_history=False,
            )
            if r.status in AT_RISK
        ]
        if rows:
            out.append(PlanAtRisk(plan, tuple(rows)))
    return out


# --- what the forms offer ------------------------------------------------------------------------


def plan_owner_options(*, viewer: User) -> dict:
    """The owners the viewer may make plans for: their organisations (plan.change), the test
    beds those lead, and for partnership administrators every test bed, county and the
    partnership."""
    partnership = scoping.has_permission(viewer, "plan.change_partnership")
    editable = editable_organisation_ids(viewer, "plan.change")
    organisations = Organisation.objects.order_by("name")
    beds = TestBed.objects.order_by("name")
    if editable is not None:
        organisations = organisations.filter(pk__in=sorted(editable))
        if not partnership:
            beds = beds.filter(lead_organisation__in=sorted(editable))
    kinds = [OwnerKind.ORGANISATION, OwnerKind.TEST_BED]
    if partnership:
        kinds += [OwnerKind.COUNTY, OwnerKind.PARTNERSHIP]
    return {
        "organisations": organisations,
        "test_beds": beds,
        "kinds": kinds,
        "partnership": partnership,
    }


def esf_code_options() -> list[tuple[str, str]]:
    """The ESF+ indicators a goal may count: all but the special categories, which are never
    counted as finely as a goal's filters (docs/decisions/0015)."""
    special = set(special_indicator_codes())
    return [(code, f"{code} {name}") for code, name in INDICATORS if code not in special]


def dimension_options() -> list[tuple[str, str]]:
    """The dimensions of the active self-assessment instrument, special categories excluded."""
    instrument = progress_data.instrument_active()
    if instrument is None:
        return []
    codes = [d.code for d in instrument.dimensions.order_by("order")]
    sensitive = special_dimensions(codes)
    return [
        (d.code, progress_data.dimension_label(d, None))
        for d in instrument.dimensions.order_by("order")
        if d.code not in sensitive
    ]


def thematic_area_options() -> list[tuple[str, str]]:
    return [(a.code, str(a)) for a in ThematicArea.objects.order_by("code")]


def county_options() -> list[tuple[str, str]]:
    return list(County.objects.order_by("code").values_list("code", "name"))
