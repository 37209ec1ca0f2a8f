"""Enumerations of the self-service app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkPurpose(models.TextChoices):
    ASSESSMENT = "assessment", _("Self-assessment")
    ATTEST_TIME = "attest_time", _("Attest time")


class LinkState(models.TextChoices):
    """Derived from the link's timestamps; never stored."""

    PENDING = "pending", _("Waiting to be used")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class AttestationMethod(models.TextChoices):
    PARTICIPANT_LINK = "participant_link", _("Signed by the participant through a link")
    PAPER = "paper", _("Paper attestation")


class HoursSource(models.TextChoices):
    DERIVED = "derived", _("From the pathway's steps")
    EDITED = "edited", _("Set by the coach")


class TimeStatus(models.TextChoices):
    """A participant's month as the attestation list shows it; derived, never stored."""

    ATTESTED = "attested", _("Attested")
    CHANGED = "changed", _("Changed after attestation")
    MISSING = "missing", _("Not attested")
    NO_HOURS = "no_hours", _("No hours")


class OfflineKind(models.TextChoices):
    ASSESSMENT = "assessment", _("Assessment")
    EVENT = "event", _("Pathway event")
    TIME_HOURS = "time_hours", _("Hours of a month")
    TIME_PAPER = "time_paper", _("Paper attestation")
