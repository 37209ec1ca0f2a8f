"""The one entry point of the effect core: checks, common support, the chosen estimator, CI."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np
import polars as pl

from emplus.evidence_core.effects.balance import balance_table
from emplus.evidence_core.effects.errors import EffectInputError
from emplus.evidence_core.effects.matching import MatchOn, matching_att
from emplus.evidence_core.effects.propensity import Design, fit_propensity
from emplus.evidence_core.effects.result import Dropped, EffectResult
from emplus.evidence_core.effects.table import PreparedData, prepare
from emplus.evidence_core.effects.weighting import aipw_att, ipw_att

Method = Literal["psm", "ipw", "aipw", "did"]
Interval = Literal["analytic", "bootstrap"]
METHODS: tuple[str, ...] = ("psm", "ipw", "aipw", "did")
#: Results on fewer treated persons are refused (spec; also a disclosure rule).
MIN_TREATED = 5
MIN_CONTROL = 2
#: Caliper of score matching, in standard deviations of the logit of the score (the spec's).
DEFAULT_CALIPER = 0.2
#: Matching defaults (docs/decisions/0019-matching-default.md): six matches per treated row,
#: with replacement, bias-corrected; on the covariates up to this many rows, on the score above.
DEFAULT_MATCHES = 6
MATCH_ON_SCORE_ABOVE = 100_000
MATCH_ON = ("auto", "covariates", "score")
_Z = NormalDist().inv_cdf(0.975)

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class _Core:
    """One run of an estimator on model arrays."""

    estimate: float
    std_error: float
    treated_used: np.ndarray  #: bool per treated row
    control_weight: np.ndarray  #: weight per control row (0 = not used)
    converged: bool
    outside_support: int  #: rows trimmed for common support, plus treated beyond the caliper


def estimate_effect(
    frame: pl.DataFrame,
    *,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    method: Method = "psm",
    outcome_before: str | None = None,
    caliper: float | None | Literal["default"] = "default",
    matches: int = DEFAULT_MATCHES,
    match_on: Literal["auto", "covariates", "score"] = "auto",
    bias_correction: bool = True,
    interval: Interval = "analytic",
    bootstrap_reps: int = 200,
    seed: int = 0,
    progress: Progress | None = None,
) -> EffectResult:
    """Estimate the average effect on the treated (ATT) of ``treatment`` on ``outcome``.

    ``psm`` matches each treated row to its ``matches`` nearest controls, with replacement, on
    the standardised covariates or the logit of the propensity score (``match_on``; ``auto``:
    covariates up to MATCH_ON_SCORE_ABOVE rows, the score above), bias-corrected unless
    ``bias_correction`` is false. ``caliper`` is in standard deviations of the logit of the
    score (``None`` for none; ``"default"``: 0.2 when matching on the score, none on the
    covariates). ``did`` needs ``outcome_before`` and estimates the
    effect on the change ``outcome - outcome_before``. ``interval="bootstrap"`` resamples
    treated and controls separately ``bootstrap_reps`` times with ``seed``.
    Raises :class:`EffectInputError` with a user-facing message on unusable input.
    """
    report = progress or (lambda _fraction, _message: None)
    if match_on not in MATCH_ON:
        raise EffectInputError(f"match_on must be one of {', '.join(MATCH_ON)}")
    if not (isinstance(matches, int) and 1 <= matches <= 100):
        raise EffectInputError("the number of matches must be a whole number from 1 to 100")
    if match_on == "auto":
        match_on = "covariates" if frame.height <= MATCH_ON_SCORE_ABOVE else "score"
    if caliper == "default":
        caliper = DEFAULT_CALIPER if match_on == "score" else None
    _check_options(method, covariates, outcome_before, caliper, interval, bootstrap_reps)
    matching = _Matching(matches, match_on, bias_correction)
    report(0.0, "preparing data")
    data = prepare(
        frame,
        treatment=treatment,
        outcome=outcome,
        covariates=covariates,
        outcome_before=outcome_before,
    )
    _check_counts(data.n_treated, data.n_control, "with complete data")
    y = data.outcome if data.outcome_before is None else data.outcome - data.outcome_before
    x = data.covariates[:, data.model_columns]
    use_caliper = caliper if method == "psm" else None
    report(0.1, "fitting the propensity model")
    core = _estimate_once(y, data.treated, x, method, use_caliper, matching, with_se=True)
    n_treated_used = int(core.treated_used.sum())
    n_control_used = int(np.count_nonzero(core.control_weight))
    _check_counts(n_treated_used, data.n_control, "inside the common support")
    if not math.isfinite(core.estimate):
        raise EffectInputError("the estimate could not be computed from these data")
    estimate, std_error = core.estimate, core.std_error
    ci_low, ci_high = estimate - _Z * std_error, estimate + _Z * std_error
    notes = _notes(method, interval, core, data)
    if interval == "bootstrap":
        std_error, ci_low, ci_high = _bootstrap(
            y, data, x, method, use_caliper, matching, bootstrap_reps, seed, report
        )
    report(0.95, "computing balance")
    balance = balance_table(
        data.covariates,
        data.covariate_names,
        data.treated,
        treated_weight=core.treated_used.astype(np.float64),
        control_weight=core.control_weight,
    )
    result = EffectResult(
        method=method,
        estimand="ATT",
        outcome=outcome,
        estimate=float(estimate),
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        n_treated=data.n_treated,
        n_control=data.n_control,
        n_used=n_treated_used + n_control_used,
        dropped=Dropped(missing=data.n_missing, outside_support=core.outside_support),
        balance=balance,
        std_error=float(std_error),
        interval="bootstrap" if interval == "bootstrap" else "normal",
        caliper=use_caliper,
        seed=seed,
        treated_outside_support=data.n_treated - n_treated_used,
        outcome_is_binary=bool(np.isin(data.outcome, (0.0, 1.0)).all()),
        covariates=list(covariates),
        notes=notes,
        matches=matching.matches if method == "psm" else None,
        match_on=matching.match_on if method == "psm" else None,
        bias_corrected=matching.bias_correction if method == "psm" else None,
    )
    report(1.0, "done")
    return result


@dataclass(frozen=True)
class _Matching:
    matches: int
    match_on: MatchOn
    bias_correction: bool


def _estimate_once(
    y: np.ndarray,
    treated: np.ndarray,
    x: np.ndarray,
    method: str,
    caliper: float | None,
    matching: _Matching,
    *,
    with_se: bool,
) -> _Core:
    design = Design.build(x)
    fit = fit_propensity(design, treated)
    logit = fit.logit
    # Common support (min-max rule, as Dehejia and Wahba): treated rows need controls with
    # scores as high and as low, and controls outside the treated range carry no information.
    control_logit, treated_logit = logit[~treated], logit[treated]
    in_support = np.where(
        treated,
        (logit >= control_logit.min()) & (logit <= control_logit.max()),
        (logit >= treated_logit.min()) & (logit <= treated_logit.max()),
    )
    if method == "psm":
        # Matching is local, so the first-stage scores serve; the caliper is on their spread.
        caliper_abs = None if caliper is None else caliper * float(np.std(logit, ddof=1))
        kept_treated, kept_control = in_support[treated], in_support[~treated]
        scaled = design.matrix[:, 1:]  # covariates standardised on the analysis sample
        # One gather per side (the rows kept of each group) instead of two boolean copies.
        treated_rows = np.flatnonzero(treated)[kept_treated]
        control_rows = np.flatnonzero(~treated)[kept_control]
        matched = matching_att(
            y[treated_rows],
            y[control_rows],
            scaled[treated_rows],
            scaled[control_rows],
            treated_logit[kept_treated],
            control_logit[kept_control],
            matches=matching.matches,
            match_on=matching.match_on,
            caliper=caliper_abs,
            bias_correction=matching.bias_correction,
        )
        treated_used = kept_treated.copy()
        treated_used[kept_treated] = matched.treated_used
        control_weight = np.zeros(control_logit.size)
        control_weight[kept_control] = matched.control_weight
        outside = int(np.count_nonzero(~treated_used) + np.count_nonzero(~kept_control))
        return _Core(
            matched.estimate,
            matched.std_error,
            treated_used,
            control_weight,
            fit.converged,
            outside,
        )
    # Weights must describe the sample they weight: refit the score on the trimmed rows.
    keep = in_support
    design = Design.build(x[keep])
    fit = fit_propensity(design, treated[keep])
    estimator = ipw_att if method == "ipw" else aipw_att
    weighted = estimator(y[keep], treated[keep], design.matrix, fit.logit)
    control_weight = np.zeros(control_logit.size)
    control_weight[keep[~treated]] = weighted.control_weight
    return _Core(
        weighted.estimate,
        weighted.std_error if with_se else math.nan,
        keep[treated],
        control_weight,
        fit.converged,
        int(np.count_nonzero(~keep)),
    )


def _bootstrap(
    y: np.ndarray,
    data: PreparedData,
    x: np.ndarray,
    method: str,
    caliper: float | None,
    matching: _Matching,
    reps: int,
    seed: int,
    report: Progress,
) -> tuple[float, float, float]:
    """Percentile interval from resampling treated and controls separately."""
    rng = np.random.default_rng(seed)
    treated_rows = np.flatnonzero(data.treated)
    control_rows = np.flatnonzero(~data.treated)
    estimates = np.empty(reps)
    for b in range(reps):
        rows = np.concatenate(
            (
                rng.choice(treated_rows, treated_rows.size),
                rng.choice(control_rows, control_rows.size),
            )
        )
        core = _estimate_once(
            y[rows], data.treated[rows], x[rows], method, caliper, matching, with_se=False
        )
        estimates[b] = core.estimate
        report(0.1 + 0.85 * (b + 1) / reps, f"bootstrap {b + 1}/{reps}")
    estimates = estimates[np.isfinite(estimates)]
    if estimates.size < 2:
        raise EffectInputError("the bootstrap failed: too few resamples gave an estimate")
    low, high = np.quantile(estimates, [0.025, 0.975])
    return float(np.std(estimates, ddof=1)), float(low), float(high)


def _check_options(
    method: str,
    covariates: Sequence[str],
    outcome_before: str | None,
    caliper: float | None,
    interval: str,
    bootstrap_reps: int,
) -> None:
    if method not in METHODS:
        raise EffectInputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if method == "did" and not outcome_before:
        raise EffectInputError("method did needs the outcome before treatment (outcome_before)")
    if method != "did" and outcome_before:
        raise EffectInputError("an outcome before treatment is used only by method did")
    if method != "did" and not covariates:
        raise EffectInputError(f"method {method} needs at least one covariate")
    if caliper is not None and not (caliper > 0 and math.isfinite(caliper)):
        raise EffectInputError("the caliper must be a positive number (or none)")
    if interval not in ("analytic", "bootstrap"):
        raise EffectInputError("interval must be analytic or bootstrap")
    if interval == "bootstrap" and bootstrap_reps < 20:
        raise EffectInputError("a bootstrap needs at least 20 resamples")


def _check_counts(n_treated: int, n_control: int, where: str) -> None:
    if n_treated < MIN_TREATED:
        raise EffectInputError(
            f"only {n_treated} treated person(s) {where}; an estimate needs at least "
            f"{MIN_TREATED}, so none is given"
        )
    if n_control < MIN_CONTROL:
        raise EffectInputError(
            f"only {n_control} comparison person(s) {where}; at least {MIN_CONTROL} are needed"
        )


def _notes(method: str, interval: str, core: _Core, data: PreparedData) -> list[str]:
    notes = []
    if not core.converged:
        notes.append(
            "the propensity model did not converge: some covariates may predict treatment "
            "perfectly; the result is unreliable"
        )
    if method == "psm" and interval == "bootstrap":
        notes.append(
            "the bootstrap is not valid for nearest-neighbour matching (Abadie and Imbens "
            "2008); prefer the analytic interval"
        )
    if method == "psm" and data.n_control < data.n_treated:
        notes.append("fewer controls than treated: each control is reused many times")
    return notes
