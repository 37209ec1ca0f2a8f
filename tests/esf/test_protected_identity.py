"""The protected-identity flag of a participant: set on the page or through the API, shown on
one record (never in lists), and part of the data-subject export."""

from __future__ import annotations

from datetime import date

import pytest

from emplus.pathways.models import Participant
from emplus.pathways.rights import participant_export_data
from tests.esf.conftest import add_participant

pytestmark = pytest.mark.django_db


def test_api_sets_and_shows_the_flag_on_one_record_only(client, coordinator, unit_a1):
    client.force_login(coordinator)
    response = client.post(
        "/api/participants/",
        {
            "unit": str(unit_a1.pk),
            "participant_ref": "S1",
            "gender": "woman",
            "birth_date": "1990-05-17",
            "protected_identity": True,
            "entry_date": "2026-01-05",
            "consent": {
                "purposes": ["case_work", "statistics"],
                "information_version": "1",
                "given_on": "2026-01-05",
            },
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["protected_identity"] is True
    participant = Participant.objects.get(participant_ref="S1")
    assert participant.protected_identity is True
    listed = client.get("/api/participants/").json()["results"]
    assert all("protected_identity" not in row for row in listed)


def test_page_edit_sets_the_flag(client, coordinator, org_a, unit_a1):
    participant = add_participant(coordinator, org_a, unit_a1, "S2", date(2026, 1, 5))
    client.force_login(coordinator)
    form = client.get(f"/participants/{participant.pk}/edit/")
    assert 'name="protected_identity"' in form.content.decode()
    data = {
        "given_name": "Testa",
        "family_name": "S2",
        "birth_date": "1990-05-17",
        "gender": "woman",
        "protected_identity": "on",
    }
    response = client.post(f"/participants/{participant.pk}/edit/", data)
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.protected_identity is True
    export = participant_export_data(actor=coordinator, participant=participant)
    assert export["entry"]["protected_identity"] is True
