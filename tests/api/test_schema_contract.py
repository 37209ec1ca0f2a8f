"""The roots of what the API fuzzing found (issue 8, item 11), each pinned by a fast test:
a malformed id is a JSON 404 (never a 500), blank enumerations are declared, months are not
dates, and every operation declares its error statuses."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return yaml.safe_load(client.get("/api/schema/").content)


@pytest.mark.parametrize("method", ["get", "put", "patch"])
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "0.5", "%23%20x", "1" * 80])
def test_a_malformed_participant_id_is_a_json_404(client, coordinator, method, bad_id):
    client.force_login(coordinator)
    response = getattr(client, method)(
        f"/api/participants/{bad_id}/", data={}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_every_viewset_checks_its_key_before_any_query(client, coordinator):
    client.force_login(coordinator)
    for address in [
        "/api/enrolments/x/",
        "/api/units/x.y/",
        "/api/esf-projects/nope/",
        "/api/municipalities/" + "9" * 20 + "/",
    ]:
        response = client.get(address)
        assert response.status_code == 404, address
        assert response.json() == {"detail": response.json()["detail"]}


def test_an_address_no_route_matches_answers_json_under_api_and_a_page_elsewhere(client, coach):
    client.force_login(coach)
    api = client.get("/api/no/such/thing/")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_search_body_that_is_not_an_object_is_a_400(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/api/participants/search/", data="[null, null]", content_type="application/json"
    )
    assert response.status_code == 400 and "non_field_errors" in response.json()


def _accepts_blank(prop: dict, schema: dict) -> bool:
    options = prop.get("oneOf") or prop.get("anyOf") or [prop]
    for option in options:
        target = option
        if "$ref" in option:
            target = schema["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
        if "" in target.get("enum", []):
            return True
    return False


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("ParticipantList", "gender"),
        ("ParticipantList", "lm_status_entry"),
        ("ParticipantDetail", "disability"),
        ("Enrolment", "exit_reason"),
        ("PseudonymisedEnrolment", "exit_reason"),
    ],
)
def test_an_enumeration_that_may_be_empty_says_so(schema, component, field):
    prop = schema["components"]["schemas"][component]["properties"][field]
    assert _accepts_blank(prop, schema), prop


def test_months_are_written_as_months_not_dates(schema):
    for component in ("MonthlyTime", "TimeAttestation", "SelfServiceLink"):
        month = schema["components"]["schemas"][component]["properties"]["month"]
        assert month.get("format") != "date" and month["pattern"].startswith("^\\d{4}-")


def test_every_operation_declares_its_error_statuses(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            declared = set(operation["responses"])
            assert {"400", "403", "404", "429"} <= declared, (method, path)
