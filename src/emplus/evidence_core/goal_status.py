"""The status of a plan goal from its live value and the straight line from baseline to target
(pure, no Django).

The line runs from the baseline at the goal's start to the target at its deadline; on a day in
between, the expected value is read off the line (before the start: the baseline; after the
deadline: the target). With `direction` +1 for a target above the baseline and -1 for one below
it (a value that should go down), the *shortfall* is how far the value is behind the line, in
the goal's direction:

- achieved: the value has reached the target (on any day);
- on track: no shortfall;
- at risk: a shortfall of at most `tolerance` times the whole distance |target - baseline|,
  before the deadline;
- off track: a larger shortfall, or the deadline has passed without the target;
- no data: there is no value (nothing measured, or hidden by small-cell suppression).

The tolerance is a versioned parameter: a stored snapshot names the version it was computed
with, so a later change of the band never rewrites history (docs/decisions/0034).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "CURRENT_VERSION",
    "GoalLine",
    "Status",
    "StatusParameters",
    "expected_value",
    "goal_status",
    "status_parameters",
]


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class StatusParameters:
    version: int
    tolerance: float  # share of |target - baseline| a value may lag the line and be "at risk"


_VERSIONS = {
    # Version 1 (December 2026): a tenth of the way from baseline to target.
    1: StatusParameters(version=1, tolerance=0.10),
}
CURRENT_VERSION = 1


def status_parameters(version: int = CURRENT_VERSION) -> StatusParameters:
    try:
        return _VERSIONS[version]
    except KeyError:
        raise ValueError(f"unknown goal-status parameters version {version}") from None


@dataclass(frozen=True)
class GoalLine:
    """Baseline at `start`, target at `deadline` (deadline after start)."""

    baseline: float
    target: float
    start: date
    deadline: date

    def __post_init__(self) -> None:
        if self.deadline <= self.start:
            raise ValueError("the deadline must come after the start")

    @property
    def direction(self) -> int:
        """+1 when the value should rise to the target, -1 when it should fall."""
        return -1 if self.target < self.baseline else 1


def expected_value(line: GoalLine, on: date) -> float:
    """The value the straight line expects on a day (clamped to the line's ends)."""
    span = (line.deadline - line.start).days
    fraction = min(max((on - line.start).days / span, 0.0), 1.0)
    return line.baseline + (line.target - line.baseline) * fraction


def goal_status(
    line: GoalLine,
    value: float | None,
    *,
    on: date,
    parameters: StatusParameters | None = None,
) -> Status:
    """The status of a goal whose live value on `on` is `value` (None: no data)."""
    if value is None:
        return Status.NO_DATA
    parameters = parameters or status_parameters()
    direction = line.direction
    if (value - line.target) * direction >= 0:
        return Status.ACHIEVED
    if on > line.deadline:
        return Status.OFF_TRACK
    shortfall = (expected_value(line, on) - value) * direction
    if shortfall <= 0:
        return Status.ON_TRACK
    if shortfall <= parameters.tolerance * abs(line.target - line.baseline):
        return Status.AT_RISK
    return Status.OFF_TRACK
