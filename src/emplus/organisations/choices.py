"""Enumerations of the organisations app, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    SOCIAL_ECONOMY = "social_economy", _("Social economy")
    PUBLIC = "public", _("Public sector")
    BUSINESS = "business", _("Business")
    EDUCATION = "education", _("Education")


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association or federation")
    STUDY_ASSOCIATION = "study_association", _("Study association")
    TRADE_UNION = "trade_union", _("Trade union")
    COOPERATIVE_SUPPORT = "cooperative_support", _("Cooperative development agency")
    SELF_EMPLOYMENT_COMPANY = "self_employment_company", _("Self-employment company")
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Region")
    STATE_AGENCY = "state_agency", _("State agency")
    EMPLOYER = "employer", _("Employer")
    SCHOOL = "school", _("School")
    FOLK_HIGH_SCHOOL = "folk_high_school", _("Folk high school")
    UNIVERSITY = "university", _("University")


class UnitKind(models.TextChoices):
    BRANCH = "branch", _("Branch")
    DISTRICT = "district", _("District")
    LOCAL_ASSOCIATION = "local_association", _("Local association")
    OFFICE = "office", _("Office")


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
