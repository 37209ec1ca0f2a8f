"""The result of an effect estimate: a dataclass, its JSON form (as in the spec) and text form."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

METHOD_NAMES = {
    "psm": "nearest-neighbour matching (with replacement, Abadie–Imbens)",
    "ipw": "inverse probability weighting (ATT weights, normalised)",
    "aipw": "doubly robust estimation (AIPW: outcome model and propensity weights)",
    "did": "difference in differences (doubly robust, on the change in the outcome)",
}


@dataclass(frozen=True)
class BalanceRow:
    """Standardised mean difference of one covariate (one level of a text covariate)."""

    covariate: str
    smd_before: float | None
    smd_after: float | None


@dataclass(frozen=True)
class Dropped:
    """Rows left out and why: any missing value, or outside the common support."""

    missing: int = 0
    outside_support: int = 0


@dataclass(frozen=True)
class EffectResult:
    """One effect estimate. ``to_dict`` gives exactly the keys of the spec's JSON object."""

    method: str
    estimand: str
    outcome: str
    estimate: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_control: int
    n_used: int
    dropped: Dropped
    balance: list[BalanceRow]
    # Not in the JSON object: shown in the text form and kept for a stored report.
    std_error: float = float("nan")
    interval: str = "normal"  #: how the interval was made: normal (analytic SE) or bootstrap
    caliper: float | None = None  #: in standard deviations of the logit of the score (psm)
    seed: int = 0
    treated_outside_support: int = 0  #: treated left out (no comparable control)
    outcome_is_binary: bool = False  #: the outcome is 0/1, so the estimate is a share
    covariates: list[str] = field(default_factory=list)  #: the covariate columns as given
    notes: list[str] = field(default_factory=list)
    matches: int | None = None  #: psm: matches per treated row
    match_on: str | None = None  #: psm: "covariates" or "score"
    bias_corrected: bool | None = None  #: psm: Abadie–Imbens regression adjustment

    @property
    def worst_balance(self) -> BalanceRow | None:
        """The covariate with the largest absolute standardised difference after adjustment."""
        rows = [b for b in self.balance if b.smd_after is not None]
        return max(rows, key=lambda b: abs(b.smd_after), default=None)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        """The spec's JSON object, keys in the spec's order."""
        return {
            "method": self.method,
            "estimand": self.estimand,
            "outcome": self.outcome,
            "estimate": self.estimate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "n_used": self.n_used,
            "dropped": {
                "missing": self.dropped.missing,
                "outside_support": self.dropped.outside_support,
            },
            "balance": [
                {"covariate": b.covariate, "smd_before": b.smd_before, "smd_after": b.smd_after}
                for b in self.balance
            ],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_text(self) -> str:
        """A readable report: the estimate, its interval, the sample and the balance table."""
        lines = [
            f"Effect estimate: {METHOD_NAMES.get(self.method, self.method)}",
            f"Outcome: {self.outcome}",
            f"Estimand: {self.estimand} (average effect on the treated)",
            f"Estimate: {_num(self.estimate)}  95 % CI [{_num(self.ci_low)}, {_num(self.ci_high)}]"
            f"  (standard error {_num(self.std_error)}, {self.interval} interval)",
            f"Treated: {self.n_treated}  controls: {self.n_control}  rows used: {self.n_used}",
            f"Left out: {self.dropped.missing} with a missing value, "
            f"{self.dropped.outside_support} outside the common support",
        ]
        if self.matches is not None:
            metric = (
                "standardised covariates" if self.match_on == "covariates" else "logit of the score"
            )
            correction = "bias-corrected" if self.bias_corrected else "no bias correction"
            lines.append(
                f"Matching: {self.matches} nearest per treated row on the {metric}, "
                f"with replacement, {correction}"
            )
        if self.caliper is not None:
            lines.append(f"Caliper: {self.caliper:g} standard deviations of the logit of the score")
        lines.append(f"Seed: {self.seed}")
        lines.extend(f"Note: {note}" for note in self.notes)
        if self.balance:
            width = max(12, *(len(b.covariate) for b in self.balance))
            lines += ["", f"{'covariate':<{width}}  {'SMD before':>10}  {'SMD after':>10}"]
            lines += [
                f"{b.covariate:<{width}}  {_smd(b.smd_before):>10}  {_smd(b.smd_after):>10}"
                for b in self.balance
            ]
            worst = self.worst_balance
            if worst is not None:
                lines.append(
                    f"Worst balance after adjustment: {worst.covariate} "
                    f"(SMD {_smd(worst.smd_after)})"
                )
        return "\n".join(lines)


def _num(value: float) -> str:
    if value != value:  # NaN
        return "n/a"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def _smd(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.3f}"
