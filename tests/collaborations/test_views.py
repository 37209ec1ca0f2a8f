"""Pages of the register: who opens them, what the forms save, what a refused upload says."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emplus.collaborations import services
from emplus.collaborations.models import Collaboration, CollaborationDocument
from tests.collaborations.conftest import make_collaboration, pdf_upload

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_every_member_opens_the_register_pages(client, collaboration, other_org_coach):
    document = services.collaboration_document_attach(
        actor=collaboration.organisation.memberships.get().user,
        collaboration=collaboration,
        file=pdf_upload(),
    )
    _login(client, other_org_coach)
    for url in (
        reverse("collaborations:list"),
        reverse("collaborations:network"),
        reverse("collaborations:detail", args=[collaboration.pk]),
        reverse("collaborations:export") + "?format=csv",
        reverse("collaborations:export") + "?format=xlsx",
    ):
        assert client.get(url).status_code == 200, url
    response = client.get(reverse("collaborations:document", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "avsiktsforklaring.pdf" in response["Content-Disposition"]


def test_no_role_gets_403(client, collaboration, no_role_user):
    _login(client, no_role_user)
    assert client.get(reverse("collaborations:list")).status_code == 403
    assert client.get(reverse("collaborations:detail", args=[collaboration.pk])).status_code == 403


def test_coach_cannot_create(client, coach):
    _login(client, coach)
    assert client.get(reverse("collaborations:new")).status_code == 403
    assert client.post(reverse("collaborations:new"), {"title": "x"}).status_code == 403
    assert not Collaboration.objects.exists()


def test_other_organisations_coordinator_cannot_edit(client, collaboration, other_org_coordinator):
    _login(client, other_org_coordinator)
    assert client.get(reverse("collaborations:edit", args=[collaboration.pk])).status_code == 404
    response = client.post(
        reverse("collaborations:document_add", args=[collaboration.pk]),
        {"kind": "other", "file": pdf_upload()},
    )
    assert response.status_code == 404
    assert not CollaborationDocument.objects.exists()


def _form_data(org, umea, employer, **changes):
    data = {
        "organisation": str(org.pk),
        "title": "Lärande på arbetsplats i Umeå",
        "kind": "letter_of_intent",
        "arenas": ["workplace_learning"],
        "municipalities": ["2480"],
        "starts_on": "2025-03-01",
        "status": "active",
        "party-TOTAL_FORMS": "3",
        "party-INITIAL_FORMS": "0",
        "party-0-organisation": str(umea.pk),
        "party-0-role": "partner",
        "party-1-employer": str(employer.pk),
        "party-1-role": "host",
    }
    data.update(changes)
    return data


def test_coordinator_registers_with_a_municipality_and_an_employer(
    client, coordinator, org_a, umea, employer
):
    _login(client, coordinator)
    response = client.post(reverse("collaborations:new"), _form_data(org_a, umea, employer))
    collaboration = Collaboration.objects.get()
    assert response.status_code == 302
    assert {str(p.actor) for p in collaboration.parties.all()} == {umea.name, employer.name}
    page = client.get(reverse("collaborations:network")).content.decode()
    assert umea.name in page and employer.name in page


def test_form_errors_name_the_field(client, coordinator, org_a, umea, employer):
    _login(client, coordinator)
    response = client.post(
        reverse("collaborations:new"),
        _form_data(org_a, umea, employer, starts_on="not a date", **{"party-1-role": ""}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    # the summary links to each field with an error: the start and the second party's role
    assert 'href="#id_starts_on"' in page
    assert 'href="#id_party-1-role"' in page
    assert not Collaboration.objects.exists()


def test_bad_upload_is_refused_with_a_message(client, coordinator, collaboration):
    _login(client, coordinator)
    response = client.post(
        reverse("collaborations:document_add", args=[collaboration.pk]),
        {"kind": "other", "file": SimpleUploadedFile("virus.pdf", b"MZ not a pdf")},
    )
    assert response.status_code == 400
    assert "Filens innehåll är inte vad namnet säger" in response.content.decode()
    assert not CollaborationDocument.objects.exists()


def test_attach_and_close(client, coordinator, collaboration):
    _login(client, coordinator)
    response = client.post(
        reverse("collaborations:document_add", args=[collaboration.pk]),
        {"kind": "letter_of_intent", "file": pdf_upload()},
    )
    assert response.status_code == 302
    assert CollaborationDocument.objects.get().uploaded_by == coordinator
    client.post(reverse("collaborations:close", args=[collaboration.pk]), {"ends_on": "2025-12-31"})
    collaboration.refresh_from_db()
    assert collaboration.status == "closed"


def test_list_and_network_stay_within_a_query_budget(
    client, coordinator, org_a, umea, employer, django_assert_max_num_queries
):
    from emplus.collaborations.services import PartyInput

    for i in range(30):
        make_collaboration(
            coordinator,
            org_a,
            title=f"Samverkan {i}",
            parties=[PartyInput(role="partner", organisation=umea)],
        )
    _login(client, coordinator)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("collaborations:list")).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("collaborations:network")).status_code == 200


def test_bad_filter_is_reported_not_a_crash(client, coordinator, collaboration):
    _login(client, coordinator)
    response = client.get(reverse("collaborations:list") + "?county=99&active_from=nonsense")
    assert response.status_code == 200
    assert response.content.decode().count("error-summary") == 1
