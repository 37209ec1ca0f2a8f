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

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID

import polars as pl
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import F, Model, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from emplus.core import scoping
from emplus.core.fingerprints import TableStats, stats_digest, tables_stats
from emplus.core.kept import kept
from emplus.core.kept_versions import database_version
from emplus.core.permissions import has_permission
from emplus.core.suppression import DEFAULT_THRESHOLD
from emplus.core.typing import User
from emplus.evidence.models import EffectEstimate, EvidenceDataVersion
from emplus.evidence_core import progression
from emplus.evidence_core import special_categories as special
from emplus.evidence_core.indicators import IndicatorResult, IndicatorRules, compute_indicators
from emplus.evidence_core.participant_file import CORE_COLUMNS
from emplus.evidence_core.reference import municipality_by_code
from emplus.geo.models import County, Municipality
from emplus.organisations.models import Organisation, Unit
from emplus.pathways import progress_data
from emplus.pathways.evidence_adapter import (
    participant_columns,
    participant_frame,
    participant_frame_fingerprint,
)
from emplus.pathways.kept_participant_frame import partnership_frame
from emplus.pathways.kept_progress_frame import partnership_progress
from emplus.pathways.models import (
    AssessmentScore,
    Dimension,
    Enrolment,
    EnrolmentProgress,
    Instrument,
    InstrumentReliability,
    Participant,
    PathwayStep,
)
from emplus.pathways.selectors import enrolment_reference_list

# Roles that see their own organisation's aggregates unsuppressed.
FULL_DETAIL_PERMISSION = "evidence.view_detail"
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
    special: SpecialCategories | None = field(default=None)

    def to_dict(self) -> dict:
        out = {
            "as_of": self.result.as_of.isoformat(),
            "scope": self.scope,
            "organisations": list(self.organisations),
            "suppressed_below": self.suppressed_below,
            "participants": self.result.participants.as_dict(),
            "indicators": [row.as_dict() for row in self.result.indicators],
            "missing_core_data": self.missing_core,
            "special_categories": self.special.to_dict() if self.special else None,
        }
        return out


# --- special categories (docs/decisions/0015-special-category-aggregates.md) -------------------

# Filters finer than the elementary cells (organisation x calendar block) of special categories.
NARROW_FILTERS = ("unit", "county", "municipality", "method", "test_bed")
# The participant-file columns that decide the special-category indicators.
_SPECIAL_COLUMNS = (
    "organisation",
    "entry_date",
    *CORE_COLUMNS,
    "disability",
    "citizenship",
    "born_abroad",
    "parents_born_abroad",
    "minority",
)


def special_calendar() -> special.Calendar:
    return special.Calendar(settings.EMPLUS_SPECIAL_CATEGORY_BLOCK_MONTHS)


def special_indicator_codes() -> tuple[str, ...]:
    return tuple(settings.EMPLUS_SPECIAL_CATEGORY_INDICATORS)


@dataclass(frozen=True)
class SpecialCategories:
    """How the special-category counts of a request were treated.

    `whole` says whether the request asked for whole organisations and whole calendar blocks;
    only then can a special-category count be shown (each still only when it is a sum of safe
    blocks). `whole_request` holds the query parameters of the nearest whole request."""

    codes: tuple[str, ...]
    block_months: int
    whole: bool
    first_block: date | None = None
    last_block: date | None = None
    whole_request: dict[str, str] | None = None
    hidden_codes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "codes": list(self.codes),
            "block_months": self.block_months,
            "whole_blocks": self.whole,
            "first_block": self.first_block.isoformat() if self.first_block else None,
            "last_block": self.last_block.isoformat() if self.last_block else None,
            "hidden": list(self.hidden_codes),
            "whole_request": self.whole_request,
        }


def special_blocks(
    filters: IndicatorFilters, *, as_of: date | None
) -> tuple[date | None, date | None] | None:
    """The blocks a request covers for special categories; None when it is narrower than
    whole organisations and whole blocks."""
    if any(getattr(filters, name) for name in NARROW_FILTERS):
        return None
    return special.aligned_blocks(
        special_calendar(), entry_from=filters.entry_from, entry_to=filters.entry_to, as_of=as_of
    )


def whole_request(filters: IndicatorFilters, *, as_of: date | None) -> dict[str, str]:
    """The nearest request that asks for whole organisations and whole blocks: the unit's
    organisation instead of the unit, no area, method or test bed, the period widened to whole
    blocks."""

    calendar = special_calendar()
    organisation = filters.organisation
    if filters.unit and not organisation:
        unit = Unit.objects.filter(pk=filters.unit).select_related("organisation").first()
        organisation = unit.organisation.code if unit else ""
    entry_to = filters.entry_to
    if entry_to is not None and (as_of is None or entry_to < as_of):
        entry_to = calendar.end(entry_to)
    widened = replace(
        filters,
        organisation=organisation,
        unit=None,
        county="",
        municipality="",
        method="",
        test_bed="",
        entry_from=calendar.start(filters.entry_from) if filters.entry_from else None,
        entry_to=entry_to,
    )
    return widened.as_params()


def _special_table(
    first: date | None,
    last: date | None,
    *,
    rules: IndicatorRules,
    frame: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The special-category table of the whole partnership for these blocks: the partitions
    must be the same whoever asks, so it is never scoped to the viewer (only released sums
    of it reach the viewer). `frame`: the partnership's rows of these blocks, when read."""

    calendar = special_calendar()
    if frame is None:
        frame = participant_frame(
            Participant.objects.all(),
            columns=_SPECIAL_COLUMNS,
            with_person=True,
            entered=(first, None if last is None else calendar.end(last)),
            ordered=False,
        )
    return special.special_category_table(
        frame, calendar=calendar, rules=rules, codes=special_indicator_codes()
    )


def special_category_release(
    *,
    filters: IndicatorFilters,
    as_of: date,
    organisation_codes: tuple[str, ...] | None,
    rules: IndicatorRules,
    threshold: int = DEFAULT_THRESHOLD,
    frame: pl.DataFrame | None = None,
) -> tuple[special.SpecialRelease, SpecialCategories]:
    """The special-category cells of a request (None where hidden) and how they were treated.
    `organisation_codes` None means the whole partnership. `frame`: the partnership's
    participant frame of the request's blocks (with `person`), when the caller has read it."""
    codes = special_indicator_codes()
    months = special_calendar().months
    blocks = special_blocks(filters, as_of=as_of)
    if blocks is None:
        hidden: dict[tuple[str, str], int | None] = {
            (c, col): None for c in codes for col in special.COLUMNS
        }
        status = SpecialCategories(
            codes, months, False, None, None, whole_request(filters, as_of=as_of), codes
        )
        return special.SpecialRelease(hidden), status
    first, last = blocks
    release = special.release_special_counts(
        _special_table(first, last, rules=rules, frame=frame),
        organisations=organisation_codes,
        first_block=first,
        last_block=last,
        codes=codes,
        threshold=threshold,
    )
    hidden_codes = tuple(
        c for c in codes if any(release.values[(c, k)] is None for k in special.COLUMNS)
    )
    return release, SpecialCategories(codes, months, True, first, last, None, hidden_codes)


def full_detail_organisations(viewer: User) -> frozenset[UUID]:
    """Organisations whose aggregates the viewer sees unsuppressed."""
    return scoping.organisation_ids_with(viewer, FULL_DETAIL_PERMISSION)


def sees_partnership(viewer: User) -> bool:
    return has_permission(viewer, PARTNERSHIP_PERMISSION)


def filter_choices(*, viewer: User) -> dict:
    """What the evidence pages' filters offer the viewer: the organisations in reach (every one
    for the partnership view), their units, and the reference lists."""
    if sees_partnership(viewer):
        organisations = Organisation.objects.all()
    else:
        organisations = Organisation.objects.filter(pk__in=full_detail_organisations(viewer))
    return {
        "organisations": organisations.order_by("name"),
        "units": Unit.objects.filter(organisation__in=organisations)
        .select_related("organisation")
        .order_by("organisation__name", "name"),
        "counties": County.objects.order_by("code"),
        "municipalities": Municipality.objects.order_by("name"),
        "methods": enrolment_reference_list("method"),
        "test_beds": enrolment_reference_list("test_bed"),
        "can_choose_all": sees_partnership(viewer),
    }


@dataclass(frozen=True)
class EstimateFilters:
    status: str = ""
    outcome: str = ""


def effect_estimate_list(
    *, viewer: User, filters: EstimateFilters | None = None
) -> QuerySet[EffectEstimate]:
    """Estimates the viewer may see: their own, and those of their own organisations; newest
    first."""
    filters = filters or EstimateFilters()
    qs = EffectEstimate.objects.restrict(viewer, FULL_DETAIL_PERMISSION) | (
        EffectEstimate.objects.filter(created_by=viewer)
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    return qs.select_related("organisation").order_by("-created_at", "pk")


def indicator_rules() -> IndicatorRules:
    return IndicatorRules.from_mapping(getattr(settings, "EMPLUS_ESF_RULES", {}))


def evidence_participants(
    *, viewer: User, filters: IndicatorFilters
) -> tuple[QuerySet[Participant], bool, set[UUID] | None]:
    """The participants an aggregate for `viewer` may include, and whether it is at full
    detail (every included participant belongs to one of the viewer's own organisations).

    Raises Http404 for an organisation or unit out of the viewer's reach."""

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


def indicator_frame(
    *, viewer: User, filters: IndicatorFilters, statistics_only: bool = False
) -> tuple[pl.DataFrame, bool, tuple]:
    """The participant frame (one row per enrolment, no identity) behind an aggregate.

    `statistics_only` keeps the participants whose legal basis covers statistics: for
    evaluations such as effect estimates. The ESF+ indicators take everyone (the reporting
    duty, docs/decisions/0023-consent-purposes-and-legal-bases.md)."""
    frame, full_detail, codes, _everyone = _indicator_frame(
        viewer=viewer, filters=filters, statistics_only=statistics_only
    )
    return frame, full_detail, codes


def _indicator_frame(
    *, viewer: User, filters: IndicatorFilters, statistics_only: bool = False
) -> tuple[pl.DataFrame, bool, tuple[str, ...], bool]:
    participants, full_detail, organisation_ids = evidence_participants(
        viewer=viewer, filters=filters
    )
    if statistics_only:
        participants = participants.filter(
            pk__in=Participant.objects.covering_statistics().values("pk")
        )
    frame = _enrolment_filter(participant_frame(participants), filters)
    orgs = Organisation.objects.all()
    if organisation_ids is not None:
        orgs = orgs.filter(pk__in=organisation_ids)
    codes = tuple(orgs.order_by("code").values_list("code", flat=True))
    return frame, full_detail, codes, organisation_ids is None


def indicator_report(
    *,
    viewer: User,
    filters: IndicatorFilters | None = None,
    rules: IndicatorRules | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> IndicatorReport:
    """The 23 ESF+ indicators of the participants the viewer may aggregate, filtered.

    Kept in the cache under the request (its scope, filters, reporting date and rules) and the
    version of the data the database keeps (decision 74), or where it keeps none a
    fingerprint of the data read from the database: a change to any row the report reads
    gives another version, so nothing has to invalidate it (decision 45). Viewers who ask for a
    missing report at once wait for one computation of it (decision 49)."""
    filters = filters or IndicatorFilters()
    as_of = filters.as_of or timezone.localdate()
    rules = rules or indicator_rules()
    participants, full_detail, organisation_ids = evidence_participants(
        viewer=viewer, filters=filters
    )
    key = _report_key(participants, full_detail, filters, as_of, rules, threshold)
    # Read before the rows: a write in between gives a report newer than its version, never an
    # older report under a newer version. The fingerprint only where the database keeps no
    # version (decision 74).
    data = evidence_data_version(using=participants.db) or participant_frame_fingerprint(
        using=participants.db
    )
    return kept(
        key,
        lambda: _indicator_report(
            participants=participants,
            full_detail=full_detail,
            organisation_ids=organisation_ids,
            filters=filters,
            as_of=as_of,
            rules=rules,
            threshold=threshold,
        ),
        kind=IndicatorReport,
        timeout=REPORT_CACHE_SECONDS,
        version=data,
    )


# A kept report is found again only while the data is unchanged; the timeout just clears
# the cache of reports nobody asks for any more.
REPORT_CACHE_SECONDS = 24 * 3600


def evidence_data_version(*, using: str = "default") -> str | None:
    """The version of everything the reports read, kept by the database's triggers
    (`EvidenceDataVersion`, decision 74): one sum instead of counting the tables on every
    view. None on SQLite and inside a transaction: the reports' fingerprint decides there."""
    version = database_version(EvidenceDataVersion, using=using)
    # Apart from a fingerprint's digest, whatever the sums.
    return None if version is None else f"db:{version}"


def _report_key(
    participants: QuerySet[Participant],
    full_detail: bool,
    filters: IndicatorFilters,
    as_of: date,
    rules: IndicatorRules,
    threshold: int,
) -> str:
    """Everything the report depends on but the data (the version it is kept under): the
    scope as the SQL that selects it (so two viewers share a report only when they aggregate
    the same participants at the same detail), the filters, the date, the rules and the
    special-category settings."""
    request = {
        # Raise it when the computation changes: a report kept by the old code is then not
        # found (the data alone would not tell).
        "version": 1,
        "scope": _scope_key(participants),
        "full_detail": full_detail,
        "filters": filters.as_params(),
        "as_of": as_of.isoformat(),
        "rules": rules.to_mapping(),
        "threshold": threshold,
        "special": [special_calendar().months, list(special_indicator_codes())],
        # The packaged municipality groups decide who lives in a rural area (EECO17).
        "groups": sorted((c, m.skr_group_2023) for c, m in municipality_by_code().items()),
    }
    digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode())
    return f"evidence:indicators:{digest.hexdigest()}"


def _scope_key(participants: QuerySet[Participant]) -> list:
    """The scope of a kept report as the SQL that selects its participants: two viewers share
    a report only when they aggregate the same participants."""
    try:
        sql, params = participants.query.sql_with_params()
    except EmptyResultSet:  # Django knows without asking: nobody (e.g. `pk__in=[]`)
        return []
    return [sql, [str(p) for p in params]]


# The columns the indicators read: no reference, no identity (nothing to decrypt), and the
# method and test bed only when a filter asks for them.
_INDICATOR_COLUMNS = tuple(
    c for c in participant_columns() if c not in ("participant_ref", "method", "test_bed")
)


def _report_frames(
    *,
    participants: QuerySet[Participant],
    codes: tuple[str, ...] | None,
    filters: IndicatorFilters,
    blocks: tuple[date | None, date | None] | None,
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """The viewer's frame of the indicators and, for a request of whole blocks, the
    partnership's frame of the special categories. `codes`: the organisations of the scope
    (None: every one)."""
    columns = [*_INDICATOR_COLUMNS, *(c for c in ("method", "test_bed") if getattr(filters, c))]
    if blocks is None:
        frame = participant_frame(participants, columns=columns, ordered=False)
        return _enrolment_filter(frame, filters), None
    # Whole blocks: no filter narrower than organisations, so the viewer's rows are those of
    # their organisations in the partnership's rows, which the special rule reads anyway. One
    # read from the first block on serves both.
    # The partnership's frame is kept and after a write only its changed rows are read again
    # (decision 51).
    first, last = blocks
    every = partnership_frame(columns=columns, using=participants.db)
    if first is not None:
        every = every.filter(pl.col("entry_date") >= first)
    scoped = every.drop("person")
    if codes is not None:
        scoped = scoped.filter(pl.col("organisation").is_in(list(codes)))
    in_blocks = every
    if last is not None:
        in_blocks = every.filter(pl.col("entry_date") <= special_calendar().end(last))
    return _enrolment_filter(scoped, filters), in_blocks.select(*_SPECIAL_COLUMNS, "person")


def _indicator_report(
    *,
    participants: QuerySet[Participant],
    full_detail: bool,
    organisation_ids: set[UUID] | None,
    filters: IndicatorFilters,
    as_of: date,
    rules: IndicatorRules,
    threshold: int,
) -> IndicatorReport:
    everyone = organisation_ids is None
    orgs = Organisation.objects.all()
    if organisation_ids is not None:
        orgs = orgs.filter(pk__in=organisation_ids)
    codes = tuple(orgs.order_by("code").values_list("code", flat=True))
    frame, special_frame = _report_frames(
        participants=participants,
        codes=None if everyone else codes,
        filters=filters,
        blocks=special_blocks(filters, as_of=as_of),
    )
    result = compute_indicators(frame, as_of=as_of, rules=rules)
    # Special categories follow their own rule for every viewer, own organisation included:
    # whole organisations and whole calendar blocks only, each count a sum of safe blocks.
    release, status = special_category_release(
        filters=filters,
        as_of=as_of,
        organisation_codes=None if everyone else codes,
        rules=rules,
        threshold=threshold,
        frame=special_frame,
    )
    shown = {k: v for k, v in release.values.items() if v is not None}
    result = result.with_cells(shown)
    if full_detail:
        missing = missing_core_counts(result)
        result = replace(result, completeness=result.completeness.clear())
        result = result.with_cells(dict.fromkeys(release.hidden()))
        return IndicatorReport(result, SCOPE_OWN, codes, None, missing, status)
    suppressed = result.suppress(threshold, hidden=release.hidden())
    return IndicatorReport(suppressed, SCOPE_PARTNERSHIP, codes, threshold, None, status)


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
    # Special-category dimensions (docs/decisions/0015): their codes, whether the request asks
    # for whole organisations and blocks, and if not, the nearest request that does.
    sensitive: tuple[str, ...] = ()
    sensitive_whole: bool = True
    whole_request: dict[str, str] | None = None


def progress_records(
    *, instrument: Instrument, group_of: Mapping[Any, Any]
) -> list[progression.ProgressRecord]:
    """One `progression.ProgressRecord` per enrolment of `group_of` (enrolment pk -> group)
    with at least two assessments on `instrument`: its first and latest scores."""

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


def _text(field: str) -> Cast:
    return Cast(field, output_field=TextField())


def _group_column(group_by: str) -> tuple[Any, pl.DataType]:
    """The group of an enrolment's stored progress summary: the value of a field, or for
    `phase` the phase of its latest pathway step."""
    if group_by == "phase":
        latest_step = (
            PathwayStep.objects.filter(enrolment_id=OuterRef("enrolment_id"))
            .order_by("-started_on", "-created_at")
            .values("phase")[:1]
        )
        return Subquery(latest_step), pl.String()
    field = {
        "organisation": "enrolment__participant__organisation__code",
        "method": "enrolment__method__code",
        "test_bed": "enrolment__test_bed__code",
    }[group_by]
    return F(field), pl.String()


def _in_blocks(blocks: tuple[date | None, date | None]) -> Q:
    """The stored summaries of the enrolments that entered in the blocks."""
    first, last = blocks
    where = Q()
    if first is not None:
        where &= Q(enrolment__entry_date__gte=first)
    if last is not None:
        where &= Q(enrolment__entry_date__lte=special_calendar().end(last))
    return where


def _special_changes(frame: pl.DataFrame) -> pl.DataFrame:
    """The changes of every enrolment of the partnership in the blocks (the partitions must be
    the same whoever asks), with its `organisation` (code), `block` (first day) and `person`,
    from the frame read with those columns and `entry`."""
    calendar = special_calendar()
    starts = {day: calendar.start(day) for day in frame.get_column("entry").unique().to_list()}
    return frame.with_columns(
        pl.col("entry").replace_strict(starts, return_dtype=pl.Date()).alias("block"),
        pl.lit(progression.ALL).alias("group"),
    )


def progression_report(
    *,
    viewer: User,
    filters: IndicatorFilters | None = None,
    group_by: str = "organisation",
    threshold: int = DEFAULT_THRESHOLD,
    language: str | None = None,
) -> ProgressionReport:
    """Change between each enrolment's first and latest assessment on the active instrument,
    overall and by group, scoped and suppressed like the indicators.

    Kept in the cache under the request (scope, filters, grouping, instrument, settings) and
    the version of the data the database keeps (decision 74), or where it keeps none a
    fingerprint of every table it reads, as the indicator report (decisions 45, 47 and 49)."""

    filters = filters or IndicatorFilters()
    if group_by not in PROGRESSION_GROUPS:
        group_by = "organisation"
    participants, full_detail, organisation_ids = evidence_participants(
        viewer=viewer, filters=filters
    )
    instrument = progress_data.instrument_active()
    if instrument is None:
        scope = SCOPE_OWN if full_detail else SCOPE_PARTNERSHIP
        suppressed = None if full_detail else threshold
        return ProgressionReport(None, group_by, (), (), scope, suppressed, False)
    language = language or get_language() or "sv"
    dimensions = tuple(
        (d.code, progress_data.dimension_label(d, language))
        for d in instrument.dimensions.order_by("order")
    )
    if not dimensions:  # an instrument in use whose dimensions are not entered yet
        scope = SCOPE_OWN if full_detail else SCOPE_PARTNERSHIP
        suppressed = None if full_detail else threshold
        return ProgressionReport(instrument, group_by, (), (), scope, suppressed, False)
    # Read before the rows: a write in between gives a report newer than its version, never
    # an older report under a newer version. Where the database keeps no version (decision
    # 74), the figures of the tables it reads, also those the kept summary frame is checked
    # against (decision 55): counted once per view. With a version the frame counts them
    # itself, only when the report is computed.
    data = evidence_data_version(using=participants.db)
    stats: TableStats | None = None
    if data is None:
        stats = tables_stats(progression_tables(group_by), using=participants.db)
        data = stats_digest(stats)
    request = {
        # Raise it when the computation changes: a report kept by the old code is then not
        # found (the data alone would not tell).
        "version": 1,
        "scope": _scope_key(participants),
        "full_detail": full_detail,
        "filters": filters.as_params(),
        "group_by": group_by,
        "threshold": threshold,
        "language": language,
        "instrument": [str(instrument.pk), instrument.code, instrument.version],
        "dimensions": dimensions,
        "special": [
            special_calendar().months,
            sorted(settings.EMPLUS_SPECIAL_CATEGORY_DIMENSIONS),
        ],
    }
    digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode())
    return kept(
        f"evidence:progression:{digest.hexdigest()}",
        lambda: _progression_report(
            participants=participants,
            full_detail=full_detail,
            organisation_ids=organisation_ids,
            filters=filters,
            group_by=group_by,
            threshold=threshold,
            instrument=instrument,
            dimensions=dimensions,
            table_stats=stats,
        ),
        kind=ProgressionReport,
        timeout=REPORT_CACHE_SECONDS,
        version=data,
    )


def progression_tables(group_by: str) -> tuple[tuple[type[Model], str], ...]:
    """What the progression report reads, as (model, the field every write moves) for
    `core.fingerprints.tables_stats` (its key): the stored summary (its rows are only inserted and
    deleted, under keys never used again), the enrolments, participants and the codes of their
    organisation, unit, method and test bed, the instrument and its dimensions, the data
    version of the instrument's assessments (raised by every write of an assessment, decision
    39: the reliability statistics), and the pathway steps when grouped by phase."""
    tables: list[tuple[type[Model], str]] = [
        (EnrolmentProgress, "id"),
        (InstrumentReliability, "data_version"),
        *(
            (model, "updated_at")
            for model in (
                Enrolment,
                Participant,
                Organisation,
                Unit,
                # Methods and test beds sit above this app: found through the enrolment.
                _related(Enrolment, "method"),
                _related(Enrolment, "test_bed"),
                Instrument,
                Dimension,
            )
        ),
    ]
    if group_by == "phase":
        tables.append((PathwayStep, "updated_at"))
    return tuple(tables)


def _related(model: type[Model], name: str) -> type[Model]:
    related = model._meta.get_field(name).related_model
    assert isinstance(related, type), name  # noqa: S101 - a foreign key, by construction
    return related


def _progression_frames(
    *,
    instrument: Instrument,
    codes: list[str],
    participants: QuerySet[Participant],
    organisation_codes: tuple[str, ...] | None,
    filters: IndicatorFilters,
    group_by: str,
    blocks: tuple[date | None, date | None] | None,
    stats: TableStats | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The changes of the viewer's enrolments with their `group`, and for a request of whole
    blocks with special-category dimensions those of the partnership's enrolments in the
    blocks (with `organisation`, `entry` and `person`; else an empty frame). `stats`: the
    figures of the report's key (`progression_tables`), if counted."""
    group = _group_column(group_by)
    if blocks is None:
        where = Q(enrolment__participant__in=participants.values("pk"))
        if filters.method:
            where &= Q(enrolment__method__code=filters.method)
        if filters.test_bed:
            where &= Q(enrolment__test_bed__code=filters.test_bed)
        if filters.entry_from:
            where &= Q(enrolment__entry_date__gte=filters.entry_from)
        if filters.entry_to:
            where &= Q(enrolment__entry_date__lte=filters.entry_to)
        scoped = progress_data.progress_changes(
            instrument=instrument, codes=codes, columns={"group": group}, where=where
        )
        return _grouped(scoped), pl.DataFrame()
    # Whole organisations and blocks: no filter narrower than organisations and the blocks'
    # period, so the viewer's enrolments are those of their organisations among the
    # partnership's, which the special rule reads anyway. One read serves both.
    if group_by == "phase":
        columns = {
            "organisation": (F("enrolment__participant__organisation__code"), pl.String()),
            "entry": (F("enrolment__entry_date"), pl.Date()),
            "person": (_text("enrolment__participant_id"), pl.String()),
            "group": group,
        }
        every = progress_data.progress_changes(
            instrument=instrument, codes=codes, columns=columns, where=_in_blocks(blocks)
        )
    else:
        every = _partnership_changes(
            instrument=instrument,
            codes=codes,
            group_by=group_by,
            blocks=blocks,
            using=participants.db,
            stats=stats,
        )
    if group_by == "organisation":
        every = every.with_columns(pl.col("organisation").alias("group"))
    conditions = []
    if organisation_codes is not None:
        conditions.append(pl.col("organisation").is_in(list(organisation_codes)))
    if filters.entry_from:
        conditions.append(pl.col("entry") >= filters.entry_from)
    if filters.entry_to:
        conditions.append(pl.col("entry") <= filters.entry_to)
    scoped = every.filter(*conditions) if conditions else every
    return _grouped(scoped.drop("organisation", "entry", "person")), every.drop("group")


def _partnership_changes(
    *,
    instrument: Instrument,
    codes: list[str],
    group_by: str,
    blocks: tuple[date | None, date | None],
    using: str,
    stats: TableStats | None = None,
) -> pl.DataFrame:
    """The changes of the partnership's enrolments in the blocks with `organisation`, `entry`,
    `person` and (unless grouped by organisation) `group`, as `progress_changes` reads them,
    from the summary and participant frames kept between reads: after a write only the rows
    written since are read (decision 55). Grouped by phase the rows are read as before."""
    grouped = [group_by] if group_by != "organisation" else []
    every = partnership_progress(
        instrument=instrument,
        codes=codes,
        columns=["organisation", "entry_date", *grouped],
        using=using,
        stats=stats,
    )
    first, last = blocks
    if first is not None:
        every = every.filter(pl.col("entry_date") >= first)
    if last is not None:
        every = every.filter(pl.col("entry_date") <= special_calendar().end(last))
    every = every.rename({"entry_date": "entry", **dict.fromkeys(grouped, "group")})
    values = [c for c in every.columns if c.startswith(("first:", "latest:"))]
    return every.select("organisation", "entry", "person", *(["group"] if grouped else []), *values)


def _grouped(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("group").fill_null(NO_GROUP).replace("", NO_GROUP))


def _progression_report(
    *,
    participants: QuerySet[Participant],
    full_detail: bool,
    organisation_ids: set[UUID] | None,
    filters: IndicatorFilters,
    group_by: str,
    threshold: int,
    instrument: Instrument,
    dimensions: tuple[tuple[str, str], ...],
    table_stats: TableStats | None = None,
) -> ProgressionReport:
    organisation_codes = _organisation_codes(organisation_ids)
    scope = SCOPE_OWN if full_detail else SCOPE_PARTNERSHIP
    suppressed = None if full_detail else threshold
    codes = [code for code, _ in dimensions]
    sensitive = special_dimensions(codes)
    blocks = special_blocks(filters, as_of=None) if sensitive else None
    scoped, partnership = _progression_frames(
        instrument=instrument,
        codes=codes,
        participants=participants,
        organisation_codes=organisation_codes,
        filters=filters,
        group_by=group_by,
        blocks=blocks,
        stats=table_stats,
    )
    statistics = progress_data.instrument_statistics(instrument=instrument)
    stats = {**statistics.per_dimension, progression.TOTAL: statistics.total}
    rows = progression.progression_table_wide(scoped, dimensions=codes, stats=stats)
    if not full_detail:
        rows = progression.suppress_progression(rows, threshold=threshold)
    if sensitive:
        counts = {}
        if blocks is not None:
            # The partitions of the special rule are the partnership's, whoever asks.
            counts = progression.person_change_counts_wide(
                _special_changes(partnership),
                dimensions=codes,
                counted=sorted(sensitive),
                stats=stats,
            )
        rows = _protect_special_progression(
            rows,
            dimensions=sensitive,
            whole=blocks is not None,
            counts=counts,
            group_by=group_by,
            organisation_codes=organisation_codes,
            threshold=threshold,
        )
    whole = special_blocks(filters, as_of=None) is not None
    return ProgressionReport(
        instrument,
        group_by,
        dimensions,
        tuple(rows),
        scope,
        suppressed,
        statistics.enough_data,
        tuple(sorted(sensitive)),
        whole,
        None if whole or not sensitive else whole_request(filters, as_of=None),
    )


def special_dimensions(dimension_codes: Iterable[str]) -> frozenset[str]:
    """The instrument's special-category dimensions (settings), with the total score when it
    sums one of them."""

    found = set(settings.EMPLUS_SPECIAL_CATEGORY_DIMENSIONS) & set(dimension_codes)
    return frozenset(found | {progression.TOTAL}) if found else frozenset()


def _organisation_codes(organisation_ids: Iterable[UUID] | None) -> tuple[str, ...] | None:
    if organisation_ids is None:
        return None
    return tuple(
        Organisation.objects.filter(pk__in=organisation_ids)
        .order_by("code")
        .values_list("code", flat=True)
    )


def _protect_special_progression(
    rows: Iterable[progression.ChangeSummary],
    *,
    dimensions: frozenset[str],
    whole: bool,
    counts: Mapping[str, Any],
    group_by: str,
    organisation_codes: tuple[str, ...] | None,
    threshold: int,
) -> list[progression.ChangeSummary]:
    """Hide the rows of special-category dimensions unless the request asks for whole
    organisations and whole blocks and the row's organisations are a union of safe blocks
    (docs/decisions/0015); the shares with reliable change need a coarser safe partition."""
    partitions = {
        d: special.progression_partitions(counts.get(d, {}), threshold=threshold)
        for d in dimensions
    }
    out = []
    for row in rows:
        if row.dimension not in dimensions or row.hidden:
            out.append(row)
            continue
        if row.group == progression.ALL:
            units = organisation_codes
        elif group_by == "organisation" and row.group != NO_GROUP:
            units = (row.group,)
        else:
            units = ()  # a method, test bed or phase is finer than the elementary cells
        means, shares = partitions[row.dimension]
        in_blocks = list(counts.get(row.dimension, {}))
        if not whole or units == () or not special.released(means, units, in_blocks):
            out.append(progression.ChangeSummary(row.group, row.dimension, None))
        elif not special.released(shares, units, in_blocks):
            out.append(replace(row, improved_share=None, deteriorated_share=None))
        else:
            out.append(row)
    return out
