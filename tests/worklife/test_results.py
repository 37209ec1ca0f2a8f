"""Placement outcomes by group (suppressed outside the owning organisation) and the results of
working life on a thematic area's page."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from emplus.core.roles import Role
from emplus.methods.models import Method, ThematicArea
from emplus.worklife import results, services
from tests.conftest import make_user

from .conftest import make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(coach):
    area = ThematicArea.objects.create(code="BUSINESS", name_sv="Näringslivet", name_en="Business")
    method = Method.objects.create(code="IPS", name="IPS")
    method.thematic_areas.set([area])
    return area, method


def _placed(coach, unit, employer, n, outcome, method=None, kind="work_trial"):
    participant = make_participant(coach, unit, ref=f"R{n}")
    if method is not None:
        participant.enrolments.update(method=method)
    return services.placement_record(
        actor=coach,
        participant=participant,
        employer=employer,
        kind=kind,
        started_on=date(2025, 2, 1),
        ended_on=date(2025, 4, 1),
        outcome=outcome,
        outcome_reason="Flytt" if outcome == "ended_early" else "",
    )


def test_outcomes_by_kind_in_full_inside_and_suppressed_outside(
    coach, coordinator, unit_a1, employer, org_b
):
    for n in range(6):
        _placed(coach, unit_a1, employer, n, "offered_employment" if n < 4 else "ended_early")
    _placed(coach, unit_a1, employer, 9, "ended_as_planned", kind="apprenticeship")
    rows = results.placement_outcomes_by_group(viewer=coordinator, group_by="kind")
    assert [(r.key, r.ended, r.offered, r.ended_early) for r in rows] == [
        ("apprenticeship", 1, 0, 0),
        ("work_trial", 6, 4, 2),
    ]
    assert rows[1].offer_rate == pytest.approx(4 / 6)
    by_industry = results.placement_outcomes_by_group(viewer=coordinator, group_by="industry")
    assert [(r.label, r.ended) for r in by_industry] == [("SNI 10", 7)]
    outside = results.placement_outcomes_by_group(
        viewer=make_user("analyst-b", org_b, Role.ANALYST), group_by="kind"
    )
    assert all(r.suppressed for r in outside)
    assert outside[1].offered is None and outside[1].ended_early is None
    assert outside[1].offer_rate is None


def test_outcome_page_chart_and_table_and_bad_grouping(
    client, coach, coordinator, unit_a1, employer
):
    _placed(coach, unit_a1, employer, 1, "offered_employment")
    client.force_login(coordinator)
    url = reverse("worklife:placement_outcomes")
    page = client.get(url, {"group_by": "kind"})
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "<table>" in body
    assert "100 %" in body
    assert client.get(url, {"group_by": "shoe_size"}).status_code == 400
    client.force_login(coach)
    assert client.get(url).status_code == 403


def test_thematic_area_page_shows_the_areas_working_life_results(
    client, coach, coordinator, unit_a1, employer, area
):
    thematic_area, method = area
    _placed(coach, unit_a1, employer, 1, "offered_employment", method=method)
    _placed(coach, unit_a1, employer, 2, "ended_as_planned")  # no method: not in the area
    url = reverse("methods:thematic_area", args=[thematic_area.code])
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert [(r.key, r.ended) for r in page.context["worklife"]["outcomes"]] == [("work_trial", 1)]
    assert "Resultat i arbetsliv och utbildning" in page.content.decode()
    # a coach (no evidence.view) sees the area page without the results
    client.force_login(coach)
    page = client.get(url)
    assert page.status_code == 200 and page.context["worklife"] is None
