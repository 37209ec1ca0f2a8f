"""The stages of the innovation pipeline and which moves between them are allowed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    IDEA = "idea", _("Idea")
    DESIGNED = "designed", _("Designed")
    TESTED = "tested", _("Tested")
    EVALUATED = "evaluated", _("Evaluated")
    SCALED = "scaled", _("Scaled")
    STOPPED = "stopped", _("Stopped")


# The next stage of each stage; any stage that is not final may also be stopped.
NEXT_STAGE = {
    Stage.IDEA: Stage.DESIGNED,
    Stage.DESIGNED: Stage.TESTED,
    Stage.TESTED: Stage.EVALUATED,
    Stage.EVALUATED: Stage.SCALED,
}
FINAL_STAGES = frozenset({Stage.SCALED, Stage.STOPPED})


def allowed_moves(stage: str) -> list[Stage]:
    """The stages an idea in `stage` may move to, the next one first."""
    if stage in FINAL_STAGES:
        return []
    return [NEXT_STAGE[Stage(stage)], Stage.STOPPED]
