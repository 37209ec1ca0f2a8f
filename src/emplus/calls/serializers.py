"""API representations of funding calls and consortia (read-only, explicit fields)."""

from __future__ import annotations

from rest_framework import serializers

from emplus.calls.models import Call


class CallSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    themes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    target_regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "organisation",
            "funder",
            "funder_name",
            "title",
            "deadline",
            "themes",
            "target_regions",
            "budget_frame",
            "eligibility_notes",
            "link_text",
        ]
