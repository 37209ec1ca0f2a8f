"""Reads that every request makes (its session, its user), compiled to SQL once per process.

Turning a QuerySet into SQL costs Django 0.5–1.5 ms of CPU for these reads, more than the
database spends running them (decision 0061). Their SQL never changes, only the values compared:
a `CompiledRead` builds the QuerySet once with stand-in values, keeps its SQL and parameters,
and runs it with the real values put where the stand-ins were, as `Model.objects.raw()` (the
model's own conversions of the columns, annotations as attributes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections, models, router
from django.db.models.query import RawQuerySet


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

    def raw(self, **values: Any) -> RawQuerySet:
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self._compile(alias)
        sql, params, positions = compiled
        filled = list(params)
        for name, value in values.items():
            filled[positions[name]] = self._db_value(name, value, alias)
        return self.model._default_manager.raw(sql, filled)
