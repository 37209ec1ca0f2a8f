"""The participant's fields exist once (emplus.pathways.fields): every consumer takes them from
there, so a field added to the declaration appears in the form, the API, the services, the
import and the export, or a test here says which one forgot it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from emplus.evidence_core.participant_file import COLUMNS
from emplus.pathways import fields, forms, importing, serializers, services
from emplus.pathways.evidence_adapter import _SOURCES
from emplus.pathways.models import Participant


def test_every_declared_field_is_a_field_of_the_participant_model():
    model_fields = {f.name for f in Participant._meta.get_fields()}
    assert set(fields.names()) <= model_fields
    for field in fields.PARTICIPANT_FIELDS:
        assert Participant._meta.get_field(field.name).attname == field.attname


def test_every_declared_file_column_is_a_column_of_the_participant_file():
    for field in fields.PARTICIPANT_FIELDS:
        assert field.file_column is None or field.file_column in COLUMNS, field.name


def test_the_form_has_exactly_the_declared_fields():
    form = forms.EntryFields()
    declared = set(fields.names())
    # The consent box belongs to the form: it decides the legal basis, it is no field.
    assert set(form.fields) - {"special_consent"} == declared
    assert form.entry_fields == fields.ENTRY_FIELDS
    assert form.contact_fields == fields.CONTACT_FIELDS
    assert form.special_fields == fields.SPECIAL_FIELDS
    for field in fields.PARTICIPANT_FIELDS:
        if field.max_length:
            assert form.fields[field.name].max_length == field.max_length, field.name


def test_the_api_accepts_exactly_the_declared_fields_with_the_same_limits():
    write = serializers.ParticipantWriteSerializer().fields
    # besides the person: where and from when (unit, reference, first enrolment) and the
    # legal basis of the data (consent), as on the registration page
    registration = {"unit", "participant_ref", "entry_date", "consent"}
    assert set(write) == {*registration, "special_category_basis", *fields.names()}
    update = serializers.ParticipantUpdateSerializer().fields
    assert set(update) == {"special_category_basis", *fields.names()}
    for field in fields.PARTICIPANT_FIELDS:
        if field.max_length:
            assert write[field.name].max_length == field.max_length, field.name


def test_lists_show_the_listed_fields_and_the_detail_adds_the_rest_but_never_the_number():
    listed = set(serializers.ParticipantListSerializer().fields)
    detail = set(serializers.ParticipantDetailSerializer().fields)
    assert set(fields.LISTED_FIELDS) <= listed
    assert not (set(fields.SPECIAL_FIELDS) | {"personal_id", "protected_identity"}) & listed
    assert set(fields.names()) - {"personal_id"} <= detail
    assert "personal_id" not in detail


def test_the_services_take_exactly_the_declared_values():
    assert set(fields.VALUE_FIELDS) == set(fields.names()) - {"personal_id"}
    assert services.VALUE_FIELDS is fields.VALUE_FIELDS


def test_import_and_export_map_the_same_declared_columns():
    assert fields.file_columns("entry") == importing.PARTICIPANT_FIELDS
    assert importing.SPECIAL_FIELDS == fields.SPECIAL_FIELDS
    for attname, column in fields.file_columns().items():
        assert _SOURCES[column] == f"participant__{attname}"
    # the enrolment's columns too: one list feeds the import and the export
    assert importing.ENROLMENT_FIELDS is fields.ENROLMENT_FILE_COLUMNS
    for attname, column in fields.ENROLMENT_FILE_COLUMNS.items():
        assert column in COLUMNS
        assert _SOURCES[column] == attname


def test_a_service_refuses_a_field_that_is_not_declared(coach, unit_a1):
    with pytest.raises(TypeError, match="unknown participant fields"):
        services.participant_register(
            actor=coach,
            organisation=unit_a1.organisation,
            unit=unit_a1,
            participant_ref="P-1",
            nickname="Kim",
        )
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_registration_and_edit_pages_show_every_declared_field(client, coach, unit_a1):
    # given a coach who registers a participant with the fields the form gained from the list
    client.force_login(coach)
    page = client.get(reverse("pathways:register")).content.decode()
    for name in fields.names():
        assert f'name="{name}"' in page, name
    response = client.post(
        reverse("pathways:register"),
        {
            "unit": unit_a1.pk,
            "participant_ref": "P-77",
            "address": "Storgatan 1, Umeå",
            "rural_override": "true",
            "purposes": ["case_work"],
            "information_version": "1",
            "given_on": "2026-01-05",
            "entry_date": "2026-01-05",
        },
    )
    # then the record holds them and the edit page shows them again
    assert response.status_code == 302
    participant = Participant.objects.get(participant_ref="P-77")
    assert participant.address == "Storgatan 1, Umeå"
    assert participant.rural_override is True
    edit = client.get(reverse("pathways:edit", args=[participant.pk])).content.decode()
    for name in fields.names():
        assert f'name="{name}"' in edit, name
    assert "Storgatan 1, Umeå" in edit


def test_empty_text_is_stored_as_blank_by_form_and_import_alike():
    blank = fields.blank_text_fields()
    assert {"gender", "lm_status_entry", "citizenship", "disability", "minority"} <= blank
    assert "birth_date" not in blank and "personal_id" not in blank  # NULL when unknown
    assert blank == importing._BLANK_TEXT
