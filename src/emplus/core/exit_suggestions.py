"""Suggested ESF+ answers upon leaving, from records of apps above the pathway (registered).

The exit form belongs to `pathways`; the evidence for its answers (studies, placements, income)
lives in apps above it, which pathways may not import. Those apps register a provider here at
start-up; the exit page asks this module, so the imports still point down only (decision 31).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

# The exit answers a provider may suggest (fields of the exit form and of Enrolment.exit_*).
ANSWERS = ("in_education", "qualification", "employed")


@dataclass(frozen=True)
class ExitSuggestion:
    """One suggested answer and the record that supports it, in words for the coach."""

    answer: str
    value: bool
    reason: str


# provider(viewer, participant, entry_date, as_of) -> suggestions; it reads only what the
# viewer may see.
Provider = Callable[[Any, Any, date, date], Iterable[ExitSuggestion]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    """Register (or replace, by name: AppConfig.ready may run twice) an app's provider."""
    _providers[name] = provider


def suggest(*, viewer: Any, participant: Any, entry_date: date, as_of: date) -> dict[str, list]:
    """The suggestions by answer, from every provider. Where providers disagree, a "yes" backed
    by a record wins (an absent record is weaker evidence than a present one); every reason
    for the winning value is kept."""
    found: dict[str, list[ExitSuggestion]] = {}
    for provider in _providers.values():
        for suggestion in provider(viewer, participant, entry_date, as_of):
            if suggestion.answer not in ANSWERS:
                raise ValueError(f"unknown exit answer {suggestion.answer!r}")
            found.setdefault(suggestion.answer, []).append(suggestion)
    chosen = {}
    for answer, suggestions in found.items():
        value = any(s.value for s in suggestions)
        chosen[answer] = [s for s in suggestions if s.value == value]
    return chosen
