"""Live values of goals: computed from the data, changed at once by a participant's exit, and
shown to the viewer under the suppression rule."""

from __future__ import annotations

from datetime import date

from emplus.plans import selectors
from tests.plans.conftest import HALFWAY, enrol, esf_goal, exit_to_work, make_plan


def test_an_exit_to_work_changes_the_live_value_and_status_at_once(coordinator, unit_a1, bed):
    # given a test-bed plan with a goal of 10 in work upon leaving by the end of 2026, and six
    # participants in the test bed of whom five left for work
    plan = make_plan(coordinator, bed)
    esf_goal(coordinator, plan, target="10")
    enrolments = enrol(unit_a1, bed, 6)
    for enrolment in enrolments[:4]:
        exit_to_work(coordinator, enrolment)
    [row] = selectors.goal_rows(viewer=coordinator, plan=plan, on=HALFWAY)
    # then halfway the line expects 5: 4 is at risk? 1 behind, the band is 1 (10 % of 10)
    assert (row.value, row.expected, row.status) == (4.0, 5.0, "at_risk")
    # when one more leaves for work
    exit_to_work(coordinator, enrolments[4])
    # then the value and status change at once
    [row] = selectors.goal_rows(viewer=coordinator, plan=plan, on=HALFWAY)
    assert (row.value, row.status) == (5.0, "on_track")


def test_a_small_value_is_hidden_outside_the_owning_organisation(
    coordinator, other_org_coordinator, unit_a1, bed
):
    plan = make_plan(coordinator, bed)
    esf_goal(coordinator, plan, target="10")
    enrolments = enrol(unit_a1, bed, 3)
    exit_to_work(coordinator, enrolments[0])
    [own] = selectors.goal_rows(viewer=coordinator, plan=plan, on=HALFWAY)
    [other] = selectors.goal_rows(viewer=other_org_coordinator, plan=plan, on=HALFWAY)
    assert own.value == 1.0 and not own.suppressed
    assert other.value is None and other.suppressed and other.status == "no_data"


def test_the_same_population_is_read_once_per_request(
    coordinator, unit_a1, bed, django_assert_max_num_queries
):
    plan = make_plan(coordinator, bed)
    for code in ("EECO01", "EECO02", "EECR04", "EECR02"):
        esf_goal(coordinator, plan, code=code)
    enrol(unit_a1, bed, 6)
    with django_assert_max_num_queries(12):
        rows = selectors.goal_rows(viewer=coordinator, plan=plan, on=date(2026, 3, 1))
    assert [r.value for r in rows][:2] == [6.0, 6.0]
