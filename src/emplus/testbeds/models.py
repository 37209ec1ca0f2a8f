"""Regional test beds where methods are tried and evaluated."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from emplus.core.models import UUIDModel
from emplus.organisations.models import code_validator
from emplus.testbeds.querysets import TestBedQuerySet


class TestBed(UUIDModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    county = models.ForeignKey(
        "geo.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="test_beds",
        verbose_name=_("county"),
    )
    lead_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_test_beds",
        verbose_name=_("lead organisation"),
    )
    partners = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="test_beds",
        verbose_name=_("partners"),
    )
    municipalities = models.ManyToManyField(
        "geo.Municipality", blank=True, related_name="test_beds", verbose_name=_("municipalities")
    )
    methods = models.ManyToManyField(
        "methods.Method", blank=True, related_name="test_beds", verbose_name=_("methods tried")
    )
    thematic_areas = models.ManyToManyField(
        "methods.ThematicArea",
        blank=True,
        related_name="test_beds",
        verbose_name=_("thematic areas"),
    )
    description = models.TextField(_("description"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)

    objects = TestBedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("test bed")
        verbose_name_plural = _("test beds")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="testbed_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TestBedGoal(UUIDModel):
    test_bed = models.ForeignKey(
        TestBed, on_delete=models.CASCADE, related_name="goals", verbose_name=_("test bed")
    )
    goal = models.CharField(_("goal"), max_length=300)
    indicator = models.CharField(_("indicator"), max_length=200)
    target = models.CharField(_("target value"), max_length=100, blank=True)

    class Meta:
        ordering = ["test_bed", "goal"]
        verbose_name = _("test bed goal")
        verbose_name_plural = _("test bed goals")

    def __str__(self) -> str:
        return self.goal


class LearningLogEntry(UUIDModel):
    """A dated lesson of a test bed: what was tried, what was learnt (no personal data)."""

    test_bed = models.ForeignKey(
        TestBed, on_delete=models.CASCADE, related_name="learning_log", verbose_name=_("test bed")
    )
    entry_date = models.DateField(_("date"))
    text = models.TextField(_("what we learnt"))

    class Meta:
        ordering = ["test_bed", "-entry_date"]
        verbose_name = _("learning log entry")
        verbose_name_plural = _("learning log entries")

    def __str__(self) -> str:
        return f"{self.entry_date}: {self.text[:40]}"
