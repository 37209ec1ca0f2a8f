from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklifeConfig(AppConfig):
    name = "emplus.worklife"
    label = "worklife"
    verbose_name = _("Working life and education")

    def ready(self) -> None:
        # The app registry's hook: connect the erasure receiver once the models are loaded.
        from emplus.pathways.signals import participant_erased
        from emplus.worklife.services import participant_worklife_erase

        participant_erased.connect(
            participant_worklife_erase, dispatch_uid="worklife.participant_erased"
        )
