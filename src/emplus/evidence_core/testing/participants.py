"""Deterministic synthetic participant files for tests and benchmarks (fictitious data only).

`generate_participants(n, seed=...)` returns the cells of a participant file (strings, as a
partner would write them: mixed vocabularies and case, empty cells), with the edge cases the
indicator rules turn on: birthdays on the entry day at the age limits, unemployment at the
month limits, observations on both sides of every window, incomplete rows and rows that start
after the reporting date. The same seed always gives the same file.

Personal identity numbers are left empty unless asked for; then they are samordningsnummer
(day + 60) with random serial numbers, valid in form only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from emplus.core.export_cells import safe_frame
from emplus.evidence_core.participant_file import COLUMNS
from emplus.evidence_core.reference import municipality_by_code

__all__ = ["DEFAULT_AS_OF", "generate_participants", "write_participant_csv"]

DEFAULT_AS_OF = date(2026, 6, 30)
ORGANISATIONS = ("ABF", "COOMPANION", "FRS", "HSSL", "IFMETALL", "RF", "RB", "SMART", "CONVOY")
_YES = ("yes", "ja", "true", "1", "Yes", "JA")
_NO = ("no", "nej", "false", "0", "No", "NEJ")
_EPOCH = date(1970, 1, 1)


def _days(d: date) -> int:
    return (d - _EPOCH).days


def generate_participants(
    n: int,
    *,
    seed: int = 0,
    as_of: date = DEFAULT_AS_OF,
    personal_ids: bool = False,
    edge_cases: bool = True,
) -> pl.DataFrame:
    """A participant file's cells: all columns as strings, None for empty cells."""
    rng = np.random.default_rng(seed)

    def choice(values: Sequence[str | None], p: list[float] | None = None) -> pl.Series:
        picks = rng.choice(len(values), size=n, p=p)
        return pl.Series(list(values), dtype=pl.String).gather(picks)

    vocabulary = pl.Series([*_YES, *_NO, None], dtype=pl.String)

    def boolean(p_yes: float, p_empty: float) -> pl.Series:
        u = rng.random(n)
        picks = np.where(
            u < p_yes, rng.integers(0, len(_YES), n), len(_YES) + rng.integers(0, len(_NO), n)
        )
        picks[u > 1 - p_empty] = len(_YES) + len(_NO)
        return vocabulary.gather(picks)

    as_of_days = _days(as_of)
    entry = rng.integers(_days(date(2022, 1, 1)), as_of_days + 61, n)
    age_years = np.clip(rng.normal(34, 13, n), 15, 80).astype(np.int64)
    birth = entry - (age_years * 365.25).astype(np.int64) - rng.integers(0, 365, n)
    status = choice(["unemployed", "inactive", "employed", "self_employed"], [0.5, 0.3, 0.15, 0.05])
    months = rng.integers(0, 49, n)
    has_exit = rng.random(n) < 0.75
    exit_ = entry + rng.integers(0, 420, n)
    exit_obs = exit_ + rng.integers(0, 45, n)
    has_exit_obs = rng.random(n) < 0.45
    followup = exit_ + rng.integers(120, 241, n)
    has_followup = has_exit & (rng.random(n) < 0.6)

    if edge_cases:
        # Birthdays on the entry day exactly at the age limits of the rules.
        edge = rng.random(n) < 0.06
        limit_age = rng.choice(np.array([17, 18, 24, 25, 29, 30, 54, 55]), n)
        birth_edge = _shift_years(entry, -limit_age)
        birth = np.where(edge, birth_edge + rng.integers(-1, 2, n), birth)
        months = np.where(rng.random(n) < 0.2, rng.choice(np.array([5, 6, 11, 12]), n), months)
        # Observation days just inside and just outside the windows.
        exit_obs = np.where(
            rng.random(n) < 0.2, exit_ + rng.choice(np.array([28, 29]), n), exit_obs
        )
        followup = np.where(
            rng.random(n) < 0.2, exit_ + rng.choice(np.array([149, 150, 210, 211]), n), followup
        )

    codes = [*sorted(municipality_by_code()), None]
    picks = rng.integers(0, len(codes) - 1, n)
    picks[rng.random(n) < 0.1] = len(codes) - 1
    municipality = pl.Series(codes, dtype=pl.String).gather(picks)

    genders = choice(
        ["woman", "kvinna", "Woman", "man", "MAN", "non_binary", "icke-binär"],
        [0.30, 0.15, 0.03, 0.40, 0.09, 0.02, 0.01],
    )
    frame = pl.DataFrame(
        {
            "organisation": choice(list(ORGANISATIONS) + ["abf"], None),
            "birth_date": birth,
            "gender": genders,
            "municipality_code": municipality,
            "entry_date": entry,
            "exit_date": np.where(has_exit, exit_, -(10**6)),
            "lm_status_entry": status,
            "unemployed_months": np.where(
                (status == "unemployed").to_numpy() | (rng.random(n) < 0.1), months, -1
            ),
            "isced": rng.integers(0, 9, n),
            "disability": choice(["yes", "no", "declined", None], [0.12, 0.6, 0.08, 0.2]),
            "citizenship": choice(
                ["SE", "se", "DE", "PL", "FI", "NO", "IS", "CH", "SY", "IQ", "SO", "AF", "ER"]
                + ["stateless", "unknown", None],
                [0.45, 0.05, 0.02, 0.03, 0.03, 0.02, 0.01, 0.01, 0.08, 0.06, 0.05, 0.04, 0.03]
                + [0.02, 0.03, 0.07],
            ),
            "born_abroad": boolean(0.35, 0.1),
            "parents_born_abroad": choice(["0", "1", "2", None], [0.5, 0.15, 0.25, 0.1]),
            "minority": choice(["yes", "no", "declined", None], [0.05, 0.6, 0.1, 0.25]),
            "homeless": boolean(0.05, 0.3),
            "rural": boolean(0.3, 0.85),
            "exit_observed_on": np.where(has_exit & has_exit_obs, exit_obs, -(10**6)),
            "exit_job_searching": boolean(0.3, 0.2),
            "exit_in_education": boolean(0.2, 0.2),
            "exit_qualification": boolean(0.25, 0.2),
            "exit_employed": boolean(0.3, 0.2),
            "followup_observed_on": np.where(has_followup, followup, -(10**6)),
            "followup_employed": boolean(0.4, 0.2),
            "followup_improved": boolean(0.5, 0.2),
            "method": choice([f"M{i:02d}" for i in range(1, 13)] + [None]),
            "test_bed": choice(["TB-NORR", "TB-SYD", "TB-VAST", None, None]),
        },
        strict=False,
    )
    frame = frame.with_columns(
        pl.format("P{}", pl.int_range(n).cast(pl.String).str.zfill(7)).alias("participant_ref")
    )
    date_cols = [
        "birth_date",
        "entry_date",
        "exit_date",
        "exit_observed_on",
        "followup_observed_on",
    ]
    frame = frame.with_columns(
        pl.when(pl.col(c) > -(10**6))
        .then(pl.col(c).cast(pl.Int32).cast(pl.Date).cast(pl.String))
        .alias(c)
        for c in date_cols
    ).with_columns(
        pl.when(pl.col(c) >= 0).then(pl.col(c).cast(pl.String)).alias(c)
        for c in ("unemployed_months", "isced")
    )
    if personal_ids:
        frame = frame.with_columns(
            pl.Series("personal_id", _coordination_numbers(rng, birth, twelve=rng.random(n) < 0.5))
        )
        # Some rows carry only the number: birth_date must be derived from it.
        frame = frame.with_columns(
            pl.when(pl.Series(rng.random(n) < 0.05))
            .then(None)
            .otherwise("birth_date")
            .alias("birth_date")
        )
    else:
        frame = frame.with_columns(pl.lit(None, pl.String).alias("personal_id"))
    if edge_cases:
        # About 3 % lack one core datum (incomplete); unemployed_months only matters when
        # unemployed.
        u = rng.random(n)
        target = rng.integers(0, 5, n)
        blanks = ["birth_date", "gender", "lm_status_entry", "isced", "unemployed_months"]
        frame = frame.with_columns(
            pl.when(pl.Series((u < 0.03) & (target == k))).then(None).otherwise(pl.col(c)).alias(c)
            for k, c in enumerate(blanks)
        )
        if personal_ids:
            # A blank birth_date stays blank only when personal_id is blank too.
            frame = frame.with_columns(
                pl.when(pl.Series((u < 0.03) & (target == 0)))
                .then(None)
                .otherwise("personal_id")
                .alias("personal_id")
            )
    return frame.select(COLUMNS)


def _shift_years(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The same calendar day `years` later (29 February falls back to 28 February)."""
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = (d.astype("datetime64[M]") - d.astype("datetime64[Y]")).astype(np.int64) + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    ny = y + years
    leap = (ny % 4 == 0) & ((ny % 100 != 0) | (ny % 400 == 0))
    day = np.where((m == 2) & (day == 29) & ~leap, 28, day)
    month_start = ((ny - 1970) * 12 + (m - 1)).astype("datetime64[M]").astype("datetime64[D]")
    return (month_start + (day - 1)).astype(np.int64)


def _coordination_numbers(
    rng: np.random.Generator, birth_days: np.ndarray, *, twelve: np.ndarray
) -> list[str]:
    """Samordningsnummer for the birth dates: YYMMDD with day + 60, serial, Luhn digit."""
    d = birth_days.astype("datetime64[D]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]")).astype(np.int64) + 1
    day = (d - d.astype("datetime64[M]")).astype(np.int64) + 1 + 60
    serial = rng.integers(0, 1000, len(d))
    digits = np.stack(
        [
            (year // 10) % 10,
            year % 10,
            month // 10,
            month % 10,
            day // 10,
            day % 10,
            serial // 100,
            (serial // 10) % 10,
            serial % 10,
        ]
    )
    weights = np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])[:, None]
    products = digits * weights
    total = (products // 10 + products % 10).sum(axis=0)
    check = (10 - total % 10) % 10
    out = pl.DataFrame(
        {"y": year, "m": month, "d": day, "s": serial, "c": check, "t": twelve}
    ).select(
        pl.format(
            "{}{}{}-{}{}",
            pl.when("t")
            .then(pl.col("y").cast(pl.String))
            .otherwise((pl.col("y") % 100).cast(pl.String).str.zfill(2)),
            pl.col("m").cast(pl.String).str.zfill(2),
            pl.col("d").cast(pl.String).str.zfill(2),
            pl.col("s").cast(pl.String).str.zfill(3),
            pl.col("c").cast(pl.String),
        )
    )
    return out.to_series().to_list()


def write_participant_csv(
    path: str | Path,
    n: int,
    *,
    seed: int = 0,
    separator: str = ",",
    as_of: date = DEFAULT_AS_OF,
    personal_ids: bool = False,
) -> Path:
    """Write a generated file; returns its path."""
    path = Path(path)
    frame = generate_participants(n, seed=seed, as_of=as_of, personal_ids=personal_ids)
    safe_frame(frame).write_csv(path, separator=separator)
    return path
