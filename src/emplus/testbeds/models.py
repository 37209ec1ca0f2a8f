"""Regional test beds where methods are tried and evaluated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from emplus.core.models import UUIDModel
from emplus.organisations.models import code_validator


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

    class Meta:
        ordering = ["name"]
        verbose_name = _("test bed")
        verbose_name_plural = _("test beds")

    def __str__(self) -> str:
        return self.name
