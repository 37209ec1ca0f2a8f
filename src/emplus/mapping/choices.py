"""Enumerations of the mapping module: ways of taking part (the shared ones are in core)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    DIGITAL = "digital", _("Digital")
    HYBRID = "hybrid", _("On site and digital")
