"""The new participants of a file are planned and written column-wise (decision 40): the same
rows as the row-by-row planner, on both databases."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.db import transaction
from tests import factories
from tests.pathways.test_importing import personnummer, row, run

from emplus.pathways import importing
from emplus.pathways.import_writer import BulkWriter
from emplus.pathways.models import Consent, Enrolment, FollowUp, ImportBatch, Participant

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "created_at", "updated_at"}


class _Rollback(Exception):
    pass


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in SKIPPED]


def _database() -> dict[str, list[tuple]]:
    """Every row the imports wrote, keyed by participant_ref instead of the random keys
    (encrypted fields come back decrypted: equal plaintexts, whatever the ciphertext)."""
    refs = dict(Participant.objects.values_list("id", "participant_ref"))
    enrolment_of = {
        pk: (refs[participant], entry)
        for pk, participant, entry in Enrolment.objects.values_list(
            "id", "participant_id", "entry_date"
        )
    }

    def rows(model, key, replace):
        fields = _fields(model)
        return sorted(
            (key(obj), *(replace.get(f, lambda v: v)(getattr(obj, f)) for f in fields))
            for obj in model.objects.all()
        )

    participants = rows(Participant, lambda p: p.participant_ref, {})
    enrolments = rows(Enrolment, lambda e: refs[e.participant_id], {"participant_id": refs.get})
    follow_ups = rows(
        FollowUp, lambda f: enrolment_of[f.enrolment_id], {"enrolment_id": enrolment_of.get}
    )
    consents = rows(Consent, lambda c: refs[c.participant_id], {"participant_id": refs.get})
    batches = sorted(
        ImportBatch.objects.values_list(
            "rows", "created", "updated", "unchanged", "special_values_left_out"
        )
    )
    # New rows of one import share its time; a changed row carries the time of its change.
    stamps = sorted(
        (p.participant_ref, p.created_at == p.updated_at) for p in Participant.objects.all()
    )
    return {
        "participants": participants,
        "enrolments": enrolments,
        "follow_ups": follow_ups,
        "consents": consents,
        "batches": batches,
        "stamps": stamps,
    }


def _import_both_files(actor, org, *, legal_basis: str) -> dict[str, list[tuple]]:
    births = [date(1980 + i, 3, 1 + i) for i in range(3)]
    ids = [personnummer(birth, 200 + i) for i, birth in enumerate(births)]
    first = [
        row("P1", personal_id=ids[0], birth_date=births[0].isoformat()),
        row("P2", exit_date="2025-06-30", exit_employed="yes"),
        row("P3", entry_date="2024-01-10", exit_date="2024-08-31"),
    ]
    second = [
        row("P1", personal_id=ids[0], birth_date=births[0].isoformat()),  # unchanged
        row("P2", exit_date="2025-06-30", exit_employed="no", isced="5"),  # changed
        row("P3", entry_date="2025-03-01", method="ips"),  # a new period
        row(
            "N1",
            personal_id=ids[1],
            birth_date=births[1].isoformat(),
            disability="yes",
            minority="declined",
            method="IPS",
            test_bed="tb-norr",
        ),
        row("N2", exit_date="2025-08-31", exit_job_searching="ja", municipality_code="2521"),
        row("N3", followup_observed_on="2026-01-15", followup_improved="yes", gender=""),
        row(
            "N4",
            personal_id=ids[2],
            birth_date=births[2].isoformat(),
            exit_date="2025-02-28",
            exit_observed_on="2025-03-05",
            followup_observed_on="2025-09-01",
            followup_employed="no",
            municipality_code="0180",
            born_abroad="yes",
            parents_born_abroad="2",
            homeless="no",
            rural="yes",
            citizenship="SE",
        ),
        row("N5 back\\slash", minority="no", lm_status_entry="inactive", isced=""),
    ]
    try:
        with transaction.atomic():  # a savepoint: the other way starts from the same database
            for rows in (first, second):
                result = run(actor, org, rows, legal_basis=legal_basis)
                assert result.ok, result.errors
            raise _Rollback(_database())
    except _Rollback as done:
        return done.args[0]


@pytest.mark.parametrize("legal_basis", ["consent", ""])
def test_new_participants_planned_in_bulk_are_written_as_the_row_planner_writes_them(
    coordinator, org_a, unit_a1, unit_a2, monkeypatch, legal_basis
):
    # given the codes the files name
    factories.MethodFactory(code="IPS")
    factories.TestBedFactory(code="TB-NORR")

    def imported(bulk: bool) -> dict[str, list[tuple]]:
        monkeypatch.setattr(importing, "NEW_ROWS_IN_BULK", bulk)
        return _import_both_files(coordinator, org_a, legal_basis=legal_basis)

    # when a file mixing registered and new participants is imported both ways
    by_row, in_bulk = imported(False), imported(True)
    # then every table holds the same rows
    assert in_bulk["participants"] and len(in_bulk["consents"]) == 8
    for table in by_row:
        assert in_bulk[table] == by_row[table], table


def test_new_keys_are_distinct_ordered_version_4_uuids():
    writer = BulkWriter(now=None, organisation=None)
    keys = writer.new_keys(2000).to_list()
    parsed = [uuid.UUID(k) for k in keys]
    assert len(set(parsed)) == 2000
    assert parsed == sorted(parsed)
    assert {u.version for u in parsed} == {4} and {u.variant for u in parsed} == {uuid.RFC_4122}
    assert writer.key(parsed[0]) == keys[0]
