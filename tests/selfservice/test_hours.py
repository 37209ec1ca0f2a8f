"""Hours per month from pathway steps: spread over the step's days, exact in total."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from emplus.selfservice.hours import StepHours, hours_by_month, month_end, months_between


def test_a_step_over_two_months_is_split_by_its_days():
    # given a step of 21 days, 12 in March and 9 in April, with 21 hours
    step = StepHours(date(2025, 3, 20), date(2025, 4, 9), Decimal("21"))
    # then March gets 12 and April 9
    assert hours_by_month([step]) == {
        date(2025, 3, 1): Decimal("12.0"),
        date(2025, 4, 1): Decimal("9.0"),
    }


def test_a_step_without_an_end_counts_in_its_first_month():
    step = StepHours(date(2025, 4, 2), None, Decimal("10"))
    assert hours_by_month([step]) == {date(2025, 4, 1): Decimal("10.0")}


def test_steps_add_up_and_steps_without_hours_count_nothing():
    steps = [
        StepHours(date(2025, 3, 1), date(2025, 3, 31), Decimal("31")),
        StepHours(date(2025, 3, 15), None, Decimal("4.5")),
        StepHours(date(2025, 3, 15), None, None),
        StepHours(date(2025, 3, 15), None, Decimal("0")),
    ]
    assert hours_by_month(steps) == {date(2025, 3, 1): Decimal("35.5")}


def test_rounding_to_tenths_keeps_the_total():
    # 10 hours over three months of unequal length: 3.3 + 3.3 + 3.3 would lose a tenth
    step = StepHours(date(2025, 1, 1), date(2025, 3, 31), Decimal("10"))
    months = hours_by_month([step])
    assert sum(months.values()) == Decimal("10.0")
    assert all(value == value.quantize(Decimal("0.1")) for value in months.values())


def test_month_helpers():
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert months_between(date(2024, 11, 30), date(2025, 2, 1)) == [
        date(2024, 11, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 2, 1),
    ]


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
    days=st.integers(min_value=0, max_value=800),
    tenths=st.integers(min_value=1, max_value=99999),
)
def test_any_step_spreads_exactly_its_hours(start, days, tenths):
    hours = Decimal(tenths) / 10
    months = hours_by_month([StepHours(start, start + timedelta(days=days), hours)])
    assert sum(months.values()) == hours
    assert all(value >= 0 for value in months.values())
    assert min(months) == start.replace(day=1)
