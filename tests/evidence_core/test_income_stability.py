"""Income stability: every measure against a hand computation, the window, the parameters."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emplus.evidence_core.income_stability import (
    Month,
    StabilityParameters,
    income_stability,
    last_complete_month,
    stability_parameters,
    stability_summary,
)

PARAMS = StabilityParameters(
    version=99,
    threshold=10_000,
    window_months=12,
    stable_min_months_above=9,
    valid_from="2025-01-01",
    status="test",
    threshold_reasoning="test",
)

# Twelve months, March 2024 to February 2025 (oldest first), as the hand computation below.
HAND = [0, 4000, 12000, 12000, 0, 10000, 11000, 9000, 15000, 15000, 12000, 10000]


MARCH_2024 = Month(2024, 3)


def _records(values, first=MARCH_2024):
    return [(first.plus(i), v) for i, v in enumerate(values)]


def test_measures_equal_the_hand_computation():
    # given twelve monthly totals
    result = income_stability(_records(HAND), last_month=Month(2025, 2), parameters=PARAMS)
    # then: 10 months have income (two zeros)
    assert result.months_with_income == 10
    # mean = 110 000 / 12 = 9 166.67; population variance = (sum of squares / 12) - mean²
    #   sum of squares = 4000² + 3*12000² + 2*10000² + 11000² + 9000² + 2*15000²
    #                  = 16e6 + 432e6 + 200e6 + 121e6 + 81e6 + 450e6 = 1 300e6
    #   variance = 1 300e6 / 12 - 9 166.67² = 108 333 333.3 - 84 027 777.8 = 24 305 555.6
    #   sd = 4 930.066; cv = 4 930.066 / 9 166.667 = 0.537825
    assert result.mean == pytest.approx(110_000 / 12)
    assert result.coefficient_of_variation == pytest.approx(0.537825, abs=1e-6)
    # at or above 10 000: months 3, 4, 6, 7, 9, 10, 11, 12 -> 8 of 12
    assert result.months_above == 8
    assert result.share_above == pytest.approx(8 / 12)
    # runs: [3,4] = 2, [6,7] = 2, [9..12] = 4
    assert result.longest_run_above == 4
    # 8 months above is fewer than the 9 that make a stable income
    assert result.is_stable is False


def test_several_sources_in_one_month_are_added_and_the_window_is_respected():
    # given two sources in one month, and records outside the window
    records = [
        ("2025-01", 6000),  # gig assignment
        ("2025-01", 5000),  # study allowance: together 11 000, above 10 000
        ("2024-02", 50_000),  # one month before the window: ignored
        ("2025-03", 50_000),  # after the window: ignored
    ]
    result = income_stability(records, last_month=Month(2025, 2), parameters=PARAMS)
    assert result.first_month == Month(2024, 3)
    assert result.monthly[10] == 11_000
    assert sum(result.monthly) == 11_000
    assert result.months_with_income == 1
    assert result.longest_run_above == 1


def test_no_income_gives_no_coefficient_of_variation():
    result = income_stability([], last_month=Month(2025, 2), parameters=PARAMS)
    assert result.months_with_income == 0
    assert result.coefficient_of_variation is None
    assert result.share_above == 0
    assert result.longest_run_above == 0


def test_a_steady_income_has_zero_variation_and_is_stable():
    result = income_stability(_records([12_000] * 12), last_month=Month(2025, 2), parameters=PARAMS)
    assert result.coefficient_of_variation == 0
    assert result.longest_run_above == 12
    assert result.is_stable is True


def test_the_threshold_itself_counts_as_above():
    result = income_stability(_records([10_000] * 12), last_month=Month(2025, 2), parameters=PARAMS)
    assert result.months_above == 12


@pytest.mark.parametrize("amount", [-1, math.nan, math.inf])
def test_negative_or_non_finite_amounts_are_refused(amount):
    with pytest.raises(ValueError):
        income_stability([("2025-01", amount)], last_month=Month(2025, 2), parameters=PARAMS)


def test_the_window_ends_with_the_last_complete_month():
    assert last_complete_month(date(2025, 3, 15)) == Month(2025, 2)
    assert last_complete_month(date(2025, 1, 1)) == Month(2024, 12)


@pytest.mark.parametrize("text", ["2025-13", "25-01", "2025-1", "2025/01", "2025-02-30", ""])
def test_malformed_months_are_refused(text):
    with pytest.raises(ValueError):
        Month.parse(text)


def test_a_whole_date_names_its_month():
    assert Month.parse("2025-02-01") == Month(2025, 2)
    assert str(Month(2025, 2)) == "2025-02"


def test_the_packaged_parameters_are_documented_and_versioned():
    params = stability_parameters()
    assert params.version == 1
    assert params.threshold > 0
    assert params.window_months == 12
    assert "assumption" in params.status
    assert params.threshold_reasoning


def test_summary_counts_only_people_with_income():
    steady = income_stability(_records([12_000] * 12), last_month=Month(2025, 2), parameters=PARAMS)
    uneven = income_stability(_records(HAND), last_month=Month(2025, 2), parameters=PARAMS)
    none = income_stability([], last_month=Month(2025, 2), parameters=PARAMS)
    summary = stability_summary([steady, uneven, none])
    assert summary.people == 2
    assert summary.stable == 1
    assert summary.not_stable == 1
    assert summary.mean_months_with_income == pytest.approx((12 + 10) / 2)
    assert summary.mean_share_above == pytest.approx((1 + 8 / 12) / 2)
    assert summary.median_coefficient_of_variation == pytest.approx(0.537825 / 2, abs=1e-6)
    assert stability_summary([none]).people == 0


amounts = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=12,
    max_size=12,
)


@given(amounts)
def test_invariants(values):
    result = income_stability(_records(values), last_month=Month(2025, 2), parameters=PARAMS)
    assert 0 <= result.months_with_income <= 12
    assert 0 <= result.longest_run_above <= result.months_above <= 12
    assert 0 <= result.share_above <= 1
    assert result.months_above <= result.months_with_income
    if result.coefficient_of_variation is not None:
        assert result.coefficient_of_variation >= 0


@given(amounts, st.floats(min_value=0.01, max_value=100))
def test_variation_does_not_depend_on_the_currency_unit(values, factor):
    a = income_stability(_records(values), last_month=Month(2025, 2), parameters=PARAMS)
    scaled = [v * factor for v in values]
    b = income_stability(_records(scaled), last_month=Month(2025, 2), parameters=PARAMS)
    if a.coefficient_of_variation is None or a.mean < 1e-3:
        return
    assert b.coefficient_of_variation == pytest.approx(a.coefficient_of_variation, rel=1e-6)


@given(st.integers(min_value=1900, max_value=2200), st.integers(min_value=1, max_value=12))
def test_month_arithmetic_round_trips(year, month):
    m = Month(year, month)
    assert Month.from_index(m.index) == m
    assert m.plus(12) == Month(year + 1, month)
    assert Month.parse(str(m)) == m
