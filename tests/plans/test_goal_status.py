"""The straight-line status rule on hand-made goals (evidence_core.goal_status)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emplus.evidence_core.goal_status import (
    GoalLine,
    Status,
    expected_value,
    goal_status,
    status_parameters,
)

# 2026: baseline 10 on 1 January, target 30 on 31 December (364 days); halfway on 2 July.
RISING = GoalLine(baseline=10, target=30, start=date(2026, 1, 1), deadline=date(2026, 12, 31))
HALFWAY = date(2026, 7, 2)
# A value that should fall: from 40 % to 20 %.
FALLING = GoalLine(baseline=40, target=20, start=date(2026, 1, 1), deadline=date(2026, 12, 31))


def test_expected_value_is_read_off_the_straight_line():
    assert expected_value(RISING, HALFWAY) == pytest.approx(20.0)
    assert expected_value(RISING, date(2025, 6, 1)) == 10  # before the start: the baseline
    assert expected_value(RISING, date(2027, 6, 1)) == 30  # after the deadline: the target
    assert expected_value(FALLING, HALFWAY) == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (30, Status.ACHIEVED),
        (35, Status.ACHIEVED),
        (20, Status.ON_TRACK),  # exactly on the line
        (25, Status.ON_TRACK),
        (18.5, Status.AT_RISK),  # 1.5 behind: within 10 % of the distance 20 (= 2)
        (18, Status.AT_RISK),  # exactly 2 behind: still inside the band
        (17.9, Status.OFF_TRACK),
        (5, Status.OFF_TRACK),
        (None, Status.NO_DATA),
    ],
)
def test_status_of_a_rising_goal_halfway(value, status):
    assert goal_status(RISING, value, on=HALFWAY) is status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (20, Status.ACHIEVED),
        (15, Status.ACHIEVED),
        (30, Status.ON_TRACK),
        (28, Status.ON_TRACK),  # lower is better
        (31.5, Status.AT_RISK),
        (32.1, Status.OFF_TRACK),
    ],
)
def test_status_of_a_falling_goal_halfway(value, status):
    assert goal_status(FALLING, value, on=HALFWAY) is status


def test_after_the_deadline_only_the_target_counts():
    after = date(2027, 1, 15)
    assert goal_status(RISING, 29.9, on=after) is Status.OFF_TRACK
    assert goal_status(RISING, 30, on=after) is Status.ACHIEVED


def test_on_the_start_day_the_baseline_is_on_track():
    assert goal_status(RISING, 10, on=RISING.start) is Status.ON_TRACK
    assert goal_status(RISING, 9.5, on=RISING.start) is Status.AT_RISK


def test_the_tolerance_is_a_versioned_parameter():
    assert status_parameters(1).tolerance == 0.10
    with pytest.raises(ValueError, match="version"):
        status_parameters(99)


def test_a_line_needs_its_deadline_after_its_start():
    with pytest.raises(ValueError, match="deadline"):
        GoalLine(baseline=0, target=1, start=date(2026, 1, 1), deadline=date(2026, 1, 1))


@settings(deadline=None)  # a pure rule: a slow shared machine is no failure
@given(
    baseline=st.floats(-1000, 1000),
    target=st.floats(-1000, 1000),
    value=st.floats(-2000, 2000),
    day=st.integers(0, 400),
)
def test_a_value_on_the_target_side_of_the_line_is_never_behind(baseline, target, value, day):
    line = GoalLine(baseline, target, date(2026, 1, 1), date(2026, 12, 31))
    on = date.fromordinal(line.start.toordinal() + day)
    status = goal_status(line, value, on=on)
    ahead = (value - expected_value(line, on)) * line.direction >= 0
    if ahead and on <= line.deadline:
        assert status in (Status.ON_TRACK, Status.ACHIEVED)
