"""Writes of the collaboration registry: collaborations, their parties and documents; each one
transaction with its audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NotRequired, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from emplus.collaborations.choices import CollaborationStatus, DocumentKind
from emplus.collaborations.documents import DocumentRefused, document_type
from emplus.collaborations.models import Collaboration, CollaborationDocument, CollaborationParty
from emplus.core import scoping
from emplus.core.audit import audit_log
from emplus.core.choices import Arena
from emplus.core.typing import User
from emplus.geo.models import County, Municipality
from emplus.methods.models import ThematicArea
from emplus.organisations.models import Organisation
from emplus.worklife.models import Employer

DIRECTORY = "directory"
CHANGE = "collaboration.change"


@dataclass(frozen=True)
class PartyInput:
    """One party as a form or the demo names it: an organisation or an employer, and its role."""

    role: str
    organisation: Organisation | None = None
    employer: Employer | None = None
    role_note: str = ""


def _check_owner(actor: User, organisation: Organisation) -> None:
    if organisation.pk not in scoping.organisation_ids_with(actor, CHANGE):
        raise PermissionDenied("Collaborations are registered in one's own organisation.")


def _check_change(actor: User, collaboration: Collaboration) -> None:
    if not scoping.allows(actor, CHANGE, collaboration):
        raise PermissionDenied("Only the registering organisation changes a collaboration.")


def _arenas_clean(arenas: Iterable[str]) -> list[str]:
    values = list(dict.fromkeys(arenas))
    unknown = [a for a in values if a not in Arena.values]
    if unknown:
        raise ValidationError({"arenas": _("Unknown arena: %(arenas)s.") % {"arenas": unknown}})
    return values


def _parties_set(
    *, actor: User, collaboration: Collaboration, parties: Iterable[PartyInput]
) -> None:
    chosen = list(parties)
    seen: set[tuple[str, object]] = set()
    for party in chosen:
        if (party.organisation is None) == (party.employer is None):
            raise ValidationError({"parties": _("Name either an organisation or an employer.")})
        if (
            party.organisation is not None
            and party.organisation.pk == collaboration.organisation_id
        ):
            raise ValidationError(
                {"parties": _("The registering organisation takes part already: name the others.")}
            )
        if party.employer is not None and not scoping.allows(
            actor, "employer.view", party.employer
        ):
            raise ValidationError({"parties": _("Choose an employer from your register.")})
        key = ("o", party.organisation.pk) if party.organisation else ("e", party.employer.pk)  # type: ignore[union-attr]
        if key in seen:
            raise ValidationError({"parties": _("Each party is named once.")})
        seen.add(key)
    collaboration.parties.all().delete()
    for party in chosen:
        row = CollaborationParty(
            collaboration=collaboration,
            organisation=party.organisation,
            employer=party.employer,
            role=party.role,
            role_note=party.role_note.strip(),
        )
        row.full_clean(exclude=["collaboration"])
        row.save()


class CollaborationValues(TypedDict):
    """What registering and changing a collaboration set (the form's fields)."""

    title: str
    kind: str
    starts_on: date
    parties: NotRequired[Iterable[PartyInput]]
    description: NotRequired[str]
    arenas: NotRequired[Iterable[str]]
    thematic_areas: NotRequired[Iterable[ThematicArea]]
    counties: NotRequired[Iterable[County]]
    municipalities: NotRequired[Iterable[Municipality]]
    ends_on: NotRequired[date | None]
    status: NotRequired[str]
    contact_name: NotRequired[str]
    contact_email: NotRequired[str]
    contact_phone: NotRequired[str]


def _collaboration_store(
    *, actor: User, collaboration: Collaboration, values: CollaborationValues
) -> None:
    """Set the fields, check and save the row, then replace its areas, places and parties."""
    collaboration.title = values["title"].strip()
    collaboration.kind = values["kind"]
    collaboration.description = values.get("description", "").strip()
    collaboration.arenas = _arenas_clean(values.get("arenas", ()))
    collaboration.starts_on = values["starts_on"]
    collaboration.ends_on = values.get("ends_on")
    collaboration.status = values.get("status", CollaborationStatus.ACTIVE)
    collaboration.contact_name = values.get("contact_name", "").strip()
    collaboration.contact_email = values.get("contact_email", "").strip()
    collaboration.contact_phone = values.get("contact_phone", "").strip()
    collaboration.full_clean()
    collaboration.save()
    collaboration.thematic_areas.set(list(values.get("thematic_areas", ())))
    collaboration.counties.set(list(values.get("counties", ())))
    collaboration.municipalities.set(list(values.get("municipalities", ())))
    _parties_set(actor=actor, collaboration=collaboration, parties=values.get("parties", ()))


@transaction.atomic
def collaboration_create(
    *, actor: User, organisation: Organisation, **values: Unpack[CollaborationValues]
) -> Collaboration:
    """Register a collaboration of an organisation where the actor keeps collaborations."""
    _check_owner(actor, organisation)
    collaboration = Collaboration(organisation=organisation)
    _collaboration_store(actor=actor, collaboration=collaboration, values=values)
    audit_log(
        actor=actor,
        action="collaboration.created",
        target=collaboration,
        purpose=DIRECTORY,
        details={"parties": collaboration.parties.count()},
    )
    return collaboration


@transaction.atomic
def collaboration_update(
    *, actor: User, collaboration: Collaboration, **values: Unpack[CollaborationValues]
) -> Collaboration:
    """Change a collaboration of the actor's own organisation (parties replaced as given)."""
    _check_change(actor, collaboration)
    _collaboration_store(actor=actor, collaboration=collaboration, values=values)
    audit_log(actor=actor, action="collaboration.changed", target=collaboration, purpose=DIRECTORY)
    return collaboration


@transaction.atomic
def collaboration_close(
    *, actor: User, collaboration: Collaboration, ends_on: date
) -> Collaboration:
    """End a collaboration on a date (it stays in the register as closed)."""
    _check_change(actor, collaboration)
    collaboration.ends_on = ends_on
    collaboration.status = CollaborationStatus.CLOSED
    collaboration.full_clean()
    collaboration.save(update_fields=["ends_on", "status", "updated_at"])
    audit_log(
        actor=actor,
        action="collaboration.closed",
        target=collaboration,
        purpose=DIRECTORY,
        details={"ends_on": ends_on.isoformat()},
    )
    return collaboration


def document_refusal_message(kind: str) -> str:
    """A sentence that says why a file was refused and what to do."""
    if kind == "size":
        return _("The file is larger than %(limit)s, the most a document may be.") % {
            "limit": filesizeformat(settings.EMPLUS_DOCUMENT_MAX_BYTES)
        }
    if kind == "empty":
        return _("The file is empty.")
    if kind == "content":
        return _(
            "The file's content is not what its name says (PDF, Word, Excel, PowerPoint or "
            "OpenDocument). Save it again from the program that made it."
        )
    return _(
        "Only PDF, Word (.docx, .doc), Excel (.xlsx, .xls), PowerPoint (.pptx, .ppt) and "
        "OpenDocument (.odt, .ods, .odp) files can be attached."
    )


@transaction.atomic
def collaboration_document_attach(
    *, actor: User, collaboration: Collaboration, file: UploadedFile, kind: str = DocumentKind.OTHER
) -> CollaborationDocument:
    """Attach a file, its type read from its content; refused with a message naming why."""
    _check_change(actor, collaboration)
    name = (file.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    try:
        found = document_type(
            name=name,
            data=file,  # type: ignore[arg-type]
            size=file.size or 0,
            max_bytes=settings.EMPLUS_DOCUMENT_MAX_BYTES,
        )
    except DocumentRefused as refusal:
        raise ValidationError({"file": document_refusal_message(refusal.kind)}) from refusal
    document = CollaborationDocument(
        id=uuid.uuid4(),
        collaboration=collaboration,
        kind=kind,
        original_name=name,
        extension=found.extension,
        content_type=found.content_type,
        size=file.size or 0,
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    document.save()
    audit_log(
        actor=actor,
        action="collaboration.document_attached",
        target=collaboration,
        purpose=DIRECTORY,
        details={"document": str(document.pk), "type": found.extension, "size": document.size},
    )
    # Stored last: a failure before leaves no file behind, a failure here rolls the row back.
    document.file.save(f"{document.pk}.{found.extension}", file, save=True)
    return document


@transaction.atomic
def collaboration_document_remove(*, actor: User, document: CollaborationDocument) -> None:
    """Remove an attached document and its stored file (once the removal has committed)."""
    collaboration = document.collaboration
    _check_change(actor, collaboration)
    storage, name = document.file.storage, document.file.name or ""
    document_id = str(document.pk)
    document.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    audit_log(
        actor=actor,
        action="collaboration.document_removed",
        target=collaboration,
        purpose=DIRECTORY,
        details={"document": document_id},
    )
