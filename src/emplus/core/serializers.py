"""The base of the project's model serializers: enumerations say when they may be blank or null.

DRF drops `allow_blank` from read-only fields, so a model field with choices and `blank=True`
(gender, labour-market status, exit reason ...) was described in the schema as an enumeration
without the empty string it can hold. Here every choice field takes `allow_blank`/`allow_null`
from its model field, read-only or not, and the schema lists "" and null where they occur.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-08"})
class MonthField(serializers.DateField):
    """A calendar month, stored as its first day and written YYYY-MM (not a date)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m")
        super().__init__(**kwargs)


class ModelSerializer(serializers.ModelSerializer):
    def get_fields(self):
        fields = super().get_fields()
        model = getattr(self.Meta, "model", None)
        for name, field in fields.items():
            if not isinstance(field, serializers.ChoiceField) or model is None:
                continue
            try:
                model_field = model._meta.get_field(field.source or name)
            except FieldDoesNotExist:
                continue
            if getattr(model_field, "choices", None):
                field.allow_blank = field.allow_blank or bool(model_field.blank)
                field.allow_null = field.allow_null or bool(model_field.null)
        return fields


# (output name, key of a `values()` row, the representation or None for the value as it is,
# whether the representation is applied to None as well)
RowField = tuple[str, str, Callable[[Any], Any] | None, bool]


def values_row_fields(
    serializer: serializers.Serializer, *, made: Mapping[str, tuple[str, Callable[[Any], Any]]]
) -> tuple[RowField, ...]:
    """How to make a serializer's output from rows of `QuerySet.values()`, field by field in
    the serializer's order, without a model instance per row or DRF's attribute lookups per
    field (decisions 59 and 67). A related object's slug or key is read as a column of the
    row; `made` names the fields made otherwise: (the row's key, a function applied to its
    value, None included), as a method field is. A many-to-many field's values are put in
    the row under the field's own name by the caller, already as the serializer shows them."""
    out: list[RowField] = []
    for name, field in serializer.fields.items():
        if name in made:
            key, make = made[name]
            out.append((name, key, make, True))
        elif isinstance(field, serializers.ManyRelatedField):
            out.append((name, name, None, False))
        elif isinstance(field, serializers.SlugRelatedField):
            out.append((name, f"{field.source}__{field.slug_field}", None, False))
        elif isinstance(field, serializers.PrimaryKeyRelatedField):
            out.append((name, f"{field.source}_id", None, False))
        elif isinstance(field, serializers.SerializerMethodField):
            raise TypeError(f"{name}: a method field must be named in `made`")
        else:
            # DRF leaves None as None rather than asking the field to represent it.
            key = (field.source or name).replace(".", "__")
            out.append((name, key, field.to_representation, False))
    return tuple(out)


def values_rows_represented(
    rows: Iterable[Mapping[str, Any]], fields: tuple[RowField, ...]
) -> list[dict[str, Any]]:
    """The serializer's output (`many=True`) for `rows`, as `values_row_fields` describes it."""
    out = []
    for row in rows:
        item: dict[str, Any] = {}
        for name, key, represent, with_none in fields:
            value = row[key]
            if represent is None or (value is None and not with_none):
                item[name] = value
            else:
                item[name] = represent(value)
        out.append(item)
    return out
