from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklifeConfig(AppConfig):
    name = "emplus.worklife"
    label = "worklife"
    verbose_name = _("Working life and education")
