"""API representations of activities and of municipality coverage."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

from emplus.core.serializers import RowField, values_row_fields, values_rows_represented
from emplus.mapping.models import Activity


class ActivitySerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    methods = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    thematic_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    municipalities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    phases = serializers.ListField(child=serializers.CharField(), read_only=True)
    target_groups = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "code",
            "organisation",
            "unit",
            "title",
            "description",
            "arena",
            "phases",
            "target_groups",
            "methods",
            "thematic_areas",
            "municipalities",
            "place",
            "accessibility",
            "delivery_mode",
            "start_date",
            "end_date",
            "schedule",
            "capacity",
            "contact_email",
            "contact_phone",
        ]


ACTIVITY_LIST_MANY = ("methods", "thematic_areas", "municipalities")


@functools.cache
def _list_row_fields() -> tuple[RowField, ...]:
    return values_row_fields(ActivitySerializer(), made={})


def activity_list_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `ActivitySerializer(many=True).data` gives, made from rows of
    `values(*activity_list_columns())` with the codes of `ACTIVITY_LIST_MANY` added under their
    names (decision 67; a test compares the two)."""
    return values_rows_represented(rows, _list_row_fields())


def activity_list_columns() -> tuple[str, ...]:
    """The columns a list row reads (`QuerySet.values()`, the organisation's code joined),
    from the serializer's fields; the many-to-many fields' codes are read for the page's rows
    together (decision 67)."""
    return tuple(key for _, key, _, _ in _list_row_fields() if key not in ACTIVITY_LIST_MANY)


class CoverageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    county_code = serializers.CharField()
    population = serializers.IntegerField()
    activities = serializers.IntegerField()
    per_10k = serializers.FloatField()
    rural = serializers.BooleanField()
    sparse = serializers.BooleanField()
