"""Transparent matching: each part of the score by its rule, the ranking, the distance."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emplus.evidence_core.job_matching import (
    Candidate,
    OpportunityProfile,
    haversine_km,
    rank_candidates,
    score_candidate,
)

# (latitude, longitude): two points 1 degree of latitude apart (111.2 km), and a neighbour.
POINTS = {"0001": (60.0, 15.0), "0002": (61.0, 15.0), "0003": (60.1, 15.0)}
JOB = OpportunityProfile(
    kind="work_trial",
    ssyk_code="5120",
    municipality_code="0001",
    starts_on=date(2025, 3, 1),
    hours_per_week=20,
)


def _reasons(match):
    return {r.part: r for r in match.reasons}


def test_a_perfect_candidate_scores_100_with_four_reasons():
    candidate = Candidate(
        key=1,
        occupational_goals=("5120",),
        municipality_code="0001",
        available_from=date(2025, 2, 1),
        hours_per_week=30,
        phase="train",
    )
    match = score_candidate(candidate, JOB, points_of=POINTS)
    assert match.score == 100
    reasons = _reasons(match)
    assert reasons["occupation"].code == "same_occupation"
    assert reasons["distance"].code == "same_municipality"
    assert reasons["availability"].code == "available"
    assert reasons["phase"].code == "phase_fits"


@pytest.mark.parametrize(
    ("goals", "points", "code"),
    [
        (("5120",), 40, "same_occupation"),
        (("512",), 30, "related_occupation"),
        (("5131", "9999"), 20, "related_occupation"),  # best of two goals: two digits shared
        (("5",), 10, "related_occupation"),
        (("7",), 0, "other_occupation"),
        ((), 0, "no_goal"),
    ],
)
def test_occupation_points_by_shared_digits(goals, points, code):
    match = score_candidate(Candidate(key=1, occupational_goals=goals), JOB, points_of=POINTS)
    reason = _reasons(match)["occupation"]
    assert (reason.points, reason.code) == (points, code)


def test_an_opportunity_coded_only_by_major_group_matches_every_goal_in_it():
    broad = OpportunityProfile(kind="work_trial", ssyk_code="5")
    match = score_candidate(Candidate(key=1, occupational_goals=("5120",)), broad, points_of={})
    assert _reasons(match)["occupation"].points == 40


def test_distance_within_and_beyond_the_commute():
    # 0003 lies 0.1 degree of latitude (11.1 km) from 0001: 30 * (1 - 0.5 * 11.1 / 30) = 24.4
    near = score_candidate(Candidate(key=1, municipality_code="0003"), JOB, points_of=POINTS)
    reason = _reasons(near)["distance"]
    assert reason.code == "within_commute"
    assert reason.points == pytest.approx(24.4, abs=0.1)
    assert reason.values["km"] == 11
    # 0002 is 111 km away: beyond the default 30 km, and beyond a stated 100 km
    far = score_candidate(Candidate(key=1, municipality_code="0002"), JOB, points_of=POINTS)
    assert _reasons(far)["distance"].code == "too_far"
    assert _reasons(far)["distance"].points == 0
    willing = Candidate(key=1, municipality_code="0002", max_commute_km=150)
    # 30 * (1 - 0.5 * 111.2 / 150) = 18.9
    assert _reasons(score_candidate(willing, JOB, points_of=POINTS))["distance"].points == (
        pytest.approx(18.9, abs=0.1)
    )


def test_unknown_home_scores_no_distance_points_and_says_so():
    match = score_candidate(Candidate(key=1), JOB, points_of=POINTS)
    assert _reasons(match)["distance"].code == "home_unknown"
    assert _reasons(match)["distance"].points == 0


def test_availability_later_and_fewer_hours():
    late_part_time = Candidate(key=1, available_from=date(2025, 4, 1), hours_per_week=10)
    reason = _reasons(score_candidate(late_part_time, JOB, points_of=POINTS))["availability"]
    assert reason.code == "later_and_fewer_hours"
    assert reason.points == 5  # not by the start: 0; 10 of 20 hours: half of 10


@pytest.mark.parametrize(
    ("phase", "points", "code"),
    [
        ("train", 10, "phase_fits"),
        ("prepare", 10, "phase_fits"),
        ("support", 5, "phase_near"),
        ("mobilise", 5, "phase_near"),
        ("", 0, "no_phase"),
    ],
)
def test_phase_points(phase, points, code):
    reason = _reasons(score_candidate(Candidate(key=1, phase=phase), JOB, points_of=POINTS))[
        "phase"
    ]
    assert (reason.points, reason.code) == (points, code)


def test_employment_far_from_the_mobilising_phase():
    job = OpportunityProfile(kind="employment")
    reason = _reasons(score_candidate(Candidate(key=1, phase="mobilise"), job, points_of={}))
    assert reason["phase"].code == "phase_far"


def test_ranking_is_best_first_with_a_stable_tie_break():
    candidates = [
        Candidate(key="b", occupational_goals=("5120",)),
        Candidate(key="a", occupational_goals=("5120",)),
        Candidate(key="c", occupational_goals=("9",)),
    ]
    ranked = rank_candidates(
        candidates, JOB, points_of=POINTS, tie_break={"a": "REF-1", "b": "REF-2", "c": "REF-0"}
    )
    assert [m.key for m in ranked] == ["a", "b", "c"]


def test_haversine_known_distance():
    # Stockholm (59.3293, 18.0686) to Göteborg (57.7089, 11.9746): about 398 km
    assert haversine_km((59.3293, 18.0686), (57.7089, 11.9746)) == pytest.approx(398, abs=2)


coords = st.tuples(st.floats(min_value=55, max_value=69), st.floats(min_value=10, max_value=25))


@given(coords, coords)
def test_distance_is_symmetric_and_non_negative(a, b):
    assert haversine_km(a, b) == pytest.approx(haversine_km(b, a))
    assert haversine_km(a, b) >= 0
    assert haversine_km(a, a) == pytest.approx(0, abs=1e-9)


@given(
    st.lists(st.sampled_from(["5120", "512", "51", "5", "7", "9629"]), max_size=3),
    st.sampled_from(["0001", "0002", "0003", "", "9999"]),
    st.one_of(st.none(), st.floats(min_value=0, max_value=60)),
    st.sampled_from(["mobilise", "prepare", "train", "support", ""]),
)
def test_score_stays_within_0_and_100(goals, municipality, hours, phase):
    candidate = Candidate(
        key=1,
        occupational_goals=tuple(goals),
        municipality_code=municipality,
        hours_per_week=hours,
        phase=phase,
    )
    match = score_candidate(candidate, JOB, points_of=POINTS)
    assert 0 <= match.score <= 100
    assert all(0 <= r.points <= r.maximum for r in match.reasons)
    assert match.score == pytest.approx(sum(r.points for r in match.reasons), abs=0.11)
