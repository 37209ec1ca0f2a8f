"""Deterministic synthetic data with a known true ATT, for tests and benchmarks.

Selection is on observed covariates (long unemployment, low earnings, short schooling make
taking part more likely), so a naive comparison is biased and an adjusted one is not. With
``hidden_selection`` > 0 an unobserved, time-constant trait also drives selection: then only
difference in differences (on ``earnings`` minus ``earnings_before``) stays unbiased.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.special import expit

EDUCATION_LEVELS = ("grundskola", "gymnasium", "eftergymnasial")
REGIONS = ("norr", "mitt", "syd")
COVARIATES = (
    "age",
    "female",
    "foreign_born",
    "education",
    "region",
    "months_unemployed",
    "prior_earnings",
)


@dataclass(frozen=True)
class SyntheticEffectData:
    """A table and the true ATT of each outcome column on the treated rows of this sample."""

    frame: pl.DataFrame
    true_att: dict[str, float]
    treatment: str = "participant"
    covariates: tuple[str, ...] = COVARIATES


def generate_effect_data(
    n_rows: int,
    *,
    treated_share: float = 0.1,
    seed: int = 0,
    effect: float = 12_000.0,
    employment_log_odds: float = 0.6,
    hidden_selection: float = 0.0,
) -> SyntheticEffectData:
    """Rows of persons; ``participant`` 1/0; outcomes ``earnings`` (kronor, with
    ``earnings_before``) and ``employed`` (0/1).

    ``effect`` is added to the earnings of every participant, so the ATT on ``earnings`` (and on
    its change) is exactly ``effect``. The employment effect is ``employment_log_odds`` on the
    log-odds scale; ``true_att["employed"]`` is its mean on the probability scale over the
    treated rows (the ATT conditional on their covariates).
    """
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 65, n_rows)
    female = rng.random(n_rows) < 0.5
    foreign_born = rng.random(n_rows) < 0.25
    education = rng.choice(3, n_rows, p=[0.3, 0.5, 0.2])
    region = rng.choice(3, n_rows, p=[0.2, 0.45, 0.35])
    months = np.minimum(np.round(rng.gamma(1.5, 8.0, n_rows)), 60.0)
    prior = np.maximum(0.0, rng.normal(220_000 - 2_500 * months, 70_000, n_rows))
    hidden = rng.normal(size=n_rows)

    selection = (
        -0.02 * (age - 40)
        + 0.035 * months
        - 0.5 * prior / 100_000
        + 0.4 * foreign_born
        + 0.5 * (education == 0)
        - 0.4 * (education == 2)
        + 0.2 * female
        + 0.15 * (region == 0)
        + hidden_selection * hidden
    )
    selection += _intercept_for_share(selection, treated_share)
    treated = rng.random(n_rows) < expit(selection)

    level = (
        150_000
        + 1_500 * (age - 40)
        - 40 * (age - 40) ** 2
        + 0.45 * prior
        - 1_200 * months
        + 25_000 * (education == 2)
        - 15_000 * (education == 0)
        - 10_000 * female
        + 30_000 * hidden
    )
    earnings_before = level + rng.normal(0, 20_000, n_rows)
    earnings = level + 5_000 + effect * treated + rng.normal(0, 20_000, n_rows)

    employed_base = 0.3 - 0.04 * months + 0.5 * (education == 2) - 0.3 * foreign_born + 0.5 * hidden
    p0 = expit(employed_base)
    p1 = expit(employed_base + employment_log_odds)
    employed = rng.random(n_rows) < np.where(treated, p1, p0)

    frame = pl.DataFrame(
        {
            "participant": treated.astype(np.int8),
            "age": age.astype(np.int16),
            "female": female,
            "foreign_born": foreign_born,
            "education": np.asarray(EDUCATION_LEVELS)[education],
            "region": np.asarray(REGIONS)[region],
            "months_unemployed": months,
            "prior_earnings": np.round(prior),
            "earnings_before": np.round(earnings_before, 2),
            "earnings": np.round(earnings, 2),
            "employed": employed.astype(np.int8),
        }
    )
    # Rounding earnings to öre shifts the sample ATT by far less than a krona.
    true_att = {
        "earnings": float(effect),
        "employed": float(np.mean((p1 - p0)[treated])) if treated.any() else float("nan"),
    }
    return SyntheticEffectData(frame=frame, true_att=true_att)


def _intercept_for_share(linear: np.ndarray, share: float) -> float:
    """The intercept that makes the mean selection probability equal ``share`` (bisection)."""
    low, high = -30.0, 30.0
    for _ in range(60):
        middle = (low + high) / 2
        if expit(linear + middle).mean() < share:
            low = middle
        else:
            high = middle
    return (low + high) / 2
