"""The methods library and the eight thematic areas."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from emplus.core.models import UUIDModel
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

    class Meta:
        ordering = ["name"]
        verbose_name = _("method")
        verbose_name_plural = _("methods")

    def __str__(self) -> str:
        return self.name
