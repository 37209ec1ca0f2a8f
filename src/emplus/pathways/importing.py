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
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import PurePath
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from emplus.core import scoping
from emplus.core.ahead import made_ahead
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
from emplus.pathways.import_update_plan import (
    ENROLMENT_FIELDS,
    ERASED,
    FOLLOWUP_FIELDS,
    OTHER_UNIT,
    UpdatePlan,
    plan_updates,
    read_registered,
    text_key,
)
from emplus.pathways.import_update_writer import UpdateWriter
from emplus.pathways.import_writer import BulkWriter, Prepared
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
# New participants are planned up to this many chunks at a time, and on PostgreSQL written as
# one statement per table and block (decision 75). The first block is one chunk, so that the
# writing starts at once, and each next one twice the last, so that the next block is made
# while the last one is written from the start.
NEW_BLOCK_CHUNKS = 10
# How many statements of new participants may be made ahead of the one being written: on
# PostgreSQL one block, on SQLite four chunks (see `_new_blocks`).
BLOCKS_AHEAD = 1
CHUNKS_AHEAD = 4

# Participant model attribute -> participant-file column (entry characteristics), and the
# special categories (file column = field name); both from the one declaration.
PARTICIPANT_FIELDS: dict[str, str] = participant_fields.file_columns("entry")
SPECIAL_FIELDS = participant_fields.SPECIAL_FIELDS
# Text fields store "" for unknown; the others NULL.
_BLANK_TEXT = participant_fields.blank_text_fields()

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

    plans, new, updates = _plan(
        started,
        result=result,
        organisation=organisation,
        grant=grant,
        legal_basis=legal_basis,
    )
    if result.errors:
        result.errors.sort(key=lambda e: (e.row or 0, _column_order(e.column)))
        return result
    result.created = new.height + sum(1 for p in plans if p.participant_new)
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
    result.updated += updates.updated
    result.unchanged = len(plans) + new.height + updates.rows - result.created - result.updated
    if dry_run:
        return result
    with transaction.atomic():
        total = new.height + updates.rows + len(plans)
        yield 0, total
        now = timezone.now()
        writer = BulkWriter(now=now, organisation=organisation)
        with writer.roomy_cache():
            done = consents = 0
            if new.height:
                assert basis is not None  # noqa: S101 - checked above: new rows need a basis
                consent = _consent_constants(basis, legal_basis, actor)
                blocks = _new_blocks(new, writer=writer, legal_basis=legal_basis, consent=consent)
                # Planned and prepared in a worker thread while the database writes; on SQLite
                # the indexes of a table the import at least doubles are built after the rows.
                with (
                    writer.indexes_built_after(new.table_rows()),
                    closing(
                        made_ahead(blocks, depth=BLOCKS_AHEAD if writer.copy else CHUNKS_AHEAD)
                    ) as ready,
                ):
                    for block in ready:
                        _write_new_block(block, writer=writer)
                        done += len(block)
                        yield done, total
                consents = new.height
            if updates.rows:
                updater = UpdateWriter(now=now)
                for rows, part in updates.keyed(writer).chunks(CHUNK_SIZE):
                    part.write(writer=writer, updater=updater)
                    done += rows
                    yield done, total
            for chunk in _chunks(plans, CHUNK_SIZE):
                _write_chunk(chunk, now=now, writer=writer)
                consents += _record_basis(
                    chunk, basis=basis, legal_basis=legal_basis, actor=actor, writer=writer
                )
                done += len(chunk)
                yield done, total
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


def _consent_constants(basis: ConsentTerms, legal_basis: str, actor) -> dict[str, Any]:
    """The values of the consent record an import writes for each new participant."""
    purposes = _purposes(basis, legal_basis)
    return {
        "legal_basis": basis.legal_basis,
        "information_version": basis.information_version,
        "given_on": basis.given_on,
        "recorded_by_id": actor.pk,
        **{name: name in purposes for name in CONSENT_PURPOSES},
    }


def _record_basis(
    chunk: list[_RowPlan],
    *,
    basis: ConsentTerms | None,
    legal_basis: str,
    actor,
    writer: BulkWriter,
) -> int:
    """One consent record (the legal basis of the file) for each new participant of a chunk
    planned row by row (the reference planner, `NEW_ROWS_IN_BULK` off)."""
    new = [p.participant_id for p in chunk if p.participant_new]
    if basis is None or not new:
        return 0
    constants = _consent_constants(basis, legal_basis, actor)
    writer.insert(Consent, [{"id": uuid.uuid4(), "participant_id": pk} for pk in new], constants)
    return len(new)


def _organisation_error(issue: FileIssue, organisation: Organisation) -> FileIssue:
    # Only the chosen organisation is known to the reader (see `_read`).
    if issue.code != "bad_organisation":
        return issue
    value = dict(issue.params).get("value", "")
    return FileIssue(
        f"not the organisation chosen for this import ({organisation.code}), found {value}",
        row=issue.row,
        column=issue.column,
        code="other_organisation",
        params=(("chosen", organisation.code), ("value", value)),
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


@dataclass
class _NewRows:
    """The rows of a file whose participant_ref is not registered yet: nothing to compare, so
    they are planned column-wise (`_new_tables`). `frame` is the file's typed frame of those
    rows plus their `pseudonym`."""

    frame: pl.DataFrame
    unit: Unit | None  # the coach's unit; None: by municipality
    by_municipality: dict[str, Unit]
    first_unit: Unit | None
    methods: dict[str, Any]
    test_beds: dict[str, Any]

    @property
    def height(self) -> int:
        return self.frame.height

    def table_rows(self) -> dict[Any, int]:
        """How many rows these participants add to each table (a follow-up where the row has
        an exit or an observed follow-up)."""
        follow_ups = int(_with_follow_up(self.frame).sum())
        return {
            Participant: self.height,
            Enrolment: self.height,
            FollowUp: follow_ups,
            Consent: self.height,
        }


def _with_follow_up(frame: pl.DataFrame) -> pl.Series:
    """Which rows of the file get a follow-up: those with an exit or an observed follow-up."""
    return (
        frame.get_column("exit_date").is_not_null()
        | frame.get_column("followup_observed_on").is_not_null()
    )


# The reference planner (every row planned on its own, as before decision 40's second step)
# plans what is switched off here, so that a test can compare both ways of planning and
# writing: the new participants (`_new_tables`) and the registered ones
# (`import_update_plan`).
NEW_ROWS_IN_BULK = True
REGISTERED_ROWS_IN_BULK = True


def _plan(
    frame: pl.DataFrame,
    *,
    result: ImportResult,
    organisation: Organisation,
    grant: ImportGrant,
    legal_basis: str,
) -> tuple[list[_RowPlan], _NewRows, UpdatePlan]:
    errors = result.errors
    methods = _codes(enrolment_reference_model("method"), _present(frame, "method"))
    test_beds = _codes(enrolment_reference_model("test_bed"), _present(frame, "test_bed"))
    units = list(Unit.objects.filter(organisation=organisation).order_by("name"))
    by_municipality: dict[str, Unit] = {}
    for unit in units:
        by_municipality.setdefault(unit.municipality_id, unit)
    new = _NewRows(
        frame=frame.clear(),
        unit=grant.unit,
        by_municipality=by_municipality,
        first_unit=units[0] if units else None,
        methods=methods,
        test_beds=test_beds,
    )
    if not units:
        errors.append(
            FileIssue("the organisation has no local unit to place participants in", code="no_unit")
        )
        return [], new, UpdatePlan.nothing()

    whole = _whole_organisation(organisation, frame.height)
    if REGISTERED_ROWS_IN_BULK:
        stored = read_registered(
            organisation, frame.get_column("participant_ref"), whole=whole, chunk=LOOKUP_CHUNK
        )
        existing: dict[str, _Known] = {}
        special_covered: set = set()
    else:
        existing = _existing_participants(
            organisation, frame.get_column("participant_ref").to_list(), whole=whole
        )
        special_covered = _special_categories_covered(
            organisation, [p.id for p in existing.values()], whole=whole
        )
    # The reader has checked every identity number as `services.identity_check` does (form,
    # date, check digit, agreement with birth_date) and normalised it; what is left is the
    # pseudonym, derived for all rows at once.
    frame = frame.with_columns(_pseudonyms(frame.get_column("personal_id")))
    _check_identities(frame, organisation, errors, whole=whole)
    for column, known in (("method", methods), ("test_bed", test_beds)):
        unknown = frame.filter(
            pl.col(column).fill_null("").ne("")
            & ~pl.col(column).str.to_uppercase().is_in(list(known))
        )
        for r in unknown.select("row", column).iter_rows(named=True):
            _code_id(r, column, known, errors)

    updates = UpdatePlan.nothing()
    if REGISTERED_ROWS_IN_BULK:
        registered = frame.get_column("participant_ref").is_in(
            stored.participants.get_column("participant_ref").implode()
        )
        key = text_key()
        updates = (
            plan_updates(
                frame.filter(registered),
                stored,
                unit_key=key(grant.unit.pk) if grant.unit is not None else None,
                legal_basis=legal_basis,
                methods={code: key(pk) for code, pk in methods.items()},
                test_beds={code: key(pk) for code, pk in test_beds.items()},
                errors=errors,
            )
            or UpdatePlan.nothing()
        )
        result.special_values_left_out += updates.special_values_left_out
    else:
        registered = frame.get_column("participant_ref").is_in(list(existing))
    if NEW_ROWS_IN_BULK:
        new.frame = frame.filter(~registered)
    # The rows left to the row planner.
    if NEW_ROWS_IN_BULK and REGISTERED_ROWS_IN_BULK:
        frame = frame.clear()
    elif NEW_ROWS_IN_BULK or REGISTERED_ROWS_IN_BULK:
        frame = frame.filter(registered if NEW_ROWS_IN_BULK else ~registered)
    if legal_basis == "":
        result.special_values_left_out += sum(
            new.frame.get_column(name).fill_null("").ne("").sum() for name in SPECIAL_FIELDS
        )

    plans: list[_RowPlan] = []
    for r in frame.iter_rows(named=True):
        row_number = r["row"]
        participant = existing.get(r["participant_ref"])
        if participant is not None and participant.erased_at is not None:
            errors.append(
                FileIssue(ERASED, row=row_number, column="participant_ref", code="erased")
            )
            continue
        if (
            participant is not None
            and grant.unit is not None
            and participant.unit_id != grant.unit.pk
        ):
            errors.append(
                FileIssue(OTHER_UNIT, row=row_number, column="participant_ref", code="other_unit")
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
            identity=IdentityCheck(r["personal_id"], r["birth_date"], r["pseudonym"])
            if r["personal_id"]
            else None,
            legal_basis=legal_basis
            if participant is None or participant.id in special_covered
            else "",
            result=result,
        )
        _plan_enrolment(
            plan,
            r,
            participant,
            method_id=methods.get(r["method"].upper()) if r["method"] else None,
            test_bed_id=test_beds.get(r["test_bed"].upper()) if r["test_bed"] else None,
        )
        plans.append(plan)
    return plans, new, updates


def _present(frame: pl.DataFrame, column: str) -> set[str]:
    return set(frame.get_column(column).drop_nulls().unique().to_list()) - {""}


def _pseudonyms(identities: pl.Series) -> pl.Series:
    """The pseudonym of each identity number (null where there is none)."""
    present = identities.is_not_null().arg_true()
    digests = pseudonyms(identities.drop_nulls().to_list())
    empty = pl.Series("pseudonym", [None] * identities.len(), dtype=pl.String)
    return empty.scatter(present, pl.Series(digests, dtype=pl.String)) if digests else empty


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
        shown = f"'{value[:40]}'"
        errors.append(
            FileIssue(
                f"not a known {label} code, found {shown}",
                r["row"],
                column,
                code=f"unknown_{column}",
                params=(("value", shown),),
            )
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


def _check_identities(frame: pl.DataFrame, organisation, errors, *, whole: bool) -> None:
    """One person, one participant_ref per organisation (in the file and in the database)."""
    people = frame.filter(pl.col("pseudonym").is_not_null()).select(
        "row", "participant_ref", "pseudonym"
    )
    first = people.group_by("pseudonym", maintain_order=True).agg(
        pl.col("row").first().alias("first_row"),
        pl.col("participant_ref").first().alias("first_ref"),
    )
    clashes = people.join(first, on="pseudonym").filter(
        pl.col("participant_ref") != pl.col("first_ref")
    )
    for row_number, first_row in clashes.sort("row").select("row", "first_row").iter_rows():
        errors.append(
            FileIssue(
                f"the same person appears under another participant_ref on row {first_row}",
                row=row_number,
                column="personal_id",
                code="same_person_twice",
                params=(("first_row", first_row),),
            )
        )
    digests = first.get_column("pseudonym").to_list()
    wanted = set(digests)
    registered: dict[str, str] = {}
    people_of = Participant.objects.filter(organisation=organisation, erased_at__isnull=True)
    if whole:
        registered.update(
            (digest, ref)
            for digest, ref in people_of.filter(pseudonym__isnull=False).values_list(
                "pseudonym", "participant_ref"
            )
            if digest in wanted
        )
    for chunk in [] if whole else _chunks(digests, LOOKUP_CHUNK):
        registered.update(
            people_of.filter(pseudonym__in=chunk).values_list("pseudonym", "participant_ref")
        )
    if not registered:
        return
    known = pl.DataFrame(
        {"pseudonym": list(registered), "registered_ref": list(registered.values())},
        schema={"pseudonym": pl.String, "registered_ref": pl.String},
    )
    others = people.join(known, on="pseudonym").filter(
        pl.col("registered_ref") != pl.col("participant_ref")
    )
    for (row_number,) in others.sort("row").select("row").iter_rows():
        errors.append(
            FileIssue(
                "this person is already registered in the organisation under another "
                "participant_ref",
                row=row_number,
                column="personal_id",
                code="registered_under_other_ref",
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


@dataclass
class _NewTables:
    """The rows the new participants of a file add to each table, in the database's form and
    aligned: row i of each frame belongs to the file's i-th new participant (a follow-up's
    `id` is null where the row has none)."""

    participants: pl.DataFrame
    enrolments: pl.DataFrame
    follow_ups: pl.DataFrame
    consents: pl.DataFrame

    def __len__(self) -> int:
        return self.participants.height

    def slice(self, start: int, length: int) -> _NewTables:
        return _NewTables(
            *(
                table.slice(start, length)
                for table in (self.participants, self.enrolments, self.follow_ups, self.consents)
            )
        )


@dataclass
class _NewKeys:
    """The keys of the new rows, made for the whole file at once so that each table's keys
    ascend over the whole import (`BulkWriter.new_keys`); a follow-up's is null where the row
    has none."""

    participants: pl.Series
    enrolments: pl.Series
    follow_ups: pl.Series
    consents: pl.Series

    @classmethod
    def made(cls, frame: pl.DataFrame, writer: BulkWriter) -> _NewKeys:
        count = frame.height
        wanted = _with_follow_up(frame)
        follow_ups = pl.Series("id", [None] * count, dtype=pl.String)
        if wanted.any():
            follow_ups = follow_ups.scatter(wanted.arg_true(), writer.new_keys(wanted.sum()))
        return cls(
            writer.new_keys(count), writer.new_keys(count), follow_ups, writer.new_keys(count)
        )

    def slice(self, start: int, length: int) -> _NewKeys:
        return _NewKeys(
            *(
                keys.slice(start, length)
                for keys in (self.participants, self.enrolments, self.follow_ups, self.consents)
            )
        )


def _new_tables(
    new: _NewRows, frame: pl.DataFrame, keys: _NewKeys, *, writer: BulkWriter, legal_basis: str
) -> _NewTables:
    """Plan new participants column by column: what `_plan_participant` and `_plan_enrolment`
    give a row without a registered participant, for all rows of `frame` (rows of
    `new.frame`, with their `keys`) at once."""
    count = frame.height
    key = writer.key
    participant_id = keys.participants.alias("id")
    enrolment_id = keys.enrolments.alias("id")
    identities = frame.get_column("personal_id")
    tokens = encrypt_many(identities.drop_nulls().to_list())
    personal_id = pl.Series("personal_id", [None] * count, dtype=pl.String)
    if tokens:
        personal_id = personal_id.scatter(
            identities.is_not_null().arg_true(), pl.Series(tokens, dtype=pl.String)
        )
    if new.unit is not None:
        unit_id = pl.lit(key(new.unit.pk))
    else:
        assert new.first_unit is not None  # noqa: S101 - _plan refuses an organisation without
        unit_id = pl.col("municipality_code").replace_strict(
            {code: key(unit.pk) for code, unit in new.by_municipality.items()},
            default=key(new.first_unit.pk),
            return_dtype=pl.String,
        )
    entry = [
        (pl.col(column).fill_null("") if name in _BLANK_TEXT else pl.col(column)).alias(name)
        for name, column in PARTICIPANT_FIELDS.items()
    ]
    if legal_basis:
        special = [pl.col(name).fill_null("").alias(name) for name in SPECIAL_FIELDS]
        given = pl.any_horizontal(pl.col(name).fill_null("").ne("") for name in SPECIAL_FIELDS)
        basis = pl.when(given).then(pl.lit(legal_basis)).otherwise(pl.lit(""))
    else:
        special = [pl.lit("").alias(name) for name in SPECIAL_FIELDS]
        basis = pl.lit("")
    participants = frame.select(
        participant_id.alias("id"),
        "participant_ref",
        unit_id.alias("unit_id"),
        personal_id,
        "pseudonym",
        *entry,
        *special,
        basis.alias("special_category_basis"),
    )

    def code_ids(column: str, known: dict[str, Any]) -> pl.Expr:
        return (
            pl.col(column)
            .str.to_uppercase()
            .replace_strict(
                {code: key(pk) for code, pk in known.items()}, default=None, return_dtype=pl.String
            )
        )

    enrolments = frame.select(
        enrolment_id.alias("id"),
        participant_id.alias("participant_id"),
        *(pl.col(column).alias(name) for name, column in ENROLMENT_FIELDS.items()),
        code_ids("method", new.methods).alias("method_id"),
        code_ids("test_bed", new.test_beds).alias("test_bed_id"),
    )
    # A follow-up (where `keys` has one) is due `FOLLOW_UP_AFTER` the exit (each distinct exit
    # date computed once) or on the day observed.
    exits = frame.get_column("exit_date").drop_nulls().unique().to_list()
    follow_ups = frame.select(
        keys.follow_ups.alias("id"),
        enrolment_id.alias("enrolment_id"),
        pl.when(pl.col("exit_date").is_not_null())
        .then(
            pl.col("exit_date").replace_strict(
                {d: _due_on(d) for d in exits}, default=None, return_dtype=pl.Date
            )
        )
        .otherwise(pl.col("followup_observed_on"))
        .alias("due_on"),
        pl.col("followup_observed_on").alias("observed_on"),
        pl.col("followup_employed").alias("employed"),
        pl.col("followup_improved").alias("improved"),
    )
    consents = pl.DataFrame({"id": keys.consents, "participant_id": participant_id})
    return _NewTables(
        participants=writer.frame_for(Participant, participants, ready=frozenset({"personal_id"})),
        enrolments=writer.frame_for(Enrolment, enrolments, ready=frozenset()),
        follow_ups=writer.frame_for(FollowUp, follow_ups, ready=frozenset()),
        consents=writer.frame_for(Consent, consents, ready=frozenset()),
    )


@dataclass
class _NewBlock:
    """A block of new participants (on SQLite a chunk) ready to write: one statement per
    table (`BulkWriter.prepare_frame`)."""

    rows: int
    statements: list[Prepared]

    def __len__(self) -> int:
        return self.rows


def _new_blocks(
    new: _NewRows, *, writer: BulkWriter, legal_basis: str, consent: dict[str, Any]
) -> Iterator[_NewBlock]:
    """The new participants planned (`_new_tables`) and prepared for writing a block at a
    time, needing no database: a worker thread makes them while the database takes the block
    before (decision 40). The first block is one chunk, so that the writing starts at once; on
    PostgreSQL each next one is twice the last up to `NEW_BLOCK_CHUNKS` chunks (making twice the
    rows takes the worker about as long as writing them takes PostgreSQL), on SQLite the next
    ones are `NEW_BLOCK_CHUNKS` chunks as before. The keys are made for all rows first, so that
    they ascend.

    On PostgreSQL a block is written as one statement per table (decision 75): a binary COPY
    sets up a slot for each of up to 1 000 rows whatever its length, so ten times fewer, longer
    COPYs spare the server most of that work and nine in ten of the statements' triggers. On
    SQLite a block is still written a chunk at a time (decision 73): its INSERTs of 250 rows
    gain nothing from a longer block, whose parameters the process would hold instead."""
    keys = _NewKeys.made(new.frame, writer)
    start, size = 0, CHUNK_SIZE
    while start < new.height:
        tables = _new_tables(
            new,
            new.frame.slice(start, size),
            keys.slice(start, size),
            writer=writer,
            legal_basis=legal_basis,
        )
        step = len(tables) if writer.copy else CHUNK_SIZE
        parts = [tables.slice(first, step) for first in range(0, len(tables), step)]
        del tables  # a block's frames are let go with its last statements, before the next
        while parts:
            part = parts.pop(0)
            ready = _NewBlock(
                len(part),
                [
                    writer.prepare_frame(
                        Participant, part.participants, {"organisation_id": writer.organisation.pk}
                    ),
                    writer.prepare_frame(Enrolment, part.enrolments),
                    writer.prepare_frame(
                        FollowUp, part.follow_ups.filter(pl.col("id").is_not_null())
                    ),
                    writer.prepare_frame(Consent, part.consents, consent),
                ],
            )
            del part
            yield ready
        # Doubling only where a block is one statement (on SQLite the chunks go one by one).
        grown = 2 * size if writer.copy else NEW_BLOCK_CHUNKS * CHUNK_SIZE
        start, size = start + size, min(grown, NEW_BLOCK_CHUNKS * CHUNK_SIZE)


def _write_new_block(block: _NewBlock, *, writer: BulkWriter) -> None:
    """Write a block of the new participants: their rows, enrolments, follow-ups and consent
    records (constants: the organisation and the file's legal basis). Their foreign keys are
    checked once per distinct key where the writer may (decision 40)."""
    with writer.keys_checked_once(Participant, Enrolment, FollowUp, Consent):
        for statement in block.statements:
            writer.write(statement)


def _write_chunk(chunk: list[_RowPlan], *, now, writer: BulkWriter) -> None:
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
