"""The organisation register that a participant file is checked against, read without Django.

The command-line file tools (`emplus esf-indicators`) must not pay for setting up Django, yet
an unknown organisation code is an error in the participant-file spec. So:

- with a database (DATABASE_URL, or the SQLite file in var/), its organisation table is the
  register, read with the database driver in one query;
- without any database (no DATABASE_URL and no SQLite file: the file tool on its own), the
  partner register shipped with the platform is;
- a database that cannot be read, has no organisation table or an empty one, cannot check:
  the caller refuses unless the user explicitly turns the check off.

See docs/decisions/0017-organisation-register-on-the-command-line.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from emplus.organisations.reference import partner_aliases, register_aliases

#: The table and columns of `emplus.organisations.models.Organisation` (a test keeps them equal).
TABLE = "organisations_organisation"
COLUMNS = ("code", "name", "name_en")
LOAD_HINT = "run `emplus load-reference-data`"


@dataclass(frozen=True)
class Register:
    """Accepted organisation spellings → code; or why there is nothing to check against."""

    aliases: dict[str, str] | None
    source: str  #: "database", "shipped" or "none"
    problem: str | None = None  #: one line: why codes cannot be checked
    note: str | None = None  #: one line worth telling the user (where the register came from)


def from_rows(rows: Sequence[tuple[str, str, str]], where: str) -> Register:
    """The register from (code, name, name_en) rows of the organisation table."""
    if not rows:
        return Register(
            None,
            "none",
            problem=f"the organisation register in {where} is empty ({LOAD_HINT})",
        )
    return Register(register_aliases(list(rows)), "database")


def shipped(note: str | None = None) -> Register:
    return Register(partner_aliases(), "shipped", note=note)


def read_register(url: str) -> Register:
    """The register of the database at ``url`` (a DATABASE_URL), or the shipped one without."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in {"sqlite", "spatialite"}:
        return _read_sqlite(url)
    if scheme in {"postgres", "postgresql", "pgsql", "postgis"}:
        return _read_postgres(url)
    return _read_with_django()


def _sqlite_path(url: str) -> str:
    # dj-database-url: sqlite:///relative/path or sqlite:////absolute/path; sqlite:// = memory.
    path = unquote(url.split("://", 1)[1])
    return path[1:] if path.startswith("/") else path


def _read_sqlite(url: str) -> Register:
    path = _sqlite_path(url)
    if path in {"", ":memory:"} or not Path(path).is_file():
        return shipped(
            note="no database: organisation codes are checked against the nine partners "
            "shipped with emplus"
        )
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            found = db.execute(
                "select 1 from sqlite_master where type = 'table' and name = ?", (TABLE,)
            ).fetchone()
            if found is None:
                return _not_migrated(path)
            rows = db.execute(f"select {', '.join(COLUMNS)} from {TABLE}").fetchall()  # noqa: S608 - constants
    except sqlite3.Error as exc:
        return _unreadable(exc)
    return from_rows(rows, f"the database {path}")


def _read_postgres(url: str) -> Register:
    import psycopg  # only for PostgreSQL installations

    clean = "postgresql://" + url.split("://", 1)[1]
    try:
        with psycopg.connect(clean, connect_timeout=10) as db:
            found = db.execute("select to_regclass(%s)", (TABLE,)).fetchone()
            if found is None or found[0] is None:
                return _not_migrated("the database")
            rows = db.execute(f"select {', '.join(COLUMNS)} from {TABLE}").fetchall()  # noqa: S608 - constants
    except psycopg.Error as exc:
        return _unreadable(exc)
    return from_rows(rows, "the database")


def _read_with_django() -> Register:
    """Any other database engine: through Django (slower to start, but the same answer)."""
    return read_register_with_orm(_setup_django)


def _setup_django() -> None:
    import django

    django.setup()


def read_register_with_orm(setup: Callable[[], None] | None = None) -> Register:
    """The register through the ORM, for callers that already run inside Django."""
    from django.db import DatabaseError

    try:
        if setup is not None:
            setup()
        from emplus.organisations.models import Organisation

        rows = list(Organisation.objects.values_list(*COLUMNS))
    except DatabaseError as exc:
        return _unreadable(exc)
    return from_rows(rows, "the database")


def _not_migrated(where: str) -> Register:
    return Register(
        None,
        "none",
        problem=f"{where} has no organisation table "
        "(run `emplus migrate`, then `emplus load-reference-data`)",
    )


def _unreadable(exc: Exception) -> Register:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Register(
        None, "none", problem=f"the organisation register cannot be read from the database: {first}"
    )
