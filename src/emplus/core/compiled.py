"""Statements that every request makes (its session, its user, its audit event), compiled to SQL
once per process.

Turning a QuerySet into SQL costs Django 0.5–1.5 ms of CPU for these reads, more than the
database spends running them (decision 0061). Their SQL never changes, only the values compared:
a `CompiledRead` builds the QuerySet once with stand-in values, keeps its SQL and parameters,
and runs it with the real values put where the stand-ins were: its first row made an instance
as the QuerySet makes it (the columns' conversions, annotations as attributes) but without
Django's per-query machinery, as `Model.objects.raw()`, or as plain rows. A `CompiledInsert`
does the same for the INSERT of a new row (decision 0072).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.models.query import RawQuerySet
from django.db.models.sql import InsertQuery


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: dict[str, int]  # value -> its place among the parameters
    # How a row becomes an instance, as Django's ModelIterable makes it.
    start: int
    end: int
    attnames: list[str]
    annotations: dict[str, int]
    converters: list[tuple[int, list, Any]]  # (column, its conversions, its expression)


class CompiledRead:
    def __init__(
        self,
        model: type[models.Model],
        build: Callable[..., models.QuerySet],
        **stand_ins: tuple[str, Any],
    ) -> None:
        """`build(**values)` makes the QuerySet; `stand_ins` gives for each value the model's
        field it is compared with and a stand-in of that field's type, found nowhere else in the
        query's parameters."""
        self.model = model
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: dict[str, _Compiled] = {}

    def _db_value(self, name: str, value: Any, alias: str) -> Any:
        field = self.model._meta.get_field(self.stand_ins[name][0])
        if not isinstance(field, models.Field):
            raise TypeError(f"{field!r}: a stand-in stands for one of the model's own columns")
        return field.get_db_prep_value(value, connections[alias])

    def _compile(self, alias: str) -> _Compiled:
        queryset = self.build(**{name: value for name, (_, value) in self.stand_ins.items()})
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        positions = {}
        for name, (_, value) in self.stand_ins.items():
            db_value = self._db_value(name, value, alias)
            (positions[name],) = (i for i, param in enumerate(params) if param == db_value)
        select, klass_info = compiler.select, compiler.klass_info
        start, end = (
            (klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1)
            if klass_info
            else (0, 0)
        )
        converters = compiler.get_converters([column for column, _, _ in select])
        return _Compiled(
            sql=sql,
            params=tuple(params),
            positions=positions,
            start=start,
            end=end,
            attnames=[column[0].target.attname for column in select[start:end]],
            annotations=dict(compiler.annotation_col_map or {}),
            converters=[(i, functions, column) for i, (functions, column) in converters.items()],
        )

    def _filled(self, alias: str, values: dict[str, Any]) -> tuple[_Compiled, list]:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        filled = list(compiled.params)
        for name, value in values.items():
            filled[compiled.positions[name]] = self._db_value(name, value, alias)
        return compiled, filled

    def first(self, **values: Any) -> models.Model | None:
        """The first row as an instance of the model, as the QuerySet's `.first()` makes it
        from the same row (the QuerySet orders it: a read of one row by a unique key)."""
        alias = router.db_for_read(self.model)
        compiled, filled = self._filled(alias, values)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, filled)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = list(row)
            for i, functions, column in compiled.converters:
                value = row[i]
                for convert in functions:
                    value = convert(value, column, connection)
                row[i] = value
        instance = self.model.from_db(alias, compiled.attnames, row[compiled.start : compiled.end])
        for name, i in compiled.annotations.items():
            setattr(instance, name, row[i])
        return instance

    def raw(self, **values: Any) -> RawQuerySet:
        compiled, filled = self._filled(router.db_for_read(self.model), values)
        return self.model._default_manager.raw(compiled.sql, filled)

    def rows(self, using: str, **values: Any) -> list[tuple]:
        """The rows of a `values_list()` QuerySet on the database `using`, as the driver gives
        them: no field's conversion from the database, so only for columns that need none
        (numbers, texts)."""
        compiled, filled = self._filled(using, values)
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, filled)
            return cursor.fetchall()


class CompiledInsert:
    """The INSERT of a new row of `model` (every concrete column), compiled once per database.
    Each run converts the instance's values as `Model.save()` does (each field's `pre_save`
    and `get_db_prep_save`); no signals are sent, so only for models that have no receivers."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.local_concrete_fields if not f.generated]
        self._sql: dict[str, str] = {}

    def insert(self, instance: models.Model, using: str) -> None:
        connection = connections[using]
        params = [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in self.fields
        ]
        sql = self._sql.get(using)
        if sql is None:
            query = InsertQuery(self.model)
            query.insert_values(self.fields, [instance])
            ((sql, compiled_params),) = query.get_compiler(using=using).as_sql()
            if len(compiled_params) != len(params):
                raise ValueError(f"{self.model.__name__}: an INSERT of one value a column")
            self._sql[using] = sql
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        instance._state.adding = False
        instance._state.db = using


class CompiledRows:
    """A `values_list()` read (a union of several too) compiled once per process: its SQL, its
    parameters and its columns kept; each call runs it with its own values where the stand-ins
    were and converts the columns as the QuerySet would have (the connection's converters).

    Where `CompiledRead` gives model instances, this gives rows: for a union of several tables'
    rows (the participant page's timelines, decision 71). A stand-in may occur more than once
    (the same participant in each part of a union); it must equal no other parameter of the
    query, or compiling fails."""

    def __init__(
        self,
        model: type[models.Model],
        build: Callable[..., models.QuerySet],
        **stand_ins: tuple[models.Field, Any],
    ) -> None:
        """`build(**values)` makes the QuerySet (of `model`, for the database router);
        `stand_ins` gives for each value the field it is a value of (for its database form) and
        a stand-in of that field's type."""
        self.model = model
        self.build = build
        self.stand_ins = stand_ins
        self._compiled: dict[str, tuple[str, tuple, dict[str, list[int]], list[Any]]] = {}

    def _compile(self, alias: str) -> tuple[str, tuple, dict[str, list[int]], list[Any]]:
        connection = connections[alias]
        queryset = self.build(**{name: value for name, (_, value) in self.stand_ins.items()})
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = {}
        for name, (field, value) in self.stand_ins.items():
            db_value = field.get_db_prep_value(value, connection)
            positions[name] = [i for i, param in enumerate(params) if param == db_value]
            if not positions[name]:
                raise ValueError(f"{name}: its stand-in is not among the query's parameters")
        return sql, tuple(params), positions, [column for column, _, _ in compiler.select]

    def rows(self, **values: Any) -> list[list[Any]]:
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        sql, params, positions, columns = compiled
        connection = connections[alias]
        filled = list(params)
        for name, value in values.items():
            db_value = self.stand_ins[name][0].get_db_prep_value(value, connection)
            for position in positions[name]:
                filled[position] = db_value
        with connection.cursor() as cursor:
            cursor.execute(sql, filled)
            rows = cursor.fetchall()
        # What the compiler's apply_converters does, with this thread's connection.
        converters = [
            (i, convert, column)
            for i, column in enumerate(columns)
            if (
                convert := connection.ops.get_db_converters(column)
                + column.get_db_converters(connection)
            )
        ]
        if not converters:
            return [list(row) for row in rows]
        converted = []
        for row in rows:
            values_of_row = list(row)
            for i, convert, column in converters:
                value = values_of_row[i]
                for converter in convert:
                    value = converter(value, column, connection)
                values_of_row[i] = value
            converted.append(values_of_row)
        return converted
