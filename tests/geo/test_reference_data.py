"""Loading the counties and municipalities, and the rural / sparsely populated flags."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from emplus.geo.models import County, Municipality
from emplus.geo.services import reference_data_load


def _snapshot():
    return (
        list(County.objects.order_by("code").values()),
        list(Municipality.objects.order_by("code").values()),
    )


@pytest.mark.django_db
def test_load_gives_21_counties_and_290_municipalities_with_the_2024_population():
    # when
    report = reference_data_load()
    # then
    assert (report.counties, report.municipalities) == (21, 290)
    assert Municipality.objects.aggregate(s=Sum("population_2024"))["s"] == 10_587_710
    assert County.objects.aggregate(s=Sum("population_2024"))["s"] == 10_587_710
    assert Municipality.objects.get(code="0180").name == "Stockholm"
    assert Municipality.objects.get(code="0331").county_id == "03"  # Heby moved in 2007


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    # given
    reference_data_load()
    before = _snapshot()
    # when
    again = reference_data_load()
    # then
    assert (again.created, again.updated) == (0, 0)
    assert _snapshot() == before


@pytest.mark.django_db
def test_loading_repairs_a_changed_row():
    # given
    reference_data_load()
    Municipality.objects.filter(code="2521").update(population_2024=1)
    # when
    report = reference_data_load()
    # then
    assert report.updated == 1
    assert Municipality.objects.get(code="2521").population_2024 > 1


@pytest.mark.django_db
def test_rural_is_skr_groups_c8_and_c9():
    reference_data_load()
    rural = Municipality.objects.rural()
    assert rural.count() == 56
    assert set(rural.values_list("skr_group_2023", flat=True)) == {"C8", "C9"}
    assert Municipality.objects.get(code="2521").is_rural  # Pajala, C8
    assert not Municipality.objects.get(code="0180").is_rural


@pytest.mark.django_db
def test_sparsely_populated_follows_the_density_threshold(settings):
    reference_data_load()
    sparse = set(Municipality.objects.sparsely_populated().values_list("code", flat=True))
    every = {m.code: m for m in Municipality.objects.all()}
    assert sparse == {c for c, m in every.items() if m.population_2024 / m.area_km2 <= 8}
    assert "2521" in sparse and "0180" not in sparse
    # the threshold is a setting
    settings.EMPLUS_SPARSE_DENSITY_MAX = 1.0
    assert Municipality.objects.sparsely_populated().count() < len(sparse)
    assert not Municipality.objects.get(code="2580").is_sparsely_populated
