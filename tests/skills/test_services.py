"""Writes of skills development: needs, courses, registrations, completions and the taxonomy,
each refused outside the actor's organisation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from emplus.core.models import AuditEvent
from emplus.geo.models import County
from emplus.skills import services
from emplus.skills.models import SkillArea
from emplus.skills.reference import SKILL_AREAS
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_load_reference_data_seeds_the_taxonomy_once(geo):
    # when
    call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then
    assert SkillArea.objects.count() == len(SKILL_AREAS)
    mi = SkillArea.objects.get(code="MI")
    assert (mi.name_sv, mi.name_en) == ("Motiverande samtal (MI)", "Motivational interviewing")


def test_coordinator_records_a_need_of_own_organisation_audited(areas, coordinator, org_a):
    need = services.skill_need_record(
        actor=coordinator,
        organisation=org_a,
        skill_area=areas["DIGITAL"],
        county=County.objects.get(code="01"),
        staff_kind="volunteers",
        people=4,
        urgency="high",
    )
    assert need.recorded_by == coordinator
    assert AuditEvent.objects.filter(action="skill_need.recorded", target_id=str(need.pk)).exists()


def test_need_for_another_organisation_is_refused(areas, coordinator, org_b):
    with pytest.raises(PermissionDenied):
        services.skill_need_record(
            actor=coordinator,
            organisation=org_b,
            skill_area=areas["MI"],
            county=County.objects.get(code="01"),
            staff_kind="staff",
            people=1,
            urgency="low",
        )


def test_coach_may_not_record_needs(areas, coach, org_a):
    with pytest.raises(PermissionDenied):
        services.skill_need_record(
            actor=coach,
            organisation=org_a,
            skill_area=areas["MI"],
            county=County.objects.get(code="01"),
            staff_kind="staff",
            people=1,
            urgency="low",
        )


def test_course_needs_a_skill_area(areas, coordinator, org_a):
    with pytest.raises(ValidationError) as error:
        services.course_save(
            actor=coordinator,
            course=None,
            organisation=org_a,
            fields={
                "title": "X",
                "provider": "Y",
                "format": "online",
                "length_hours": 2,
                "language": "sv",
                "target_roles": [],
            },
            skill_areas=[],
        )
    assert "skill_areas" in error.value.error_dict


def test_registration_and_completion(occasion, coordinator, coach, org_a):
    county = County.objects.get(code="24")
    registration = services.registration_create(
        actor=coordinator, occasion=occasion, person=coach, organisation=org_a, county=county
    )
    services.registration_complete(
        actor=coordinator, registration=registration, completed_on=date(2025, 9, 3)
    )
    registration.refresh_from_db()
    assert registration.status == "completed"
    assert AuditEvent.objects.filter(action="registration.completed").count() == 1


def test_registration_refused_when_full_twice_or_not_a_member(
    occasion, coordinator, coach, other_unit_coach, org_a, other_org_coach
):
    county = County.objects.get(code="24")
    services.registration_create(
        actor=coordinator, occasion=occasion, person=coach, organisation=org_a, county=county
    )
    with pytest.raises(ValidationError) as already:
        services.registration_create(
            actor=coordinator, occasion=occasion, person=coach, organisation=org_a, county=county
        )
    assert already.value.error_dict["person"][0].code == "already_registered"
    with pytest.raises(ValidationError) as stranger:
        services.registration_create(
            actor=coordinator,
            occasion=occasion,
            person=other_org_coach,
            organisation=org_a,
            county=county,
        )
    assert stranger.value.error_dict["person"][0].code == "not_member"
    services.registration_create(
        actor=coordinator, occasion=occasion, person=coordinator, organisation=org_a, county=county
    )
    with pytest.raises(ValidationError) as full:
        services.registration_create(
            actor=coordinator,
            occasion=occasion,
            person=other_unit_coach,
            organisation=org_a,
            county=county,
        )
    assert full.value.error_dict["person"][0].code == "full"


def test_coordinator_of_another_organisation_cannot_register_or_complete(
    occasion, coordinator, coach, org_a, other_org_coordinator
):
    county = County.objects.get(code="24")
    with pytest.raises(PermissionDenied):
        services.registration_create(
            actor=other_org_coordinator,
            occasion=occasion,
            person=coach,
            organisation=org_a,
            county=county,
        )
    registration = services.registration_create(
        actor=coordinator, occasion=occasion, person=coach, organisation=org_a, county=county
    )
    with pytest.raises(PermissionDenied):
        services.registration_complete(
            actor=other_org_coordinator, registration=registration, completed_on=date(2025, 9, 3)
        )


def test_taxonomy_is_the_partnership_administrators(areas, coordinator, admin_user):
    with pytest.raises(PermissionDenied):
        services.skill_area_save(
            actor=coordinator, area=None, code="NEW", name_sv="Ny", name_en="New"
        )
    area = services.skill_area_save(
        actor=admin_user, area=None, code="NEW", name_sv="Ny", name_en="New", order=99
    )
    assert area.code == "NEW"


def test_an_administrator_without_membership_role_is_refused(areas, geo):
    user = make_user("plain")
    with pytest.raises(PermissionDenied):
        services.skill_area_save(actor=user, area=None, code="X", name_sv="X", name_en="X")
