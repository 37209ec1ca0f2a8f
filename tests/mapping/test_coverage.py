"""Coverage of municipalities: the map and the table show the same numbers; the white-spot
list is exactly the rural or sparsely populated municipalities without coverage."""

from __future__ import annotations

import csv
import io
import random

import pytest

from emplus.demo import mapping as mapping_demo
from emplus.demo import methods as methods_demo
from emplus.demo import organisations as organisations_demo
from emplus.demo import testbeds as testbeds_demo
from emplus.geo.models import Municipality
from emplus.mapping import selectors
from emplus.mapping.models import Activity
from emplus.mapping.views import rate_label
from tests.mapping.factories import make_activity, make_area

pytestmark = pytest.mark.django_db


def test_coverage_counts_activities_per_10000_inhabitants(coordinator, org_a, org_b):
    # given two activities serving Pajala and one serving Umeå, in different arenas
    make_activity(org_a, ["2521"], arena="working_life")
    make_activity(org_b, ["2521", "2480"], arena="education_training")
    # when
    rows = {r.code: r for r in selectors.municipality_coverage(viewer=coordinator)}
    working = {
        r.code: r
        for r in selectors.municipality_coverage(
            viewer=coordinator, filters=selectors.ActivityFilters(arena="working_life")
        )
    }
    # then
    pajala = Municipality.objects.get(code="2521")
    assert len(rows) == 290
    assert rows["2521"].activities == 2
    assert rows["2521"].per_10k == round(2 * 10_000 / pajala.population_2024, 2)
    assert rows["2480"].activities == 1
    assert rows["0180"].activities == 0
    assert working["2521"].activities == 1
    assert working["2480"].activities == 0


def test_filters_by_phase_target_group_organisation_and_thematic_area(coordinator, org_a, org_b):
    # given
    area = make_area()
    make_activity(org_a, ["2521"], phases=["mobilise"], target_groups=["older"])
    make_activity(
        org_b, ["2521"], phases=["train"], target_groups=["young_neet"], thematic_areas=[area]
    )

    def count(**filters):
        rows = selectors.municipality_coverage(
            viewer=coordinator, filters=selectors.ActivityFilters(**filters)
        )
        return next(r.activities for r in rows if r.code == "2521")

    # when / then
    assert count() == 2
    assert count(phase="mobilise") == 1
    assert count(phase="support") == 0
    assert count(target_group="young_neet") == 1
    assert count(organisation="ORGA") == 1
    assert count(thematic_area="SPARSE") == 1


def test_county_view_lists_only_the_countys_municipalities(client, coordinator, org_a):
    # given
    make_activity(org_a, ["2521"])
    client.force_login(coordinator)
    # when
    response = client.get("/mapping/", {"county": "25"})
    # then
    codes = {r.code for r in response.context["rows"]}
    assert codes == set(Municipality.objects.filter(county_id="25").values_list("code", flat=True))
    assert "Norrbottens län" in response.content.decode()


def test_map_and_table_show_the_same_numbers(client, coordinator, org_a, org_b):
    # given
    make_activity(org_a, ["2521", "2480"])
    make_activity(org_b, ["1280"], arena="workplace_learning")
    client.force_login(coordinator)
    for params in ({}, {"arena": "working_life"}, {"level": "county"}, {"county": "25"}):
        # when
        response = client.get("/mapping/", params)
        # then: one map area per table row, each labelled with the row's number
        rows = response.context["rows"]
        areas = {a.code: a for a in response.context["map"].areas}
        assert set(areas) == {r.code for r in rows}, params
        html = response.content.decode()
        for r in rows:
            assert areas[r.code].label == f"{r.name}: {rate_label(r.per_10k)}"
            assert f"<title>{r.name}: {rate_label(r.per_10k)}</title>" in html
            assert (areas[r.code].fill == "#ffffcc") == (r.per_10k == 0)


def test_table_sorts_by_rate_descending(client, coordinator, org_a):
    # given
    make_activity(org_a, ["2521"])
    make_activity(org_a, ["2480"])
    client.force_login(coordinator)
    # when
    rows = client.get("/mapping/", {"sort": "-rate"}).context["rows"]
    # then
    rates = [r.per_10k for r in rows]
    assert rates == sorted(rates, reverse=True)
    assert rows[0].code == "2521"  # Pajala: one activity for few inhabitants


def test_white_spots_are_rural_or_sparse_municipalities_without_coverage(coordinator, org_a):
    # given Pajala (rural, sparse) covered in working life only
    make_activity(org_a, ["2521"], arena="working_life")
    rural_or_sparse = set(Municipality.objects.rural_or_sparse().values_list("code", flat=True))
    # when
    working = selectors.white_spots(viewer=coordinator, arena="working_life")
    education = selectors.white_spots(viewer=coordinator, arena="education_training")
    # then
    assert {r.code for r in working} == rural_or_sparse - {"2521"}
    assert {r.code for r in education} == rural_or_sparse
    populations = [r.population for r in working]
    assert populations == sorted(populations, reverse=True)


def test_white_spots_with_a_threshold_include_thinly_covered_municipalities(coordinator, org_a):
    # given
    make_activity(org_a, ["2521"])
    rate = next(
        r.per_10k for r in selectors.municipality_coverage(viewer=coordinator) if r.code == "2521"
    )
    # when
    strict = selectors.white_spots(viewer=coordinator, max_per_10k=0)
    lenient = selectors.white_spots(viewer=coordinator, max_per_10k=rate)
    # then
    assert "2521" not in {r.code for r in strict}
    assert "2521" in {r.code for r in lenient}


def test_white_spots_in_the_demo_data_equal_uncovered_rural_or_sparse_municipalities(
    coordinator,
):
    # given the demo partnership and its activities
    organisations_demo.create(random.Random(2026))  # noqa: S311 - demo data
    rng = random.Random(2028)  # noqa: S311 - demo data
    methods_demo.create(rng)
    testbeds_demo.create(rng)
    mapping_demo.create(rng)
    rural_or_sparse = set(Municipality.objects.rural_or_sparse().values_list("code", flat=True))
    for arena in ("", "education_training", "working_life", "workplace_learning"):
        activities = Activity.objects.all()
        if arena:
            activities = activities.filter(arena=arena)
        covered = set(activities.values_list("municipalities", flat=True))
        # when
        spots = selectors.white_spots(viewer=coordinator, arena=arena)
        # then
        assert {r.code for r in spots} == rural_or_sparse - covered
        assert 0 < len(spots) < len(rural_or_sparse)  # thin, not empty, in the countryside
    assert Activity.objects.count() >= 300


def test_white_spot_list_downloads_as_csv(client, coordinator, org_a):
    # given
    make_activity(org_a, ["2521"])
    client.force_login(coordinator)
    # when
    response = client.get("/mapping/white-spots/", {"arena": "working_life", "format": "csv"})
    # then
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    expected = [r.code for r in selectors.white_spots(viewer=coordinator, arena="working_life")]
    assert [r["municipality_code"] for r in rows] == expected
    assert "2521" not in expected


def test_white_spots_ignore_bad_input(client, coordinator):
    # given
    client.force_login(coordinator)
    # when
    response = client.get("/mapping/white-spots/", {"arena": "nonsense", "max_rate": "abc"})
    # then
    assert response.status_code == 200
    assert response.context["arena"] == ""
    assert response.context["max_rate"] == 0.0
