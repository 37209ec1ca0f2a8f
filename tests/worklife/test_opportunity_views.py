"""Opportunity pages, matching, proposals, exports and the API: who opens what, what a form
saves, what bad input gives, and that other units and organisations see none of it."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from emplus.core.models import AuditEvent
from emplus.geo.models import Municipality
from emplus.pathways import services as pathway_services
from emplus.worklife import services
from emplus.worklife.models import Opportunity, Proposal

from .conftest import make_participant, page_without_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(coach, employer):
    return services.opportunity_create(
        actor=coach,
        organisation=employer.organisation,
        employer=employer,
        title="Restaurangbiträde, praktik",
        kind="work_trial",
        ssyk_code="9412",
        municipality=Municipality.objects.get(pk="2480"),
        hours_per_week=Decimal(20),
    )


def _consent(coach, participant):
    pathway_services.consent_record(
        actor=coach,
        participant=participant,
        information_version="2",
        given_on=date(2025, 1, 11),
        case_work=True,
        employer_proposals=True,
    )


def _rows(response):
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def test_register_an_opportunity_and_see_its_occupation_groups(client, coach, employer, org_a):
    client.force_login(coach)
    response = client.post(
        reverse("worklife:opportunity_new"),
        {
            "organisation": org_a.pk,
            "employer": employer.pk,
            "title": "Lagerarbetare",
            "kind": "employment",
            "ssyk_code": "4321",
            "municipality": "2480",
            "hours_per_week": "40",
            "is_open": "on",
        },
    )
    opportunity = Opportunity.objects.get()
    assert response.url == reverse("worklife:opportunity_detail", args=[opportunity.pk])
    page = client.get(response.url).content.decode()
    assert "Lagerarbetare" in page and "Yrken inom administration och kundtjänst" in page


def test_a_bad_ssyk_code_is_named_on_the_form(client, coach, employer, org_a):
    client.force_login(coach)
    response = client.post(
        reverse("worklife:opportunity_new"),
        {
            "organisation": org_a.pk,
            "employer": employer.pk,
            "title": "X",
            "kind": "employment",
            "ssyk_code": "19",
            "municipality": "2480",
        },
    )
    assert response.status_code == 200
    assert "SSYK" in response.content.decode()
    assert not Opportunity.objects.exists()


def test_list_filters_and_bad_filter_input_give_no_error(client, coach, opportunity):
    client.force_login(coach)
    url = reverse("worklife:opportunity_list")
    assert opportunity.title in client.get(url, {"ssyk": "94"}).content.decode()
    assert opportunity.title not in client.get(url, {"ssyk": "53"}).content.decode()
    response = client.get(url, {"ssyk": "x'; --", "municipality": "nope", "page": "abc"})
    assert response.status_code == 200


def test_the_matching_page_ranks_with_reasons_and_proposes_on_consent(
    client, coach, unit_a1, opportunity
):
    # given two participants of the coach, one with consent to proposals
    with_consent = make_participant(coach, unit_a1, ref="JA")
    _consent(coach, with_consent)
    services.work_profile_set(actor=coach, participant=with_consent, occupational_goals=["9412"])
    without = make_participant(coach, unit_a1, ref="NEJ")
    client.force_login(coach)
    url = reverse("worklife:opportunity_matches", args=[opportunity.pk])
    # when
    page = client.get(url).content.decode()
    # then the reasons are shown, best first
    assert page.index("JA") < page.index("NEJ")
    assert "Testa Person" in page
    refused = client.post(
        reverse("worklife:proposal_new", args=[opportunity.pk]),
        {"participant": without.pk},
        follow=True,
    )
    assert "Dela förslag med arbetsgivare" in refused.content.decode()
    assert not Proposal.objects.exists()
    made = client.post(
        reverse("worklife:proposal_new", args=[opportunity.pk]), {"participant": with_consent.pk}
    )
    proposal = Proposal.objects.get()
    assert made.url == reverse("worklife:proposal_detail", args=[proposal.pk])


def test_a_malformed_participant_in_a_proposal_is_not_found(client, coach, opportunity):
    client.force_login(coach)
    response = client.post(
        reverse("worklife:proposal_new", args=[opportunity.pk]), {"participant": "nope"}
    )
    assert response.status_code == 404


def test_move_a_proposal_to_started_and_see_it_on_the_participant_page(
    client, coach, participant, opportunity
):
    _consent(coach, participant)
    proposal = services.proposal_create(
        actor=coach, opportunity=opportunity, participant=participant, proposed_on=date(2025, 2, 1)
    )
    client.force_login(coach)
    url = reverse("worklife:proposal_detail", args=[proposal.pk])
    bad = client.post(url, {"status": "declined", "occurred_on": "2025-02-02", "note": ""})
    assert bad.status_code == 400 and "Ange varför" in bad.content.decode()
    for status in ("meeting", "offered", "started"):
        response = client.post(url, {"status": status, "occurred_on": "2025-02-20"})
        assert response.status_code == 302, response.content.decode()[:2000]
    proposal.refresh_from_db()
    assert proposal.status == "started" and proposal.placement is not None
    page = client.get(reverse("pathways:detail", args=[participant.pk])).content.decode()
    assert "Restaurangbiträde, praktik" in page
    assert opportunity.employer.name in page


def test_other_unit_and_other_organisation_reach_none_of_it(
    client, coach, participant, opportunity, other_unit_coach, other_org_coordinator
):
    _consent(coach, participant)
    proposal = services.proposal_create(
        actor=coach, opportunity=opportunity, participant=participant, proposed_on=date(2025, 2, 1)
    )
    client.force_login(other_unit_coach)
    assert client.get(reverse("worklife:proposal_detail", args=[proposal.pk])).status_code == 404
    matches = client.get(reverse("worklife:opportunity_matches", args=[opportunity.pk]))
    assert participant.participant_ref not in page_without_tokens(matches)
    assert _rows(client.get("/api/proposals/")) == []
    client.force_login(other_org_coordinator)
    for name in ("opportunity_detail", "opportunity_matches", "opportunity_edit"):
        assert client.get(reverse(f"worklife:{name}", args=[opportunity.pk])).status_code == 404
    assert client.get(f"/api/opportunities/{opportunity.pk}/").status_code == 404


def test_work_profile_form_saves_and_names_a_bad_goal(client, coach, participant):
    client.force_login(coach)
    url = reverse("worklife:work_profile_edit", args=[participant.pk])
    bad = client.post(url, {"occupational_goals": "5321, abc"})
    assert bad.status_code == 200 and "SSYK" in bad.content.decode()
    good = client.post(url, {"occupational_goals": "5321, 94", "max_commute_km": "25"})
    assert good.status_code == 302
    assert participant.work_profile.occupational_goals == ["5321", "94"]


def test_exports_hold_the_own_rows_only_and_are_audited(
    client, coach, participant, opportunity, coordinator
):
    _consent(coach, participant)
    services.proposal_create(
        actor=coach, opportunity=opportunity, participant=participant, proposed_on=date(2025, 2, 1)
    )
    client.force_login(coordinator)
    xlsx = client.get(reverse("worklife:proposal_export"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert participant.participant_ref in values and "Testa" not in str(values)
    csv = client.get(reverse("worklife:opportunity_export"), {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "Restaurangbiträde" in csv.content.decode("utf-8-sig")
    assert AuditEvent.objects.filter(action="proposal.exported").exists()
    assert AuditEvent.objects.filter(action="opportunity.exported").exists()


def test_api_reads_opportunities_and_proposals(client, coach, participant, opportunity):
    _consent(coach, participant)
    proposal = services.proposal_create(
        actor=coach, opportunity=opportunity, participant=participant, proposed_on=date(2025, 2, 1)
    )
    client.force_login(coach)
    assert [o["ssyk_code"] for o in _rows(client.get("/api/opportunities/"))] == ["9412"]
    rows = _rows(client.get("/api/proposals/"))
    assert rows[0]["id"] == str(proposal.pk) and rows[0]["events"][0]["status"] == "proposed"
    assert AuditEvent.objects.filter(action="proposal.listed_api").count() == 1


def test_matching_page_keeps_within_its_query_budget(
    client, coach, unit_a1, opportunity, django_assert_max_num_queries
):
    for i in range(40):
        make_participant(coach, unit_a1, ref=f"Q{i:02}")
    client.force_login(coach)
    url = reverse("worklife:opportunity_matches", args=[opportunity.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url, {"page": "2"})
    assert response.status_code == 200
