from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklifeConfig(AppConfig):
    name = "emplus.worklife"
    label = "worklife"
    verbose_name = _("Working life and education")

    def ready(self) -> None:
        # The app registry's hook: connect the erasure receiver and register the exit form's
        # suggestions once the models are loaded.
        from emplus.core import exit_suggestions
        from emplus.pathways.signals import participant_erased
        from emplus.worklife.exit_evidence import suggestions
        from emplus.worklife.services import participant_worklife_erase

        participant_erased.connect(
            participant_worklife_erase, dispatch_uid="worklife.participant_erased"
        )
        exit_suggestions.register("worklife", suggestions)
