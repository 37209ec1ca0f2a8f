"""A user who coordinates organisation A and coaches unit B1 of organisation B: every page,
export, API endpoint, search, data-subject right and task gives them A's participants for the
coordinator's permissions, B1's only for a coach's, and never B2's (docs/decisions/0021)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient
from tests.conftest import make_user

from emplus.core.models import AuditEvent
from emplus.core.roles import Role
from emplus.organisations.models import Unit
from emplus.organisations.services import membership_grant, membership_revoke
from emplus.pathways import services
from emplus.pathways.importing import import_grant, import_organisations_for
from emplus.pathways.models import Participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(org_a, org_b, unit_b1):
    user = make_user("mixed", org_a, Role.COORDINATOR)
    membership_grant(user=user, organisation=org_b, role=Role.COACH, unit=unit_b1)
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def unit_b2(org_b):
    return Unit.objects.create(
        organisation=org_b, name="B Lund", kind="district", municipality_id="1281"
    )


@pytest.fixture
def coordinator_b(org_b):
    return make_user("coordinator-b", org_b, Role.COORDINATOR)


def _register(actor, org, unit, ref, given):
    participant = services.participant_register(
        actor=actor,
        organisation=org,
        unit=unit,
        participant_ref=ref,
        given_name=given,
        family_name="Testsson",
    ).participant
    services.enrolment_start(actor=actor, participant=participant, entry_date=date(2025, 1, 10))
    return participant


@pytest.fixture
def people(coordinator, other_org_coach, coordinator_b, org_a, org_b, unit_a1, unit_b1, unit_b2):
    return {
        "a": _register(coordinator, org_a, unit_a1, "REF-A1", "Astrid"),
        "b1": _register(other_org_coach, org_b, unit_b1, "REF-B1", "Bengta"),
        "b2": _register(coordinator_b, org_b, unit_b2, "REF-B2", "Berit"),
    }


@pytest.fixture
def page(client, mixed):
    client.force_login(mixed)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- pages ------------------------------------------------------------------------------------


def test_caseload_shows_a_and_the_coached_unit_only(page, people):
    body = page.get(reverse("pathways:caseload")).content.decode()
    assert "REF-A1" in body and "REF-B1" in body
    assert "REF-B2" not in body and "Berit" not in body


def test_caseload_search_finds_nobody_outside_the_scope(page, people):
    response = page.post(reverse("pathways:caseload"), {"q": "Berit"}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "REF-B2" not in body and "REF-A1" not in body


def test_participant_pages(page, people):
    assert page.get(reverse("pathways:detail", args=[people["a"].pk])).status_code == 200
    assert page.get(reverse("pathways:detail", args=[people["b1"].pk])).status_code == 200
    assert page.get(reverse("pathways:detail", args=[people["b2"].pk])).status_code == 404
    assert page.get(reverse("pathways:edit", args=[people["b1"].pk])).status_code == 200
    assert page.get(reverse("pathways:edit", args=[people["b2"].pk])).status_code == 404


def test_the_participant_page_offers_changes_where_the_database_allows_them(
    mixed, coordinator, other_org_coach, coordinator_b, people
):
    # The page decides from the grants, without a query (decision 52): the same answer as
    # the scope in the database, for every viewer and participant.
    from emplus.core import scoping
    from emplus.pathways.views.participant import _can_change

    for user in (mixed, coordinator, other_org_coach, coordinator_b):
        for participant in people.values():
            user = get_user_model().objects.get(pk=user.pk)  # memberships read afresh
            expected = scoping.allows(user, "participant.change", participant)
            assert _can_change(user, participant) == expected, (user, participant)
    assert _can_change(mixed, people["b1"]) and not _can_change(mixed, people["b2"])


def test_a_revoked_membership_counts_from_the_next_request(page, mixed, coordinator_b, people):
    # given: the mixed user reads a participant of the unit they coach, page and API
    detail = reverse("pathways:detail", args=[people["b1"].pk])
    assert page.get(detail).status_code == 200
    api_client = APIClient()
    api_client.force_login(mixed)  # each request reads the user afresh, as in production
    assert api_client.get(f"/api/participants/{people['b1'].pk}/").status_code == 200
    # when: the coaching membership is revoked between two requests of the same session
    membership_revoke(membership=mixed.memberships.get(role=Role.COACH), actor=coordinator_b)
    # then: the very next request no longer reaches the unit's participants (memberships are
    # read once per request, never kept across requests: decision 52)
    assert page.get(detail).status_code == 404
    assert page.get(reverse("pathways:edit", args=[people["b1"].pk])).status_code == 404
    assert api_client.get(f"/api/participants/{people['b1'].pk}/").status_code == 404
    assert page.get(reverse("pathways:detail", args=[people["a"].pk])).status_code == 200


@pytest.mark.parametrize("name", ["participant", "export_json", "export_page"])
def test_data_subject_rights_only_in_the_coordinated_organisation(page, people, name):
    assert page.get(reverse(f"pathways:rights:{name}", args=[people["a"].pk])).status_code == 200
    for other in ("b1", "b2"):
        url = reverse(f"pathways:rights:{name}", args=[people[other].pk])
        assert page.get(url).status_code == 404, other


def test_rights_lookup_by_reference_does_not_find_the_coached_units_people(page, people):
    found = page.post(reverse("pathways:rights:index"), {"participant_ref": "REF-A1"})
    assert found.status_code == 302
    missed = page.post(reverse("pathways:rights:index"), {"participant_ref": "REF-B1"})
    assert missed.status_code == 200 and missed.context["not_found"]


def test_erasure_of_a_coached_participant_is_404_and_erases_nothing(page, people):
    url = reverse("pathways:rights:erase", args=[people["b1"].pk])
    assert page.post(url, {"confirm_ref": "REF-B1"}).status_code == 404
    people["b1"].refresh_from_db()
    assert people["b1"].erased_at is None and people["b1"].given_name == "Bengta"
    # and in the coordinated organisation it works
    url = reverse("pathways:rights:erase", args=[people["a"].pk])
    assert page.post(url, {"confirm_ref": "REF-A1"}).status_code == 302
    people["a"].refresh_from_db()
    assert people["a"].erased_at is not None


def test_bulk_export_carries_the_coordinated_organisation_only(page, people):
    response = page.get(reverse("pathways:export"), {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["participant_ref"] for row in rows] == ["REF-A1"]
    event = AuditEvent.objects.get(action="participant.exported")
    assert event.details["participants"] == [str(people["a"].pk)]


def test_registration_offers_a_and_the_coached_unit(page, people, unit_a1, unit_a2, unit_b1):
    form = page.get(reverse("pathways:register")).context["form"]
    offered = set(form.fields["unit"].queryset.values_list("name", flat=True))
    assert offered == {unit_a1.name, unit_a2.name, unit_b1.name}


def test_member_list_only_where_the_user_coordinates(page, org_a, org_b, other_org_coach, coach):
    own = page.get(reverse("organisations:detail", args=[org_a.pk]))
    assert own.context["memberships"] is not None and "coach-a" in own.content.decode()
    coached = page.get(reverse("organisations:detail", args=[org_b.pk]))
    assert coached.status_code == 200 and coached.context["memberships"] is None
    assert "coach-b" not in coached.content.decode()


def test_attested_time_export_only_in_the_coordinated_organisation(page, people, unit_b1):
    overview = page.get(reverse("selfservice:time_overview"), {"unit": str(unit_b1.pk)})
    assert overview.status_code == 200 and overview.context["can_export"] is False
    export = page.get(reverse("selfservice:time_export"), {"unit": str(unit_b1.pk)})
    assert export.status_code == 404


def test_attested_time_of_an_unreached_unit_is_404(page, people, unit_b2):
    response = page.get(reverse("selfservice:time_overview"), {"unit": str(unit_b2.pk)})
    assert response.status_code == 404


# --- API --------------------------------------------------------------------------------------


def test_api_participant_list_and_details(mixed, people):
    client = api(mixed)
    refs = {p["participant_ref"] for p in client.get("/api/participants/").json()["results"]}
    assert refs == {"REF-A1", "REF-B1"}
    assert client.get(f"/api/participants/{people['b1'].pk}/").status_code == 200
    assert client.get(f"/api/participants/{people['b2'].pk}/").status_code == 404
    patch = client.patch(
        f"/api/participants/{people['b2'].pk}/", {"given_name": "X"}, format="json"
    )
    assert patch.status_code == 404


@pytest.mark.parametrize("endpoint", ["enrolments", "events", "assessments"])
def test_api_pathway_lists(mixed, people, endpoint):
    body = api(mixed).get(f"/api/{endpoint}/").content.decode()
    assert str(people["b2"].pk) not in body


def test_api_enrolment_of_an_unreached_unit_is_404(mixed, people):
    enrolment = people["b2"].enrolments.get()
    assert api(mixed).get(f"/api/enrolments/{enrolment.pk}/").status_code == 404


def test_api_search_finds_nobody_outside_the_scope(mixed, people):
    client = api(mixed)
    token = client.post("/api/participants/search/", {"q": "Berit"}, format="json").json()
    found = client.get("/api/participants/", {"search": token["search"]}).json()["results"]
    assert found == []
    token = client.post("/api/participants/search/", {"q": "Bengta"}, format="json").json()
    found = client.get("/api/participants/", {"search": token["search"]}).json()["results"]
    assert [p["participant_ref"] for p in found] == ["REF-B1"]


def test_api_registration_in_an_unreached_unit_is_refused(mixed, people, unit_b2):
    response = api(mixed).post(
        "/api/participants/",
        {
            "unit": str(unit_b2.pk),
            "participant_ref": "NEW-1",
            "entry_date": "2025-02-01",
            "consent": {
                "purposes": ["case_work"],
                "information_version": "1",
                "given_on": "2025-02-01",
            },
        },
        format="json",
    )
    assert response.status_code == 400 and "unit" in response.json()
    assert not Participant.objects.filter(participant_ref="NEW-1").exists()


def test_api_pseudonymised_list_is_not_for_coordinators_or_coaches(mixed, people):
    assert api(mixed).get("/api/pseudonymised/participants/").status_code == 403


def test_api_time_lists_hold_no_unreached_participant(mixed, people):
    for endpoint in ("monthly-times", "time-attestations", "selfservice-links"):
        body = api(mixed).get(f"/api/{endpoint}/").content.decode()
        assert str(people["b2"].pk) not in body, endpoint


# --- import and background work ---------------------------------------------------------------


def test_import_reaches_the_organisation_as_coordinator_and_the_unit_as_coach(
    mixed, org_a, org_b, unit_b1
):
    assert {o.code for o in import_organisations_for(mixed)} == {"ORGA", "ORGB"}
    assert import_grant(actor=mixed, organisation=org_a).unit is None
    assert import_grant(actor=mixed, organisation=org_b).unit == unit_b1


def test_an_effect_estimate_task_of_the_coached_organisation_fails_out_of_reach(mixed, people):
    from emplus.evidence import services as evidence_services
    from emplus.evidence.estimates import run_estimate
    from emplus.evidence.models import EffectEstimate, EstimateStatus

    group = {"organisation": "ORGB", "method": "", "county": "", "test_bed": ""}
    estimate = evidence_services.effect_estimate_start(
        actor=mixed,
        treatment=group,
        comparison_kind="group",
        comparison={**group, "organisation": "ORGA"},
        comparison_rows=[],
        outcome="exit_employed",
        covariates=["isced"],
        method="ipw",
        seed=7,
    )
    run_estimate(str(estimate.pk))
    estimate = EffectEstimate.objects.get(pk=estimate.pk)
    assert estimate.status == EstimateStatus.FAILED
    assert "outside your organisations" in estimate.message
    assert json.dumps(estimate.result or {}).find("REF-B") == -1


def test_self_service_pages_of_a_participant(page, people):
    for name in ("selfservice:participant_time", "selfservice:participant_links"):
        assert page.get(reverse(name, args=[people["b1"].pk])).status_code == 200, name
        assert page.get(reverse(name, args=[people["b2"].pk])).status_code == 404, name


def test_attested_time_export_of_the_coordinated_organisation(page, people, unit_a1):
    export = page.get(reverse("selfservice:time_export"), {"unit": str(unit_a1.pk)})
    assert export.status_code == 200


# --- aggregates -------------------------------------------------------------------------------


def test_indicators_of_the_coached_organisation_or_unit_are_404(page, mixed, people, unit_b1):
    url = reverse("evidence:indicators")
    assert page.get(url, {"organisation": "ORGA"}).status_code == 200
    assert page.get(url, {"organisation": "ORGB"}).status_code == 404
    assert page.get(url, {"unit": str(unit_b1.pk)}).status_code == 404
    assert api(mixed).get("/api/indicators/", {"organisation": "ORGB"}).status_code == 404
