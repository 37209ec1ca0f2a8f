"""The self-service app: one-time participant links, attested time and the offline queue."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfServiceConfig(AppConfig):
    name = "emplus.selfservice"
    label = "selfservice"
    verbose_name = _("Self-service and attested time")
