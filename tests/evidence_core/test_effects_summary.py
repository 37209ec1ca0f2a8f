"""The plain-language summary says what the estimate means and what it does not, sv and en."""

from __future__ import annotations

import pytest

from emplus.evidence_core.effects import estimate_effect, plain_language_summary
from emplus.evidence_core.testing.effects import COVARIATES, generate_effect_data


@pytest.fixture(scope="module")
def data():
    return generate_effect_data(8_000, treated_share=0.2, seed=21)


def _result(data, outcome="earnings", method="psm"):
    extra = {"outcome_before": "earnings_before"} if method == "did" else {}
    return estimate_effect(
        data.frame,
        treatment="participant",
        outcome=outcome,
        covariates=COVARIATES,
        method=method,
        **extra,
    )


def test_english_summary_states_att_observed_covariates_and_no_individual_score(data):
    text = plain_language_summary(_result(data), "en")
    assert "took part (ATT)" in text
    assert "not a score or a prediction for any single person" in text
    assert "months_unemployed" in text
    assert "no unobserved difference" in text
    assert "95 % confidence interval" in text


def test_swedish_summary_says_the_same_in_swedish_number_format(data):
    result = _result(data)
    text = plain_language_summary(result, "sv")
    assert "deltog (ATT)" in text
    assert "inte ett betyg eller en prognos för någon enskild person" in text
    assert "oobserverad skillnad" in text
    assert "högre" in text
    # thousands separated by a no-break space, not by a comma
    whole = f"{round(result.estimate):,}".replace(",", "\u00a0")
    assert whole in text


def test_binary_outcome_is_described_in_percentage_points(data):
    assert "percentage points" in plain_language_summary(_result(data, "employed"), "en")
    assert "procentenheter" in plain_language_summary(_result(data, "employed"), "sv")


def test_did_summary_names_the_parallel_trends_assumption(data):
    result = _result(data, method="did")
    assert "parallel trends" in plain_language_summary(result, "en")
    assert "parallella trender" in plain_language_summary(result, "sv")


def test_interval_across_zero_is_called_inconclusive(data):
    small = generate_effect_data(300, treated_share=0.2, seed=3, effect=0.0)
    result = _result(small)
    assert result.ci_low < 0 < result.ci_high
    assert "cannot tell an effect from no effect" in plain_language_summary(result, "en")
    assert "ingen effekt" in plain_language_summary(result, "sv")


def test_unknown_language_is_an_error(data):
    with pytest.raises(ValueError, match="language"):
        plain_language_summary(_result(data), "de")  # type: ignore[arg-type]
