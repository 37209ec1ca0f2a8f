"""API representations of the pathway module: identifying ones for coaches and coordinators,
pseudonymised ones for analysts (no names, identity numbers, contact details or references)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from emplus.core.crypto import mask_personal_id
from emplus.geo.models import Municipality
from emplus.pathways.choices import Gender, LabourMarketStatus, LegalBasis, SpecialCategoryAnswer
from emplus.pathways.models import (
    Assessment,
    AssessmentScore,
    Enrolment,
    FollowUp,
    Participant,
    PathwayEvent,
    PathwayStep,
)

_ENTRY = [
    "birth_date",
    "gender",
    "municipality",
    "lm_status_entry",
    "unemployed_months",
    "isced",
    "citizenship",
    "born_abroad",
    "parents_born_abroad",
    "homeless",
    "rural_override",
]


class ParticipantListSerializer(serializers.ModelSerializer):
    """A caseload row: never the special categories, the identity number only masked."""

    organisation = serializers.CharField(source="organisation.code", read_only=True)
    unit = serializers.UUIDField(source="unit_id", read_only=True)
    municipality = serializers.CharField(source="municipality_id", allow_null=True, read_only=True)
    personal_id_masked = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = [
            "id",
            "participant_ref",
            "organisation",
            "unit",
            "given_name",
            "family_name",
            "personal_id_masked",
            "phone",
            "email",
            "address",
            *_ENTRY,
        ]
        read_only_fields = fields

    def get_personal_id_masked(self, obj: Participant) -> str:
        return mask_personal_id(obj.personal_id)


class ParticipantDetailSerializer(ParticipantListSerializer):
    """One participant: adds the special categories (never shown in lists)."""

    class Meta(ParticipantListSerializer.Meta):
        fields = [
            *ParticipantListSerializer.Meta.fields,
            "disability",
            "minority",
            "special_category_basis",
            "protected_identity",
        ]
        read_only_fields = fields


class ParticipantCreatedSerializer(ParticipantDetailSerializer):
    known_elsewhere = serializers.SerializerMethodField(
        help_text=_("Other organisations that know the same person (names only).")
    )

    class Meta(ParticipantDetailSerializer.Meta):
        fields = [*ParticipantDetailSerializer.Meta.fields, "known_elsewhere"]
        read_only_fields = fields

    def get_known_elsewhere(self, obj) -> list[str]:
        return [o.name for o in self.context.get("known_elsewhere", [])]


class ParticipantWriteSerializer(serializers.Serializer):
    """Input for participant_register / participant_update; the rules live in the services."""

    unit = serializers.UUIDField(required=True, help_text=_("Local unit (on create only)."))
    participant_ref = serializers.CharField(max_length=64, help_text=_("On create only."))
    personal_id = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=20
    )
    given_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    family_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    birth_date = serializers.DateField(required=False, allow_null=True)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_blank=True)
    municipality = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.all(), required=False, allow_null=True
    )
    lm_status_entry = serializers.ChoiceField(
        choices=LabourMarketStatus.choices, required=False, allow_blank=True
    )
    unemployed_months = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    isced = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=8)
    citizenship = serializers.CharField(required=False, allow_blank=True, max_length=10)
    born_abroad = serializers.BooleanField(required=False, allow_null=True)
    parents_born_abroad = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2
    )
    homeless = serializers.BooleanField(required=False, allow_null=True)
    rural_override = serializers.BooleanField(required=False, allow_null=True)
    protected_identity = serializers.BooleanField(
        required=False,
        help_text=_(
            "Protected identity: reports to Statistics Sweden carry the special form instead of "
            "the number."
        ),
    )
    disability = serializers.ChoiceField(
        choices=SpecialCategoryAnswer.choices, required=False, allow_blank=True
    )
    minority = serializers.ChoiceField(
        choices=SpecialCategoryAnswer.choices, required=False, allow_blank=True
    )
    special_category_basis = serializers.ChoiceField(
        choices=LegalBasis.choices, required=False, allow_blank=True
    )


class ParticipantUpdateSerializer(ParticipantWriteSerializer):
    """On update the unit and the reference stay as they are."""

    unit = None
    participant_ref = None


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["due_on", "observed_on", "employed", "improved"]


class EnrolmentSerializer(serializers.ModelSerializer):
    participant = serializers.UUIDField(source="participant_id", read_only=True)
    method = serializers.CharField(source="method.code", allow_null=True, default=None)
    test_bed = serializers.CharField(source="test_bed.code", allow_null=True, default=None)
    follow_up = FollowUpSerializer(allow_null=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "participant",
            "entry_date",
            "exit_date",
            "exit_reason",
            "method",
            "test_bed",
            "exit_observed_on",
            "exit_job_searching",
            "exit_in_education",
            "exit_qualification",
            "exit_employed",
            "follow_up",
        ]
        read_only_fields = fields


class PathwayEventSerializer(serializers.ModelSerializer):
    participant = serializers.UUIDField(source="enrolment.participant_id", read_only=True)
    enrolment = serializers.UUIDField(source="enrolment_id", read_only=True)

    class Meta:
        model = PathwayEvent
        fields = ["id", "participant", "enrolment", "kind", "occurred_on", "note"]
        read_only_fields = fields


class ScoreSerializer(serializers.ModelSerializer):
    dimension = serializers.CharField(source="dimension.code")

    class Meta:
        model = AssessmentScore
        fields = ["dimension", "value"]


class AssessmentSerializer(serializers.ModelSerializer):
    participant = serializers.UUIDField(source="enrolment.participant_id", read_only=True)
    enrolment = serializers.UUIDField(source="enrolment_id", read_only=True)
    instrument = serializers.CharField(source="instrument.code")
    instrument_version = serializers.IntegerField(source="instrument.version")
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "participant",
            "enrolment",
            "instrument",
            "instrument_version",
            "assessed_on",
            "entered_by_participant",
            "scores",
        ]
        read_only_fields = fields


# --- pseudonymised (analysts) -----------------------------------------------------------------


class PseudonymisedStepSerializer(serializers.ModelSerializer):
    # Not the activity: free text can name the person.
    class Meta:
        model = PathwayStep
        fields = ["phase", "started_on", "ended_on", "hours"]


class PseudonymisedAssessmentSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code")
    instrument_version = serializers.IntegerField(source="instrument.version")
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["assessed_on", "instrument", "instrument_version", "scores"]


class PseudonymisedEnrolmentSerializer(serializers.ModelSerializer):
    method = serializers.CharField(source="method.code", allow_null=True, default=None)
    test_bed = serializers.CharField(source="test_bed.code", allow_null=True, default=None)
    follow_up = FollowUpSerializer(allow_null=True, read_only=True)
    steps = PseudonymisedStepSerializer(many=True, read_only=True)
    assessments = PseudonymisedAssessmentSerializer(many=True, read_only=True)
    event_kinds = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = [
            "entry_date",
            "exit_date",
            "exit_reason",
            "method",
            "test_bed",
            "exit_observed_on",
            "exit_job_searching",
            "exit_in_education",
            "exit_qualification",
            "exit_employed",
            "follow_up",
            "steps",
            "event_kinds",
            "assessments",
        ]

    def get_event_kinds(self, obj) -> list[dict[str, str]]:
        # Kinds and dates only: the notes are free text.
        return [
            {"kind": e.kind, "occurred_on": e.occurred_on.isoformat()} for e in obj.events.all()
        ]


class PseudonymisedParticipantSerializer(serializers.ModelSerializer):
    """No names, identity number, contact details, reference, record id or linkage pseudonym;
    the birth year instead of the birth date; no special categories (never in lists)."""

    key = serializers.SerializerMethodField(
        help_text=_(
            "A key for this analyst and this day only; not the linkage pseudonym and not "
            "stable across days."
        )
    )
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    birth_year = serializers.SerializerMethodField()
    municipality = serializers.CharField(source="municipality_id", allow_null=True, read_only=True)
    enrolments = PseudonymisedEnrolmentSerializer(many=True, read_only=True)

    class Meta:
        model = Participant
        fields = [
            "key",
            "organisation",
            "birth_year",
            "gender",
            "municipality",
            "lm_status_entry",
            "unemployed_months",
            "isced",
            "citizenship",
            "born_abroad",
            "parents_born_abroad",
            "homeless",
            "rural_override",
            "enrolments",
        ]
        read_only_fields = fields

    def get_key(self, obj) -> str:
        return self.context["export_key"](obj)

    def get_birth_year(self, obj) -> int | None:
        return obj.birth_date.year if obj.birth_date else None
