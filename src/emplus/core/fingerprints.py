"""A digest of what some tables hold, in one query: a result computed from them is kept under
it and found again only while nothing it read has changed (decisions 45 and 47). The same
figures per table (`tables_stats`) check a frame kept and brought up to date (decision 51)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, DateTimeField, Field, Func, Model

# Per (table.column): the number of rows, the largest value and the sum (whole microseconds
# for a time), as text.
TableStats = dict[str, tuple[int, str | None, int | None]]


class EpochMicros(Func):
    """A time as whole microseconds since 1970, the unit `tables_stats` sums: a frame that
    carries each row's time can be summed in Polars to the same integer."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(date_part('epoch', %(expressions)s) * 1000000)::bigint",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django keeps a time as UTC text, `YYYY-MM-DD HH:MM:SS[.ffffff]`. The seconds from the
        # whole seconds alone: SQLite rounds a fraction to milliseconds, into the next second.
        return self.as_sql(
            compiler,
            connection,
            template=(
                "(CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER) * 1000000"
                " + CAST(substr(%(expressions)s, 21, 6) AS INTEGER))"
            ),
            **extra,
        )


def _sums_sql(column: str, vendor: str) -> tuple[str, str, int]:
    """Two sums of a time column that give its exact sum in microseconds as `a * scale + b`.
    PostgreSQL sums whole microseconds as `numeric` (exact, per row a double until the year
    2255); SQLite's integer sum overflows past about 5 000 rows of them, so it sums the
    seconds and the microseconds apart (its float `total()` would not be exact)."""
    if vendor == "postgresql":
        return f"sum((date_part('epoch', {column}) * 1000000)::bigint)", "0", 1
    # As EpochMicros on SQLite; %% is the cursor's escape of %.
    return (
        f"sum(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER))",
        f"sum(CAST(substr({column}, 21, 6) AS INTEGER))",
        1_000_000,
    )


def tables_stats(
    columns: Iterable[tuple[type[Model], str]], *, using: str = "default"
) -> TableStats:
    """Per pair (model, field) of `columns`, in one query: the number of rows, the largest
    value of the field (as text) and the sum of all of them (a time in whole microseconds),
    keyed `table.column`."""
    connection = connections[using]
    quote = connection.ops.quote_name
    parts, labels, scales = [], [], {}
    for model, name in columns:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column, name  # noqa: S101 - a concrete field
        column = quote(field.column)
        label = f"{model._meta.db_table}.{field.column}"
        if isinstance(field, DateTimeField):
            first, second, scales[label] = _sums_sql(column, connection.vendor)
        else:  # an integer
            first, second, scales[label] = f"sum({column})", "0", 1
        # As text: one UNION of times and numbers. Names from the models' metadata, never
        # from a request.
        parts.append(
            f"SELECT %s, count(*), CAST(max({column}) AS TEXT), "  # noqa: S608
            f"CAST({first} AS TEXT), CAST({second} AS TEXT) "
            f"FROM {quote(model._meta.db_table)}"
        )
        labels.append(label)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), labels)
        rows = cursor.fetchall()
    return {
        label: (
            int(count),
            largest,
            None if first is None else int(first) * scales[label] + int(second or 0),
        )
        for label, count, largest, first, second in rows
    }


def tables_fingerprint(
    columns: Iterable[tuple[type[Model], str]], *, using: str = "default"
) -> str:
    """A digest of the tables of `columns` (model, field), in one query: per pair the number of
    rows, the largest value of the field and the sum of all of them (`tables_stats`).

    The field is one every write moves: `updated_at` (a save sets it; the sum also catches a
    save that commits after a later one, whose time is older than the latest), an
    auto-incremented key of a table whose rows are only inserted and deleted (a key is never
    used again, so an insert raises the largest), or a version counter. An insert or a delete
    changes the number of rows. A write that moves none of these (`QuerySet.update()` of other
    fields, raw SQL) is not seen: whoever keeps results under this digest must say which
    writers exist."""
    return stats_digest(tables_stats(columns, using=using))


def stats_digest(stats: TableStats) -> str:
    text = "|".join(
        ",".join(str(value) for value in (label, *stats[label])) for label in sorted(stats)
    )
    return hashlib.sha256(text.encode()).hexdigest()
