"""The exit form suggests the ESF+ answers upon leaving from studies, placements and income,
each with its reason; nothing is saved until the coach confirms (or changes) them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from emplus.core import exit_suggestions
from emplus.worklife import services

pytestmark = pytest.mark.django_db

EXIT = date(2025, 6, 30)


def _exit_url(participant):
    return reverse("pathways:exit", args=[participant.pk, participant.enrolments.get().pk])


def _study(coach, participant, **values):
    return services.education_record(
        actor=coach,
        participant=participant,
        **{
            "provider_kind": "vocational_college",
            "provider_name": "Yrkeshögskolan Umeå",
            "programme": "Lagerlogistik",
            "started_on": date(2025, 2, 1),
            "planned_end": date(2025, 12, 15),
            **values,
        },
    )


def _suggested(viewer, participant, as_of=EXIT):
    return exit_suggestions.suggest(
        viewer=viewer, participant=participant, entry_date=date(2025, 1, 10), as_of=as_of
    )


def test_studies_and_a_job_are_suggested_with_their_reasons(coach, participant, employer):
    _study(coach, participant)
    _study(
        coach,
        participant,
        programme="Truckkort",
        started_on=date(2025, 2, 1),
        planned_end=date(2025, 3, 1),
        ended_on=date(2025, 3, 1),
        status="completed",
        qualification="Truckkort A+B",
    )
    services.placement_record(
        actor=coach,
        participant=participant,
        employer=employer,
        kind="employment",
        started_on=date(2025, 6, 1),
    )
    found = _suggested(coach, participant)
    assert {answer: items[0].value for answer, items in found.items()} == {
        "in_education": True,
        "qualification": True,
        "employed": True,
    }
    assert "Lagerlogistik" in found["in_education"][0].reason
    assert "Truckkort" in found["qualification"][0].reason
    assert "Bageriet i Umeå AB" in found["employed"][0].reason


def test_records_that_show_nothing_suggest_no_and_no_records_suggest_nothing(
    coach, participant, employer
):
    assert _suggested(coach, participant) == {}
    _study(
        coach,
        participant,
        ended_on=date(2025, 4, 1),
        status="interrupted",
        interruption_reason="Flytt",
    )
    services.placement_record(
        actor=coach,
        participant=participant,
        employer=employer,
        kind="work_trial",
        started_on=date(2025, 2, 1),
        ended_on=date(2025, 3, 1),
        outcome="ended_as_planned",
    )
    found = _suggested(coach, participant)
    assert {answer: items[0].value for answer, items in found.items()} == {
        "in_education": False,
        "qualification": False,
        "employed": False,
    }


def test_income_from_gig_work_around_the_exit_suggests_employed(coach, participant):
    services.income_record_set(
        actor=coach,
        participant=participant,
        month=date(2025, 5, 1),
        source="gig_assignment",
        amount=Decimal("9000"),
    )
    assert _suggested(coach, participant)["employed"][0].value is True
    # a month of income long before leaving is no evidence of work upon leaving
    assert _suggested(coach, participant, as_of=date(2025, 9, 30)) == {}


def test_a_viewer_who_may_not_see_the_records_gets_no_suggestion(
    coach, other_unit_coach, coordinator_b, participant
):
    _study(coach, participant)
    assert _suggested(coach, participant)
    assert _suggested(other_unit_coach, participant) == {}
    assert _suggested(coordinator_b, participant) == {}


def test_exit_page_shows_the_suggestion_and_saves_only_what_the_coach_confirms(
    client, coach, participant
):
    _study(coach, participant)
    client.force_login(coach)
    url = _exit_url(participant)
    # the Swedish page shows the suggested answer with its reason
    page = client.get(url)
    body = page.content.decode()
    assert "Föreslaget: Ja." in body and "Lagerlogistik" in body
    assert page.context["form"].fields["in_education"].initial is True
    # posting without the confirmation saves nothing and names the field
    values = {"exit_date": EXIT.isoformat(), "reason": "job", "in_education": "true"}
    response = client.post(url, values)
    assert response.status_code == 200
    assert "suggestions_checked" in response.context["form"].errors
    assert participant.enrolments.get().exit_date is None
    # the coach changes the suggested answer and confirms: the coach's answer is saved
    response = client.post(url, {**values, "in_education": "false", "suggestions_checked": "on"})
    assert response.status_code == 302
    enrolment = participant.enrolments.get()
    assert enrolment.exit_date == EXIT and enrolment.exit_in_education is False


def test_exit_page_in_english_and_without_records_asks_no_confirmation(client, coach, participant):
    client.force_login(coach)
    url = _exit_url(participant)
    assert "suggestions_checked" not in client.get(url).context["form"].fields
    _study(coach, participant)
    client.cookies["django_language"] = "en"
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Suggested: Yes." in body and "Studies in progress: Lagerlogistik" in body
