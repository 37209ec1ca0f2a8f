"""Pages of the innovation pipeline: the board and list without JavaScript, a move through a
form (refused with the field named), the linked results of an evaluated idea, strategies."""

from __future__ import annotations

from datetime import date

import pytest

from emplus.innovation import services

pytestmark = pytest.mark.django_db


def test_board_lists_ideas_by_stage_as_plain_links(login, idea, coach):
    html = login(coach).get("/innovation/").content.decode()
    assert f'href="/innovation/ideas/{idea.pk}/"' in html
    assert "<script" not in html.split("<main")[1].split("</main>")[0]


def test_move_by_form_to_tested_without_test_bed_names_the_field(
    login, idea, criteria, coordinator, version
):
    client = login(coordinator)
    reply = client.post(
        f"/innovation/ideas/{idea.pk}/move/designed/",
        {
            "move-designed-decided_on": "2025-06-01",
            "move-designed-criteria": [c.pk for c in criteria["designed"]],
            "move-designed-method_version": version.pk,
        },
    )
    assert reply.status_code == 302
    reply = client.post(
        f"/innovation/ideas/{idea.pk}/move/tested/",
        {
            "move-tested-decided_on": "2025-06-01",
            "move-tested-criteria": [c.pk for c in criteria["tested"]],
            "move-tested-test_start": "2025-06-01",
            "move-tested-test_end": "2025-12-01",
        },
    )
    assert reply.status_code == 400
    html = reply.content.decode()
    assert 'href="#id_move-tested-test_bed"' in html
    idea.refresh_from_db()
    assert idea.stage == "designed"


def test_other_organisation_gets_404_on_a_move(login, idea, criteria, other_org_coordinator):
    reply = login(other_org_coordinator).post(f"/innovation/ideas/{idea.pk}/move/designed/", {})
    assert reply.status_code == 404


def test_evaluated_idea_shows_its_linked_results(login, idea, criteria, coordinator, version, bed):
    day = date(2025, 6, 1)
    for stage, facts in (
        ("designed", {"method_version": version}),
        ("tested", {"test_bed": bed, "test_start": day, "test_end": day}),
        ("evaluated", {"evidence_level": 2, "evidence_reason": "Mätt före och efter"}),
    ):
        services.idea_move(
            actor=coordinator,
            idea=idea,
            to_stage=stage,
            decided_on=day,
            criteria=criteria[stage],
            facts=facts,
        )
    html = login(coordinator).get(f"/innovation/ideas/{idea.pk}/").content.decode()
    assert 'id="results"' in html and 'id="esf-indicators"' in html
    assert "Mätt före och efter" in html


def test_list_filters_and_paginates_within_a_query_budget(
    login, idea, criteria, coordinator, org_a, coach, django_assert_max_num_queries
):
    for n in range(30):
        services.idea_create(
            actor=coordinator,
            organisation=org_a,
            title=f"Idé {n:02}",
            problem="p",
            proposed_solution="s",
            target_group="g",
            thematic_area=idea.thematic_area,
        )
    client = login(coach)
    with django_assert_max_num_queries(14):
        page = client.get("/innovation/ideas/?stage=idea")
    assert page.status_code == 200
    assert page.content.decode().count('href="/innovation/ideas/') >= 25
    assert "Nästa sida" in page.content.decode()
    export = client.get("/innovation/ideas/export/?format=csv&stage=idea")
    assert export.content.decode("utf-8-sig").count("\r\n") == 32


def test_strategy_shows_goals_and_portfolio(login, idea, coordinator, org_a, other_org_coordinator):
    reply = login(coordinator).post(
        f"/innovation/strategy/{org_a.pk}/goals/", {"goal-goal": "Två metoder per år"}
    )
    assert reply.status_code == 302
    html = login(other_org_coordinator).get(f"/innovation/strategy/{org_a.pk}/").content.decode()
    assert "Två metoder per år" in html and idea.title in html
    assert 'action="/innovation/strategy/' not in html
    refused = login(other_org_coordinator).post(
        f"/innovation/strategy/{org_a.pk}/goals/", {"goal-goal": "x"}
    )
    assert refused.status_code == 404


def test_api_lists_ideas_with_their_moves(login, idea, coach):
    data = login(coach).get(f"/api/ideas/{idea.pk}/").json()
    assert data["stage"] == "idea" and data["moves"] == []
