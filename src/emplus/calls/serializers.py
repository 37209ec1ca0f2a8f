"""API representations of funding calls and consortia (read-only, explicit fields)."""

from __future__ import annotations

from rest_framework import serializers

from emplus.calls.models import Call, Consortium, ConsortiumPartner


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


class ConsortiumPartnerSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ConsortiumPartner
        fields = [
            "organisation",
            "role",
            "role_description",
            "contact",
            "letter_of_intent",
            "budget_share",
        ]


class ConsortiumSerializer(serializers.ModelSerializer):
    call = serializers.PrimaryKeyRelatedField(read_only=True)
    lead_organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    partners = ConsortiumPartnerSerializer(many=True, read_only=True)

    class Meta:
        model = Consortium
        fields = ["id", "call", "lead_organisation", "title", "summary", "partners"]
