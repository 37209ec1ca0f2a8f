from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestbedsConfig(AppConfig):
    name = "emplus.testbeds"
    label = "testbeds"
    verbose_name = _("Regional test beds")
