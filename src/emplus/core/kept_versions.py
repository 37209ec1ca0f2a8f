"""A version of some tables that the database keeps: statement triggers add one per transaction
that writes them to a table of deltas (`writes`, `written_at`), summed on read (decisions 62 and
74). A result kept under it is found again until such a write commits, whoever wrote and
however (services, `update()`, `COPY`, raw SQL), without counting the tables it reads."""

from __future__ import annotations

from datetime import datetime

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model


def database_version(model: type[Model], *, using: str = "default") -> str | None:
    """The sum of `model`'s deltas and the time of the newest: it changes with every commit of
    a write the triggers watch, and never otherwise. None where it cannot say: SQLite keeps
    none, and inside a transaction the sum may count the transaction's own writes, which a
    rollback would take back while a result kept under it stayed."""
    connection = connections[using]
    if version_of(0, None, connection=connection) is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {version_columns(model, connection=connection)}")
        writes, written_at = cursor.fetchone()
    return version_of(writes, written_at, connection=connection)


def version_columns(model: type[Model], *, connection: BaseDatabaseWrapper) -> str:
    """The SQL of a version's two columns (the sum, the newest time), for a caller that reads
    them in a statement of its own (in one snapshot with what it keeps under them)."""
    table = connection.ops.quote_name(model._meta.db_table)
    return (
        f"(SELECT coalesce(sum(writes), 0) FROM {table}), "  # noqa: S608 - the model's table
        f"(SELECT max(written_at) FROM {table})"
    )


def version_of(
    writes: int, written_at: datetime | None, *, connection: BaseDatabaseWrapper
) -> str | None:
    """The version of the two columns read, or None where it cannot say (database_version)."""
    if (
        connection.vendor != "postgresql"
        or connection.in_atomic_block
        or not connection.get_autocommit()
    ):
        return None
    return f"{writes}:{written_at.isoformat() if written_at else '-'}"
