"""Reads of the skills app: the taxonomy, needs and courses (organisational data), aggregates
across the partnership, and registrations and competence profiles (a staff member's record,
seen by the person and their own organisation's coordinators only)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from emplus.core.audit import audit_list
from emplus.core.models import in_page_language
from emplus.core.scoping import allows, organisation_ids_with, restrict
from emplus.core.suppression import DEFAULT_THRESHOLD, suppress_cells
from emplus.core.typing import User
from emplus.geo.models import County
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Membership, Organisation
from emplus.skills.choices import RegistrationStatus
from emplus.skills.models import Course, CourseOccasion, Registration, SkillArea, SkillNeed

PURPOSE = "skills_development"


def skill_area_list() -> QuerySet[SkillArea]:
    return SkillArea.objects.prefetch_related("thematic_areas", "methods").order_by("order", "code")


def skill_area_get(*, code: str) -> SkillArea:
    return get_object_or_404(SkillArea.objects.prefetch_related("thematic_areas"), code=code)


def skill_area_find(*, code: str) -> SkillArea | None:
    return SkillArea.objects.filter(code=code).first() if code else None


# --- needs -------------------------------------------------------------------------------------


def skill_need_list(*, viewer: User, skill_area: SkillArea | None = None) -> QuerySet[SkillNeed]:
    """The needs of the viewer's own organisations (the partnership sees the aggregates)."""
    qs = restrict(SkillNeed.objects.all(), viewer, "skills.view").select_related(
        "organisation", "skill_area", "county"
    )
    if skill_area is not None:
        qs = qs.filter(skill_area=skill_area)
    return qs.order_by("skill_area__order", "county_id", "-created_at")


def skill_need_get(*, viewer: User, pk: UUID) -> SkillNeed:
    return get_object_or_404(
        restrict(SkillNeed.objects.all(), viewer, "skills.change").select_related("skill_area"),
        pk=pk,
    )


def need_organisations(*, viewer: User) -> QuerySet[Organisation]:
    """The organisations for which the viewer records needs."""
    return Organisation.objects.filter(pk__in=organisation_ids_with(viewer, "skills.change"))


@dataclass(frozen=True)
class CountyRow:
    code: str
    name: str
    needed: int  # people in need of the skill
    completed: int | None  # completed trainings (None: hidden, small numbers)
    gap: int | None  # needed - completed, at least 0 (None when completed is hidden)


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    needed: int
    organisations: int


def need_by_county(*, viewer: User, skill_area: SkillArea | None = None) -> dict[str, int]:
    """People in need of the skill (or of any) per county, across the partnership. Needs are
    numbers of posts an organisation plans for, not persons' records: no suppression
    (decision 0035)."""
    qs = SkillNeed.objects.all()
    if skill_area is not None:
        qs = qs.filter(skill_area=skill_area)
    return {
        row["county_id"]: row["people"]
        for row in qs.values("county_id").annotate(people=Sum("people")).order_by()
    }


def need_by_area(*, viewer: User) -> list[AreaRow]:
    """People in need per skill area across the partnership, with how many partners name it."""
    rows = (
        SkillArea.objects.annotate(
            needed=Sum("needs__people"),
            organisations=Count("needs__organisation", distinct=True),
        )
        .order_by("order", "code")
        .values("code", "name_sv", "name_en", "needed", "organisations")
    )
    return [
        AreaRow(
            code=r["code"],
            name=in_page_language(r["name_sv"], r["name_en"]),
            needed=r["needed"] or 0,
            organisations=r["organisations"],
        )
        for r in rows
    ]


def completed_by_county(*, viewer: User, skill_area: SkillArea | None = None) -> dict[str, int]:
    """Completed trainings (in the skill area, or any) per county where the person works."""
    qs = Registration.objects.filter(status=RegistrationStatus.COMPLETED)
    if skill_area is not None:
        qs = qs.filter(occasion__course__skill_areas=skill_area)
    return {
        row["county_id"]: row["n"]
        for row in qs.values("county_id").annotate(n=Count("id", distinct=True)).order_by()
    }


def gap_by_county(
    *, viewer: User, counties: list[County], skill_area: SkillArea | None = None
) -> list[CountyRow]:
    """Needs against completed training per county. Completions are about persons: counts
    from 1 to 4 (and what would reveal them through the total) are hidden (core.suppression)."""
    needed = need_by_county(viewer=viewer, skill_area=skill_area)
    completed = completed_by_county(viewer=viewer, skill_area=skill_area)
    cells: dict[str, int] = {c.code: completed.get(c.code, 0) for c in counties}
    cells["total"] = sum(cells.values())
    shown = suppress_cells(cells, [("total", *[c.code for c in counties])])
    rows = []
    for county in counties:
        done = shown[county.code]
        need = needed.get(county.code, 0)
        rows.append(
            CountyRow(
                code=county.code,
                name=county.name,
                needed=need,
                completed=done,
                gap=None if done is None else max(need - done, 0),
            )
        )
    return rows


SUPPRESSION_THRESHOLD = DEFAULT_THRESHOLD


# --- courses -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseFilters:
    skill_area: str = ""
    format: str = ""
    language: str = ""
    q: str = ""


def course_list(*, viewer: User, filters: CourseFilters | None = None) -> QuerySet[Course]:
    """The shared catalogue: every partner's courses, read by every role."""
    filters = filters or CourseFilters()
    qs = Course.objects.select_related("organisation").prefetch_related("skill_areas")
    if filters.skill_area:
        qs = qs.filter(skill_areas__code=filters.skill_area)
    if filters.format:
        qs = qs.filter(format=filters.format)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(provider__icontains=filters.q))
    return qs.annotate(occasion_count=Count("occasions", distinct=True)).order_by("title", "pk")


def course_get(*, viewer: User, pk: UUID) -> Course:
    return get_object_or_404(
        Course.objects.select_related("organisation").prefetch_related(
            "skill_areas", "methods", "thematic_areas"
        ),
        pk=pk,
    )


def course_can_change(*, viewer: User, course: Course) -> bool:
    return allows(viewer, "course.change", course)


def course_organisations(*, viewer: User) -> QuerySet[Organisation]:
    """The organisations for which the viewer publishes courses."""
    return Organisation.objects.filter(pk__in=organisation_ids_with(viewer, "course.change"))


def course_occasions(*, viewer: User, course: Course) -> QuerySet[CourseOccasion]:
    """A course's occasions with their number of registrations (no names: counts only)."""
    return (
        course.occasions.select_related("county")
        .annotate(taken=Count("registrations"))
        .order_by("starts_on")
    )


def occasion_get(*, viewer: User, pk: UUID) -> CourseOccasion:
    return get_object_or_404(CourseOccasion.objects.select_related("course"), pk=pk)


# --- registrations and competence profiles ----------------------------------------------------


def registration_list(*, viewer: User) -> QuerySet[Registration]:
    """Registrations of the organisations the viewer coordinates (skills.manage)."""
    return (
        restrict(Registration.objects.all(), viewer, "skills.manage")
        .select_related("person", "organisation", "county", "occasion__course")
        .order_by("-occasion__starts_on", "person__last_name", "pk")
    )


def registration_list_audit(*, viewer: User, rows: list[Registration]) -> None:
    """One audit event naming the registrations a page or an export showed."""
    audit_list(
        actor=viewer,
        action="registration.listed",
        ids=[r.pk for r in rows],
        purpose=PURPOSE,
        key="registrations",
    )


def registration_get(*, viewer: User, pk: UUID) -> Registration:
    return get_object_or_404(registration_list(viewer=viewer).select_related("occasion"), pk=pk)


def staff_options(*, viewer: User) -> QuerySet[Membership]:
    """Members of the organisations the viewer coordinates: who they may register."""
    return (
        Membership.objects.filter(organisation__in=organisation_ids_with(viewer, "skills.manage"))
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__username")
    )


def competence_profile(*, viewer: User, person_pk: UUID | None = None) -> tuple[User, list]:
    """A staff member's completed courses: the person sees their own; a coordinator sees those
    of a member of their organisation, and only the registrations made there; anyone else gets
    404 (others see only the aggregates of the gap page). Another's profile read is audited."""
    if person_pk is None or person_pk == viewer.pk:
        person = viewer
        qs = Registration.objects.filter(person=viewer)
    else:
        managed = organisation_ids_with(viewer, "skills.manage")
        person = get_object_or_404(
            get_user_model().objects.filter(memberships__organisation__in=managed).distinct(),
            pk=person_pk,
        )
        qs = restrict(Registration.objects.filter(person=person), viewer, "skills.manage")
    rows = list(
        qs.filter(status=RegistrationStatus.COMPLETED)
        .select_related("occasion__course", "organisation", "county")
        .prefetch_related("occasion__course__skill_areas")
        .order_by("-completed_on")
    )
    if person != viewer:
        audit_list(
            actor=viewer,
            action="competence_profile.viewed",
            ids=[r.pk for r in rows],
            purpose=PURPOSE,
            details={"person": str(person.pk)},
            key="registrations",
        )
    return person, rows


# --- options of the forms (reference data) -----------------------------------------------------


def county_options() -> QuerySet[County]:
    return County.objects.order_by("code")


def method_options() -> QuerySet[Method]:
    return Method.objects.order_by("name")


def thematic_area_options() -> QuerySet[ThematicArea]:
    return ThematicArea.objects.order_by("order", "code")
