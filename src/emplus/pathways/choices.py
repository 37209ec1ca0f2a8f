"""Enumerations of the pathway module (values as in the participant file)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")


class LabourMarketStatus(models.TextChoices):
    UNEMPLOYED = "unemployed", _("Unemployed")
    INACTIVE = "inactive", _("Inactive (neither working nor seeking work)")
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Self-employed")


class SpecialCategoryAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    DECLINED = "declined", _("Declined to answer")


class LegalBasis(models.TextChoices):
    """GDPR Art. 9 basis under which special-category values were recorded."""

    CONSENT = "consent", _("Explicit consent of the participant")


class ProcessingBasis(models.TextChoices):
    """GDPR Art. 6 basis under which a participant's data are processed for the purposes of one
    consent record (docs/decisions: consent purposes and legal bases). Special categories and
    sharing with other organisations need the participant's consent whatever the basis."""

    CONSENT = "consent", _("Consent of the participant (GDPR art. 6.1(a))")
    CONTRACT = "contract", _("Agreement with the participant (GDPR art. 6.1(b))")
    LEGAL_OBLIGATION = (
        "legal_obligation",
        _("Legal obligation, ESF+ monitoring and reporting (GDPR art. 6.1(c))"),
    )
    PUBLIC_TASK = "public_task", _("Task in the public interest (GDPR art. 6.1(e))")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (GDPR art. 6.1(f))")


class ExitReason(models.TextChoices):
    JOB = "job", _("Got a job")
    SELF_EMPLOYMENT = "self_employment", _("Self-employment")
    EDUCATION = "education", _("Started education")
    OTHER_PROGRAMME = "other_programme", _("Moved to another programme")
    HEALTH = "health", _("Health reasons")
    MOVED = "moved", _("Moved away")
    DROPPED_OUT = "dropped_out", _("Left without completing")
    COMPLETED = "completed", _("Completed the programme")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    PLACEMENT_STARTED = "placement_started", _("Placement started")
    PLACEMENT_ENDED = "placement_ended", _("Placement ended")
    JOB_STARTED = "job_started", _("Job started")
    JOB_ENDED = "job_ended", _("Job ended")
    EDUCATION_STARTED = "education_started", _("Education or training started")
    EDUCATION_ENDED = "education_ended", _("Education or training ended")
    QUALIFICATION = "qualification", _("Qualification gained")
    GIG_ASSIGNMENT = "gig_assignment", _("Gig or self-employment assignment")
    INCOME_SOURCE_CHANGED = "income_source_changed", _("Income source changed")


class ConsentPurpose(models.TextChoices):
    CASE_WORK = "case_work", _("Case work")
    STATISTICS = "statistics", _("Statistics")
    SHARING = "sharing", _("Sharing with named partner organisations")
    FOLLOW_UP = "follow_up", _("Follow-up contact")
    REGISTER_LINKAGE = "register_linkage", _("Register linkage for evaluation")
    EMPLOYER_PROPOSALS = "employer_proposals", _("Sharing proposals with employers")


class ShareRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
