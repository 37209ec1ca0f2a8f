"""API representations of methods (with their versions) and thematic areas."""

from __future__ import annotations

from rest_framework import serializers

from emplus.methods.models import Method, MethodVersion, ThematicArea


class ThematicAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThematicArea
        fields = ["code", "name_sv", "name_en", "description", "order"]


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
