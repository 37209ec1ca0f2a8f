from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "emplus.innovation"
    label = "innovation"
    verbose_name = _("Innovation pipeline")

    def load_reference_data(self) -> str:
        """Called by `emplus load-reference-data`: the criteria of each stage of the pipeline."""
        # The app registry's hook: the services import models, loaded by now.
        from emplus.innovation.services import stage_criteria_load

        created = stage_criteria_load()
        return f"Innovation stage criteria: {created} created"
