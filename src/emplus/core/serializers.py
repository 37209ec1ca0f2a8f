"""The base of the project's model serializers: enumerations say when they may be blank or null.

DRF drops `allow_blank` from read-only fields, so a model field with choices and `blank=True`
(gender, labour-market status, exit reason ...) was described in the schema as an enumeration
without the empty string it can hold. Here every choice field takes `allow_blank`/`allow_null`
from its model field, read-only or not, and the schema lists "" and null where they occur.
"""

from __future__ import annotations

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
