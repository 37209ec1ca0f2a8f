"""Stored effect estimates: the inputs that reproduce them, their progress and their result;
and the version of the data the evidence pages read, kept by the database."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from emplus.core.models import UUIDModel
from emplus.evidence.choices import (
    ComparisonKind,
    EstimateCovariate,
    EstimateMethod,
    EstimateOutcome,
    EstimateStatus,
)
from emplus.evidence.querysets import EffectEstimateQuerySet

__all__ = [
    "ComparisonKind",
    "EffectEstimate",
    "EstimateCovariate",
    "EstimateMethod",
    "EstimateOutcome",
    "EstimateStatus",
    "EvidenceDataVersion",
]


class EffectEstimate(UUIDModel):
    """One counterfactual estimate started from the page and run by a background task.

    Groups are stored as filter definitions (`{"organisation", "method", "county",
    "test_bed"}`, codes; empty means any), an uploaded comparison file as JSON rows holding
    only the outcome and covariate columns, so the same inputs and seed reproduce the result.
    """

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("The organisation whose analysts see the estimate; empty for partnership."),
    )
    treatment = models.JSONField(_("treated group"), default=dict)
    comparison_kind = models.CharField(
        _("comparison"), max_length=8, choices=ComparisonKind.choices, default=ComparisonKind.GROUP
    )
    comparison = models.JSONField(_("comparison group"), default=dict, blank=True)
    comparison_rows = models.JSONField(_("comparison rows"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, choices=EstimateOutcome.choices)
    covariates = models.JSONField(_("covariates"), default=list)
    method = models.CharField(_("method"), max_length=8, choices=EstimateMethod.choices)
    seed = models.PositiveIntegerField(_("seed"), default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=EstimateStatus.choices, default=EstimateStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    summary_sv = models.TextField(_("summary in Swedish"), blank=True)
    summary_en = models.TextField(_("summary in English"), blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = EffectEstimateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("effect estimate")
        verbose_name_plural = _("effect estimates")

    def __str__(self) -> str:
        return f"{self.method} {self.outcome} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (EstimateStatus.QUEUED, EstimateStatus.RUNNING)


class EvidenceDataVersion(models.Model):
    """How many transactions have written what the evidence pages' reports read (participants,
    enrolments, follow-ups, steps, the stored progress summary, the instrument's data version
    and definitions, organisations, units, municipalities, methods, test beds), kept by the
    database (PostgreSQL statement triggers, migration 0002; decision 74). A kept report is
    found again while the sum is unchanged: no view counts the tables.

    Rows are deltas, summed on read, folded as FollowUpsDueVersion's are (decision 62): one row
    plus one per write in flight; a transaction adds one however many statements it makes. The
    time of the newest write goes into the version beside the sum: a database restored to an
    earlier state reaches the same sums again with other data, never at the same time. Not kept
    on SQLite (the reports' fingerprint of decisions 45 and 47 decides there)."""

    writes = models.BigIntegerField(editable=False)
    written_at = models.DateTimeField(db_default=Now(), editable=False)

    def __str__(self) -> str:
        return f"{self.writes:+d}"
