"""Funding calls, the consortia drafted for them, their partners and history."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from emplus.calls.choices import Funder, LetterOfIntent, PartnerRole
from emplus.calls.querysets import (
    CallQuerySet,
    ConsortiumEventQuerySet,
    ConsortiumPartnerQuerySet,
    ConsortiumQuerySet,
)
from emplus.core.models import UUIDModel


class Call(UUIDModel):
    """A call for applications from a funder, registered by a partner organisation."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="registered_calls",
        verbose_name=_("registered by"),
    )
    funder = models.CharField(_("funder"), max_length=20, choices=Funder.choices)
    funder_name = models.CharField(
        _("funder's name"),
        max_length=200,
        blank=True,
        help_text=_("Which region or foundation, or the other funder's name."),
    )
    title = models.CharField(_("title"), max_length=300)
    deadline = models.DateField(_("deadline"))
    themes = models.ManyToManyField(
        "methods.ThematicArea", blank=True, related_name="calls", verbose_name=_("themes")
    )
    target_regions = models.ManyToManyField(
        "geo.County", blank=True, related_name="calls", verbose_name=_("target regions")
    )
    budget_frame = models.DecimalField(
        _("budget frame (SEK)"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    eligibility_notes = models.TextField(_("eligibility notes"), blank=True)
    link_text = models.CharField(
        _("link text"),
        max_length=500,
        blank=True,
        help_text=_("Where the call is published, as text (e.g. the funder's web address)."),
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "title"]
        verbose_name = _("funding call")
        verbose_name_plural = _("funding calls")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_frame__isnull=True) | Q(budget_frame__gte=0),
                name="call_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Consortium(UUIDModel):
    """A draft application to a call, led by one organisation."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="consortia", verbose_name=_("call")
    )
    lead_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="led_consortia",
        verbose_name=_("lead organisation"),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)

    objects = ConsortiumQuerySet.as_manager()

    class Meta:
        ordering = ["call__deadline", "title"]
        verbose_name = _("consortium")
        verbose_name_plural = _("consortia")

    def __str__(self) -> str:
        return self.title


class ConsortiumPartner(UUIDModel):
    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="partners", verbose_name=_("consortium")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="consortium_memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=PartnerRole.choices)
    role_description = models.CharField(_("what the partner does"), max_length=300, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    letter_of_intent = models.CharField(
        _("letter of intent"),
        max_length=20,
        choices=LetterOfIntent.choices,
        default=LetterOfIntent.NOT_ASKED,
    )
    budget_share = models.DecimalField(
        _("budget share (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    objects = ConsortiumPartnerQuerySet.as_manager()

    class Meta:
        ordering = ["consortium", "role", "organisation__name"]
        verbose_name = _("consortium partner")
        verbose_name_plural = _("consortium partners")
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "organisation"], name="consortium_partner_once"
            ),
            models.CheckConstraint(
                condition=Q(budget_share__gte=0) & Q(budget_share__lte=100),
                name="consortium_share_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class ConsortiumEvent(UUIDModel):
    """The consortium's history as the lead reads it: who was added, changed or removed, when,
    by whom (the audit log keeps the same with its chain)."""

    consortium = models.ForeignKey(
        Consortium, on_delete=models.CASCADE, related_name="history", verbose_name=_("consortium")
    )
    occurred_at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("what"), max_length=40)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner"),
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = ConsortiumEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("consortium event")
        verbose_name_plural = _("consortium events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.action}"
