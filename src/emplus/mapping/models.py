"""Activities (offers) of the partners: what, where, when, for whom and with which methods."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Arena, Phase, TargetGroup
from emplus.core.models import UUIDModel
from emplus.mapping.choices import DeliveryMode
from emplus.mapping.querysets import ActivityQuerySet
from emplus.organisations.models import code_validator


def _check_choices(values, choices, field: str) -> None:
    if not isinstance(values, list) or any(v not in choices.values for v in values):
        raise ValidationError({field: _("Choose values from the list.")})


class Activity(UUIDModel):
    """Something an organisation offers participants. Not personal data: every role reads it."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("organisation"),
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("local unit"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    arena = models.CharField(_("arena"), max_length=30, choices=Arena.choices)
    # Lists of choice values; JSON so that both SQLite and PostgreSQL can store and filter them.
    phases = models.JSONField(_("pathway phases"), default=list, blank=True)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    methods = models.ManyToManyField(
        "methods.Method", blank=True, related_name="activities", verbose_name=_("methods")
    )
    thematic_areas = models.ManyToManyField(
        "methods.ThematicArea",
        blank=True,
        related_name="activities",
        verbose_name=_("thematic areas"),
    )
    municipalities = models.ManyToManyField(
        "geo.Municipality",
        related_name="activities",
        verbose_name=_("municipalities served"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    accessibility = models.TextField(_("accessibility information"), blank=True)
    delivery_mode = models.CharField(
        _("digital or on site"),
        max_length=10,
        choices=DeliveryMode.choices,
        default=DeliveryMode.ON_SITE,
    )
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"), null=True, blank=True)
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (places)"), null=True, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["title", "code"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activity_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        _check_choices(self.phases, Phase, "phases")
        _check_choices(self.target_groups, TargetGroup, "target_groups")
        if (
            self.unit_id
            and self.organisation_id
            and self.unit.organisation_id != self.organisation_id
        ):
            raise ValidationError({"unit": _("The unit must belong to the same organisation.")})
