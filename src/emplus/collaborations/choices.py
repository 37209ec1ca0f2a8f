"""Enumerations of the collaboration registry, with translated labels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CollaborationKind(models.TextChoices):
    NETWORK = "network", _("Network")
    IOP = "iop", _("Idea-based public partnership (IOP)")
    PROCURED = "procured", _("Procured contract")
    LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
    INFORMAL = "informal", _("Informal cooperation")
    OTHER = "other", _("Other")


class CollaborationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class PartyRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder")
    HOST = "host", _("Host of placements or activities")
    REFERRER = "referrer", _("Refers participants")
    EXPERT = "expert", _("Expertise or advice")
    OTHER = "other", _("Other")


class DocumentKind(models.TextChoices):
    LETTER_OF_INTENT = "letter_of_intent", _("Letter of intent")
    AGREEMENT = "agreement", _("Agreement or contract")
    MINUTES = "minutes", _("Minutes")
    OTHER = "other", _("Other")
