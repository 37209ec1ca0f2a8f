"""ESF projects, their column templates and the log of generated and sent monthly reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from emplus.core.crypto import EncryptedTextField
from emplus.core.models import UUIDModel
from emplus.esf.choices import ColumnField, DateFormat, ProgrammeArea, TemplateSource
from emplus.esf.querysets import ESFProjectQuerySet, ReportFileQuerySet


class ESFProject(UUIDModel):
    """A project funded by the European Social Fund, owned by one organisation (the one that
    reports its participants to Statistics Sweden)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="esf_projects",
        verbose_name=_("owner organisation"),
    )
    case_number = models.CharField(
        _("case number"),
        max_length=64,
        unique=True,
        help_text=_("The case number (ärendenummer) of the managing authority."),
    )
    title = models.CharField(_("title"), max_length=300)
    programme_area = models.CharField(
        _("programme area"), max_length=16, choices=ProgrammeArea.choices
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    participating_organisations = models.ManyToManyField(
        "organisations.Organisation",
        related_name="esf_participations",
        verbose_name=_("participating organisations"),
    )
    participating_units = models.ManyToManyField(
        "organisations.Unit",
        blank=True,
        related_name="esf_projects",
        verbose_name=_("participating units"),
        help_text=_("An organisation without units chosen here takes part with all of its units."),
    )
    men_protected_form = models.CharField(
        _("protected-identity form for men"),
        max_length=32,
        blank=True,
        help_text=_(
            "As written in the project's instructions from Statistics Sweden, with ÅÅÅÅMMDD where "
            "the birth date goes. There is no default: until it is filled in, a man with "
            "protected identity cannot be reported."
        ),
    )
    test_bed = models.ForeignKey(
        "testbeds.TestBed",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="esf_projects",
        verbose_name=_("test bed"),
    )

    objects = ESFProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "case_number"]
        verbose_name = _("ESF project")
        verbose_name_plural = _("ESF projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="esf_project_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.title}"


class ColumnTemplate(UUIDModel):
    """The layout of a project's monthly file: ordered columns and a date format."""

    project = models.OneToOneField(
        ESFProject, on_delete=models.CASCADE, related_name="template", verbose_name=_("project")
    )
    source = models.CharField(
        _("source"), max_length=16, choices=TemplateSource.choices, default=TemplateSource.PLATFORM
    )
    source_file_name = models.CharField(
        _("file the header row came from"), max_length=255, blank=True
    )
    date_format = models.CharField(
        _("date format"), max_length=16, choices=DateFormat.choices, default=DateFormat.ISO
    )

    class Meta:
        verbose_name = _("column template")
        verbose_name_plural = _("column templates")

    def __str__(self) -> str:
        return f"{self.project.case_number}: {self.get_source_display()}"


class TemplateColumn(models.Model):
    template = models.ForeignKey(
        ColumnTemplate, on_delete=models.CASCADE, related_name="columns", verbose_name=_("template")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    header = models.CharField(_("header"), max_length=200)
    field = models.CharField(_("field"), max_length=24, choices=ColumnField.choices)
    text = models.CharField(_("fixed text"), max_length=100, blank=True)

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("template column")
        verbose_name_plural = _("template columns")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="template_column_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.header


class ReportFile(UUIDModel):
    """One generated monthly file: who generated it and when, its SHA-256, the rows it holds
    and the file itself (both encrypted like every personal field), and who marked it as sent
    to Statistics Sweden and when."""

    project = models.ForeignKey(
        ESFProject, on_delete=models.PROTECT, related_name="report_files", verbose_name=_("project")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the reported month."))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("generated by"),
    )
    generated_at = models.DateTimeField(_("generated at"))
    file_name = models.CharField(_("file name"), max_length=200)
    file_sha256 = models.CharField(_("file checksum (SHA-256)"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"))
    rows = EncryptedTextField(_("rows (JSON)"), editable=False)
    content = EncryptedTextField(_("file (base64)"), editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked as sent by"),
    )
    sent_at = models.DateTimeField(_("marked as sent at"), null=True, blank=True)

    objects = ReportFileQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-month", "-generated_at"]
        verbose_name = _("monthly report file")
        verbose_name_plural = _("monthly report files")
        indexes = [models.Index(fields=["project", "month"], name="esf_reportfile_month_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True, sent_by__isnull=True)
                | Q(sent_at__isnull=False, sent_by__isnull=False),
                name="esf_reportfile_sent_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name
