"""API representations of the pathway module: identifying ones for coaches and coordinators,
pseudonymised ones for analysts (no names, identity numbers, contact details or references)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from emplus.core.crypto import mask_personal_id
from emplus.core.serializers import (
    ModelSerializer,
    RowField,
    values_row_fields,
    values_rows_represented,
)
from emplus.organisations.models import Organisation
from emplus.pathways import fields as participant_fields
from emplus.pathways.choices import ProcessingBasis
from emplus.pathways.models import (
    Assessment,
    AssessmentScore,
    Enrolment,
    FollowUp,
    Participant,
    PathwayEvent,
    PathwayStep,
)
from emplus.pathways.services import CONSENT_PURPOSES, ConsentTerms


class ParticipantListSerializer(ModelSerializer):
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
            "personal_id_masked",
            *participant_fields.LISTED_FIELDS,
        ]
        read_only_fields = fields

    def get_personal_id_masked(self, obj: Participant) -> str:
        return mask_personal_id(obj.personal_id)


# The columns a list row reads (as `QuerySet.values()`, the organisation's code joined): not
# the unit's and the organisation's whole rows, the bookkeeping or the special categories. A
# field added to the serializer and not here fails the list (no such key in a row).
PARTICIPANT_LIST_COLUMNS = (
    "id",
    "participant_ref",
    "organisation__code",
    "unit_id",
    "personal_id",
    *(participant_fields.BY_NAME[name].attname for name in participant_fields.LISTED_FIELDS),
)


@functools.cache
def _list_row_fields() -> tuple[RowField, ...]:
    # The method field (the masked number) is made from the identity number.
    return values_row_fields(
        ParticipantListSerializer(), made={"personal_id_masked": ("personal_id", mask_personal_id)}
    )


def participant_list_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What `ParticipantListSerializer(many=True).data` gives, made from rows of
    `values(*PARTICIPANT_LIST_COLUMNS)`: the serializer's own fields turn each value (None
    stays None, as DRF leaves it), without a model instance per row or DRF's attribute lookups
    per field (decision 59; a test compares the two, every field filled and empty)."""
    return values_rows_represented(rows, _list_row_fields())


class ParticipantDetailSerializer(ParticipantListSerializer):
    """One participant: adds the special categories (never shown in lists)."""

    class Meta(ParticipantListSerializer.Meta):
        fields = [
            *ParticipantListSerializer.Meta.fields,
            *participant_fields.DETAIL_ONLY_FIELDS,
            "special_category_basis",
        ]
        read_only_fields = fields


class ParticipantCreatedSerializer(ParticipantDetailSerializer):
    known_elsewhere = serializers.SerializerMethodField(
        help_text=_(
            "Other organisations that know the same person (names only), where the consents on "
            "both sides allow saying so."
        )
    )
    known_elsewhere_limited = serializers.SerializerMethodField(
        help_text=_("True when the check was not made: the hourly number of checks is reached.")
    )
    consent = serializers.UUIDField(source="registration_consent_id", read_only=True)
    enrolment = serializers.UUIDField(source="registration_enrolment_id", read_only=True)

    class Meta(ParticipantDetailSerializer.Meta):
        fields = [
            *ParticipantDetailSerializer.Meta.fields,
            "consent",
            "enrolment",
            "known_elsewhere",
            "known_elsewhere_limited",
        ]
        read_only_fields = fields

    def get_known_elsewhere(self, obj) -> list[str]:
        return [o.name for o in self.context.get("known_elsewhere", [])]

    def get_known_elsewhere_limited(self, obj) -> bool:
        return bool(self.context.get("known_elsewhere_limited", False))


class ConsentTermsSerializer(serializers.Serializer):
    """The legal basis of a new participant's data: a consent, or another basis with its
    article, and the purposes it covers (services.ConsentTerms)."""

    legal_basis = serializers.ChoiceField(
        choices=ProcessingBasis.choices, default=ProcessingBasis.CONSENT
    )
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=[(p, p) for p in CONSENT_PURPOSES]),
        allow_empty=False,
        help_text=_("Must include case_work."),
    )
    shared_with = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.filter(is_partner=True),
        many=True,
        required=False,
        help_text=_("Codes of the partner organisations named for sharing."),
    )
    information_version = serializers.CharField(max_length=32)
    given_on = serializers.DateField()

    @staticmethod
    def terms_of(data: dict) -> ConsentTerms:
        """The service's ConsentTerms from this serializer's validated data."""
        return ConsentTerms(
            information_version=data["information_version"],
            given_on=data["given_on"],
            legal_basis=data["legal_basis"],
            purposes=frozenset(data["purposes"]),
            shared_with=tuple(data.get("shared_with") or ()),
        )


def _write_field_kwargs() -> dict[str, dict]:
    kwargs: dict[str, dict] = {"personal_id": {"write_only": True}}
    for field in participant_fields.PARTICIPANT_FIELDS:
        extra = kwargs.setdefault(field.name, {})
        extra["required"] = False
        if field.max_length:
            extra["max_length"] = field.max_length
    kwargs["protected_identity"]["help_text"] = _(
        "Protected identity: reports to Statistics Sweden carry the special form instead of "
        "the number."
    )
    kwargs["special_category_basis"] = {"required": False}
    return kwargs


class ParticipantWriteSerializer(ModelSerializer):
    """Input for participant_enrol / participant_update: the participant's declared fields
    (emplus.pathways.fields) with the model's types and choices. It only validates the shape;
    the rules and the write live in the services (never `save()`)."""

    unit = serializers.UUIDField(required=True, help_text=_("Local unit (on create only)."))
    participant_ref = serializers.CharField(max_length=64, help_text=_("On create only."))
    entry_date = serializers.DateField(
        help_text=_("Start of the first enrolment (on create only).")
    )
    consent = ConsentTermsSerializer(
        help_text=_("The legal basis of the participant's data (on create only).")
    )
    # The model keeps it as (encrypted) text; the API checks the address's shape like the form.
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)

    class Meta:
        model = Participant
        fields = [
            "unit",
            "participant_ref",
            "entry_date",
            "consent",
            *participant_fields.names(),
            "special_category_basis",
        ]
        extra_kwargs = _write_field_kwargs()

    def save(self, **kwargs):
        raise NotImplementedError("participants are written by emplus.pathways.services")


class ParticipantUpdateSerializer(ParticipantWriteSerializer):
    """On update the unit and the reference stay as they are."""

    unit = None
    participant_ref = None
    entry_date = None
    consent = None

    class Meta(ParticipantWriteSerializer.Meta):
        fields = [*participant_fields.names(), "special_category_basis"]


class FollowUpSerializer(ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["due_on", "observed_on", "employed", "improved"]


class EnrolmentSerializer(ModelSerializer):
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


class PathwayEventSerializer(ModelSerializer):
    participant = serializers.UUIDField(source="enrolment.participant_id", read_only=True)
    enrolment = serializers.UUIDField(source="enrolment_id", read_only=True)

    class Meta:
        model = PathwayEvent
        fields = ["id", "participant", "enrolment", "kind", "occurred_on", "note"]
        read_only_fields = fields


class ScoreSerializer(ModelSerializer):
    dimension = serializers.CharField(source="dimension.code")

    class Meta:
        model = AssessmentScore
        fields = ["dimension", "value"]


class AssessmentSerializer(ModelSerializer):
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


class PseudonymisedStepSerializer(ModelSerializer):
    # Not the activity: free text can name the person.
    class Meta:
        model = PathwayStep
        fields = ["phase", "started_on", "ended_on", "hours"]


class PseudonymisedAssessmentSerializer(ModelSerializer):
    instrument = serializers.CharField(source="instrument.code")
    instrument_version = serializers.IntegerField(source="instrument.version")
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = ["assessed_on", "instrument", "instrument_version", "scores"]


class PseudonymisedEnrolmentSerializer(ModelSerializer):
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


class PseudonymisedParticipantSerializer(ModelSerializer):
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
