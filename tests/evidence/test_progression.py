"""Progression by group: mean change, Cohen's d for paired change, reliable change shares."""

from __future__ import annotations

import math
from datetime import date

import pytest

from emplus.evidence.selectors import IndicatorFilters, progression_report
from emplus.evidence_core.progression import (
    ALL,
    TOTAL,
    ChangeSummary,
    ProgressRecord,
    paired_effect_size,
    progression_table,
    summarise,
    suppress_progression,
)
from emplus.evidence_core.reliable_change import ReliabilityStats
from emplus.pathways.models import Dimension, Enrolment, Instrument, Participant
from emplus.pathways.services import assessment_record

PAIRS = [(3, 5), (4, 4), (2, 6), (5, 6), (5, 2)]
# S_diff = 1: an RCI equals the raw change, so |change| > 1.96 is reliable.
UNIT_STATS = ReliabilityStats(n=30, sd_baseline=1.0, reliability=0.5, se=0.5**0.5, s_diff=1.0)


def test_paired_effect_size_hand_computed():
    # given changes 2, 0, 4, 1, -3: mean 0.8, sample variance 26.8 / 4 = 6.7
    d, low, high = paired_effect_size([2, 0, 4, 1, -3])
    # then d = 0.8 / sqrt(6.7); SE = sqrt(1/5 + d^2/10)
    expected = 0.8 / math.sqrt(6.7)
    se = math.sqrt(1 / 5 + expected**2 / 10)
    assert d == pytest.approx(0.309067, abs=1e-6) == pytest.approx(expected)
    assert low == pytest.approx(expected - 1.959964 * se, abs=1e-6)
    assert high == pytest.approx(0.309067 + 1.959964 * 0.457769, abs=1e-5)


def test_effect_size_undefined_without_spread_or_with_one_pair():
    assert paired_effect_size([1, 1, 1]) is None
    assert paired_effect_size([2]) is None


def test_summary_of_one_group_hand_computed():
    # when
    s = summarise("X", "a", PAIRS, stats=UNIT_STATS)
    # then
    assert s.n == 5
    assert s.mean_first == pytest.approx(3.8) and s.mean_latest == pytest.approx(4.6)
    assert s.mean_change == pytest.approx(0.8)
    assert s.improved_share == pytest.approx(2 / 5)  # changes 2 and 4 exceed 1.96
    assert s.deteriorated_share == pytest.approx(1 / 5)  # change -3


def test_no_reliable_change_shares_without_statistics():
    s = summarise("X", "a", PAIRS, stats=None)
    assert s.improved_share is None and s.deteriorated_share is None and s.d is not None


def test_table_has_overall_then_groups_and_a_total_score():
    # given two dimensions; one record lacks b at the latest assessment
    records = [
        ProgressRecord("G1", {"a": 1, "b": 2}, {"a": 3, "b": 5}),
        ProgressRecord("G1", {"a": 2, "b": 2}, {"a": 2, "b": 3}),
        ProgressRecord("G2", {"a": 4, "b": 4}, {"a": 5}),
    ]
    # when
    rows = progression_table(records, dimensions=["a", "b"], stats={})
    # then
    keyed = {(r.group, r.dimension): r for r in rows}
    assert [(r.group, r.dimension) for r in rows][:3] == [(ALL, "a"), (ALL, "b"), (ALL, TOTAL)]
    assert keyed[(ALL, "a")].n == 3 and keyed[(ALL, "a")].mean_change == pytest.approx(1)
    assert keyed[(ALL, "b")].n == 2 and keyed[(ALL, TOTAL)].n == 2
    assert keyed[(ALL, TOTAL)].mean_change == pytest.approx((5 + 1) / 2)  # (3+5)-(1+2), (2+3)-4
    assert keyed[("G2", "b")].n == 0 and keyed[("G2", "b")].mean_change is None


def test_suppression_hides_small_group_and_a_complement_keeps_overall():
    # given overall 12 = 9 + 3
    rows = [
        ChangeSummary(ALL, "a", 12, 1, 2, 1),
        ChangeSummary("G1", "a", 9, 1, 2, 1),
        ChangeSummary("G2", "a", 3, 1, 2, 1),
    ]
    # when
    shown = suppress_progression(rows)
    # then
    assert shown[0].n == 12
    assert shown[1].hidden and shown[2].hidden and shown[2].mean_change is None


# --- from the database ----------------------------------------------------------------------


@pytest.fixture
def instrument(db):
    Instrument.objects.update(is_active=False)
    instrument = Instrument.objects.create(
        code="AAA-TEST", name_sv="Test", name_en="Test", scale_min=1, scale_max=10
    )
    for order, code in enumerate(("a", "b")):
        Dimension.objects.create(
            instrument=instrument,
            code=code,
            order=order,
            label_sv=code,
            label_en=code,
            anchor_low_sv="",
            anchor_low_en="",
            anchor_high_sv="",
            anchor_high_en="",
        )
    return instrument


@pytest.fixture
def assessed(instrument, coach, other_org_coach, unit_a1, unit_b1):
    """Five enrolments in organisation A with PAIRS on dimension a (b: +1 each), two in B."""
    for i, (first, latest) in enumerate(PAIRS + [(1, 2), (2, 3)]):
        unit, actor = (unit_a1, coach) if i < 5 else (unit_b1, other_org_coach)
        participant = Participant.objects.create(
            organisation=unit.organisation, unit=unit, participant_ref=f"P{i}"
        )
        enrolment = Enrolment.objects.create(participant=participant, entry_date=date(2025, 1, 1))
        for on, a, b in ((date(2025, 2, 1), first, 5), (date(2025, 5, 1), latest, 6)):
            assessment_record(
                actor=actor,
                enrolment=enrolment,
                instrument=instrument,
                assessed_on=on,
                scores={"a": a, "b": b},
            )


def test_coordinator_sees_own_organisation_matching_the_pure_core(assessed, coordinator):
    # when
    report = progression_report(viewer=coordinator, filters=IndicatorFilters())
    # then
    keyed = {(r.group, r.dimension): r for r in report.rows}
    assert report.suppressed_below is None
    assert {r.group for r in report.rows} == {ALL, "ORGA"}
    expected = summarise(ALL, "a", PAIRS, stats=None)
    got = keyed[(ALL, "a")]
    assert got.n == 5 and got.mean_change == pytest.approx(expected.mean_change)
    assert got.d == pytest.approx(expected.d)
    assert keyed[(ALL, "b")].mean_change == pytest.approx(1) and keyed[(ALL, "b")].d is None
    assert got.improved_share is None  # fewer than 30 participants: no reliability estimate


def test_partnership_hides_the_small_organisation_and_its_complement(assessed, analyst):
    # when
    report = progression_report(viewer=analyst, filters=IndicatorFilters())
    # then
    keyed = {(r.group, r.dimension): r for r in report.rows}
    assert report.suppressed_below == 5
    assert keyed[(ALL, "a")].n == 7
    assert keyed[("ORGB", "a")].hidden and keyed[("ORGA", "a")].hidden


def test_grouped_by_phase_without_steps_is_one_none_group(assessed, coordinator):
    report = progression_report(viewer=coordinator, group_by="phase")
    assert {r.group for r in report.rows} == {ALL, "-"}


@pytest.mark.parametrize(("persona", "status"), [("coach", 403), ("analyst", 200)])
def test_progression_page_role_matrix(assessed, client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get("/evidence/progression/", {"group_by": "organisation"})
    assert response.status_code == status
    if status == 200:
        assert 'id="progression"' in response.content.decode()


def test_an_instrument_without_dimensions_gives_a_page_that_says_so(db, client, coordinator):
    # given an active instrument whose dimensions are not entered yet
    Instrument.objects.update(is_active=False)
    Instrument.objects.create(
        code="AAA-EMPTY", name_sv="Tomt", name_en="Empty", scale_min=1, scale_max=10
    )
    # when
    client.force_login(coordinator)
    response = client.get("/evidence/progression/", {"group_by": "organisation"})
    # then the page answers, with no table and a sentence instead of an error
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="progression"' not in page
    assert "har inga dimensioner" in page or "has no dimensions" in page
