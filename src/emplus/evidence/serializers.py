"""API representations of the evidence module: effect estimates (aggregates only; never the
rows of an uploaded comparison group)."""

from __future__ import annotations

from rest_framework import serializers

from emplus.core.serializers import ModelSerializer
from emplus.evidence.models import EffectEstimate


class EffectEstimateSerializer(ModelSerializer):
    organisation = serializers.CharField(
        source="organisation.code", read_only=True, allow_null=True, default=None
    )
    result = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = EffectEstimate
        fields = [
            "id",
            "organisation",
            "treatment",
            "comparison_kind",
            "comparison",
            "outcome",
            "covariates",
            "method",
            "seed",
            "status",
            "progress",
            "message",
            "result",
            "summary_sv",
            "summary_en",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields
