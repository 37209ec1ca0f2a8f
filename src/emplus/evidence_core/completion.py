"""Completion of education and training, and the results of workplace placements (pure).

Completion rate: of the courses of study whose planned end has passed (before the reporting
date), the share completed. A course completed ahead of its planned end is counted once its
planned end has passed, like every other, so the rate of a group does not depend on how early
its courses end. Interrupted courses and those still marked ongoing after their planned end count
as not completed.

Placement results: of the placements that have ended, the share that led to an offer of
employment, to a continuation in another form, or ended early.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = [
    "COMPLETED",
    "INTERRUPTED",
    "ONGOING",
    "CompletionCounts",
    "PlacementCounts",
    "completion_counts",
    "placement_counts",
]

ONGOING, COMPLETED, INTERRUPTED = "ongoing", "completed", "interrupted"


@dataclass(frozen=True)
class CompletionCounts:
    """`due` = planned end passed; due = completed + interrupted + overdue (still ongoing)."""

    due: int
    completed: int
    interrupted: int
    overdue: int
    with_qualification: int

    @property
    def rate(self) -> float | None:
        return self.completed / self.due if self.due else None


def completion_counts(
    records: Iterable[tuple[str, date | None, bool]], *, as_of: date
) -> CompletionCounts:
    """Count (status, planned end, qualification obtained) records for the reporting date.

    Records without a planned end are not due (nobody can say they are late)."""
    due = completed = interrupted = overdue = qualified = 0
    for status, planned_end, qualification in records:
        if planned_end is None or planned_end >= as_of:
            continue
        due += 1
        if status == COMPLETED:
            completed += 1
            qualified += 1 if qualification else 0
        elif status == INTERRUPTED:
            interrupted += 1
        else:
            overdue += 1
    return CompletionCounts(due, completed, interrupted, overdue, qualified)


# The outcomes of a placement (worklife choices), as the results group them.
OFFERED = "offered_employment"
CONTINUED = "continued_other_form"
ENDED_EARLY = "ended_early"
ENDED_AS_PLANNED = "ended_as_planned"


@dataclass(frozen=True)
class PlacementCounts:
    """Ended placements by outcome; ended = offered + continued + early + as planned."""

    ended: int
    offered: int
    continued: int
    ended_early: int
    as_planned: int

    @property
    def offer_rate(self) -> float | None:
        return self.offered / self.ended if self.ended else None


def placement_counts(outcomes: Iterable[str]) -> PlacementCounts:
    """Count the outcomes of ended placements (an empty outcome is a placement still running
    and is not counted)."""
    counts = {OFFERED: 0, CONTINUED: 0, ENDED_EARLY: 0, ENDED_AS_PLANNED: 0}
    for outcome in outcomes:
        if outcome in counts:
            counts[outcome] += 1
    return PlacementCounts(
        ended=sum(counts.values()),
        offered=counts[OFFERED],
        continued=counts[CONTINUED],
        ended_early=counts[ENDED_EARLY],
        as_planned=counts[ENDED_AS_PLANNED],
    )
