"""Query results straight into Polars, never one Python value at a time (decision 39).

On PostgreSQL the rows come as CSV through COPY and Polars parses them; on SQLite Polars fetches
the driver's rows in batches. Each column is then cast to its type in Polars."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

BATCH_ROWS = 50_000


def queryset_frame(
    queryset: QuerySet, schema: Mapping[str, pl.DataType], *, batch_rows: int = BATCH_ROWS
) -> pl.DataFrame:
    """The rows of a `values_list()` queryset as a frame with these column names and types,
    in the order of its SQL (the scope stays a subquery in the SQL, never a list of keys).

    The names of `schema` name the selected columns in order. Values are cast from what the
    driver returns (SQLite gives dates as text and booleans as integers) to the types asked
    for; text columns keep "" as it is. A column whose model field converts the stored value
    itself (an encrypted field) must not be read this way: the stored value would be read."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # Django knows without asking: nothing matches (e.g. `pk__in=[]`)
        return pl.DataFrame(schema=dict(schema))
    return sql_frame(sql, params, schema, using=queryset.db, batch_rows=batch_rows)


def sql_frame(
    sql: str,
    params: Sequence[Any],
    schema: Mapping[str, pl.DataType],
    *,
    using: str = "default",
    batch_rows: int = BATCH_ROWS,
) -> pl.DataFrame:
    """As `queryset_frame`, for SQL with %s placeholders (the Django cursor's style)."""
    names = list(schema)
    connection = connections[using]
    if connection.vendor == "postgresql":
        raw = _copy_frame(connection, sql, params, names)
    else:
        with connection.cursor() as cursor:
            # Polars fetches from the Django cursor in batches and builds the columns itself.
            raw = pl.read_database(
                sql,
                connection=cursor,
                execute_options={"params": list(params)},
                batch_size=batch_rows,
                infer_schema_length=None,
            )
    if raw.width != len(names):
        raise ValueError(f"the query selects {raw.width} columns, the schema names {len(names)}")
    raw.columns = names
    return raw.select(
        _cast(pl.col(name), raw.schema[name], dtype) for name, dtype in schema.items()
    )


def _copy_frame(connection: Any, sql: str, params: Sequence[Any], names: list[str]) -> pl.DataFrame:
    """PostgreSQL: the query's rows as CSV through COPY, parsed by Polars (no Python object
    per value). Every column arrives as text; NULL is an unquoted empty field."""
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    with connection.cursor() as cursor:
        # Logged as any query is (connection.queries, the tests' query counts).
        logged = (
            cursor.debug_sql(statement, params)
            if hasattr(cursor, "debug_sql")
            else contextlib.nullcontext()
        )
        with logged, cursor.cursor.copy(statement, list(params)) as copy:
            data = b"".join(copy)
    if not data:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.String()))
    return pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        new_columns=names,
        schema=dict.fromkeys(names, pl.String()),
    )


def _cast(column: pl.Expr, source: pl.DataType, target: pl.DataType) -> pl.Expr:
    name = column.meta.output_name()
    if source == target:
        return column
    if target == pl.Date() and source == pl.String():
        # SQLite keeps dates as ISO text.
        return column.str.slice(0, 10).str.to_date("%Y-%m-%d").alias(name)
    if target == pl.Date() and isinstance(source, pl.Datetime):
        return column.dt.date().alias(name)
    if target == pl.Boolean() and source == pl.String():
        # PostgreSQL's text form of a boolean (COPY): t and f.
        return pl.when(column.is_null()).then(None).otherwise(column == "t").alias(name)
    if target == pl.Boolean() and source.is_integer():
        # SQLite keeps booleans as 0 and 1.
        return (column != 0).alias(name)
    if target == pl.String() and source == pl.Boolean():
        return column.cast(pl.String).str.to_titlecase().alias(name)  # as str(True)
    return column.cast(target).alias(name)
