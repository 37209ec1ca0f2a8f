"""Each estimator recovers a known ATT on synthetic data; balance, trimming, determinism."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import polars as pl
import pytest

from emplus.evidence_core.effects import estimate_effect
from emplus.evidence_core.testing.effects import generate_effect_data

COVARIATES = [
    "age",
    "female",
    "foreign_born",
    "education",
    "region",
    "months_unemployed",
    "prior_earnings",
]


@pytest.fixture(scope="module")
def data():
    return generate_effect_data(40_000, treated_share=0.15, seed=11)


def _estimate(frame, method="psm", outcome="earnings", **kwargs):
    return estimate_effect(
        frame,
        treatment="participant",
        outcome=outcome,
        covariates=kwargs.pop("covariates", COVARIATES),
        method=method,
        **kwargs,
    )


@pytest.mark.parametrize("method", ["psm", "ipw", "aipw"])
@pytest.mark.parametrize("outcome", ["earnings", "employed"])
def test_estimator_recovers_known_att(data, method, outcome):
    # given synthetic data where selection depends on observed covariates only
    truth = data.true_att[outcome]
    # when
    result = _estimate(data.frame, method=method, outcome=outcome)
    # then the interval covers the truth and the point estimate is close to it
    assert result.ci_low <= truth <= result.ci_high
    assert abs(result.estimate - truth) < 3 * result.std_error
    assert result.estimand == "ATT"
    assert result.n_treated + result.n_control == data.frame.height


def test_naive_difference_is_biased_so_recovery_is_not_trivial(data):
    means = data.frame.group_by("participant").agg(pl.col("earnings").mean()).sort("participant")
    naive = means["earnings"][1] - means["earnings"][0]
    assert abs(naive - data.true_att["earnings"]) > 10_000


def test_did_recovers_effect_when_an_unobserved_level_drives_selection():
    # given selection on a hidden, time-constant trait that also raises earnings
    data = generate_effect_data(30_000, treated_share=0.2, seed=5, hidden_selection=1.0)
    truth = data.true_att["earnings"]
    # when
    did = _estimate(data.frame, method="did", outcome_before="earnings_before")
    psm = _estimate(data.frame, method="psm")
    # then the change-based estimate is right and the cross-section one is not
    assert did.ci_low <= truth <= did.ci_high
    assert not psm.ci_low <= truth <= psm.ci_high


def test_did_without_covariates_is_the_plain_difference_of_mean_changes():
    data = generate_effect_data(5_000, treated_share=0.3, seed=2)
    frame = data.frame.with_columns(change=pl.col("earnings") - pl.col("earnings_before"))
    means = frame.group_by("participant").agg(pl.col("change").mean()).sort("participant")
    result = _estimate(data.frame, method="did", outcome_before="earnings_before", covariates=[])
    assert result.estimate == pytest.approx(means["change"][1] - means["change"][0], rel=1e-9)
    assert result.dropped.outside_support == 0


@pytest.mark.parametrize("method", ["psm", "ipw", "aipw", "did"])
def test_balance_improves_after_adjustment(data, method):
    extra = {"outcome_before": "earnings_before"} if method == "did" else {}
    result = _estimate(data.frame, method=method, **extra)
    names = [row.covariate for row in result.balance]
    assert names[:3] == ["age", "female", "foreign_born"]
    assert "education=grundskola" in names
    worst_before = max(abs(row.smd_before) for row in result.balance)
    worst_after = max(abs(row.smd_after) for row in result.balance)
    assert worst_before > 0.3
    assert worst_after < 0.1
    assert worst_after < worst_before / 3


def test_psm_caliper_leaves_out_treated_without_close_match_and_counts_them(data):
    wide = _estimate(data.frame, caliper=None)
    narrow = _estimate(data.frame, caliper=0.0005)
    assert narrow.dropped.outside_support > wide.dropped.outside_support
    assert narrow.n_used < wide.n_used
    assert narrow.caliper == 0.0005
    assert wide.caliper is None


def test_psm_n_used_counts_matched_treated_and_distinct_controls(data):
    result = _estimate(data.frame)
    treated_used = result.n_treated - result.treated_outside_support
    distinct_controls = result.n_used - treated_used
    assert result.matches <= distinct_controls <= min(result.n_control, 50 * treated_used)


def test_same_seed_gives_identical_json(data):
    frame = data.frame.head(2_000)
    for method in ("psm", "ipw"):
        first = _estimate(frame, method=method, interval="bootstrap", bootstrap_reps=30, seed=3)
        again = _estimate(frame, method=method, interval="bootstrap", bootstrap_reps=30, seed=3)
        other = _estimate(frame, method=method, interval="bootstrap", bootstrap_reps=30, seed=4)
        assert first.to_json() == again.to_json()
        assert (first.ci_low, first.ci_high) != (other.ci_low, other.ci_high)
        assert first.estimate == other.estimate


def test_json_has_exactly_the_spec_keys(data):
    result = _estimate(data.frame.head(3_000), method="aipw")
    obj = json.loads(result.to_json())
    assert list(obj) == [
        "method",
        "estimand",
        "outcome",
        "estimate",
        "ci_low",
        "ci_high",
        "n_treated",
        "n_control",
        "n_used",
        "dropped",
        "balance",
    ]
    assert list(obj["dropped"]) == ["missing", "outside_support"]
    assert list(obj["balance"][0]) == ["covariate", "smd_before", "smd_after"]
    assert all(math.isfinite(obj[key]) for key in ("estimate", "ci_low", "ci_high"))


def test_result_does_not_depend_on_row_order(data):
    frame = data.frame.head(4_000)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=1)
    for method in ("psm", "ipw", "aipw"):
        a = _estimate(frame, method=method)
        b = _estimate(shuffled, method=method)
        assert a.estimate == pytest.approx(b.estimate, rel=1e-9, abs=1e-6)
        assert a.ci_high == pytest.approx(b.ci_high, rel=1e-6)


def test_text_form_shows_estimate_interval_and_balance(data):
    text = _estimate(data.frame.head(3_000)).to_text()
    assert "ATT" in text
    assert "95 % CI" in text
    assert "SMD before" in text
    assert "months_unemployed" in text


def test_effect_core_does_not_import_django():
    code = (
        "import sys, emplus.evidence_core.effects, emplus.evidence_core.testing.effects;"
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_progress_is_reported_from_zero_to_one(data):
    seen: list[float] = []
    _estimate(
        data.frame.head(2_000),
        method="ipw",
        interval="bootstrap",
        bootstrap_reps=20,
        progress=lambda fraction, _message: seen.append(fraction),
    )
    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)
    assert len(seen) > 20
