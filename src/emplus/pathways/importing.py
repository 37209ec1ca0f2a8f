"""Importing a participant file into the database: check everything, then write in one transaction.

Rules (the participant-file spec, plus what a database adds):

- A file with any error imports nothing; every error names its row and column.
- Rows are keyed by (organisation, participant_ref): a known reference updates that
  participant, an unknown one creates it. Values are compared before writing, so importing the
  same file again writes no row and touches no `updated_at`.
- The organisation column must name the organisation chosen for the import (its code or name)
  on every row. The file's own checks and this one are reported together; the checks against
  the database (method and test-bed codes, one person under two references, another unit's
  participant) follow once the file itself is valid.
- Unit of a new participant: a coach's own unit; for a coordinator the unit of the
  organisation whose municipality is the row's municipality_code (the first such unit by
  name), else the organisation's first unit by name. An update never moves a participant to
  another unit, and a coach cannot update a participant of another unit.
- personal_id is validated by the file reader with the checks of `services.identity_check`
  (form, date, check digit, agreement with birth_date), stored encrypted with its pseudonym.
  An empty personal_id never removes a stored one (removing identity is erasure).
- disability and minority are stored only under a legal basis (`consent`); without one they
  are left out and counted. For a participant already registered they are stored only when
  the participant's current consent covers special categories (a file cannot widen what the
  person agreed to); otherwise they are left out and counted too.
- The row of a participant describes one enrolment: the participant's enrolment with the same
  entry_date, else the latest one when it is still open or overlaps the row's entry_date (a
  correction), else a new enrolment (a new period). A follow-up is kept when the row has an
  exit_date or a followup_observed_on (due six months after exit, as `enrolment_exit` does).
- Rows whose entry_date is after the reporting date (today) are left out, as the file reader
  warns.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emplus.core import scoping
from emplus.core.audit import audit_log
from emplus.core.crypto import encrypt_many, pseudonyms
from emplus.core.uploads import describe_refusal, tabular_limits
from emplus.evidence_core.participant_file import (
    COLUMNS,
    FileIssue,
    read_participant_file,
    read_raw_table,
)
from emplus.organisations.models import Organisation, Unit
from emplus.pathways import fields as participant_fields
from emplus.pathways.choices import ConsentPurpose, LegalBasis, ProcessingBasis
from emplus.pathways.models import Consent, Enrolment, FollowUp, ImportBatch, Participant
from emplus.pathways.selectors import enrolment_reference_model
from emplus.pathways.services import (
    CONSENT_PURPOSES,
    FOLLOW_UP_AFTER,
    ConsentTerms,
    IdentityCheck,
)

CHUNK_SIZE = 1000
LOOKUP_CHUNK = 2000

# Participant model attribute -> participant-file column (entry characteristics), and the
# special categories (file column = field name); both from the one declaration.
PARTICIPANT_FIELDS: dict[str, str] = participant_fields.file_columns("entry")
SPECIAL_FIELDS = participant_fields.SPECIAL_FIELDS
# Text fields store "" for unknown; the others NULL.
_BLANK_TEXT = participant_fields.blank_text_fields()
ENROLMENT_FIELDS: dict[str, str] = {
    "entry_date": "entry_date",
    "exit_date": "exit_date",
    "exit_observed_on": "exit_observed_on",
    "exit_job_searching": "exit_job_searching",
    "exit_in_education": "exit_in_education",
    "exit_qualification": "exit_qualification",
    "exit_employed": "exit_employed",
}
FOLLOWUP_FIELDS = ("due_on", "observed_on", "employed", "improved")

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    """What an import found and did (or, in a dry run, would do)."""

    errors: list[FileIssue] = field(default_factory=list)
    warnings: list[FileIssue] = field(default_factory=list)
    rows: int = 0
    not_yet_started: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    special_values_left_out: int = 0
    dry_run: bool = False
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "not_yet_started": self.not_yet_started,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "special_values_left_out": self.special_values_left_out,
        }


@dataclass(slots=True)
class _RowPlan:
    """The writes of one file row, as plain values: for a new record every value, for a known
    one only the changed values; empty dicts/None mean nothing to write."""

    row: int
    participant_id: Any
    participant_new: bool = False
    participant_values: dict[str, Any] = field(default_factory=dict)
    enrolment_id: Any = None
    enrolment_new: bool = False
    enrolment_values: dict[str, Any] = field(default_factory=dict)
    follow_up_id: Any = None
    follow_up_new: bool = False
    follow_up_values: dict[str, Any] = field(default_factory=dict)
    follow_up_delete: Any = None

    @property
    def changed(self) -> bool:
        return bool(
            self.participant_new
            or self.participant_values
            or self.enrolment_new
            or self.enrolment_values
            or self.follow_up_new
            or self.follow_up_values
            or self.follow_up_delete
        )


@dataclass(slots=True)
class _Known:
    """A registered participant as plain values (no model objects: a re-import of 100 000
    rows reads them with three queries per chunk of references)."""

    id: Any
    unit_id: Any
    erased_at: Any
    values: dict[str, Any]
    enrolments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportGrant:
    """Where in one organisation the actor may import: one unit (a coach's) or all of it."""

    unit: Unit | None  # None: every unit of the organisation


IMPORT_PERMISSION = "participant.import"


def import_grant(*, actor, organisation: Organisation) -> ImportGrant | None:
    """Where the actor holds "participant.import" in the organisation (None: nowhere)."""
    grants = scoping.grants(actor, IMPORT_PERMISSION)
    if grants.everywhere or organisation.pk in grants.organisations:
        return ImportGrant(unit=None)
    unit_ids = sorted(unit for org, unit in grants.units if org == organisation.pk)
    if not unit_ids:
        return None
    return ImportGrant(unit=Unit.objects.get(pk=unit_ids[0]))


def import_organisations_for(actor) -> list[Organisation]:
    """Organisations the actor may import into (holds "participant.import" there)."""
    return list(Organisation.objects.restrict(actor, IMPORT_PERMISSION).order_by("name"))


def participants_import(
    *,
    actor,
    organisation: Organisation,
    source: bytes,
    file_name: str,
    legal_basis: str = "",
    basis: ConsentTerms | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a participant file (CSV or XLSX bytes) into `organisation` for `actor`.

    Raises PermissionDenied when the actor is neither coach nor coordinator of the
    organisation. Returns the errors (then nothing was written) or the counts. `progress`
    is called with (rows written, rows to write) after each chunk.
    """
    steps = participants_import_steps(
        actor=actor,
        organisation=organisation,
        source=source,
        file_name=file_name,
        legal_basis=legal_basis,
        basis=basis,
        dry_run=dry_run,
        as_of=as_of,
    )
    while True:
        try:
            done, total = next(steps)
        except StopIteration as finished:
            return finished.value
        if progress is not None:
            progress(done, total)


def participants_import_steps(
    *,
    actor,
    organisation: Organisation,
    source: bytes,
    file_name: str,
    legal_basis: str = "",
    basis: ConsentTerms | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
) -> Generator[tuple[int, int], None, ImportResult]:
    """`participants_import` as a generator: yields (rows written, rows to write) after each
    chunk, inside the one transaction, and returns the result. A page streams its progress
    from it; closing the generator before the end rolls everything back."""
    grant = import_grant(actor=actor, organisation=organisation)
    if grant is None:
        raise PermissionDenied("Only a coach or coordinator of the organisation may import.")
    if legal_basis not in ("", *LegalBasis.values):
        raise ValueError(f"unknown legal basis {legal_basis!r}")
    as_of = as_of or timezone.localdate()
    result = ImportResult(dry_run=dry_run)
    basis_problem = _basis_problem(basis, legal_basis)
    if basis_problem:
        result.errors = [FileIssue(basis_problem)]
        return result
    file_format = "xlsx" if PurePath(file_name).suffix.lower() in {".xlsx", ".xlsm"} else None
    # Only the chosen organisation (by code or name) is accepted, so that a row of another
    # organisation is reported together with every other error of the file.
    # The file is bounded (size, rows, columns, XLSX dimension and unpacked size, time) before
    # and while it is parsed; a file over a limit is refused with one translated message.
    limits = tabular_limits()
    parsed = read_participant_file(
        source,
        as_of=as_of,
        organisations={organisation.code: organisation.code, organisation.name: organisation.code},
        file_format=file_format,
        limits=limits,
    )
    result.warnings = list(parsed.warnings)
    result.rows = parsed.rows_read
    if parsed.refusal is not None:
        result.errors = [FileIssue(describe_refusal(parsed.refusal))]
        return result
    if not parsed.ok:
        result.errors = [_organisation_error(e, organisation) for e in parsed.errors]
        result.errors += _code_errors_of_raw_file(source, file_format, limits)
        result.errors.sort(key=lambda e: (e.row or 0, _column_order(e.column)))
        return result
    frame = parsed.data
    started = frame.filter(frame["entry_date"] <= as_of)
    result.not_yet_started = frame.height - started.height
    rows = started.to_dicts()

    plans = _plan(
        rows,
        result=result,
        organisation=organisation,
        grant=grant,
        legal_basis=legal_basis,
        as_of=as_of,
    )
    if result.errors:
        result.errors.sort(key=lambda e: (e.row or 0, _column_order(e.column)))
        return result
    result.created = sum(1 for p in plans if p.participant_new)
    if result.created and basis is None:
        result.errors = [
            FileIssue(
                _(
                    "The file creates new participants: choose the legal basis of their data "
                    "(a consent or another basis) and the purposes it covers."
                )
            )
        ]
        return result
    result.updated = sum(1 for p in plans if p.changed and not p.participant_new)
    result.unchanged = len(plans) - result.created - result.updated
    if dry_run:
        return result
    with transaction.atomic():
        total = len(plans)
        yield 0, total
        now = timezone.now()
        writer = _Writer(now=now, organisation=organisation)
        consents = 0
        for done, chunk in enumerate(_chunks(plans, CHUNK_SIZE), start=1):
            _write_chunk(chunk, now=now, writer=writer)
            consents += _record_basis(
                chunk, basis=basis, legal_basis=legal_basis, actor=actor, writer=writer
            )
            yield min(done * CHUNK_SIZE, total), total
        batch = ImportBatch.objects.create(
            organisation=organisation,
            imported_by=actor,
            file_name=PurePath(file_name).name[:255],
            file_sha256=hashlib.sha256(source).hexdigest(),
            legal_basis=legal_basis,
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            special_values_left_out=result.special_values_left_out,
        )
        audit_log(
            actor=actor,
            action="participant.imported",
            target=batch,
            purpose="case_work",
            details={
                "batch": str(batch.pk),
                "legal_basis": legal_basis,
                **_basis_details(basis, legal_basis),
                "consents_recorded": consents,
                **result.counts(),
            },
        )
    result.batch = batch
    return result


def _purposes(basis: ConsentTerms, legal_basis: str) -> frozenset[str]:
    """The purposes of the records an import writes: special categories are covered exactly
    when the import stores them on consent."""
    purposes = set(basis.purposes) - {"special_categories"}
    if legal_basis == LegalBasis.CONSENT:
        purposes.add("special_categories")
    return frozenset(purposes)


def _basis_problem(basis: ConsentTerms | None, legal_basis: str) -> str:
    """Why the legal basis given for a file's new participants cannot be recorded, or ""."""
    if basis is None:
        return ""
    if basis.legal_basis not in ProcessingBasis.values:
        return _("Not a known legal basis.")
    if ConsentPurpose.CASE_WORK not in basis.purposes:
        return _(
            "Registration needs the participant's consent to case work, or another legal "
            "basis that covers it."
        )
    if ConsentPurpose.SHARING in basis.purposes or basis.shared_with:
        return _("Sharing is agreed with each participant on their page, never by import.")
    if legal_basis == LegalBasis.CONSENT and basis.legal_basis != ProcessingBasis.CONSENT:
        return _(
            "Sharing with other organisations and recording disability and minority need the "
            "participant's consent."
        )
    return ""


def _basis_details(basis: ConsentTerms | None, legal_basis: str) -> dict[str, Any]:
    if basis is None:
        return {"basis": None}
    return {
        "basis": basis.legal_basis,
        "purposes": sorted(_purposes(basis, legal_basis)),
        "information_version": basis.information_version,
    }


def _record_basis(
    chunk: list[_RowPlan], *, basis: ConsentTerms | None, legal_basis: str, actor, writer: _Writer
) -> int:
    """One consent record (the legal basis of the file) for each new participant of a chunk."""
    new = [p.participant_id for p in chunk if p.participant_new]
    if basis is None or not new:
        return 0
    purposes = _purposes(basis, legal_basis)
    constants = {
        "legal_basis": basis.legal_basis,
        "information_version": basis.information_version,
        "given_on": basis.given_on,
        "recorded_by_id": actor.pk,
        **{name: name in purposes for name in CONSENT_PURPOSES},
    }
    writer.insert(Consent, [{"id": uuid.uuid4(), "participant_id": pk} for pk in new], constants)
    return len(new)


_UNKNOWN_ORGANISATION = "not a known organisation code"


def _organisation_error(issue: FileIssue, organisation: Organisation) -> FileIssue:
    if issue.column != "organisation" or not issue.message.startswith(_UNKNOWN_ORGANISATION):
        return issue
    found = issue.message[len(_UNKNOWN_ORGANISATION) :]
    return FileIssue(
        f"not the organisation chosen for this import ({organisation.code}){found}",
        row=issue.row,
        column=issue.column,
    )


def _code_errors_of_raw_file(source: bytes, file_format: str | None, limits) -> list[FileIssue]:
    """Unknown method and test-bed codes of a file the reader rejected (so that every error
    is listed at once), read from its raw cells."""
    try:
        xlsx = file_format == "xlsx" or source[:4] == b"PK\x03\x04"
        raw = read_raw_table(source, "xlsx" if xlsx else "csv", limits)
    except Exception:  # unreadable: the reader has said so already
        return []
    if raw.height == 0:
        return []
    header = {(v or "").strip().lower(): k for k, v in raw.row(0, named=True).items() if k != "row"}
    issues: list[FileIssue] = []
    for column in ("method", "test_bed"):
        if column not in header:
            continue
        cells = [
            (number, (value or "").strip())
            for number, value in raw.slice(1).select("row", header[column]).iter_rows()
        ]
        known = _codes(enrolment_reference_model(column), {value for _, value in cells if value})
        for number, value in cells:
            if value:
                _code_id({"row": number, column: value}, column, known, issues)
    return issues


def _column_order(column: str | None) -> int:
    return COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


# --- planning: compare the file with the database, collect every error -------------------


def _plan(
    rows: list[dict[str, Any]],
    *,
    result: ImportResult,
    organisation: Organisation,
    grant: ImportGrant,
    legal_basis: str,
    as_of: date,
) -> list[_RowPlan]:
    errors = result.errors
    methods = _codes(
        enrolment_reference_model("method"), {r["method"] for r in rows if r["method"]}
    )
    test_beds = _codes(
        enrolment_reference_model("test_bed"), {r["test_bed"] for r in rows if r["test_bed"]}
    )
    units = list(Unit.objects.filter(organisation=organisation).order_by("name"))
    if not units:
        errors.append(FileIssue("the organisation has no local unit to place participants in"))
        return []
    by_municipality: dict[str, Unit] = {}
    for unit in units:
        by_municipality.setdefault(unit.municipality_id, unit)

    whole = _whole_organisation(organisation, len(rows))
    existing = _existing_participants(
        organisation, [r["participant_ref"] for r in rows], whole=whole
    )
    special_covered = _special_categories_covered(
        organisation, [p.id for p in existing.values()], whole=whole
    )
    # The reader has checked every identity number as `services.identity_check` does (form,
    # date, check digit, agreement with birth_date) and normalised it; what is left is the
    # pseudonym, derived for all rows at once.
    with_identity = [r for r in rows if r["personal_id"]]
    identities = {
        r["row"]: IdentityCheck(r["personal_id"], r["birth_date"], digest)
        for r, digest in zip(
            with_identity, pseudonyms([r["personal_id"] for r in with_identity]), strict=True
        )
    }
    _check_identities(rows, identities, organisation, errors, whole=whole)

    plans: list[_RowPlan] = []
    for r in rows:
        row_number = r["row"]
        method_id = _code_id(r, "method", methods, errors)
        test_bed_id = _code_id(r, "test_bed", test_beds, errors)
        participant = existing.get(r["participant_ref"])
        if participant is not None and participant.erased_at is not None:
            errors.append(
                FileIssue(
                    "this participant's identity has been erased; it cannot be imported again",
                    row=row_number,
                    column="participant_ref",
                )
            )
            continue
        if (
            participant is not None
            and grant.unit is not None
            and participant.unit_id != grant.unit.pk
        ):
            errors.append(
                FileIssue(
                    "the participant_ref belongs to a participant of another local unit; ask a "
                    "coordinator to import this row",
                    row=row_number,
                    column="participant_ref",
                )
            )
            continue
        if errors:
            continue  # keep collecting errors; no need to plan writes
        plan = _plan_participant(
            r,
            participant,
            unit=grant.unit
            if grant.unit is not None
            else by_municipality.get(r["municipality_code"], units[0]),
            identity=identities.get(row_number),
            legal_basis=legal_basis
            if participant is None or participant.id in special_covered
            else "",
            result=result,
        )
        _plan_enrolment(plan, r, participant, method_id=method_id, test_bed_id=test_bed_id)
        plans.append(plan)
    return plans


def _codes(model, codes: set[str]) -> dict[str, Any]:
    wanted = {c.upper() for c in codes}
    if not wanted:
        return {}
    return dict(model.objects.filter(code__in=wanted).values_list("code", "pk"))


def _code_id(r: dict[str, Any], column: str, known: dict[str, Any], errors: list[FileIssue]):
    value = r[column]
    if not value:
        return None
    pk = known.get(value.upper())
    if pk is None:
        label = "method" if column == "method" else "test bed"
        errors.append(
            FileIssue(f"not a known {label} code, found '{value[:40]}'", r["row"], column)
        )
    return pk


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# The stored values an import compares with the file: the entry characteristics, the special
# categories and their basis, and the pseudonym (equal pseudonyms are equal identity numbers,
# so the encrypted number itself is never read or decrypted).
_COMPARED = ("pseudonym", "special_category_basis", *PARTICIPANT_FIELDS, *SPECIAL_FIELDS)
_ENROLMENT_READ = ("id", "participant_id", *ENROLMENT_FIELDS, "method_id", "test_bed_id")


def _whole_organisation(organisation: Organisation, keys: int) -> bool:
    """Read the organisation's participants in one query (instead of chunks of references):
    when the file is large and the organisation not much larger than it."""
    if keys <= LOOKUP_CHUNK:
        return False
    return Participant.objects.filter(organisation=organisation).count() <= 2 * keys


def _existing_participants(
    organisation: Organisation, refs: list[str], *, whole: bool
) -> dict[str, _Known]:
    """The organisation's participants under the file's references, with their enrolments and
    follow-ups, as plain values: three queries (per chunk of references, or for the whole
    organisation when the file is large)."""
    found: dict[str, _Known] = {}
    if whole:
        _read_known(
            found,
            Participant.objects.filter(organisation=organisation),
            Enrolment.objects.filter(participant__organisation=organisation),
            FollowUp.objects.filter(enrolment__participant__organisation=organisation),
            wanted=set(refs),
        )
        return found
    for chunk in _chunks(refs, LOOKUP_CHUNK):
        people = Participant.objects.filter(organisation=organisation, participant_ref__in=chunk)
        _read_known(
            found,
            people,
            Enrolment.objects.filter(participant__in=people.values("pk")),
            FollowUp.objects.filter(enrolment__participant__in=people.values("pk")),
        )
    return found


def _read_known(found, people, enrolments, follow_ups, wanted: set[str] | None = None) -> None:
    known: dict[Any, _Known] = {}
    for values in people.values("id", "unit_id", "participant_ref", "erased_at", *_COMPARED):
        if wanted is not None and values["participant_ref"] not in wanted:
            continue
        person = _Known(
            id=values["id"], unit_id=values["unit_id"], erased_at=values["erased_at"], values=values
        )
        known[person.id] = person
        found[values["participant_ref"]] = person
    if not known:
        return
    by_id: dict[Any, dict[str, Any]] = {}
    for values in enrolments.values(*_ENROLMENT_READ):
        person = known.get(values["participant_id"])
        if person is not None:
            values["follow_up"] = None
            by_id[values["id"]] = values
            person.enrolments.append(values)
    for values in follow_ups.values("id", "enrolment_id", *FOLLOWUP_FIELDS):
        enrolment = by_id.get(values["enrolment_id"])
        if enrolment is not None:
            enrolment["follow_up"] = values


def _special_categories_covered(
    organisation: Organisation, participant_ids: list, *, whole: bool
) -> set:
    """The registered participants whose current consent covers special categories."""
    current = Consent.objects.current().filter(special_categories=True)
    if whole:
        wanted = set(participant_ids)
        return {
            pk
            for pk in current.filter(participant__organisation=organisation).values_list(
                "participant_id", flat=True
            )
            if pk in wanted
        }
    covered: set = set()
    for chunk in _chunks(participant_ids, LOOKUP_CHUNK):
        covered.update(
            current.filter(participant_id__in=chunk).values_list("participant_id", flat=True)
        )
    return covered


def _check_identities(rows, identities, organisation, errors, *, whole: bool) -> None:
    """One person, one participant_ref per organisation (in the file and in the database)."""
    ref_of_row = {r["row"]: r["participant_ref"] for r in rows}
    first_ref: dict[str, tuple[int, str]] = {}
    for row_number, identity in identities.items():
        ref = ref_of_row[row_number]
        seen = first_ref.setdefault(identity.pseudonym, (row_number, ref))
        if seen[1] != ref:
            errors.append(
                FileIssue(
                    f"the same person appears under another participant_ref on row {seen[0]}",
                    row=row_number,
                    column="personal_id",
                )
            )
    registered: dict[str, str] = {}
    people = Participant.objects.filter(organisation=organisation, erased_at__isnull=True)
    if whole:
        registered.update(
            (digest, ref)
            for digest, ref in people.filter(pseudonym__isnull=False).values_list(
                "pseudonym", "participant_ref"
            )
            if digest in first_ref
        )
    for chunk in [] if whole else _chunks(list(first_ref), LOOKUP_CHUNK):
        registered.update(
            people.filter(pseudonym__in=chunk).values_list("pseudonym", "participant_ref")
        )
    for row_number, identity in identities.items():
        other = registered.get(identity.pseudonym)
        if other is not None and other != ref_of_row[row_number]:
            errors.append(
                FileIssue(
                    "this person is already registered in the organisation under another "
                    "participant_ref",
                    row=row_number,
                    column="personal_id",
                )
            )


def _desired_value(name: str, value):
    if name in _BLANK_TEXT:
        return value or ""
    return value


def _plan_participant(r, participant: _Known | None, *, unit, identity, legal_basis, result):
    values = {name: _desired_value(name, r[column]) for name, column in PARTICIPANT_FIELDS.items()}
    special_given = {name: r[name] for name in SPECIAL_FIELDS if r[name]}
    if legal_basis:
        values |= {name: _desired_value(name, r[name]) for name in SPECIAL_FIELDS}
        if special_given:
            values["special_category_basis"] = legal_basis
    else:
        result.special_values_left_out += len(special_given)
    if identity is not None:
        values["pseudonym"] = identity.pseudonym
    if participant is None:
        # Every new row carries every column (the model's empty values where the file has none).
        for name in SPECIAL_FIELDS:
            values.setdefault(name, "")
        values.setdefault("special_category_basis", "")
        values.setdefault("pseudonym", None)
        values["personal_id"] = identity.normalised if identity is not None else None
        values["participant_ref"] = r["participant_ref"]
        values["unit_id"] = unit.pk
        return _RowPlan(
            row=r["row"],
            participant_id=uuid.uuid4(),
            participant_new=True,
            participant_values=values,
        )
    stored = participant.values
    changed = {name: value for name, value in values.items() if stored[name] != value}
    if "pseudonym" in changed:
        changed["personal_id"] = identity.normalised
    return _RowPlan(row=r["row"], participant_id=participant.id, participant_values=changed)


@lru_cache(maxsize=4096)
def _due_on(exit_date: date) -> date:
    return exit_date + FOLLOW_UP_AFTER


def _plan_enrolment(
    plan: _RowPlan, r, participant: _Known | None, *, method_id, test_bed_id
) -> None:
    values = {name: r[column] for name, column in ENROLMENT_FIELDS.items()}
    values |= {"method_id": method_id, "test_bed_id": test_bed_id}
    enrolment = None
    if participant is not None:
        enrolments = sorted(participant.enrolments, key=lambda e: e["entry_date"])
        enrolment = next((e for e in enrolments if e["entry_date"] == r["entry_date"]), None)
        if enrolment is None and enrolments:
            latest = enrolments[-1]
            if latest["exit_date"] is None or r["entry_date"] <= latest["exit_date"]:
                enrolment = latest
    if enrolment is None:
        plan.enrolment_id, plan.enrolment_new = uuid.uuid4(), True
        plan.enrolment_values = {"participant_id": plan.participant_id, **values}
        existing = None
    else:
        plan.enrolment_id = enrolment["id"]
        plan.enrolment_values = {
            name: value for name, value in values.items() if enrolment[name] != value
        }
        existing = enrolment["follow_up"]

    if r["exit_date"] is None and r["followup_observed_on"] is None:
        plan.follow_up_delete = existing["id"] if existing is not None else None
        return
    wanted = {
        "due_on": _due_on(r["exit_date"]) if r["exit_date"] else r["followup_observed_on"],
        "observed_on": r["followup_observed_on"],
        "employed": r["followup_employed"],
        "improved": r["followup_improved"],
    }
    if existing is None:
        plan.follow_up_id, plan.follow_up_new = uuid.uuid4(), True
        plan.follow_up_values = {"enrolment_id": plan.enrolment_id, **wanted}
        return
    plan.follow_up_id = existing["id"]
    plan.follow_up_values = {
        name: value for name, value in wanted.items() if existing[name] != value
    }


# --- writing: in chunks, inside the caller's transaction --------------------------------


def _copy_text(value: Any) -> str:
    """A database value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, date):  # dates and aware datetimes
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class _Writer:
    """Writes the new rows of an import with plain statements: COPY on PostgreSQL (the rows
    as one text stream), one prepared INSERT run for many rows elsewhere. Values are converted
    to the database's form by the model fields themselves (each distinct value of a column
    once); the columns a file does not set take the field's default, converted once per
    import. New rows carry what `bulk_create` would write; the database's constraints check
    them the same way."""

    def __init__(self, *, now, organisation: Organisation) -> None:
        self.now = now
        self.organisation = organisation
        self.connection = connections[router.db_for_write(Participant)]
        self.copy = self.connection.vendor == "postgresql"
        self._constants: dict[tuple, list[Any]] = {}
        self._converters: dict[Any, Callable[[Any], Any]] = {}

    def _database_value(self, model_field, value) -> Any:
        prepared = model_field.get_db_prep_save(value, self.connection)
        return _copy_text(prepared) if self.copy else prepared

    def _converter(self, model_field) -> Callable[[Any], Any]:
        convert = self._converters.get(model_field)
        if convert is not None:
            return convert
        if isinstance(model_field, models.UUIDField) or (
            model_field.is_relation and isinstance(model_field.target_field, models.UUIDField)
        ):
            if self.copy:
                texts: dict[Any, str] = {}

                def convert(value, texts=texts):
                    try:
                        return texts[value]
                    except KeyError:
                        texts[value] = text = _copy_text(value)
                        return text

            elif self.connection.features.has_native_uuid_field:
                convert = _same
            else:
                convert = _uuid_hex
        else:
            seen: dict[Any, Any] = {}
            database_value = self._database_value

            def convert(value, seen=seen, model_field=model_field):
                try:
                    return seen[value]
                except KeyError:
                    seen[value] = prepared = database_value(model_field, value)
                    return prepared

        self._converters[model_field] = convert
        return convert

    def insert(
        self,
        model,
        rows: list[dict[str, Any]],
        constants: dict[str, Any] | None = None,
        *,
        ready: frozenset[str] = frozenset(),
    ) -> None:
        """Insert `rows` (attribute -> value) of `model`; `constants` hold the values every row
        shares, `ready` names columns whose values are already in the database's form (the
        encrypted identity numbers)."""
        if not rows:
            return
        constants = constants or {}
        fields = list(model._meta.concrete_fields)
        per_row = [f for f in fields if f.attname in rows[0]]
        shared = [f for f in fields if f.attname not in rows[0]]
        key = (model, tuple(f.attname for f in per_row), tuple(sorted(constants.items())))
        shared_values = self._constants.get(key)
        if shared_values is None:
            shared_values = []
            for f in shared:
                if f.attname in constants:
                    value = constants[f.attname]
                elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                    value = self.now
                else:
                    value = f.get_default()
                # Encrypted defaults ("" for a name the file does not carry) are encrypted
                # here, once per import: every new row of the import shares the ciphertext of
                # its empty contact fields (decision 40).
                shared_values.append(self._database_value(f, value))
            self._constants[key] = shared_values
        pairs = [
            (
                f.attname,
                (_token_text if self.copy else _same) if f.attname in ready else self._converter(f),
            )
            for f in per_row
        ]
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in (*per_row, *shared))
        table = quote(model._meta.db_table)
        with self.connection.cursor() as cursor:
            if self.copy:
                tail = "\t".join(shared_values)
                text = "".join(
                    "\t".join([*(convert(row[name]) for name, convert in pairs), tail]) + "\n"
                    if tail
                    else "\t".join(convert(row[name]) for name, convert in pairs) + "\n"
                    for row in rows
                )
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(text)
            else:
                records = [
                    [convert(row[name]) for name, convert in pairs] + shared_values for row in rows
                ]
                marks = ", ".join(["%s"] * (len(per_row) + len(shared)))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - names
                    records,
                )


def _token_text(value: str | None) -> str:
    return "\\N" if value is None else value  # a Fernet token needs no escaping


def _same(value: Any) -> Any:
    return value


def _uuid_hex(value: Any) -> Any:
    return None if value is None else value.hex


def _write_chunk(chunk: list[_RowPlan], *, now, writer: _Writer) -> None:
    """Write the planned changes of a few rows (new rows in bulk, changed fields only)."""
    new = [p for p in chunk if p.participant_new]
    if new:
        identities = [p.participant_values["personal_id"] for p in new]
        tokens = iter(encrypt_many([i for i in identities if i is not None]))
        writer.insert(
            Participant,
            [
                {
                    **p.participant_values,
                    "id": p.participant_id,
                    "personal_id": None if identity is None else next(tokens),
                }
                for p, identity in zip(new, identities, strict=True)
            ],
            {"organisation_id": writer.organisation.pk},
            ready=frozenset({"personal_id"}),
        )
    _bulk_update(
        Participant,
        [(p.participant_id, p.participant_values) for p in chunk if not p.participant_new],
        now,
    )
    writer.insert(
        Enrolment,
        [{**p.enrolment_values, "id": p.enrolment_id} for p in chunk if p.enrolment_new],
    )
    _bulk_update(
        Enrolment, [(p.enrolment_id, p.enrolment_values) for p in chunk if not p.enrolment_new], now
    )
    deleted = [p.follow_up_delete for p in chunk if p.follow_up_delete is not None]
    if deleted:
        FollowUp.objects.filter(pk__in=deleted).delete()
    writer.insert(
        FollowUp,
        [{**p.follow_up_values, "id": p.follow_up_id} for p in chunk if p.follow_up_new],
    )
    _bulk_update(
        FollowUp,
        [
            (p.follow_up_id, p.follow_up_values)
            for p in chunk
            if not p.follow_up_new and p.follow_up_id is not None
        ],
        now,
    )


def _bulk_update(model, changes: list[tuple[Any, dict[str, Any]]], now) -> None:
    """bulk_update per set of changed fields (bulk_update sets no auto_now field itself), on
    objects that carry the key and the changed values only."""
    groups: dict[frozenset[str], list] = {}
    for pk, values in changes:
        if values:
            obj = model(pk=pk, updated_at=now, **values)
            groups.setdefault(frozenset(values), []).append(obj)
    for fields, objs in groups.items():
        model.objects.bulk_update(objs, [*sorted(fields), "updated_at"])
