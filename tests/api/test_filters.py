"""Shared FilterSets: the page and the API of a list parse their filters with the same FilterSet,
so a value one refuses the other refuses too: the API with a 400 naming the parameter, the page
with an error next to the form. Nothing invalid is dropped in silence."""

from __future__ import annotations

import pytest
from django.urls import reverse

from emplus.core.filters import StrictBooleanField
from emplus.evidence.api import IndicatorsView
from emplus.evidence.filters import IndicatorFilterSet
from emplus.mapping.api import ActivityViewSet
from emplus.mapping.filters import ActivityFilterSet
from emplus.pathways.api import ParticipantSearchSerializer, ParticipantViewSet
from emplus.pathways.filters import ParticipantFilterSet, ParticipantSearchFilterSet

pytestmark = pytest.mark.django_db

# (page, API endpoint, parameter, a value neither may accept)
CASES = [
    ("pathways:caseload", "/api/participants/", "phase", "nowhere"),
    ("pathways:caseload", "/api/participants/", "status", "asleep"),
    ("pathways:caseload", "/api/participants/", "followup_due", "maybe"),
    ("mapping:activity_list", "/api/activities/", "arena", "moon"),
    ("mapping:activity_list", "/api/activities/", "county", "99"),
    ("mapping:activity_list", "/api/activities/", "organisation", "NOPE"),
    ("mapping:coverage", "/api/activities/coverage/", "target_group", "everyone"),
    ("mapping:white_spots", "/api/activities/white-spots/", "max_rate", "lots"),
    ("evidence:indicators", "/api/indicators/", "method", "NO-SUCH-METHOD"),
    ("evidence:indicators", "/api/indicators/", "unit", "not-a-uuid"),
    ("evidence:progression", "/api/indicators/", "entry_from", "2025-13-01"),
    ("evidence:effects", "/api/effect-estimates/", "status", "sleeping"),
    ("methods:list", "/api/methods/", "phase", "sleep"),
    ("methods:list", "/api/methods/", "evidence_level", "9"),
    ("geo:municipality_list", "/api/municipalities/", "county", "99"),
    ("geo:municipality_list", "/api/municipalities/", "rural", "maybe"),
]


@pytest.mark.parametrize(("page", "endpoint", "name", "value"), CASES)
def test_page_and_api_refuse_the_same_invalid_filter(
    client, coordinator, page, endpoint, name, value
):
    client.force_login(coordinator)
    # when the API is asked with the bad value
    response = client.get(endpoint, {name: value})
    # then it answers 400 naming the parameter
    assert response.status_code == 400, response.content
    assert name in response.json()
    # and the page says so next to its form instead of ignoring it
    page_response = client.get(reverse(page), {name: value})
    assert page_response.status_code == 200
    filterset = (
        page_response.context.get("estimate_filterset") or page_response.context["filterset"]
    )
    assert name in filterset.errors
    assert "Some filters were not understood" in page_response.content.decode() or (
        "tolkades inte" in page_response.content.decode()
    )


def test_a_yes_no_filter_taken_from_a_model_field_is_strict(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/api/organisations/", {"is_partner": "true"}).status_code == 200
    response = client.get("/api/organisations/", {"is_partner": "maybe"})
    assert response.status_code == 400 and "is_partner" in response.json()


@pytest.mark.parametrize(
    ("endpoint", "params"),
    [
        ("/api/participants/", {"phase": "prepare", "status": "active", "followup_due": "true"}),
        ("/api/activities/", {"arena": "working_life", "county": "24", "q": "språk"}),
        ("/api/activities/white-spots/", {"max_rate": "1,5"}),
        ("/api/indicators/", {"entry_from": "2025-01-01", "entry_to": "2025-12-31"}),
    ],
)
def test_valid_filters_are_accepted(client, coordinator, endpoint, params):
    client.force_login(coordinator)
    assert client.get(endpoint, params).status_code == 200


def test_the_api_and_the_pages_declare_the_same_filtersets():
    assert ParticipantViewSet.filterset_class is ParticipantFilterSet
    assert ActivityViewSet.filterset_class is ActivityFilterSet
    assert IndicatorsView.filterset_class is IndicatorFilterSet
    # The body of a posted search is documented by a serializer and parsed by the FilterSet.
    assert set(ParticipantSearchSerializer().fields) == set(ParticipantSearchFilterSet.base_filters)


def test_a_posted_search_with_a_bad_value_is_refused_and_stores_nothing(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/api/participants/search/",
        {"q": "Anna", "status": "asleep"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "status" in response.json()
    # the page does not redirect to a stored search either; it shows the error
    page = client.post(reverse("pathways:caseload"), {"q": "Anna", "status": "asleep"})
    assert page.status_code == 200
    assert "status" in page.context["filterset"].errors


def test_the_period_must_not_end_before_it_starts(client, coordinator):
    client.force_login(coordinator)
    response = client.get(
        "/api/indicators/", {"entry_from": "2025-06-01", "entry_to": "2025-01-01"}
    )
    assert response.status_code == 400 and "entry_to" in response.json()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", None), ("1", True), ("true", True), ("Ja", True), ("0", False), ("no", False)],
)
def test_strict_boolean_reads_yes_and_no(raw, expected):
    assert StrictBooleanField(required=False).clean(raw) is expected


def test_strict_boolean_refuses_anything_else():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        StrictBooleanField(required=False).clean("maybe")
