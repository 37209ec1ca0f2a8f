"""Matching and its Abadie–Imbens variance against a plain loop; statistical invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emplus.evidence_core.effects import estimate_effect
from emplus.evidence_core.effects.matching import (
    control_variance_on_covariates,
    control_variance_on_score,
    match_on_covariates,
    matching_att,
    stable_order,
)
from emplus.evidence_core.testing.effects import COVARIATES, generate_effect_data


def _reference(tx, cx, tl, cl, ty, cy, *, matches, on, caliper, bias):
    """Abadie–Imbens matching written out row by row: all controls as near as the M-th share
    the match; bias correction by weighted least squares on the matched controls."""
    if on == "score":
        order = np.argsort(cl, kind="stable")
        sigma2 = np.empty(cl.size)
        sigma2[order] = control_variance_on_score(cl[order], cy[order])
    sets, k, k_sq = [], np.zeros(cl.size), np.zeros(cl.size)
    for i in range(ty.size):
        distance = np.abs(cl - tl[i]) if on == "score" else np.linalg.norm(cx - tx[i], axis=1)
        radius = np.sort(distance)[min(matches, cl.size) - 1]
        chosen = np.flatnonzero(distance <= radius + 1e-9)
        if caliper is not None:
            chosen = chosen[np.abs(cl[chosen] - tl[i]) <= caliper + 1e-9]
        sets.append(chosen)
        if chosen.size:
            k[chosen] += 1 / chosen.size
            k_sq[chosen] += 1 / chosen.size**2
    if on == "covariates":
        from scipy.spatial import cKDTree

        sigma2 = control_variance_on_covariates(cKDTree(cx), cx, cy, np.flatnonzero(k > 0))
    mu_c, mu_t = np.zeros(cl.size), np.zeros(ty.size)
    if bias:
        used = k > 0
        design = np.column_stack((np.ones(used.sum()), cx[used])) * np.sqrt(k[used])[:, None]
        coef = np.linalg.lstsq(design, cy[used] * np.sqrt(k[used]), rcond=None)[0]
        mu_c, mu_t = coef[0] + cx @ coef[1:], coef[0] + tx @ coef[1:]
    diffs = np.array(
        [ty[i] - np.mean(cy[c] + mu_t[i] - mu_c[c]) for i, c in enumerate(sets) if c.size]
    )
    att = diffs.mean()
    variance = (np.sum((diffs - att) ** 2) + np.sum((k**2 - k_sq) * sigma2)) / diffs.size**2
    return att, np.sqrt(variance), k


def _data(rounding, seed=4):
    rng = np.random.default_rng(seed)
    tx, cx = rng.normal(0.4, 1, (60, 3)), rng.normal(0, 1, (200, 3))
    if rounding is not None:
        # many exact ties among controls and between treated and controls
        tx, cx = np.round(tx, rounding), np.round(cx, rounding)
    coef = np.array([0.8, -0.5, 0.3])
    tl, cl = tx @ coef, cx @ coef
    ty = tx @ np.array([2.0, 1.0, 0.0]) + rng.normal(size=60) + 1
    cy = cx @ np.array([2.0, 1.0, 0.0]) + rng.normal(size=200)
    return tx, cx, tl, cl, ty, cy


@pytest.mark.parametrize("on", ["score", "covariates"])
@pytest.mark.parametrize("matches", [1, 4])
@pytest.mark.parametrize("caliper", [None, 0.05])
@pytest.mark.parametrize("rounding", [None, 1])
@pytest.mark.parametrize("bias", [True, False])
def test_vectorised_matching_equals_row_by_row_reference(on, matches, caliper, rounding, bias):
    tx, cx, tl, cl, ty, cy = _data(rounding)
    got = matching_att(
        ty,
        cy,
        tx,
        cx,
        tl,
        cl,
        matches=matches,
        match_on=on,
        caliper=caliper,
        bias_correction=bias,
    )
    att, se, k = _reference(
        tx, cx, tl, cl, ty, cy, matches=matches, on=on, caliper=caliper, bias=bias
    )
    assert got.estimate == pytest.approx(att, rel=1e-10)
    assert got.std_error == pytest.approx(se, rel=1e-8)
    assert np.allclose(got.control_weight, k)


def test_bias_correction_removes_a_linear_matching_discrepancy():
    # given outcomes exactly linear in the covariates and no effect, and few close controls
    rng = np.random.default_rng(1)
    tx, cx = rng.normal(1.0, 1, (40, 2)), rng.normal(0, 1, (80, 2))
    ty, cy = tx @ [3.0, -2.0] + 5, cx @ [3.0, -2.0] + 5
    tl, cl = tx[:, 0], cx[:, 0]
    # when
    raw = matching_att(
        ty,
        cy,
        tx,
        cx,
        tl,
        cl,
        matches=4,
        match_on="covariates",
        caliper=None,
        bias_correction=False,
    )
    corrected = matching_att(
        ty, cy, tx, cx, tl, cl, matches=4, match_on="covariates", caliper=None, bias_correction=True
    )
    # then the raw estimate is off and the corrected one exact
    assert abs(raw.estimate) > 0.1
    assert corrected.estimate == pytest.approx(0.0, abs=1e-9)


def test_ties_at_the_mth_distance_share_the_match_whatever_the_row_order():
    tx = np.array([[0.0, 0.0]])
    cx = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [3.0, 3.0]])
    sets, _ = match_on_covariates(tx, cx, 2)
    assert sorted(sets.control.tolist()) == [0, 1, 2, 3]
    assert sets.weight.tolist() == [0.25] * 4
    got = matching_att(
        np.array([10.0]),
        np.array([1.0, 2.0, 3.0, 4.0, 100.0]),
        tx,
        cx,
        np.zeros(1),
        np.zeros(5),
        matches=2,
        match_on="covariates",
        caliper=None,
        bias_correction=False,
    )
    assert got.estimate == pytest.approx(10 - 2.5)


def test_score_matches_do_not_depend_on_rounding_in_the_last_bits():
    # given controls at exactly 0.1 either side of a treated row in decimal, not in binary
    treated = np.array([0.3])
    controls = np.array([0.2, 0.4, 0.4 + 1e-13, 0.2 - 1e-13, 3.0])
    outcome = np.array([1.0, 3.0, 3.0, 1.0, 100.0])
    x = np.zeros((5, 1))
    # when
    got = matching_att(
        np.array([10.0]),
        outcome,
        np.zeros((1, 1)),
        x,
        treated,
        controls,
        matches=1,
        match_on="score",
        caliper=None,
        bias_correction=False,
    )
    # then all four near-equidistant controls share the match
    assert got.control_weight.tolist() == [0.25, 0.25, 0.25, 0.25, 0.0]
    assert got.estimate == pytest.approx(8.0)


@pytest.mark.parametrize("matches", [1, 2, 6])
def test_more_matches_use_more_controls_and_the_caliper_drops_far_treated(matches):
    tx, cx, tl, cl, ty, cy = _data(None, seed=9)
    got = matching_att(
        ty,
        cy,
        tx,
        cx,
        tl,
        cl,
        matches=matches,
        match_on="score",
        caliper=None,
        bias_correction=True,
    )
    assert got.control_weight.sum() == pytest.approx(ty.size)
    assert np.count_nonzero(got.control_weight) >= min(matches, cl.size)
    narrow = matching_att(
        ty,
        cy,
        tx,
        cx,
        tl,
        cl,
        matches=matches,
        match_on="score",
        caliper=1e-6,
        bias_correction=True,
    )
    assert narrow.treated_used.sum() < got.treated_used.sum()


_SAMPLE = generate_effect_data(1_200, treated_share=0.3, seed=8).frame


@given(
    shift=st.floats(-1e5, 1e5, allow_nan=False),
    scale=st.floats(0.01, 100, allow_nan=False),
    method=st.sampled_from(["psm", "ipw", "aipw"]),
)
@settings(max_examples=25, deadline=None)
def test_estimate_moves_with_affine_changes_of_the_outcome(shift, scale, method):
    # ATT(a*y + b) = a*ATT(y): the unit or origin of the outcome does not matter
    base = estimate_effect(
        _SAMPLE, treatment="participant", outcome="earnings", covariates=COVARIATES, method=method
    )
    moved = estimate_effect(
        _SAMPLE.with_columns(earnings=_SAMPLE["earnings"] * scale + shift),
        treatment="participant",
        outcome="earnings",
        covariates=COVARIATES,
        method=method,
    )
    tolerance = 1e-6 * (abs(base.estimate) + abs(shift) / scale + 1)
    assert moved.estimate / scale == pytest.approx(base.estimate, abs=tolerance)
    assert moved.std_error / scale == pytest.approx(base.std_error, rel=1e-6)


@given(scale=st.floats(0.001, 1000), shift=st.floats(-1e4, 1e4))
@settings(max_examples=20, deadline=None)
def test_covariate_units_change_neither_estimate_nor_balance(scale, shift):
    base = estimate_effect(
        _SAMPLE, treatment="participant", outcome="earnings", covariates=COVARIATES
    )
    moved = estimate_effect(
        _SAMPLE.with_columns(prior_earnings=_SAMPLE["prior_earnings"] * scale + shift),
        treatment="participant",
        outcome="earnings",
        covariates=COVARIATES,
    )
    assert moved.estimate == pytest.approx(base.estimate, rel=1e-6)
    smd = {row.covariate: row.smd_before for row in base.balance}
    for row in moved.balance:
        assert row.smd_before == pytest.approx(smd[row.covariate], rel=1e-6, abs=1e-9)


def test_control_variance_uses_whole_tie_groups_whatever_the_row_order():
    logit = np.array([0.0, 0.0, 0.0, 1.0, 2.0])
    outcome = np.array([1.0, 2.0, 6.0, 5.0, 7.0])
    got = control_variance_on_score(logit, outcome)
    # tied group: J=2 others; the singleton at 1.0 uses all four rows around it
    assert got[0] == pytest.approx(2 / 3 * (1 - 4) ** 2)
    assert got[3] == pytest.approx(4 / 5 * (5 - (1 + 2 + 6 + 7) / 4) ** 2)
    assert got[4] == pytest.approx(1 / 2 * (7 - 5) ** 2)
    swapped = control_variance_on_score(logit, outcome[[2, 0, 1, 3, 4]])
    assert sorted(swapped[:3]) == pytest.approx(sorted(got[:3]))


@pytest.mark.parametrize("match_on", ["covariates", "score"])
def test_estimate_does_not_depend_on_row_order(match_on):
    shuffled = _SAMPLE.sample(fraction=1.0, shuffle=True, seed=3)
    a, b = (
        estimate_effect(
            f, treatment="participant", outcome="earnings", covariates=COVARIATES, match_on=match_on
        )
        for f in (_SAMPLE, shuffled)
    )
    assert a.estimate == pytest.approx(b.estimate, rel=1e-9)
    assert a.std_error == pytest.approx(b.std_error, rel=1e-9)


@given(
    values=st.lists(
        st.sampled_from([-1.5, -0.0, 0.0, 0.25, 2.0, 1e300, -np.inf, np.inf, np.nan]), max_size=40
    )
    | st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=40)
)
@settings(max_examples=300, deadline=None)
def test_stable_order_equals_numpys_stable_sort(values):
    # Many equal values (and -0.0 beside 0.0) must keep their row order, as in a stable sort.
    array = np.asarray(values, dtype=np.float64)
    assert stable_order(array).tolist() == np.argsort(array, kind="stable").tolist()


def test_stable_order_on_a_large_array_with_a_few_ties():
    rng = np.random.default_rng(7)
    values = rng.normal(size=200_000)
    values[rng.integers(0, values.size, 500)] = values[rng.integers(0, values.size, 500)]
    order = stable_order(values)
    assert np.array_equal(order, np.argsort(values, kind="stable"))
