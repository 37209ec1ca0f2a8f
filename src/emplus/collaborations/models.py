"""Collaborations of a partner organisation with actors of every sector, their parties and
attached documents."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from emplus.collaborations.choices import (
    CollaborationKind,
    CollaborationStatus,
    DocumentKind,
    PartyRole,
)
from emplus.collaborations.querysets import (
    CollaborationDocumentQuerySet,
    CollaborationPartyQuerySet,
    CollaborationQuerySet,
)
from emplus.core.models import UUIDModel
from emplus.geo.models import County, Municipality
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation
from emplus.worklife.models import Employer


class Collaboration(UUIDModel):
    """A cooperation registered and kept by one partner organisation (the owner), read by the
    whole partnership."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="collaborations",
        verbose_name=_("registered by"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CollaborationKind.choices)
    description = models.TextField(_("description"), blank=True)
    # Arena codes (emplus.core.choices.Arena); JSON so both databases store and filter them.
    arenas = models.JSONField(_("arenas"), default=list, blank=True)
    thematic_areas = models.ManyToManyField(
        ThematicArea, blank=True, related_name="collaborations", verbose_name=_("thematic areas")
    )
    counties = models.ManyToManyField(
        County, blank=True, related_name="collaborations", verbose_name=_("counties covered")
    )
    municipalities = models.ManyToManyField(
        Municipality,
        blank=True,
        related_name="collaborations",
        verbose_name=_("municipalities covered"),
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CollaborationStatus.choices,
        default=CollaborationStatus.ACTIVE,
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)

    objects = CollaborationQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="collaboration_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status=CollaborationStatus.CLOSED) | Q(ends_on__isnull=False),
                name="collaboration_closed_has_end",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end cannot be before the start.")
        if self.status == CollaborationStatus.CLOSED and not self.ends_on:
            errors["ends_on"] = _("Give the end date of a closed collaboration.")
        if errors:
            raise ValidationError(errors)


class CollaborationParty(UUIDModel):
    """One party of a collaboration besides the owner: an organisation of the register (partner,
    municipality, region, school, agency ...) or an employer of working life."""

    collaboration = models.ForeignKey(
        Collaboration,
        on_delete=models.CASCADE,
        related_name="parties",
        verbose_name=_("collaboration"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collaboration_parties",
        verbose_name=_("organisation"),
    )
    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collaboration_parties",
        verbose_name=_("employer"),
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    role_note = models.CharField(_("role in words"), max_length=200, blank=True)

    objects = CollaborationPartyQuerySet.as_manager()

    class Meta:
        ordering = ["collaboration", "created_at", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=True, employer__isnull=False)
                | Q(organisation__isnull=False, employer__isnull=True),
                name="collaboration_party_one_actor",
            ),
            models.UniqueConstraint(
                fields=["collaboration", "organisation"],
                condition=Q(organisation__isnull=False),
                name="collaboration_party_organisation_once",
            ),
            models.UniqueConstraint(
                fields=["collaboration", "employer"],
                condition=Q(employer__isnull=False),
                name="collaboration_party_employer_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.actor)

    @property
    def actor(self) -> Organisation | Employer:
        return self.organisation or self.employer  # type: ignore[return-value]


def document_path(instance: CollaborationDocument, filename: str) -> str:
    # The stored name never carries the uploaded name (kept in original_name): no path tricks.
    return f"collaborations/{instance.collaboration_id}/{instance.pk}.{instance.extension}"


class CollaborationDocument(UUIDModel):
    """A file attached to a collaboration (letter of intent, agreement ...), kept by the
    configured storage; downloaded only through the register's scope."""

    collaboration = models.ForeignKey(
        Collaboration,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("collaboration"),
    )
    kind = models.CharField(_("kind of document"), max_length=20, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(_("file type"), max_length=8)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    objects = CollaborationDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name
