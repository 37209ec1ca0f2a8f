"""Plain-language summary of an estimate in Swedish and English: what it means and what not."""

from __future__ import annotations

from typing import Literal

from emplus.evidence_core.effects.result import EffectResult

Language = Literal["sv", "en"]


def plain_language_summary(result: EffectResult, language: Language = "sv") -> str:
    """A few sentences for a non-statistician; ``language`` is ``"sv"`` or ``"en"``."""
    if language == "sv":
        return _swedish(result)
    if language == "en":
        return _english(result)
    raise ValueError(f"language must be 'sv' or 'en', not {language!r}")


def _english(r: EffectResult) -> str:
    size, low, high = _amounts(r, "en")
    direction = "higher" if r.estimate >= 0 else "lower"
    covariates = ", ".join(r.covariates) or "no covariates"
    parts = [
        f"Among the {r.n_treated - r.treated_outside_support} participants who could be compared, "
        f"{r.outcome} was on average {size} {direction} than for comparable people who did not "
        f"take part (95 % confidence interval {low} to {high}).",
    ]
    if r.ci_low <= 0 <= r.ci_high:
        parts.append(
            "The interval includes zero, so the data cannot tell an effect from no effect."
        )
    parts.append(
        "This is an average effect on those who took part (ATT). It is not a score or a "
        "prediction for any single person, and it does not say what the effect would be for "
        "people who did not take part."
    )
    if r.method == "did":
        parts.append(
            "It compares the change in the outcome before and after, and assumes that both "
            "groups would have changed alike without the programme (parallel trends)."
        )
    else:
        parts.append(
            f"The groups were made comparable only on the observed characteristics ({covariates}). "
            "The estimate assumes that no unobserved difference, such as motivation or health, "
            "affects both taking part and the outcome."
        )
    if r.treated_outside_support or r.dropped.missing:
        parts.append(
            f"{r.dropped.missing} rows with missing values and {r.treated_outside_support} "
            "participants without comparable non-participants were left out."
        )
    return " ".join(parts)


def _swedish(r: EffectResult) -> str:
    size, low, high = _amounts(r, "sv")
    direction = "högre" if r.estimate >= 0 else "lägre"
    covariates = ", ".join(r.covariates) or "inga bakgrundsvariabler"
    parts = [
        f"Bland de {r.n_treated - r.treated_outside_support} deltagare som gick att jämföra var "
        f"{r.outcome} i genomsnitt {size} {direction} än för jämförbara personer som inte "
        f"deltog (95 % konfidensintervall {low} till {high}).",
    ]
    if r.ci_low <= 0 <= r.ci_high:
        parts.append(
            "Intervallet innehåller noll, så data kan inte skilja en effekt från ingen effekt."
        )
    parts.append(
        "Det är en genomsnittlig effekt för dem som deltog (ATT). Det är inte ett betyg eller "
        "en prognos för någon enskild person, och det säger inte vilken effekten skulle bli "
        "för dem som inte deltog."
    )
    if r.method == "did":
        parts.append(
            "Skattningen jämför förändringen före och efter och antar att båda grupperna "
            "hade förändrats lika utan insatsen (parallella trender)."
        )
    else:
        parts.append(
            f"Grupperna har gjorts jämförbara bara på de observerade egenskaperna ({covariates}). "
            "Skattningen förutsätter att ingen oobserverad skillnad, till exempel motivation "
            "eller hälsa, påverkar både deltagandet och utfallet."
        )
    if r.treated_outside_support or r.dropped.missing:
        parts.append(
            f"{r.dropped.missing} rader med saknade värden och {r.treated_outside_support} "
            "deltagare utan jämförbara icke-deltagare lämnades utanför."
        )
    return " ".join(parts)


def _amounts(r: EffectResult, language: Language) -> tuple[str, str, str]:
    if r.outcome_is_binary:
        unit = " procentenheter" if language == "sv" else " percentage points"
        return (
            _number(abs(r.estimate) * 100, language, 1) + unit,
            _number(r.ci_low * 100, language, 1),
            _number(r.ci_high * 100, language, 1) + unit,
        )
    digits = 0 if max(abs(r.ci_low), abs(r.ci_high)) >= 100 else 2
    return (
        _number(abs(r.estimate), language, digits),
        _number(r.ci_low, language, digits),
        _number(r.ci_high, language, digits),
    )


def _number(value: float, language: Language, digits: int) -> str:
    text = f"{value:,.{digits}f}"
    if language == "sv":
        # Swedish: space between thousands, decimal comma, a real minus sign.
        text = text.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")
    return text
