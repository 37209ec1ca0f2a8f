"""`emplus esf-indicators` as a user runs it: the organisation register without Django.

A fresh installation after `load-reference-data` rejects unknown organisation codes naming
every row; an installation without reference data refuses in one line (status 2) unless
`--no-register-check`; with no database at all the shipped partner register is used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emplus.organisations import register
from emplus.organisations.models import Organisation
from emplus.organisations.reference import partners
from emplus.organisations.services import partner_register_load

EMPLUS = Path(sys.executable).with_name("emplus")
HEADER = "participant_ref,organisation,birth_date,gender,entry_date,lm_status_entry,isced"
GOOD = "P1,ABF,1990-05-01,woman,2025-01-10,inactive,3"
# The spec's invalid-organisation cases: unknown codes (misspelt, another's, blank-padded
# nonsense) and a missing value.
BAD = [
    "P2,ABFF,1990-05-01,man,2025-01-10,inactive,3",
    "P3,Rädda Barn,1990-05-01,man,2025-01-10,inactive,3",
    "P4, XYZ ,1990-05-01,man,2025-01-10,inactive,3",
    "P5,,1990-05-01,man,2025-01-10,inactive,3",
]


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EMPLUS), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _env(tmp_path: Path, database: str | None) -> dict[str, str]:
    unwanted = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env["EMPLUS_VAR_DIR"] = str(tmp_path / "var")
    if database:
        env["DATABASE_URL"] = database
    return env


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """A fresh SQLite installation: migrated, and a copy of it after load-reference-data."""
    base = tmp_path_factory.mktemp("install")
    env = _env(base, f"sqlite:///{base / 'bare.sqlite3'}")
    migrated = _run("migrate", "--verbosity", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    loaded = base / "loaded.sqlite3"
    loaded.write_bytes((base / "bare.sqlite3").read_bytes())
    env_loaded = dict(env, DATABASE_URL=f"sqlite:///{loaded}")
    first = _run("load-reference-data", env=env_loaded)
    assert first.returncode == 0, first.stderr
    assert "Partner organisations: 9 (9 created, 0 updated)" in first.stdout
    again = _run("load-reference-data", env=env_loaded)
    assert "Partner organisations: 9 (0 created, 0 updated)" in again.stdout
    return env, env_loaded


def _file(tmp_path: Path, rows: list[str]) -> str:
    path = tmp_path / "participants.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def test_fresh_installation_rejects_unknown_organisations_naming_every_row(installation, tmp_path):
    _, env = installation
    result = _run("esf-indicators", _file(tmp_path, [GOOD, *BAD]), "--as-of", "2026-06-30", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: row")]
    assert errors == [
        "error: row 3, column organisation: not a known organisation code, found 'ABFF'",
        "error: row 4, column organisation: not a known organisation code, found 'Rädda Barn'",
        "error: row 5, column organisation: not a known organisation code, found 'XYZ'",
        "error: row 6, column organisation: a required value is missing, found an empty cell",
    ]


def test_fresh_installation_accepts_partner_codes_and_names(installation, tmp_path):
    _, env = installation
    rows = [GOOD, "P2,rädda barnen,1990-05-01,man,2025-01-10,inactive,3"]
    result = _run("esf-indicators", _file(tmp_path, rows), "--as-of", "2026-06-30", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["participants"]["reportable"] == 2
    assert result.stderr == ""


def test_without_reference_data_the_command_refuses_in_one_line(installation, tmp_path):
    env, _ = installation
    result = _run("esf-indicators", _file(tmp_path, [GOOD]), "--as-of", "2026-06-30", env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: cannot check organisation codes: ")
    assert "is empty (run `emplus load-reference-data`)" in result.stderr
    assert "--no-register-check" in result.stderr


def test_no_register_check_runs_without_reference_data(installation, tmp_path):
    env, _ = installation
    rows = [GOOD, "P2,NOSUCH,1990-05-01,man,2025-01-10,inactive,3"]
    result = _run(
        "esf-indicators",
        _file(tmp_path, rows),
        "--as-of",
        "2026-06-30",
        "--no-register-check",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["participants"]["reportable"] == 2
    assert "organisation codes are not checked" in result.stderr


def test_a_database_without_tables_refuses(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    env = _env(tmp_path, f"sqlite:///{empty}")
    result = _run("esf-indicators", _file(tmp_path, [GOOD]), "--as-of", "2026-06-30", env=env)
    assert result.returncode == 2
    assert "has no organisation table (run `emplus migrate`" in result.stderr
    assert result.stderr.count("\n") == 1


def test_without_any_database_the_shipped_register_is_used(tmp_path):
    # no DATABASE_URL and no SQLite file in var/: the file tool on its own
    env = _env(tmp_path, None)
    result = _run(
        "esf-indicators", _file(tmp_path, [GOOD, BAD[0]]), "--as-of", "2026-06-30", env=env
    )
    assert result.returncode == 2
    assert "note: no database: organisation codes are checked against the nine partners" in (
        result.stderr
    )
    assert "row 3, column organisation: not a known organisation code, found 'ABFF'" in (
        result.stderr
    )
    assert not (tmp_path / "var" / "emplus.sqlite3").exists()  # nothing was created


def test_an_unreachable_database_refuses(tmp_path):
    env = _env(tmp_path, "postgres://nobody@127.0.0.1:1/nothing")
    result = _run("esf-indicators", _file(tmp_path, [GOOD]), "--as-of", "2026-06-30", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: cannot check organisation codes: the organisation register cannot be read"
    )
    assert result.stderr.count("\n") == 1


def test_the_register_reader_knows_the_model_table():
    assert Organisation._meta.db_table == register.TABLE
    columns = {f.name: f.column for f in Organisation._meta.fields}
    assert [columns[name] for name in register.COLUMNS] == list(register.COLUMNS)


@pytest.mark.django_db(transaction=True)
def test_the_register_reader_on_this_database():
    # given the partners loaded through the ORM (committed, so another connection sees them)
    from django.db import connection

    partner_register_load()
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = settings["USER"] or ""
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "localhost"
        port = f":{settings['PORT']}" if settings["PORT"] else ""
        url = f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"
    elif str(settings["NAME"]).startswith(("file:", ":memory:")) or "mode=memory" in str(
        settings["NAME"]
    ):
        pytest.skip("the test database is in memory; the command-line tests cover SQLite")
    else:
        url = f"sqlite:///{settings['NAME']}"
    # when
    found = register.read_register(url)
    # then
    assert found.problem is None and found.source == "database"
    assert {found.aliases[p.code.lower()] for p in partners()} == {p.code for p in partners()}
    assert found.aliases["save the children sweden"] == "RB"
