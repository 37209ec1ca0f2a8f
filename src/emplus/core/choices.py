"""The partnership's shared vocabularies, used by several apps (an app's own are in its choices.py).

The pathway phases, the three arenas and the target groups describe methods, activities, test
beds and participants' steps alike; they live here so that no app imports another for them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    MOBILISE = "mobilise", _("Mobilise")
    PREPARE = "prepare", _("Prepare")
    TRAIN = "train", _("Train")
    SUPPORT = "support", _("Support")


class Arena(models.TextChoices):
    EDUCATION_TRAINING = "education_training", _("Education and training")
    WORKING_LIFE = "working_life", _("Working life")
    WORKPLACE_LEARNING = "workplace_learning", _("Workplace-based learning")


class TargetGroup(models.TextChoices):
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("Long-term unemployed")
    YOUNG_NEET = "young_neet", _("Young people not in work or education")
    NEWLY_ARRIVED = "newly_arrived", _("Newly arrived")
    DISABILITY = "disability", _("People with disabilities")
    WOMEN_OUTSIDE = "women_outside", _("Women outside the labour force")
    NO_COMPLETED_SCHOOLING = "no_completed_schooling", _("Without completed schooling")
    SELF_EMPLOYED = "self_employed", _("Gig workers and self-employed")
    OLDER = "older", _("Older jobseekers")


def labels(choices: type[models.TextChoices], values) -> list[str]:
    """Display labels of stored choice values, in the enumeration's order."""
    chosen = set(values or ())
    return [str(label) for value, label in choices.choices if value in chosen]
