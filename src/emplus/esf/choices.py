"""Enumerations of the ESF projects app, with translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeArea(models.TextChoices):
    # The templates differ by programme area (spec: monthly-report.md).
    EMPLOYED = "employed", _("Employed participants (skills supply)")
    NOT_EMPLOYED = "not_employed", _("Participants outside employment")


class TemplateSource(models.TextChoices):
    PLATFORM = "platform", _("The platform's own default template (not Statistics Sweden's)")
    RECEIVED = "received", _("Header row of the template received")
    ADJUSTED = "adjusted", _("Adjusted on the template page")


class DateFormat(models.TextChoices):
    ISO = "YYYY-MM-DD", "YYYY-MM-DD"
    COMPACT = "YYYYMMDD", "YYYYMMDD"
    SHORT = "YYMMDD", "YYMMDD"


class ColumnField(models.TextChoices):
    PERSONAL_ID = "personal_id", _("Personal identity number (or the protected form)")
    GIVEN_NAME = "given_name", _("Given name")
    FAMILY_NAME = "family_name", _("Family name")
    GENDER = "gender", _("Gender")
    BIRTH_DATE = "birth_date", _("Birth date")
    START_DATE = "start_date", _("Start date")
    END_DATE = "end_date", _("End date")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    MUNICIPALITY_CODE = "municipality_code", _("Municipality code")
    LM_STATUS_ENTRY = "lm_status_entry", _("Labour-market status at entry")
    ISCED = "isced", _("Highest education (ISCED 2011)")
    FIXED = "fixed", _("Fixed text (write the text)")
    EMPTY = "empty", _("Leave empty")
