"""The participant's fields, declared once (and the enrolment's columns of the participant file).

The registration and edit form, the API serializers, the services, the participant-file import
and the export take their lists of fields from `PARTICIPANT_FIELDS` and nowhere else; a test
(tests/pathways/test_fields.py) checks every consumer against it. A new field of the participant
is added here (and on the model); each consumer then shows, accepts, imports and exports it or
says why not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import models

from emplus.pathways.models import Participant

Group = Literal["identity", "contact", "entry", "special"]


@dataclass(frozen=True)
class ParticipantField:
    """One field of the participant a person may record.

    `group`: identity (the identity number, validated and pseudonymised by the services),
    contact (names and contact details, encrypted), entry (the entry characteristics of the
    ESF+ indicators) or special (GDPR Art. 9: only with a recorded legal basis, never in lists).
    `file_column`: its column in the participant file (import and export), None when the file
    has none. `in_lists`: shown in caseload rows and list responses. `max_length`: for free
    text, the one limit the form and the API both apply.
    """

    name: str
    group: Group
    file_column: str | None = None
    in_lists: bool = True
    max_length: int | None = None

    @property
    def attname(self) -> str:
        """The model attribute that holds the value (the id for a foreign key)."""
        return "municipality_id" if self.name == "municipality" else self.name


PARTICIPANT_FIELDS: tuple[ParticipantField, ...] = (
    ParticipantField("personal_id", "identity", "personal_id", in_lists=False, max_length=20),
    ParticipantField("given_name", "contact", max_length=200),
    ParticipantField("family_name", "contact", max_length=200),
    ParticipantField("phone", "contact", max_length=50),
    ParticipantField("email", "contact", max_length=254),
    ParticipantField("address", "contact", max_length=300),
    ParticipantField("birth_date", "entry", "birth_date"),
    ParticipantField("gender", "entry", "gender"),
    ParticipantField("municipality", "entry", "municipality_code"),
    ParticipantField("lm_status_entry", "entry", "lm_status_entry"),
    ParticipantField("unemployed_months", "entry", "unemployed_months"),
    ParticipantField("isced", "entry", "isced"),
    ParticipantField("citizenship", "entry", "citizenship", max_length=10),
    ParticipantField("born_abroad", "entry", "born_abroad"),
    ParticipantField("parents_born_abroad", "entry", "parents_born_abroad"),
    ParticipantField("homeless", "entry", "homeless"),
    ParticipantField("rural_override", "entry", "rural"),
    # Not in the participant file: the ESF monthly report reads it from the record.
    ParticipantField("protected_identity", "entry", in_lists=False),
    ParticipantField("disability", "special", "disability", in_lists=False),
    ParticipantField("minority", "special", "minority", in_lists=False),
)

BY_NAME: dict[str, ParticipantField] = {f.name: f for f in PARTICIPANT_FIELDS}


def names(*groups: Group) -> tuple[str, ...]:
    """The names of the fields of the given groups (all when none is given), in order."""
    return tuple(f.name for f in PARTICIPANT_FIELDS if not groups or f.group in groups)


CONTACT_FIELDS = names("contact")
ENTRY_FIELDS = names("entry")
SPECIAL_FIELDS = names("special")
# What a service takes as **values (the identity number is an argument of its own).
VALUE_FIELDS = names("contact", "entry", "special")
# Caseload rows and list responses: never the identity number or the special categories.
LISTED_FIELDS = tuple(f.name for f in PARTICIPANT_FIELDS if f.in_lists)
# Everything the detail of one record shows beyond the list (the identity number only masked).
DETAIL_ONLY_FIELDS = tuple(
    f.name for f in PARTICIPANT_FIELDS if not f.in_lists and f.group != "identity"
)


# The enrolment's columns of the participant file (model attribute -> file column): the import
# writes them, the re-import compares them and the export reads them, all from this one list.
ENROLMENT_FILE_COLUMNS: dict[str, str] = {
    "entry_date": "entry_date",
    "exit_date": "exit_date",
    "exit_observed_on": "exit_observed_on",
    "exit_job_searching": "exit_job_searching",
    "exit_in_education": "exit_in_education",
    "exit_qualification": "exit_qualification",
    "exit_employed": "exit_employed",
}


def blank_text_fields() -> frozenset[str]:
    """The declared fields that store "" (not NULL) for "not stated": text without NULL on the
    model. A form or a file that leaves them empty writes ""."""
    out = set()
    for name in names():
        field = Participant._meta.get_field(name)
        if isinstance(field, models.CharField | models.TextField) and not field.null:
            out.add(name)
    return frozenset(out)


def file_columns(*groups: Group) -> dict[str, str]:
    """Model attribute -> participant-file column, for the fields the file carries."""
    return {
        f.attname: f.file_column
        for f in PARTICIPANT_FIELDS
        if f.file_column and (not groups or f.group in groups)
    }
