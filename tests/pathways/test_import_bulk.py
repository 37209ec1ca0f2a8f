"""The new participants and the registered ones of a file are planned and written column-wise
(decision 40): the same rows, values, time stamps, counts and errors as the row-by-row planner,
on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tests import factories
from tests.conftest import make_user
from tests.pathways.test_importing import personnummer, row, run

from emplus.pathways import importing
from emplus.pathways.import_writer import BulkWriter
from emplus.pathways.models import Consent, Enrolment, FollowUp, ImportBatch, Participant
from emplus.pathways.rights import ERASED_REF_PREFIX, participant_erase

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "created_at", "updated_at"}


class _Rollback(Exception):
    pass


def _fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in SKIPPED]


def _ref(ref: str) -> str:
    """An erased participant's reference is a random token: the same for every way."""
    return "(erased)" if ref.startswith(ERASED_REF_PREFIX) else ref


def _database() -> dict[str, list[tuple]]:
    """Every row the imports wrote, keyed by participant_ref instead of the random keys
    (encrypted fields come back decrypted: equal plaintexts, whatever the ciphertext)."""
    refs = {pk: _ref(ref) for pk, ref in Participant.objects.values_list("id", "participant_ref")}
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

    participants = rows(
        Participant,
        lambda p: _ref(p.participant_ref),
        {"participant_ref": _ref, "erased_at": lambda at: at is not None},
    )
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
    # A row an import created and nothing changed since carries one time twice; a changed row
    # the time of its change (decision 45's fingerprint reads it).
    stamps = sorted(
        [(refs[p.pk], p.created_at == p.updated_at) for p in Participant.objects.all()]
        + [(*enrolment_of[e.pk], e.created_at == e.updated_at) for e in Enrolment.objects.all()]
        + [
            (*enrolment_of[f.enrolment_id], "follow-up", f.created_at == f.updated_at)
            for f in FollowUp.objects.all()
        ],
        key=repr,
    )
    return {
        "participants": participants,
        "enrolments": enrolments,
        "follow_ups": follow_ups,
        "consents": consents,
        "batches": batches,
        "stamps": stamps,
    }


Imports = Callable[[], list[tuple]]


def _both_ways(monkeypatch, imports: Imports, *, ways=("row", "bulk")) -> dict[str, tuple]:
    """Run `imports` (each returns what its imports reported) once per way of planning, each
    from the same database (a savepoint rolled back): the database they leave and what they
    reported, by way."""
    switches = {
        "row": (False, False),
        "new in bulk": (True, False),
        "registered in bulk": (False, True),
        "bulk": (True, True),
    }
    outcome = {}
    for way in ways:
        new, registered = switches[way]
        monkeypatch.setattr(importing, "NEW_ROWS_IN_BULK", new)
        monkeypatch.setattr(importing, "REGISTERED_ROWS_IN_BULK", registered)
        try:
            with transaction.atomic():
                reported = imports()
                raise _Rollback(_database(), reported)
        except _Rollback as done:
            outcome[way] = done.args
    return outcome


def _reported(result) -> tuple:
    return ([str(e) for e in result.errors], result.counts() if result.ok else None)


def _assert_same(outcome: dict[str, tuple]) -> None:
    (reference_way, (reference, reported)), *others = outcome.items()
    for way, (database, other_reported) in others:
        assert other_reported == reported, way
        for table in reference:
            assert database[table] == reference[table], (way, table)


def _import_both_files(actor, org, *, legal_basis: str) -> list[tuple]:
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
    reported = []
    for rows in (first, second):
        result = run(actor, org, rows, legal_basis=legal_basis)
        assert result.ok, result.errors
        reported.append(_reported(result))
    return reported


@pytest.mark.parametrize("way", ["new in bulk", "registered in bulk", "bulk"])
@pytest.mark.parametrize("legal_basis", ["consent", ""])
def test_a_file_planned_in_bulk_is_written_as_the_row_planner_writes_it(
    coordinator, org_a, unit_a1, unit_a2, monkeypatch, legal_basis, way
):
    # given the codes the files name
    factories.MethodFactory(code="IPS")
    factories.TestBedFactory(code="TB-NORR")
    # when a file mixing registered and new participants is imported both ways
    outcome = _both_ways(
        monkeypatch,
        lambda: _import_both_files(coordinator, org_a, legal_basis=legal_basis),
        ways=("row", way),
    )
    # then every table holds the same rows
    database, reported = outcome[way]
    assert database["participants"] and len(database["consents"]) == 8
    assert reported[1][1]["updated"] == 2
    _assert_same(outcome)


def _registered_then_changed(coordinator, org_a) -> list[tuple]:
    """Participants registered by two files (P on a consent that covers special categories,
    Q on none) and a third file that changes them in every way a file can."""
    ids = {
        ref: personnummer(date(1985, 1, n), 300 + n) for n, ref in enumerate(("P1", "P9", "P10"), 1)
    }
    births = {ref: date(1985, 1, n).isoformat() for n, ref in enumerate(("P1", "P9", "P10"), 1)}
    covered = [
        row(
            "P1",
            personal_id=ids["P1"],
            birth_date=births["P1"],
            disability="no",
            exit_date="2025-03-31",
            followup_observed_on="2025-10-01",
            followup_employed="yes",
            method="IPS",
        ),
        row(
            "P2",
            gender="woman",
            citizenship="SE",
            born_abroad="no",
            parents_born_abroad="2",
            homeless="yes",
            rural="no",
        ),
        row("P3", entry_date="2024-01-10", exit_date="2024-08-31"),
        row("P4"),
        row("P5", exit_date="2025-03-31"),
        row("P6", exit_date="2025-04-30", exit_employed="yes"),
        row("P7", disability="no"),
        row("P8", disability="yes", minority="no"),
        row("P9", birth_date=births["P9"]),
        row("P10", personal_id=ids["P10"], birth_date=births["P10"]),
        row("P11", method="IPS", exit_date="2025-05-31", exit_observed_on="2025-06-02"),
        row("P12"),
        row("P13", entry_date="2024-01-10", exit_date="2024-12-31"),
    ]
    uncovered = [row("Q1"), row("Q2", exit_date="2025-02-28")]
    changed = [
        covered[0],  # unchanged
        row(  # every kind of entry cell, text to blank among them
            "P2",
            gender="",
            citizenship="",
            born_abroad="yes",
            parents_born_abroad="0",
            homeless="",
            rural="yes",
            isced="5",
            unemployed_months="",
            lm_status_entry="inactive",
            municipality_code="0180",
            birth_date="1990-05-02",
        ),
        row("P3", entry_date="2025-03-01", exit_date="2025-09-30"),  # a new period, followed up
        row("P4", entry_date="2025-02-01", exit_date="2025-06-30"),  # the open one corrected
        row(  # its follow-up observed
            "P5",
            exit_date="2025-03-31",
            followup_observed_on="2025-10-02",
            followup_employed="no",
            followup_improved="yes",
        ),
        row("P6"),  # the exit taken back: its follow-up goes
        row("P7", disability="yes", minority="declined"),  # under the covering consent
        row("P8", disability="", minority=""),  # blanked under it
        row("P9", personal_id=ids["P9"], birth_date=births["P9"]),  # identity added
        row("P10", birth_date=births["P10"]),  # an empty identity keeps the stored one
        row(  # another method, a test bed, the exit's situation
            "P11",
            method="",
            test_bed="tb-norr",
            exit_date="2025-05-31",
            exit_observed_on="2025-06-03",
            exit_qualification="yes",
        ),
        row("P12", followup_observed_on="2026-01-15", followup_improved="no"),  # observed only
        row("P13", entry_date="2024-06-01", exit_date="2024-12-31"),  # overlaps: corrected
        row("Q1", disability="yes", minority="no"),  # no covering consent: left out
        row("Q2", exit_date="2025-02-28", isced="7"),
        row("N1", disability="no", exit_date="2025-04-30"),  # new
    ]
    reported = []
    for rows, legal_basis in ((covered, "consent"), (uncovered, ""), (changed, "consent")):
        result = run(coordinator, org_a, rows, legal_basis=legal_basis)
        assert result.ok, result.errors
        reported.append(_reported(result))
    # and the same file again changes nothing
    result = run(coordinator, org_a, changed, legal_basis="consent")
    reported.append(_reported(result))
    reported.append(_reported(run(coordinator, org_a, changed, legal_basis="", dry_run=True)))
    return reported


def test_registered_participants_planned_in_bulk_change_what_the_row_planner_changes(
    coordinator, org_a, unit_a1, unit_a2, monkeypatch
):
    # given the codes the files name
    factories.MethodFactory(code="IPS")
    factories.TestBedFactory(code="TB-NORR")
    # when participants are registered and then changed by a file, both ways
    outcome = _both_ways(monkeypatch, lambda: _registered_then_changed(coordinator, org_a))
    # then the same rows, values and time stamps, and the same counts
    database, reported = outcome["bulk"]
    counts = [r[1] for r in reported]
    assert [c["updated"] for c in counts] == [0, 0, 12, 0, 0]
    assert counts[2]["unchanged"] == 3 and counts[2]["special_values_left_out"] == 2
    assert counts[3]["unchanged"] == 16
    assert ("P1", True) in database["stamps"] and ("P2", False) in database["stamps"]
    _assert_same(outcome)


def test_errors_of_registered_rows_are_those_of_the_row_planner(
    coordinator, org_a, unit_a1, unit_a2, monkeypatch
):
    coach_a1 = make_user("coach-a1", org_a, "coach", unit_a1)

    def imports() -> list[tuple]:
        # given P1 in unit A1, P2 in unit A2 and an erased participant
        rows = [row("P1"), row("P2", municipality_code="2521"), row("P3")]
        assert run(coordinator, org_a, rows).ok
        erased = participant_erase(
            actor=coordinator, participant=Participant.objects.get(participant_ref="P3")
        )
        # when a coach of unit A1 imports a file naming all three
        changed = [row("P1", isced="6"), row("P2", isced="6"), row(erased.participant_ref)]
        return [_reported(run(coach_a1, org_a, changed))]

    outcome = _both_ways(monkeypatch, imports)
    # then the same errors, each on its row and column, and nothing written
    database, reported = outcome["bulk"]
    assert reported[0][0] == [
        "row 3, column participant_ref: the participant_ref belongs to a participant of another "
        "local unit; ask a coordinator to import this row",
        "row 4, column participant_ref: this participant's identity has been erased; it cannot "
        "be imported again",
    ]
    assert {p[0]: p[_fields(Participant).index("isced") + 1] for p in database["participants"]}[
        "P1"
    ] == 3
    _assert_same(outcome)


# Random mixes: a few participants, each in the first file or not and in the second or not,
# with values drawn from a few that differ (blank text, nulls, exits, follow-ups, codes,
# special categories, identities).
DATES = ["2024-01-10", "2024-06-01", "2025-01-10", "2025-03-01"]
EXITS = ["", "2024-12-31", "2025-06-30"]
ROW = st.fixed_dictionaries(
    {
        "entry_date": st.sampled_from(DATES),
        "exit_date": st.sampled_from(EXITS),
        "isced": st.sampled_from(["", "3", "5"]),
        "gender": st.sampled_from(["", "woman", "man"]),
        "born_abroad": st.sampled_from(["", "yes", "no"]),
        "disability": st.sampled_from(["", "yes", "no"]),
        "minority": st.sampled_from(["", "declined"]),
        "followup_observed_on": st.sampled_from(["", "2026-01-15"]),
        "followup_employed": st.sampled_from(["", "yes", "no"]),
        "exit_employed": st.sampled_from(["", "yes"]),
        "method": st.sampled_from(["", "IPS"]),
        "identity": st.booleans(),
    }
)
PERSON = st.tuples(st.none() | ROW, st.none() | ROW, st.sampled_from(["consent", ""]))


def _file_row(ref: str, number: int, values: dict) -> dict:
    values = dict(values)
    birth = date(1970 + number, 2, 1 + number)
    if values.pop("identity"):
        values["personal_id"] = personnummer(birth, 400 + number)
    if values["exit_date"] and values["exit_date"] < values["entry_date"]:
        values["exit_date"] = ""
    return row(ref, birth_date=birth.isoformat(), **values)


@given(
    people=st.lists(PERSON, min_size=1, max_size=6), legal_basis=st.sampled_from(["consent", ""])
)
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_mixes_are_planned_in_bulk_as_row_by_row(
    people, legal_basis, coordinator, org_a, unit_a1, unit_a2, monkeypatch
):
    def imports() -> list[tuple]:
        reported = []
        # given participants registered by files on either basis
        for basis in ("consent", ""):
            first = [
                _file_row(f"R{n}", n, before)
                for n, (before, _, registered_on) in enumerate(people)
                if before is not None and registered_on == basis
            ]
            if first:
                reported.append(_reported(run(coordinator, org_a, first, legal_basis=basis)))
        # when a file changes, keeps, adds or leaves them out
        second = [_file_row(f"R{n}", n, after) for n, (_, after, _) in enumerate(people) if after]
        if second:
            reported.append(_reported(run(coordinator, org_a, second, legal_basis=legal_basis)))
        return reported

    try:
        with transaction.atomic():  # each example starts from the same database
            factories.MethodFactory(code="IPS")
            raise _Rollback(_both_ways(monkeypatch, imports))
    except _Rollback as done:
        outcome = done.args[0]
    # then both ways leave the same database and report the same
    _assert_same(outcome)


def test_new_keys_are_distinct_ordered_version_4_uuids():
    writer = BulkWriter(now=None, organisation=None)
    keys = writer.new_keys(2000).to_list()
    parsed = [uuid.UUID(k) for k in keys]
    assert len(set(parsed)) == 2000
    assert parsed == sorted(parsed)
    assert {u.version for u in parsed} == {4} and {u.variant for u in parsed} == {uuid.RFC_4122}
    assert writer.key(parsed[0]) == keys[0]
