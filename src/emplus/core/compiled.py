"""Statements that every request makes (its session, its user, its audit event), compiled to SQL
once per process.

Turning a QuerySet into SQL costs Django 0.5–1.5 ms of CPU for these reads, more than the
database spends running them (decision 0061). Their SQL never changes, only the values compared:
a `CompiledRead` builds the QuerySet once with stand-in values, keeps its SQL and parameters,
and runs it with the real values put where the stand-ins were, as `Model.objects.raw()` (the
model's own conversions of the columns, annotations as attributes), or as plain rows.
A `CompiledInsert` does the same for the INSERT of a new row (decision 0072).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections, models, router
from django.db.models.query import RawQuerySet
from django.db.models.sql import InsertQuery


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
        self._compiled: dict[str, tuple[str, tuple, dict[str, int]]] = {}

    def _db_value(self, name: str, value: Any, alias: str) -> Any:
        field = self.model._meta.get_field(self.stand_ins[name][0])
        if not isinstance(field, models.Field):
            raise TypeError(f"{field!r}: a stand-in stands for one of the model's own columns")
        return field.get_db_prep_value(value, connections[alias])

    def _compile(self, alias: str) -> tuple[str, tuple, dict[str, int]]:
        queryset = self.build(**{name: value for name, (_, value) in self.stand_ins.items()})
        sql, params = queryset.query.get_compiler(alias).as_sql()
        positions = {}
        for name, (_, value) in self.stand_ins.items():
            db_value = self._db_value(name, value, alias)
            (positions[name],) = (i for i, param in enumerate(params) if param == db_value)
        return sql, tuple(params), positions

    def _filled(self, alias: str, values: dict[str, Any]) -> tuple[str, list]:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        sql, params, positions = compiled
        filled = list(params)
        for name, value in values.items():
            filled[positions[name]] = self._db_value(name, value, alias)
        return sql, filled

    def raw(self, **values: Any) -> RawQuerySet:
        sql, filled = self._filled(router.db_for_read(self.model), values)
        return self.model._default_manager.raw(sql, filled)

    def rows(self, using: str, **values: Any) -> list[tuple]:
        """The rows of a `values_list()` QuerySet on the database `using`, as the driver gives
        them: no field's conversion from the database, so only for columns that need none
        (numbers, texts)."""
        sql, filled = self._filled(using, values)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, filled)
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
