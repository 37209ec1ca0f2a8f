"""The coach's self-service pages: who may open them, the link hand-out shown once, attested
time per participant, month and unit, the XLSX export, and the offline shells."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from emplus.core.models import AuditEvent
from emplus.selfservice import services
from emplus.selfservice.choices import LinkPurpose
from emplus.selfservice.models import MonthlyTime, SelfServiceLink, TimeAttestation
from tests.selfservice.conftest import MARCH, enrol

pytestmark = pytest.mark.django_db


def _pages(participant, link=None):
    urls = [
        reverse("selfservice:participant_links", args=[participant.pk]),
        reverse("selfservice:participant_time", args=[participant.pk]),
        reverse("selfservice:month", args=[participant.pk, "2025-03"]),
    ]
    if link is not None:
        urls.append(reverse("selfservice:link_detail", args=[link.pk]))
    return urls


@pytest.fixture
def link(coach, participant, instrument):
    return services.selfservice_link_create(
        actor=coach, participant=participant, purpose=LinkPurpose.ASSESSMENT, instrument=instrument
    ).link


def test_anonymous_is_sent_to_log_in(client, participant, link):
    for url in [*_pages(participant, link), reverse("selfservice:time_overview")]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("persona", ["analyst", "admin_user", "no_role_user"])
def test_roles_without_personal_records_are_forbidden(request, client, persona, participant, link):
    client.force_login(request.getfixturevalue(persona))
    for url in [
        *_pages(participant, link),
        reverse("selfservice:time_overview"),
        reverse("selfservice:time_export"),
        reverse("selfservice:shell_assessment"),
        reverse("selfservice:shell_time"),
    ]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("persona", ["other_org_coach", "other_unit_coach", "mixed_user"])
def test_outside_the_unit_the_participant_is_not_found(request, client, persona, participant, link):
    client.force_login(request.getfixturevalue(persona))
    for url in _pages(participant, link):
        assert client.get(url).status_code == 404, url
    revoke = reverse("selfservice:link_revoke", args=[link.pk])
    assert client.post(revoke).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


@pytest.mark.parametrize("persona", ["coach", "coordinator"])
def test_coach_and_coordinator_open_every_page(request, client, persona, participant, link):
    client.force_login(request.getfixturevalue(persona))
    for url in [*_pages(participant, link), reverse("selfservice:time_overview")]:
        assert client.get(url).status_code == 200, url


def test_creating_a_link_shows_its_address_and_qr_code_once(client, coach, participant):
    client.force_login(coach)
    response = client.post(
        reverse("selfservice:participant_links", args=[participant.pk]), {"valid_days": "3"}
    )
    link = SelfServiceLink.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("selfservice:link_detail", args=[link.pk])
    page = client.get(response["Location"]).content.decode()
    assert "<svg" in page and "http://testserver/s/" in page
    token = page.split("http://testserver/s/")[1].split("/")[0]
    assert len(token) == 32
    assert client.get(f"/s/{token}/").status_code == 200
    # another session (another computer) sees no address: only the hash is kept
    client.force_login(coach)  # a fresh session
    client.session.flush()
    client.force_login(coach)
    again = client.get(reverse("selfservice:link_detail", args=[link.pk])).content.decode()
    assert token not in again and "<svg" not in again


def test_the_coach_revokes_a_link(client, coach, link):
    client.force_login(coach)
    response = client.post(reverse("selfservice:link_revoke", args=[link.pk]))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == coach


def test_the_pathway_page_marks_the_participants_own_assessment(
    client, coach, participant, link, instrument
):
    import uuid

    from tests.selfservice.conftest import scores

    services.selfservice_link_use_for_assessment(
        link=link, key=uuid.uuid4(), scores=scores(instrument, 8)
    )
    client.force_login(coach)
    page = client.get(reverse("pathways:detail", args=[participant.pk])).content.decode()
    assert "Självskattning ifylld av deltagaren" in page
    assert reverse("selfservice:participant_links", args=[participant.pk]) in page
    assert reverse("selfservice:participant_time", args=[participant.pk]) in page


def test_the_month_page_saves_hours_once_and_shows_a_conflict(client, coach, participant):
    client.force_login(coach)
    url = reverse("selfservice:month", args=[participant.pk, "2025-03"])
    page = client.get(url)
    form = page.context["hours_form"]
    key, base = form["key"].value(), form["base"].value()
    assert base == 0 and page.context["row"].hours == 31
    hours_url = reverse("selfservice:month_hours", args=[participant.pk, "2025-03"])
    done = client.post(hours_url, {"key": key, "base": base, "hours": "28,5"})
    assert done.status_code == 302
    assert MonthlyTime.objects.get().hours == pytest.approx(28.5)
    # the same form sent twice (a double click) saves once
    assert client.post(hours_url, {"key": key, "base": base, "hours": "28,5"}).status_code == 302
    assert MonthlyTime.objects.get().version == 2
    # a form loaded before that change is a conflict, and shows the stored hours
    stale = client.post(
        hours_url, {"key": str(__import__("uuid").uuid4()), "base": 0, "hours": "5"}
    )
    assert stale.status_code == 409
    assert "28,5" in stale.content.decode() and MonthlyTime.objects.get().hours == 28.5


def test_the_month_page_records_a_paper_attestation(client, coach, participant):
    client.force_login(coach)
    page = client.get(reverse("selfservice:month", args=[participant.pk, "2025-03"]))
    form = page.context["paper_form"]
    response = client.post(
        reverse("selfservice:month_paper", args=[participant.pk, "2025-03"]),
        {"key": form["key"].value(), "base": form["base"].value(), "paper_date": "2025-04-02"},
    )
    assert response.status_code == 302
    attestation = TimeAttestation.objects.get()
    assert attestation.paper_date == date(2025, 4, 2) and attestation.recorded_by == coach


def test_a_month_outside_the_enrolment_or_malformed_is_not_found(client, coach, participant):
    client.force_login(coach)
    for month in ["2024-12", "2025-13", "march"]:
        url = reverse("selfservice:month", args=[participant.pk, month])
        assert client.get(url).status_code == 404, month


def test_the_unit_overview_lists_attested_and_missing_and_pages(
    client, coach, participant, unit_a1
):
    for index in range(2, 55):
        enrol(coach, unit_a1, ref=f"P{index:02d}")
    services.time_attestation_record_paper(
        actor=coach, participant=participant, month=MARCH, paper_date=date(2025, 4, 3)
    )
    client.force_login(coach)
    url = reverse("selfservice:time_overview") + f"?unit={unit_a1.pk}&month=2025-03"
    page = client.get(url)
    assert page.status_code == 200
    # one audit event per page, naming the 50 participants that page showed
    event = AuditEvent.objects.filter(action="monthly_time.listed").last()
    assert len(event.details["participants"]) == 50
    summary = page.context["summary"]
    assert (summary.attested, summary.missing, summary.participants) == (1, 53, 54)
    assert len(page.context["rows"]) == 50
    second = client.get(url + "&page=2").context["rows"]
    assert [row.participant.participant_ref for row in second] == ["P51", "P52", "P53", "P54"]
    text = page.content.decode()
    assert "Sida 1 av 2" in text and "Intygad" in text


def test_the_overview_refuses_another_organisations_unit(client, coach, unit_b1):
    client.force_login(coach)
    url = reverse("selfservice:time_overview") + f"?unit={unit_b1.pk}"
    assert client.get(url).status_code == 404


def test_the_export_is_an_xlsx_with_inert_text(client, coordinator, coach, unit_a1):
    enrol(coach, unit_a1, ref="=HYPERLINK(1)")
    client.force_login(coach)
    url = reverse("selfservice:time_export") + f"?unit={unit_a1.pk}&month=2025-03"
    assert client.get(url).status_code == 403  # coaches see the page; exports are coordinators'
    client.force_login(coordinator)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "=HYPERLINK(1)" and sheet["A2"].data_type == "s"
    assert sheet["D2"].value == 31
    assert AuditEvent.objects.filter(action="monthly_time.exported").count() == 1


def test_the_offline_shells_carry_no_personal_data(client, coach, participant):
    client.force_login(coach)
    for name in ["shell_assessment", "shell_event", "shell_time", "outbox"]:
        response = client.get(reverse(f"selfservice:{name}"))
        assert response.status_code == 200, name
        page = response.content.decode()
        assert "Amina" not in page and "Fjällström" not in page
        assert str(participant.pk) not in page and str(participant.unit.pk) not in page
