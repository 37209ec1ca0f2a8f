"""Working-life pages: who opens them, what the forms save, what other units never see."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from emplus.core.models import AuditEvent
from emplus.core.organisation_number import luhn_check_digit
from emplus.worklife import services
from emplus.worklife.models import Employer, WorkplacePlacement

from .conftest import ORG_NUMBER_2, make_employer, page_without_tokens

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _placement(coach, participant, employer):
    return services.placement_record(
        actor=coach,
        participant=participant,
        employer=employer,
        kind="work_trial",
        started_on=date(2025, 2, 3),
        supervisor="Sara Handledare",
    )


def test_pages_open_for_the_coach(client, coach, participant, employer):
    placement = _placement(coach, participant, employer)
    _login(client, coach)
    for url in (
        reverse("worklife:employer_list"),
        reverse("worklife:employer_new"),
        reverse("worklife:employer_detail", args=[employer.pk]),
        reverse("worklife:employer_edit", args=[employer.pk]),
        reverse("worklife:participant_placements", args=[participant.pk]),
        reverse("worklife:placement_new", args=[participant.pk]),
        reverse("worklife:placement_edit", args=[placement.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    detail = client.get(reverse("worklife:employer_detail", args=[employer.pk]))
    assert participant.participant_ref in detail.content.decode()
    page = client.get(reverse("pathways:detail", args=[participant.pk])).content.decode()
    assert reverse("worklife:placement_new", args=[participant.pk]) in page
    assert employer.name in page  # the placement's step in the timeline


def test_pages_are_swedish_first(client, coach, employer):
    _login(client, coach)
    page = client.get(reverse("worklife:employer_list")).content.decode()
    assert "Arbetsgivare" in page


def test_other_organisation_and_unit_get_404(
    client, coach, other_unit_coach, other_org_coach, participant, employer
):
    placement = _placement(coach, participant, employer)
    _login(client, other_org_coach)
    for url in (
        reverse("worklife:employer_detail", args=[employer.pk]),
        reverse("worklife:employer_edit", args=[employer.pk]),
        reverse("worklife:participant_placements", args=[participant.pk]),
        reverse("worklife:placement_new", args=[participant.pk]),
        reverse("worklife:placement_edit", args=[placement.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert employer.name not in client.get(reverse("worklife:employer_list")).content.decode()
    client.logout()
    _login(client, other_unit_coach)
    assert client.get(reverse("worklife:placement_edit", args=[placement.pk])).status_code == 404
    detail = client.get(reverse("worklife:employer_detail", args=[employer.pk]))
    assert detail.status_code == 200  # the employer is the organisation's
    assert participant.participant_ref not in page_without_tokens(detail)


def test_analyst_reads_employers_but_records_no_placement(client, analyst, participant, employer):
    _login(client, analyst)
    assert client.get(reverse("worklife:employer_list")).status_code == 200
    assert client.get(reverse("worklife:employer_new")).status_code == 403
    assert (
        client.get(reverse("worklife:participant_placements", args=[participant.pk])).status_code
        == 403
    )


def test_employer_form_names_a_bad_organisation_number(client, coach, org_a):
    _login(client, coach)
    response = client.post(
        reverse("worklife:employer_new"),
        {
            "organisation": org_a.pk,
            "name": "Felaktiga AB",
            "organisation_number": "556036-0794",
            "sector": "business",
            "sni_division": "47",
            "municipality": "2480",
            "size_band": "1-9",
        },
    )
    assert response.status_code == 200
    assert "organisation_number" in response.context["form"].errors
    assert not Employer.objects.exists()


def test_employer_form_registers(client, coach, org_a):
    _login(client, coach)
    response = client.post(
        reverse("worklife:employer_new"),
        {
            "organisation": org_a.pk,
            "name": "Rätta AB",
            "organisation_number": ORG_NUMBER_2,
            "sector": "business",
            "sni_division": "47",
            "municipality": "2480",
            "size_band": "1-9",
        },
    )
    employer = Employer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("worklife:employer_detail", args=[employer.pk])
    assert employer.organisation_number == "8020123454"


def test_placement_form_records_and_edits(client, coach, participant, employer):
    _login(client, coach)
    url = reverse("worklife:placement_new", args=[participant.pk])
    response = client.post(
        url,
        {
            "employer": employer.pk,
            "kind": "apprenticeship",
            "started_on": "2025-03-01",
            "hours_per_week": "30",
            "goals": "Lära sig kassan",
        },
    )
    assert response.status_code == 302
    placement = WorkplacePlacement.objects.get()
    assert placement.step.phase == "train"
    edit = reverse("worklife:placement_edit", args=[placement.pk])
    bad = client.post(
        edit,
        {
            "employer": employer.pk,
            "kind": "apprenticeship",
            "started_on": "2025-03-01",
            "ended_on": "2025-04-01",
            "outcome": "ended_early",
        },
    )
    assert bad.status_code == 200
    assert "outcome_reason" in bad.context["form"].errors
    placement.refresh_from_db()
    assert placement.outcome == ""
    ok = client.post(
        edit,
        {
            "employer": employer.pk,
            "kind": "apprenticeship",
            "started_on": "2025-03-01",
            "ended_on": "2025-04-01",
            "outcome": "ended_early",
            "outcome_reason": "Flyttade",
        },
    )
    assert ok.status_code == 302
    placement.refresh_from_db()
    assert placement.outcome == "ended_early"
    assert AuditEvent.objects.filter(action="placement.changed").count() == 1


def test_contact_added_from_the_page(client, coach, employer, other_org_coach):
    _login(client, coach)
    url = reverse("worklife:employer_contact_add", args=[employer.pk])
    assert client.post(url, {"contact-name": ""}).status_code == 400
    assert client.post(url, {"contact-name": "Kim Berg"}).status_code == 302
    contact = employer.contacts.get()
    client.logout()
    _login(client, other_org_coach)
    remove = reverse("worklife:employer_contact_remove", args=[employer.pk, contact.pk])
    assert client.post(remove).status_code == 404
    assert employer.contacts.exists()


def test_employer_list_is_paginated(client, coach, org_a):
    numbers = []
    base = 556036000
    while len(numbers) < 30:
        digits = str(base)
        numbers.append(digits + str(luhn_check_digit(digits)))
        base += 1
    for i, number in enumerate(numbers):
        make_employer(coach, org_a, number=number, name=f"Företag {i:02}")
    _login(client, coach)
    first = client.get(reverse("worklife:employer_list"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("worklife:employer_list") + "?page=2")
    assert len(second.context["page"].object_list) == 5
