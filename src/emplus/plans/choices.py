"""Choices of the action plans: owners, kinds of goal, statuses of goals and actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OwnerKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    TEST_BED = "test_bed", _("Test bed")
    COUNTY = "county", _("County")
    PARTNERSHIP = "partnership", _("The whole partnership")


class GoalKind(models.TextChoices):
    ESF = "esf", _("ESF+ indicator")
    PROGRESSION = "progression", _("Share with reliable improvement")
    PLACEMENT_WORK = "placement_work", _("Placements leading to work")
    COMPLETION = "completion", _("Completion rate of studies")
    INCOME_STABILITY = "income_stability", _("Share with stable income")
    MANUAL = "manual", _("Manual metric")


# Kinds whose value is a percentage (a share of participants), the others are counts or numbers.
SHARE_KINDS = frozenset(
    {GoalKind.PROGRESSION, GoalKind.PLACEMENT_WORK, GoalKind.COMPLETION, GoalKind.INCOME_STABILITY}
)


class GoalStatus(models.TextChoices):
    """The values of evidence_core.goal_status.Status, with their labels."""

    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    NO_DATA = "no_data", _("No data")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
