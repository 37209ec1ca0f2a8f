"""`emplus import-participants` and `emplus export-participants`: exit codes, messages, the
export → import round trip, and an import killed half-way (SIGKILL) leaving nothing behind."""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from emplus.core.models import AuditEvent
from emplus.evidence_core.participant_file import read_participant_file
from emplus.methods.models import Method
from emplus.pathways.evidence_adapter import participant_columns
from emplus.pathways.models import ImportBatch, Participant
from emplus.testbeds import models as testbeds

PYTHON_DIR = Path(sys.executable).parent


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


def write_csv(path: Path, rows: list[dict], *, sep: str = ",") -> Path:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def import_file(path, *args, user="coach-a", organisation="ORGA"):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_participants",
        str(path),
        "--organisation",
        organisation,
        "--user",
        user,
        "--basis=consent",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_the_command_imports_a_file_and_reports_the_counts(coach, org_a, unit_a1, tmp_path):
    # given
    path = write_csv(tmp_path / "a.csv", [row("P1"), row("P2", disability="yes")], sep=";")
    # when
    out, _ = import_file(path)
    # then
    assert "2 rows read: 2 created, 0 updated, 0 unchanged" in out
    assert "1 special-category values left out" in out
    assert Participant.objects.count() == 2
    # and again: nothing changes
    out, _ = import_file(path)
    assert "0 created, 0 updated, 2 unchanged" in out


@pytest.mark.django_db
def test_a_file_with_errors_exits_2_lists_every_error_and_imports_nothing(
    coach, org_a, unit_a1, tmp_path, capsys
):
    # given
    pid = personnummer(date(1990, 5, 1), 123)
    bad_pid = pid[:-1] + str((int(pid[-1]) + 1) % 10)
    path = write_csv(
        tmp_path / "bad.csv",
        [row("P1"), row("P2", organisation="ORGB"), row("P3", personal_id=bad_pid), row("P1")],
    )
    # when
    with pytest.raises(SystemExit) as exit_info:
        import_file(path)
    # then
    assert exit_info.value.code == 2
    assert Participant.objects.count() == 0 and ImportBatch.objects.count() == 0


@pytest.mark.django_db
def test_error_messages_name_row_and_column_on_stderr(coach, org_a, org_b, unit_a1, tmp_path):
    # given
    path = write_csv(
        tmp_path / "bad.csv", [row("P1"), row("P2", organisation="ORGB"), row("P3", isced="9")]
    )
    err = io.StringIO()
    # when
    with pytest.raises(SystemExit):
        call_command(
            "import_participants",
            str(path),
            "--organisation=ORGA",
            "--user=coach-a",
            stdout=io.StringIO(),
            stderr=err,
        )
    # then
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("error: row 3, column organisation: not the organisation chosen")
    assert lines[1].startswith("error: row 4, column isced: not an ISCED 2011 level")
    assert lines[-1] == "2 error(s): the file is rejected, nothing was imported."


@pytest.mark.django_db
def test_a_dry_run_writes_nothing(coach, org_a, unit_a1, tmp_path):
    # given
    path = write_csv(tmp_path / "a.csv", [row("P1")])
    # when
    out, _ = import_file(path, "--dry-run")
    # then
    assert out.startswith("dry run, nothing written: would have 1 rows read: 1 created")
    assert Participant.objects.count() == 0 and ImportBatch.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "organisation"),
    [("coach-b", "ORGA"), ("analyst-a", "ORGA"), ("ghost", "ORGA"), ("coach-a", "NOPE")],
)
def test_the_user_must_be_a_coach_or_coordinator_of_the_organisation(
    user, organisation, coach, analyst, other_org_coach, unit_a1, tmp_path
):
    # given
    path = write_csv(tmp_path / "a.csv", [row("P1")])
    # when / then
    with pytest.raises(CommandError):
        import_file(path, user=user, organisation=organisation)
    assert Participant.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_then_import_round_trips(
    file_format, coordinator, org_a, unit_a1, unit_a2, org_b, unit_b1, tmp_path
):
    # given participants with every column filled in, in two organisations
    Method.objects.create(code="IPS", name="IPS")
    testbeds.TestBed.objects.create(code="NORR", name="Norrbotten")
    rows = [
        row(
            "P1",
            personal_id=personnummer(date(1990, 5, 1), 123),
            exit_date="2025-08-01",
            disability="yes",
            citizenship="SY",
            born_abroad="yes",
            parents_born_abroad="2",
            minority="declined",
            homeless="no",
            rural="yes",
            exit_observed_on="2025-08-10",
            exit_job_searching="no",
            exit_in_education="yes",
            exit_qualification="no",
            exit_employed="yes",
            followup_observed_on="2026-02-01",
            followup_employed="yes",
            followup_improved="no",
            method="IPS",
            test_bed="NORR",
        ),
        row("P2", gender="non_binary", municipality_code="2521", lm_status_entry="inactive"),
        row("P3", gender="", isced="", unemployed_months="", lm_status_entry=""),
    ]
    import_file(write_csv(tmp_path / "in.csv", rows), "--legal-basis=consent", user="coordinator-a")
    out_path = tmp_path / f"out.{file_format}"
    # when
    call_command(
        "export_participants",
        "--organisation=ORGA",
        f"--format={file_format}",
        f"--output={out_path}",
        "--include-personal-id",
        stderr=io.StringIO(),
    )
    out, _ = import_file(out_path, "--legal-basis=consent", user="coordinator-a")
    # then the export imports without a change and reads back as the original file
    assert "0 created, 0 updated, 3 unchanged" in out
    original = read_participant_file(tmp_path / "in.csv", as_of=date(2026, 6, 30)).data.drop("row")
    exported = read_participant_file(out_path, as_of=date(2026, 6, 30)).data.drop("row")
    assert exported.columns == original.columns
    assert exported.sort("participant_ref").equals(original.sort("participant_ref"))


@pytest.mark.django_db
def test_export_leaves_out_personal_ids_and_other_organisations_by_default(
    coordinator, org_a, unit_a1, org_b, unit_b1, tmp_path
):
    # given
    import_file(
        write_csv(tmp_path / "a.csv", [row("P1", personal_id=personnummer(date(1990, 5, 1), 1))]),
        user="coordinator-a",
    )
    Participant.objects.create(organisation=org_b, unit=unit_b1, participant_ref="B1")
    out = io.StringIO()
    # when
    call_command("export_participants", "--organisation=ORGA", stdout=out)
    # then
    frame = pl.read_csv(io.StringIO(out.getvalue()), infer_schema=False)
    assert frame.columns == participant_columns()
    assert frame["participant_ref"].to_list() == ["P1"]
    assert AuditEvent.objects.filter(action="participant.exported").count() == 1


# --- an import killed half-way ----------------------------------------------------------------

SETUP = """
from django.contrib.auth import get_user_model
from emplus.geo.services import reference_data_load
from emplus.organisations.models import Organisation, Unit
from emplus.organisations.services import membership_grant
reference_data_load()
o = Organisation.objects.create(code="ORGA", name="Organisation A", sector="civil_society",
                                kind="association", is_partner=True)
Unit.objects.create(organisation=o, name="A Umeå", kind="branch", municipality_id="2480")
u = get_user_model().objects.create_user(username="coordinator-a", password="long-pw-12345678")
membership_grant(user=u, organisation=o, role="coordinator")
"""


def _database_url(tmp_path: Path) -> str:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        # The test database, committed to by the transactional_db fixture.
        user = settings["USER"]
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    return f"sqlite:///{tmp_path / 'killed.sqlite3'}"


def _emplus(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own command
        [str(PYTHON_DIR / "emplus"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


_LEFT_BEHIND = (
    "pathways_participant",
    "pathways_consent",
    "pathways_enrolment",
    "pathways_followup",
    "pathways_participantnametoken",
    "pathways_importbatch",
)


def _indexes(url: str, tmp_path: Path) -> set[tuple[str, str]]:
    """(name, definition) of every index of the tables an import writes, valid ones only on
    PostgreSQL (on SQLite an import that doubles them drops their non-unique indexes while it
    writes, in its transaction)."""
    tables = _LEFT_BEHIND[:4]
    if url.startswith("sqlite"):
        with sqlite3.connect(tmp_path / "killed.sqlite3") as db:
            marks = ", ".join("?" * len(tables))
            return set(
                db.execute(
                    "SELECT name, coalesce(sql, '') FROM sqlite_master "  # noqa: S608 - marks
                    f"WHERE type = 'index' AND tbl_name IN ({marks})",
                    tables,
                ).fetchall()
            )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND i.indisvalid AND i.indisready",
            [list(tables)],
        )
        return set(cursor.fetchall())


def _rows_left(url: str, tmp_path: Path) -> dict[str, int]:
    """Rows of every table an import writes (the import's record, ImportBatch, included)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(tmp_path / "killed.sqlite3") as db:
            return {
                t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in _LEFT_BEHIND
            }
    with connection.cursor() as cursor:
        counts = {}
        for table in _LEFT_BEHIND:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names
            counts[table] = cursor.fetchone()[0]
        return counts


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_leaves_nothing(tmp_path):
    # given a database the command can reach, with an organisation and its coordinator
    url = _database_url(tmp_path)
    env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    if url.startswith("sqlite"):
        _emplus(env, "migrate", "-v0")
    _emplus(env, "shell", "-c", SETUP)
    indexes = _indexes(url, tmp_path)
    rows = [
        row(
            f"K{i:05d}",
            personal_id=personnummer(date(1950 + i % 50, 1 + i % 12, 1 + i % 28), i % 1000),
            exit_date="2025-06-01" if i % 2 else "",
        )
        for i in range(20_000)
    ]
    path = write_csv(tmp_path / "large.csv", [{**r, "birth_date": ""} for r in rows])
    # when the import is killed once it has written its first rows (with COPY on PostgreSQL,
    # batched INSERTs on SQLite; consent records for the new participants too)
    process = subprocess.Popen(  # noqa: S603 - our own command
        [str(PYTHON_DIR / "emplus"), "import-participants", str(path)]
        + ["--organisation=ORGA", "--user=coordinator-a", "--basis=consent"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first_line = process.stdout.readline()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    # then it was writing, and none of its rows are in the database
    assert first_line.startswith("written 1000 of 20000 rows"), (first_line, process.stderr.read())
    assert process.returncode == -signal.SIGKILL
    # (no participant, consent record, enrolment, follow-up or name token, and no import
    # record: an ImportBatch is written with the import's last rows, in its transaction)
    assert _rows_left(url, tmp_path) == dict.fromkeys(_LEFT_BEHIND, 0)
    # and every index of the tables it wrote is there and valid, as before
    assert _indexes(url, tmp_path) == indexes


@pytest.mark.django_db
def test_the_command_needs_a_legal_basis_for_new_participants(coach, org_a, unit_a1, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row("P1")])
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command(
            "import_participants",
            str(path),
            "--organisation=ORGA",
            "--user=coach-a",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "rättsliga grunden" in err.getvalue()  # Swedish first
    assert not Participant.objects.exists()
    out, _ = import_file(path, "--purposes=case_work")
    assert Participant.objects.get().consents.get().statistics is False
