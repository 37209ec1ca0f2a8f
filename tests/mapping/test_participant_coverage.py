"""Participants per 10 000 inhabitants on the coverage map: personal data in aggregate, so
counts are suppressed (threshold 5) unless every counted participant is the viewer's own
organisation's, and the map and the table show the same (suppressed) numbers."""

from __future__ import annotations

import pytest

from emplus.mapping import selectors
from emplus.mapping.views import rate_label
from emplus.pathways.models import Participant

pytestmark = pytest.mark.django_db


def _participants(unit, municipality, n, prefix):
    for i in range(n):
        Participant.objects.create(
            organisation=unit.organisation,
            unit=unit,
            participant_ref=f"{prefix}{i}",
            municipality_id=municipality,
        )


@pytest.fixture
def spread(unit_a1, unit_b1):
    # Umeå (2480): 7 of A; Skellefteå (2482): 2 of B; Pajala (2521): 6 of B.
    _participants(unit_a1, "2480", 7, "A-UME-")
    _participants(unit_b1, "2482", 2, "B-SKE-")
    _participants(unit_b1, "2521", 6, "B-PAJ-")


def test_participants_across_organisations_are_suppressed_below_five(coordinator, spread):
    # when
    result = selectors.participant_coverage(viewer=coordinator)
    rows = {r.code: r for r in result.municipalities}
    counties = {r.code: r for r in result.counties}
    # then: 2 in Skellefteå is hidden, and so is another cell of Västerbotten that would
    # reveal it from the county total (or the county total itself)
    assert result.suppressed_below == 5
    assert rows["2482"].activities is None and rows["2482"].per_10k is None
    assert rows["2480"].activities is None or counties["24"].activities is None
    assert rows["2521"].activities == 6  # Norrbotten: nothing small
    assert rows["0180"].activities == 0  # zero identifies nobody
    assert rows["2521"].per_10k == round(6 * 10_000 / rows["2521"].population, 2)


def test_own_organisation_is_shown_in_full_to_its_coordinator(coordinator, org_b, unit_a1):
    # given 2 participants of the coordinator's own organisation A in Umeå
    _participants(unit_a1, "2480", 2, "A-")
    # when filtered to their organisation, and when filtered to another
    own = selectors.participant_coverage(
        viewer=coordinator, filters=selectors.ActivityFilters(organisation="ORGA")
    )
    other = selectors.participant_coverage(
        viewer=coordinator, filters=selectors.ActivityFilters(organisation=org_b.code)
    )
    # then
    assert own.suppressed_below is None
    assert next(r for r in own.municipalities if r.code == "2480").activities == 2
    assert other.suppressed_below == 5


def test_a_coach_gets_aggregates_of_their_own_organisation_suppressed(coach, unit_a1):
    # given 2 participants of the coach's organisation (a coach sees only their unit's records)
    _participants(unit_a1, "2480", 2, "A-")
    # when
    result = selectors.participant_coverage(
        viewer=coach, filters=selectors.ActivityFilters(organisation="ORGA")
    )
    # then
    assert next(r for r in result.municipalities if r.code == "2480").activities is None


@pytest.mark.parametrize("level", ["", "county"])
def test_map_and_table_show_the_same_suppressed_numbers(client, analyst, spread, level):
    # given
    client.force_login(analyst)
    # when
    response = client.get("/mapping/", {"measure": "participants", "level": level})
    html = response.content.decode()
    # then: every table row has a map area with the same (possibly hidden) number
    areas = {a.code: a for a in response.context["map"].areas}
    rows = response.context["rows"]
    assert len(areas) == len(rows)
    for r in rows:
        shown = "–" if r.per_10k is None else rate_label(r.per_10k)
        assert areas[r.code].label == f"{r.name}: {shown}"
        assert f"<title>{r.name}: {shown}</title>" in html
    if not level:
        assert any(r.per_10k is None for r in rows)
    assert "B-SKE-" not in html and "A-UME-" not in html


def test_county_view_cannot_reveal_a_municipality_hidden_in_the_municipal_view(analyst, spread):
    # given the one suppressed table behind both views
    result = selectors.participant_coverage(viewer=analyst)
    rows = {r.code: r.activities for r in result.municipalities}
    counties = {r.code: r.activities for r in result.counties}
    # when Västerbotten's municipalities and county are combined
    hidden = [code for code, v in rows.items() if code.startswith("24") and v is None]
    # then: at least two of its cells are hidden, or the county total is hidden
    assert len(hidden) >= 2 or counties["24"] is None


def test_participant_measure_reports_bad_input_instead_of_ignoring_it(client, coordinator, spread):
    client.force_login(coordinator)
    response = client.get(
        "/mapping/", {"measure": "participants", "organisation": "NOPE", "sort": "-rate"}
    )
    # the page still answers, names the filter it could not use and leaves it out
    assert response.status_code == 200
    assert set(response.context["filterset"].errors) == {"organisation"}
    assert 'role="alert"' in response.content.decode()
    assert response.context["filters"].organisation == ""
