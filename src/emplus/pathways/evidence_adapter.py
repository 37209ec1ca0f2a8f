"""Participants from the database as a participant-file frame (the evidence engine's input).

`participant_frame` is the one bridge from the pathway models to the columnar world: the export
writes it, the evidence engine computes indicators from it, and erasure tests compare
indicators before and after. It reads and does nothing else: no audit event (the caller
decides what a read means) and no scoping (the caller passes an already scoped queryset).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import polars as pl
from django.db import connections
from django.db.models import Model, QuerySet, TextField
from django.db.models.functions import Cast

from emplus.core.fingerprints import EpochMicros, tables_fingerprint
from emplus.core.frames import queryset_frame
from emplus.evidence_core.participant_file import COLUMNS, participant_schema
from emplus.pathways.fields import ENROLMENT_FILE_COLUMNS, file_columns
from emplus.pathways.models import Enrolment, Participant

# Participant-file column -> lookup from an Enrolment row: the participant's own columns and the
# enrolment's come from their one declaration (emplus.pathways.fields), the rest from here.
_SOURCES: dict[str, str] = {
    "participant_ref": "participant__participant_ref",
    "organisation": "participant__organisation__code",
    **{column: f"participant__{attname}" for attname, column in file_columns().items()},
    **{column: attname for attname, column in ENROLMENT_FILE_COLUMNS.items()},
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
    ordered: bool = True,
    versions: bool = False,
    enrolment_keys: Sequence[Any] | None = None,
) -> pl.DataFrame:
    """One row per enrolment of the given participants, with exactly the participant-file
    columns and types (`participant_schema()` without `row`).

    Participants without an enrolment have no entry date and so no row. Empty text is None,
    as in a file read by `read_participant_file`. `enrolments="latest"` keeps each
    participant's most recent enrolment only: a participant file holds one row per
    participant_ref, so that is what an export that must import again writes. `columns`
    narrows the columns, `entered` the entry dates (both ends included), and `with_person`
    adds `person`, an opaque key per participant for counting persons. `ordered=False` leaves
    the rows in the database's order (a sum does not need the file's order and the sort of
    every row by reference costs more than the rest of the read); on PostgreSQL such a read
    arrives as one text (decision 48). `versions` adds each row's `enrolment` key and the
    `updated_at` of its enrolment, participant and follow-up as whole microseconds
    (`VERSION_COLUMNS`), and `enrolment_keys` narrows the rows to those enrolments: what a
    frame kept between reads needs (decision 51).

    The rows are read by one query (the participants stay a subquery in its SQL) straight
    into Polars (decision 39); only the identity number, which is stored encrypted, is
    decrypted value by value, and only when asked for.
    """

    wanted = participant_columns(include_identity=include_identity)
    if columns is not None:
        wanted = [c for c in wanted if c in columns]
    columns = wanted
    schema = {name: dtype for name, dtype in participant_schema().items() if name in columns}
    enrolment_rows = Enrolment.objects.all()
    if not _everyone(participants):
        enrolment_rows = enrolment_rows.filter(participant__in=participants.values("pk"))
    if enrolment_keys is not None:
        enrolment_rows = enrolment_rows.filter(pk__in=list(enrolment_keys))
    if entered[0] is not None:
        enrolment_rows = enrolment_rows.filter(entry_date__gte=entered[0])
    if entered[1] is not None:
        enrolment_rows = enrolment_rows.filter(entry_date__lte=entered[1])
    if enrolments == "latest" and not ordered:
        raise ValueError("the latest enrolment is found by the order of the rows")
    order = (
        ("participant__organisation__code", "participant__participant_ref", "entry_date")
        if ordered
        else ()
    )
    kept = _VERSIONS if versions else {}
    rows = (
        enrolment_rows.annotate(
            person_key=Cast("participant_id", output_field=TextField()),
            **{name: expression for name, (expression, _dtype) in kept.items()},
        )
        .order_by(*order)
        .values_list("person_key", *[_SOURCES[c] for c in columns], *kept)
    )
    read = {
        "person": pl.String(),
        **{c: pl.String() if c == "personal_id" else schema[c] for c in columns},
        **{name: dtype for name, (_expression, dtype) in kept.items()},
    }
    # Unordered: on PostgreSQL one text instead of COPY's rows (decision 48).
    frame = queryset_frame(rows, read, one_text=not ordered)
    if "personal_id" in columns:
        frame = frame.with_columns(
            pl.Series("personal_id", _decrypted(frame["personal_id"]), dtype=pl.String)
        )
    text = [c for c in columns if c in _TEXT_COLUMNS]
    frame = frame.with_columns(
        pl.when(pl.col(c) != "").then(pl.col(c)).otherwise(None).alias(c) for c in text
    )
    if enrolments == "latest":
        # Ordered by entry date: each participant's last row is their latest enrolment, kept
        # where the participant's first row was.
        frame = frame.unique(subset="person", keep="last", maintain_order=True)
    if not with_person:
        return frame.select(*columns, *kept)
    # Only to count persons (a person with two enrolments is one person); never shown.
    return frame.select(*columns, "person", *kept)


# What a kept frame carries per row to be brought up to date and checked (decision 51): the
# enrolment's key and the times of the three tables whose rows it reads, as `tables_stats`
# sums them.
_VERSIONS: dict[str, tuple[Any, pl.DataType]] = {
    "enrolment": (Cast("pk", output_field=TextField()), pl.String()),
    "enrolment_at": (EpochMicros("updated_at"), pl.Int64()),
    "participant_at": (EpochMicros("participant__updated_at"), pl.Int64()),
    "followup_at": (EpochMicros("follow_up__updated_at"), pl.Int64()),
}
VERSION_COLUMNS = tuple(_VERSIONS)


def _everyone(participants: QuerySet) -> bool:
    """Whether the queryset is every participant (no filter, slice or combination): then
    every enrolment's participant is in it, and the subquery would only cost a join."""
    query = participants.query
    return (
        participants.model is Participant
        and not query.has_filters()
        and not query.is_sliced
        and not query.combinator
    )


def participant_frame_tables() -> tuple[type[Model], ...]:
    """The models whose rows `participant_frame` reads: the enrolment and every model one of
    its sources joins (found from the sources, so a new source brings its table along)."""
    found: dict[str, type[Model]] = {Enrolment._meta.label: Enrolment}
    for lookup in _SOURCES.values():
        model: type[Model] = Enrolment
        for part in lookup.split("__")[:-1]:
            related = model._meta.get_field(part).related_model
            assert isinstance(related, type), lookup  # noqa: S101 - a relation, by construction
            model = related
            found[model._meta.label] = model
    return tuple(found[label] for label in sorted(found))


def participant_frame_fingerprint(*, using: str = "default") -> str:
    """A digest of every row `participant_frame` could read, in one query: per table the
    number of rows, the latest `updated_at` and the sum of all of them
    (`core.fingerprints.tables_fingerprint`). Nothing needs to be told of a change
    (decision 45). A write that bypasses `updated_at` (`QuerySet.update()`) is not seen: the
    services never change these tables that way."""
    return tables_fingerprint(
        ((model, "updated_at") for model in participant_frame_tables()), using=using
    )


def _decrypted(stored: pl.Series) -> list[str | None]:
    field = Participant._meta.get_field("personal_id")
    connection = connections[Participant.objects.db]
    return [field.from_db_value(v, None, connection) for v in stored.to_list()]
