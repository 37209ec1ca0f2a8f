"""Reads for distance travelled: one participant's first and latest assessment, and the
instrument's reliability statistics from everybody's first and second assessments.

The statistics use the first two assessments of every participant on the instrument in every
organisation. That is deliberate: they are aggregates (a standard deviation and a correlation)
and no value of any single person, organisation or unit leaves this module; a small
organisation alone would rarely reach the number of participants the estimates need. Nothing is
cached across requests, so a new assessment counts at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils.translation import get_language

from emplus.evidence_core import reliable_change
from emplus.pathways.models import Assessment, AssessmentScore, Instrument, Participant


def instrument_active() -> Instrument | None:
    return Instrument.objects.filter(is_active=True).order_by("code", "-version").first()


def dimension_label(dimension, language: str | None = None) -> str:
    language = language or get_language() or "sv"
    return dimension.label_en if language.startswith("en") else dimension.label_sv


@dataclass(frozen=True)
class InstrumentStatistics:
    participants_with_two: int
    per_dimension: dict[str, reliable_change.ReliabilityStats | None]
    total: reliable_change.ReliabilityStats | None

    @property
    def enough_data(self) -> bool:
        return self.participants_with_two >= reliable_change.MIN_PARTICIPANTS


def instrument_statistics(*, instrument: Instrument) -> InstrumentStatistics:
    """Baseline SD and reliability per dimension (test–retest) and for the total (alpha)."""
    codes = list(instrument.dimensions.order_by("order").values_list("code", flat=True))
    rows = AssessmentScore.objects.filter(assessment__instrument=instrument).values_list(
        "assessment__enrolment__participant_id",
        "assessment__assessed_on",
        "assessment__created_at",
        "assessment_id",
        "dimension__code",
        "value",
    )
    by_participant: dict = defaultdict(dict)
    for participant_id, assessed_on, created_at, assessment_id, code, value in rows.iterator():
        key = (assessed_on, created_at, str(assessment_id))
        by_participant[participant_id].setdefault(key, {})[code] = value
    pairs: dict[str, list[tuple[int, int]]] = {code: [] for code in codes}
    profiles: list[list[int]] = []
    with_two = 0
    for assessments in by_participant.values():
        if len(assessments) < 2:
            continue
        with_two += 1
        first_key, second_key = sorted(assessments)[:2]
        first, second = assessments[first_key], assessments[second_key]
        for code in codes:
            if code in first and code in second:
                pairs[code].append((first[code], second[code]))
        if all(code in first for code in codes):
            profiles.append([first[code] for code in codes])
    return InstrumentStatistics(
        participants_with_two=with_two,
        per_dimension={code: reliable_change.retest_stats(pairs[code]) for code in codes},
        total=reliable_change.total_stats(profiles),
    )


@dataclass(frozen=True)
class ParticipantProgress:
    instrument: Instrument
    assessments: int
    first_on: date | None
    latest_on: date | None
    rows: list[reliable_change.DimensionChange]
    total: reliable_change.DimensionChange | None
    statistics: InstrumentStatistics

    @property
    def comparable(self) -> bool:
        return self.assessments >= 2


def participant_progress(
    *, participant: Participant, instrument: Instrument, language: str | None = None
) -> ParticipantProgress:
    """First vs latest assessment of a participant (over all their enrolments) per dimension."""
    dimensions = list(instrument.dimensions.order_by("order"))
    assessments = list(
        Assessment.objects.filter(enrolment__participant=participant, instrument=instrument)
        .order_by("assessed_on", "created_at")
        .prefetch_related("scores__dimension")
    )
    statistics = instrument_statistics(instrument=instrument)
    labelled = [(d.code, dimension_label(d, language)) for d in dimensions]
    if not assessments:
        return ParticipantProgress(instrument, 0, None, None, [], None, statistics)
    first = {s.dimension.code: s.value for s in assessments[0].scores.all()}
    latest = {s.dimension.code: s.value for s in assessments[-1].scores.all()}
    if len(assessments) < 2:
        latest = {}
    rows = reliable_change.distance_travelled(
        dimensions=labelled, first=first, latest=latest, stats=statistics.per_dimension
    )
    codes = [code for code, _ in labelled]
    total = None
    if latest and all(c in first for c in codes) and all(c in latest for c in codes):
        total = reliable_change.change_of(
            code="total",
            label="",
            first=sum(first[c] for c in codes),
            latest=sum(latest[c] for c in codes),
            stats=statistics.total,
        )
    return ParticipantProgress(
        instrument=instrument,
        assessments=len(assessments),
        first_on=assessments[0].assessed_on,
        latest_on=assessments[-1].assessed_on,
        rows=rows,
        total=total,
        statistics=statistics,
    )
