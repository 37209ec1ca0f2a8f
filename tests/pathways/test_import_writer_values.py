"""The import writer's values reach the database as the model fields would write them, on both
databases: on PostgreSQL a frame goes in COPY's binary format, made column-wise (decision 66),
so every kind of column is read back here as the ORM sees it."""

from __future__ import annotations

import uuid
from datetime import date

import polars as pl
import pytest
from django.db import DataError, connection, transaction
from django.utils import timezone

from emplus.pathways.import_writer import BulkWriter
from emplus.pathways.models import Enrolment, Participant

pytestmark = pytest.mark.django_db


def _participants(writer: BulkWriter, unit, **columns) -> pl.DataFrame:
    keys = [uuid.uuid4() for _ in next(iter(columns.values()))]
    frame = pl.DataFrame(
        {
            "id": [writer.key(k) for k in keys],
            "unit_id": [writer.key(unit.pk)] * len(keys),
            **columns,
        },
        schema_overrides={"isced": pl.Int16, "unemployed_months": pl.Int16},
    )
    return writer.frame_for(Participant, frame, ready=frozenset())


def test_every_kind_of_value_is_read_back_as_written(org_a, unit_a1):
    # given a writer and two participants whose values cover every kind of column: text with
    # COPY's special characters and beyond ASCII, dates before and after 2000, small integers
    # at their bounds, true, false and missing
    now = timezone.now()
    writer = BulkWriter(now=now, organisation=org_a)
    participants = _participants(
        writer,
        unit_a1,
        participant_ref=["Å\tb\\c\nd€", "P2"],
        pseudonym=[None, "ab" * 32],
        birth_date=[date(1950, 3, 1), date(2003, 12, 31)],
        gender=["woman", ""],
        isced=[0, 8],
        unemployed_months=[None, 300],
        born_abroad=[True, None],
        homeless=[False, True],
    )
    enrolments = pl.DataFrame(
        {
            "id": [writer.key(uuid.uuid4())],
            "participant_id": participants.get_column("id")[:1],
            "entry_date": [date(1999, 12, 31)],
            "exit_date": [date(2000, 1, 1)],
            "exit_employed": [False],
        }
    )
    # when it writes them as an import writes its new rows
    writer.insert_frame(Participant, participants, {"organisation_id": org_a.pk})
    writer.insert_frame(Enrolment, writer.frame_for(Enrolment, enrolments, ready=frozenset()))
    # then the ORM reads back every value, and the columns the rows did not carry hold the
    # fields' defaults and the import's time
    first, second = Participant.objects.order_by("birth_date")
    assert (first.participant_ref, second.participant_ref) == ("Å\tb\\c\nd€", "P2")
    assert (first.pseudonym, second.pseudonym) == (None, "ab" * 32)
    assert (first.birth_date, second.birth_date) == (date(1950, 3, 1), date(2003, 12, 31))
    assert (first.gender, second.gender) == ("woman", "")
    assert (first.isced, second.isced) == (0, 8)
    assert (first.unemployed_months, second.unemployed_months) == (None, 300)
    assert (first.born_abroad, second.born_abroad) == (True, None)
    assert (first.homeless, second.homeless) == (False, True)
    assert first.organisation_id == org_a.pk and first.unit_id == unit_a1.pk
    assert first.created_at == first.updated_at == now
    assert first.given_name == "" and first.protected_identity is False
    assert first.erased_at is None and first.rural_override is None
    enrolment = Enrolment.objects.get()
    assert enrolment.participant_id == first.pk
    assert (enrolment.entry_date, enrolment.exit_date) == (date(1999, 12, 31), date(2000, 1, 1))
    assert enrolment.exit_employed is False and enrolment.exit_in_education is None
    assert enrolment.created_at == now


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps no text length")
def test_a_value_too_long_for_its_column_is_refused(org_a, unit_a1):
    # given a participant whose gender is longer than its column (12 characters)
    writer = BulkWriter(now=timezone.now(), organisation=org_a)
    participants = _participants(writer, unit_a1, participant_ref=["P1"], gender=["x" * 13])
    # when it is written, then the database refuses it and nothing is left
    with pytest.raises(DataError), transaction.atomic():
        writer.insert_frame(Participant, participants, {"organisation_id": org_a.pk})
    assert not Participant.objects.exists()
