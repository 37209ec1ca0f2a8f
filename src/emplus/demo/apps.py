"""The demo app: only its commands (`emplus demo`, `emplus create-demo-data`); no models."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "emplus.demo"
    label = "demo"
    verbose_name = _("Demo data")
