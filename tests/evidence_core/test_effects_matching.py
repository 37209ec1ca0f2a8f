"""Matching and its Abadie–Imbens variance against a plain loop; statistical invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emplus.evidence_core.effects import estimate_effect
from emplus.evidence_core.effects.matching import control_variance, psm_att, score_tolerance
from emplus.evidence_core.testing.effects import COVARIATES, generate_effect_data


def _reference(tl, cl, ty, cy, caliper):
    """Abadie–Imbens ATT and variance written out row by row, ties shared."""
    order = np.argsort(cl, kind="stable")
    sorted_y = cy[order]
    sigma2 = np.empty(cl.size)
    sigma2[order] = control_variance(cl[order], sorted_y, score_tolerance(cl))
    k = np.zeros(cl.size)
    k_sq = np.zeros(cl.size)
    diffs = []
    for x, y in zip(tl, ty, strict=True):
        distance = np.abs(cl - x)
        best = distance.min()
        if caliper is not None and best > caliper:
            continue
        chosen = np.flatnonzero(distance <= best + 1e-9)
        k[chosen] += 1 / chosen.size
        k_sq[chosen] += 1 / chosen.size**2
        diffs.append(y - cy[chosen].mean())
    diffs = np.array(diffs)
    att = diffs.mean()
    variance = (np.sum((diffs - att) ** 2) + np.sum((k**2 - k_sq) * sigma2)) / diffs.size**2
    return att, np.sqrt(variance), k


@pytest.mark.parametrize("caliper", [None, 0.05])
@pytest.mark.parametrize("rounding", [None, 1])
def test_vectorised_matching_equals_row_by_row_reference(caliper, rounding):
    rng = np.random.default_rng(4)
    tl = rng.normal(0.5, 1, 60)
    cl = rng.normal(0, 1, 200)
    if rounding is not None:
        # many exact ties among controls and between treated and controls
        tl, cl = np.round(tl, rounding), np.round(cl, rounding)
    ty = rng.normal(size=tl.size) + 1
    cy = rng.normal(size=cl.size)
    got = psm_att(tl, cl, ty, cy, caliper)
    att, se, k = _reference(tl, cl, ty, cy, caliper)
    assert got.estimate == pytest.approx(att, rel=1e-12)
    assert got.std_error == pytest.approx(se, rel=1e-10)
    assert np.allclose(got.control_weight, k)


def test_matches_do_not_depend_on_rounding_in_the_last_bits():
    # given controls at exactly 0.1 either side of a treated row in decimal, not in binary
    treated = np.array([0.3])
    controls = np.array([0.2, 0.4, 0.4 + 1e-13, 0.2 - 1e-13, 3.0])
    outcome = np.array([1.0, 3.0, 3.0, 1.0, 100.0])
    # when
    got = psm_att(treated, controls, np.array([10.0]), outcome, None)
    # then all four near-equidistant controls share the match
    assert got.control_weight.tolist() == [0.25, 0.25, 0.25, 0.25, 0.0]
    assert got.estimate == pytest.approx(8.0)


def test_equidistant_controls_on_both_sides_share_the_match():
    got = psm_att(
        np.array([0.0]),
        np.array([-1.0, 1.0, 5.0]),
        np.array([10.0]),
        np.array([2.0, 4.0, 0.0]),
        None,
    )
    assert got.estimate == pytest.approx(10 - 3)
    assert got.control_weight.tolist() == [0.5, 0.5, 0.0]


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
    got = control_variance(logit, outcome, 1e-9)
    # tied group: J=2 others; the singleton at 1.0 uses all four rows around it
    assert got[0] == pytest.approx(2 / 3 * (1 - 4) ** 2)
    assert got[3] == pytest.approx(4 / 5 * (5 - (1 + 2 + 6 + 7) / 4) ** 2)
    assert got[4] == pytest.approx(1 / 2 * (7 - 5) ** 2)
    swapped = control_variance(logit, outcome[[2, 0, 1, 3, 4]], 1e-9)
    assert sorted(swapped[:3]) == pytest.approx(sorted(got[:3]))
