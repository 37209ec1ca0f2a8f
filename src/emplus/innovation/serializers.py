"""API representation of ideas, with their decisions and adoptions (explicit fields)."""

from __future__ import annotations

from rest_framework import serializers

from emplus.innovation.models import Adoption, Idea, StageMove


class StageMoveSerializer(serializers.ModelSerializer):
    criteria = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = StageMove
        fields = ["from_stage", "to_stage", "decided_by", "decided_on", "criteria", "note"]


class AdoptionSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Adoption
        fields = ["organisation", "county", "adopted_on", "note"]


class IdeaSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    thematic_area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    test_bed = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    moves = StageMoveSerializer(many=True, read_only=True)
    adoptions = AdoptionSerializer(many=True, read_only=True)

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "stage",
            "organisation",
            "problem",
            "proposed_solution",
            "target_group",
            "thematic_area",
            "method_version",
            "test_bed",
            "test_start",
            "test_end",
            "evidence_level",
            "evidence_reason",
            "lessons",
            "moves",
            "adoptions",
        ]
