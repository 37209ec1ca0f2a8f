"""Registering, changing and closing collaborations, and attaching documents."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from emplus.collaborations import services
from emplus.collaborations.models import CollaborationDocument
from emplus.collaborations.services import PartyInput
from emplus.core.models import AuditEvent
from tests.collaborations.conftest import make_collaboration, pdf_upload

pytestmark = pytest.mark.django_db


def test_coordinator_registers_a_collaboration_with_a_municipality_and_an_employer(
    collaboration, umea, employer
):
    # then
    parties = {(p.organisation or p.employer).name: p.role for p in collaboration.parties.all()}
    assert parties == {umea.name: "partner", employer.name: "host"}
    assert AuditEvent.objects.filter(
        action="collaboration.created", target_id=str(collaboration.pk)
    ).exists()


def test_coach_cannot_register_a_collaboration(coach, org_a):
    with pytest.raises(PermissionDenied):
        make_collaboration(coach, org_a)


def test_coordinator_cannot_register_for_another_organisation(coordinator, org_b):
    with pytest.raises(PermissionDenied):
        make_collaboration(coordinator, org_b)


def test_other_organisations_coordinator_cannot_change_or_close(
    collaboration, other_org_coordinator
):
    with pytest.raises(PermissionDenied):
        services.collaboration_close(
            actor=other_org_coordinator, collaboration=collaboration, ends_on=date(2025, 6, 1)
        )
    with pytest.raises(PermissionDenied):
        services.collaboration_document_attach(
            actor=other_org_coordinator, collaboration=collaboration, file=pdf_upload()
        )


def test_close_sets_the_end_and_status(coordinator, collaboration):
    services.collaboration_close(
        actor=coordinator, collaboration=collaboration, ends_on=date(2025, 6, 30)
    )
    collaboration.refresh_from_db()
    assert (collaboration.status, collaboration.ends_on) == ("closed", date(2025, 6, 30))


def test_end_before_start_names_the_field(coordinator, org_a):
    with pytest.raises(ValidationError) as error:
        make_collaboration(coordinator, org_a, ends_on=date(2024, 1, 1))
    assert "ends_on" in error.value.message_dict


def test_a_party_is_named_once_and_never_the_owner(coordinator, org_a, umea):
    with pytest.raises(ValidationError):
        make_collaboration(
            coordinator,
            org_a,
            parties=[PartyInput(role="partner", organisation=umea)] * 2,
        )
    with pytest.raises(ValidationError):
        make_collaboration(
            coordinator, org_a, parties=[PartyInput(role="partner", organisation=org_a)]
        )


def test_an_employer_of_another_organisation_cannot_be_named(
    coordinator, other_org_coordinator, org_a, org_b
):
    from tests.worklife.conftest import make_employer

    foreign = make_employer(other_org_coordinator, org_b)
    with pytest.raises(ValidationError):
        make_collaboration(coordinator, org_a, parties=[PartyInput(role="host", employer=foreign)])


def test_attach_a_pdf_stores_it_with_who_uploaded_it(coordinator, collaboration):
    document = services.collaboration_document_attach(
        actor=coordinator, collaboration=collaboration, file=pdf_upload(), kind="letter_of_intent"
    )
    assert document.uploaded_by == coordinator
    assert document.extension == "pdf"
    assert document.file.read().startswith(b"%PDF-")
    assert document.original_name == "avsiktsforklaring.pdf"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_attach_a_docx_is_accepted(coordinator, collaboration):
    upload = SimpleUploadedFile("avtal.docx", _docx())
    assert (
        services.collaboration_document_attach(
            actor=coordinator, collaboration=collaboration, file=upload
        ).extension
        == "docx"
    )


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("program.exe", b"MZ\x90\x00", "Only PDF"),
        ("fake.pdf", b"<html>not a pdf</html>", "not what its name says"),
        ("fake.docx", b"%PDF-1.4 a pdf in disguise", "not what its name says"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_wrong_type_is_refused_with_a_clear_message(
    coordinator, collaboration, name, content, words, settings
):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as error:
        services.collaboration_document_attach(
            actor=coordinator, collaboration=collaboration, file=SimpleUploadedFile(name, content)
        )
    assert words in " ".join(error.value.message_dict["file"])
    assert not CollaborationDocument.objects.exists()


def test_too_large_is_refused(coordinator, collaboration, settings):
    settings.EMPLUS_DOCUMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        services.collaboration_document_attach(
            actor=coordinator, collaboration=collaboration, file=pdf_upload()
        )
    assert "file" in error.value.message_dict


def test_remove_a_document(coordinator, collaboration):
    document = services.collaboration_document_attach(
        actor=coordinator, collaboration=collaboration, file=pdf_upload()
    )
    services.collaboration_document_remove(actor=coordinator, document=document)
    assert not CollaborationDocument.objects.exists()
