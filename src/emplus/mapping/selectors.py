"""Reads of activities and of their coverage of municipalities (not personal data: every role
reads them; the view still checks the permission)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from emplus.core.suppression import DEFAULT_THRESHOLD, suppress_cells
from emplus.core.typing import User
from emplus.evidence.selectors import full_detail_organisations
from emplus.evidence_core.reference import RURAL_SKR_GROUPS
from emplus.geo.models import County, Municipality
from emplus.mapping.models import Activity
from emplus.methods.models import Method, ThematicArea
from emplus.organisations.models import Organisation
from emplus.pathways.models import Participant

PER = 10_000  # coverage is counted per this many inhabitants


@dataclass(frozen=True)
class ActivityFilters:
    arena: str = ""
    phase: str = ""
    organisation: str = ""  # organisation code
    thematic_area: str = ""  # thematic area code
    target_group: str = ""
    county: str = ""
    q: str = ""

    def active(self) -> bool:
        return any(vars(self).values())


def activity_filter_options() -> dict[str, QuerySet]:
    """What the activity filters offer (reference data, the same for every viewer): the
    organisations with activities, the thematic areas and the counties."""
    return {
        "organisations": Organisation.objects.filter(activities__isnull=False)
        .distinct()
        .order_by("name"),
        "thematic_areas": ThematicArea.objects.order_by("order"),
        "counties": County.objects.order_by("code"),
    }


def _json_list_has(field: str, value: str) -> Q:
    # A JSON list of codes; matching the quoted code works on SQLite and PostgreSQL alike.
    return Q(**{f"{field}__icontains": f'"{value}"'})


def activity_list(*, viewer: User, filters: ActivityFilters | None = None) -> QuerySet[Activity]:
    filters = filters or ActivityFilters()
    qs = Activity.objects.select_related("organisation", "unit")
    if filters.arena:
        qs = qs.filter(arena=filters.arena)
    if filters.phase:
        qs = qs.filter(_json_list_has("phases", filters.phase))
    if filters.target_group:
        qs = qs.filter(_json_list_has("target_groups", filters.target_group))
    if filters.organisation:
        qs = qs.filter(organisation__code=filters.organisation)
    if filters.thematic_area:
        qs = qs.filter(thematic_areas__code=filters.thematic_area)
    if filters.county:
        qs = qs.filter(municipalities__county_id=filters.county)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(description__icontains=filters.q))
    if filters.thematic_area or filters.county:
        qs = qs.distinct()
    return qs.order_by("title", "code")


def activity_related_codes(*, ids: list[UUID]) -> dict[str, dict[UUID, list[str]]]:
    """The codes of the methods, thematic areas and municipalities of the activities `ids`, by
    field and activity, each list in the related model's own order (as a prefetch gives it)."""
    related = {
        "methods": Method.objects.all(),
        "thematic_areas": ThematicArea.objects.all(),
        "municipalities": Municipality.objects.all(),
    }
    out: dict[str, dict[UUID, list[str]]] = {}
    for name, objects in related.items():
        codes: dict[UUID, list[str]] = {}
        if ids:
            pairs = objects.filter(activities__in=ids).values_list("activities", "code")
            for activity_id, code in pairs:
                codes.setdefault(activity_id, []).append(code)
        out[name] = codes
    return out


def activity_get(*, viewer: User, pk: UUID) -> Activity:
    return get_object_or_404(
        Activity.objects.select_related("organisation", "unit__municipality").prefetch_related(
            "methods", "thematic_areas", "municipalities"
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class CoverageRow:
    code: str
    name: str
    county_code: str
    county_name: str
    population: int
    activities: int | None  # the count shown: activities, or participants (None: suppressed)
    per_10k: float | None
    rural: bool
    sparse: bool


def _rate(count: int, population: int) -> float:
    return round(count * PER / population, 2) if population else 0.0


def _counts_by_municipality(activities: QuerySet[Activity]) -> dict[str, int]:
    through = Activity.municipalities.through
    rows = (
        through.objects.filter(activity__in=activities.order_by().values("pk"))
        .values("municipality_id")
        .annotate(n=Count("activity_id", distinct=True))
    )
    return {r["municipality_id"]: r["n"] for r in rows}


def municipality_coverage(
    *, viewer: User, filters: ActivityFilters | None = None
) -> list[CoverageRow]:
    """Activities serving each municipality per 10 000 inhabitants, all 290 municipalities (or
    one county's when the filters name one) including those with none."""
    filters = filters or ActivityFilters()
    counts = _counts_by_municipality(
        activity_list(viewer=viewer, filters=ActivityFilters(**{**vars(filters), "county": ""}))
    )
    municipalities = Municipality.objects.with_density().select_related("county").order_by("code")
    if filters.county:
        municipalities = municipalities.filter(county_id=filters.county)
    limit = settings.EMPLUS_SPARSE_DENSITY_MAX
    return [
        CoverageRow(
            code=m.code,
            name=m.name,
            county_code=m.county_id,
            county_name=m.county.short_name,
            population=m.population_2024,
            activities=counts.get(m.code, 0),
            per_10k=_rate(counts.get(m.code, 0), m.population_2024),
            rural=m.skr_group_2023 in RURAL_SKR_GROUPS,
            sparse=m.density_per_km2 <= limit,
        )
        for m in municipalities
    ]


def county_coverage(*, viewer: User, filters: ActivityFilters | None = None) -> list[CoverageRow]:
    """Distinct activities serving any municipality of each county, per 10 000 inhabitants."""
    filters = filters or ActivityFilters()
    activities = activity_list(
        viewer=viewer, filters=ActivityFilters(**{**vars(filters), "county": ""})
    )
    through = Activity.municipalities.through
    counts = {
        r["municipality__county_id"]: r["n"]
        for r in through.objects.filter(activity__in=activities.order_by().values("pk"))
        .values("municipality__county_id")
        .annotate(n=Count("activity_id", distinct=True))
    }
    return [
        CoverageRow(
            code=c.code,
            name=c.name,
            county_code=c.code,
            county_name=c.short_name,
            population=c.population_2024,
            activities=counts.get(c.code, 0),
            per_10k=_rate(counts.get(c.code, 0), c.population_2024),
            rural=False,
            sparse=False,
        )
        for c in County.objects.order_by("code")
    ]


def _none_first(value: float | None) -> float:
    return -1 if value is None else value


COVERAGE_SORTS = {
    "code": lambda r: r.code,
    "name": lambda r: r.name,
    "county": lambda r: (r.county_code, r.code),
    "population": lambda r: r.population,
    "activities": lambda r: _none_first(r.activities),
    "rate": lambda r: _none_first(r.per_10k),
}


def coverage_sorted(rows: list[CoverageRow], *, sort: str, descending: bool) -> list[CoverageRow]:
    key = COVERAGE_SORTS.get(sort, COVERAGE_SORTS["code"])
    return sorted(rows, key=lambda r: (key(r), r.code), reverse=descending)


def white_spots(*, viewer: User, arena: str = "", max_per_10k: float = 0.0) -> list[CoverageRow]:
    """Rural (SKR C8, C9) or sparsely populated municipalities whose coverage for the arena is
    at most `max_per_10k` activities per 10 000 inhabitants (0: none at all), largest first."""
    rows = municipality_coverage(viewer=viewer, filters=ActivityFilters(arena=arena))
    spots = [
        r
        for r in rows
        if (r.rural or r.sparse) and r.per_10k is not None and r.per_10k <= max_per_10k
    ]
    return sorted(spots, key=lambda r: (-r.population, r.code))


# --- participants per 10 000 inhabitants ------------------------------------------------------

NATIONAL = "SE"  # the cell key of the whole country in the participant suppression table


@dataclass(frozen=True)
class ParticipantCoverage:
    """Participants by municipality of residence at entry, per 10 000 inhabitants.

    `municipalities` and `counties` come from one suppressed table of cells (municipalities,
    their counties and the country, with `county = sum of its municipalities` and
    `country = sum of counties`), so neither view can reveal a cell the other hides.
    `suppressed_below` is None only when every counted participant belongs to one of the
    viewer's own organisations (full detail, as for the ESF+ indicators)."""

    municipalities: list[CoverageRow]
    counties: list[CoverageRow]
    total: int | None
    suppressed_below: int | None


def participant_coverage(
    *, viewer: User, filters: ActivityFilters | None = None, threshold: int = DEFAULT_THRESHOLD
) -> ParticipantCoverage:
    """Aggregate counts only: no participant row is read (and so nothing is audited). Only the
    organisation and county filters apply: arena, phase, thematic area and target group
    describe activities, not participants."""

    filters = filters or ActivityFilters()
    participants = Participant.objects.filter(municipality__isnull=False)
    organisation_ids = None
    if filters.organisation:
        organisation_ids = set(
            Organisation.objects.filter(code=filters.organisation).values_list("pk", flat=True)
        )
        participants = participants.filter(organisation__in=organisation_ids)
    full_detail = organisation_ids is not None and organisation_ids <= full_detail_organisations(
        viewer
    )
    counts = {
        r["municipality_id"]: r["n"]
        for r in participants.order_by().values("municipality_id").annotate(n=Count("pk"))
    }
    municipalities = list(
        Municipality.objects.with_density().select_related("county").order_by("code")
    )
    counties = list(County.objects.order_by("code"))
    cells: dict[str, int] = {m.code: counts.get(m.code, 0) for m in municipalities}
    members: dict[str, list[str]] = {c.code: [] for c in counties}
    for m in municipalities:
        members[m.county_id].append(m.code)
    for c in counties:
        cells[c.code] = sum(cells[code] for code in members[c.code])
    cells[NATIONAL] = sum(cells[c.code] for c in counties)
    if full_detail:
        shown: dict[str, int | None] = dict(cells)
    else:
        relations = [(c.code, *members[c.code]) for c in counties]
        relations.append((NATIONAL, *[c.code for c in counties]))
        shown = suppress_cells(cells, relations, threshold=threshold)
    limit = settings.EMPLUS_SPARSE_DENSITY_MAX

    def rate(code: str, population: int) -> float | None:
        value = shown[code]
        return None if value is None else _rate(value, population)

    muni_rows = [
        CoverageRow(
            code=m.code,
            name=m.name,
            county_code=m.county_id,
            county_name=m.county.short_name,
            population=m.population_2024,
            activities=shown[m.code],
            per_10k=rate(m.code, m.population_2024),
            rural=m.skr_group_2023 in RURAL_SKR_GROUPS,
            sparse=m.density_per_km2 <= limit,
        )
        for m in municipalities
        if not filters.county or m.county_id == filters.county
    ]
    county_rows = [
        CoverageRow(
            code=c.code,
            name=c.name,
            county_code=c.code,
            county_name=c.short_name,
            population=c.population_2024,
            activities=shown[c.code],
            per_10k=rate(c.code, c.population_2024),
            rural=False,
            sparse=False,
        )
        for c in counties
    ]
    return ParticipantCoverage(
        municipalities=muni_rows,
        counties=county_rows,
        total=shown[NATIONAL],
        suppressed_below=None if full_detail else threshold,
    )
