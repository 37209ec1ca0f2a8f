"""API representation of test beds."""

from __future__ import annotations

from rest_framework import serializers

from emplus.testbeds.models import TestBed


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
