"""The import writer's foreign keys (decision 40): on PostgreSQL, where the role may, its COPYs
skip the per-row foreign-key triggers and it checks every key of the written rows itself,
once per distinct key, locking the referenced rows as the triggers would; a key that is not
there is refused either way."""

from __future__ import annotations

import uuid
from datetime import date

import polars as pl
import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from emplus.pathways.import_writer import BulkWriter
from emplus.pathways.models import Consent, Enrolment, FollowUp, Participant

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the per-row triggers are PostgreSQL's"
    ),
]

WRITTEN = (Participant, Enrolment, FollowUp, Consent)


def _write(writer: BulkWriter, *, unit, participant_key=None, organisation=None, method=None):
    """One new participant with one enrolment, written as an import writes its new rows; the
    keyword arguments replace a foreign key by another (one that is not there)."""
    person = str(uuid.uuid4())
    participants = pl.DataFrame(
        {"id": [person], "participant_ref": ["W1"], "unit_id": [str(unit.pk)]}
    )
    enrolments = pl.DataFrame(
        {
            "id": [str(uuid.uuid4())],
            "participant_id": [participant_key or person],
            "entry_date": [date(2025, 1, 1)],
            "method_id": [method],
        },
        schema_overrides={"method_id": pl.String},
    )
    with writer.keys_checked_once(*WRITTEN):
        writer.insert_frame(
            Participant,
            writer.frame_for(Participant, participants, ready=frozenset()),
            {"organisation_id": organisation or writer.organisation.pk},
        )
        writer.insert_frame(Enrolment, writer.frame_for(Enrolment, enrolments, ready=frozenset()))


def _replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


def test_the_writer_checks_the_keys_itself_and_gives_the_triggers_back(org_a, unit_a1):
    # given a writer on PostgreSQL 15 as a role that may set session_replication_role
    writer = BulkWriter(now=timezone.now(), organisation=org_a)
    assert writer._may_check_keys_itself(WRITTEN)
    # when it writes a participant and an enrolment
    _write(writer, unit=unit_a1)
    # then the rows are there, and the triggers are on again for whatever follows
    enrolment = Enrolment.objects.get()
    assert enrolment.participant.unit == unit_a1
    assert _replication_role() == "origin"


@pytest.mark.parametrize("dangling", ["participant_key", "organisation", "method", "unit"])
@pytest.mark.parametrize("checked_by_writer", [True, False])
def test_a_key_that_is_not_there_is_refused(
    org_a, unit_a1, monkeypatch, dangling, checked_by_writer
):
    # given a writer that checks the keys itself, or one that leaves them to the triggers
    writer = BulkWriter(now=timezone.now(), organisation=org_a)
    if not checked_by_writer:
        monkeypatch.setattr(writer, "_may_check_keys_itself", lambda models: False)
    missing = str(uuid.uuid4())
    unit = unit_a1
    if dangling == "unit":
        unit = type(unit_a1)(pk=uuid.UUID(missing))
    keys = {} if dangling == "unit" else {dangling: missing}
    # when a row names a key that is not in the database
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _write(writer, unit=unit, **keys)
        with connection.cursor() as cursor:  # the triggers' checks are deferred to here
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # then it is refused, naming the missing key, and nothing is left
    assert missing in str(refused.value)
    assert not Participant.objects.exists() and not Enrolment.objects.exists()
    assert _replication_role() == "origin"


@pytest.mark.django_db(transaction=True)
def test_a_referenced_row_cannot_be_deleted_before_the_import_commits(org_a, unit_a1):
    # given an import that has written a participant of a unit, not yet committed
    other = psycopg.connect(
        **{
            "dbname": connection.settings_dict["NAME"],
            "user": connection.settings_dict["USER"],
            "host": connection.settings_dict["HOST"] or None,
            "port": connection.settings_dict["PORT"] or None,
            "password": connection.settings_dict["PASSWORD"] or None,
        },
        autocommit=True,
    )
    try:
        with transaction.atomic():
            _write(BulkWriter(now=timezone.now(), organisation=org_a), unit=unit_a1)
            # when another connection deletes the unit
            other.execute("SET lock_timeout = '200ms'")
            # then it waits for the import (the unit is locked as the trigger would lock it)
            with pytest.raises(psycopg.errors.LockNotAvailable):
                other.execute("DELETE FROM organisations_unit WHERE id = %s", [unit_a1.pk])
        assert Participant.objects.get().unit_id == unit_a1.pk
    finally:
        other.close()


def test_a_failed_copy_keeps_its_error_and_the_rollback_gives_the_triggers_back(org_a, unit_a1):
    # given a participant already written under reference W1
    writer = BulkWriter(now=timezone.now(), organisation=org_a)
    _write(writer, unit=unit_a1)
    # when the same reference is written again (a unique constraint, checked row by row)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _write(writer, unit=unit_a1)
    # then the database's own error comes out, and after the rollback the triggers are on
    assert "participant_ref_unique_per_organisation" in str(refused.value)
    assert _replication_role() == "origin"
    assert Participant.objects.count() == 1
