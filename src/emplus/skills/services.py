"""Writes of the skills app: the taxonomy, needs, courses, occasions and registrations; each
one transaction with its audit entry, refused outside the actor's organisations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from emplus.core.audit import audit_log
from emplus.core.scoping import has_permission, organisation_ids_with
from emplus.core.typing import User
from emplus.geo.models import County
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Membership, Organisation
from emplus.skills.choices import RegistrationStatus
from emplus.skills.models import Course, CourseOccasion, Registration, SkillArea, SkillNeed
from emplus.skills.reference import SKILL_AREAS

# Needs, courses and the taxonomy are organisational data; registrations are a staff member's
# personal record (their training), audited for the person's organisation.
PURPOSE = "skills_development"

COURSE_FIELDS = ("title", "provider", "format", "length_hours", "language", "target_roles")


def _require(actor: User, permission: str, organisation_id: Any) -> None:
    if organisation_id not in organisation_ids_with(actor, permission):
        raise PermissionDenied(_("You may not do this for that organisation."))


def skill_area_reference_load() -> tuple[int, int]:
    """Create or bring up to date the seed areas (idempotent; the administrator's later names
    are kept: only missing areas are created, and thematic areas linked where none are)."""
    created = updated = 0
    areas = {a.code: a for a in ThematicArea.objects.all()}
    with transaction.atomic():
        for order, (code, name_sv, name_en, thematic) in enumerate(SKILL_AREAS, start=1):
            area, was_created = SkillArea.objects.get_or_create(
                code=code, defaults={"name_sv": name_sv, "name_en": name_en, "order": order}
            )
            linked = [areas[c] for c in thematic if c in areas]
            if linked and not area.thematic_areas.exists():
                area.thematic_areas.set(linked)
                updated += not was_created
            created += was_created
        if created or updated:
            audit_log(
                actor=None,
                action="skill_area.reference_loaded",
                purpose=PURPOSE,
                details={"created": created, "updated": updated},
            )
    return created, updated


@transaction.atomic
def skill_area_save(
    *,
    actor: User,
    area: SkillArea | None,
    code: str,
    name_sv: str,
    name_en: str,
    description: str = "",
    order: int = 0,
    thematic_areas: Iterable[ThematicArea] = (),
    methods: Iterable[Method] = (),
) -> SkillArea:
    """Add an area to the taxonomy or change one: the partnership administrator's task."""
    if not has_permission(actor, "skills.taxonomy"):
        raise PermissionDenied(_("Only the partnership administrator edits the skill areas."))
    created = area is None
    area = area or SkillArea()
    area.code, area.name_sv, area.name_en = code, name_sv, name_en
    area.description, area.order = description, order
    area.full_clean()
    area.save()
    area.thematic_areas.set(list(thematic_areas))
    area.methods.set(list(methods))
    audit_log(
        actor=actor,
        action="skill_area.created" if created else "skill_area.changed",
        target=area,
        purpose=PURPOSE,
        details={"code": area.code},
    )
    return area


@transaction.atomic
def skill_need_record(
    *,
    actor: User,
    organisation: Organisation,
    skill_area: SkillArea,
    county: County,
    staff_kind: str,
    people: int,
    urgency: str,
    note: str = "",
) -> SkillNeed:
    """A partner records a need for a skill among its own staff or volunteers."""
    _require(actor, "skills.change", organisation.pk)
    need = SkillNeed(
        organisation=organisation,
        skill_area=skill_area,
        county=county,
        staff_kind=staff_kind,
        people=people,
        urgency=urgency,
        note=note,
        recorded_by=actor,
    )
    need.full_clean()
    need.save()
    audit_log(
        actor=actor,
        action="skill_need.recorded",
        target=need,
        purpose=PURPOSE,
        details={"skill_area": skill_area.code, "county": county.code, "people": people},
    )
    return need


@transaction.atomic
def skill_need_delete(*, actor: User, need: SkillNeed) -> None:
    """Remove a need that is met or was recorded by mistake; the audit keeps its numbers."""
    _require(actor, "skills.change", need.organisation_id)
    audit_log(
        actor=actor,
        action="skill_need.deleted",
        target=need,
        purpose=PURPOSE,
        details={"skill_area": need.skill_area.code, "county": need.county_id},
    )
    need.delete()


@transaction.atomic
def course_save(
    *,
    actor: User,
    course: Course | None,
    organisation: Organisation,
    fields: dict[str, Any],
    description: str = "",
    skill_areas: Sequence[SkillArea],
    methods: Iterable[Method] = (),
    thematic_areas: Iterable[ThematicArea] = (),
) -> Course:
    """Publish a course in the catalogue or change one of the actor's organisation."""
    _require(actor, "course.change", organisation.pk)
    if course is not None:
        _require(actor, "course.change", course.organisation_id)
    if not skill_areas:
        raise ValidationError({"skill_areas": _("Choose at least one skill area.")})
    created = course is None
    course = course or Course()
    course.organisation = organisation
    for name in COURSE_FIELDS:
        setattr(course, name, fields[name])
    course.description = description
    course.full_clean()
    course.save()
    course.skill_areas.set(list(skill_areas))
    course.methods.set(list(methods))
    course.thematic_areas.set(list(thematic_areas))
    audit_log(
        actor=actor,
        action="course.created" if created else "course.changed",
        target=course,
        purpose=PURPOSE,
        details={"title": course.title},
    )
    return course


@transaction.atomic
def course_occasion_add(
    *,
    actor: User,
    course: Course,
    starts_on: date,
    ends_on: date,
    county: County | None,
    place: str,
    places: int,
) -> CourseOccasion:
    """A new run of a course, by its publishing organisation."""
    _require(actor, "course.change", course.organisation_id)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The occasion ends before it starts.")})
    occasion = CourseOccasion(
        course=course,
        starts_on=starts_on,
        ends_on=ends_on,
        county=county,
        place=place,
        places=places,
    )
    occasion.full_clean()
    occasion.save()
    audit_log(
        actor=actor,
        action="course_occasion.added",
        target=occasion,
        organisation=course.organisation_id,
        purpose=PURPOSE,
        details={"course": str(course.pk), "starts_on": starts_on.isoformat()},
    )
    return occasion


@transaction.atomic
def registration_create(
    *,
    actor: User,
    occasion: CourseOccasion,
    person: User,
    organisation: Organisation,
    county: County,
) -> Registration:
    """A coordinator registers a member of their organisation (themselves included) for an
    occasion; refused when the person is not a member, is registered already or it is full."""
    _require(actor, "skills.manage", organisation.pk)
    if not Membership.objects.filter(user=person, organisation=organisation).exists():
        raise ValidationError(
            {
                "person": ValidationError(
                    _("The person is not a member of the organisation."), code="not_member"
                )
            }
        )
    # Lock the occasion so that two registrations cannot both take its last place.
    occasion = CourseOccasion.objects.select_for_update().get(pk=occasion.pk)
    if occasion.registrations.filter(person=person).exists():
        raise ValidationError(
            {
                "person": ValidationError(
                    _("The person is already registered for it."), code="already_registered"
                )
            }
        )
    if occasion.registrations.count() >= occasion.places:
        raise ValidationError({"person": ValidationError(_("The occasion is full."), code="full")})
    registration = Registration(
        occasion=occasion,
        person=person,
        organisation=organisation,
        county=county,
        registered_by=actor,
    )
    registration.full_clean()
    registration.save()
    audit_log(
        actor=actor,
        action="registration.created",
        target=registration,
        purpose=PURPOSE,
        details={"occasion": str(occasion.pk), "person": str(person.pk)},
    )
    return registration


@transaction.atomic
def registration_complete(
    *, actor: User, registration: Registration, completed_on: date
) -> Registration:
    """Record that the person completed the course: it joins their competence profile."""
    _require(actor, "skills.manage", registration.organisation_id)
    if completed_on < registration.occasion.starts_on:
        raise ValidationError({"completed_on": _("The course was completed before it started.")})
    registration.status = RegistrationStatus.COMPLETED
    registration.completed_on = completed_on
    registration.full_clean()
    registration.save(update_fields=["status", "completed_on", "updated_at"])
    audit_log(
        actor=actor,
        action="registration.completed",
        target=registration,
        purpose=PURPOSE,
        details={"completed_on": completed_on.isoformat()},
    )
    return registration
