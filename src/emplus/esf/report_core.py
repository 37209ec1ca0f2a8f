"""The monthly ESF participant report as pure functions over plain data (no Django, no apps).

What a month's report holds, what stops it, how a column template lays out its cells, and which
sent months need correcting or re-sending. The Django adapter (`emplus.esf.reporting`) reads the
database into these types and stores what comes back; the same functions run in tests and from
any other source. Facts and their sources: ../shared/spec/monthly-report.md.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

__all__ = [
    "COLUMN_FIELDS",
    "COMPARED_FIELDS",
    "DATE_FORMATS",
    "DEFAULT_DATE_FORMAT",
    "IDENTITY_PLACEHOLDER",
    "PLATFORM_DEFAULT_COLUMNS",
    "WOMEN_PROTECTED_FORM",
    "Column",
    "CorrectionPlan",
    "FieldChange",
    "Month",
    "MonthDiff",
    "MonthReport",
    "MonthState",
    "MonthStatus",
    "Participation",
    "Person",
    "Problem",
    "ProjectFacts",
    "ReportRow",
    "RowChange",
    "correction_plan",
    "diff_rows",
    "guess_field",
    "mask_identity",
    "mask_identity_ref",
    "men_form_problem",
    "month_overview",
    "month_report",
    "month_rows",
    "protected_identity",
    "render_cells",
    "row_from_dict",
    "row_to_dict",
]

# --- months ------------------------------------------------------------------------------------

# A month's reporting opens on the first day of the following month and is due within four
# weeks after the month ends.
DUE_AFTER_MONTH_END = timedelta(weeks=4)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError("not a month")

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """'YYYY-MM' (as in URLs and files)."""
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if match is None:
            raise ValueError("expected YYYY-MM")
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def opens_on(self) -> date:
        return self.next().first_day

    @property
    def due_on(self) -> date:
        return self.last_day + DUE_AFTER_MONTH_END

    def contains(self, day: date | None) -> bool:
        return day is not None and (day.year, day.month) == (self.year, self.month)


def months_between(first: Month, last: Month) -> list[Month]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = month.next()
    return months


# --- input: the project and its participants ---------------------------------------------------


@dataclass(frozen=True)
class ProjectFacts:
    """What the report needs of an ESF project."""

    start: date
    end: date
    # The protected-identity form for men, from the project's instructions ("" while unknown).
    men_protected_form: str = ""

    @property
    def first_month(self) -> Month:
        return Month.of(self.start)

    @property
    def last_month(self) -> Month:
        return Month.of(self.end)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Person:
    """A participant's reportable data. `key` is stable (the participant's id); `ref` is what
    messages show: never the identity number."""

    key: str
    ref: str
    # The stable stand-in for the identity number (its keyed pseudonym): compared and checked
    # for presence. The number itself is given only when a file is written.
    identity_ref: str = ""
    personal_id: str | None = None
    protected_identity: bool = False
    given_name: str = ""
    family_name: str = ""
    gender: str = ""
    birth_date: date | None = None
    email: str = ""
    phone: str = ""
    municipality_code: str = ""
    lm_status_entry: str = ""
    isced: int | None = None

    @property
    def has_identity_number(self) -> bool:
        return bool(self.identity_ref or self.personal_id)


@dataclass(frozen=True)
class Participation:
    """One period of project participation (an enrolment): `key` is the enrolment's id."""

    key: str
    person: Person
    start: date
    end: date | None = None


# --- protected identities ----------------------------------------------------------------------

WOMEN_PROTECTED_FORM = "ÅÅÅÅMMDDTf29"
IDENTITY_PLACEHOLDER = "ÅÅÅÅMMDD"
WOMAN, MAN = "woman", "man"


def men_form_problem(form: str) -> str | None:
    """Why a men's protected-identity form cannot be used (None: it can). The form is the
    project's to take from its instructions; it must place the birth date as ÅÅÅÅMMDD."""
    if not form:
        return None
    if form.count(IDENTITY_PLACEHOLDER) != 1:
        return "placeholder"
    if len(form) > 32 or not re.fullmatch(r"[0-9A-Za-zÅÄÖåäö+\-]+", form):
        return "characters"
    return None


def protected_identity(person: Person, *, men_form: str) -> str | None:
    """The identity column's value for a person with protected identity, or None when it cannot
    be written (no birth date, a gender without a known form, or no men's form set)."""
    if person.birth_date is None:
        return None
    birth = person.birth_date.strftime("%Y%m%d")
    if person.gender == WOMAN:
        return WOMEN_PROTECTED_FORM.replace(IDENTITY_PLACEHOLDER, birth)
    if person.gender == MAN and men_form and men_form_problem(men_form) is None:
        return men_form.replace(IDENTITY_PLACEHOLDER, birth)
    return None


def mask_identity_ref(value: str) -> str:
    """A compared identity fit for a page: a protected form as it is; a pseudonym by its last
    eight characters (enough to see that it changed, nothing about the person)."""
    if not value or re.fullmatch(r"\d{8}[A-Za-zÅÄÖåäö+\-][0-9A-Za-zÅÄÖåäö+\-]*", value):
        return value
    return "…" + value[-8:]


_PERSONAL_ID = re.compile(r"^(\d{6}|\d{8})([-+]?)(\d{4})$")


def mask_identity(value: str) -> str:
    """An identity value fit for a page: a personal identity number keeps its birth date only;
    a protected form (birth date and letters) is shown as it is; anything else is hidden."""
    if not value:
        return ""
    match = _PERSONAL_ID.match(value)
    if match is not None:
        return f"{match[1]}{match[2] or '-'}****"
    if re.fullmatch(r"\d{8}[A-Za-zÅÄÖåäö+\-][0-9A-Za-zÅÄÖåäö+\-]*", value):
        return value
    return "****"


# --- rows --------------------------------------------------------------------------------------

START, END, START_END = "start", "end", "start_end"


@dataclass(frozen=True)
class ReportRow:
    """One row of a month's file: a start, an end, or both when they fall in the same month.
    `identity` is what the identity column holds: the personal identity number (only when a
    file is written), the protected form, or "". `identity_ref` is what is compared: the
    number's pseudonym, or the protected form."""

    key: str
    kind: str
    participant_key: str
    participant_ref: str
    identity: str
    identity_ref: str
    protected: bool
    start_date: date
    end_date: date | None
    given_name: str = ""
    family_name: str = ""
    gender: str = ""
    birth_date: date | None = None
    email: str = ""
    phone: str = ""
    municipality_code: str = ""
    lm_status_entry: str = ""
    isced: int | None = None

    @property
    def reported_on(self) -> date:
        """The date the row reports: its start, or its end for an end row."""
        if self.kind == END and self.end_date is not None:
            return self.end_date
        return self.start_date


_ROW_DATES = ("start_date", "end_date", "birth_date")


def row_to_dict(row: ReportRow) -> dict[str, Any]:
    """JSON-ready form of a row (dates as YYYY-MM-DD), for the submission log."""
    data: dict[str, Any] = {}
    for name in ReportRow.__dataclass_fields__:
        value = getattr(row, name)
        data[name] = value.isoformat() if isinstance(value, date) else value
    return data


def row_from_dict(data: Mapping[str, Any]) -> ReportRow:
    values: dict[str, Any] = {name: data.get(name) for name in ReportRow.__dataclass_fields__}
    for name in _ROW_DATES:
        if values[name]:
            values[name] = date.fromisoformat(values[name])
    for name in ("given_name", "family_name", "gender", "email", "phone"):
        values[name] = values[name] or ""
    values["municipality_code"] = values["municipality_code"] or ""
    values["lm_status_entry"] = values["lm_status_entry"] or ""
    values["protected"] = bool(values["protected"])
    return ReportRow(**values)


def _row(participation: Participation, kind: str, men_form: str) -> ReportRow:
    person = participation.person
    if person.protected_identity:
        identity = identity_ref = protected_identity(person, men_form=men_form) or ""
    else:
        identity, identity_ref = person.personal_id or "", person.identity_ref
    return ReportRow(
        key=participation.key,
        kind=kind,
        participant_key=person.key,
        participant_ref=person.ref,
        identity=identity,
        identity_ref=identity_ref,
        protected=person.protected_identity,
        start_date=participation.start,
        end_date=participation.end if kind != START else None,
        given_name=person.given_name,
        family_name=person.family_name,
        gender=person.gender,
        birth_date=person.birth_date,
        email=person.email,
        phone=person.phone,
        municipality_code=person.municipality_code,
        lm_status_entry=person.lm_status_entry,
        isced=person.isced,
    )


def month_rows(
    participations: Iterable[Participation], month: Month, *, men_form: str = ""
) -> list[ReportRow]:
    """The rows of a month: who started in it (one row each, start date set) and who left in it
    (their row again, with the end date); a start and an end in the same month make one row.
    Ordered by the date each row reports, then by reference."""
    rows = []
    for participation in participations:
        starts = month.contains(participation.start)
        ends = month.contains(participation.end)
        if not starts and not ends:
            continue
        kind = START_END if starts and ends else START if starts else END
        rows.append(_row(participation, kind, men_form))
    rows.sort(key=lambda r: (r.reported_on, r.participant_ref, r.key))
    return rows


# --- validation --------------------------------------------------------------------------------

# Problem codes; the Django layer turns each into a translated sentence.
MONTH_OUTSIDE_PROJECT = "month_outside_project"
MONTH_NOT_ENDED = "month_not_ended"
PREVIOUS_NOT_GENERATED = "previous_not_generated"
IDENTITY_MISSING = "identity_missing"
PROTECTED_NO_BIRTH_DATE = "protected_no_birth_date"
PROTECTED_MEN_FORM_UNSET = "protected_men_form_unset"
PROTECTED_GENDER_UNKNOWN = "protected_gender_unknown"
DATE_BEFORE_PROJECT = "date_before_project"
DATE_AFTER_PROJECT = "date_after_project"
EARLIER_MONTH_NOT_REPORTED = "earlier_month_not_reported"


@dataclass(frozen=True)
class Problem:
    """One reason a month cannot be written: whose (a reference, never an identity number),
    which field, why. `participant_ref` is "" for a problem of the month itself."""

    code: str
    participant_ref: str = ""
    field: str = ""
    params: tuple[tuple[str, str], ...] = ()

    @property
    def values(self) -> dict[str, str]:
        return dict(self.params)


@dataclass(frozen=True)
class MonthReport:
    month: Month
    rows: tuple[ReportRow, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _identity_problems(person: Person, men_form: str) -> list[Problem]:
    ref = person.ref
    if not person.protected_identity:
        if not person.has_identity_number:
            return [Problem(IDENTITY_MISSING, ref, "personal_id")]
        return []
    if person.birth_date is None:
        return [Problem(PROTECTED_NO_BIRTH_DATE, ref, "birth_date")]
    if person.gender == MAN and not (men_form and men_form_problem(men_form) is None):
        return [Problem(PROTECTED_MEN_FORM_UNSET, ref, "personal_id")]
    if person.gender not in (WOMAN, MAN):
        return [Problem(PROTECTED_GENDER_UNKNOWN, ref, "gender")]
    return []


def month_report(
    *,
    project: ProjectFacts,
    participations: Sequence[Participation],
    month: Month,
    today: date,
    generated: Iterable[Month] = (),
    reported: Iterable[Month] = (),
) -> MonthReport:
    """The rows of `month` and every problem that stops it (all of them, not only the first).

    `generated` are the months with a generated file, `reported` those marked as sent."""
    generated, reported = set(generated), set(reported)
    problems: list[Problem] = []
    if not project.first_month <= month <= project.last_month:
        problems.append(
            Problem(
                MONTH_OUTSIDE_PROJECT,
                field="month",
                params=(("start", project.start.isoformat()), ("end", project.end.isoformat())),
            )
        )
    if today < month.opens_on:
        problems.append(
            Problem(
                MONTH_NOT_ENDED, field="month", params=(("opens_on", month.opens_on.isoformat()),)
            )
        )
    previous = month.previous()
    if month > project.first_month and previous not in generated:
        problems.append(
            Problem(PREVIOUS_NOT_GENERATED, field="month", params=(("month", str(previous)),))
        )
    rows = month_rows(participations, month, men_form=project.men_protected_form)
    in_month = {row.key for row in rows}
    seen_identity: set[str] = set()
    for participation in participations:
        person = participation.person
        if participation.key in in_month:
            if person.key not in seen_identity:
                seen_identity.add(person.key)
                problems.extend(_identity_problems(person, project.men_protected_form))
            for name, day in (("start_date", participation.start), ("end_date", participation.end)):
                if day is not None and month.contains(day) and not project.contains(day):
                    code = DATE_BEFORE_PROJECT if day < project.start else DATE_AFTER_PROJECT
                    problems.append(Problem(code, person.ref, name, (("date", day.isoformat()),)))
        problems.extend(_earlier_problems(participation, month, project, reported))
    return MonthReport(month=month, rows=tuple(rows), problems=tuple(problems))


def _earlier_problems(
    participation: Participation, month: Month, project: ProjectFacts, reported: set[Month]
) -> list[Problem]:
    """Starts and ends in months before `month` that were never reported; dates before the
    project are reported with its first month, dates after it with its last."""
    problems = []
    ref = participation.person.ref
    for name, day in (("start_date", participation.start), ("end_date", participation.end)):
        if day is None:
            continue
        day_month = Month.of(day)
        if day_month < project.first_month:
            if month == project.first_month:
                problems.append(
                    Problem(DATE_BEFORE_PROJECT, ref, name, (("date", day.isoformat()),))
                )
        elif day_month > project.last_month:
            if month == project.last_month:
                problems.append(
                    Problem(DATE_AFTER_PROJECT, ref, name, (("date", day.isoformat()),))
                )
        elif day_month < month and day_month not in reported:
            problems.append(
                Problem(EARLIER_MONTH_NOT_REPORTED, ref, name, (("month", str(day_month)),))
            )
    return problems


# --- column templates --------------------------------------------------------------------------

COLUMN_FIELDS = (
    "personal_id",
    "given_name",
    "family_name",
    "gender",
    "birth_date",
    "start_date",
    "end_date",
    "email",
    "phone",
    "municipality_code",
    "lm_status_entry",
    "isced",
    "fixed",
    "empty",
)
DATE_FORMATS = {"YYYY-MM-DD": "%Y-%m-%d", "YYYYMMDD": "%Y%m%d", "YYMMDD": "%y%m%d"}
DEFAULT_DATE_FORMAT = "YYYY-MM-DD"


@dataclass(frozen=True)
class Column:
    """A column of a template: its header exactly as in the template, the field it takes, and
    for `fixed` the text written in every row (e.g. `okänt`)."""

    header: str
    field: str
    text: str = ""

    def __post_init__(self) -> None:
        if self.field not in COLUMN_FIELDS:
            raise ValueError(f"unknown column field {self.field!r}")


# The platform's own default layout: NOT the template of Statistics Sweden, whose columns each
# project takes from the template it receives.
PLATFORM_DEFAULT_COLUMNS = (
    Column("Personnummer", "personal_id"),
    Column("Förnamn", "given_name"),
    Column("Efternamn", "family_name"),
    Column("Kön", "gender"),
    Column("Födelsedatum", "birth_date"),
    Column("Startdatum", "start_date"),
    Column("Slutdatum", "end_date"),
    Column("Kommunkod", "municipality_code"),
    Column("Status på arbetsmarknaden vid start", "lm_status_entry"),
    Column("Utbildningsnivå (ISCED)", "isced"),
)


def render_cells(
    row: ReportRow, columns: Sequence[Column], *, date_format: str = DEFAULT_DATE_FORMAT
) -> list[str]:
    """The row's cells as text, one per column, in the template's order."""
    pattern = DATE_FORMATS[date_format]
    cells = []
    for column in columns:
        if column.field == "fixed":
            cells.append(column.text)
        elif column.field == "empty":
            cells.append("")
        elif column.field == "personal_id":
            cells.append(row.identity)
        else:
            value = getattr(row, column.field)
            if isinstance(value, date):
                cells.append(value.strftime(pattern))
            elif value is None:
                cells.append("")
            else:
                cells.append(str(value))
    return cells


# Header words seen in Swedish templates -> the field a column most likely takes. A guess that
# the person mapping the columns confirms or changes; e-mail and phone default to the fixed text
# `okänt`, which the instructions prescribe since August 2019.
_GUESSES = (
    (("personnummer", "samordningsnummer", "personnr"), "personal_id", ""),
    (("förnamn", "fornamn"), "given_name", ""),
    (("efternamn",), "family_name", ""),
    (("födelse", "fodelse"), "birth_date", ""),
    (("kön",), "gender", ""),
    (("startdatum", "start", "påbörj", "inskriv"), "start_date", ""),
    (("slutdatum", "slut", "avslut", "utskriv"), "end_date", ""),
    (("e-post", "epost", "e-mail", "email", "mejl"), "fixed", "okänt"),
    (("mobil", "telefon", "tel"), "fixed", "okänt"),
    (("kommun",), "municipality_code", ""),
    (("isced", "utbildningsnivå", "utbildning"), "isced", ""),
    (("arbetsmarknad", "status", "sysselsättning"), "lm_status_entry", ""),
)


def guess_field(header: str) -> tuple[str, str]:
    """(field, fixed text) a header most likely means; ('empty', '') when nothing fits."""
    words = re.sub(r"\s+", " ", header.strip().casefold())
    for needles, field_name, text in _GUESSES:
        if any(
            (needle == words or re.search(rf"(^|[^a-zåäö]){re.escape(needle)}", words))
            for needle in needles
        ):
            return field_name, text
    return "empty", ""


# --- what was sent and what changed ------------------------------------------------------------

# The data whose change makes a sent month wrong: dates and identity (and a row added or gone).
COMPARED_FIELDS = ("identity_ref", "start_date", "end_date")


@dataclass(frozen=True)
class FieldChange:
    field: str
    sent: str
    current: str


@dataclass(frozen=True)
class RowChange:
    """How one participant's row of a sent month differs now: 'added', 'removed' or 'changed'.
    Identity values are masked: a page may show them."""

    participant_ref: str
    change: str
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class MonthDiff:
    month: Month
    changes: tuple[RowChange, ...]


def _shown(row: ReportRow, name: str) -> str:
    value = getattr(row, name)
    if name == "identity_ref":
        return mask_identity_ref(value)
    return value.isoformat() if isinstance(value, date) else ""


def diff_rows(sent: Sequence[ReportRow], current: Sequence[ReportRow]) -> tuple[RowChange, ...]:
    """What differs between the rows as sent and the rows the month has now (by enrolment)."""
    before = {row.key: row for row in sent}
    now = {row.key: row for row in current}
    changes = []
    for key in sorted(before.keys() | now.keys(), key=lambda k: _order(before.get(k) or now[k])):
        old, new = before.get(key), now.get(key)
        if old is None and new is not None:
            changes.append(RowChange(new.participant_ref, "added"))
        elif new is None and old is not None:
            changes.append(RowChange(old.participant_ref, "removed"))
        elif old is not None and new is not None:
            fields = tuple(
                FieldChange(name, _shown(old, name), _shown(new, name))
                for name in COMPARED_FIELDS
                if getattr(old, name) != getattr(new, name)
            )
            if fields:
                changes.append(RowChange(new.participant_ref, "changed", fields))
    return tuple(changes)


def _order(row: ReportRow) -> tuple[date, str, str]:
    return (row.reported_on, row.participant_ref, row.key)


@dataclass(frozen=True)
class SentMonth:
    """The newest file of a month that was marked as sent, with the rows it held."""

    month: Month
    rows: tuple[ReportRow, ...]
    sent_at: datetime


@dataclass(frozen=True)
class CorrectionPlan:
    """Sent months whose rows differ from the data now (to correct), and the sent months after
    the first of them, or sent before an earlier month was sent again (to re-send)."""

    corrections: tuple[MonthDiff, ...] = ()
    resend: tuple[Month, ...] = ()

    @property
    def months(self) -> tuple[Month, ...]:
        return tuple(sorted({d.month for d in self.corrections} | set(self.resend)))

    @property
    def needed(self) -> bool:
        return bool(self.corrections or self.resend)


def correction_plan(
    *, sent: Mapping[Month, SentMonth], current: Mapping[Month, Sequence[ReportRow]]
) -> CorrectionPlan:
    """Correcting a sent month means re-sending every later month too."""
    corrections = []
    for month in sorted(sent):
        changes = diff_rows(sent[month].rows, current.get(month, ()))
        if changes:
            corrections.append(MonthDiff(month, changes))
    corrected = {d.month for d in corrections}
    first = min(corrected) if corrected else None
    resend = []
    for month in sorted(sent):
        if month in corrected:
            continue
        after_correction = first is not None and month > first
        # An earlier month sent again after this one was sent: this one must follow it.
        overtaken = any(
            earlier < month and sent[earlier].sent_at > sent[month].sent_at for earlier in sent
        )
        if after_correction or overtaken:
            resend.append(month)
    return CorrectionPlan(tuple(corrections), tuple(resend))


# --- the months of a project at a glance -------------------------------------------------------


class MonthState:
    NOT_OPEN = "not_open"
    OPEN = "open"
    GENERATED = "generated"
    SENT = "sent"
    CORRECTION = "correction"
    RESEND = "resend"


@dataclass(frozen=True)
class MonthStatus:
    month: Month
    state: str
    opens_on: date
    due_on: date
    overdue: bool
    changes: tuple[RowChange, ...] = field(default=())


def month_overview(
    *,
    project: ProjectFacts,
    today: date,
    generated: Iterable[Month],
    sent: Iterable[Month],
    plan: CorrectionPlan,
) -> list[MonthStatus]:
    """Every month of the project with what is to be done about it."""
    generated, sent = set(generated), set(sent)
    diffs = {d.month: d.changes for d in plan.corrections}
    resend = set(plan.resend)
    statuses = []
    for month in months_between(project.first_month, project.last_month):
        if month in diffs:
            state = MonthState.CORRECTION
        elif month in resend:
            state = MonthState.RESEND
        elif month in sent:
            state = MonthState.SENT
        elif month in generated:
            state = MonthState.GENERATED
        elif today >= month.opens_on:
            state = MonthState.OPEN
        else:
            state = MonthState.NOT_OPEN
        overdue = state in (MonthState.OPEN, MonthState.GENERATED) and today > month.due_on
        statuses.append(
            MonthStatus(month, state, month.opens_on, month.due_on, overdue, diffs.get(month, ()))
        )
    return statuses
