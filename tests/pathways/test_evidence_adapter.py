"""participant_frame: the database as a participant-file frame, for export and the evidence core."""

from __future__ import annotations

import csv
import io
from datetime import date

import polars as pl
import pytest
from tests.conftest import import_basis

from emplus.evidence_core.indicators import compute_indicators
from emplus.evidence_core.participant_file import participant_schema, read_participant_file
from emplus.pathways.evidence_adapter import (
    participant_columns,
    participant_frame,
    participant_frame_fingerprint,
    participant_frame_tables,
)
from emplus.pathways.importing import participants_import
from emplus.pathways.models import Enrolment, Participant

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
PID = "19900501-1230"  # generated for tests only: check digit computed below


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return str((10 - total % 10) % 10)


VALID_PID = PID[:-1] + luhn_digit("900501123")

ROWS = [
    {
        "participant_ref": "P1",
        "organisation": "ORGA",
        "personal_id": VALID_PID,
        "birth_date": "1990-05-01",
        "gender": "woman",
        "municipality_code": "2521",
        "entry_date": "2025-01-10",
        "exit_date": "2025-07-01",
        "lm_status_entry": "unemployed",
        "unemployed_months": "14",
        "isced": "2",
        "disability": "yes",
        "citizenship": "SY",
        "born_abroad": "yes",
        "parents_born_abroad": "2",
        "homeless": "no",
        "exit_employed": "yes",
        "followup_observed_on": "2026-01-05",
        "followup_employed": "yes",
    },
    {
        "participant_ref": "P2",
        "organisation": "ORGA",
        "birth_date": "2003-02-01",
        "gender": "man",
        "entry_date": "2025-03-01",
        "lm_status_entry": "inactive",
        "isced": "3",
        "rural": "no",
    },
]


def csv_bytes(rows: list[dict]) -> bytes:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def imported(coach, org_a, unit_a1):
    result = participants_import(
        actor=coach,
        organisation=org_a,
        source=csv_bytes(ROWS),
        file_name="f.csv",
        legal_basis="consent",
        basis=import_basis(),
        as_of=AS_OF,
    )
    assert result.ok, result.errors
    return org_a


def test_the_frame_has_exactly_the_participant_file_columns_without_identity(imported):
    # when
    frame = participant_frame(Participant.objects.all())
    # then
    schema = participant_schema()
    assert frame.columns == participant_columns()
    assert "personal_id" not in frame.columns and "row" not in frame.columns
    assert dict(frame.schema) == {name: schema[name] for name in frame.columns}


def test_the_frame_equals_the_file_it_was_imported_from(imported):
    # given
    original = read_participant_file(csv_bytes(ROWS), as_of=AS_OF).data
    # when
    frame = participant_frame(Participant.objects.all(), include_identity=True)
    # then
    assert frame.equals(original.drop("row").sort("participant_ref"))
    assert frame["personal_id"][0] == "19" + VALID_PID.replace("-", "")[2:]


def test_indicators_from_the_database_equal_indicators_from_the_file(imported):
    # given
    from_file = compute_indicators(
        read_participant_file(csv_bytes(ROWS), as_of=AS_OF).data, as_of=AS_OF
    )
    # when
    from_db = compute_indicators(participant_frame(Participant.objects.all()), as_of=AS_OF)
    # then
    assert from_db.indicators == from_file.indicators
    assert from_db.participants == from_file.participants
    assert from_db.participants.reportable == 2


def test_one_row_per_enrolment_or_only_the_latest(imported):
    # given P2 left and came back; a participant without any enrolment
    p2 = Participant.objects.get(participant_ref="P2")
    Enrolment.objects.filter(participant=p2).update(exit_date=date(2025, 4, 1))
    Enrolment.objects.create(participant=p2, entry_date=date(2025, 9, 1))
    Participant.objects.create(organisation=imported, unit=p2.unit, participant_ref="P3")
    # when
    every = participant_frame(Participant.objects.all())
    latest = participant_frame(Participant.objects.all(), enrolments="latest")
    # then
    assert every.select("participant_ref", "entry_date").rows() == [
        ("P1", date(2025, 1, 10)),
        ("P2", date(2025, 3, 1)),
        ("P2", date(2025, 9, 1)),
    ]
    assert latest.select("participant_ref", "entry_date").rows() == [
        ("P1", date(2025, 1, 10)),
        ("P2", date(2025, 9, 1)),
    ]


def test_the_frame_holds_only_the_participants_it_is_given(imported, coach, other_org_coach):
    # when
    visible_to_b = participant_frame(
        Participant.objects.restrict(other_org_coach, "participant.view")
    )
    visible_to_a = participant_frame(Participant.objects.restrict(coach, "participant.view"))
    # then
    assert visible_to_b.height == 0 and isinstance(visible_to_b, pl.DataFrame)
    assert visible_to_a["participant_ref"].to_list() == ["P1", "P2"]


def test_an_unordered_frame_has_the_same_rows(imported):
    # given the imported participants, one of them with a second enrolment
    participant = Participant.objects.order_by("participant_ref").first()
    Enrolment.objects.create(participant=participant, entry_date=date(2026, 1, 5))
    # when the frame is read without the file's order
    ordered = participant_frame(Participant.objects.all(), with_person=True)
    unordered = participant_frame(Participant.objects.all(), with_person=True, ordered=False)
    # then it holds the same rows, and only the order may differ
    assert unordered.sort(unordered.columns).equals(ordered.sort(ordered.columns))
    with pytest.raises(ValueError, match="order"):
        participant_frame(Participant.objects.all(), enrolments="latest", ordered=False)


def test_an_unordered_frame_keeps_awkward_text_and_unknown_values(imported):
    # given text that a joined read could break (separators, quotes, a backslash, a line
    # break, an empty text) and unknown booleans and dates
    awkward = {"P1": 'a,"b\\ (\n', "P2": ""}  # the column holds 10 characters
    for ref, text in awkward.items():
        Participant.objects.filter(participant_ref=ref).update(citizenship=text, homeless=None)
    Enrolment.objects.update(exit_date=None, exit_employed=None)
    # when
    ordered = participant_frame(Participant.objects.all(), with_person=True)
    unordered = participant_frame(Participant.objects.all(), with_person=True, ordered=False)
    # then every value arrives as stored (empty text is None, as in a file)
    assert unordered.sort("person").equals(ordered.sort("person"))
    by_ref = dict(zip(ordered["participant_ref"], ordered["citizenship"], strict=True))
    assert by_ref == {"P1": awkward["P1"], "P2": None}
    assert unordered["homeless"].null_count() == unordered.height == 2
    assert unordered["exit_date"].null_count() == unordered["exit_employed"].null_count() == 2


def test_an_unordered_frame_holds_only_the_participants_it_is_given(imported, coach):
    # given
    p1 = Participant.objects.filter(participant_ref="P1")
    # when
    one = participant_frame(p1, ordered=False)
    none = participant_frame(Participant.objects.none(), ordered=False)
    visible = participant_frame(
        Participant.objects.restrict(coach, "participant.view"), ordered=False
    )
    everyone = participant_frame(Participant.objects.all(), ordered=False)
    # then: a filtered queryset narrows the rows; every participant reads them all
    assert one["participant_ref"].to_list() == ["P1"]
    assert none.height == 0 and none.columns == participant_columns()
    assert (
        sorted(visible["participant_ref"])
        == sorted(everyone["participant_ref"])
        == [
            "P1",
            "P2",
        ]
    )


def test_the_fingerprint_covers_every_table_the_frame_reads(imported):
    # given the tables the frame's sources join
    labels = {model._meta.label for model in participant_frame_tables()}
    # then they are the enrolment and every model a source goes through
    assert labels == {
        "pathways.Enrolment",
        "pathways.Participant",
        "pathways.FollowUp",
        "organisations.Organisation",
        "methods.Method",
        "testbeds.TestBed",
    }


def test_the_fingerprint_moves_with_an_insert_a_save_and_a_delete(imported):
    # given the fingerprint of the data, which is stable while nothing changes
    before = participant_frame_fingerprint()
    assert participant_frame_fingerprint() == before
    participant = Participant.objects.order_by("participant_ref").first()
    seen = [before]
    # when a row is added, saved and deleted, each changes it
    enrolment = Enrolment.objects.create(participant=participant, entry_date=date(2026, 1, 5))
    seen.append(participant_frame_fingerprint())
    enrolment.exit_date = date(2026, 2, 1)
    enrolment.save()
    seen.append(participant_frame_fingerprint())
    Enrolment.objects.exclude(pk=enrolment.pk).first().delete()
    seen.append(participant_frame_fingerprint())
    assert len(set(seen)) == 4
    enrolment.delete()
    assert participant_frame_fingerprint() != seen[-1]


def test_the_fingerprint_sees_a_save_that_commits_after_a_later_one(imported):
    # given two participants, the second saved last
    first, second = Participant.objects.order_by("participant_ref")[:2]
    first.save()
    second.save()
    before = participant_frame_fingerprint()
    # when the first is saved with a time older than the newest (it committed later)
    older = Participant.objects.get(pk=second.pk).updated_at.replace(microsecond=0)
    Participant.objects.filter(pk=first.pk).update(updated_at=older)
    # then the number of rows and the latest time are unchanged, and still the print moves
    assert participant_frame_fingerprint() != before
