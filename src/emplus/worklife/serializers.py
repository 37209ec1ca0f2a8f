"""API output of working life."""

from __future__ import annotations

from rest_framework import serializers

from emplus.worklife.models import (
    EducationEnrolment,
    Employer,
    EmployerContact,
    WorkplacePlacement,
)


class EmployerContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmployerContact
        fields = ["id", "name", "title", "email", "phone"]


class EmployerSerializer(serializers.ModelSerializer):
    organisation_number = serializers.CharField(source="organisation_number_display")
    contacts = EmployerContactSerializer(many=True, read_only=True)
    partner_organisations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    partner_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Employer
        fields = [
            "id",
            "organisation",
            "name",
            "organisation_number",
            "sector",
            "sni_division",
            "municipality",
            "size_band",
            "partner_organisations",
            "partner_units",
            "contacts",
        ]


class PlacementSerializer(serializers.ModelSerializer):
    enrolment = serializers.UUIDField(source="step.enrolment_id", read_only=True)

    class Meta:
        model = WorkplacePlacement
        fields = [
            "id",
            "participant",
            "enrolment",
            "employer",
            "kind",
            "started_on",
            "ended_on",
            "hours_per_week",
            "supervisor",
            "goals",
            "outcome",
            "outcome_reason",
        ]


class EducationEnrolmentSerializer(serializers.ModelSerializer):
    enrolment = serializers.UUIDField(source="step.enrolment_id", read_only=True)

    class Meta:
        model = EducationEnrolment
        fields = [
            "id",
            "participant",
            "enrolment",
            "provider_kind",
            "provider_name",
            "programme",
            "isced_level",
            "started_on",
            "planned_end",
            "ended_on",
            "status",
            "interruption_reason",
            "qualification",
        ]
