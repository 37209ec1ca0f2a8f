"""API representations of activities, methods, thematic areas and test beds."""

from __future__ import annotations

from rest_framework import serializers

from emplus.mapping.models import Activity
from emplus.methods.models import Method, MethodVersion, ThematicArea
from emplus.testbeds.models import TestBed


class ThematicAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThematicArea
        fields = ["code", "name_sv", "name_en", "description", "order"]


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


class MethodVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MethodVersion
        fields = ["version", "released_on", "change_note"]


class MethodSerializer(serializers.ModelSerializer):
    thematic_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    owners = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    versions = MethodVersionSerializer(many=True, read_only=True)
    phases = serializers.ListField(child=serializers.CharField(), read_only=True)
    arenas = serializers.ListField(child=serializers.CharField(), read_only=True)
    target_groups = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Method
        fields = [
            "code",
            "name",
            "purpose",
            "phases",
            "arenas",
            "target_groups",
            "thematic_areas",
            "steps",
            "resources",
            "evidence_level",
            "owners",
            "versions",
        ]


class TestBedSerializer(serializers.ModelSerializer):
    lead_organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    partners = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    methods = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    thematic_areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    municipalities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = TestBed
        fields = [
            "code",
            "name",
            "county",
            "lead_organisation",
            "partners",
            "municipalities",
            "methods",
            "thematic_areas",
            "description",
            "target_group",
            "start_date",
            "end_date",
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
