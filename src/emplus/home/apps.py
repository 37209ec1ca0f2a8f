"""The start page app (no models)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "emplus.home"
    label = "home"
    verbose_name = _("Start page")
