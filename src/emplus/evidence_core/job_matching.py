"""Transparent matching of participants to an opportunity: a score with its reasons (pure).

The score is a sum of four parts, each with a stated maximum, so a coach can see why a person
ranks where they do and overrule it:

- occupation, at most 40: the participant's occupational goals (SSYK 2012 codes of 1-4
  digits) against the opportunity's code; a goal that agrees on every digit of the
  opportunity's code 40, on three digits 30, two 20, the major group 10;
- distance, at most 30: the same municipality 30; otherwise from 30 down to 15 at the
  longest commute the participant accepts (straight line between the municipalities' label
  points), 0 beyond it;
- availability, at most 20: 10 when available by the start date; 10 when the hours the
  participant can work cover the opportunity's hours, in proportion when they do not;
- phase, at most 10: the current pathway phase fits the kind of opportunity 10, a
  neighbouring phase 5.

Unknown inputs score 0 for their part and say so. Nothing here reads a name or an identity
number: a candidate is a reference and the facts that are scored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "DEFAULT_COMMUTE_KM",
    "PHASES",
    "Candidate",
    "Match",
    "OpportunityProfile",
    "Reason",
    "haversine_km",
    "rank_candidates",
    "score_candidate",
]

EARTH_RADIUS_KM = 6371.0088  # the mean Earth radius (IUGG)
DEFAULT_COMMUTE_KM = 30.0
PHASES = ("mobilise", "prepare", "train", "support")

OCCUPATION_MAX, DISTANCE_MAX, AVAILABILITY_MAX, PHASE_MAX = 40, 30, 20, 10
# Points for the number of leading SSYK digits shared with the opportunity's code.
OCCUPATION_POINTS = {4: 40, 3: 30, 2: 20, 1: 10, 0: 0}

# The phases where each kind of opportunity is the natural next step.
KIND_PHASES: Mapping[str, tuple[str, ...]] = {
    "study_visit": ("mobilise", "prepare"),
    "work_trial": ("prepare", "train"),
    "apprenticeship": ("train",),
    "subsidised_employment": ("train", "support"),
    "employment": ("support",),
    "gig_assignment": ("train", "support"),
}

Point = tuple[float, float]  # (latitude, longitude) in degrees


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres between two (latitude, longitude) points."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class OpportunityProfile:
    kind: str
    ssyk_code: str = ""
    municipality_code: str = ""
    starts_on: date | None = None
    hours_per_week: float | None = None


@dataclass(frozen=True)
class Candidate:
    """What is scored about one participant (`key` is whatever the caller needs back)."""

    key: object
    occupational_goals: tuple[str, ...] = ()
    municipality_code: str = ""
    max_commute_km: float | None = None
    available_from: date | None = None
    hours_per_week: float | None = None
    phase: str = ""


@dataclass(frozen=True)
class Reason:
    """One part of the score: `code` names the rule that applied, `values` fill its sentence."""

    part: str
    points: float
    maximum: float
    code: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    key: object
    score: float
    reasons: tuple[Reason, ...]


def _shared_digits(a: str, b: str) -> int:
    shared = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        shared += 1
    return min(shared, 4)


def _occupation(candidate: Candidate, opportunity: OpportunityProfile) -> Reason:
    if not opportunity.ssyk_code:
        return Reason("occupation", 0, OCCUPATION_MAX, "opportunity_without_occupation")
    goals = [g for g in candidate.occupational_goals if g]
    if not goals:
        return Reason("occupation", 0, OCCUPATION_MAX, "no_goal")
    best_goal = max(goals, key=lambda g: _shared_digits(g, opportunity.ssyk_code))
    shared = _shared_digits(best_goal, opportunity.ssyk_code)
    values = {"goal": best_goal, "digits": shared}
    if shared == len(opportunity.ssyk_code):  # agrees on every digit the opportunity states
        return Reason("occupation", OCCUPATION_MAX, OCCUPATION_MAX, "same_occupation", values)
    code = "related_occupation" if shared else "other_occupation"
    return Reason("occupation", OCCUPATION_POINTS[shared], OCCUPATION_MAX, code, values)


def _distance(
    candidate: Candidate, opportunity: OpportunityProfile, points_of: Mapping[str, Point]
) -> Reason:
    home, work = candidate.municipality_code, opportunity.municipality_code
    if not home or home not in points_of:
        return Reason("distance", 0, DISTANCE_MAX, "home_unknown")
    if not work or work not in points_of:
        return Reason("distance", 0, DISTANCE_MAX, "workplace_unknown")
    if home == work:
        return Reason("distance", DISTANCE_MAX, DISTANCE_MAX, "same_municipality")
    km = haversine_km(points_of[home], points_of[work])
    limit = candidate.max_commute_km if candidate.max_commute_km else DEFAULT_COMMUTE_KM
    values = {"km": round(km), "limit": round(limit)}
    if km > limit:
        return Reason("distance", 0, DISTANCE_MAX, "too_far", values)
    points = DISTANCE_MAX * (1 - 0.5 * km / limit)
    return Reason("distance", round(points, 1), DISTANCE_MAX, "within_commute", values)


def _availability(candidate: Candidate, opportunity: OpportunityProfile) -> Reason:
    points = 0.0
    notes: dict[str, object] = {}
    if candidate.available_from is None or opportunity.starts_on is None:
        start_ok = candidate.available_from is None  # available now unless a date says otherwise
    else:
        start_ok = candidate.available_from <= opportunity.starts_on
        notes["available_from"] = candidate.available_from
    if start_ok:
        points += AVAILABILITY_MAX / 2
    if opportunity.hours_per_week and candidate.hours_per_week is not None:
        cover = min(1.0, candidate.hours_per_week / opportunity.hours_per_week)
        points += AVAILABILITY_MAX / 2 * cover
        notes["hours"] = candidate.hours_per_week
        notes["wanted"] = opportunity.hours_per_week
        hours_ok = cover >= 1.0
    else:
        points += AVAILABILITY_MAX / 2  # nothing to compare: not held against anyone
        hours_ok = True
    if start_ok and hours_ok:
        code = "available"
    elif not start_ok and not hours_ok:
        code = "later_and_fewer_hours"
    elif not start_ok:
        code = "available_later"
    else:
        code = "fewer_hours"
    return Reason("availability", round(points, 1), AVAILABILITY_MAX, code, notes)


def _phase(candidate: Candidate, opportunity: OpportunityProfile) -> Reason:
    fits = KIND_PHASES.get(opportunity.kind, ())
    if candidate.phase not in PHASES:
        return Reason("phase", 0, PHASE_MAX, "no_phase")
    values = {"phase": candidate.phase}
    if candidate.phase in fits:
        return Reason("phase", PHASE_MAX, PHASE_MAX, "phase_fits", values)
    position = PHASES.index(candidate.phase)
    if any(abs(PHASES.index(p) - position) == 1 for p in fits):
        return Reason("phase", PHASE_MAX / 2, PHASE_MAX, "phase_near", values)
    return Reason("phase", 0, PHASE_MAX, "phase_far", values)


def score_candidate(
    candidate: Candidate,
    opportunity: OpportunityProfile,
    *,
    points_of: Mapping[str, Point],
) -> Match:
    """One participant's score (0-100) and its four reasons. `points_of` maps municipality
    codes to their label points (latitude, longitude)."""
    reasons = (
        _occupation(candidate, opportunity),
        _distance(candidate, opportunity, points_of),
        _availability(candidate, opportunity),
        _phase(candidate, opportunity),
    )
    return Match(candidate.key, round(sum(r.points for r in reasons), 1), reasons)


def rank_candidates(
    candidates: Iterable[Candidate],
    opportunity: OpportunityProfile,
    *,
    points_of: Mapping[str, Point],
    tie_break: Mapping[object, str] | None = None,
) -> Sequence[Match]:
    """All candidates scored, best first; equal scores in the order of `tie_break` (for
    example the participant reference), so the ranking is the same on every page load."""
    tie_break = tie_break or {}
    matches = [score_candidate(c, opportunity, points_of=points_of) for c in candidates]
    return sorted(matches, key=lambda m: (-m.score, tie_break.get(m.key, str(m.key))))
