"""API output of working life."""

from __future__ import annotations

from rest_framework import serializers

from emplus.worklife.models import (
    EducationEnrolment,
    Employer,
    EmployerContact,
    GigAssignment,
    IncomeRecord,
    Opportunity,
    Proposal,
    ProposalEvent,
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


class GigAssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = GigAssignment
        fields = [
            "id",
            "participant",
            "company",
            "client",
            "started_on",
            "ended_on",
            "hours",
            "invoiced",
            "salary_paid",
        ]


class IncomeRecordSerializer(serializers.ModelSerializer):
    month = serializers.DateField(help_text="The first day of the month.")

    class Meta:
        model = IncomeRecord
        fields = ["id", "participant", "month", "source", "amount"]


class StabilityRowSerializer(serializers.Serializer):
    """One group's income stability; null counts are suppressed (small cells outside the
    organisations the caller sees at full detail), and the means with them."""

    key = serializers.CharField()
    label = serializers.CharField()
    people = serializers.IntegerField(allow_null=True)
    stable = serializers.IntegerField(allow_null=True)
    not_stable = serializers.IntegerField(allow_null=True)
    mean_months_with_income = serializers.FloatField(allow_null=True)
    median_coefficient_of_variation = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()


class StabilitySerializer(serializers.Serializer):
    group_by = serializers.CharField()
    as_of = serializers.DateField()
    parameter_version = serializers.IntegerField()
    threshold = serializers.FloatField(help_text="Monthly income (SEK) counted as above.")
    rows = StabilityRowSerializer(many=True)


class OpportunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Opportunity
        fields = [
            "id",
            "organisation",
            "employer",
            "title",
            "kind",
            "ssyk_code",
            "municipality",
            "starts_on",
            "hours_per_week",
            "requirements",
            "is_open",
        ]


class ProposalEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProposalEvent
        fields = ["status", "occurred_on", "note"]


class ProposalSerializer(serializers.ModelSerializer):
    events = ProposalEventSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "opportunity",
            "participant",
            "status",
            "status_on",
            "declined_reason",
            "placement",
            "events",
        ]
