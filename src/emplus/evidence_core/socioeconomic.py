"""Socio-economic value of observed transitions to work and study (pure, no Django).

The parameter set is package data (`data/cost_of_exclusion_v<N>.json`): the yearly public cost
of one person outside work and study by actor (municipality, region, state) and the production
loss, each as a low/central/high range, with its sources, price year and caveats. It is an
*estimate*: indicative ranges from published Swedish cost-of-exclusion studies, not measured
costs.

The value is computed from the ESF+ result indicators:

- persons, low: max(EECR02, EECR04, EECR05) — at least this many distinct enrolments moved to
  work or study, whatever the overlap between the indicators;
- persons, central and high: EECR02 + max(EECR04, EECR05) — education plus employment (upon
  leaving or at the six-month follow-up, whichever is larger), assuming no one is in both;
- value = persons × yearly cost, low with low, central with central, high with high.

It is the gross value of one year of the observed transitions, not the effect of the project
(see the caveats in the parameter set).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "ACTORS",
    "CostParameters",
    "CostRange",
    "SocioEconomicValue",
    "Transitions",
    "load_parameters",
    "parameters_from_mapping",
    "transitions_from_indicators",
    "yearly_value",
]

ACTORS = ("municipality", "region", "state")
LEVELS = ("low", "central", "high")
TRANSITION_CODES = ("EECR02", "EECR04", "EECR05")


@dataclass(frozen=True)
class CostRange:
    low: float
    central: float
    high: float

    def __post_init__(self) -> None:
        if min(self.low, self.central, self.high) < 0:
            raise ValueError("a cost must not be negative")
        if not self.low <= self.central <= self.high:
            raise ValueError("a range must satisfy low <= central <= high")

    def __add__(self, other: CostRange) -> CostRange:
        return CostRange(self.low + other.low, self.central + other.central, self.high + other.high)

    def scaled(self, persons: CostRange) -> CostRange:
        return CostRange(
            self.low * persons.low, self.central * persons.central, self.high * persons.high
        )

    def as_dict(self) -> dict[str, float]:
        return {"low": self.low, "central": self.central, "high": self.high}


@dataclass(frozen=True)
class CostParameters:
    """A versioned, documented parameter set (see data/cost_of_exclusion_v1.json)."""

    id: str
    version: int
    label: str
    currency: str
    price_year: int
    price_year_note: str
    actors: Mapping[str, CostRange]
    actor_covers: Mapping[str, str]
    production_loss: CostRange
    sources: tuple[Mapping[str, str], ...]
    caveats: tuple[str, ...]

    @property
    def public_total(self) -> CostRange:
        total = CostRange(0, 0, 0)
        for actor in ACTORS:
            total = total + self.actors[actor]
        return total


def _range(name: str, data: Any) -> CostRange:
    if not isinstance(data, Mapping) or any(level not in data for level in LEVELS):
        raise ValueError(f"{name}: needs low, central and high")
    values = [data[level] for level in LEVELS]
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in values):
        raise ValueError(f"{name}: low, central and high must be numbers")
    try:
        return CostRange(*(float(v) for v in values))
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def parameters_from_mapping(data: Mapping[str, Any]) -> CostParameters:
    """Validate a parameter set: every actor present, ranges ordered, an estimate label and at
    least one source."""
    if data.get("label") != "estimate":
        raise ValueError('the parameter set must be labelled "estimate"')
    actors_data = data.get("actors") or {}
    missing = [a for a in ACTORS if a not in actors_data]
    if missing:
        raise ValueError(f"missing actor(s): {missing}")
    sources = tuple(data.get("sources") or ())
    if not sources or not all(s.get("citation") for s in sources):
        raise ValueError("the parameter set must cite its sources")
    return CostParameters(
        id=str(data["id"]),
        version=int(data["version"]),
        label=data["label"],
        currency=str(data.get("currency", "SEK")),
        price_year=int(data["price_year"]),
        price_year_note=str(data.get("price_year_note", "")),
        actors={a: _range(a, actors_data[a]) for a in ACTORS},
        actor_covers={a: str(actors_data[a].get("covers", "")) for a in ACTORS},
        production_loss=_range("production_loss", data.get("production_loss")),
        sources=sources,
        caveats=tuple(data.get("caveats") or ()),
    )


@cache
def load_parameters(version: int = 1) -> CostParameters:
    """The packaged parameter set of that version."""
    text = (
        resources.files("emplus.evidence_core")
        .joinpath(f"data/cost_of_exclusion_v{version}.json")
        .read_text(encoding="utf-8")
    )
    return parameters_from_mapping(json.loads(text))


@dataclass(frozen=True)
class Transitions:
    education: int  # EECR02
    employment_upon_leaving: int  # EECR04
    employment_after_six_months: int  # EECR05

    @property
    def persons(self) -> CostRange:
        employed = max(self.employment_upon_leaving, self.employment_after_six_months)
        low = max(self.education, employed)
        high = self.education + employed
        return CostRange(low, high, high)


def transitions_from_indicators(rows: Mapping[str, int | None]) -> Transitions | None:
    """From indicator totals by code; None when one of them is hidden (suppressed)."""
    values = [rows.get(code) for code in TRANSITION_CODES]
    if any(v is None for v in values):
        return None
    return Transitions(*(int(v) for v in values))  # type: ignore[arg-type]


@dataclass(frozen=True)
class SocioEconomicValue:
    transitions: Transitions
    persons: CostRange
    by_actor: Mapping[str, CostRange]
    public_total: CostRange
    production_loss: CostRange
    parameters: CostParameters

    def as_dict(self) -> dict[str, Any]:
        p = self.parameters
        return {
            "label": p.label,
            "parameters": f"{p.id} v{p.version}",
            "currency": p.currency,
            "price_year": p.price_year,
            "persons": self.persons.as_dict(),
            "public_cost_avoided": {a: r.as_dict() for a, r in self.by_actor.items()}
            | {"total": self.public_total.as_dict()},
            "production_gained": self.production_loss.as_dict(),
            "caveats": list(p.caveats),
        }


def yearly_value(
    transitions: Transitions | None, parameters: CostParameters | None = None
) -> SocioEconomicValue | None:
    """The yearly public cost avoided (by actor) and production gained by the transitions;
    None when the transitions are unknown (hidden by suppression)."""
    if transitions is None:
        return None
    parameters = parameters or load_parameters()
    persons = transitions.persons
    by_actor = {a: parameters.actors[a].scaled(persons) for a in ACTORS}
    return SocioEconomicValue(
        transitions=transitions,
        persons=persons,
        by_actor=by_actor,
        public_total=parameters.public_total.scaled(persons),
        production_loss=parameters.production_loss.scaled(persons),
        parameters=parameters,
    )
