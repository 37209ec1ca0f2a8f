"""The ESF projects app: projects, column templates and the monthly participant report."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EsfConfig(AppConfig):
    name = "emplus.esf"
    label = "esf"
    verbose_name = _("ESF projects")
