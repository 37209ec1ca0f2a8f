"""Writing an import's new rows in bulk: COPY on PostgreSQL, prepared INSERTs elsewhere.

Rows come either as a Polars frame (the new participants of a file, planned column-wise) or as
dicts (the new enrolments and follow-ups of participants already registered). Values reach the
database in the form the model fields would give them; the database's constraints check them.
A frame goes to PostgreSQL in COPY's binary format, made column-wise (decision 66): the server
then parses no text for the keys, dates, times and numbers of 100 000 rows. On SQLite a frame
goes as INSERTs of many rows each, the values every row shares bound once per statement
(decision 73).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

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
# Rows of a frame per INSERT on SQLite (fewer where its parameter limit says so): 250 took
# about 6 % less of SQLite's time than 1 000 for the same rows (median of nine replays on a
# loaded machine), and a smaller prepared statement (decision 73).
ROWS_PER_STATEMENT = 250
# Rows of a frame per piece of a binary COPY's data: a block of 10 000 rows goes as one COPY
# (decision 75) made and sent in pieces, so that no text or buffer of the whole block is held.
ROWS_PER_COPY_PIECE = 1000


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


# COPY's binary format (PostgreSQL's documentation, "COPY", "Binary Format"): a signature,
# then per row the number of fields (int16) and each field as its length (int32, -1 for NULL)
# and the type's binary form, all big-endian; -1 (int16) ends the data.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"
_NULL_HEX = "ffffffff"
# A frame's rows for a binary COPY: its fields in hex, one text per row (`BulkWriter.frame_for`).
_ROW_HEX = "__binary_row"
_PG_EPOCH = date(2000, 1, 1)
_PG_EPOCH_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def _binary_kind(field, connection) -> str:
    """The PostgreSQL type of a model field's column, as far as the binary COPY needs it."""
    db_type = field.db_type(connection) or ""
    if db_type.startswith(("varchar", "text", "char")):
        return "text"
    kind = {
        "uuid": "uuid",
        "date": "date",
        "timestamp with time zone": "timestamptz",
        "boolean": "bool",
        "smallint": "int2",
        "integer": "int4",
    }.get(db_type)
    if kind is None:
        raise ValueError(f"{field.model.__name__}.{field.name}: no binary COPY form for {db_type}")
    return kind


def _binary_payload(kind: str, value: Any) -> bytes:
    """One value (a field's database value) in the binary form of its column's type."""
    if kind == "uuid":
        return UUID(str(value)).bytes
    if kind == "text":
        return str(value).encode()
    if kind == "date":
        return (value - _PG_EPOCH).days.to_bytes(4, "big", signed=True)
    if kind == "timestamptz":
        if value.tzinfo is None:
            raise ValueError("a time written to a timestamp with time zone must be aware")
        step = value - _PG_EPOCH_TIME
        micros = (step.days * 86_400 + step.seconds) * 1_000_000 + step.microseconds
        return micros.to_bytes(8, "big", signed=True)
    if kind == "bool":
        return b"\x01" if value else b"\x00"
    return int(value).to_bytes(2 if kind == "int2" else 4, "big", signed=True)


def _binary_field_hex(kind: str, value: Any) -> str:
    """One field of a binary COPY row (length and value, or NULL), in hex."""
    if value is None:
        return _NULL_HEX
    payload = _binary_payload(kind, value)
    return (len(payload).to_bytes(4, "big") + payload).hex()


def _binary_cells(kind: str, column: pl.Series) -> pl.Expr:
    """Each row's field of `column` in a binary COPY row, in hex, made column-wise: a key's
    text form holds its 16 bytes in hex; a value repeated down the column is made once
    (`_binary_field_hex`); other text is its length, made once per length, and its UTF-8 bytes
    in hex."""
    cell = pl.col(column.name)
    values = column.drop_nulls().unique()
    if kind == "uuid" and column.dtype == pl.String:
        made = pl.lit("00000010") + cell.str.replace_all("-", "", literal=True)
    elif kind == "text" and column.dtype == pl.String and len(values) * 4 > len(column):
        lengths = values.str.len_bytes().unique().to_list()
        made = cell.str.len_bytes().replace_strict(
            lengths, [f"{length:08x}" for length in lengths], return_dtype=pl.String
        ) + cell.str.encode("hex")
    else:
        distinct = values.to_list()
        made = cell.replace_strict(
            distinct, [_binary_field_hex(kind, v) for v in distinct], return_dtype=pl.String
        )
    return pl.when(cell.is_null()).then(pl.lit(_NULL_HEX)).otherwise(made)


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
    """New rows of one table, made ahead of their writing (`BulkWriter.prepare_frame`): the
    binary COPY data (PostgreSQL) or the INSERTs with their parameters (SQLite: `_many_rows`),
    and on PostgreSQL the keys the writer checks when it checks them itself."""

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
        self._referenced: frozenset = frozenset()  # models a key of the checked models names
        self._many_rows_sql: dict[tuple, str] = {}
        # SQLite's bound on a statement's parameters (32 766 unless compiled otherwise).
        self._variables = 999
        if self.connection.vendor == "sqlite":
            self.connection.ensure_connection()
            self._variables = self.connection.connection.getlimit(
                sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER
            )

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
        """The fields the rows do not carry, with their database values (`get_db_prep_save`)."""
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
                shared_values.append(f.get_db_prep_save(value, self.connection))
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
            tail = "\t".join(copy_text(value) for value in shared_values)
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
        form, once for all its chunks: on PostgreSQL each row's fields for a binary COPY in a
        column of their own beside the columns (whose keys the writer checks), elsewhere dates
        as ISO text. Encrypted fields must come encrypted (`ready`)."""
        fields = {f.attname: f for f in model._meta.concrete_fields}
        for name in frame.columns:
            field = fields[name]  # a KeyError names a column the model does not have
            if isinstance(field, EncryptedTextField) and name not in ready:
                raise ValueError(f"{name} must be encrypted before it is written")
        if self.copy:
            cells = [
                _binary_cells(_binary_kind(f, self.connection), frame.get_column(f.attname))
                for f in model._meta.concrete_fields
                if f.attname in frame.columns
            ]
            return frame.with_columns(pl.concat_str(cells).alias(_ROW_HEX))
        dates = [name for name, dtype in frame.schema.items() if dtype == pl.Date]
        return frame.with_columns(pl.col(dates).cast(pl.String)) if dates else frame

    def insert_frame(
        self, model, frame: pl.DataFrame, constants: dict[str, Any] | None = None
    ) -> None:
        """Insert the rows of a frame from `frame_for` (attribute -> column); `constants` hold
        the values every row shares."""
        self.write(self.prepare_frame(model, frame, constants))

    def prepare_frame(
        self, model, frame: pl.DataFrame, constants: dict[str, Any] | None = None
    ) -> Prepared:
        """`insert_frame`'s work that needs no database: the statement's binary data (COPY) or
        records (INSERT) and the keys to check. It touches neither the connection nor the
        writer's state but its cache of the shared values, so a thread may make it ahead
        while another writes (`write`)."""
        constants = constants or {}
        per_row = [f for f in model._meta.concrete_fields if f.attname in frame.columns]
        shared, shared_values = self._shared(model, [f.attname for f in per_row], constants)
        if self.copy and _ROW_HEX not in frame.columns:
            raise ValueError("a frame is written as BulkWriter.frame_for made it")
        table, columns = self._statement(model, [*per_row, *shared])
        prepared = Prepared(model, table, columns, len(per_row) + len(shared), frame.height)
        if frame.height == 0:
            return prepared
        if self.copy:
            prepared.keys = self._keys_of(model, frame, constants)
            tail = "".join(
                _binary_field_hex(_binary_kind(f, self.connection), value)
                for f, value in zip(shared, shared_values, strict=True)
            )
            rows = pl.concat_str(
                [pl.lit(f"{prepared.width:04x}"), pl.col(_ROW_HEX), pl.lit(tail)]
            ).str.join("")  # the number of fields (int16), the row's own, the shared ones
            prepared.payload = [
                _BINARY_HEADER,
                *(
                    bytes.fromhex(frame.slice(start, ROWS_PER_COPY_PIECE).select(rows).item())
                    for start in range(0, frame.height, ROWS_PER_COPY_PIECE)
                ),
                _BINARY_TRAILER,
            ]
        else:
            prepared.payload = self._many_rows(frame, table, columns, per_row, shared_values)
        return prepared

    def _many_rows(
        self, frame: pl.DataFrame, table: str, columns: str, per_row: list, shared_values: list
    ) -> list[tuple[str, list[Any]]]:
        """The frame's rows as INSERTs of `ROWS_PER_STATEMENT` rows (fewer where SQLite's
        parameter limit says so), each `INSERT … SELECT column1, …, ?, … FROM (VALUES (…), (…))`:
        the values every row shares are bound once per statement instead of once per row, and
        SQLite runs one statement per 250 rows instead of one per row (decision 73). The rows
        keep their order. The parameters are laid out column by column (a slice assignment per
        column), with no tuple per row."""
        width, height = len(per_row), frame.height
        room = (self._variables - len(shared_values)) // max(width, 1)
        size = max(1, min(height, ROWS_PER_STATEMENT, room))
        flat: list[Any] = [None] * (width * height)
        for at, field in enumerate(per_row):
            flat[at::width] = frame.get_column(field.attname).to_list()
        statements = []
        for start in range(0, height, size):
            rows = min(size, height - start)
            key = (table, columns, width, len(shared_values), rows)
            sql = self._many_rows_sql.get(key)
            if sql is None:
                # SQLite's own placeholders: the statement goes to the driver as it is (`write`).
                row = f"({', '.join(['?'] * width)})"
                picked = ", ".join(
                    [f"column{at + 1}" for at in range(width)] + ["?"] * len(shared_values)
                )
                sql = self._many_rows_sql[key] = (
                    f"INSERT INTO {table} ({columns}) SELECT {picked} "  # noqa: S608 - names
                    f"FROM (VALUES {', '.join([row] * rows)})"
                )
            statements.append(
                (sql, [*shared_values, *flat[start * width : (start + rows) * width]])
            )
        return statements

    def write(self, prepared: Prepared) -> None:
        """Send a statement `prepare_frame` made (on the writer's own connection)."""
        if prepared.rows == 0:
            return
        if self._checking is not None:
            self._note_keys(prepared)
        if self.copy:
            self._copy(prepared.table, prepared.columns, *prepared.payload, binary=True)
        else:
            # The driver's own cursor: Django's would rewrite every placeholder of every
            # statement with a regular expression (13 ms for a statement of 1 000 rows, more
            # than SQLite takes to insert them). Its errors become Django's as usual.
            with self.connection.wrap_database_errors:
                cursor = self.connection.connection.cursor()
                try:
                    for sql, params in prepared.payload:
                        cursor.execute(sql, params)
                finally:
                    cursor.close()

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
        self._referenced = frozenset(
            f.related_model
            for model in models_written
            for f in model._meta.concrete_fields
            if f.is_relation
        )
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
        """Remember the written rows' keys (of a model whose keys the written rows may hold:
        the others are never looked up) and the foreign keys they hold."""
        assert self._checking is not None  # noqa: S101 - only inside keys_checked_once
        if prepared.model not in self._checked_models:
            raise ValueError(
                f"{prepared.model.__name__} is not among the models whose keys are checked"
            )
        own, held = prepared.keys
        if prepared.model in self._referenced:  # only keys a written row may name are looked up
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

    def _copy(self, table: str, columns: str, *data: str | bytes, binary: bool = False) -> None:
        """One COPY of `data`, sent piece by piece."""
        # Django's own errors (IntegrityError …), as the ORM's statements raise them.
        form = " (FORMAT BINARY)" if binary else ""
        with (
            self.connection.wrap_database_errors,
            self.connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN{form}") as copy,
        ):
            for piece in data:
                copy.write(piece)

    def _executemany(self, table: str, columns: str, width: int, records: Iterable) -> None:
        marks = ", ".join(["%s"] * width)
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - names
                records,
            )
