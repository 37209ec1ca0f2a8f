"""The live value of a goal, computed from the data with aggregate reads and the pure cores
(unsuppressed: `selectors` decides what a viewer sees). No participant leaves this module.

One `Measurer` serves one request or one snapshot run: values that share a population (the
same filters and day) are computed once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from django.db.models import Q, QuerySet

from emplus.evidence.selectors import indicator_rules, progress_records, special_dimensions
from emplus.evidence_core import progression
from emplus.evidence_core.completion import completion_counts, placement_counts
from emplus.evidence_core.income_stability import (
    Month,
    income_stability,
    last_complete_month,
    stability_parameters,
    stability_summary,
)
from emplus.evidence_core.indicators import IndicatorResult, compute_indicators
from emplus.pathways import progress_data
from emplus.pathways.evidence_adapter import participant_frame
from emplus.pathways.models import Enrolment, Participant
from emplus.plans.choices import GoalKind
from emplus.plans.models import PlanGoal
from emplus.worklife.models import EducationEnrolment, IncomeRecord, WorkplacePlacement


@dataclass(frozen=True)
class Measurement:
    """A goal's value (None: nothing to measure yet), the person counts behind it (what
    small-cell suppression looks at) and the organisations whose participants it includes."""

    value: float | None
    counts: tuple[int, ...] = ()
    organisation_ids: frozenset = frozenset()

    @property
    def base(self) -> int:
        """The smallest positive count behind the value (0: none)."""
        return min((c for c in self.counts if c > 0), default=0)


NO_VALUE = Measurement(None)

FilterKey = tuple


def _filter_key(goal: PlanGoal) -> FilterKey:
    return (
        goal.organisation_id,
        goal.unit_id,
        goal.county_id,
        goal.method_id,
        goal.test_bed_id,
        goal.entry_from,
        goal.entry_to,
    )


def _participants(goal: PlanGoal) -> QuerySet[Participant]:
    qs = Participant.objects.filter(erased_at__isnull=True)
    if goal.organisation_id:
        qs = qs.filter(organisation_id=goal.organisation_id)
    if goal.unit_id:
        qs = qs.filter(unit_id=goal.unit_id)
    if goal.county_id:
        qs = qs.filter(municipality__county_id=goal.county_id)
    return qs


def _enrolments(goal: PlanGoal) -> QuerySet[Enrolment]:
    qs = Enrolment.objects.filter(participant__in=_participants(goal).values("pk"))
    if goal.method_id:
        qs = qs.filter(method_id=goal.method_id)
    if goal.test_bed_id:
        qs = qs.filter(test_bed_id=goal.test_bed_id)
    if goal.entry_from:
        qs = qs.filter(entry_date__gte=goal.entry_from)
    if goal.entry_to:
        qs = qs.filter(entry_date__lte=goal.entry_to)
    return qs


def _share(part: int, whole: int) -> Measurement | None:
    if whole == 0:
        return None
    return Measurement(round(100 * part / whole, 1), (whole, part, whole - part))


class Measurer:
    """Computes goals' values on one day, caching what several goals share."""

    def __init__(self, *, on: date) -> None:
        self.on = on
        self._cache: dict[tuple, object] = {}

    def _cached(self, key: tuple, compute: Callable[[], object]) -> object:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def measure(self, goal: PlanGoal) -> Measurement:
        compute = {
            GoalKind.ESF: self._esf,
            GoalKind.PROGRESSION: self._progression,
            GoalKind.PLACEMENT_WORK: self._placements,
            GoalKind.COMPLETION: self._completion,
            GoalKind.INCOME_STABILITY: self._income_stability,
            GoalKind.MANUAL: self._manual,
        }[GoalKind(goal.kind)]
        return compute(goal) or NO_VALUE

    def _organisations(self, goal: PlanGoal) -> frozenset:
        key = ("organisations", _filter_key(goal))
        return self._cached(  # type: ignore[return-value]
            key,
            lambda: frozenset(
                _enrolments(goal).values_list("participant__organisation_id", flat=True).distinct()
            ),
        )

    # --- ESF+ indicators: the one implementation of evidence_core.indicators ----------------

    def _indicator_result(self, goal: PlanGoal) -> IndicatorResult | None:
        def compute() -> IndicatorResult | None:
            frame = participant_frame(
                _participants(goal).filter(pk__in=_enrolments(goal).values("participant_id")),
                entered=(goal.entry_from, goal.entry_to),
            )
            conditions = []
            if goal.method is not None:
                conditions.append(pl.col("method") == goal.method.code)
            if goal.test_bed is not None:
                conditions.append(pl.col("test_bed") == goal.test_bed.code)
            if conditions:
                frame = frame.filter(pl.all_horizontal(conditions).fill_null(False))
            if frame.is_empty():
                return None
            return compute_indicators(frame, as_of=self.on, rules=indicator_rules())

        return self._cached(("esf", _filter_key(goal)), compute)  # type: ignore[return-value]

    def _esf(self, goal: PlanGoal) -> Measurement | None:
        result = self._indicator_result(goal)
        if result is None:
            return Measurement(0.0, (0,), self._organisations(goal))
        total = result.indicator(goal.indicator_code).total or 0
        return Measurement(float(total), (total,), self._organisations(goal))

    # --- progression: reliable improvement on one dimension (evidence_core.progression) -----

    def _progression(self, goal: PlanGoal) -> Measurement | None:
        instrument = progress_data.instrument_active()
        code = goal.indicator_code
        if instrument is None or code in special_dimensions([code]):
            return None  # special categories are never counted this finely (decision 0015)
        statistics = progress_data.instrument_statistics(instrument=instrument)
        stats = statistics.per_dimension.get(code)
        if stats is None:
            return None
        group_of = dict.fromkeys(_enrolments(goal).values_list("pk", flat=True), progression.ALL)
        records = progress_records(instrument=instrument, group_of=group_of)
        pairs = [(r.first[code], r.latest[code]) for r in records if code in r.first]
        pairs = [(a, b) for a, b in pairs if b is not None and a is not None]
        summary = progression.summarise(progression.ALL, code, pairs, stats=stats)
        if not summary.n or summary.improved_share is None:
            return None
        improved = round(summary.improved_share * summary.n)
        share = _share(improved, summary.n)
        return share and Measurement(share.value, share.counts, self._organisations(goal))

    # --- working life (evidence_core.completion, income_stability) -----------------------------

    def _worklife_filter(self, goal: PlanGoal, *, step: str) -> Q:
        condition = Q(participant__in=_participants(goal).values("pk"))
        if goal.method_id or goal.test_bed_id or goal.entry_from or goal.entry_to:
            condition &= Q(**{f"{step}__in": _enrolments(goal).values("pk")})
        return condition

    def _placements(self, goal: PlanGoal) -> Measurement | None:
        outcomes = WorkplacePlacement.objects.filter(
            self._worklife_filter(goal, step="step__enrolment")
        ).values_list("outcome", flat=True)
        counts = placement_counts(outcomes)
        share = _share(counts.offered, counts.ended)
        return share and Measurement(share.value, share.counts, self._organisations(goal))

    def _completion(self, goal: PlanGoal) -> Measurement | None:
        records = EducationEnrolment.objects.filter(
            self._worklife_filter(goal, step="step__enrolment")
        ).values_list("status", "planned_end", "qualification")
        counts = completion_counts(
            ((s, end, bool(q)) for s, end, q in records.iterator()), as_of=self.on
        )
        share = _share(counts.completed, counts.due)
        return share and Measurement(share.value, share.counts, self._organisations(goal))

    def _income_stability(self, goal: PlanGoal) -> Measurement | None:
        people = _participants(goal)
        if goal.method_id or goal.test_bed_id or goal.entry_from or goal.entry_to:
            people = people.filter(pk__in=_enrolments(goal).values("participant_id"))
        by_person: dict = {}
        for person, month, amount in IncomeRecord.objects.filter(
            participant__in=people.values("pk")
        ).values_list("participant_id", "month", "amount"):
            by_person.setdefault(person, []).append((Month.of(month), float(amount)))
        parameters = stability_parameters()
        last = last_complete_month(self.on)
        results = [
            income_stability(rows, last_month=last, parameters=parameters)
            for rows in by_person.values()
        ]
        summary = stability_summary(results)
        share = _share(summary.stable, summary.people)
        return share and Measurement(share.value, share.counts, self._organisations(goal))

    # --- manual metrics ------------------------------------------------------------------------

    def _manual(self, goal: PlanGoal) -> Measurement | None:
        latest = (
            goal.values.filter(recorded_on__lte=self.on)
            .order_by("-recorded_on", "-created_at")
            .values_list("value", flat=True)
            .first()
        )
        return None if latest is None else Measurement(float(Decimal(latest)))
