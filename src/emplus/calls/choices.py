"""Enumerations of funding calls and consortia."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Funder(models.TextChoices):
    ESF_PLUS = "esf_plus", _("ESF+ (European Social Fund Plus)")
    INHERITANCE_FUND = "inheritance_fund", _("The Inheritance Fund (Arvsfonden)")
    VINNOVA = "vinnova", _("Vinnova")
    REGION = "region", _("A region")
    FOUNDATION = "foundation", _("A foundation")
    OTHER = "other", _("Other funder")


class LetterOfIntent(models.TextChoices):
    NOT_ASKED = "not_asked", _("Not asked yet")
    REQUESTED = "requested", _("Requested")
    RECEIVED = "received", _("Received")
    DECLINED = "declined", _("Declined")


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("Lead applicant")
    PARTNER = "partner", _("Co-applicant")
    ASSOCIATE = "associate", _("Associated partner")
