"""Skills needs of the partners' staff, the course catalogue, its occasions and registrations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from emplus.core.models import UUIDModel, in_page_language
from emplus.organisations.models import code_validator
from emplus.skills.choices import (
    CourseFormat,
    CourseLanguage,
    RegistrationStatus,
    StaffKind,
    Urgency,
)
from emplus.skills.querysets import (
    CourseOccasionQuerySet,
    CourseQuerySet,
    RegistrationQuerySet,
    SkillNeedQuerySet,
)


class SkillArea(UUIDModel):
    """One area of the small, editable taxonomy (reference data, kept by the administrator)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    thematic_areas = models.ManyToManyField(
        "methods.ThematicArea",
        blank=True,
        related_name="skill_areas",
        verbose_name=_("thematic areas"),
    )
    methods = models.ManyToManyField(
        "methods.Method", blank=True, related_name="skill_areas", verbose_name=_("methods")
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("skill area")
        verbose_name_plural = _("skill areas")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the language of the page (Swedish unless English is chosen)."""
        return in_page_language(self.name_sv, self.name_en)


class SkillNeed(UUIDModel):
    """A partner's need for a skill among its own staff or volunteers in one county."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="skill_needs",
        verbose_name=_("organisation"),
    )
    skill_area = models.ForeignKey(
        SkillArea, on_delete=models.PROTECT, related_name="needs", verbose_name=_("skill area")
    )
    county = models.ForeignKey(
        "geo.County", on_delete=models.PROTECT, related_name="skill_needs", verbose_name=_("county")
    )
    staff_kind = models.CharField(
        _("who needs it"), max_length=16, choices=StaffKind.choices, default=StaffKind.STAFF
    )
    people = models.PositiveIntegerField(_("number of people"))
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.MEDIUM
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = SkillNeedQuerySet.as_manager()

    class Meta:
        ordering = ["skill_area__order", "county", "-created_at"]
        verbose_name = _("skills need")
        verbose_name_plural = _("skills needs")
        constraints = [
            models.CheckConstraint(condition=Q(people__gte=1), name="skill_need_people_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.skill_area}, {self.county}: {self.people}"


class Course(UUIDModel):
    """A course of the catalogue, published by one partner organisation."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="courses",
        verbose_name=_("published by"),
    )
    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    format = models.CharField(_("format"), max_length=16, choices=CourseFormat.choices)
    length_hours = models.PositiveSmallIntegerField(_("length (hours)"))
    language = models.CharField(
        _("language"), max_length=8, choices=CourseLanguage.choices, default=CourseLanguage.SWEDISH
    )
    # A list of TargetRole values.
    target_roles = models.JSONField(_("target roles"), default=list, blank=True)
    skill_areas = models.ManyToManyField(
        SkillArea, related_name="courses", verbose_name=_("skill areas")
    )
    methods = models.ManyToManyField(
        "methods.Method", blank=True, related_name="courses", verbose_name=_("linked methods")
    )
    thematic_areas = models.ManyToManyField(
        "methods.ThematicArea",
        blank=True,
        related_name="courses",
        verbose_name=_("thematic areas"),
    )
    description = models.TextField(_("description"), blank=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(condition=Q(length_hours__gte=1), name="course_length_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class CourseOccasion(UUIDModel):
    """One run of a course: dates, where (no county for a course online) and places."""

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="occasions", verbose_name=_("course")
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    county = models.ForeignKey(
        "geo.County",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="course_occasions",
        verbose_name=_("county"),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    places = models.PositiveSmallIntegerField(_("places"))

    objects = CourseOccasionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("course occasion")
        verbose_name_plural = _("course occasions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="course_occasion_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="course_occasion_has_places"),
        ]

    def __str__(self) -> str:
        return f"{self.course} {self.starts_on:%Y-%m-%d}"


class Registration(UUIDModel):
    """A staff member's place on an occasion and, once done, its completion: the person's
    competence profile is the list of their completed courses."""

    occasion = models.ForeignKey(
        CourseOccasion,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("occasion"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="course_registrations",
        verbose_name=_("staff member"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="course_registrations",
        verbose_name=_("organisation"),
    )
    county = models.ForeignKey(
        "geo.County",
        on_delete=models.PROTECT,
        related_name="course_registrations",
        verbose_name=_("county where the person works"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["occasion__starts_on", "person__last_name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["occasion", "person"], name="registration_once_per_occasion"
            ),
            models.CheckConstraint(
                condition=Q(status=RegistrationStatus.COMPLETED, completed_on__isnull=False)
                | Q(status=RegistrationStatus.REGISTERED, completed_on__isnull=True),
                name="registration_completed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.occasion}"
