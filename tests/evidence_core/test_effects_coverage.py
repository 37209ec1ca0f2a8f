"""Over many small synthetic samples the 95 % intervals cover the true ATT at about 95 %."""

from __future__ import annotations

import pytest

from emplus.evidence_core.effects import estimate_effect
from emplus.evidence_core.testing.effects import COVARIATES, generate_effect_data

SEEDS = range(200)
#: With 200 samples and a true rate of 0.95 the count lies in this band with ~99.9 % chance.
LOW, HIGH = 0.90, 0.99


@pytest.fixture(scope="module")
def samples():
    return [generate_effect_data(1_500, treated_share=0.25, seed=10_000 + s) for s in SEEDS]


@pytest.mark.parametrize(
    ("method", "outcome"),
    [
        ("psm", "earnings"),
        ("ipw", "earnings"),
        ("aipw", "earnings"),
        ("aipw", "employed"),
        ("ipw", "employed"),
        ("psm", "employed"),
    ],
)
def test_confidence_interval_covers_true_att_at_nominal_rate(samples, method, outcome):
    covered = 0
    for data in samples:
        result = estimate_effect(
            data.frame,
            treatment="participant",
            outcome=outcome,
            covariates=COVARIATES,
            method=method,
        )
        covered += result.ci_low <= data.true_att[outcome] <= result.ci_high
    rate = covered / len(samples)
    assert LOW <= rate <= HIGH, f"{method}/{outcome}: coverage {rate:.3f}"


def test_did_interval_covers_true_att_at_nominal_rate():
    covered = 0
    seeds = range(100)
    for s in seeds:
        data = generate_effect_data(1_500, treated_share=0.25, seed=20_000 + s, hidden_selection=1)
        result = estimate_effect(
            data.frame,
            treatment="participant",
            outcome="earnings",
            outcome_before="earnings_before",
            covariates=COVARIATES,
            method="did",
        )
        covered += result.ci_low <= data.true_att["earnings"] <= result.ci_high
    assert 0.88 <= covered / len(seeds) <= 1.0
