"""The user guide app (no models): help sections per page, served at /help/."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpConfig(AppConfig):
    name = "emplus.help"
    label = "help"
    verbose_name = _("User guide")
