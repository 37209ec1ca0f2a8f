"""Income stability from monthly income records (pure, no Django).

How steady is a person's monthly income? Over a window of complete calendar months (12 by
default) ending before the reporting date, with the amounts of all sources added up per month:

- months with income: months whose total is above zero;
- coefficient of variation: the population standard deviation of the monthly totals (months
  without a record count as zero) divided by their mean; None when the mean is zero;
- longest run above the threshold: the longest run of consecutive months at or above it;
- share above the threshold: months at or above it divided by the months of the window.

The threshold and the window are a versioned parameter set (`data/income_stability_v<N>.json`)
with its reasoning, never a constant in the code. `stability_summary` aggregates many people for
a group (an organisation, a method, a test bed, a thematic area); callers suppress small groups.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

__all__ = [
    "CURRENT_VERSION",
    "IncomeStability",
    "Month",
    "StabilityParameters",
    "StabilitySummary",
    "income_stability",
    "last_complete_month",
    "stability_parameters",
    "stability_summary",
]

CURRENT_VERSION = 1
# ASCII digits only (`\d` accepts other scripts' digits).
_MONTH = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; `Month.parse("2025-03")`, `str(month)` gives it back."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError("month must be 1 to 12")

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM`, or a whole date `YYYY-MM-DD` (a spreadsheet's date cell) of that month."""
        value = text.strip()
        if _MONTH.match(value):
            return cls(int(value[:4]), int(value[5:7]))
        if _DAY.match(value):
            day = date.fromisoformat(value)  # ValueError for an impossible date
            return cls(day.year, day.month)
        raise ValueError("expected a month as YYYY-MM")

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def plus(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def last_complete_month(as_of: date) -> Month:
    """The month before the month of `as_of`: the newest month whose income is complete."""
    return Month.of(as_of).plus(-1)


@dataclass(frozen=True)
class StabilityParameters:
    """One version of the parameter set (see the JSON file for the reasoning)."""

    version: int
    threshold: float
    window_months: int
    stable_min_months_above: int
    valid_from: str
    status: str
    threshold_reasoning: str

    def __post_init__(self) -> None:
        if self.threshold <= 0 or self.window_months < 1:
            raise ValueError("the threshold and the window must be positive")
        if not 0 < self.stable_min_months_above <= self.window_months:
            raise ValueError("stable_min_months_above must lie within the window")


@cache
def stability_parameters(version: int = CURRENT_VERSION) -> StabilityParameters:
    """The packaged parameter set of one version (the current one by default)."""
    text = (
        resources.files("emplus.evidence_core")
        .joinpath("data", f"income_stability_v{version}.json")
        .read_text(encoding="utf-8")
    )
    raw = json.loads(text)
    if raw.get("version") != version:
        raise ValueError(f"income_stability_v{version}.json declares version {raw.get('version')}")
    return StabilityParameters(
        version=raw["version"],
        threshold=float(raw["threshold"]),
        window_months=int(raw["window_months"]),
        stable_min_months_above=int(raw["stable_min_months_above"]),
        valid_from=raw["valid_from"],
        status=raw["status"],
        threshold_reasoning=raw["threshold_reasoning"],
    )


@dataclass(frozen=True)
class IncomeStability:
    """The measures for one person over one window; `monthly` holds the totals, oldest first."""

    first_month: Month
    last_month: Month
    monthly: tuple[float, ...]
    threshold: float
    parameters_version: int
    stable_min_months_above: int

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(self.first_month.plus(i) for i in range(len(self.monthly)))

    @property
    def months_with_income(self) -> int:
        return sum(1 for v in self.monthly if v > 0)

    @property
    def has_income(self) -> bool:
        return self.months_with_income > 0

    @property
    def mean(self) -> float:
        return sum(self.monthly) / len(self.monthly)

    @property
    def coefficient_of_variation(self) -> float | None:
        mean = self.mean
        if mean <= 0:
            return None
        return statistics.pstdev(self.monthly) / mean

    @property
    def months_above(self) -> int:
        return sum(1 for v in self.monthly if v >= self.threshold)

    @property
    def longest_run_above(self) -> int:
        longest = run = 0
        for value in self.monthly:
            run = run + 1 if value >= self.threshold else 0
            longest = max(longest, run)
        return longest

    @property
    def share_above(self) -> float:
        return self.months_above / len(self.monthly)

    @property
    def is_stable(self) -> bool:
        return self.months_above >= self.stable_min_months_above


def income_stability(
    records: Iterable[tuple[Month | str, float]],
    *,
    last_month: Month,
    parameters: StabilityParameters | None = None,
) -> IncomeStability:
    """The measures over the window that ends with `last_month` (included).

    `records` are (month, amount) pairs, several per month allowed (one per source); records
    outside the window are ignored. Amounts must be finite and not negative."""
    parameters = parameters or stability_parameters()
    first = last_month.plus(-(parameters.window_months - 1))
    totals = [0.0] * parameters.window_months
    for month, amount in records:
        m = Month.parse(month) if isinstance(month, str) else month
        value = float(amount)
        if not math.isfinite(value) or value < 0:
            raise ValueError("an income amount must be a finite number, zero or more")
        offset = m.index - first.index
        if 0 <= offset < parameters.window_months:
            totals[offset] += value
    return IncomeStability(
        first_month=first,
        last_month=last_month,
        monthly=tuple(totals),
        threshold=parameters.threshold,
        parameters_version=parameters.version,
        stable_min_months_above=parameters.stable_min_months_above,
    )


@dataclass(frozen=True)
class StabilitySummary:
    """A group of people: those with any income in the window are counted (`people`)."""

    people: int
    stable: int
    mean_months_with_income: float | None
    mean_share_above: float | None
    median_coefficient_of_variation: float | None

    @property
    def not_stable(self) -> int:
        return self.people - self.stable


def stability_summary(results: Sequence[IncomeStability]) -> StabilitySummary:
    """Aggregate many people's measures; people without any income in the window are left out
    (they have no income to be stable or unstable)."""
    counted = [r for r in results if r.has_income]
    if not counted:
        return StabilitySummary(0, 0, None, None, None)
    cvs = [cv for r in counted if (cv := r.coefficient_of_variation) is not None]
    return StabilitySummary(
        people=len(counted),
        stable=sum(1 for r in counted if r.is_stable),
        mean_months_with_income=sum(r.months_with_income for r in counted) / len(counted),
        mean_share_above=sum(r.share_above for r in counted) / len(counted),
        median_coefficient_of_variation=statistics.median(cvs) if cvs else None,
    )
