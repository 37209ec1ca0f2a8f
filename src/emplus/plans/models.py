"""Action plans, their goals bound to live indicators, the goals' actions, recorded values of
manual metrics and monthly snapshots (docs/decisions/0034)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from emplus.core.models import TimeStampedModel, UUIDModel
from emplus.plans.choices import ActionStatus, GoalKind, GoalStatus, OwnerKind
from emplus.plans.querysets import ActionPlanQuerySet, PlanActionQuerySet, PlanGoalQuerySet


class ActionPlan(UUIDModel):
    """A plan of an organisation, a test bed, a county or the whole partnership.

    `organisation` is the responsible organisation: the owner itself, or the lead organisation
    of the owning test bed (taken when the plan is created); empty for county and partnership
    plans."""

    title = models.CharField(_("title"), max_length=200)
    owner_kind = models.CharField(_("owner"), max_length=16, choices=OwnerKind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("responsible organisation"),
    )
    test_bed = models.ForeignKey(
        "testbeds.TestBed",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("test bed"),
    )
    county = models.ForeignKey(
        "geo.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("county"),
    )
    thematic_area = models.ForeignKey(
        "methods.ThematicArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("thematic area"),
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    description = models.TextField(_("description"), blank=True)

    objects = ActionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "title"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="plan_period_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(owner_kind=OwnerKind.ORGANISATION, organisation__isnull=False)
                    & Q(test_bed__isnull=True, county__isnull=True)
                )
                | Q(owner_kind=OwnerKind.TEST_BED, test_bed__isnull=False, county__isnull=True)
                | (
                    Q(owner_kind=OwnerKind.COUNTY, county__isnull=False)
                    & Q(organisation__isnull=True, test_bed__isnull=True)
                )
                | Q(
                    owner_kind=OwnerKind.PARTNERSHIP,
                    organisation__isnull=True,
                    test_bed__isnull=True,
                    county__isnull=True,
                ),
                name="plan_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self):
        """The organisation, test bed or county that owns the plan; None for the partnership."""
        return {
            OwnerKind.ORGANISATION: self.organisation,
            OwnerKind.TEST_BED: self.test_bed,
            OwnerKind.COUNTY: self.county,
        }.get(self.owner_kind)


class PlanGoal(UUIDModel):
    """A goal bound to a value the platform computes (or a manual metric), with the straight
    line from `baseline` at the plan's start to `target` at `deadline`. The filters select the
    participants an indicator counts (all empty: the whole partnership)."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("plan")
    )
    title = models.CharField(_("goal"), max_length=300)
    kind = models.CharField(_("measured by"), max_length=20, choices=GoalKind.choices)
    # The ESF+ indicator code (ESF goals) or the instrument dimension (progression goals).
    indicator_code = models.CharField(_("indicator"), max_length=32, blank=True)
    metric_name = models.CharField(_("manual metric"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    county = models.ForeignKey(
        "geo.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("county of residence"),
    )
    method = models.ForeignKey(
        "methods.Method",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("method"),
    )
    test_bed = models.ForeignKey(
        "testbeds.TestBed",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("test bed"),
    )
    entry_from = models.DateField(_("entered from"), null=True, blank=True)
    entry_to = models.DateField(_("entered until"), null=True, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    deadline = models.DateField(_("deadline"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = PlanGoalQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "order", "created_at"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(indicator_code="") | ~Q(kind__in=[GoalKind.ESF, GoalKind.PROGRESSION]),
                name="plan_goal_names_its_indicator",
            ),
            models.CheckConstraint(
                condition=Q(entry_to__isnull=True)
                | Q(entry_from__isnull=True)
                | Q(entry_to__gte=F("entry_from")),
                name="plan_goal_entry_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class GoalValue(UUIDModel):
    """A recorded value of a manual metric."""

    goal = models.ForeignKey(
        PlanGoal, on_delete=models.CASCADE, related_name="values", verbose_name=_("goal")
    )
    recorded_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["goal", "-recorded_on", "-created_at"]
        verbose_name = _("recorded value")
        verbose_name_plural = _("recorded values")

    def __str__(self) -> str:
        return f"{self.recorded_on}: {self.value}"


class GoalSnapshot(TimeStampedModel):
    """A goal's value and status at the monthly snapshot, unsuppressed (shown like the live
    value); one per goal and month."""

    goal = models.ForeignKey(
        PlanGoal, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("goal")
    )
    month = models.DateField(_("month"))  # the first day of the month
    taken_on = models.DateField(_("taken on"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True)
    # The smallest count behind the value (participants or records): decides suppression.
    base = models.PositiveIntegerField(_("base"), null=True)
    status = models.CharField(_("status"), max_length=16, choices=GoalStatus.choices)
    parameters_version = models.PositiveSmallIntegerField(_("status rule version"))

    class Meta:
        ordering = ["goal", "month"]
        verbose_name = _("goal snapshot")
        verbose_name_plural = _("goal snapshots")
        constraints = [
            models.UniqueConstraint(fields=["goal", "month"], name="goal_snapshot_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.goal} {self.month:%Y-%m}: {self.value}"


class PlanAction(UUIDModel):
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.CASCADE, related_name="actions", verbose_name=_("goal")
    )
    title = models.CharField(_("action"), max_length=300)
    responsible = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="plan_actions",
        verbose_name=_("responsible organisation"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )

    objects = PlanActionQuerySet.as_manager()

    class Meta:
        ordering = ["goal", "due_date", "title"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title
