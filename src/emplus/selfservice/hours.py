"""Hours per calendar month derived from pathway steps (pure: dates and decimals only).

A step records its total hours between its first and last day. Those hours are spread evenly
over the step's days, so a step from 20 March to 9 April gives March 12/21 and April 9/21 of
its hours. A step without an end date counts in the month it started (its hours so far are what
the coach wrote). Each month is rounded to tenths with the largest-remainder method, so the
months of a step add up exactly to the step's hours."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class StepHours:
    started_on: date
    ended_on: date | None
    hours: Decimal


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of every month from the month of `first` to that of `last`."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = month_end(current) + timedelta(days=1)
    return months


def _spread(step: StepHours) -> dict[date, Decimal]:
    total = Decimal(step.hours).quantize(TENTH)
    end = step.ended_on or step.started_on
    if end < step.started_on:
        end = step.started_on
    days = (end - step.started_on).days + 1
    shares: dict[date, Decimal] = {}
    for month in months_between(step.started_on, end):
        first = max(month, step.started_on)
        last = min(month_end(month), end)
        shares[month] = total * Decimal((last - first).days + 1) / Decimal(days)
    # Largest remainder in tenths: floor every share, then hand out the missing tenths to the
    # months with the largest remainders (earliest first on ties).
    floors = {
        m: (s / TENTH).to_integral_value(rounding=ROUND_FLOOR) * TENTH for m, s in shares.items()
    }
    missing = int(((total - sum(floors.values(), Decimal(0))) / TENTH).to_integral_value())
    order = sorted(shares, key=lambda m: (-(shares[m] - floors[m]), m))
    for month in order[:missing]:
        floors[month] += TENTH
    return floors


def hours_by_month(steps: Iterable[StepHours]) -> dict[date, Decimal]:
    """Hours per month (first day of the month) over all the steps; steps without hours are
    left out by the caller."""
    result: dict[date, Decimal] = defaultdict(Decimal)
    for step in steps:
        if step.hours is None or Decimal(step.hours) <= 0:
            continue
        for month, value in _spread(step).items():
            result[month] += value
    return {month: value.quantize(TENTH) for month, value in sorted(result.items())}
