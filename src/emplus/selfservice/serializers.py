"""API shapes of the self-service app. Serializers validate and present; services write."""

from __future__ import annotations

from rest_framework import serializers

from emplus.core.serializers import MonthField
from emplus.selfservice.choices import (
    AttestationMethod,
    HoursSource,
    LinkPurpose,
    LinkState,
    OfflineKind,
    TimeStatus,
)
from emplus.selfservice.models import MonthlyTime, SelfServiceLink, TimeAttestation

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class SelfServiceLinkSerializer(serializers.ModelSerializer):
    participant = serializers.UUIDField(source="participant_id", read_only=True)
    enrolment = serializers.UUIDField(source="enrolment_id", read_only=True)
    instrument = serializers.CharField(source="instrument.code", read_only=True, allow_null=True)
    month = MonthField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=LinkState.choices, read_only=True)
    assessment = serializers.UUIDField(source="assessment_id", read_only=True, allow_null=True)

    class Meta:
        model = SelfServiceLink
        fields = [
            "id",
            "participant",
            "enrolment",
            "purpose",
            "instrument",
            "month",
            "state",
            "created_at",
            "expires_at",
            "opened_at",
            "used_at",
            "revoked_at",
            "assessment",
        ]
        read_only_fields = fields


class SelfServiceLinkCreateSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    purpose = serializers.ChoiceField(choices=LinkPurpose.choices)
    month = serializers.RegexField(
        MONTH, required=False, allow_null=True, help_text="YYYY-MM; for purpose attest_time."
    )
    valid_days = serializers.IntegerField(min_value=1, max_value=30, default=7)


class SelfServiceLinkCreatedSerializer(SelfServiceLinkSerializer):
    url = serializers.URLField(
        read_only=True,
        help_text="The link to give the participant. Shown in this response only: the "
        "platform keeps a hash of the token, not the token.",
    )

    class Meta(SelfServiceLinkSerializer.Meta):
        fields = [*SelfServiceLinkSerializer.Meta.fields, "url"]
        read_only_fields = fields


class TimeAttestationSerializer(serializers.ModelSerializer):
    participant = serializers.UUIDField(source="monthly_time.participant_id", read_only=True)
    month = MonthField(source="monthly_time.month", read_only=True)
    method = serializers.ChoiceField(choices=AttestationMethod.choices, read_only=True)
    still_valid = serializers.SerializerMethodField()

    class Meta:
        model = TimeAttestation
        fields = [
            "id",
            "participant",
            "month",
            "hours",
            "time_version",
            "method",
            "signed_at",
            "paper_date",
            "still_valid",
            "created_at",
        ]
        read_only_fields = fields

    def get_still_valid(self, obj) -> bool:
        return obj.time_version == obj.monthly_time.version


class PaperAttestationSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    month = serializers.RegexField(MONTH)
    paper_date = serializers.DateField()
    base_version = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="The version of the hours you saw; a different current version is a 409.",
    )


class MonthlyTimeSerializer(serializers.ModelSerializer):
    participant = serializers.UUIDField(source="participant_id", read_only=True)
    month = MonthField(read_only=True)
    source = serializers.ChoiceField(choices=HoursSource.choices, read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = MonthlyTime
        fields = ["id", "participant", "month", "hours", "source", "version", "status"]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        valid = any(a.time_version == obj.version for a in obj.attestations.all())
        if valid:
            return TimeStatus.ATTESTED
        if obj.hours <= 0:
            return TimeStatus.NO_HOURS
        return TimeStatus.CHANGED if obj.attestations.all() else TimeStatus.MISSING


class MonthlyTimeSetSerializer(serializers.Serializer):
    participant = serializers.UUIDField()
    month = serializers.RegexField(MONTH)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=0)
    base_version = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="The version of the hours you saw; a different current version is a 409.",
    )


class OfflineEntrySerializer(serializers.Serializer):
    key = serializers.UUIDField(help_text="A new random UUID per entry, kept when resending.")
    kind = serializers.ChoiceField(choices=OfflineKind.choices)
    participant = serializers.UUIDField()
    enrolment = serializers.UUIDField(required=False, allow_null=True)
    month = serializers.RegexField(MONTH, required=False, allow_null=True, allow_blank=True)
    base = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="What the form saw when loaded: the server time (assessment, event) or the "
        "version of the hours (time); empty when the form was opened offline.",
    )
    force = serializers.BooleanField(
        default=False, help_text="Save despite a conflict reported for this entry."
    )
    data = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        help_text="The form's fields, as the page's form names them.",
    )


class OfflineResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["saved", "conflict", "invalid"])
    replay = serializers.BooleanField(required=False)
    id = serializers.UUIDField(required=False)
    url = serializers.CharField(required=False)
    message = serializers.CharField(required=False)
    details = serializers.DictField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
