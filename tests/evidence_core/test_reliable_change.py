"""Distance-travelled maths (Jacobson–Truax) against values worked out by hand."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emplus.evidence_core import reliable_change


def test_sample_sd_and_pearson_match_hand_computed_values():
    # given x = 1..5 and y = 2,4,5,4,5 (sxy = 6, sxx = 10, syy = 6)
    xs, ys = [1, 2, 3, 4, 5], [2, 4, 5, 4, 5]
    # then
    assert reliable_change.sample_sd(xs) == pytest.approx(math.sqrt(10 / 4))
    assert reliable_change.pearson(xs, ys) == pytest.approx(6 / math.sqrt(60))


def test_pearson_is_undefined_without_spread():
    assert reliable_change.pearson([3, 3, 3], [1, 2, 3]) is None


def test_cronbach_alpha_matches_hand_computed_value():
    # given item variances 5/3, 11/12, 11/12 (sum 3.5) and total variance 26/3
    rows = [[2, 3, 3], [4, 4, 5], [3, 5, 4], [5, 5, 5]]
    # then alpha = 3/2 * (1 - 3.5 / (26/3))
    assert reliable_change.cronbach_alpha(rows) == pytest.approx(1.5 * (1 - 3.5 / (26 / 3)))
    assert reliable_change.cronbach_alpha([[1, 2], [2, 3], [3, 4]]) == pytest.approx(1.0)


def test_classic_jacobson_truax_example():
    # given SD 7.5 and reliability .88 (SE = 7.5·√.12 = 2.598, S_diff = √2·SE = 3.674)
    baseline = [0.0] * 15 + [15.0] * 15
    sd = reliable_change.sample_sd(baseline)
    stats = reliable_change.stats_from(baseline, 0.88, minimum=30)
    # when a score changes by 10 points
    index = reliable_change.rci(20, 30, stats)
    # then
    assert stats.se == pytest.approx(sd * math.sqrt(0.12))
    assert stats.s_diff == pytest.approx(math.sqrt(2) * sd * math.sqrt(0.12))
    assert index == pytest.approx(10 / (math.sqrt(2) * sd * math.sqrt(0.12)))


def test_reliable_change_verdicts_on_a_small_worked_example():
    # given baseline 1..5 (SD √2.5) and r = .75: SE = √2.5·.5, S_diff = √1.25 ≈ 1.118
    stats = reliable_change.stats_from([1, 2, 3, 4, 5], 0.75, minimum=5)
    assert stats.s_diff == pytest.approx(math.sqrt(1.25))
    # then +3 is reliable (RCI 2.68), +1 is not (0.89), −3 a reliable deterioration
    up = reliable_change.change_of(code="a", label="A", first=3, latest=6, stats=stats)
    small = reliable_change.change_of(code="a", label="A", first=3, latest=4, stats=stats)
    down = reliable_change.change_of(code="a", label="A", first=6, latest=3, stats=stats)
    assert up.rci == pytest.approx(3 / math.sqrt(1.25))
    assert up.verdict == reliable_change.IMPROVED and up.change == 3
    assert small.verdict == reliable_change.NO_RELIABLE_CHANGE
    assert down.verdict == reliable_change.DETERIORATED


def test_too_few_participants_means_not_enough_data_rather_than_a_guess():
    # given 29 participants with two assessments
    pairs = [(i % 10 + 1, (i + 1) % 10 + 1) for i in range(29)]
    # then no statistics and the verdict says so
    assert reliable_change.retest_stats(pairs) is None
    change = reliable_change.change_of(code="a", label="A", first=2, latest=9, stats=None)
    assert change.change == 7 and change.rci is None
    assert change.verdict == reliable_change.NOT_ENOUGH_DATA


def test_thirty_participants_give_test_retest_statistics():
    # given 30 participants whose second score is the first plus a varying bit
    firsts = [i % 10 + 1 for i in range(30)]
    pairs = [(a, min(10, a + (i % 3))) for i, a in enumerate(firsts)]
    # when
    stats = reliable_change.retest_stats(pairs)
    # then SD is over the first scores and r is their test-retest correlation
    assert stats.n == 30
    assert stats.sd_baseline == pytest.approx(reliable_change.sample_sd(firsts))
    assert stats.reliability == pytest.approx(
        reliable_change.pearson(firsts, [b for _, b in pairs])
    )


@pytest.mark.parametrize("reliability", [None, 0.0, -0.2, 1.0])
def test_unusable_reliability_gives_no_statistics(reliability):
    assert reliable_change.stats_from(list(range(40)), reliability) is None


def test_no_spread_at_baseline_gives_no_statistics():
    assert reliable_change.stats_from([5] * 40, 0.8) is None


def test_total_uses_cronbach_alpha_of_the_first_profiles():
    profiles = [[(i + j) % 10 + 1 for j in range(3)] for i in range(30)]
    stats = reliable_change.total_stats(profiles)
    alpha = reliable_change.cronbach_alpha(profiles)
    if alpha is None or not 0 < alpha < 1:
        assert stats is None
    else:
        assert stats.reliability == pytest.approx(alpha)


def test_distance_travelled_keeps_dimension_order_and_marks_missing_values():
    rows = reliable_change.distance_travelled(
        dimensions=[("b", "B"), ("a", "A")],
        first={"a": 2, "b": 5},
        latest={"a": 4},
        stats={},
    )
    assert [r.code for r in rows] == ["b", "a"]
    assert rows[0].change is None and rows[0].verdict == reliable_change.NOT_ENOUGH_DATA
    assert rows[1].change == 2


@given(
    x1=st.integers(1, 10),
    x2=st.integers(1, 10),
    sd=st.floats(0.5, 5),
    r=st.floats(0.05, 0.95),
)
def test_rci_is_antisymmetric_and_zero_without_change(x1, x2, sd, r):
    stats = reliable_change.ReliabilityStats(
        n=30,
        sd_baseline=sd,
        reliability=r,
        se=sd * math.sqrt(1 - r),
        s_diff=math.sqrt(2) * sd * math.sqrt(1 - r),
    )
    assert reliable_change.rci(x1, x2, stats) == pytest.approx(-reliable_change.rci(x2, x1, stats))
    assert reliable_change.rci(x1, x1, stats) == 0


def _same(got: reliable_change.ReliabilityStats | None, expected) -> None:
    assert (got is None) == (expected is None)
    if expected is not None:
        assert got.n == expected.n
        for name in ("sd_baseline", "reliability", "se", "s_diff"):
            assert getattr(got, name) == pytest.approx(getattr(expected, name), rel=1e-9)


@given(
    st.lists(st.tuples(st.integers(1, 10), st.integers(1, 10)), max_size=80),
    st.integers(2, 40),
)
def test_retest_stats_from_exact_sums_equal_those_from_the_pairs(pairs, minimum):
    # given the pairs' exact sums (Σa, Σb, Σa², Σb², Σab)
    sums = (
        len(pairs),
        sum(a for a, _ in pairs),
        sum(b for _, b in pairs),
        sum(a * a for a, _ in pairs),
        sum(b * b for _, b in pairs),
        sum(a * b for a, b in pairs),
    )
    got = reliable_change.retest_stats_from_sums(*sums, minimum=minimum)
    # then the estimates are those of the pairs themselves (None alike: too few, no spread,
    # r ≤ 0); r exactly 0 or 1 is none (the floats of `pearson` may miss either by a hair)
    n, sa, sb, saa, sbb, sab = sums
    sxy, sxx, syy = n * sab - sa * sb, n * saa - sa * sa, n * sbb - sb * sb
    if sxx and syy and (sxy == 0 or sxy * sxy == sxx * syy):
        assert got is None
    else:
        _same(got, reliable_change.retest_stats(pairs, minimum=minimum))


@given(
    st.integers(1, 5).flatmap(
        lambda k: st.lists(st.lists(st.integers(1, 10), min_size=k, max_size=k), max_size=80)
    ),
    st.integers(2, 40),
)
def test_total_stats_from_exact_sums_equal_those_from_the_profiles(profiles, minimum):
    # given the profiles' exact sums per item and of the totals
    k = len(profiles[0]) if profiles else 3
    totals = [sum(p) for p in profiles]
    stats = reliable_change.total_stats_from_sums(
        len(profiles),
        [sum(p[i] for p in profiles) for i in range(k)],
        [sum(p[i] * p[i] for p in profiles) for i in range(k)],
        sum(totals),
        sum(t * t for t in totals),
        minimum=minimum,
    )
    # then the estimates are those of the profiles (None alike); α exactly 0 or 1 is none (the
    # floats of `cronbach_alpha` may miss either by a hair)
    n = len(profiles)
    items = sum(
        n * sum(p[i] * p[i] for p in profiles) - sum(p[i] for p in profiles) ** 2 for i in range(k)
    )
    total = n * sum(t * t for t in totals) - sum(totals) ** 2
    if total > 0 and (items == total or k * items == total):
        assert stats is None
    else:
        _same(stats, reliable_change.total_stats(profiles, minimum=minimum) if profiles else None)


def test_stats_from_sums_a_perfect_retest_is_no_estimate():
    # given every second score equal to the first (r = 1): no index can rest on it
    pairs = [(i % 7 + 1, i % 7 + 1) for i in range(40)]
    sums = (
        40,
        sum(a for a, _ in pairs),
        sum(b for _, b in pairs),
        sum(a * a for a, _ in pairs),
        sum(b * b for _, b in pairs),
        sum(a * b for a, b in pairs),
    )
    assert reliable_change.retest_stats_from_sums(*sums) is None
    assert reliable_change.retest_stats(pairs) is None
