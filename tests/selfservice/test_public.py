"""The participant's page behind a link: no log-in, first name only, plain answers, saved once,
a kind refusal afterwards, rate limits, and the answer the offline queue gets."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from emplus.core.models import AuditEvent
from emplus.pathways.models import Assessment
from emplus.selfservice import services
from emplus.selfservice.choices import LinkPurpose
from emplus.selfservice.models import SelfServiceLink, TimeAttestation
from tests.selfservice.conftest import MARCH, form_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def created(coach, participant, instrument):
    return services.selfservice_link_create(
        actor=coach, participant=participant, purpose=LinkPurpose.ASSESSMENT, instrument=instrument
    )


def _url(token: str) -> str:
    return reverse("selfservice_public:link", args=[token])


def _key(response) -> str:
    return response.context["form"]["key"].value()


def test_the_link_opens_without_log_in_and_shows_only_the_first_name(client, created, participant):
    # when someone without an account opens the link
    response = client.get(_url(created.token))
    # then the self-assessment is shown, in Swedish, with the scale explained
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="sv"' in page and "Hej Amina!" in page
    # the random token is in the page's own URLs and may by chance contain "P1"
    shown = page.replace(created.token, "")
    assert "Fjällström" not in shown and "Sofia" not in shown and "P1" not in shown
    assert "från 1 till 10" in page and page.count('type="radio"') == 90
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    link = SelfServiceLink.objects.get(pk=created.link.pk)
    assert link.opened_at is not None
    assert AuditEvent.objects.filter(action="selfservice_link.opened").count() == 1


def test_the_page_switches_to_english(client, created):
    client.cookies["django_language"] = "en"
    page = client.get(_url(created.token)).content.decode()
    assert 'lang="en"' in page and "Hello Amina!" in page and "from 1 to 10" in page


def test_answers_are_saved_once_as_the_participants_and_a_second_use_is_refused_kindly(
    client, created, instrument, participant
):
    key = _key(client.get(_url(created.token)))
    # when the participant answers every question
    response = client.post(_url(created.token), {"key": key, **form_scores(instrument, 6)})
    # then the answers are an assessment entered by the participant
    assert response.status_code == 201
    assert "Tack" in response.content.decode()
    assessment = Assessment.objects.get(enrolment__participant=participant)
    assert assessment.entered_by_participant and assessment.recorded_by is None
    # the same post again (a lost answer) is answered as saved, with nothing new
    again = client.post(_url(created.token), {"key": key, **form_scores(instrument, 6)})
    assert again.status_code == 200 and Assessment.objects.count() == 1
    # a second use is refused with a kind message, and audited
    refused = client.get(_url(created.token))
    assert refused.status_code == 410
    assert "redan använts" in refused.content.decode()
    other = client.post(_url(created.token), {"key": str(uuid.uuid4()), **form_scores(instrument)})
    assert other.status_code == 410 and Assessment.objects.count() == 1
    assert AuditEvent.objects.filter(action="selfservice_link.refused").count() == 2


def test_missing_answers_are_pointed_out_and_nothing_is_saved(client, created, instrument):
    key = _key(client.get(_url(created.token)))
    answers = form_scores(instrument)
    answers.pop("score_goal")
    response = client.post(_url(created.token), {"key": key, **answers})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'href="#id_score_goal_0"' in page and 'aria-invalid="true"' in page
    assert Assessment.objects.count() == 0


def test_unknown_expired_and_revoked_links_get_a_kind_page(client, coach, created):
    assert client.get(_url("x" * 32)).status_code == 404
    assert client.get(_url("short")).status_code == 404
    SelfServiceLink.objects.filter(pk=created.link.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    expired = client.get(_url(created.token))
    assert expired.status_code == 410 and "inte längre" in expired.content.decode()
    SelfServiceLink.objects.filter(pk=created.link.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    services.selfservice_link_revoke(actor=coach, link=created.link)
    assert client.get(_url(created.token)).status_code == 410


def test_an_erased_participants_link_no_longer_opens(client, created, participant):
    from emplus.pathways.models import Participant

    Participant.objects.filter(pk=participant.pk).update(erased_at=timezone.now())
    assert client.get(_url(created.token)).status_code == 410


def test_attempts_are_limited_per_link_and_per_address(client, created, settings):
    settings.EMPLUS_SELFSERVICE_LIMITS = {"token": (3, 600), "address_unknown": (2, 600)}
    for _ in range(3):
        assert client.get(_url(created.token)).status_code == 200
    assert client.get(_url(created.token)).status_code == 429
    assert client.get(_url(created.token)).status_code == 429
    # one audit entry per window, not one per refused attempt
    assert (
        AuditEvent.objects.filter(
            action="selfservice_link.refused", details__reason="rate_limited"
        ).count()
        == 1
    )
    # guessing tokens from one address is stopped quickly
    assert client.get(_url("a" * 32)).status_code == 404
    assert client.get(_url("b" * 32)).status_code == 404
    assert client.get(_url("c" * 32)).status_code == 429


def test_the_offline_queue_gets_json_answers(client, created, instrument):
    key = _key(client.get(_url(created.token)))
    body = {"key": key, **form_scores(instrument)}
    json = {"HTTP_ACCEPT": "application/json"}
    first = client.post(_url(created.token), body, **json)
    assert first.status_code == 201 and first.json() == {"status": "saved", "replay": False}
    again = client.post(_url(created.token), body, **json)
    assert again.status_code == 200 and again.json()["replay"] is True
    used = client.post(_url(created.token), {**body, "key": str(uuid.uuid4())}, **json)
    assert used.status_code == 410 and used.json()["status"] == "conflict"
    assert "redan använts" in used.json()["message"]


def test_the_participant_attests_their_hours_through_a_link(client, coach, participant):
    created = services.selfservice_link_create(
        actor=coach, participant=participant, purpose=LinkPurpose.ATTEST_TIME, month=MARCH
    )
    page = client.get(_url(created.token))
    assert page.status_code == 200
    text = page.content.decode()
    assert "31,0 timmar" in text and "mars 2025" in text and "Fjällström" not in text
    key = _key(page)
    # without ticking the box nothing is attested
    missing = client.post(_url(created.token), {"key": key, "hours_seen": "31.0"})
    assert missing.status_code == 422 and TimeAttestation.objects.count() == 0
    # the coach changes the hours meanwhile: the participant is shown the new ones
    services.monthly_time_set_hours(actor=coach, participant=participant, month=MARCH, hours=29)
    stale = client.post(_url(created.token), {"key": key, "hours_seen": "31.0", "confirm": "on"})
    assert stale.status_code == 409 and "29,0 timmar" in stale.content.decode()
    done = client.post(_url(created.token), {"key": key, "hours_seen": "29.0", "confirm": "on"})
    assert done.status_code == 201
    attestation = TimeAttestation.objects.get()
    assert attestation.hours == 29 and attestation.method == "participant_link"
