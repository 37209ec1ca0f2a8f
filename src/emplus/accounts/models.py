"""Users of the platform; their organisations and roles are memberships (emplus.organisations)."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """What the platform adds to a django-rest-knox token: a name its owner gave it, and whether
    it was issued in a session verified with the second factor."""

    auth_token = models.OneToOneField(
        "knox.AuthToken",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="emplus",
        verbose_name=_("token"),
    )
    name = models.CharField(_("name"), max_length=100)
    second_factor_verified = models.BooleanField(_("issued after the second factor"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name
