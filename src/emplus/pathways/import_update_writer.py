"""Writing a re-import's changed cells by key: UPDATE … FROM a temporary table filled by COPY on
PostgreSQL, one prepared UPDATE run for many rows elsewhere.

Rows come as a frame from `import_update_plan`: `id`, and for each column the new value and a
flag `<column>__set`. A row writes the flagged cells only (an unflagged one keeps what is
stored, also when someone else changed it meanwhile) and `updated_at`, as `bulk_update` of
the changed fields does. The database's constraints check the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import repeat

import polars as pl
from django.db import connections, models, router

from emplus.pathways.models import Participant

__all__ = ["UpdateWriter"]

_SET = "__set"


def _copy_text(column: pl.Expr) -> pl.Expr:
    """A string column in COPY's text format (nulls stay null: written as \\N)."""
    for plain, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        column = column.str.replace_all(plain, escaped, literal=True)
    return column


class UpdateWriter:
    """Updates rows of a model by key, the flagged cells of each row and its `updated_at`
    (`now`, the import's time)."""

    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self.connection = connections[router.db_for_write(Participant)]
        self.copy = self.connection.vendor == "postgresql"
        self._tables: dict[tuple[type[models.Model], tuple[str, ...]], str] = {}

    def update(
        self,
        model: type[models.Model],
        frame: pl.DataFrame,
        columns: Sequence[str],
        *,
        ready: frozenset[str] = frozenset(),
    ) -> None:
        """Write the flagged cells of `frame` (`id`, each of `columns` and `<column>__set`,
        values as the plan has them; `ready` names columns already in the database's form,
        the encrypted identity numbers) and `updated_at` of its rows."""
        if frame.height == 0:
            return
        fields = {f.attname: f for f in model._meta.concrete_fields}
        quote = self.connection.ops.quote_name
        table = quote(model._meta.db_table)
        stamp = fields["updated_at"].get_db_prep_save(self.now, self.connection)
        if self.copy:
            self._update_from_copy(model, frame, columns, fields, ready, stamp)
            return
        assignments = ", ".join(
            f"{quote(fields[name].column)} = CASE WHEN %s THEN %s "
            f"ELSE {quote(fields[name].column)} END"
            for name in columns
        )
        values = frame.with_columns(
            pl.col(name).cast(pl.String) for name in columns if frame.schema[name] == pl.Date
        )
        records = zip(
            *(
                column
                for name in columns
                for column in (
                    values.get_column(name + _SET).to_list(),
                    values.get_column(name).to_list(),
                )
            ),
            repeat(stamp),
            values.get_column("id").to_list(),
            strict=False,  # the stamp repeats without end
        )
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {assignments}, "  # noqa: S608 - names from the model
                f"{quote(fields['updated_at'].column)} = %s WHERE {quote('id')} = %s",
                records,
            )

    def _update_from_copy(self, model, frame, columns, fields, ready, stamp) -> None:
        quote = self.connection.ops.quote_name
        temporary = self._temporary(model, tuple(columns), fields)
        names = ["id", *(c for name in columns for c in (name, name + _SET))]
        text = frame.select(
            _copy_text(pl.col(name))
            if frame.schema[name] == pl.String and name not in ready and name != "id"
            else pl.col(name)
            for name in names
        ).write_csv(separator="\t", null_value="\\N", quote_style="never", include_header=False)
        column_list = ", ".join(quote(name) for name in names)
        with self.connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {temporary} ({column_list}) FROM STDIN") as copy:
                copy.write(text)
            assignments = ", ".join(
                f"{quote(fields[name].column)} = CASE WHEN t.{quote(name + _SET)} "
                f"THEN t.{quote(name)} ELSE u.{quote(fields[name].column)} END"
                for name in columns
            )
            cursor.execute(
                f"UPDATE {quote(model._meta.db_table)} AS u SET {assignments}, "  # noqa: S608
                f"{quote(fields['updated_at'].column)} = %s "
                f"FROM {temporary} AS t WHERE u.{quote('id')} = t.{quote('id')}",
                [stamp],
            )
            cursor.execute(f"TRUNCATE {temporary}")

    def _temporary(self, model, columns: tuple[str, ...], fields) -> str:
        """A temporary table (dropped at commit) for the rows of one model's updates."""
        name = self._tables.get((model, columns))
        if name is not None:
            return name
        quote = self.connection.ops.quote_name
        name = quote(f"emplus_import_{model._meta.model_name}_{len(self._tables)}")
        definitions = [f"{quote('id')} {fields['id'].db_type(self.connection)} PRIMARY KEY"]
        for column in columns:
            definitions.append(f"{quote(column)} {fields[column].db_type(self.connection)}")
            definitions.append(f"{quote(column + _SET)} boolean NOT NULL")
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {name} ({', '.join(definitions)}) ON COMMIT DROP"
            )
        self._tables[(model, columns)] = name
        return name
