"""Reads of the methods library and thematic areas (not personal data: every role reads them),
and the suppressed outcomes of the participants whose pathway used a method."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from emplus.core.suppression import DEFAULT_THRESHOLD, suppress_rows
from emplus.core.typing import User
from emplus.evidence.selectors import (
    indicator_rules,
    progress_records,
    special_dimensions,
    special_indicator_codes,
)
from emplus.evidence_core import progression
from emplus.evidence_core.indicators import GENDERS, IndicatorResult, compute_indicators
from emplus.methods.models import Method, ThematicArea
from emplus.pathways import progress_data
from emplus.pathways.choices import ExitReason
from emplus.pathways.evidence_adapter import participant_frame
from emplus.pathways.models import Enrolment, Participant

if TYPE_CHECKING:  # testbeds sits above methods: the type only, never imported at run time
    from emplus.testbeds.models import TestBed

WORK_OR_STUDY = (ExitReason.JOB, ExitReason.SELF_EMPLOYMENT, ExitReason.EDUCATION)


@dataclass(frozen=True)
class MethodFilters:
    phase: str = ""
    thematic_area: str = ""
    evidence_level: int | None = None


def method_list(*, viewer: User, filters: MethodFilters | None = None) -> QuerySet[Method]:
    filters = filters or MethodFilters()
    qs = Method.objects.prefetch_related("thematic_areas", "owners").annotate(
        activity_count=Count("activities", distinct=True)
    )
    if filters.phase:
        qs = qs.filter(phases__icontains=f'"{filters.phase}"')
    if filters.thematic_area:
        qs = qs.filter(thematic_areas__code=filters.thematic_area)
    if filters.evidence_level is not None:
        qs = qs.filter(evidence_level__gte=filters.evidence_level)
    return qs.order_by("name")


def method_get(*, viewer: User, code: str) -> Method:
    return get_object_or_404(
        Method.objects.prefetch_related("thematic_areas", "owners", "versions"), code=code
    )


def thematic_area_list(*, viewer: User) -> QuerySet[ThematicArea]:
    return ThematicArea.objects.annotate(
        method_count=Count("methods", distinct=True),
        activity_count=Count("activities", distinct=True),
        test_bed_count=Count("test_beds", distinct=True),
    ).order_by("order", "code")


def thematic_area_options() -> QuerySet[ThematicArea]:
    """The eight thematic areas in their order, for a filter (reference data)."""
    return ThematicArea.objects.order_by("order", "code")


def thematic_area_get(*, viewer: User, code: str) -> ThematicArea:
    return get_object_or_404(ThematicArea, code=code)


@dataclass(frozen=True)
class Outcomes:
    """Counts of participants; None where small-cell suppression hides the cell."""

    participants: int | None
    exited: int | None
    work_or_study: int | None
    other_exit: int | None


_OUTCOME_COUNTS = {
    "participants": Count("participant", distinct=True),
    "exited": Count("pk", filter=Q(exit_date__isnull=False), distinct=True),
    "work_or_study": Count(
        "pk", filter=Q(exit_date__isnull=False, exit_reason__in=WORK_OR_STUDY), distinct=True
    ),
}


def _outcomes(participants: int, exited: int, work_or_study: int) -> Outcomes:
    [shown_participants], [shown_exited, shown_work, shown_other] = suppress_rows(
        [[participants], [exited, work_or_study, exited - work_or_study]]
    )
    return Outcomes(shown_participants, shown_exited, shown_work, shown_other)


def enrolment_outcomes(enrolments: QuerySet) -> Outcomes:
    """Aggregate counts only (no participant is read), suppressed for every viewer: the
    participants belong to several organisations."""
    counts = enrolments.aggregate(**_OUTCOME_COUNTS)
    return _outcomes(counts["participants"], counts["exited"], counts["work_or_study"])


def enrolment_outcomes_by(enrolments: QuerySet, *, key: str) -> dict[Any, Outcomes]:
    """`enrolment_outcomes` for each value of `key` (a field path of an enrolment) in one
    query; a value without enrolments is absent (its outcomes are `enrolment_outcomes` of
    none)."""
    rows = enrolments.order_by().values(key).annotate(**_OUTCOME_COUNTS)
    return {
        row[key]: _outcomes(row["participants"], row["exited"], row["work_or_study"])
        for row in rows
    }


def method_outcomes(*, viewer: User, method: Method) -> Outcomes:
    return enrolment_outcomes(method.enrolments.all())


def thematic_area_enrolments(area: ThematicArea) -> QuerySet:
    """Enrolments whose method belongs to the thematic area."""

    return Enrolment.objects.filter(method__in=area.methods.all())


# ESF+ indicators of the participants whose pathway used a method or test bed: aggregates only,
# always suppressed (the participants belong to several organisations). The participant frame
# is read into memory to be counted; no row reaches the page, so nothing is audited.
HEADLINE_INDICATORS = ("EECO01", "EECO02", "EECO03", "EECO04", "EECR02", "EECR03", "EECR04")


def enrolment_indicators(
    *,
    method: Method | None = None,
    test_bed: TestBed | None = None,
    thematic_area: ThematicArea | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> IndicatorResult | None:
    """The 23 ESF+ indicators over the enrolments that name the method (or test bed, or a
    method of the thematic area), suppressed below `threshold`; None when no participant's
    pathway used it."""
    import polars as pl
    from django.utils import timezone

    if method is not None:
        participants = Participant.objects.filter(enrolments__method=method)
        column, codes = "method", [method.code]
    elif test_bed is not None:
        participants = Participant.objects.filter(enrolments__test_bed=test_bed)
        column, codes = "test_bed", [test_bed.code]
    elif thematic_area is not None:
        participants = Participant.objects.filter(enrolments__method__thematic_areas=thematic_area)
        column = "method"
        codes = list(thematic_area.methods.values_list("code", flat=True))
    else:
        raise TypeError("name a method, a test bed or a thematic area")
    if not participants.exists():
        return None
    frame = participant_frame(participants.distinct())
    frame = frame.filter(pl.col(column).is_in(codes).fill_null(False))
    result = compute_indicators(frame, as_of=timezone.localdate(), rules=indicator_rules())
    # A method or test bed is finer than the cells special categories are counted on
    # (docs/decisions/0015): their counts are never shown here.
    special = {(c, col) for c in special_indicator_codes() for col in ("total", *GENDERS)}
    return result.suppress(threshold, hidden=special)


# Progression (distance travelled) of the participants whose pathway used a method or test bed:
# aggregates only, for every role, always suppressed (the participants belong to several
# organisations). Scores are read to be averaged; no row reaches the page, nothing is audited.


@dataclass(frozen=True)
class ProgressionSummary:
    """Mean change per dimension (and total) on the active instrument. `participants` is None
    and `rows` empty when fewer than the threshold have two assessments; a row's `change` is
    None when fewer than the threshold have that dimension."""

    instrument: object | None
    participants: int | None
    rows: tuple  # (label, progression.ChangeSummary | None)
    enough_data_for_rci: bool
    threshold: int


def enrolment_progression(
    enrolments: QuerySet, *, threshold: int = DEFAULT_THRESHOLD, language: str | None = None
) -> ProgressionSummary:
    from django.utils.translation import gettext

    instrument = progress_data.instrument_active()
    if instrument is None:
        return ProgressionSummary(None, None, (), False, threshold)
    participant_of = dict(enrolments.values_list("pk", "participant_id"))
    records = progress_records(instrument=instrument, group_of=participant_of)
    participants = len({r.group for r in records})
    statistics = progress_data.instrument_statistics(instrument=instrument)
    if participants < threshold:
        return ProgressionSummary(instrument, None, (), statistics.enough_data, threshold)
    dimensions = [
        (d.code, progress_data.dimension_label(d, language))
        for d in instrument.dimensions.order_by("order")
    ]
    labels = dict(dimensions) | {progression.TOTAL: gettext("Total score")}
    stats = {**statistics.per_dimension, progression.TOTAL: statistics.total}
    # The overall rows only (`groups=[]`); records are grouped by participant just to count them.
    rows = progression.progression_table(
        records, dimensions=[code for code, _ in dimensions], stats=stats, groups=[]
    )
    # Special-category dimensions (and the total that sums them) are counted on whole
    # organisations and calendar blocks only (docs/decisions/0015): never shown here.
    sensitive = special_dimensions([code for code, _ in dimensions])
    return ProgressionSummary(
        instrument,
        participants,
        tuple(
            (
                labels.get(r.dimension, r.dimension),
                r if (r.n or 0) >= threshold and r.dimension not in sensitive else None,
            )
            for r in rows
        ),
        statistics.enough_data,
        threshold,
    )
