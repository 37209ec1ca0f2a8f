"""Pathway API: every endpoint's role matrix, writes through the services with field errors,
and analysts who never receive a name, an identity number or a reference."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient
from tests.conftest import make_user
from tests.factories import personnummer

from emplus.core.models import AuditEvent
from emplus.core.roles import Role
from emplus.pathways import serializers, services
from emplus.pathways.models import Instrument, Participant

pytestmark = pytest.mark.django_db

PNR = "19900101-0017"  # generated for tests only
REF = "REF-ZX81"
GIVEN, FAMILY = "Ingegerd", "Qvarnström"
# What every registration carries besides the person: the first enrolment and the legal basis.
NEW = {
    "entry_date": "2025-01-10",
    "consent": {"purposes": ["case_work"], "information_version": "1", "given_on": "2025-01-10"},
}


@pytest.fixture
def person(coach, org_a, unit_a1):
    participant = services.participant_register(
        actor=coach,
        organisation=org_a,
        unit=unit_a1,
        participant_ref=REF,
        personal_id=PNR,
        given_name=GIVEN,
        family_name=FAMILY,
        email="ingegerd@example.org",
        gender="woman",
        lm_status_entry="unemployed",
        isced=3,
        unemployed_months=3,
        disability="yes",
        special_category_basis="consent",
    ).participant
    services.consent_record(
        actor=coach,
        participant=participant,
        information_version="1",
        given_on=date(2025, 1, 10),
        case_work=True,
        statistics=True,
        special_categories=True,
    )
    enrolment = services.enrolment_start(
        actor=coach, participant=participant, entry_date=date(2025, 1, 10)
    )
    services.event_record(
        actor=coach,
        enrolment=enrolment,
        kind="job_started",
        occurred_on=date(2025, 3, 1),
        note=f"{GIVEN} started at the bakery",
    )
    services.step_record(
        actor=coach,
        enrolment=enrolment,
        phase="mobilise",
        activity=f"Meeting with {GIVEN}",
        started_on=date(2025, 1, 10),
    )
    instrument = Instrument.objects.get(code="VAGEN")
    services.assessment_record(
        actor=coach,
        enrolment=enrolment,
        instrument=instrument,
        assessed_on=date(2025, 1, 10),
        scores=dict.fromkeys(instrument.dimensions.values_list("code", flat=True), 4),
    )
    return participant


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _detail_urls(person):
    enrolment = person.enrolments.get()
    return {
        "participants": f"/api/participants/{person.pk}/",
        "enrolments": f"/api/enrolments/{enrolment.pk}/",
        "events": f"/api/events/{enrolment.events.get().pk}/",
        "assessments": f"/api/assessments/{enrolment.assessments.get().pk}/",
    }


ENDPOINTS = ["participants", "enrolments", "events", "assessments"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_role_matrix_of_each_identifying_endpoint(
    endpoint,
    person,
    coach,
    coordinator,
    analyst,
    no_role_user,
    other_org_coach,
    other_org_coordinator,
    other_unit_coach,
):
    # given
    list_url = f"/api/{endpoint}/"
    detail_url = _detail_urls(person)[endpoint]
    # then anonymous and role-less callers are turned away, analysts too
    assert api().get(list_url).status_code in (401, 403)
    assert api().get(detail_url).status_code in (401, 403)
    assert api(no_role_user).get(list_url).status_code == 403
    assert api(no_role_user).get(detail_url).status_code == 403
    assert api(analyst).get(list_url).status_code == 403
    assert api(analyst).get(detail_url).status_code == 403
    # other organisations and the other unit's coach: not found, and nothing listed
    for outsider in (other_org_coach, other_org_coordinator, other_unit_coach):
        assert api(outsider).get(detail_url).status_code == 404
        response = api(outsider).get(list_url)
        assert response.status_code == 200 and response.json()["results"] == []
    # the unit's coach and the organisation's coordinator see it
    for insider in (coach, coordinator):
        assert api(insider).get(detail_url).status_code == 200
        results = api(insider).get(list_url).json()["results"]
        assert len(results) == 1


def test_participant_list_hides_special_categories_and_masks_the_identity_number(person, coach):
    # when
    response = api(coach).get("/api/participants/")
    # then
    (row,) = response.json()["results"]
    assert row["given_name"] == GIVEN
    assert row["personal_id_masked"] == "19900101-****"
    assert "disability" not in row and "minority" not in row
    assert "0017" not in response.content.decode()
    # while the detail shows them, and the read is audited
    detail = api(coach).get(f"/api/participants/{person.pk}/").json()
    assert detail["disability"] == "yes"
    assert AuditEvent.objects.filter(
        action="participant.viewed", target_id=str(person.pk), actor_id=coach.pk
    ).exists()


def test_a_pathway_list_is_one_audit_event_naming_its_participants(person, coordinator):
    before = AuditEvent.objects.count()
    api(coordinator).get("/api/events/")
    event = AuditEvent.objects.order_by("sequence").last()
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "participant.listed_api"
    assert event.details["participants"] == [str(person.pk)]


def test_lists_filter_by_participant(person, coach, org_a, unit_a1):
    services.participant_register(
        actor=coach, organisation=org_a, unit=unit_a1, participant_ref="OTHER"
    )
    response = api(coach).get("/api/enrolments/", {"participant": str(person.pk)})
    assert [r["participant"] for r in response.json()["results"]] == [str(person.pk)]


# --- writes ---------------------------------------------------------------------------------


def test_coach_registers_a_participant_in_their_unit(coach, unit_a1):
    # when
    response = api(coach).post(
        "/api/participants/",
        {
            **NEW,
            "unit": str(unit_a1.pk),
            "participant_ref": "NEW-1",
            "personal_id": "19900161-0014",
            "given_name": "Nils",
            "gender": "man",
            "municipality": "2480",
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["personal_id_masked"] == "19900161-****"
    assert body["known_elsewhere"] == []
    created = Participant.objects.get(participant_ref="NEW-1")
    assert created.organisation_id == unit_a1.organisation_id
    assert created.birth_date == date(1990, 1, 1)
    assert AuditEvent.objects.filter(action="participant.created", target_id=str(created.pk))


def test_bad_identity_number_gives_a_field_error_without_echoing_it(coach, unit_a1):
    response = api(coach).post(
        "/api/participants/",
        {
            **NEW,
            "unit": str(unit_a1.pk),
            "participant_ref": "NEW-1",
            "personal_id": "19900101-0018",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "personal_id" in response.json()
    assert "0018" not in response.content.decode()
    assert not Participant.objects.exists()


def test_special_categories_without_basis_are_refused(coach, unit_a1):
    response = api(coach).post(
        "/api/participants/",
        {**NEW, "unit": str(unit_a1.pk), "participant_ref": "NEW-1", "minority": "yes"},
        format="json",
    )
    assert response.status_code == 400
    assert "minority" in response.json()


def test_registering_in_a_unit_outside_the_callers_reach_is_refused(
    coach, unit_a2, unit_b1, coordinator
):
    for unit in (unit_a2, unit_b1):
        response = api(coach).post(
            "/api/participants/",
            {**NEW, "unit": str(unit.pk), "participant_ref": "X"},
            format="json",
        )
        assert response.status_code == 400 and "unit" in response.json()
    # a coordinator may use any unit of their organisation, not another's
    ok = api(coordinator).post(
        "/api/participants/",
        {**NEW, "unit": str(unit_a2.pk), "participant_ref": "X"},
        format="json",
    )
    assert ok.status_code == 201
    refused = api(coordinator).post(
        "/api/participants/",
        {**NEW, "unit": str(unit_b1.pk), "participant_ref": "Y"},
        format="json",
    )
    assert refused.status_code == 400


def test_writes_need_the_change_permission(analyst, no_role_user, unit_a1, person):
    for user in (None, no_role_user, analyst):
        client = api(user)
        created = client.post(
            "/api/participants/",
            {**NEW, "unit": str(unit_a1.pk), "participant_ref": "NEW"},
            format="json",
        )
        changed = client.patch(
            f"/api/participants/{person.pk}/", {"given_name": "X"}, format="json"
        )
        assert created.status_code in (401, 403)
        assert changed.status_code in (401, 403)
    person.refresh_from_db()
    assert person.given_name == GIVEN


def test_update_goes_through_the_service_and_is_scoped(
    person, coordinator, other_unit_coach, other_org_coordinator
):
    # outsiders get 404
    for outsider in (other_unit_coach, other_org_coordinator):
        response = api(outsider).patch(
            f"/api/participants/{person.pk}/", {"phone": "1"}, format="json"
        )
        assert response.status_code == 404
    # the coordinator changes the phone number; the change is audited by field name
    response = api(coordinator).patch(
        f"/api/participants/{person.pk}/", {"phone": "070-000"}, format="json"
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.phone == "070-000"
    event = AuditEvent.objects.filter(action="participant.changed").last()
    assert event.details == {"fields": ["phone"]}
    # and bad input is a field error
    bad = api(coordinator).patch(
        f"/api/participants/{person.pk}/", {"special_category_basis": ""}, format="json"
    )
    assert bad.status_code == 400 and "disability" in bad.json()
    out_of_range = api(coordinator).patch(
        f"/api/participants/{person.pk}/", {"isced": 12}, format="json"
    )
    assert out_of_range.status_code == 400 and "isced" in out_of_range.json()


# --- analysts -------------------------------------------------------------------------------

PSEUDO = "/api/pseudonymised/participants/"


def test_pseudonymised_role_matrix(person, coach, coordinator, analyst, no_role_user, org_b):
    assert api().get(PSEUDO).status_code in (401, 403)
    assert api(no_role_user).get(PSEUDO).status_code == 403
    assert api(coach).get(PSEUDO).status_code == 403
    assert api(coordinator).get(PSEUDO).status_code == 403
    response = api(analyst).get(PSEUDO)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    # an analyst of another organisation sees none of A's records
    other_analyst = make_user("analyst-b", org_b, Role.ANALYST)
    assert api(other_analyst).get(PSEUDO).json()["results"] == []
    # and there is no detail address that would carry the record id
    assert api(analyst).get(f"{PSEUDO}{person.pk}/").status_code == 404


def test_pseudonymised_record_has_birth_year_and_a_key_that_is_not_the_pseudonym(person, analyst):
    (row,) = api(analyst).get(PSEUDO).json()["results"]
    assert row["birth_year"] == 1990
    assert "birth_date" not in row
    assert row["key"] != person.pseudonym and row["key"] not in person.pseudonym
    assert row["enrolments"][0]["entry_date"] == "2025-01-10"
    assert len(row["enrolments"][0]["assessments"][0]["scores"]) == 9
    # stable while paging the same day, different for another analyst
    assert api(analyst).get(PSEUDO).json()["results"][0]["key"] == row["key"]
    second = make_user("analyst-a2", person.organisation, Role.ANALYST)
    assert api(second).get(PSEUDO).json()["results"][0]["key"] != row["key"]


def test_no_analyst_response_anywhere_holds_a_name_identity_number_or_reference(person, analyst):
    # given every endpoint an analyst could call
    urls = ["/api/", PSEUDO, *[f"/api/{e}/" for e in ENDPOINTS], *_detail_urls(person).values()]
    forbidden = [
        GIVEN,
        FAMILY,
        "199001010017",
        "19900101",
        "900101",
        REF,
        person.pseudonym,
        str(person.pk),
        "ingegerd@example.org",
        "bakery",
        "Meeting with",
    ]
    # when / then: nothing identifying in any raw response body
    for url in urls:
        body = api(analyst).get(url).content.decode()
        for value in forbidden:
            assert value not in body, (url, value)


def test_the_api_searches_by_name_through_a_token_never_in_the_address(coach, person):
    api = APIClient()
    api.force_authenticate(coach)
    # given a search posted with the name in the body
    created = api.post("/api/participants/search/", {"q": FAMILY}, format="json")
    assert created.status_code == 201
    token = created.json()["search"]
    assert FAMILY not in created["Location"] and token in created["Location"]
    # when the list is read with the token, page by page
    listed = api.get("/api/participants/", {"search": token, "page": 1})
    # then it holds the match, and the next page's address carries the token, not the name
    assert listed.status_code == 200
    assert [row["participant_ref"] for row in listed.json()["results"]] == [REF]
    assert api.post("/api/participants/search/", {"q": "nobody"}, format="json").status_code == 201


def test_the_api_refuses_a_name_in_the_address_and_a_strangers_token(coach, person, org_a):
    api = APIClient()
    api.force_authenticate(coach)
    refused = api.get("/api/participants/", {"q": FAMILY})
    assert refused.status_code == 400
    assert "q" in refused.json()
    token = api.post("/api/participants/search/", {"q": FAMILY}, format="json").json()["search"]
    colleague = make_user("coach-a-colleague", org_a, Role.COACH, person.unit)
    other = APIClient()
    other.force_authenticate(colleague)
    stale = other.get("/api/participants/", {"search": token})
    assert stale.status_code == 400
    assert "search" in stale.json()
    assert FAMILY not in stale.content.decode()


def test_the_api_search_validates_its_terms(coach, person):
    api = APIClient()
    api.force_authenticate(coach)
    response = api.post("/api/participants/search/", {"phase": "nonsense"}, format="json")
    assert response.status_code == 400
    assert "phase" in response.json()


def test_the_api_registers_with_the_legal_basis_and_the_enrolment(coach, unit_a1):
    # when a participant is created through the API under the ESF+ reporting duty
    body = {
        **NEW,
        "unit": str(unit_a1.pk),
        "participant_ref": "NEW-B",
        "consent": {
            "legal_basis": "legal_obligation",
            "purposes": ["case_work", "statistics"],
            "information_version": "2026-1",
            "given_on": "2025-01-10",
        },
    }
    response = api(coach).post("/api/participants/", body, format="json")
    # then the basis and the enrolment are recorded as the registration page records them
    assert response.status_code == 201, response.content
    created = Participant.objects.get(participant_ref="NEW-B")
    consent = created.consents.get()
    assert (consent.legal_basis, consent.case_work, consent.statistics) == (
        "legal_obligation",
        True,
        True,
    )
    assert str(consent.pk) == response.json()["consent"]
    assert str(created.enrolments.get().pk) == response.json()["enrolment"]
    assert created.enrolments.get().entry_date == date(2025, 1, 10)
    actions = set(
        AuditEvent.objects.filter(target_id=str(created.pk)).values_list("action", flat=True)
    )
    assert {"participant.created", "consent.recorded", "enrolment.started"} <= actions


@pytest.mark.parametrize(
    ("consent", "field"),
    [
        (None, "consent"),
        (
            {"purposes": ["statistics"], "information_version": "1", "given_on": "2025-01-10"},
            "purposes",
        ),
        (
            {
                "legal_basis": "public_task",
                "purposes": ["case_work", "sharing"],
                "information_version": "1",
                "given_on": "2025-01-10",
            },
            "legal_basis",
        ),
        (
            {
                "legal_basis": "article-99",
                "purposes": ["case_work"],
                "information_version": "1",
                "given_on": "2025-01-10",
            },
            "consent",
        ),
    ],
)
def test_the_api_refuses_a_registration_without_a_valid_basis(coach, unit_a1, consent, field):
    body = {**NEW, "unit": str(unit_a1.pk), "participant_ref": "NEW-C", "consent": consent}
    if consent is None:
        del body["consent"]
    response = api(coach).post("/api/participants/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Participant.objects.filter(participant_ref="NEW-C").exists()


def test_analysts_get_only_participants_whose_basis_covers_statistics(
    person, coach, analyst, unit_a1
):
    # given one participant under the ESF+ reporting duty with statistics, and one whose
    # consent leaves statistics out
    def enrol(ref, legal_basis, purposes):
        return services.participant_enrol(
            actor=coach,
            unit=unit_a1,
            participant_ref=ref,
            entry_date=date(2025, 1, 10),
            consent=services.ConsentTerms(
                information_version="1",
                given_on=date(2025, 1, 10),
                legal_basis=legal_basis,
                purposes=frozenset(purposes),
            ),
        ).participant

    enrol("DUTY", "legal_obligation", {"case_work", "statistics"})
    enrol("NO-STATS", "consent", {"case_work"})
    # when the analyst reads the pseudonymised data
    rows = api(analyst).get(PSEUDO).json()["results"]
    # then the one without statistics is left out
    assert len(rows) == 2
    # and a newer consent without statistics takes the person out as well
    services.consent_record(
        actor=coach,
        participant=person,
        information_version="2",
        given_on=date(2025, 6, 1),
        case_work=True,
    )
    assert len(api(analyst).get(PSEUDO).json()["results"]) == 1


def test_participant_list_writes_what_the_list_serializer_writes(person, coach, org_a, unit_a1):
    # given a participant with every listed field filled, one with them empty, and the first
    filled = services.participant_register(
        actor=coach,
        organisation=org_a,
        unit=unit_a1,
        participant_ref="REF-FULL",
        personal_id=personnummer(date(1985, 12, 31), 7),
        given_name="Åsa",
        family_name='Ö"ster',
        phone="070-000 00 00",
        email="asa@example.org",
        address="Storgatan 1\n123 45 By",
        birth_date=date(1985, 12, 31),
        gender="man",
        municipality=unit_a1.municipality,
        lm_status_entry="inactive",
        unemployed_months=14,
        isced=5,
        citizenship="FI",
        born_abroad=True,
        parents_born_abroad=2,
        homeless=False,
        rural_override=True,
    ).participant
    empty = services.participant_register(
        actor=coach, organisation=org_a, unit=unit_a1, participant_ref="REF-EMPTY"
    ).participant
    # when
    response = api(coach).get("/api/participants/")
    # then the rows are byte for byte what DRF's serializer renders for the same participants
    rows = response.json()["results"]
    by_id = {p.pk: p for p in Participant.objects.filter(pk__in=[filled.pk, empty.pk, person.pk])}
    assert sorted(row["id"] for row in rows) == sorted(str(pk) for pk in by_id)
    shown = [by_id[UUID(row["id"])] for row in rows]
    expected = JSONRenderer().render(serializers.ParticipantListSerializer(shown, many=True).data)
    assert b'"results":' + expected in response.content
    assert [list(row) for row in rows] == [list(serializers.ParticipantListSerializer().fields)] * 3
    assert rows[[row["id"] for row in rows].index(str(empty.pk))]["birth_date"] is None
