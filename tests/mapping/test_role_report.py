"""The role of each partner (the mapping report): every role reads every organisation's page,
it summarises activities by arena, phase, county and thematic area, and it exports as XLSX and
as a printable page; it never shows participant data."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from openpyxl import load_workbook

from emplus.pathways.models import Participant
from tests.mapping.factories import make_activity, make_area, make_method, make_test_bed

pytestmark = pytest.mark.django_db


@pytest.fixture
def role_content(org_a, org_b, unit_b1):
    area = make_area()
    method = make_method(code="M-ROLE", name="Rollmetod")
    make_activity(
        org_b,
        ["2521", "2480"],
        title="Praktikspår",
        arena="workplace_learning",
        phases=["prepare", "train"],
        unit=unit_b1,
        methods=[method],
        thematic_areas=[area],
    )
    make_activity(org_b, ["2521"], title="Studiecirkel", arena="education_training")
    make_activity(org_a, ["0180"], title="Annan organisations aktivitet")
    bed = make_test_bed(code="TB-ROLE", name="Rolltestbädd", lead_organisation=org_b)
    return {"method": method, "bed": bed, "area": area}


@pytest.mark.parametrize("persona", ["coach", "coordinator", "analyst", "admin_user"])
def test_every_role_reads_another_organisations_role_page(request, client, persona, org_b):
    # given a member of organisation A (or an admin)
    client.force_login(request.getfixturevalue(persona))
    # when they open organisation B's role page
    response = client.get(f"/mapping/organisations/{org_b.pk}/")
    # then
    assert response.status_code == 200


def test_role_page_summarises_activities_by_arena_phase_county_and_area(
    client, coach, org_b, role_content
):
    # given two activities of organisation B and one of A
    client.force_login(coach)
    # when
    report = client.get(f"/mapping/organisations/{org_b.pk}/").context["report"]
    # then: only B's activities, counted per arena, phase, county and thematic area
    assert report.activity_count == 2
    arenas = {t.code: t.activities for t in report.by_arena}
    assert arenas == {"education_training": 1, "working_life": 0, "workplace_learning": 1}
    phases = {t.code: t.activities for t in report.by_phase}
    assert phases["prepare"] == 2 and phases["train"] == 1 and phases["support"] == 0
    assert {t.code: t.activities for t in report.by_county} == {"24": 1, "25": 2}
    assert {t.code: t.activities for t in report.by_thematic_area}["SPARSE"] == 1
    assert [m.code for m in report.methods] == ["M-ROLE"]
    assert report.methods[0].used_in == 1
    assert [b.code for b in report.test_beds] == ["TB-ROLE"]
    assert [u.name for u in report.units]


def test_role_page_shows_no_participant_data(client, coordinator, org_b, unit_b1, role_content):
    # given a participant of organisation B
    Participant.objects.create(organisation=org_b, unit=unit_b1, participant_ref="SECRET-REF-1")
    client.force_login(coordinator)
    # when
    html = client.get(f"/mapping/organisations/{org_b.pk}/").content.decode()
    # then
    assert "SECRET-REF-1" not in html


def test_role_report_downloads_as_xlsx_with_the_same_numbers(client, analyst, org_b, role_content):
    # given
    client.force_login(analyst)
    # when
    response = client.get(f"/mapping/organisations/{org_b.pk}/", {"format": "xlsx"})
    # then
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert f"role-{org_b.code}.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 5
    summary = [r for r in book.worksheets[0].iter_rows(values_only=True) if any(r)]
    assert summary[1][1] == 2  # activities
    activities = list(book.worksheets[1].iter_rows(values_only=True))
    assert sorted(r[1] for r in activities[1:]) == ["Praktikspår", "Studiecirkel"]


def test_role_page_is_printable_without_navigation(client, coach, org_b, role_content):
    # given
    client.force_login(coach)
    # when
    html = client.get(f"/mapping/organisations/{org_b.pk}/").content.decode()
    # then: the page links a print stylesheet that hides the site navigation
    assert "emplus/print.css" in html
    css = Path(finders.find("emplus/print.css")).read_text(encoding="utf-8")
    assert "@media print" in css
    assert ".site-header" in css and "nav" in css


def test_unknown_organisation_gives_404_and_no_role_is_forbidden(
    client, coach, no_role_user, org_b
):
    import uuid

    client.force_login(coach)
    assert client.get(f"/mapping/organisations/{uuid.uuid4()}/").status_code == 404
    client.force_login(no_role_user)
    assert client.get(f"/mapping/organisations/{org_b.pk}/").status_code == 403


def test_role_list_and_organisation_page_link_to_the_role_page(client, coordinator, org_a):
    # given
    client.force_login(coordinator)
    # when
    listing = client.get("/mapping/organisations/").content.decode()
    detail = client.get(f"/organisations/{org_a.pk}/").content.decode()
    # then
    assert f"/mapping/organisations/{org_a.pk}/" in listing
    assert f"/mapping/organisations/{org_a.pk}/" in detail
