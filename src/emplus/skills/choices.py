"""Enumerations of the skills app (needs, courses, registrations), with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffKind(models.TextChoices):
    STAFF = "staff", _("Employed staff")
    VOLUNTEERS = "volunteers", _("Volunteers")


class Urgency(models.TextChoices):
    LOW = "low", _("Within a year")
    MEDIUM = "medium", _("Within six months")
    HIGH = "high", _("Now")


class CourseFormat(models.TextChoices):
    CLASSROOM = "classroom", _("Classroom")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("Blended")
    WORKPLACE = "workplace", _("At the workplace")


class CourseLanguage(models.TextChoices):
    SWEDISH = "sv", _("Swedish")
    EASY_SWEDISH = "sv-easy", _("Easy Swedish")
    ENGLISH = "en", _("English")
    OTHER = "other", _("Other language")


class TargetRole(models.TextChoices):
    COACH = "coach", _("Coaches")
    COORDINATOR = "coordinator", _("Coordinators")
    VOLUNTEER = "volunteer", _("Volunteers")
    MANAGER = "manager", _("Managers")
    SUPERVISOR = "supervisor", _("Workplace supervisors")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    COMPLETED = "completed", _("Completed")
