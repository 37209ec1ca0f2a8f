"""A digest of what some tables hold, in one query: a result computed from them is kept under
it and found again only while nothing it read has changed (decisions 45 and 47)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.db import connections
from django.db.models import DateTimeField, Field, Model


def tables_fingerprint(
    columns: Iterable[tuple[type[Model], str]], *, using: str = "default"
) -> str:
    """A digest of the tables of `columns` (model, field), in one query: per pair the number of
    rows, the largest value of the field and the sum of all of them.

    The field is one every write moves: `updated_at` (a save sets it; the sum also catches a
    save that commits after a later one, whose time is older than the latest), an
    auto-incremented key of a table whose rows are only inserted and deleted (a key is never
    used again, so an insert raises the largest), or a version counter. An insert or a delete
    changes the number of rows. A write that moves none of these (`QuerySet.update()` of other
    fields, raw SQL) is not seen: whoever keeps results under this digest must say which
    writers exist."""
    connection = connections[using]
    quote = connection.ops.quote_name
    parts, labels = [], []
    for model, name in columns:
        field = model._meta.get_field(name)
        assert isinstance(field, Field) and field.column, name  # noqa: S101 - a concrete field
        column = quote(field.column)
        if isinstance(field, DateTimeField):
            summed = (
                # Whole microseconds (exact in a double until the year 2255), summed as integers.
                f"sum((date_part('epoch', {column}) * 1000000)::bigint)"
                if connection.vendor == "postgresql"
                else f"total(julianday({column}))"  # the same rows give the same float
            )
        else:  # an integer
            summed = f"sum({column})"
        # As text: one UNION of times and numbers. Names from the models' metadata, never
        # from a request.
        parts.append(
            f"SELECT %s, count(*), CAST(max({column}) AS TEXT), CAST({summed} AS TEXT) "  # noqa: S608
            f"FROM {quote(model._meta.db_table)}"
        )
        labels.append(f"{model._meta.db_table}.{field.column}")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), labels)
        rows = cursor.fetchall()
    text = "|".join(",".join(str(value) for value in row) for row in sorted(rows))
    return hashlib.sha256(text.encode()).hexdigest()
