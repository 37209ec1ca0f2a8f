"""Writing an import's new rows in bulk: COPY on PostgreSQL, one prepared INSERT elsewhere.

Rows come either as a Polars frame (the new participants of a file, planned column-wise) or as
dicts (the new enrolments and follow-ups of participants already registered). Values reach the
database in the form the model fields would give them; the database's constraints check them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from typing import Any

import numpy as np
import polars as pl
import psycopg
from django.db import IntegrityError, connections, models, router

from emplus.core.crypto import EncryptedTextField
from emplus.pathways.models import Participant

__all__ = ["BulkWriter", "Prepared", "copy_text"]

# SQLite's page cache while an import writes (KiB): about what 100 000 participants with their
# enrolments, follow-ups, consents and indexes take.
IMPORT_CACHE_KIB = 256 * 1024


def copy_text(value: Any) -> str:
    """A database value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, date):  # dates and aware datetimes
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_text_column(column: pl.Expr) -> pl.Expr:
    """`copy_text` of a whole string column (nulls stay null: the writer prints them as \\N)."""
    for plain, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        column = column.str.replace_all(plain, escaped, literal=True)
    return column


def _token_text(value: str | None) -> str:
    return "\\N" if value is None else value  # a Fernet token needs no escaping


def _same(value: Any) -> Any:
    return value


def _uuid_hex(value: Any) -> Any:
    return None if value is None else value.hex


# A statement's own keys (text form) and the distinct foreign keys it holds, per field.
_Keys = tuple[list[str], list[tuple[models.ForeignKey, pl.Series]]]


@dataclass
class Prepared:
    """One statement of new rows, made ahead of its writing (`BulkWriter.prepare_frame`): the
    COPY text (PostgreSQL) or the INSERT's records (elsewhere), and on PostgreSQL the keys the
    writer checks when it checks them itself."""

    model: Any
    table: str
    columns: str
    width: int
    rows: int
    payload: Any = None
    keys: _Keys = ([], [])


class BulkWriter:
    """Writes the new rows of an import with plain statements: COPY on PostgreSQL (the rows
    as one text stream), one prepared INSERT run for many rows elsewhere. Values are converted
    to the database's form by the model fields themselves (each distinct value of a column
    once) or, for a frame, column by column from its type; the columns the rows do not set take
    the field's default, converted once per import. New rows carry what `bulk_create` would
    write; the database's constraints check them the same way."""

    def __init__(self, *, now, organisation) -> None:
        self.now = now
        self.organisation = organisation
        self.connection = connections[router.db_for_write(Participant)]
        self.copy = self.connection.vendor == "postgresql"
        self._constants: dict[tuple, list[Any]] = {}
        self._converters: dict[Any, Callable[[Any], Any]] = {}
        self._keys_checked_here: dict[tuple, bool] = {}
        self._checking: list[tuple[models.ForeignKey, pl.Series]] | None = None
        self._present: dict[Any, set[str]] = {}  # model -> keys known to be there (text)
        self._checked_models: tuple = ()

    # --- keys -------------------------------------------------------------------------------

    def key(self, pk: Any) -> str:
        """A UUID primary or foreign key as the frame carries it (the database's text form)."""
        return str(pk) if self.copy else pk.hex

    def new_keys(self, count: int) -> pl.Series:
        """`count` random version-4 UUIDs in ascending order, in the database's text form:
        rows written in the order of their keys fill the primary-key index from one end."""
        raw = np.frombuffer(os.urandom(16 * count), dtype=np.uint8).reshape(count, 16).copy()
        raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
        raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
        hexes = pl.Series("key", [bytes(r) for r in raw], dtype=pl.Binary).sort().bin.encode("hex")
        if not self.copy:
            return hexes
        return hexes.to_frame().select(
            pl.concat_str(
                [
                    pl.col("key").str.slice(0, 8),
                    pl.col("key").str.slice(8, 4),
                    pl.col("key").str.slice(12, 4),
                    pl.col("key").str.slice(16, 4),
                    pl.col("key").str.slice(20, 12),
                ],
                separator="-",
            )
        )["key"]

    # --- values -----------------------------------------------------------------------------

    def _database_value(self, model_field, value) -> Any:
        prepared = model_field.get_db_prep_save(value, self.connection)
        return copy_text(prepared) if self.copy else prepared

    def _converter(self, model_field) -> Callable[[Any], Any]:
        convert = self._converters.get(model_field)
        if convert is not None:
            return convert
        if isinstance(model_field, models.UUIDField) or (
            model_field.is_relation and isinstance(model_field.target_field, models.UUIDField)
        ):
            if self.copy:
                texts: dict[Any, str] = {}

                def convert(value, texts=texts):
                    try:
                        return texts[value]
                    except KeyError:
                        texts[value] = text = copy_text(value)
                        return text

            elif self.connection.features.has_native_uuid_field:
                convert = _same
            else:
                convert = _uuid_hex
        else:
            seen: dict[Any, Any] = {}
            database_value = self._database_value

            def convert(value, seen=seen, model_field=model_field):
                try:
                    return seen[value]
                except KeyError:
                    seen[value] = prepared = database_value(model_field, value)
                    return prepared

        self._converters[model_field] = convert
        return convert

    def _shared(self, model, per_row: Iterable[str], constants: dict[str, Any]) -> tuple:
        """The fields the rows do not carry, with their values in the database's form."""
        fields = list(model._meta.concrete_fields)
        names = set(per_row)
        shared = [f for f in fields if f.attname not in names]
        key = (model, tuple(sorted(names)), tuple(sorted(constants.items())))
        shared_values = self._constants.get(key)
        if shared_values is None:
            shared_values = []
            for f in shared:
                if f.attname in constants:
                    value = constants[f.attname]
                elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                    value = self.now
                else:
                    value = f.get_default()
                # Encrypted defaults ("" for a name the file does not carry) are encrypted
                # here, once per import: every new row of the import shares the ciphertext of
                # its empty contact fields (decision 40).
                shared_values.append(self._database_value(f, value))
            self._constants[key] = shared_values
        return shared, shared_values

    def _statement(self, model, fields) -> tuple[str, str]:
        quote = self.connection.ops.quote_name
        return quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)

    # --- writing ----------------------------------------------------------------------------

    @contextmanager
    def roomy_cache(self) -> Iterator[None]:
        """On SQLite, a page cache large enough for the import's tables and indexes while it
        writes (the default 2 MB spills the pages of the random-keyed indexes to the WAL and
        reads them back for every chunk); the connection's own size afterwards. A cache size
        changes no durability: the commit writes and syncs as before."""
        if self.connection.vendor != "sqlite":
            yield
            return
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            (previous,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(previous)}")

    @contextmanager
    def indexes_built_after(self, new_rows: dict[Any, int]) -> Iterator[None]:
        """On SQLite, the non-unique indexes of each table the import at least doubles (its
        new rows at least as many as the rows it holds) dropped before the rows are written
        and created again after them, in the import's transaction: one sorted build of each
        instead of an insertion per row and index (decision 40, sixth step). SQLite's schema
        changes are transactional: a rollback or a killed process leaves the indexes as they
        were, and readers keep their snapshot. Unique indexes stay: they check the rows. Only
        inside a transaction that an error rolls back (after an error the indexes are left to
        the rollback). Elsewhere nothing: on PostgreSQL a dropped index would lock the table
        against every reader until the commit."""
        connection = self.connection
        if connection.vendor != "sqlite" or not connection.in_atomic_block:
            yield
            return
        dropped: list[str] = []
        with connection.cursor() as cursor:
            for model, rows in new_rows.items():
                table = model._meta.db_table
                # Counted up to one more than the new rows: enough to know.
                cursor.execute(
                    f"SELECT count(*) FROM (SELECT 1 FROM {connection.ops.quote_name(table)} "  # noqa: S608 - our table
                    "LIMIT %s)",
                    [rows + 1],
                )
                (held,) = cursor.fetchone()
                if not rows or held > rows:
                    continue
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                    "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %%' ORDER BY name",
                    [table],
                )
                for name, sql in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                    dropped.append(sql)
        yield
        with connection.cursor() as cursor:
            for sql in dropped:
                cursor.execute(sql)

    def insert(
        self,
        model,
        rows: list[dict[str, Any]],
        constants: dict[str, Any] | None = None,
        *,
        ready: frozenset[str] = frozenset(),
    ) -> None:
        """Insert `rows` (attribute -> value) of `model`; `constants` hold the values every row
        shares, `ready` names columns whose values are already in the database's form (the
        encrypted identity numbers)."""
        if not rows:
            return
        constants = constants or {}
        per_row = [f for f in model._meta.concrete_fields if f.attname in rows[0]]
        shared, shared_values = self._shared(model, rows[0], constants)
        pairs = [
            (
                f.attname,
                (_token_text if self.copy else _same) if f.attname in ready else self._converter(f),
            )
            for f in per_row
        ]
        table, columns = self._statement(model, [*per_row, *shared])
        if self.copy:
            tail = "\t".join(shared_values)
            text = "".join(
                "\t".join([*(convert(row[name]) for name, convert in pairs), tail]) + "\n"
                if tail
                else "\t".join(convert(row[name]) for name, convert in pairs) + "\n"
                for row in rows
            )
            self._copy(table, columns, text)
        else:
            records = [
                [convert(row[name]) for name, convert in pairs] + shared_values for row in rows
            ]
            self._executemany(table, columns, len(per_row) + len(shared), records)

    def frame_for(self, model, frame: pl.DataFrame, *, ready: frozenset[str]) -> pl.DataFrame:
        """`frame` (model attribute -> column, keys already in text form) in the database's
        form, once for all its chunks: on PostgreSQL text escaped for COPY, elsewhere dates as
        ISO text. Encrypted fields must come encrypted (`ready`)."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        for name in frame.columns:
            field = fields[name]  # a KeyError names a column the model does not have
            if isinstance(field, EncryptedTextField) and name not in ready:
                raise ValueError(f"{name} must be encrypted before it is written")
        casts = []
        for name, dtype in frame.schema.items():
            if dtype == pl.String and self.copy and name not in ready:
                casts.append(_copy_text_column(pl.col(name)))
            elif dtype == pl.Date and not self.copy:
                casts.append(pl.col(name).cast(pl.String))
        return frame.with_columns(casts) if casts else frame

    def insert_frame(
        self, model, frame: pl.DataFrame, constants: dict[str, Any] | None = None
    ) -> None:
        """Insert the rows of a frame from `frame_for` (attribute -> column); `constants` hold
        the values every row shares."""
        self.write(self.prepare_frame(model, frame, constants))

    def prepare_frame(
        self, model, frame: pl.DataFrame, constants: dict[str, Any] | None = None
    ) -> Prepared:
        """`insert_frame`'s work that needs no database: the statement's text (COPY) or
        records (INSERT) and the keys to check. It touches neither the connection nor the
        writer's state but its cache of the shared values, so a thread may make it ahead
        while another writes (`write`)."""
        constants = constants or {}
        per_row = [f for f in model._meta.concrete_fields if f.attname in frame.columns]
        shared, shared_values = self._shared(model, frame.columns, constants)
        frame = frame.select([f.attname for f in per_row])
        table, columns = self._statement(model, [*per_row, *shared])
        prepared = Prepared(model, table, columns, len(per_row) + len(shared), frame.height)
        if frame.height == 0:
            return prepared
        if self.copy:
            prepared.keys = self._keys_of(model, frame, constants)
            if shared_values:
                frame = frame.with_columns(
                    pl.lit(value).alias(f"__shared{i}") for i, value in enumerate(shared_values)
                )
            prepared.payload = frame.write_csv(
                separator="\t", null_value="\\N", quote_style="never", include_header=False
            )
        else:
            prepared.payload = list(
                zip(
                    *(frame.get_column(f.attname).to_list() for f in per_row),
                    *(repeat(value) for value in shared_values),
                    strict=False,  # the shared values repeat without end
                )
            )
        return prepared

    def write(self, prepared: Prepared) -> None:
        """Send a statement `prepare_frame` made (on the writer's own connection)."""
        if prepared.rows == 0:
            return
        if self._checking is not None:
            self._note_keys(prepared)
        if self.copy:
            self._copy(prepared.table, prepared.columns, prepared.payload)
        else:
            self._executemany(prepared.table, prepared.columns, prepared.width, prepared.payload)

    # --- foreign keys, checked once per distinct key ---------------------------------------

    def _may_check_keys_itself(self, models_written: tuple) -> bool:
        """Whether the writer may take PostgreSQL's per-row foreign-key triggers off its own
        COPYs: the role may set `session_replication_role` (a superuser, or granted
        `SET ON PARAMETER session_replication_role`), and the tables written have no trigger
        but the foreign keys' own that the role would skip, so nothing else is skipped with
        them (the kept participant counts fire always: `ENABLE ALWAYS`, decision 50)."""
        if not self.copy or self.connection.pg_version < 150000:
            return False
        allowed = self._keys_checked_here.get(models_written)
        if allowed is None:
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT has_parameter_privilege('session_replication_role', 'SET') "
                    "AND NOT EXISTS (SELECT 1 FROM pg_trigger "
                    "WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal "
                    "AND tgenabled <> 'A')",
                    [[m._meta.db_table for m in models_written]],
                )
                (allowed,) = cursor.fetchone()
            self._keys_checked_here[models_written] = allowed = bool(allowed)
        return allowed

    @contextmanager
    def keys_checked_once(self, *models_written) -> Iterator[None]:
        """Write some frames with their foreign keys checked by distinct key instead of row by
        row (decision 40). On PostgreSQL, when allowed (`_may_check_keys_itself`), the COPYs
        inside run with `session_replication_role = replica` (local to the transaction, reset
        on leaving), which skips the per-row foreign-key triggers, and the writer checks every
        foreign key of the written rows before it leaves: keys of rows it wrote itself in this
        transaction by lookup, other keys in the database, locked `FOR KEY SHARE` as the
        triggers would lock them (a referenced unit, method or user cannot be deleted before
        the import commits). A missing key raises IntegrityError, which rolls the import back.
        Elsewhere the database checks the rows itself and this does nothing. Only frames of
        `models_written` may be written inside."""
        if not self._may_check_keys_itself(models_written):
            yield
            return
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT set_config('session_replication_role', 'replica', true)")
        self._checking, self._checked_models = [], models_written
        try:
            yield
        finally:
            checking, self._checking = self._checking, None
            # After a failed statement the transaction can only roll back, and the setting
            # with it (it was set inside the import's transaction): leave the error as it is.
            status = self.connection.connection.info.transaction_status
            if status != psycopg.pq.TransactionStatus.INERROR:
                with self.connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('session_replication_role', 'origin', true)")
        self._check_keys(checking)

    def _keys_of(self, model, frame: pl.DataFrame, constants: dict[str, Any]) -> _Keys:
        """The rows' own keys and the distinct foreign keys they hold (text form)."""
        own = frame.get_column(model._meta.pk.attname).cast(pl.String).to_list()
        held = []
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            if field.attname in frame.columns:
                keys = frame.get_column(field.attname).drop_nulls().unique().cast(pl.String)
            else:
                value = constants.get(field.attname, field.get_default())
                keys = pl.Series([] if value is None else [str(value)], dtype=pl.String)
            if len(keys):
                held.append((field, keys))
        return own, held

    def _note_keys(self, prepared: Prepared) -> None:
        """Remember the written rows' keys and the foreign keys they hold."""
        assert self._checking is not None  # noqa: S101 - only inside keys_checked_once
        if prepared.model not in self._checked_models:
            raise ValueError(
                f"{prepared.model.__name__} is not among the models whose keys are checked"
            )
        own, held = prepared.keys
        self._present.setdefault(prepared.model, set()).update(own)
        self._checking.extend(held)

    def _check_keys(self, checking: list[tuple[models.ForeignKey, pl.Series]]) -> None:
        quote = self.connection.ops.quote_name
        for field, keys in checking:
            target = field.related_model
            present = self._present.setdefault(target, set())
            missing = [key for key in keys.to_list() if key not in present]
            for start in range(0, len(missing), 1000):
                wanted = missing[start : start + 1000]
                column = field.target_field
                values = [
                    column.get_db_prep_value(column.to_python(k), self.connection) for k in wanted
                ]
                with self.connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {quote(column.column)} FROM {quote(target._meta.db_table)} "  # noqa: S608 - names
                        f"WHERE {quote(column.column)} IN ({', '.join(['%s'] * len(values))}) "
                        "FOR KEY SHARE",
                        values,
                    )
                    found = {str(key) for (key,) in cursor.fetchall()}
                present.update(found)
                absent = [key for key in wanted if key not in found]
                if absent:
                    raise IntegrityError(
                        f"insert into {field.model._meta.db_table} violates its foreign key "
                        f"{field.column}: {absent[0]} is not in {target._meta.db_table}"
                    )

    def _copy(self, table: str, columns: str, text: str) -> None:
        # Django's own errors (IntegrityError …), as the ORM's statements raise them.
        with (
            self.connection.wrap_database_errors,
            self.connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(text)

    def _executemany(self, table: str, columns: str, width: int, records: Iterable) -> None:
        marks = ", ".join(["%s"] * width)
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - names
                records,
            )
