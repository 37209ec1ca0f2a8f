"""An import's new rows as statements of many rows (decision 73): on SQLite a frame goes as
INSERTs of as many rows as the parameter limit allows, the values every row shares bound once
per statement. The rows are the same in order and value however they are split, and the
database still checks every foreign key: one row pointing at a missing unit refuses them all."""

from __future__ import annotations

import uuid
from datetime import date

import polars as pl
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from emplus.pathways import import_writer
from emplus.pathways.import_writer import BulkWriter
from emplus.pathways.models import Enrolment, Participant


def _participants(writer: BulkWriter, units: list) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "id": writer.new_keys(len(units)),
            "participant_ref": [f"S{i}" for i in range(len(units))],
            "unit_id": [writer.key(unit) for unit in units],
            "birth_date": [date(1950 + i, 1, 1 + i) for i in range(len(units))],
            "isced": [i % 9 for i in range(len(units))],
            "homeless": [bool(i % 2) if i % 3 else None for i in range(len(units))],
        },
        schema_overrides={"isced": pl.Int16},
    )
    return writer.frame_for(Participant, frame, ready=frozenset())


@pytest.mark.django_db
@pytest.mark.parametrize("bound", ["parameter limit", "rows per statement"])
def test_rows_split_over_several_statements_are_written_in_order_with_their_values(
    org_a, unit_a1, unit_a2, bound, monkeypatch
):
    # given seven participants of two units, and on SQLite three rows per statement, by
    # SQLite's parameter limit or by the writer's own bound (the values every row shares
    # bound once a statement)
    now = timezone.now()
    writer = BulkWriter(now=now, organisation=org_a)
    shared = len(Participant._meta.concrete_fields) - 6  # six columns per row
    if bound == "parameter limit":
        writer._variables = shared + 3 * 6 + 5  # room for three rows, not four
    else:
        monkeypatch.setattr(import_writer, "ROWS_PER_STATEMENT", 3)
    units = [unit_a1.pk if i % 2 else unit_a2.pk for i in range(7)]
    frame = _participants(writer, units)
    enrolments = writer.frame_for(
        Enrolment,
        pl.DataFrame(
            {
                "id": writer.new_keys(7),
                "participant_id": frame.get_column("id"),
                "entry_date": [date(2025, 1, 1 + i) for i in range(7)],
            }
        ),
        ready=frozenset(),
    )
    # when they are written as an import writes its new rows
    prepared = writer.prepare_frame(Participant, frame, {"organisation_id": org_a.pk})
    if connection.vendor == "sqlite":
        assert [len(params) for _, params in prepared.payload] == [
            shared + 3 * 6,
            shared + 3 * 6,
            shared + 6,
        ]
    writer.write(prepared)
    writer.insert_frame(Enrolment, enrolments)
    # then every row is there with its own values and the shared ones, in the order written
    rows = list(
        Participant.objects.order_by("participant_ref").values_list(
            "participant_ref", "unit_id", "birth_date", "isced", "homeless", "organisation_id"
        )
    )
    assert rows == [
        (
            f"S{i}",
            units[i],
            date(1950 + i, 1, 1 + i),
            i % 9,
            bool(i % 2) if i % 3 else None,
            org_a.pk,
        )
        for i in range(7)
    ]
    stored = Participant.objects.order_by("participant_ref")
    assert all(p.created_at == p.updated_at == now and p.given_name == "" for p in stored)
    assert [str(e.participant_id) for e in Enrolment.objects.order_by("entry_date")] == [
        str(p.pk) for p in stored
    ]
    if connection.vendor == "sqlite":  # inserted in the frame's order (its ascending keys)
        with connection.cursor() as cursor:
            cursor.execute("SELECT participant_ref FROM pathways_participant ORDER BY rowid")
            assert [r for (r,) in cursor.fetchall()] == [f"S{i}" for i in range(7)]


@pytest.mark.django_db(transaction=True)
def test_a_row_pointing_at_a_missing_unit_refuses_the_whole_import(org_a, unit_a1):
    # given five new participants, the last of them in a unit that does not exist, written in
    # one statement on SQLite
    missing = uuid.uuid4()
    # when they are written in a transaction as an import writes its new rows
    with pytest.raises(IntegrityError), transaction.atomic():
        writer = BulkWriter(now=timezone.now(), organisation=org_a)
        frame = _participants(writer, [unit_a1.pk] * 4 + [missing])
        with writer.keys_checked_once(Participant):
            writer.insert_frame(Participant, frame, {"organisation_id": org_a.pk})
    # then the database refused the key (at the latest at the commit) and nothing is left
    assert not Participant.objects.exists()
