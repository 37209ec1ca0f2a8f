"""Working-life exports (CSV, XLSX) and the API of gig assignments, income and stability:
scoped to the viewer, income for the owning organisation only, aggregates suppressed."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from emplus.core.models import AuditEvent
from emplus.core.roles import Role
from emplus.worklife import services
from tests.conftest import make_user

from .conftest import make_participant

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def records(coach, participant, employer):
    services.placement_record(
        actor=coach,
        participant=participant,
        employer=employer,
        kind="work_trial",
        started_on=date(2025, 2, 3),
        ended_on=date(2025, 3, 3),
        outcome="offered_employment",
        goals='=HYPERLINK("http://x")',
    )
    services.income_record_set(
        actor=coach,
        participant=participant,
        month=date(2025, 5, 1),
        source="gig_assignment",
        amount=Decimal("8000"),
    )
    services.gig_assignment_record(
        actor=coach,
        participant=participant,
        company="Convoy",
        client="=cmd|' /C calc'!A0",
        started_on=date(2025, 5, 2),
        hours=Decimal("12"),
        invoiced=Decimal("6000"),
        salary_paid=Decimal("4000"),
    )
    services.education_record(
        actor=coach,
        participant=participant,
        provider_kind="folk_high_school",
        provider_name="Folkhögskolan",
        programme="Allmän kurs",
        started_on=date(2025, 2, 1),
        planned_end=date(2025, 6, 1),
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("export_placements", "Bageriet i Umeå AB"),
        ("export_income", "2025-05"),
        ("export_gig_assignments", "Convoy"),
        ("export_education", "Allmän kurs"),
        ("export_employers", "556036-0793"),
    ],
)
def test_exports_list_the_coachs_records_and_no_one_elses(
    client, coach, other_unit_coach, records, name, expected
):
    client.force_login(coach)
    rows = _csv(client.get(reverse(f"worklife:{name}")))
    assert len(rows) == 2 and expected in rows[1]
    xlsx = client.get(reverse(f"worklife:{name}"), {"as": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    if name != "export_employers":  # the employer register is shared by the organisation
        client.force_login(other_unit_coach)
        assert len(_csv(client.get(reverse(f"worklife:{name}")))) == 1


def test_exported_cells_are_inert_and_the_export_is_audited(client, coach, records):
    client.force_login(coach)
    rows = _csv(client.get(reverse("worklife:export_gig_assignments")))
    assert rows[1][2].startswith("'=")  # a formula-like client name stays text (decision 12)
    assert AuditEvent.objects.filter(action="gig_assignment.exported").count() == 1
    # the placements export carries no free text (goals, supervisor, reasons)
    placements = _csv(client.get(reverse("worklife:export_placements")))
    assert not any("HYPERLINK" in cell for cell in placements[1])


def test_income_exports_are_for_the_owning_organisation_only(
    client, coordinator_b, analyst, records
):
    client.force_login(coordinator_b)
    assert len(_csv(client.get(reverse("worklife:export_income")))) == 1
    assert len(_csv(client.get(reverse("worklife:export_gig_assignments")))) == 1
    client.force_login(analyst)
    assert client.get(reverse("worklife:export_income")).status_code == 403


def test_bad_format_or_grouping_is_a_400(client, coach, coordinator):
    client.force_login(coach)
    assert client.get(reverse("worklife:export_placements"), {"as": "pdf"}).status_code == 400
    client.force_login(coordinator)
    url = reverse("worklife:export_stability")
    assert client.get(url, {"group_by": "shoe_size"}).status_code == 400
    assert client.get(url, {"as_of": "2025-13-01"}).status_code == 400


def test_stability_export_is_suppressed_outside_the_owning_organisation(
    client, coach, unit_a1, org_b
):
    for n in range(3):
        person = make_participant(coach, unit_a1, ref=f"S{n}")
        for month in range(1, 13):
            services.income_record_set(
                actor=coach,
                participant=person,
                month=date(2025, month, 1),
                source="employment",
                amount=Decimal(16000),
            )
    url = reverse("worklife:export_stability") + "?as_of=2026-01-15"
    client.force_login(make_user("coordinator-a2", unit_a1.organisation, Role.COORDINATOR))
    [_, inside] = _csv(client.get(url))
    assert inside[1:4] == ["3", "3", "0"]
    client.force_login(make_user("analyst-b", org_b, Role.ANALYST))
    [_, outside] = _csv(client.get(url))
    assert outside[1:4] == ["", "", "0"]  # 3 of 3 hidden; a zero reveals no one


def test_api_gig_assignments_and_income_are_scoped(
    client, coach, other_unit_coach, coordinator_b, records
):
    client.force_login(coach)
    gigs = client.get("/api/gig-assignments/").json()["results"]
    assert [g["company"] for g in gigs] == ["Convoy"]
    income = client.get("/api/income-records/", {"month_from": "2025-05-01"}).json()["results"]
    assert [(r["month"], r["amount"]) for r in income] == [("2025-05-01", "8000")]
    assert AuditEvent.objects.filter(action="income.listed_api").exists()
    assert client.get(f"/api/income-records/{income[0]['id']}/").status_code == 200
    for outsider in (other_unit_coach, coordinator_b):
        client.force_login(outsider)
        assert client.get("/api/gig-assignments/").json()["results"] == []
        assert client.get("/api/income-records/").json()["results"] == []
        assert client.get(f"/api/income-records/{income[0]['id']}/").status_code == 404


def test_api_stability_by_group(client, coach, coordinator, records):
    client.force_login(coach)
    assert client.get("/api/income-stability/").status_code == 403
    client.force_login(coordinator)
    body = client.get("/api/income-stability/", {"as_of": "2025-07-15"}).json()
    assert body["group_by"] == "organisation" and body["threshold"] > 0
    assert [r["people"] for r in body["rows"]] == [1]
    bad = client.get("/api/income-stability/", {"group_by": "planet"})
    assert bad.status_code == 400 and "group_by" in bad.json()
