"""One-time participant links, hours per participant and month, attestations of those hours,
and the record of entries sent from the offline queue (so a replay is never saved twice)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emplus.core.models import TimeStampedModel, UUIDModel
from emplus.selfservice.choices import (
    AttestationMethod,
    HoursSource,
    LinkPurpose,
    LinkState,
    OfflineKind,
)
from emplus.selfservice.querysets import (
    MonthlyTimeQuerySet,
    SelfServiceLinkQuerySet,
    TimeAttestationQuerySet,
)


class LockedError(Exception):
    """An attestation is locked once written: a change of hours needs a new attestation."""


class SelfServiceLink(UUIDModel):
    """A one-time link a coach gives a participant: no account, only the token opens it.

    Only the SHA-256 of the token is stored (like a password-reset token): the database alone
    cannot open a link. The token is shown once, to the coach who created it."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    participant = models.ForeignKey(
        "pathways.Participant",
        on_delete=models.PROTECT,
        related_name="selfservice_links",
        verbose_name=_("participant"),
    )
    enrolment = models.ForeignKey(
        "pathways.Enrolment",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("enrolment"),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=LinkPurpose.choices)
    instrument = models.ForeignKey(
        "pathways.Instrument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instrument"),
    )
    month = models.DateField(_("month"), null=True, blank=True)
    token_hash = models.CharField(_("token hash (SHA-256)"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    # The idempotency key of the submission that used the link: the same submission sent again
    # (a lost response, an offline queue) gets its original answer, not a refusal.
    used_key = models.UUIDField(_("key of the submission"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    assessment = models.OneToOneField(
        "pathways.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="selfservice_link",
        verbose_name=_("assessment"),
    )

    objects = SelfServiceLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("self-service link")
        verbose_name_plural = _("self-service links")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(purpose=LinkPurpose.ASSESSMENT, instrument__isnull=False, month__isnull=True)
                    | Q(
                        purpose=LinkPurpose.ATTEST_TIME,
                        instrument__isnull=True,
                        month__isnull=False,
                    )
                ),
                name="selfservicelink_purpose_has_its_subject",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="selfservicelink_used_or_revoked_not_both",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(used_key__isnull=False),
                name="selfservicelink_use_has_its_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d}"

    def state(self, now=None) -> str:
        now = now or timezone.now()
        if self.used_at is not None:
            return LinkState.USED
        if self.revoked_at is not None:
            return LinkState.REVOKED
        if now >= self.expires_at:
            return LinkState.EXPIRED
        return LinkState.PENDING

    def get_state_display(self) -> str:
        return LinkState(self.state()).label


class MonthlyTime(UUIDModel):
    """The hours a participant took part in one calendar month: first derived from the pathway's
    steps, then as the coach sets them. `version` grows with every change of hours, so an
    attestation knows exactly which hours it attested."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    participant = models.ForeignKey(
        "pathways.Participant",
        on_delete=models.PROTECT,
        related_name="monthly_times",
        verbose_name=_("participant"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    hours = models.DecimalField(
        _("hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(0)]
    )
    source = models.CharField(_("source"), max_length=8, choices=HoursSource.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    objects = MonthlyTimeQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "month"]
        verbose_name = _("hours of a month")
        verbose_name_plural = _("hours per month")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "month"], name="monthlytime_one_per_participant_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="monthlytime_month_first_day"),
            models.CheckConstraint(
                condition=Q(hours__gte=0), name="monthlytime_hours_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.month:%Y-%m}"


class TimeAttestation(UUIDModel):
    """The participant's attestation of one month's hours, signed through a link or on paper.

    Locked: it is never changed. It holds the hours and the version it attested; when the hours
    change afterwards, it no longer counts and a new attestation is needed."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    monthly_time = models.ForeignKey(
        MonthlyTime,
        on_delete=models.PROTECT,
        related_name="attestations",
        verbose_name=_("hours of a month"),
    )
    hours = models.DecimalField(_("hours attested"), max_digits=6, decimal_places=1)
    time_version = models.PositiveIntegerField(_("version of the hours attested"))
    method = models.CharField(_("method"), max_length=20, choices=AttestationMethod.choices)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    paper_date = models.DateField(_("date on the paper"), null=True, blank=True)
    link = models.OneToOneField(
        SelfServiceLink,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attestation",
        verbose_name=_("self-service link"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = TimeAttestationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("time attestation")
        verbose_name_plural = _("time attestations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        method=AttestationMethod.PARTICIPANT_LINK,
                        signed_at__isnull=False,
                        link__isnull=False,
                    )
                    | Q(
                        method=AttestationMethod.PAPER,
                        paper_date__isnull=False,
                        recorded_by__isnull=False,
                    )
                ),
                name="timeattestation_method_has_its_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.monthly_time} {self.get_method_display()}"

    def save(self, *args, **kwargs):
        # An invariant, not a side effect: attestations are written once.
        if not self._state.adding:
            raise LockedError("A time attestation cannot be changed once written.")
        super().save(*args, **kwargs)

    @property
    def signed_on(self):
        if self.method == AttestationMethod.PAPER:
            return self.paper_date
        return timezone.localdate(self.signed_at)


class OfflineEntry(TimeStampedModel):
    """An entry sent from a browser's offline queue, by its idempotency key: a second sending
    of the same key returns this stored result instead of saving again. The result holds ids
    and a status only, never personal data."""

    key = models.UUIDField(_("idempotency key"), primary_key=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("sent by"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OfflineKind.choices)
    payload_sha256 = models.CharField(_("checksum of the entry"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"))
    result = models.JSONField(_("result"), default=dict)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("offline entry")
        verbose_name_plural = _("offline entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
