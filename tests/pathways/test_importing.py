"""Importing participant files: all or nothing, idempotent, keyed by participant_ref, private."""

from __future__ import annotations

import csv
import io
import time
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from tests.conftest import import_basis, make_user

from emplus.core.audit import audit_verify
from emplus.core.models import AuditEvent
from emplus.methods.models import Method
from emplus.organisations.models import Unit
from emplus.pathways import import_writer, importing
from emplus.pathways.import_writer import BulkWriter
from emplus.pathways.importing import participants_import
from emplus.pathways.models import Consent, Enrolment, FollowUp, ImportBatch, Participant

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return str((10 - total % 10) % 10)


def personnummer(birth: date, serial: int) -> str:
    """A generated number with a valid check digit (tests only)."""
    nine = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}{serial:03d}"
    return f"{birth.year}{nine[2:6]}-{nine[6:]}{luhn_digit(nine)}"


def row(ref="P1", **changes) -> dict:
    return {
        "participant_ref": ref,
        "organisation": "ORGA",
        "birth_date": "1990-05-01",
        "gender": "woman",
        "municipality_code": "2480",
        "entry_date": "2025-01-10",
        "lm_status_entry": "unemployed",
        "unemployed_months": "14",
        "isced": "3",
        **changes,
    }


def csv_bytes(rows: list[dict], *, sep: str = ",") -> bytes:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return buffer.getvalue().encode("utf-8")


def run(actor, org, rows, **kw):
    return participants_import(
        actor=actor,
        organisation=org,
        source=csv_bytes(rows) if isinstance(rows, list) else rows,
        file_name=kw.pop("file_name", "participants.csv"),
        as_of=TODAY,
        basis=kw.pop("basis", import_basis()),
        **kw,
    )


def snapshot() -> dict:
    return {
        "participants": sorted(
            Participant.objects.values_list("participant_ref", "updated_at", "isced")
        ),
        "enrolments": sorted(
            (str(e[0]), e[1], e[2])
            for e in Enrolment.objects.values_list("id", "updated_at", "exit_date")
        ),
        "follow_ups": sorted(
            (str(f[0]), f[1]) for f in FollowUp.objects.values_list("id", "updated_at")
        ),
    }


def test_a_valid_file_creates_participants_enrolments_and_follow_ups(coach, org_a, unit_a1):
    # given
    method = Method.objects.create(code="IPS", name="Individual placement and support")
    rows = [
        row("P1", personal_id=personnummer(date(1990, 5, 1), 123), method="ips"),
        row(
            "P2",
            entry_date="2025-02-01",
            exit_date="2025-08-01",
            exit_employed="yes",
            followup_observed_on="2026-02-01",
            followup_employed="ja",
        ),
    ]
    # when
    result = run(coach, org_a, rows)
    # then
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    p1 = Participant.objects.get(participant_ref="P1")
    assert p1.unit == unit_a1 and p1.organisation == org_a
    assert p1.personal_id.startswith("19900501") and len(p1.pseudonym) == 64
    assert p1.enrolments.get().method == method
    p2 = Participant.objects.get(participant_ref="P2")
    enrolment = p2.enrolments.get()
    assert enrolment.exit_date == date(2025, 8, 1) and enrolment.exit_employed is True
    assert enrolment.follow_up.due_on == date(2026, 2, 1)
    assert enrolment.follow_up.observed_on == date(2026, 2, 1)
    assert enrolment.follow_up.employed is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT personal_id FROM pathways_participant WHERE participant_ref='P1'")
        (raw,) = cursor.fetchone()
    assert "19900501" not in raw  # stored encrypted


def test_importing_the_same_file_twice_changes_nothing(coach, org_a, unit_a1):
    # given
    rows = [
        row("P1", personal_id=personnummer(date(1990, 5, 1), 123)),
        row("P2", exit_date="2025-06-01", followup_observed_on="2025-12-01"),
        row("P3", disability="yes"),
    ]
    data = csv_bytes(rows)
    run(coach, org_a, data, legal_basis="consent")
    before = snapshot()
    # when
    result = run(coach, org_a, data, legal_basis="consent")
    # then
    assert result.ok
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert snapshot() == before


def test_a_second_file_updates_by_participant_ref_and_leaves_the_rest_untouched(
    coach, org_a, unit_a1
):
    # given
    run(coach, org_a, [row("P1"), row("P2")])
    before = dict(Participant.objects.values_list("participant_ref", "updated_at"))
    # when P1 gains education and leaves
    result = run(coach, org_a, [row("P1", isced="5", exit_date="2025-09-30"), row("P2")])
    # then
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    p1 = Participant.objects.get(participant_ref="P1")
    assert p1.isced == 5
    assert p1.enrolments.get().exit_date == date(2025, 9, 30)  # same enrolment, now closed
    assert p1.updated_at > before["P1"]
    assert Participant.objects.get(participant_ref="P2").updated_at == before["P2"]
    assert Enrolment.objects.count() == 2


def test_a_new_entry_after_an_exit_starts_a_new_enrolment(coach, org_a, unit_a1):
    # given
    run(coach, org_a, [row("P1", exit_date="2025-03-01")])
    # when
    run(coach, org_a, [row("P1", entry_date="2026-01-15")])
    # then
    entries = sorted(Enrolment.objects.values_list("entry_date", flat=True))
    assert entries == [date(2025, 1, 10), date(2026, 1, 15)]


def test_a_file_with_errors_imports_nothing_and_lists_every_error(coach, org_a, org_b, unit_a1):
    # given three faulty rows among valid ones
    rows = [
        row("P1"),
        row("P2", organisation="ORGB"),
        row("P3", method="NOPE"),
        row("P4", test_bed="NOWHERE"),
        row("P5"),
    ]
    # when
    result = run(coach, org_a, rows)
    # then
    assert not result.ok
    assert [str(e) for e in result.errors] == [
        "row 3, column organisation: not the organisation chosen for this import (ORGA), "
        "found 'ORGB'",
        "row 4, column method: not a known method code, found 'NOPE'",
        "row 5, column test_bed: not a known test bed code, found 'NOWHERE'",
    ]
    assert Participant.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_file_format_errors_are_reported_by_row_and_column_without_the_personal_id(
    coach, org_a, unit_a1
):
    # given
    bad_id = "19900501-1234"
    rows = [row("P1", entry_date="2025-13-01"), row("P2", personal_id=bad_id), row("P1")]
    # when
    result = run(coach, org_a, rows)
    # then
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("row 2, column entry_date:") for m in messages)
    assert any(m.startswith("row 3, column personal_id:") for m in messages)
    assert any(m.startswith("row 4, column participant_ref:") for m in messages)
    assert not any("1234" in m for m in messages)
    assert Participant.objects.count() == 0


def test_special_categories_are_left_out_without_a_legal_basis(coach, org_a, unit_a1):
    # when
    result = run(coach, org_a, [row("P1", disability="yes", minority="no"), row("P2")])
    # then
    assert result.ok and result.special_values_left_out == 2
    p1 = Participant.objects.get(participant_ref="P1")
    assert (p1.disability, p1.minority, p1.special_category_basis) == ("", "", "")
    assert ImportBatch.objects.get().special_values_left_out == 2


def test_special_categories_are_stored_with_consent_as_legal_basis(coach, org_a, unit_a1):
    # when
    result = run(
        coach, org_a, [row("P1", disability="yes", minority="declined")], legal_basis="consent"
    )
    # then
    assert result.special_values_left_out == 0
    p1 = Participant.objects.get(participant_ref="P1")
    assert (p1.disability, p1.minority, p1.special_category_basis) == ("yes", "declined", "consent")


def test_the_import_is_recorded_once_in_a_batch_and_the_audit_log(coach, org_a, unit_a1):
    # given
    pid = personnummer(date(1990, 5, 1), 123)
    data = csv_bytes([row("P1", personal_id=pid), row("P2")])
    # when
    result = run(coach, org_a, data, file_name="lista.csv")
    # then
    batch = ImportBatch.objects.get()
    assert batch == result.batch
    assert (batch.imported_by, batch.organisation, batch.file_name) == (coach, org_a, "lista.csv")
    assert (batch.rows, batch.created, batch.updated, batch.unchanged) == (2, 2, 0, 0)
    assert len(batch.file_sha256) == 64
    event = AuditEvent.objects.get(action="participant.imported")
    assert event.details["batch"] == str(batch.pk) and event.details["created"] == 2
    assert event.organisation_id == org_a.pk
    assert pid[-4:] not in str(event.details) and "P1" not in str(event.details)
    assert audit_verify() == []


def test_new_participants_are_written_a_statement_per_table_and_block_on_postgresql(
    coach, org_a, unit_a1, monkeypatch
):
    # given blocks of up to three chunks of 10 rows (the first block one chunk, then twice the
    # last), and a writer that notes each statement it sends (decision 75: one statement per
    # table and block on PostgreSQL; a chunk at a time on SQLite, decision 73)
    monkeypatch.setattr(importing, "CHUNK_SIZE", 10)
    monkeypatch.setattr(importing, "NEW_BLOCK_CHUNKS", 3)
    sent: list[tuple[str, int]] = []
    real_write = BulkWriter.write

    def write(self, prepared):
        sent.append((prepared.model.__name__, prepared.rows))
        return real_write(self, prepared)

    monkeypatch.setattr(BulkWriter, "write", write)
    copies: list[tuple[bool, int]] = []
    if connection.vendor == "postgresql":  # sent in pieces of up to 4 rows
        monkeypatch.setattr(import_writer, "ROWS_PER_COPY_PIECE", 4)
        real_copy = BulkWriter._copy

        def copy(self, table, columns, *data, binary=False):
            copies.append((binary, len(data)))
            return real_copy(self, table, columns, *data, binary=binary)

        monkeypatch.setattr(BulkWriter, "_copy", copy)
    steps: list[tuple[int, int]] = []
    # 75 new participants, every other one with an exit (and so a follow-up)
    rows = [row(f"B{i:03d}", exit_date="2025-06-01" if i % 2 else "") for i in range(75)]
    # when they are imported
    result = run(coach, org_a, rows, progress=lambda done, total: steps.append((done, total)))
    # then the progress is shown per statement written, and each went to its table with all of
    # its block's rows (or chunk's, on SQLite)
    assert result.ok and result.created == 75
    if connection.vendor == "postgresql":
        blocks = [(0, 10), (10, 30), (30, 60), (60, 75)]
    else:
        blocks = [(start, min(start + 10, 75)) for start in range(0, 75, 10)]
    assert steps == [(0, 75)] + [(end, 75) for _, end in blocks]
    assert sent == [
        (model, count)
        for start, end in blocks
        for model, count in (
            ("Participant", end - start),
            ("Enrolment", end - start),
            ("FollowUp", sum(1 for i in range(start, end) if i % 2)),
            ("Consent", end - start),
        )
    ]
    if connection.vendor == "postgresql":  # one binary COPY a statement, in pieces
        # (the header, the rows four at a time, the trailer)
        assert copies == [(True, 2 + -(-count // 4)) for _, count in sent if count]
    # and every row is there with its enrolment, follow-up and consent record
    assert Participant.objects.filter(participant_ref__startswith="B").count() == 75
    assert Enrolment.objects.count() == 75 and Consent.objects.count() == 75
    assert FollowUp.objects.count() == 37
    assert set(
        FollowUp.objects.values_list("enrolment__participant__participant_ref", flat=True)
    ) == {f"B{i:03d}" for i in range(75) if i % 2}
    assert all(
        p.enrolments.get().entry_date == date(2025, 1, 10)
        for p in Participant.objects.filter(participant_ref__in=["B000", "B029", "B030", "B074"])
    )


def test_a_failure_half_way_leaves_nothing_written(coach, org_a, unit_a1, monkeypatch):
    # given a writer of blocks (on PostgreSQL one chunk, then two chunks each; on SQLite a chunk
    # each) that fails at the third block
    monkeypatch.setattr(importing, "CHUNK_SIZE", 10)
    monkeypatch.setattr(importing, "NEW_BLOCK_CHUNKS", 2)
    calls = []
    real = importing._write_new_block

    def failing(block, **kw):
        calls.append(len(block))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(block, **kw)

    monkeypatch.setattr(importing, "_write_new_block", failing)
    rows = [row(f"P{i}", exit_date="2025-06-01") for i in range(50)]
    # when
    with pytest.raises(RuntimeError):
        run(coach, org_a, rows)
    # then the first blocks were written but rolled back with the rest
    assert calls == ([10, 20, 20] if connection.vendor == "postgresql" else [10, 10, 10])
    assert Participant.objects.count() == 0
    assert Enrolment.objects.count() == 0 and FollowUp.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert not AuditEvent.objects.filter(action="participant.imported").exists()


def test_a_dry_run_reports_what_would_change_and_writes_nothing(coach, org_a, unit_a1):
    # given
    run(coach, org_a, [row("P1")])
    before = snapshot()
    # when
    result = run(coach, org_a, [row("P1", isced="6"), row("P2")], dry_run=True)
    # then
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert snapshot() == before
    assert ImportBatch.objects.count() == 1


def test_coordinators_rows_go_to_the_unit_of_the_municipality_else_the_first_unit(
    coordinator, org_a, unit_a1, unit_a2
):
    # when (units by name: "A Pajala" (2521) comes before "A Umeå" (2480))
    run(
        coordinator,
        org_a,
        [row("P1", municipality_code="2480"), row("P2", municipality_code="0180"), row("P3")],
    )
    # then
    units = dict(Participant.objects.values_list("participant_ref", "unit"))
    assert units == {"P1": unit_a1.pk, "P2": unit_a2.pk, "P3": unit_a1.pk}


def test_a_coach_cannot_update_a_participant_of_another_unit(coordinator, org_a, unit_a1, unit_a2):
    # given P1 in unit A2, and a coach of unit A1
    run(coordinator, org_a, [row("P1", municipality_code="2521")])
    coach_a1 = make_user("coach-a1", org_a, "coach", unit_a1)
    # when
    result = run(coach_a1, org_a, [row("P1", isced="7")])
    # then
    assert [str(e) for e in result.errors] == [
        "row 2, column participant_ref: the participant_ref belongs to a participant of another "
        "local unit; ask a coordinator to import this row"
    ]
    assert Participant.objects.get().isced == 3


def test_one_person_cannot_get_a_second_participant_ref(coach, org_a, unit_a1):
    # given
    pid = personnummer(date(1990, 5, 1), 123)
    run(coach, org_a, [row("P1", personal_id=pid)])
    # when the same person comes back under another reference, twice in one file
    result = run(coach, org_a, [row("P9", personal_id=pid), row("P10", personal_id=pid)])
    # then
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "personal_id"),
        (3, "personal_id"),
        (3, "personal_id"),
    ]
    assert Participant.objects.count() == 1


@pytest.mark.parametrize("persona", ["analyst", "other_org_coach", "no_role_user"])
def test_only_coaches_and_coordinators_of_the_organisation_may_import(
    persona, request, org_a, unit_a1
):
    # given
    user = request.getfixturevalue(persona)
    # when / then
    with pytest.raises(PermissionDenied):
        run(user, org_a, [row("P1")])
    assert Participant.objects.count() == 0


def test_rows_that_have_not_started_are_left_out(coach, org_a, unit_a1):
    # when
    result = run(coach, org_a, [row("P1"), row("P2", entry_date="2027-01-01")])
    # then
    assert result.ok and result.not_yet_started == 1
    assert list(Participant.objects.values_list("participant_ref", flat=True)) == ["P1"]


def test_ten_thousand_rows_import_well_under_a_minute(coordinator, org_a, unit_a1):
    # given
    Unit.objects.create(organisation=org_a, name="A Malmö", kind="branch", municipality_id="1280")
    rows = [
        row(
            f"R{i:05d}",
            personal_id=personnummer(date(1960 + i % 40, 1 + i % 12, 1 + i % 28), i % 1000),
            birth_date="",
            municipality_code=("2480", "1280", "0180")[i % 3],
            exit_date="2025-09-01" if i % 2 else "",
            exit_employed="yes" if i % 4 == 1 else "",
            followup_observed_on="2026-03-01" if i % 4 == 3 else "",
        )
        for i in range(10_000)
    ]
    data = csv_bytes(rows, sep=";")
    # when
    started = time.process_time()
    result = run(coordinator, org_a, data)
    first = time.process_time() - started
    started = time.process_time()
    again = run(coordinator, org_a, data)
    second = time.process_time() - started
    # then
    assert result.ok, result.errors[:5]
    assert result.created == 10_000 and again.unchanged == 10_000
    assert Participant.objects.count() == 10_000 and Enrolment.objects.count() == 10_000
    assert FollowUp.objects.count() == 5_000
    # CPU time of this process: the shared test machine makes wall-clock time noisy.
    assert first < 30 and second < 30, (first, second)


def test_an_unknown_method_code_alone_rejects_the_file(coach, org_a, unit_a1):
    # given
    Method.objects.create(code="IPS", name="IPS")
    # when
    result = run(coach, org_a, [row("P1", method="ips"), row("P2", method="SIUS")])
    # then
    assert [str(e) for e in result.errors] == [
        "row 3, column method: not a known method code, found 'SIUS'"
    ]
    assert Participant.objects.count() == 0


# --- the legal basis of the participants an import creates ------------------------------------


def test_each_created_participant_carries_the_files_legal_basis(coach, org_a, unit_a1):
    # given a file of two new participants, imported under the ESF+ reporting duty
    basis = import_basis(legal_basis="legal_obligation", information_version="ESF-2026")
    # when
    result = run(coach, org_a, [row("P1"), row("P2")], basis=basis)
    # then each has one consent record with that basis and its purposes
    assert result.ok, result.errors
    records = Consent.objects.order_by("participant__participant_ref")
    assert [r.participant.participant_ref for r in records] == ["P1", "P2"]
    assert {(r.legal_basis, r.case_work, r.statistics, r.sharing) for r in records} == {
        ("legal_obligation", True, True, False)
    }
    assert {r.information_version for r in records} == {"ESF-2026"}
    # and the import's audit event names the basis and the count
    event = AuditEvent.objects.get(action="participant.imported")
    assert event.details["basis"] == "legal_obligation"
    assert event.details["purposes"] == ["case_work", "statistics"]
    assert event.details["consents_recorded"] == 2
    # and importing the file again records nothing more
    assert run(coach, org_a, [row("P1"), row("P2")], basis=basis).ok
    assert Consent.objects.count() == 2


def test_a_file_that_creates_participants_needs_a_legal_basis(coach, org_a, unit_a1):
    result = run(coach, org_a, [row("P1")], basis=None)
    assert not result.ok
    assert "rättsliga grunden" in str(result.errors[0])  # Swedish first
    assert not Participant.objects.exists()
    # an update of known participants needs none
    assert run(coach, org_a, [row("P1")]).ok
    assert run(coach, org_a, [row("P1", isced="4")], basis=None).ok
    assert Participant.objects.get().isced == 4


@pytest.mark.parametrize(
    ("basis", "legal_basis"),
    [
        ({"purposes": frozenset({"statistics"})}, ""),  # no case work
        ({"purposes": frozenset({"case_work", "sharing"})}, ""),  # sharing by import
        ({"legal_basis": "public_task"}, "consent"),  # special categories need consent
        ({"legal_basis": "article-99"}, ""),
    ],
)
def test_a_basis_that_cannot_be_recorded_imports_nothing(coach, org_a, unit_a1, basis, legal_basis):
    result = run(coach, org_a, [row("P1")], basis=import_basis(**basis), legal_basis=legal_basis)
    assert not result.ok
    assert not Participant.objects.exists()


def test_special_categories_imported_on_consent_are_covered_by_the_record(coach, org_a, unit_a1):
    result = run(coach, org_a, [row("P1", disability="yes")], legal_basis="consent")
    assert result.ok, result.errors
    participant = Participant.objects.get()
    assert participant.disability == "yes"
    assert participant.consents.get().special_categories is True


def test_an_update_stores_special_categories_only_under_the_participants_current_consent(
    coach, org_a, unit_a1
):
    # given P1 registered on a consent without special categories, P2 on one that covers them
    assert run(coach, org_a, [row("P1")]).ok
    assert run(coach, org_a, [row("P2", disability="no")], legal_basis="consent").ok
    # when a later file gives both a value, declaring consent as the basis
    rows = [row("P1", disability="yes"), row("P2", disability="yes")]
    result = run(coach, org_a, rows, legal_basis="consent")
    # then the file cannot widen P1's consent: its value is left out and counted
    assert result.ok, result.errors
    assert result.special_values_left_out == 1
    p1 = Participant.objects.get(participant_ref="P1")
    p2 = Participant.objects.get(participant_ref="P2")
    assert (p1.disability, p1.special_category_basis) == ("", "")
    assert (p2.disability, p2.special_category_basis) == ("yes", "consent")


def test_an_update_after_withdrawal_stores_no_special_categories(coach, org_a, unit_a1):
    # given a participant whose consent covering special categories was withdrawn
    assert run(coach, org_a, [row("P1", disability="no")], legal_basis="consent").ok
    Consent.objects.update(withdrawn_at=timezone.now())
    # when
    result = run(coach, org_a, [row("P1", disability="yes")], legal_basis="consent")
    # then
    assert result.ok and result.special_values_left_out == 1
    assert Participant.objects.get().disability != "yes"
