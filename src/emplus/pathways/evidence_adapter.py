"""Participants from the database as a participant-file frame (the evidence engine's input).

`participant_frame` is the one bridge from the pathway models to the columnar world: the export
writes it, the evidence engine computes indicators from it, and erasure tests compare
indicators before and after. It reads and does nothing else: no audit event (the caller
decides what a read means) and no scoping (the caller passes an already scoped queryset).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

import polars as pl
from django.db.models import QuerySet

from emplus.evidence_core.participant_file import COLUMNS, participant_schema
from emplus.pathways.fields import file_columns
from emplus.pathways.models import Enrolment

# Participant-file column -> lookup from an Enrolment row: the participant's own columns come
# from the one declaration of its fields (emplus.pathways.fields), the rest from the enrolment.
_SOURCES: dict[str, str] = {
    "participant_ref": "participant__participant_ref",
    "organisation": "participant__organisation__code",
    **{column: f"participant__{attname}" for attname, column in file_columns().items()},
    "entry_date": "entry_date",
    "exit_date": "exit_date",
    "exit_observed_on": "exit_observed_on",
    "exit_job_searching": "exit_job_searching",
    "exit_in_education": "exit_in_education",
    "exit_qualification": "exit_qualification",
    "exit_employed": "exit_employed",
    "followup_observed_on": "follow_up__observed_on",
    "followup_employed": "follow_up__employed",
    "followup_improved": "follow_up__improved",
    "method": "method__code",
    "test_bed": "test_bed__code",
}
_TEXT_COLUMNS = frozenset(
    name for name, dtype in participant_schema().items() if dtype == pl.String()
)


def participant_columns(*, include_identity: bool = False) -> list[str]:
    """The participant-file columns in the spec's order (personal_id only when asked)."""
    return [c for c in COLUMNS if include_identity or c != "personal_id"]


def participant_frame(
    participants: QuerySet,
    *,
    include_identity: bool = False,
    enrolments: Literal["all", "latest"] = "all",
    columns: Sequence[str] | None = None,
    with_person: bool = False,
    entered: tuple[date | None, date | None] = (None, None),
) -> pl.DataFrame:
    """One row per enrolment of the given participants, with exactly the participant-file
    columns and types (`participant_schema()` without `row`).

    Participants without an enrolment have no entry date and so no row. Empty text is None,
    as in a file read by `read_participant_file`. `enrolments="latest"` keeps each
    participant's most recent enrolment only: a participant file holds one row per
    participant_ref, so that is what an export that must import again writes. `columns`
    narrows the columns, `entered` the entry dates (both ends included), and `with_person`
    adds `person`, an opaque key per participant for counting persons.
    """

    wanted = participant_columns(include_identity=include_identity)
    if columns is not None:
        wanted = [c for c in wanted if c in columns]
    columns = wanted
    schema = {name: dtype for name, dtype in participant_schema().items() if name in columns}
    enrolment_rows = Enrolment.objects.filter(participant__in=participants.values("pk"))
    if entered[0] is not None:
        enrolment_rows = enrolment_rows.filter(entry_date__gte=entered[0])
    if entered[1] is not None:
        enrolment_rows = enrolment_rows.filter(entry_date__lte=entered[1])
    rows = enrolment_rows.order_by(
        "participant__organisation__code", "participant__participant_ref", "entry_date"
    ).values_list("participant_id", *[_SOURCES[c] for c in columns])
    data: dict[str, list] = {name: [] for name in columns}
    persons: list[str] = []
    last_index: dict = {}
    for participant_id, *values in rows.iterator(chunk_size=2000):
        if enrolments == "latest" and participant_id in last_index:
            # Ordered by entry date: a later enrolment replaces the one already kept.
            index = last_index[participant_id]
            for name, value in zip(columns, values, strict=True):
                data[name][index] = _cell(name, value)
            continue
        last_index[participant_id] = len(persons)
        persons.append(str(participant_id))
        for name, value in zip(columns, values, strict=True):
            data[name].append(_cell(name, value))
    frame = pl.DataFrame(data, schema=schema)
    if with_person:
        # Only to count persons (a person with two enrolments is one person); never shown.
        frame = frame.with_columns(pl.Series("person", persons, dtype=pl.String))
    return frame


def _cell(name: str, value):
    if name in _TEXT_COLUMNS:
        return None if value in (None, "") else str(value)
    return value
