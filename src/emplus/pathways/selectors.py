"""Reads of the pathway module, scoped to the viewer; reads of a record are audited."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, router
from django.db.models import (
    Exists,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from emplus.core import scoping
from emplus.core.audit import audit_list, audit_log
from emplus.core.choices import Phase
from emplus.core.compiled import CompiledRead, CompiledRows
from emplus.core.kept import kept
from emplus.core.kept_versions import database_version, version_columns, version_of
from emplus.core.models import AuditEvent
from emplus.core.pagination import PageMarks
from emplus.core.roles import Role, role_has_permission
from emplus.core.typing import User
from emplus.evidence_core import reliable_change
from emplus.evidence_core.indicators import GENDERS, LM_STATUSES
from emplus.organisations.models import Membership, Organisation
from emplus.pathways import charts, progress_data
from emplus.pathways.choices import EventKind, ShareRequestStatus
from emplus.pathways.models import (
    Assessment,
    AssessmentScore,
    CaseloadOrderVersion,
    Consent,
    Enrolment,
    FollowUp,
    FollowUpsDueVersion,
    Goal,
    ImportBatch,
    Participant,
    ParticipantCount,
    ParticipantNameToken,
    PathwayEvent,
    PathwayStep,
    ShareRequest,
    display_name,
)
from emplus.pathways.name_index import name_holders, name_search
from emplus.pathways.querysets import sharing_may_widen


def enrolment_reference_model(field: str) -> type[Model]:
    """The model behind an enrolment's `method` or `test_bed`, taken from the foreign key.

    `methods` and `testbeds` sit above `pathways` in the layers (their pages read enrolments),
    so pathways reaches their models through its own keys, not by importing them
    (docs/architecture.md)."""
    if field not in ("method", "test_bed"):
        raise ValueError(f"not a reference of an enrolment: {field}")
    model = Enrolment._meta.get_field(field).related_model
    assert isinstance(model, type) and issubclass(model, Model)  # noqa: S101 - a resolved key
    return model


def enrolment_reference_list(field: str) -> QuerySet:
    """Every method or every test bed an enrolment may name, by code (reference data, read by
    every role)."""
    return enrolment_reference_model(field)._default_manager.order_by("code")


@dataclass(frozen=True)
class CaseloadFilters:
    q: str = ""
    phase: str = ""
    status: str = ""  # "active", "exited" or ""
    followup_due: bool = False
    # The start page's items (docs/operations.md names the settings behind them).
    followup_overdue: bool = False
    assessment_due: bool = False
    stalled: bool = False
    core_data_missing: bool = False
    link_open: bool = False
    attestation_waiting: bool = False
    recent: bool = False
    organisation: UUID | None = None
    unit: UUID | None = None


# What counts as recent activity on the start page and the caseload (`?recent=1`).
RECENT_DAYS = 7


@dataclass(frozen=True)
class CaseloadThresholds:
    """When work counts as due: read from the settings on each request, so a test or an
    operator changes them without code."""

    followup_overdue_days: int
    assessment_due_weeks: int
    stalled_weeks: int


def caseload_thresholds() -> CaseloadThresholds:
    return CaseloadThresholds(
        followup_overdue_days=int(getattr(settings, "EMPLUS_FOLLOWUP_OVERDUE_DAYS", 30)),
        assessment_due_weeks=int(getattr(settings, "EMPLUS_ASSESSMENT_DUE_WEEKS", 8)),
        stalled_weeks=int(getattr(settings, "EMPLUS_STALLED_WEEKS", 12)),
    )


def _current_phase() -> Subquery:
    latest = PathwayStep.objects.filter(
        enrolment__participant=OuterRef("pk"), enrolment__exit_date__isnull=True
    ).order_by("-started_on", "-created_at")
    return Subquery(latest.values("phase")[:1])


def core_data_missing() -> Q:
    """Participants lacking a core datum of the ESF+ indicators: the same test as the
    indicators' completeness (evidence_core.indicators), as a database filter."""
    return (
        Q(birth_date__isnull=True)
        | ~Q(gender__in=GENDERS)
        | ~Q(lm_status_entry__in=LM_STATUSES)
        | Q(isced__isnull=True)
        | Q(lm_status_entry="unemployed", unemployed_months__isnull=True)
    )


# QuerySet[Any]: the type checker knows no annotation, and callers filter on them.
def open_link_exists() -> Exists:
    """Participants with a self-service link given and not yet used, revoked or expired.

    `selfservice` sits above `pathways`: its link model is reached through the participant's own
    reverse relation, not imported (docs/architecture.md)."""
    link = Participant._meta.get_field("selfservice_links").related_model
    return Exists(
        link._default_manager.filter(
            participant=OuterRef("pk"),
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
    )


def attestation_waiting_exists(viewer: User) -> Exists:
    """Participants with a month of time waiting for their attestation, in the viewer's own
    organisation and unit (attested time is never shared by consent): the months selfservice's
    `MonthlyTimeQuerySet.attestation_waiting` names, reached through the participant's reverse
    relation like the links above (selfservice sits above pathways)."""
    monthly = Participant._meta.get_field("monthly_times").related_model
    months: Any = monthly._default_manager  # a MonthlyTimeQuerySet's manager, not imported here
    return Exists(
        months.restrict(viewer, "time.view")
        .attestation_waiting()
        .filter(participant=OuterRef("pk"))
    )


# Every annotation of the caseload, in an order in which each names only those before it.
CASELOAD_ANNOTATIONS = (
    "is_active",
    "current_phase",
    "followup_is_due",
    "followup_is_overdue",
    "assessment_is_due",
    "is_stalled",
    "has_open_link",
    "has_attestation_waiting",
    "has_recent_record",
)
# What the caseload page shows of a row beyond its fields (the phase, the status, a follow-up
# due); the others only decide its filters.
CASELOAD_SHOWN = ("is_active", "current_phase", "followup_is_due")
# Annotations that are written in terms of another one.
_ANNOTATION_NEEDS = {"assessment_is_due": "is_active", "is_stalled": "is_active"}
# What a row of the caseload page shows, read as values (decision 63): no model instance per
# participant, unit and organisation, and no column the page does not show (the identity
# number and contact details are neither read nor decrypted; the names of the page's rows are).
CASELOAD_ROW_COLUMNS = (
    "id",
    "participant_ref",
    "given_name",
    "family_name",
    "unit__name",
    "organisation__name",
    *CASELOAD_SHOWN,
)


@dataclass(slots=True)
class CaseloadRow:
    """A participant as a row of the caseload page (from CASELOAD_ROW_COLUMNS)."""

    pk: UUID
    participant_ref: str
    given_name: str | None
    family_name: str | None
    unit_name: str
    organisation_name: str
    current_phase: str | None
    is_active: bool
    followup_is_due: bool
    # The row's link and its phase in words, set by the view (once a page, not once a row).
    detail_url: str = ""
    phase_label: str = ""

    @property
    def display_name(self) -> str:
        return display_name(self.given_name, self.family_name, self.participant_ref)


def caseload_rows(values: Iterable[dict[str, Any]]) -> list[CaseloadRow]:
    """The rows of a page of `participant_list` read as `values(*CASELOAD_ROW_COLUMNS)`."""
    return [
        CaseloadRow(
            row["id"],
            row["participant_ref"],
            row["given_name"],
            row["family_name"],
            row["unit__name"],
            row["organisation__name"],
            row["current_phase"],
            row["is_active"],
            row["followup_is_due"],
        )
        for row in values
    ]


# The filters of CaseloadFilters that stand on an annotation.
_FILTER_ANNOTATION = {
    "followup_due": "followup_is_due",
    "followup_overdue": "followup_is_overdue",
    "assessment_due": "assessment_is_due",
    "stalled": "is_stalled",
    "link_open": "has_open_link",
    "attestation_waiting": "has_attestation_waiting",
    "recent": "has_recent_record",
}


def _caseload_expressions(*, viewer: User, today: date, names: frozenset[str]) -> dict[str, Any]:
    """The expressions of `names` (CASELOAD_ANNOTATIONS), built only when asked for: each is
    a tree of subqueries that Django resolves and compiles on every request."""
    limits = caseload_thresholds()
    out: dict[str, Any] = {}

    def open_enrolment() -> QuerySet[Enrolment]:
        return Enrolment.objects.filter(participant=OuterRef("pk"), exit_date__isnull=True)

    def due() -> QuerySet[FollowUp]:
        return FollowUp.objects.due(on=today).filter(enrolment__participant=OuterRef("pk"))

    if "is_active" in names:
        out["is_active"] = Exists(open_enrolment())
    if "current_phase" in names:
        out["current_phase"] = _current_phase()
    if "followup_is_due" in names:
        out["followup_is_due"] = Exists(due())
    if "followup_is_overdue" in names:
        overdue = due().filter(due_on__lt=today - timedelta(days=limits.followup_overdue_days))
        out["followup_is_overdue"] = Exists(overdue)
    if "assessment_is_due" in names:
        assessed_lately = Assessment.objects.filter(
            enrolment__participant=OuterRef("pk"),
            assessed_on__gt=today - timedelta(weeks=limits.assessment_due_weeks),
        )
        out["assessment_is_due"] = Q(is_active=True) & ~Exists(assessed_lately)
    if "is_stalled" in names:
        stalled_since = today - timedelta(weeks=limits.stalled_weeks)
        moved_lately = PathwayStep.objects.filter(
            enrolment__participant=OuterRef("pk"),
            enrolment__exit_date__isnull=True,
            started_on__gt=stalled_since,
        )
        entered_lately = open_enrolment().filter(entry_date__gt=stalled_since)
        out["is_stalled"] = Q(is_active=True) & ~Exists(moved_lately) & ~Exists(entered_lately)
    if "has_open_link" in names:
        out["has_open_link"] = open_link_exists()
    if "has_attestation_waiting" in names:
        out["has_attestation_waiting"] = attestation_waiting_exists(viewer)
    if "has_recent_record" in names:
        recorded_since = timezone.now() - timedelta(days=RECENT_DAYS)
        recorded = {"enrolment__participant": OuterRef("pk"), "created_at__gte": recorded_since}
        out["has_recent_record"] = (
            Exists(PathwayStep.objects.filter(**recorded))
            | Exists(PathwayEvent.objects.filter(**recorded))
            | Exists(Assessment.objects.filter(**recorded))
        )
    return out


def caseload_annotated(
    *, viewer: User, today: date, names: Iterable[str] = CASELOAD_ANNOTATIONS
) -> QuerySet[Any]:
    """The viewer's participants with what the caseload filters and the start page count on,
    each an EXISTS in the database (no row is read or decrypted to decide it):

    - followup_is_due: a follow-up not recorded whose date has come;
    - followup_is_overdue: such a follow-up due longer ago than EMPLUS_FOLLOWUP_OVERDUE_DAYS;
    - assessment_is_due: active, and no assessment in the last EMPLUS_ASSESSMENT_DUE_WEEKS;
    - is_stalled: active, entered and no new pathway step in the last EMPLUS_STALLED_WEEKS;
    - has_open_link: a self-service link waiting to be used;
    - has_attestation_waiting: a month's hours waiting for the participant's attestation;
    - has_recent_record: a step, event or assessment recorded in the last RECENT_DAYS days.

    `names` chooses which of them (all by default): a list that shows three and filters on
    none need not build, compile and compute the other six (issue 14)."""
    wanted = set(names)
    unknown = wanted - set(CASELOAD_ANNOTATIONS)
    if unknown:
        raise ValueError(f"not an annotation of the caseload: {sorted(unknown)}")
    wanted |= {_ANNOTATION_NEEDS[name] for name in wanted if name in _ANNOTATION_NEEDS}
    expressions = _caseload_expressions(viewer=viewer, today=today, names=frozenset(wanted))
    qs = Participant.objects.restrict(viewer, "participant.view").filter(erased_at__isnull=True)
    ordered = {name: expressions[name] for name in CASELOAD_ANNOTATIONS if name in expressions}
    return qs.annotate(**ordered) if ordered else qs


def participant_list(
    *,
    viewer: User,
    filters: CaseloadFilters | None = None,
    today: date | None = None,
    audit_shown: bool = True,
    shown: Iterable[str] = CASELOAD_ANNOTATIONS,
) -> QuerySet[Participant] | list[Participant]:
    """The caseload: participants the viewer may see, by reference, as a lazy queryset, so a
    page of it is read (and decrypted) with LIMIT/OFFSET in the database; a caller that shows
    only a page passes `audit_shown=False` and audits that page (participants_shown).
    Otherwise the list is one audit event naming everyone in it.

    `shown` names the annotations the caller reads from the rows (all by default; the filters
    add what they need). The caseload page reads its rows as `values()` of
    CASELOAD_ROW_COLUMNS (`caseload_rows`).

    A text search with a digit matches any part of the reference; one without is a name: every
    word of the term must begin a word of the given or family name, looked up in the blind
    index (decision 36)."""
    filters = filters or CaseloadFilters()
    today = today or timezone.localdate()
    needed = set(shown)
    needed |= {name for attr, name in _FILTER_ANNOTATION.items() if getattr(filters, attr)}
    if filters.phase:
        needed.add("current_phase")
    if filters.status:
        needed.add("is_active")
    qs = (
        caseload_annotated(viewer=viewer, today=today, names=needed)
        .select_related("unit", "organisation")
        # The same reference may exist in two organisations: the key makes the order total, so
        # pages neither repeat nor skip a participant.
        .order_by("participant_ref", "pk")
    )
    if filters.organisation:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if filters.phase:
        qs = qs.filter(current_phase=filters.phase)
    if filters.status == "active":
        qs = qs.filter(is_active=True)
    elif filters.status == "exited":
        qs = qs.filter(is_active=False)
    if filters.followup_due:
        qs = qs.filter(followup_is_due=True)
    if filters.followup_overdue:
        qs = qs.filter(followup_is_overdue=True)
    if filters.assessment_due:
        qs = qs.filter(assessment_is_due=True)
    if filters.stalled:
        qs = qs.filter(is_stalled=True)
    if filters.core_data_missing:
        qs = qs.filter(core_data_missing())
    if filters.link_open:
        qs = qs.filter(has_open_link=True)
    if filters.attestation_waiting:
        qs = qs.filter(has_attestation_waiting=True)
    if filters.recent:
        qs = qs.filter(has_recent_record=True)
    if filters.q:
        term = _name_term(filters)
        if term is None:
            # References hold digits and names do not: a term with a digit is a reference.
            qs = qs.filter(participant_ref__icontains=filters.q.strip())
        else:
            # Names through their blind index, so only the rows a page shows are decrypted
            # (an OR with the reference would make the database read every row instead).
            by_name = name_search(term)
            qs = qs.filter(by_name) if by_name is not None else qs.none()
    people: QuerySet[Participant] | list[Participant] = qs
    if audit_shown:
        people = list(people)
        participants_shown(viewer=viewer, participants=people)
    return people


def _name_term(filters: CaseloadFilters) -> str | None:
    """The search term of `filters` where it is a name (no digit: references hold digits and
    names do not), else None."""
    term = filters.q.strip()
    if not term or any(char.isdigit() for char in term):
        return None
    return term


_TOKEN_SCOPE = scoping.ScopeFields(organisation="organisation_id", unit="unit_id")


def participant_search_keys(*, viewer: User, filters: CaseloadFilters) -> QuerySet[Any] | None:
    """The matches of a name search as the name tokens find them, from the index alone, in the
    caseload's order: rows of (participant_id, participant_ref), one per participant (decision
    80). A common name's count and first page then read a few index pages instead of visiting
    every holder's participant.

    None where the tokens cannot say and the caller walks the participants: a search by
    reference, a filter other than the organisation or unit, participants of other
    organisations that consent shares with the viewer (the tokens know their owners, not the
    consents), or a term name_holders cannot look up alone. The tokens' scope is the
    participants' (scoping.restrict on the copies of organisation and unit); the rows read
    for a page are the participants' own list, so a copy out of date could hide a row from a
    page, never show one outside the scope."""
    term = _name_term(filters)
    if term is None:
        return None
    if dataclasses.replace(filters, q="", organisation=None, unit=None) != CaseloadFilters():
        return None
    if sharing_may_widen(viewer, "participant.view"):
        return None
    tokens = scoping.restrict(
        ParticipantNameToken.objects.all(), viewer, "participant.view", fields=_TOKEN_SCOPE
    )
    if filters.organisation:
        tokens = tokens.filter(organisation_id=filters.organisation)
    if filters.unit:
        tokens = tokens.filter(unit_id=filters.unit)
    holders = name_holders(term, tokens)
    return None if holders is None else holders.values_list("participant_id", "participant_ref")


def participant_count_kept(*, viewer: User, filters: CaseloadFilters) -> int | None:
    """How many participants the caseload of `filters` holds, from the counts the database keeps
    (ParticipantCount, decision 50): a sum of a few rows instead of a walk over every key of the
    scope (100 000 at a large organisation), exact in the request's own snapshot.

    None where they cannot say, and the caller counts: a search or a filter other than the
    organisation or unit, participants of other organisations that consent shares with the
    viewer's (their rows are not counted by unit of the viewer's), or a database that keeps
    none (SQLite: a small installation's caseload is cheap to count)."""
    kept = _count_kept_rows(viewer=viewer, filters=filters)
    if kept is None:
        return None
    return kept.aggregate(total=Sum("participants"))["total"] or 0


def _count_kept_rows(*, viewer: User, filters: CaseloadFilters) -> QuerySet[Any] | None:
    """The kept count rows of the caseload of `filters`, or None where they cannot say
    (participant_count_kept)."""
    if connection.vendor != "postgresql":
        return None
    if dataclasses.replace(filters, organisation=None, unit=None) != CaseloadFilters():
        return None
    if sharing_may_widen(viewer, "participant.view"):
        return None
    kept = ParticipantCount.objects.restrict(viewer, "participant.view")
    if filters.organisation:
        kept = kept.filter(organisation=filters.organisation)
    if filters.unit:
        kept = kept.filter(unit=filters.unit)
    return kept


# Every how many participants of a caseload a mark is kept: a deep page walks at most this many
# keys from the mark before it (decision 77), instead of up to half the caseload.
PAGE_MARK_STEP = 1000
# Marks kept in this process, one entry per scope and version (a few hundred bytes each).
PAGE_MARKS_KEPT = 256
_page_marks: dict[tuple[Any, ...], tuple[tuple[str, UUID], ...]] = {}


@dataclass(frozen=True)
class CaseloadKept:
    """What the database keeps of a caseload: how many it holds (as participant_count_kept)
    and the marks of its pages (the reference and key of every PAGE_MARK_STEP-th participant,
    read once per version of the caseload's order, decision 77); no marks where the version
    cannot be read (inside a transaction)."""

    count: int
    marks: PageMarks | None


def participant_pages_kept(
    people: QuerySet[Any], *, viewer: User, filters: CaseloadFilters
) -> CaseloadKept | None:
    """The count of `people` (the caseload of `filters` for `viewer`, ordered by reference and
    key) from the kept counts, and marks of its pages for KeysFirstPaginator, or None where the
    kept counts cannot say (participant_count_kept). The count and the version of the order
    are read in one statement, so the marks used are those of the list counted; the marks
    themselves only when a page deep enough asks for them, and then once per process and
    version (a walk of the whole scope's keys, 10-15 ms at 100 000)."""
    kept = _count_kept_rows(viewer=viewer, filters=filters)
    if kept is None:
        return None
    try:
        counted_sql, counted_params = kept.values("participants").query.sql_with_params()
    except EmptyResultSet:
        return CaseloadKept(0, None)
    version_sql = version_columns(CaseloadOrderVersion, connection=connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT coalesce(sum(kept.participants), 0) FROM ({counted_sql}) kept), "  # noqa: S608 - the ORM's SQL and a model's table
            f"{version_sql}",
            counted_params,
        )
        total, writes, written_at = cursor.fetchone()
    count = int(total)  # PostgreSQL's sum of integers is a numeric: a Decimal in Python
    version = version_of(writes, written_at, connection=connection)
    if version is None:
        return CaseloadKept(count, None)
    grants = scoping.grants(viewer, "participant.view")
    scope = (grants, filters.organisation, filters.unit, PAGE_MARK_STEP, version)
    return CaseloadKept(
        count, PageMarks(PAGE_MARK_STEP, lambda: _page_marks_of(people, scope, version))
    )


def _page_marks_of(
    people: QuerySet[Any], scope: tuple[Any, ...], version: str
) -> tuple[tuple[str, UUID], ...] | None:
    """The marks of `people` for `version`: kept in this process, else read with the version in
    one statement (one snapshot) and kept if it is still `version`."""
    found = _page_marks.get(scope)
    if found is not None:
        return found
    keys_sql, params = (
        people.order_by().values_list("participant_ref", "pk").query.sql_with_params()
    )
    with connection.cursor() as cursor:
        # Around the keys' own SQL (built by the ORM, nothing from a request): the version and
        # every PAGE_MARK_STEP-th key in the list's order, numbered from the first (row 0).
        cursor.execute(
            f"SELECT {version_columns(CaseloadOrderVersion, connection=connection)}, "  # noqa: S608
            "marked.ref, marked.id FROM (SELECT ref, id FROM (SELECT keys.ref, keys.id, "
            "row_number() OVER (ORDER BY keys.ref, keys.id) AS n "
            f"FROM ({keys_sql}) keys (ref, id)) numbered WHERE n %% %s = 1"
            ") marked RIGHT JOIN (SELECT 1) one ON true ORDER BY marked.ref, marked.id",
            [*params, PAGE_MARK_STEP],
        )
        rows = cursor.fetchall()
    if version_of(rows[0][0], rows[0][1], connection=connection) != version:
        return None  # a write committed since the count: this request walks as before
    marks = tuple((ref, key) for _writes, _at, ref, key in rows if key is not None)
    if len(_page_marks) >= PAGE_MARKS_KEPT:
        _page_marks.clear()
    _page_marks[scope] = marks
    return marks


def participant_count_upto(people: QuerySet[Any], *, counted: int) -> int:
    """How many participants `people` holds, counted up to `counted` + 1: the walk stops there,
    in whatever order the database finds cheapest (no sort), so a search matching 6 000 of
    100 000 costs what one matching 1 001 does (decision 53). Above `counted`, the caller
    says "more than"."""
    return people.order_by().values("pk")[: counted + 1].count()


@dataclass(frozen=True)
class SearchFound:
    """What one walk over a search's matches found: how many, up to `counted` + 1, and the keys
    of page `number` in the list's order (reference, key) when the walk found every match (none
    where the page lies beyond them); None when it stopped before the end (the first by
    reference need not be among what it found)."""

    count: int
    number: int
    keys: list[UUID] | None


_REF_FIELD = Participant._meta.get_field("participant_ref")


def participant_search_found(
    people: QuerySet[Any],
    *,
    counted: int,
    number: int,
    per_page: int,
    keys: QuerySet[Any] | None = None,
) -> SearchFound:
    """A search's count (as participant_count_upto) and page `number`'s keys in one statement.

    The walk is the count's: the matches' keys, unordered and from the indexes alone, stopping
    after `counted` + 1. The same statement counts what it found and, only where that is every
    match (a coach's unit, a rare name), reads the references of what it found and sorts it in
    the list's order (reference, key) for the page; the keys' own walk in reference order is
    then not needed. Before, the count and the keys were two statements on every search
    (decision 69).

    `keys` (participant_search_keys: the matches' keys and references from the name tokens,
    decision 80) is walked instead of `people`, and the page sorted from the references it
    holds, without reading a participant."""
    quote = connection.ops.quote_name
    if keys is not None:
        walk_sql, params = keys.order_by()[: counted + 1].query.sql_with_params()
        page_from = "SELECT walked.id, walked.ref FROM walked"
    else:
        walk = people.order_by().values_list("pk", flat=True)[: counted + 1]
        walk_sql, params = walk.query.sql_with_params()
        table = quote(Participant._meta.db_table)
        key, ref = (quote(str(field.column)) for field in (Participant._meta.pk, _REF_FIELD))
        page_from = (
            f"SELECT p.{key} AS id, p.{ref} AS ref "  # noqa: S608 - a model's table and columns
            f"FROM walked JOIN {table} p ON p.{key} = walked.id"
        )
    columns = "id, ref" if keys is not None else "id"
    with connection.cursor() as cursor:
        # Around the walk's own SQL (built by the ORM, nothing from a request). The walk is read
        # once (a CTE named twice is computed once); the page's references are read only when
        # the walk found every match (an uncorrelated condition: PostgreSQL tests it once and
        # skips the join otherwise), so a common name pays for its count alone. One row at
        # least: the count, with no key where the page is empty.
        cursor.execute(
            f"WITH walked ({columns}) AS ({walk_sql}), "  # noqa: S608
            "counted AS (SELECT count(*) AS n FROM walked) "
            f"SELECT counted.n, page.id FROM counted LEFT JOIN ({page_from} "
            "WHERE (SELECT n FROM counted) <= %s ORDER BY 2, 1 LIMIT %s OFFSET %s"
            ") page ON 1 = 1 ORDER BY page.ref, page.id",
            [*params, counted, per_page, (number - 1) * per_page],
        )
        found = cursor.fetchall()
    total = found[0][0]
    if total > counted:
        return SearchFound(total, number, None)
    # SQLite gives the key as its stored text: the rows are matched to the keys as UUIDs.
    to_key = Participant._meta.pk.to_python
    return SearchFound(total, number, [to_key(key) for _total, key in found if key is not None])


# How far back the import page lists imports and exports (and the start page counts them).
TRANSFER_WEEKS = 4
# The most of each the import page lists.
TRANSFERS_SHOWN = 50


@dataclass(frozen=True)
class Transfers:
    """Participant files imported and exported since a moment, in the organisations where the
    viewer may export (coordinators): who, when and how many rows, never the contents."""

    imports: QuerySet[ImportBatch]
    exports: QuerySet[AuditEvent]


def transfers_since(
    *, viewer: User, since: datetime, organisation: Organisation | None = None
) -> Transfers:
    """An export of the page spans every organisation its maker exports from, so its audit
    event names none: it counts for the organisations where its maker may export."""
    organisations = scoping.organisation_ids_with(viewer, "participant.export")
    if organisation is not None:
        organisations = organisations & {organisation.pk}
    exporters = Membership.objects.filter(
        organisation_id__in=sorted(organisations),
        role__in=[role for role in Role.values if role_has_permission(role, "participant.export")],
    ).values("user_id")
    return Transfers(
        imports=ImportBatch.objects.restrict(viewer, "participant.export")
        .filter(created_at__gte=since, organisation_id__in=sorted(organisations))
        .select_related("organisation", "imported_by")
        .order_by("-created_at"),
        exports=AuditEvent.objects.filter(action="participant.exported", occurred_at__gte=since)
        .filter(
            Q(organisation_id__in=sorted(organisations))
            | Q(organisation_id__isnull=True, actor_id__in=exporters)
        )
        .order_by("-occurred_at"),
    )


def participants_shown(
    *,
    viewer: User,
    participants: Iterable[Participant | CaseloadRow | dict[str, Any]],
    action: str = "participant.listed",
) -> None:
    """A list shows names: ONE audit event names every record it showed (never one per row).
    The rows are participants, caseload rows or `values()` dictionaries (with "id")."""
    ids = [p["id"] if isinstance(p, dict) else p.pk for p in participants]
    audit_list(actor=viewer, action=action, ids=ids, purpose="case_work")


# What participant_get reads with the participant, as select_related() would join them.
_JOINED = ("organisation", "unit", "municipality")
_PARTICIPANT_FIELDS = Participant._meta.concrete_fields
# (the foreign key, the model it names) of each
_JOINED_FIELDS: list[tuple[Any, Any]] = [
    (Participant._meta.get_field(name), Participant._meta.get_field(name).related_model)
    for name in _JOINED
]
_PARTICIPANT_READ = CompiledRows(
    Participant,
    lambda pk: Participant.objects.filter(pk=pk, erased_at__isnull=True).values_list(
        *(f.name for f in _PARTICIPANT_FIELDS),
        *(
            f"{field.name}__{f.name}"
            for field, model in _JOINED_FIELDS
            for f in model._meta.concrete_fields
        ),
    ),
    pk=(models.UUIDField(), UUID(int=0xE71)),
)


def _participant_in_grants(*, viewer: User, pk: UUID, permission: str) -> Participant | None:
    """The participant (not erased) with its organisation, unit and municipality, if the
    viewer's grants of `permission` cover its organisation and unit; else None.

    The scope's own condition (`scoping.restrict`: `Grants.condition`, of which `covers` is the
    same test on one row) decided from the row, read with SQL compiled once (decision 71): the
    scope's query cost more to build than to run, and its look-up of consents shared with the
    viewer is not needed for a row the viewer's own grants reach."""
    rows = _PARTICIPANT_READ.rows(pk=pk)
    if not rows:
        return None
    (row,) = rows
    alias = router.db_for_read(Participant)
    count = len(_PARTICIPANT_FIELDS)
    participant = Participant.from_db(alias, [f.attname for f in _PARTICIPANT_FIELDS], row[:count])
    if not scoping.grants(viewer, permission).covers(
        organisation_id=participant.organisation_id, unit_id=participant.unit_id
    ):
        return None
    for field, model in _JOINED_FIELDS:
        fields = model._meta.concrete_fields
        values = row[count : count + len(fields)]
        count += len(fields)
        key = values[fields.index(model._meta.pk)]
        related = None
        if key is not None:
            related = model.from_db(alias, [f.attname for f in fields], values)
        field.set_cached_value(participant, related)
    return participant


def participant_get(
    *, viewer: User, pk: UUID, purpose: str = "case_work", permission: str = "participant.view"
) -> Participant:
    """One participant the viewer may see (or do `permission` with); the read is written to the
    audit log."""
    participant = _participant_in_grants(viewer=viewer, pk=pk, permission=permission)
    if participant is None:
        # Not in the viewer's own organisations and units (shared by consent, or not the
        # viewer's at all, erased, unknown): the scope decides, with consent sharing.
        participant = (
            Participant.objects.restrict(viewer, permission)
            .filter(pk=pk, erased_at__isnull=True)
            .select_related(*_JOINED)
            .first()
        )
    if participant is None:
        raise Http404
    # Its consents as prefetch_related("consents") leaves them, read with SQL compiled once
    # (decision 71): the prefetch's own machinery cost more than the read.
    consents: Any = cast(Any, participant).consents.all()
    consents._result_cache = list(_CONSENTS.raw(participant=participant.pk))
    consents._prefetch_done = True
    for consent in consents._result_cache:
        Consent.participant.field.set_cached_value(consent, participant)
    cast(Any, participant)._prefetched_objects_cache = {"consents": consents}
    audit_log(actor=viewer, action="participant.viewed", target=participant, purpose=purpose)
    return participant


_CONSENTS = CompiledRead(
    Consent,
    # The model's order, as the prefetch had it: newest first.
    lambda participant: Consent.objects.filter(participant_id=participant).order_by(
        "-given_on", "-created_at"
    ),
    participant=("participant", UUID(int=0xE71)),
)


def participant_for_change(*, viewer: User, pk: UUID) -> Participant:
    """Only the viewer's own organisation's records may be changed (shared ones are read-only)."""
    participant = (
        Participant.objects.restrict(viewer, "participant.change")
        .filter(pk=pk, erased_at__isnull=True)
        .first()
    )
    if participant is None:
        raise Http404
    return participant


def consent_current(*, participant: Participant) -> Consent | None:
    """The participant's newest consent record, None when there is none or it was withdrawn.

    Found among the consents already read with the participant (`participant_get`) when they
    were, else read."""
    read = getattr(participant, "_prefetched_objects_cache", {}).get("consents")
    if read is None:
        newest = participant.consents.order_by("-given_on", "-created_at").first()
    else:
        newest = max(read, key=lambda c: (c.given_on, c.created_at), default=None)
    return newest if newest is not None and newest.withdrawn_at is None else None


def consent_shared_with(*, consent: Consent | None) -> list[Organisation]:
    """The organisations a consent names for sharing. Read only for a consent that agrees to
    sharing: no other names any (`services.consent_record` refuses it, an import never
    shares), so most pages ask nothing."""
    if consent is None or not consent.sharing:
        return []
    return list(consent.shared_with.all())


# --- known elsewhere ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownElsewhere:
    organisations: list[Organisation]
    # The check was not made: the viewer reached the hourly number of checks.
    limited: bool = False


KNOWN_ELSEWHERE_WINDOW = 3600  # seconds


def known_elsewhere_per_hour() -> int:
    return int(getattr(settings, "EMPLUS_KNOWN_ELSEWHERE_PER_HOUR", 30))


def _known_elsewhere_count(*, viewer: User, pseudonym: str) -> tuple[bool, bool]:
    """(allowed, first time): each user may check this many different persons an hour; looking
    again at a person already checked in the hour is free (the participant page repeats it).
    Kept in the cache: a check is a read, and a lost count only ever lets fewer through."""
    key = f"emplus:known-elsewhere:{viewer.pk}"
    person = hashlib.sha256(pseudonym.encode("utf-8")).hexdigest()[:24]
    now = time.time()
    checked = {p: t for p, t in (cache.get(key) or {}).items() if t > now - KNOWN_ELSEWHERE_WINDOW}
    if person in checked:
        return True, False
    if len(checked) >= known_elsewhere_per_hour():
        return False, False
    checked[person] = now
    cache.set(key, checked, KNOWN_ELSEWHERE_WINDOW)
    return True, True


def _consent_permits_sharing_with(organisation_id: object) -> Q:
    """A current consent to sharing that names `organisation_id` or names no organisation."""
    return Q(sharing=True) & (Q(shared_with=organisation_id) | Q(shared_with__isnull=True))


def participant_known_elsewhere(
    *, viewer: User, participant: Participant, purpose: str = "case_work"
) -> KnownElsewhere:
    """Other organisations that know the same person: names only, never their records.

    Said only where both sides' newest consents allow it: the participant's consent here agrees
    to sharing (with that organisation, when it names organisations) and the consent there
    agrees to sharing with this organisation (or names none). Otherwise the answer is the same
    as for a person nobody else knows. Each user checks a limited number of persons an hour;
    each check of a person is audited (once an hour per user), and so is a refused one
    (docs/decisions/0023-consent-purposes-and-legal-bases.md)."""
    if not participant.pseudonym:
        return KnownElsewhere([])
    ours = (
        Consent.objects.current()
        .filter(participant=participant, sharing=True)
        .prefetch_related("shared_with")
        .first()
    )
    if ours is None:
        return KnownElsewhere([])
    allowed, first = _known_elsewhere_count(viewer=viewer, pseudonym=participant.pseudonym)
    if not allowed:
        audit_log(
            actor=viewer,
            action="participant.known_elsewhere_limited",
            target=participant,
            purpose=purpose,
            details={"per_hour": known_elsewhere_per_hour()},
        )
        return KnownElsewhere([], limited=True)
    theirs = Participant.objects.filter(
        pseudonym=participant.pseudonym, erased_at__isnull=True
    ).exclude(organisation_id=participant.organisation_id)
    named = [o.pk for o in ours.shared_with.all()]
    if named:
        theirs = theirs.filter(organisation_id__in=named)
    their_consent = Consent.objects.current().filter(
        _consent_permits_sharing_with(participant.organisation_id), participant=OuterRef("pk")
    )
    organisations = list(
        Organisation.objects.filter(
            pk__in=theirs.filter(Exists(their_consent)).values("organisation_id")
        ).order_by("name")
    )
    if first:
        audit_log(
            actor=viewer,
            action="participant.known_elsewhere",
            target=participant,
            purpose=purpose,
            details={"organisations": [str(o.pk) for o in organisations]},
        )
    return KnownElsewhere(organisations)


def followups_due(
    *, viewer: User, on: date, consents: QuerySet[Consent] | None = None
) -> QuerySet[FollowUp]:
    """Follow-ups due for the viewer's caseload whose participant still agrees to be contacted,
    the earliest first (the key breaks ties, so that a page's first rows are always the same).

    `consents`: each participant's newest consent record (`Consent.objects.current()` by
    default, or the same records written another way for the planner)."""
    newest = Consent.objects.current() if consents is None else consents
    contact_allowed = newest.filter(participant=OuterRef("enrolment__participant"), follow_up=True)
    return (
        FollowUp.objects.restrict(viewer, "participant.view")
        .due(on=on)
        .filter(Exists(contact_allowed), enrolment__participant__erased_at__isnull=True)
        .select_related("enrolment__participant")
        .order_by("due_on", "pk")
    )


@dataclass(slots=True)
class FollowUpDue:
    """One follow-up due as the caseload's box shows it: its date, its participant's reference
    and the keys its links need; plain values, so that the box can be kept (decision 62). The
    view sets the links."""

    pk: UUID
    due_on: date
    enrolment_id: UUID
    participant_id: UUID
    participant_ref: str
    detail_url: str = ""
    record_url: str = ""


def followups_due_first(
    *, viewer: User, on: date, limit: int, counted: int
) -> tuple[list[FollowUpDue], int]:
    """The first `limit` follow-ups due and how many there are, counted up to `counted` + 1
    (beyond it the page says "more than": an exact count reads every one's consent).

    One walk over the caseload, in whatever order the database finds cheapest, stops after
    `counted` + 1; the same statement counts what it found and keeps the first `limit` of it
    by due date. When it stopped before the end (a large organisation), the first are not
    necessarily among what it found, and they are read as a list of their own, walked in due
    order. Before, the list and the count were always two walks (decision 50)."""
    due = followups_due(viewer=viewer, on=on)
    walk = due.order_by().values_list("pk", "due_on")[: counted + 1]
    sql, params = walk.query.sql_with_params()
    with connection.cursor() as cursor:
        # Around the walk's own SQL (built by the ORM, nothing from a request): the count of
        # all it found beside each of the first rows, in the list's order (due date, key).
        cursor.execute(
            f"SELECT walked.*, count(*) OVER () FROM ({sql}) AS walked "  # noqa: S608
            "ORDER BY 2, 1 LIMIT %s",
            [*params, limit],
        )
        found = cursor.fetchall()
    if not found:
        return [], 0
    total = found[0][2]
    if total > counted:
        # The keys of the first in the statement that reads their rows: that walk, keys only,
        # stops after `limit` (decision 42). The newest consent as an anti-join (decision 57):
        # with `pk = (newest)` PostgreSQL expected one due follow-up in 200 to pass, priced the
        # walk in due order at the whole index and ran it with two parallel workers (a third
        # of a coordinator's caseload request's database CPU); it walks about 60 entries.
        in_order = followups_due(
            viewer=viewer, on=on, consents=Consent.objects.current_unsuperseded()
        )
        first = FollowUp.objects.filter(pk__in=in_order.values("pk")[:limit])
    else:
        first = FollowUp.objects.filter(pk__in=[key for key, _due_on, _total in found])
    # What the list shows: the date and the participant's reference (no name, nothing
    # decrypted).
    rows = first.order_by("due_on", "pk").values_list(
        "pk",
        "due_on",
        "enrolment_id",
        "enrolment__participant_id",
        "enrolment__participant__participant_ref",
    )
    return [FollowUpDue(*row) for row in rows], total


# How long a box of follow-ups due is kept at most: its key changes with every write it reads.
FOLLOWUPS_DUE_KEPT_SECONDS = 600


def followups_due_version() -> str | None:
    """What the database says of the writes the follow-ups due read (FollowUpsDueVersion): it
    changes with every transaction that commits one. None on SQLite and inside a transaction
    (`core.kept_versions`)."""
    return database_version(FollowUpsDueVersion)


def followups_due_kept(
    *, viewer: User, on: date, limit: int, counted: int
) -> tuple[list[FollowUpDue], int]:
    """followups_due_first, kept per viewer scope, day and version of what it reads
    (decision 62): a caseload request then reads one sum instead of walking up to 1 001 due
    follow-ups and their consents. Viewers with the same grants share the box: restrict()
    gives them the same rows. Computed on every request where no version is kept."""
    version = followups_due_version()
    if version is None:
        return followups_due_first(viewer=viewer, on=on, limit=limit, counted=counted)
    grants = scoping.grants(viewer, "participant.view")
    scope = repr(
        (grants.everywhere, sorted(map(str, grants.organisations)), sorted(map(str, grants.units)))
    )
    digest = hashlib.sha256(scope.encode()).hexdigest()[:32]
    key = f"emplus:followups-due:{digest}:{on.isoformat()}:{limit}:{counted}"

    def compute() -> tuple[tuple[tuple[Any, ...], ...], int]:
        first, total = followups_due_first(viewer=viewer, on=on, limit=limit, counted=counted)
        return tuple(
            (f.pk, f.due_on, f.enrolment_id, f.participant_id, f.participant_ref) for f in first
        ), total

    rows, total = kept(
        key, compute, kind=tuple, timeout=FOLLOWUPS_DUE_KEPT_SECONDS, version=version
    )
    return [FollowUpDue(*row) for row in rows], total


def share_requests_pending(
    *, participant: Participant, organisations: list[Organisation]
) -> set[UUID]:
    """Those of `organisations` that this participant's organisation has already asked, and
    not yet been answered, for sharing the same person's record."""
    return set(
        ShareRequest.objects.filter(
            participant__pseudonym=participant.pseudonym,
            participant__organisation__in=organisations,
            requesting_organisation=participant.organisation,
            status=ShareRequestStatus.PENDING,
        ).values_list("participant__organisation_id", flat=True)
    )


def participant_same_person(
    *, participant: Participant, organisation: Organisation
) -> Participant | None:
    """The same person's record in another organisation, to ask its owner for sharing; looked
    up, never shown (only its owner sees it)."""
    return Participant.objects.filter(
        pseudonym=participant.pseudonym, organisation=organisation, erased_at__isnull=True
    ).first()


def participant_export_list(*, viewer: User) -> QuerySet[Participant]:
    """The participants of the organisations where the viewer may export (never those reached
    as a coach in another organisation, nor those shared by consent)."""
    return Participant.objects.restrict(viewer, "participant.export")


def participant_pseudonymised_list(*, viewer: User) -> QuerySet[Participant]:
    """Participants of the organisations where the viewer is an analyst (for pseudonymised
    output only: the caller must leave out every identifying field), and only those whose
    newest consent record covers statistics, by consent or another legal basis
    (docs/decisions/0023-consent-purposes-and-legal-bases.md)."""
    return Participant.objects.restrict(
        viewer, "participant.view_pseudonymised"
    ).covering_statistics()


# --- the participant page ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    on: date
    order: int
    kind: str
    title: str
    text: str = ""


def _yes_no(value: bool | None) -> str:
    if value is None:
        return _("unknown")
    return _("yes") if value else _("no")


@dataclass(slots=True)
class ScoreRow:
    dimension_id: int
    value: int


@dataclass(slots=True)
class AssessmentRow:
    """What the page shows of an assessment (its mean) and the distance travelled reads."""

    instrument_id: UUID
    assessed_on: date
    created_at: datetime
    entered_by_participant: bool
    scores: list[ScoreRow] = dataclasses.field(default_factory=list)


@dataclass(slots=True)
class EnrolmentRecord:
    """One enrolment's steps, events, goals and assessments as its timeline shows them, each
    kind in its model's order: rows of `_ENROLMENT_RECORDS` (see `enrolment_records`)."""

    steps: list[tuple[str, str, date, date | None, Decimal | None]] = dataclasses.field(
        default_factory=list
    )
    events: list[tuple[str, date, str]] = dataclasses.field(default_factory=list)
    goals: list[tuple[str, date | None, date | None, datetime]] = dataclasses.field(
        default_factory=list
    )
    assessments: list[AssessmentRow] = dataclasses.field(default_factory=list)


_STEP, _EVENT, _GOAL, _ASSESSMENT, _SCORE = range(1, 6)
# The columns of the union: each kind fills those it has, the others are typed NULLs.
_COLUMNS: dict[str, models.Field] = {
    "r_kind": models.IntegerField(),
    "r_enrolment": models.UUIDField(),
    "r_assessment": models.UUIDField(),
    "r_on": models.DateField(),
    "r_on_2": models.DateField(),
    "r_created": models.DateTimeField(),
    "r_word": models.CharField(),
    "r_text": models.TextField(),
    "r_hours": models.DecimalField(max_digits=6, decimal_places=1),
    "r_instrument": models.UUIDField(),
    "r_flag": models.BooleanField(),
    "r_dimension": models.IntegerField(),
    "r_value": models.IntegerField(),
}


def _record_rows(queryset: QuerySet, kind: int, **columns: Any) -> QuerySet:
    """One kind's rows as the union's columns; a column the kind lacks is NULL of its type (on
    PostgreSQL a union of untyped NULLs takes them as text)."""
    values = {
        name: columns[name] if name in columns else Cast(Value(None), field)
        for name, field in _COLUMNS.items()
    }
    values["r_kind"] = Value(kind)
    return queryset.order_by().annotate(**values).values_list(*_COLUMNS)


def _enrolment_records_query(participant_id: UUID) -> QuerySet:
    steps = PathwayStep.objects.filter(enrolment__participant_id=participant_id)
    events = PathwayEvent.objects.filter(enrolment__participant_id=participant_id)
    goals = Goal.objects.filter(enrolment__participant_id=participant_id)
    assessments = Assessment.objects.filter(enrolment__participant_id=participant_id)
    scores = AssessmentScore.objects.filter(assessment__enrolment__participant_id=participant_id)
    return (
        _record_rows(
            steps,
            _STEP,
            r_enrolment=F("enrolment_id"),
            r_on=F("started_on"),
            r_on_2=F("ended_on"),
            r_created=F("created_at"),
            r_word=F("phase"),
            r_text=F("activity"),
            r_hours=F("hours"),
        )
        .union(
            _record_rows(
                events,
                _EVENT,
                r_enrolment=F("enrolment_id"),
                r_on=F("occurred_on"),
                r_created=F("created_at"),
                r_word=F("kind"),
                r_text=F("note"),
            ),
            _record_rows(
                goals,
                _GOAL,
                r_enrolment=F("enrolment_id"),
                r_on=F("target_date"),
                r_on_2=F("achieved_on"),
                r_created=F("created_at"),
                r_text=F("description"),
            ),
            _record_rows(
                assessments,
                _ASSESSMENT,
                r_enrolment=F("enrolment_id"),
                r_assessment=F("id"),
                r_on=F("assessed_on"),
                r_created=F("created_at"),
                r_instrument=F("instrument_id"),
                r_flag=F("entered_by_participant"),
            ),
            _record_rows(
                scores,
                _SCORE,
                r_assessment=F("assessment_id"),
                r_dimension=F("dimension_id"),
                r_value=F("value"),
            ),
            all=True,
        )
        # Each kind in its model's order (`Meta.ordering`: the date, then when it was written),
        # NULLs where each database puts them, as the five reads of each kind had them.
        .order_by("r_kind", "r_on", "r_created")
    )


# Five kinds of rows in one statement, compiled once (decision 71): read every request.
_ENROLMENT_RECORDS = CompiledRows(
    PathwayStep,
    lambda participant_id: _enrolment_records_query(participant_id),
    participant_id=(models.UUIDField(), UUID(int=0xE71)),
)


def enrolment_records(*, participant: Participant) -> dict[UUID, EnrolmentRecord]:
    """Every enrolment's steps, events, goals and assessments with their scores, of one
    participant, in one query (their enrolment's id -> them). The participant is the one the
    page read through the scope (`participant_get`)."""
    records: dict[UUID, EnrolmentRecord] = {}
    assessments: dict[UUID, AssessmentRow] = {}
    for row in _ENROLMENT_RECORDS.rows(participant_id=participant.pk):
        kind, enrolment_id, assessment_id, on, on_2, created, word, text, hours = row[:9]
        if kind == _SCORE:
            assessment = assessments.get(assessment_id)
            if assessment is not None:
                assessment.scores.append(ScoreRow(row[11], row[12]))
            continue
        record = records.get(enrolment_id)
        if record is None:
            record = records[enrolment_id] = EnrolmentRecord()
        if kind == _STEP:
            record.steps.append((word, text, on, on_2, hours))
        elif kind == _EVENT:
            record.events.append((word, on, text))
        elif kind == _GOAL:
            record.goals.append((text, on, on_2, created))
        else:
            assessment = assessments[assessment_id] = AssessmentRow(row[9], on, created, row[10])
            record.assessments.append(assessment)
    return records


def enrolment_timeline(
    *, enrolment: Enrolment, record: EnrolmentRecord | None = None
) -> list[TimelineItem]:
    """The events of one enrolment in date order, as the participant page lists them.
    `record`: the enrolment's rows read already (`enrolment_records`), else read here."""
    if record is None:
        participant = Participant(pk=enrolment.participant_id)
        record = enrolment_records(participant=participant).get(enrolment.pk, EnrolmentRecord())
    items = [TimelineItem(enrolment.entry_date, 0, "entry", _("Entry"))]
    # The words of every step translated once, not once a step.
    hours, until, phase = _("%(hours)s hours"), _("until %(date)s"), _("Step: %(phase)s")
    phases, kinds = dict(Phase.choices), dict(EventKind.choices)
    for word, activity, started_on, ended_on, step_hours in record.steps:
        text = activity
        if step_hours is not None:
            text += " · " + hours % {"hours": step_hours}
        if ended_on:
            text += " · " + until % {"date": ended_on.isoformat()}
        title = phase % {"phase": phases.get(word, word)}
        items.append(TimelineItem(started_on, 1, "step", title, text))
    for word, occurred_on, note in record.events:
        items.append(TimelineItem(occurred_on, 2, "event", str(kinds.get(word, word)), note))
    for description, target_date, achieved_on, created_at in record.goals:
        when = achieved_on or target_date or timezone.localdate(created_at)
        if achieved_on:
            title = _("Goal achieved")
        elif target_date:
            title = _("Goal (target date)")
        else:
            title = _("Goal set")
        items.append(TimelineItem(when, 3, "goal", title, description))
    for assessment in record.assessments:
        values = [s.value for s in assessment.scores]
        text = ""
        if values:
            text = _("Mean %(mean)s over %(n)s dimensions") % {
                "mean": f"{sum(values) / len(values):.1f}",
                "n": len(values),
            }
        title = (
            _("Assessment entered by the participant")
            if assessment.entered_by_participant
            else _("Assessment")
        )
        items.append(TimelineItem(assessment.assessed_on, 4, "assessment", title, text))
    if enrolment.exit_date:
        situation = _(
            "Job searching: %(job)s · in education: %(edu)s · qualification: %(qual)s · "
            "employed: %(emp)s"
        ) % {
            "job": _yes_no(enrolment.exit_job_searching),
            "edu": _yes_no(enrolment.exit_in_education),
            "qual": _yes_no(enrolment.exit_qualification),
            "emp": _yes_no(enrolment.exit_employed),
        }
        items.append(
            TimelineItem(
                enrolment.exit_date,
                5,
                "exit",
                _("Exit: %(reason)s") % {"reason": enrolment.get_exit_reason_display()},
                situation,
            )
        )
    follow_up = getattr(enrolment, "follow_up", None)
    if follow_up is not None:
        if follow_up.observed_on:
            items.append(
                TimelineItem(
                    follow_up.observed_on,
                    6,
                    "followup",
                    _("Follow-up recorded"),
                    _("Employed: %(emp)s · improved situation: %(imp)s")
                    % {"emp": _yes_no(follow_up.employed), "imp": _yes_no(follow_up.improved)},
                )
            )
        else:
            items.append(TimelineItem(follow_up.due_on, 6, "followup", _("Follow-up due"), ""))
    return sorted(items, key=lambda item: (item.on, item.order))


_ENROLMENT_FIELDS = Enrolment._meta.concrete_fields
_FOLLOW_UP_FIELDS = FollowUp._meta.concrete_fields
# A participant's enrolments with their follow-ups (as `select_related` joins them), compiled
# once (decision 71): the page reads them on every request.
_ENROLMENTS = CompiledRows(
    Enrolment,
    lambda participant_id: (
        Enrolment.objects.filter(participant_id=participant_id)
        .order_by("-entry_date")
        .values_list(
            *(f.name for f in _ENROLMENT_FIELDS),
            *(f"follow_up__{f.name}" for f in _FOLLOW_UP_FIELDS),
        )
    ),
    participant_id=(models.UUIDField(), UUID(int=0xE71)),
)


def participant_enrolments(*, participant: Participant) -> list[Enrolment]:
    """A participant's enrolments, newest first, with their follow-ups (their steps, events,
    goals and assessments: `enrolment_records`)."""
    alias = router.db_for_read(Enrolment)
    names = [f.attname for f in _ENROLMENT_FIELDS]
    follow_up_names = [f.attname for f in _FOLLOW_UP_FIELDS]
    enrolments = []
    for row in _ENROLMENTS.rows(participant_id=participant.pk):
        enrolment = Enrolment.from_db(alias, names, row[: len(names)])
        values = row[len(names) :]
        follow_up = None
        if values[0] is not None:  # its id: the enrolment has a follow-up
            follow_up = FollowUp.from_db(alias, follow_up_names, values)
            FollowUp.enrolment.field.set_cached_value(follow_up, enrolment)
        # What select_related("follow_up") leaves: `enrolment.follow_up`, None or not, is read.
        Enrolment.follow_up.related.set_cached_value(enrolment, follow_up)
        enrolments.append(enrolment)
    return enrolments


def verdict_labels() -> dict[str, str]:
    """The page's words for each reliable-change verdict (translated once a page)."""
    return {
        reliable_change.IMPROVED: _("Reliable improvement"),
        reliable_change.DETERIORATED: _("Reliable deterioration"),
        reliable_change.NO_RELIABLE_CHANGE: _("No reliable change"),
        reliable_change.NOT_ENOUGH_DATA: _("Not enough data yet"),
    }


def participant_progress_rows(
    changes: list[reliable_change.DimensionChange], *, labels: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The distance-travelled table's rows of the page (`labels`: `verdict_labels()`)."""
    labels = labels or verdict_labels()
    return [
        {
            "label": row.label,
            "first": row.first,
            "latest": row.latest,
            "change": row.change,
            "rci": None if row.rci is None else f"{row.rci:.2f}",
            "verdict": row.verdict,
            "verdict_label": labels[row.verdict],
        }
        for row in changes
    ]


def participant_progress_summary(
    *,
    participant: Participant,
    language: str | None,
    records: Iterable[EnrolmentRecord] | None = None,
) -> dict:
    """Distance travelled of one participant: the rows, the total and the chart of the page.
    `records`: all of the participant's enrolments' (`enrolment_records`): their assessments
    are then not read again."""
    instrument = progress_data.instrument_active()
    if instrument is None:
        return {"progress": None}
    result = progress_data.participant_progress(
        participant=participant,
        instrument=instrument,
        language=language,
        assessments=None if records is None else [a for r in records for a in r.assessments],
    )
    chart = None
    if result.comparable:
        title = _("%(label)s: from %(first)s to %(latest)s")
        chart = charts.dot_plot(
            rows=result.rows,
            scale_min=instrument.scale_min,
            scale_max=instrument.scale_max,
            title_format=lambda r: title % {"label": r.label, "first": r.first, "latest": r.latest},
        )
    labels = verdict_labels()
    total = None
    if result.total is not None:
        total = {
            "first": result.total.first,
            "latest": result.total.latest,
            "change": result.total.change,
            "rci": None if result.total.rci is None else f"{result.total.rci:.2f}",
            "verdict_label": labels[result.total.verdict],
        }
    english = (language or "sv").startswith("en")
    return {
        "progress": result,
        "instrument_name": instrument.name_en if english else instrument.name_sv,
        "chart": chart,
        "progress_rows": participant_progress_rows(result.rows, labels=labels),
        "progress_total": total,
        "min_participants": reliable_change.MIN_PARTICIPANTS,
    }
