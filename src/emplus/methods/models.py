"""The methods library and the eight thematic areas."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from emplus.core.models import UUIDModel
from emplus.methods.choices import EvidenceLevel
from emplus.methods.querysets import MethodQuerySet
from emplus.organisations.models import code_validator


class ThematicArea(UUIDModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("thematic area")
        verbose_name_plural = _("thematic areas")

    def __str__(self) -> str:
        return self.name_sv


class Method(UUIDModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    # Lists of choice values (core.choices.Phase, TargetGroup and Arena).
    phases = models.JSONField(_("pathway phases"), default=list, blank=True)
    target_groups = models.JSONField(_("target groups"), default=list, blank=True)
    arenas = models.JSONField(_("arenas"), default=list, blank=True)
    thematic_areas = models.ManyToManyField(
        ThematicArea, blank=True, related_name="methods", verbose_name=_("thematic areas")
    )
    steps = models.TextField(_("how it is done (steps)"), blank=True)
    resources = models.TextField(_("resources needed"), blank=True)
    evidence_level = models.PositiveSmallIntegerField(
        _("evidence level"), choices=EvidenceLevel.choices, default=EvidenceLevel.DESCRIBED
    )
    owners = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="owned_methods",
        verbose_name=_("owner organisations"),
    )

    objects = MethodQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("method")
        verbose_name_plural = _("methods")

    def __str__(self) -> str:
        return self.name


class MethodVersion(UUIDModel):
    """One version of a method with what changed: methods are refined over time."""

    method = models.ForeignKey(
        Method, on_delete=models.CASCADE, related_name="versions", verbose_name=_("method")
    )
    version = models.CharField(_("version"), max_length=20)
    released_on = models.DateField(_("released on"))
    change_note = models.TextField(_("what changed"))
    # The method as released in this version (name, purpose, steps ...): a later version adds a
    # row and never rewrites this one, so what an enrolment of that time followed stays known.
    content = models.JSONField(_("content of this version"), default=dict, blank=True)

    class Meta:
        ordering = ["method", "-released_on", "-version"]
        verbose_name = _("method version")
        verbose_name_plural = _("method versions")
        constraints = [
            models.UniqueConstraint(fields=["method", "version"], name="method_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.version}"
