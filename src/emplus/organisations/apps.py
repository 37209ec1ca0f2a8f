from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _refresh_admin_group(sender, **kwargs) -> None:
    # New admin models (e.g. role grants) reach an existing administrators' group on upgrade.
    from django.contrib.auth.models import Group

    from emplus.organisations.services import ADMIN_GROUP, admin_group_ensure

    if Group.objects.filter(name=ADMIN_GROUP).exists():
        admin_group_ensure()


class OrganisationsConfig(AppConfig):
    name = "emplus.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        post_migrate.connect(_refresh_admin_group, sender=self, dispatch_uid="emplus.admin_group")
