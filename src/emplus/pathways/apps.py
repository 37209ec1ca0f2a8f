from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "emplus.pathways"
    label = "pathways"
    verbose_name = _("Individual pathway")

    def ready(self):
        from emplus.core.blind_index import register_rebuilder
        from emplus.pathways.name_index import name_index_rebuild

        # `emplus rotate-field-keys` rewrites the name index with the newest search key.
        register_rebuilder(name_index_rebuild)
