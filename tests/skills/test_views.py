"""Pages of skills development: maps with tables, the catalogue, registrations, and the
boundary of the competence profile (the person and their own organisation's coordinators)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from emplus.geo.models import County
from emplus.skills import services
from emplus.skills.models import Course, SkillNeed

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(occasion, coordinator, coach, org_a):
    registration = services.registration_create(
        actor=coordinator,
        occasion=occasion,
        person=coach,
        organisation=org_a,
        county=County.objects.get(code="24"),
    )
    return services.registration_complete(
        actor=coordinator, registration=registration, completed_on=date(2025, 9, 3)
    )


def _need(actor, organisation, area, county="24", people=7):
    return services.skill_need_record(
        actor=actor,
        organisation=organisation,
        skill_area=area,
        county=County.objects.get(code=county),
        staff_kind="staff",
        people=people,
        urgency="medium",
    )


def test_overview_shows_needs_of_every_partner_as_map_and_table(
    login, areas, coordinator, other_org_coordinator, org_a, org_b, coach
):
    _need(coordinator, org_a, areas["MI"], people=7)
    _need(other_org_coordinator, org_b, areas["MI"], people=3)
    page = login(coach).get("/skills/?area=MI")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'id="needs-table"' in html
    assert 'data-code="24"><th scope="row">Västerbottens län</th><td class="num">10<' in html


def test_gap_hides_small_completion_counts(login, areas, completed, coordinator, org_a, analyst):
    _need(coordinator, org_a, areas["MI"], people=7)
    html = login(analyst).get("/skills/gap/?area=MI").content.decode()
    # one completion in Västerbotten: hidden, and so is the gap it would reveal
    assert 'data-code="24"><th scope="row">Västerbottens län</th><td class="num">7</td>' in html
    row = html.split('data-code="24">')[1].split("</tr>")[0]
    assert row.count("–") == 2


def test_person_sees_own_profile(login, completed, coach):
    page = login(coach).get("/skills/profile/")
    assert page.status_code == 200
    assert "Motiverande samtal" in page.content.decode()


def test_own_coordinator_sees_a_members_profile(login, completed, coach, coordinator):
    page = login(coordinator).get(f"/skills/profile/{coach.pk}/")
    assert page.status_code == 200
    assert "Motiverande samtal" in page.content.decode()


@pytest.mark.parametrize(
    "viewer", ["other_org_coordinator", "other_unit_coach", "analyst", "other_org_coach"]
)
def test_profile_of_a_person_is_not_visible_to_others(request, login, completed, coach, viewer):
    page = login(request.getfixturevalue(viewer)).get(f"/skills/profile/{coach.pk}/")
    assert page.status_code == 404


def test_need_form_names_the_field_of_bad_input(login, areas, coordinator):
    page = login(coordinator).post(
        "/skills/needs/new/", {"skill_area": areas["MI"].pk, "county": "24", "people": "0"}
    )
    assert page.status_code == 400
    assert "Antal personer" in page.content.decode()
    assert not SkillNeed.objects.exists()


def test_need_form_records_a_need(login, areas, coordinator, org_a):
    page = login(coordinator).post(
        "/skills/needs/new/",
        {
            "organisation": org_a.pk,
            "skill_area": areas["MI"].pk,
            "county": "24",
            "staff_kind": "staff",
            "people": "3",
            "urgency": "high",
        },
    )
    assert page.status_code == 302
    assert SkillNeed.objects.get().people == 3


def test_coach_cannot_publish_courses(login, areas, coach):
    assert login(coach).get("/skills/courses/new/").status_code == 403


def test_course_of_another_organisation_cannot_be_changed(login, course, other_org_coordinator):
    assert login(other_org_coordinator).get(f"/skills/courses/{course.pk}/edit/").status_code == 404


def test_coordinator_registers_a_member_from_the_course_page(
    login, occasion, coordinator, coach, org_a
):
    client = login(coordinator)
    membership = coach.memberships.get()
    reply = client.post(
        f"/skills/occasions/{occasion.pk}/register/",
        {"registration-membership": membership.pk, "registration-county": "24"},
    )
    assert reply.status_code == 302
    assert occasion.registrations.get().person == coach
    again = client.post(
        f"/skills/occasions/{occasion.pk}/register/",
        {"registration-membership": membership.pk, "registration-county": "24"},
    )
    assert again.status_code == 400
    assert "redan anmäld" in again.content.decode()


def test_registration_export_holds_own_organisation_only(
    login, completed, other_org_coordinator, coordinator
):
    mine = login(coordinator).get("/skills/registrations/export/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(mine.content)).active
    assert sheet.max_row == 2
    theirs = login(other_org_coordinator).get("/skills/registrations/export/?format=csv")
    assert theirs.content.decode("utf-8-sig").count("\r\n") == 1


def test_export_with_an_unknown_format_is_a_bad_request(login, course, coach):
    assert login(coach).get("/skills/courses/export/?format=pdf").status_code == 400


def test_course_list_paginates_within_a_query_budget(
    login, areas, course, coordinator, org_a, coach, django_assert_max_num_queries
):
    for n in range(30):
        services.course_save(
            actor=coordinator,
            course=None,
            organisation=org_a,
            fields={
                "title": f"Kurs {n:02}",
                "provider": "ABF",
                "format": "online",
                "length_hours": 2,
                "language": "sv",
                "target_roles": [],
            },
            skill_areas=[areas["DIGITAL"]],
        )
    client = login(coach)
    with django_assert_max_num_queries(14):
        page = client.get("/skills/courses/")
    assert page.status_code == 200
    assert Course.objects.count() == 31
    assert page.content.decode().count('href="/skills/courses/') >= 25


def test_taxonomy_edit_page_is_for_the_administrator(login, areas, coordinator, admin_user):
    assert login(coordinator).get("/skills/areas/new/").status_code == 403
    reply = login(admin_user).post(
        "/skills/areas/MI/",
        {"code": "MI", "name_sv": "MI-samtal", "name_en": "Motivational interviewing", "order": 1},
    )
    assert reply.status_code == 302
    areas["MI"].refresh_from_db()
    assert areas["MI"].name_sv == "MI-samtal"


def test_api_registrations_are_the_owner_organisations(
    login, completed, coordinator, other_org_coordinator, coach
):
    assert login(coordinator).get("/api/course-registrations/").json()["count"] == 1
    assert login(other_org_coordinator).get("/api/course-registrations/").json()["count"] == 0
    assert login(coach).get("/api/course-registrations/").status_code == 403
    assert login(coach).get("/api/courses/").json()["count"] == 1
