"""Completion rates and placement results on hand-made records."""

from __future__ import annotations

from datetime import date

from emplus.evidence_core.completion import completion_counts, placement_counts

AS_OF = date(2025, 6, 30)


def test_completion_counts_only_courses_whose_planned_end_has_passed():
    records = [
        ("completed", date(2025, 6, 1), True),  # due, completed with a qualification
        ("completed", date(2025, 1, 15), False),  # due, completed
        ("interrupted", date(2025, 5, 1), False),  # due, interrupted
        ("ongoing", date(2025, 6, 29), False),  # due, still ongoing after its planned end
        ("completed", date(2025, 12, 1), True),  # completed early: not due yet, not counted
        ("ongoing", date(2025, 6, 30), False),  # ends on the reporting date: not passed
        ("ongoing", None, False),  # no planned end: never due
    ]
    counts = completion_counts(records, as_of=AS_OF)
    assert (counts.due, counts.completed, counts.interrupted, counts.overdue) == (4, 2, 1, 1)
    assert counts.with_qualification == 1
    assert counts.rate == 0.5


def test_no_course_due_gives_no_rate():
    assert completion_counts([], as_of=AS_OF).rate is None


def test_placement_counts_leave_out_running_placements():
    counts = placement_counts(
        [
            "offered_employment",
            "offered_employment",
            "ended_early",
            "",
            "ended_as_planned",
            "continued_other_form",
        ]
    )
    assert (counts.ended, counts.offered, counts.continued, counts.ended_early) == (5, 2, 1, 1)
    assert counts.as_planned == 1
    assert counts.offer_rate == 0.4
    assert placement_counts([]).offer_rate is None
