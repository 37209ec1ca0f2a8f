"""Reads of the evidence module: the ESF+ indicators of the database, scoped to the viewer.

Who sees what (docs/decisions/0010-evidence-access.md):

- coordinators and analysts see their own organisation(s) at full detail: every count, and how
  many participants lack each core datum (a count, never who);
- analysts and administrators (`evidence.view_partnership`) also see aggregates across the
  partnership or of another organisation, always with small-cell suppression (threshold 5,
  complementary cells included) and without the completeness breakdown;
- nobody else sees evidence; asking for an organisation out of reach is a 404.

The numbers come from the one implementation in `emplus.evidence_core.indicators`, fed by the
participant frame of `emplus.pathways.evidence_adapter` (one row per enrolment), so the page,
the API and `emplus esf-indicators` on an exported file agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from uuid import UUID

import polars as pl
from django.conf import settings
from django.http import Http404
from django.utils import timezone

from emplus.core.permissions import has_permission
from emplus.core.roles import Role
from emplus.core.scoping import reach_of
from emplus.core.suppression import DEFAULT_THRESHOLD
from emplus.evidence_core.indicators import IndicatorResult, IndicatorRules, compute_indicators
from emplus.evidence_core.participant_file import CORE_COLUMNS

# Roles that see their own organisation's aggregates unsuppressed.
FULL_DETAIL_ROLES = frozenset({Role.COORDINATOR, Role.ANALYST})
PARTNERSHIP_PERMISSION = "evidence.view_partnership"

SCOPE_OWN = "own"
SCOPE_PARTNERSHIP = "partnership"


@dataclass(frozen=True)
class IndicatorFilters:
    """Filters of the indicator page and API. Participant attributes (organisation, unit,
    county and municipality of residence at entry) select participants; enrolment attributes
    (method, test bed, entry date between `entry_from` and `entry_to`) select enrolments."""

    organisation: str = ""  # organisation code
    unit: UUID | None = None
    county: str = ""  # SCB county code of the municipality of residence at entry
    municipality: str = ""  # SCB municipality code of residence at entry
    method: str = ""  # method code
    test_bed: str = ""  # test bed code
    entry_from: date | None = None
    entry_to: date | None = None
    as_of: date | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> tuple[IndicatorFilters, dict[str, str]]:
        """Filters from query parameters, and the errors of the malformed ones (left out)."""
        errors: dict[str, str] = {}
        values: dict = {}
        for name in ("organisation", "county", "municipality", "method", "test_bed"):
            values[name] = (params.get(name) or "").strip()
        unit = (params.get("unit") or "").strip()
        if unit:
            try:
                values["unit"] = UUID(unit)
            except ValueError:
                errors["unit"] = "not a unit identifier"
        for name in ("entry_from", "entry_to", "as_of"):
            raw = (params.get(name) or "").strip()
            if raw:
                try:
                    values[name] = date.fromisoformat(raw)
                except ValueError:
                    errors[name] = "not a date YYYY-MM-DD"
        filters = cls(**values)
        if filters.entry_from and filters.entry_to and filters.entry_from > filters.entry_to:
            errors["entry_to"] = "before the start of the period"
            filters = replace(filters, entry_to=None)
        return filters, errors

    def as_params(self) -> dict[str, str]:
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value:
                out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out


@dataclass(frozen=True)
class IndicatorReport:
    """The indicators for one viewer and filter set.

    `result` is already suppressed when `suppressed_below` is set; its completeness rows are
    always dropped (they name participants). `missing_core` counts, per core datum, the
    incomplete participants that lack it: only at full detail, else None.
    """

    result: IndicatorResult
    scope: str  # SCOPE_OWN or SCOPE_PARTNERSHIP
    organisations: tuple[str, ...]  # codes of the organisations the aggregate may include
    suppressed_below: int | None
    missing_core: dict[str, int] | None = field(default=None)

    def to_dict(self) -> dict:
        out = {
            "as_of": self.result.as_of.isoformat(),
            "scope": self.scope,
            "organisations": list(self.organisations),
            "suppressed_below": self.suppressed_below,
            "participants": self.result.participants.as_dict(),
            "indicators": [row.as_dict() for row in self.result.indicators],
            "missing_core_data": self.missing_core,
        }
        return out


def full_detail_organisations(viewer) -> frozenset[UUID]:
    """Organisations whose aggregates the viewer sees unsuppressed."""
    return frozenset(
        org for org, role, _ in reach_of(viewer).memberships if role in FULL_DETAIL_ROLES
    )


def sees_partnership(viewer) -> bool:
    return has_permission(viewer, PARTNERSHIP_PERMISSION)


def indicator_rules() -> IndicatorRules:
    return IndicatorRules.from_mapping(getattr(settings, "EMPLUS_ESF_RULES", {}))


def evidence_participants(*, viewer, filters: IndicatorFilters):
    """The participants an aggregate for `viewer` may include, and whether it is at full
    detail (every included participant belongs to one of the viewer's own organisations).

    Raises Http404 for an organisation or unit out of the viewer's reach."""
    from emplus.organisations.models import Organisation, Unit
    from emplus.pathways.models import Participant

    own = full_detail_organisations(viewer)
    partnership = sees_partnership(viewer)
    if not own and not partnership:
        raise Http404
    qs = Participant.objects.all()
    organisation_ids: set[UUID] | None = None  # None: every organisation
    if filters.organisation:
        org = Organisation.objects.filter(code=filters.organisation).first()
        if org is None or (org.pk not in own and not partnership):
            raise Http404
        organisation_ids = {org.pk}
    elif not partnership:
        organisation_ids = set(own)
    if filters.unit:
        unit = Unit.objects.filter(pk=filters.unit).first()
        if unit is None or (unit.organisation_id not in own and not partnership):
            raise Http404
        qs = qs.filter(unit=unit)
        organisation_ids = (
            {unit.organisation_id}
            if organisation_ids is None
            else organisation_ids & {unit.organisation_id}
        )
    if organisation_ids is not None:
        qs = qs.filter(organisation__in=organisation_ids)
    if filters.county:
        qs = qs.filter(municipality__county_id=filters.county)
    if filters.municipality:
        qs = qs.filter(municipality_id=filters.municipality)
    full_detail = organisation_ids is not None and organisation_ids <= own
    return qs, full_detail, organisation_ids


def _enrolment_filter(frame: pl.DataFrame, filters: IndicatorFilters) -> pl.DataFrame:
    conditions = []
    if filters.method:
        conditions.append(pl.col("method") == filters.method)
    if filters.test_bed:
        conditions.append(pl.col("test_bed") == filters.test_bed)
    if filters.entry_from:
        conditions.append(pl.col("entry_date") >= filters.entry_from)
    if filters.entry_to:
        conditions.append(pl.col("entry_date") <= filters.entry_to)
    if not conditions:
        return frame
    return frame.filter(pl.all_horizontal(conditions).fill_null(False))


def missing_core_counts(result: IndicatorResult) -> dict[str, int]:
    """How many incomplete participants lack each core datum (spec order, zeros included)."""
    counts = Counter(
        name for missing in result.completeness.get_column("missing").to_list() for name in missing
    )
    return {name: counts.get(name, 0) for name in CORE_COLUMNS}


def indicator_frame(*, viewer, filters: IndicatorFilters) -> tuple[pl.DataFrame, bool, tuple]:
    """The participant frame (one row per enrolment, no identity) behind an aggregate."""
    from emplus.organisations.models import Organisation
    from emplus.pathways.evidence_adapter import participant_frame

    participants, full_detail, organisation_ids = evidence_participants(
        viewer=viewer, filters=filters
    )
    frame = _enrolment_filter(participant_frame(participants), filters)
    orgs = Organisation.objects.all()
    if organisation_ids is not None:
        orgs = orgs.filter(pk__in=organisation_ids)
    codes = tuple(orgs.order_by("code").values_list("code", flat=True))
    return frame, full_detail, codes


def indicator_report(
    *,
    viewer,
    filters: IndicatorFilters | None = None,
    rules: IndicatorRules | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> IndicatorReport:
    """The 23 ESF+ indicators of the participants the viewer may aggregate, filtered."""
    filters = filters or IndicatorFilters()
    as_of = filters.as_of or timezone.localdate()
    frame, full_detail, codes = indicator_frame(viewer=viewer, filters=filters)
    result = compute_indicators(frame, as_of=as_of, rules=rules or indicator_rules())
    if full_detail:
        missing = missing_core_counts(result)
        result = replace(result, completeness=result.completeness.clear())
        return IndicatorReport(result, SCOPE_OWN, codes, None, missing)
    return IndicatorReport(result.suppress(threshold), SCOPE_PARTNERSHIP, codes, threshold, None)


# --- progression ------------------------------------------------------------------------------

PROGRESSION_GROUPS = ("organisation", "method", "phase", "test_bed")
NO_GROUP = "-"  # enrolments without a method, test bed or pathway step


@dataclass(frozen=True)
class ProgressionReport:
    instrument: object | None  # pathways.models.Instrument
    group_by: str
    dimensions: tuple[tuple[str, str], ...]  # (code, label)
    rows: tuple  # progression.ChangeSummary
    scope: str
    suppressed_below: int | None
    enough_data_for_rci: bool


def _latest_phase(enrolment_ids) -> dict:
    from emplus.pathways.models import PathwayStep

    latest: dict = {}
    steps = (
        PathwayStep.objects.filter(enrolment_id__in=enrolment_ids)
        .order_by("enrolment_id", "started_on", "created_at")
        .values_list("enrolment_id", "phase")
    )
    for enrolment_id, phase in steps.iterator():
        latest[enrolment_id] = phase  # ordered: the last one wins
    return latest


def progress_records(*, instrument, group_of: Mapping) -> list:
    """One `progression.ProgressRecord` per enrolment of `group_of` (enrolment pk -> group)
    with at least two assessments on `instrument`: its first and latest scores."""
    from emplus.evidence_core import progression
    from emplus.pathways.models import AssessmentScore

    scores = (
        AssessmentScore.objects.filter(
            assessment__instrument=instrument, assessment__enrolment_id__in=list(group_of)
        )
        .order_by()
        .values_list(
            "assessment__enrolment_id",
            "assessment__assessed_on",
            "assessment__created_at",
            "assessment_id",
            "dimension__code",
            "value",
        )
    )
    by_enrolment: dict = {}
    for enrolment_id, on, created, assessment_id, code, value in scores.iterator():
        key = (on, created, str(assessment_id))
        by_enrolment.setdefault(enrolment_id, {}).setdefault(key, {})[code] = value
    records = []
    for enrolment_id, assessments in by_enrolment.items():
        if len(assessments) < 2:
            continue
        ordered = sorted(assessments)
        records.append(
            progression.ProgressRecord(
                group=group_of.get(enrolment_id) or NO_GROUP,
                first=assessments[ordered[0]],
                latest=assessments[ordered[-1]],
            )
        )
    return records


def progression_report(
    *,
    viewer,
    filters: IndicatorFilters | None = None,
    group_by: str = "organisation",
    threshold: int = DEFAULT_THRESHOLD,
    language: str | None = None,
) -> ProgressionReport:
    """Change between each enrolment's first and latest assessment on the active instrument,
    overall and by group, scoped and suppressed like the indicators."""
    from emplus.evidence_core import progression
    from emplus.pathways import progress_data
    from emplus.pathways.models import Enrolment

    filters = filters or IndicatorFilters()
    if group_by not in PROGRESSION_GROUPS:
        group_by = "organisation"
    participants, full_detail, _ = evidence_participants(viewer=viewer, filters=filters)
    scope = SCOPE_OWN if full_detail else SCOPE_PARTNERSHIP
    suppressed = None if full_detail else threshold
    instrument = progress_data.instrument_active()
    if instrument is None:
        return ProgressionReport(None, group_by, (), (), scope, suppressed, False)
    dimensions = tuple(
        (d.code, progress_data.dimension_label(d, language))
        for d in instrument.dimensions.order_by("order")
    )
    enrolments = Enrolment.objects.filter(participant__in=participants.values("pk"))
    if filters.method:
        enrolments = enrolments.filter(method__code=filters.method)
    if filters.test_bed:
        enrolments = enrolments.filter(test_bed__code=filters.test_bed)
    if filters.entry_from:
        enrolments = enrolments.filter(entry_date__gte=filters.entry_from)
    if filters.entry_to:
        enrolments = enrolments.filter(entry_date__lte=filters.entry_to)
    group_field = {
        "organisation": "participant__organisation__code",
        "method": "method__code",
        "test_bed": "test_bed__code",
        "phase": "pk",
    }[group_by]
    group_of = dict(enrolments.values_list("pk", group_field))
    if group_by == "phase":
        phases = _latest_phase(list(group_of))
        group_of = {pk: phases.get(pk) for pk in group_of}
    records = progress_records(instrument=instrument, group_of=group_of)
    statistics = progress_data.instrument_statistics(instrument=instrument)
    stats = {**statistics.per_dimension, progression.TOTAL: statistics.total}
    rows = progression.progression_table(
        records, dimensions=[code for code, _ in dimensions], stats=stats
    )
    if not full_detail:
        rows = progression.suppress_progression(rows, threshold=threshold)
    return ProgressionReport(
        instrument,
        group_by,
        dimensions,
        tuple(rows),
        scope,
        suppressed,
        statistics.enough_data,
    )
