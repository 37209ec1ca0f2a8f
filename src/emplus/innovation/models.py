"""Ideas moving through the innovation pipeline, each move with its decision and criteria, the
adoptions of a scaled idea, and the innovation-strategy goals of an organisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from emplus.core.models import UUIDModel, in_page_language
from emplus.innovation.choices import Stage
from emplus.innovation.querysets import IdeaQuerySet, StrategyGoalQuerySet
from emplus.methods.choices import EvidenceLevel


class StageCriterion(UUIDModel):
    """One criterion a decision to move an idea into `stage` is taken against (reference data,
    loaded by `emplus load-reference-data`)."""

    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    text_sv = models.CharField(_("criterion (Swedish)"), max_length=300)
    text_en = models.CharField(_("criterion (English)"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["stage", "order", "code"]
        verbose_name = _("stage criterion")
        verbose_name_plural = _("stage criteria")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return in_page_language(self.text_sv, self.text_en)


class Idea(UUIDModel):
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="ideas",
        verbose_name=_("originator organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    proposed_solution = models.TextField(_("proposed solution"))
    target_group = models.CharField(_("target group"), max_length=300)
    thematic_area = models.ForeignKey(
        "methods.ThematicArea",
        on_delete=models.PROTECT,
        related_name="ideas",
        verbose_name=_("thematic area"),
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.IDEA)
    # designed
    method_version = models.ForeignKey(
        "methods.MethodVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("draft method version"),
    )
    # tested
    test_bed = models.ForeignKey(
        "testbeds.TestBed",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("test bed"),
    )
    test_start = models.DateField(_("tested from"), null=True, blank=True)
    test_end = models.DateField(_("tested until"), null=True, blank=True)
    # evaluated
    effect_estimate = models.ForeignKey(
        "evidence.EffectEstimate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("effect estimate"),
    )
    evidence_level = models.PositiveSmallIntegerField(
        _("evidence level"), choices=EvidenceLevel.choices, null=True, blank=True
    )
    evidence_reason = models.TextField(_("reason for the evidence level"), blank=True)
    # stopped
    lessons = models.TextField(_("what was learned"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        constraints = [
            models.CheckConstraint(
                condition=Q(test_end__isnull=True)
                | Q(test_start__isnull=True)
                | Q(test_end__gte=F("test_start")),
                name="idea_test_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class StageMove(UUIDModel):
    """A decision to move an idea: who, when, from and to which stage, against which criteria."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="moves")
    from_stage = models.CharField(_("from"), max_length=12, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=12, choices=Stage.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(_("decided on"))
    criteria = models.ManyToManyField(StageCriterion, related_name="+", verbose_name=_("criteria"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["idea", "created_at"]
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")


class Adoption(UUIDModel):
    """An organisation or region that took up the idea (each recorded on its own)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="adoptions")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
        verbose_name=_("adopting organisation"),
    )
    county = models.ForeignKey(
        "geo.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
        verbose_name=_("region"),
    )
    adopted_on = models.DateField(_("adopted on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["idea", "adopted_on"]
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(county__isnull=False),
                name="adoption_names_organisation_or_region",
            ),
        ]


class StrategyGoal(UUIDModel):
    """A goal of an organisation's innovation strategy."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="innovation_goals",
        verbose_name=_("organisation"),
    )
    goal = models.CharField(_("goal"), max_length=300)
    thematic_area = models.ForeignKey(
        "methods.ThematicArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thematic area"),
    )
    target_year = models.PositiveSmallIntegerField(_("by year"), null=True, blank=True)

    objects = StrategyGoalQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "target_year", "goal"]
        verbose_name = _("innovation-strategy goal")
        verbose_name_plural = _("innovation-strategy goals")

    def __str__(self) -> str:
        return self.goal
