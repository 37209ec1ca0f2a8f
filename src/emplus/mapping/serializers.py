"""API representations of activities and of municipality coverage."""

from __future__ import annotations

from rest_framework import serializers

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


class CoverageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    county_code = serializers.CharField()
    population = serializers.IntegerField()
    activities = serializers.IntegerField()
    per_10k = serializers.FloatField()
    rural = serializers.BooleanField()
    sparse = serializers.BooleanField()
