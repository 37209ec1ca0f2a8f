from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkillsConfig(AppConfig):
    name = "emplus.skills"
    label = "skills"
    verbose_name = _("Skills development")

    def load_reference_data(self) -> str:
        """Called by `emplus load-reference-data`: the seed of the skill-area taxonomy."""
        # The app registry's hook: the services import models, loaded by now.
        from emplus.skills.services import skill_area_reference_load

        created, updated = skill_area_reference_load()
        return f"Skill areas: {created} created, {updated} updated"
