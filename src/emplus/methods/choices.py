"""Enumerations of the methods library (the shared phases, arenas and target groups are in core)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceLevel(models.IntegerChoices):
    """The documented scale of how well a method's results are known (docs/decisions/0009)."""

    DESCRIBED = 0, _("0 – described")
    FOLLOWED_UP = 1, _("1 – results followed up")
    BEFORE_AFTER = 2, _("2 – progress measured before and after")
    COMPARED = 3, _("3 – effect estimated against a comparison group")
    REPLICATED = 4, _("4 – effect replicated in more than one test bed")
