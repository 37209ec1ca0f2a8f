"""The stored progress summary (decision 44): every writer of assessments keeps it true, and the
progression page read from it equals the computation from the assessments themselves."""

from __future__ import annotations

import importlib
from dataclasses import asdict
from datetime import date, timedelta
from uuid import UUID

import polars as pl
import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext

from emplus.core.kept import KEPT_CACHE
from emplus.core.models import AuditEvent
from emplus.evidence.selectors import progress_records, progression_report
from emplus.evidence_core import progression
from emplus.pathways import progress_data
from emplus.pathways.models import (
    Assessment,
    AssessmentScore,
    Enrolment,
    EnrolmentProgress,
    Participant,
    PathwayStep,
)
from emplus.pathways.progress_summary import enrolment_progress_refresh, scores_of
from emplus.pathways.rights import participant_erase
from emplus.pathways.services import assessment_record

START = date(2025, 1, 6)


def _codes(instrument) -> list[str]:
    return list(instrument.dimensions.order_by("order").values_list("code", flat=True))


def _enrolment(unit, ref: str, entry: date = START) -> Enrolment:
    participant = Participant.objects.create(
        organisation=unit.organisation, unit=unit, participant_ref=ref
    )
    return Enrolment.objects.create(participant=participant, entry_date=entry)


def _record(actor, enrolment, days: int, base: int) -> Assessment:
    instrument = progress_data.instrument_active()
    return assessment_record(
        actor=actor,
        enrolment=enrolment,
        instrument=instrument,
        assessed_on=START + timedelta(days=days),
        scores={c: 1 + (base + j) % 9 for j, c in enumerate(_codes(instrument))},
    )


def _from_assessments(instrument, enrolments) -> dict[str, dict]:
    """The oracle: each enrolment's count, first and latest scores straight from the
    assessments, ordered by (assessed_on, created_at, id)."""
    out = {}
    for enrolment in enrolments:
        ordered = sorted(
            Assessment.objects.filter(enrolment=enrolment, instrument=instrument),
            key=lambda a: (a.assessed_on, a.created_at, str(a.pk)),
        )
        if not ordered:
            continue
        scores = [
            dict(
                AssessmentScore.objects.filter(assessment=a).values_list("dimension__code", "value")
            )
            for a in (ordered[0], ordered[-1])
        ]
        out[str(enrolment.pk)] = {
            "assessments": len(ordered),
            "first_on": ordered[0].assessed_on,
            "latest_on": ordered[-1].assessed_on,
            "first": scores[0],
            "latest": scores[1],
        }
    return out


def _stored(instrument) -> dict[str, dict]:
    codes = _codes(instrument)
    return {
        str(row.enrolment_id): {
            "assessments": row.assessments,
            "first_on": row.first_on,
            "latest_on": row.latest_on,
            "first": scores_of(row.first, codes),
            "latest": scores_of(row.latest, codes),
        }
        for row in EnrolmentProgress.objects.filter(instrument=instrument)
    }


@pytest.fixture
def varied(coach, unit_a1, other_org_coach, unit_b1):
    """Enrolments with one to four assessments: equal dates, recorded out of date order,
    missing scores (written in bulk, past the service), a deleted assessment and enrolment, an
    erased participant, and another organisation."""
    instrument = progress_data.instrument_active()
    codes = _codes(instrument)
    one = _enrolment(unit_a1, "ONE")
    _record(coach, one, 0, 1)
    two = _enrolment(unit_a1, "TWO")
    _record(coach, two, 0, 2)
    _record(coach, two, 90, 5)
    equal = _enrolment(unit_a1, "EQUAL")
    _record(coach, equal, 0, 3)
    _record(coach, equal, 60, 4)
    _record(coach, equal, 60, 8)  # the same day, recorded later: the latest
    unordered = _enrolment(unit_a1, "UNORDERED")
    for days, base in [(200, 7), (10, 1), (300, 2), (100, 6)]:
        _record(coach, unordered, days, base)
    PathwayStep.objects.create(
        enrolment=unordered, phase="train", activity="Kurs", started_on=START
    )
    missing = _enrolment(unit_a1, "MISSING")
    deleted = _enrolment(unit_a1, "DELETED")
    for enrolment, days in [(missing, 0), (missing, 50), (deleted, 0), (deleted, 30)]:
        assessment = Assessment.objects.create(
            enrolment=enrolment, instrument=instrument, assessed_on=START + timedelta(days)
        )
        AssessmentScore.objects.bulk_create(
            AssessmentScore(
                assessment=assessment,
                dimension=instrument.dimensions.get(code=code),
                value=1 + (days + j) % 9,
            )
            for j, code in enumerate(codes)
            if not (enrolment == missing and days == 50 and j < 2)  # two left out
        )
    Assessment.objects.filter(enrolment=deleted, assessed_on=START).delete()
    enrolment_progress_refresh(instrument=instrument, enrolments=[missing.pk, deleted.pk])
    erased = _enrolment(unit_a1, "ERASED")
    _record(coach, erased, 0, 3)
    _record(coach, erased, 120, 6)
    participant_erase(actor=coach, participant=erased.participant)
    gone = _enrolment(unit_a1, "GONE")
    _record(coach, gone, 0, 1)
    _record(coach, gone, 40, 2)
    gone.delete()  # as the collector deletes an enrolment: its summary with it
    other = _enrolment(unit_b1, "OTHER")
    _record(other_org_coach, other, 0, 4)
    _record(other_org_coach, other, 30, 5)
    return instrument


def test_every_enrolment_summary_equals_its_assessments(varied):
    # given the varied enrolments (the fixture)
    # then the stored summary of each equals the one computed from its assessments
    stored = _stored(varied)
    assert stored == _from_assessments(varied, Enrolment.objects.all())
    assert len(stored) == 8  # every enrolment but the deleted one
    equal = Enrolment.objects.get(participant__participant_ref="EQUAL")
    codes = _codes(varied)
    assert stored[str(equal.pk)]["latest"] == {c: 1 + (8 + j) % 9 for j, c in enumerate(codes)}
    unordered = stored[str(Enrolment.objects.get(participant__participant_ref="UNORDERED").pk)]
    assert (unordered["assessments"], unordered["first_on"]) == (4, START + timedelta(10))
    assert unordered["latest_on"] == START + timedelta(300)
    missing = Enrolment.objects.get(participant__participant_ref="MISSING")
    assert len(stored[str(missing.pk)]["latest"]) == len(codes) - 2


def test_changes_read_from_the_summary_equal_the_assessments(varied):
    # when the changes are read from the summary, with each row's enrolment
    frame = progress_data.progress_changes(
        instrument=varied,
        enrolments=Enrolment.objects.all(),
        codes=_codes(varied),
        columns={"enrolment": (Cast("enrolment_id", output_field=TextField()), pl.String())},
    )
    # then they are the first and latest scores of every enrolment with two assessments, on
    # the dimensions scored at both (the former read from the assessments)
    expected = set()
    for key, row in _from_assessments(varied, Enrolment.objects.all()).items():
        if row["assessments"] >= 2:
            for code in set(row["first"]) & set(row["latest"]):
                expected.add((key, code, row["first"][code], row["latest"][code]))
    read = {
        (str(UUID(row["enrolment"])), c, row[f"first:{c}"], row[f"latest:{c}"])
        for row in frame.iter_rows(named=True)
        for c in _codes(varied)
        if row[f"first:{c}"] is not None and row[f"latest:{c}"] is not None
    }
    assert read == expected and len(expected) > 20


@pytest.mark.parametrize("group_by", ["organisation", "phase"])
def test_progression_page_equals_the_computation_from_the_assessments(
    varied, coordinator, org_a, settings, group_by
):
    # given no special-category dimension (the table unprotected, to compare every cell)
    settings.EMPLUS_SPECIAL_CATEGORY_DIMENSIONS = []
    codes = _codes(varied)
    own = Enrolment.objects.filter(participant__organisation=org_a)
    phase = {str(s.enrolment_id): s.phase for s in PathwayStep.objects.all()}
    group_of = {
        e.pk: e.participant.organisation.code
        if group_by == "organisation"
        else phase.get(str(e.pk))
        for e in own.select_related("participant__organisation")
    }
    statistics = progress_data.instrument_statistics(instrument=varied)
    stats = {**statistics.per_dimension, progression.TOTAL: statistics.total}
    expected = progression.progression_table(
        progress_records(instrument=varied, group_of=group_of), dimensions=codes, stats=stats
    )
    # when the coordinator's page is computed from the stored summary
    report = progression_report(viewer=coordinator, group_by=group_by)
    # then it has the same rows and numbers
    assert [(r.group, r.dimension, r.n) for r in report.rows] == [
        (r.group, r.dimension, r.n) for r in expected
    ]
    for got, want in zip(report.rows, expected, strict=True):
        assert asdict(got) == pytest.approx(asdict(want))
    last = {(r.group, r.dimension): r.n for r in report.rows}[(progression.ALL, codes[-1])]
    assert last == 5  # TWO, EQUAL, UNORDERED, MISSING, ERASED; not ONE, DELETED, GONE, OTHER


def test_recording_an_assessment_refreshes_its_enrolment(coach, unit_a1):
    # given an enrolment with one assessment
    enrolment = _enrolment(unit_a1, "REC")
    _record(coach, enrolment, 30, 1)
    instrument = progress_data.instrument_active()
    # when an earlier one and then one on the same day as the latest are recorded
    _record(coach, enrolment, 0, 4)
    _record(coach, enrolment, 30, 7)
    # then the summary has three, the earlier as first and the later-recorded as latest
    row = EnrolmentProgress.objects.get(enrolment=enrolment, instrument=instrument)
    codes = _codes(instrument)
    assert row.assessments == 3
    assert scores_of(row.first, codes) == {c: 1 + (4 + j) % 9 for j, c in enumerate(codes)}
    assert row.latest == ",".join(str(1 + (7 + j) % 9) for j in range(len(codes)))
    assert _stored(instrument) == _from_assessments(instrument, [enrolment])


def test_a_refused_assessment_leaves_the_summary(coach, unit_a1):
    # given an enrolment with one assessment
    enrolment = _enrolment(unit_a1, "BAD")
    _record(coach, enrolment, 0, 1)
    instrument = progress_data.instrument_active()
    before = _stored(instrument)
    # when an assessment with a value off the scale is refused
    with pytest.raises(ValidationError):
        assessment_record(
            actor=coach,
            enrolment=enrolment,
            instrument=instrument,
            assessed_on=START,
            scores=dict.fromkeys(_codes(instrument), 99),
        )
    # then the summary is unchanged
    assert _stored(instrument) == before


def test_erasure_keeps_the_summary(coach, unit_a1):
    # given an enrolment with two assessments
    enrolment = _enrolment(unit_a1, "ERASE")
    _record(coach, enrolment, 0, 1)
    _record(coach, enrolment, 60, 5)
    instrument = progress_data.instrument_active()
    before = _stored(instrument)
    # when the participant is erased (anonymised; the statistical record stays)
    participant_erase(actor=coach, participant=enrolment.participant)
    # then the summary is as before and still equals the assessments
    assert _stored(instrument) == before == _from_assessments(instrument, [enrolment])


def test_deleting_an_enrolment_deletes_its_summary(coach, unit_a1):
    # given two enrolments with assessments
    kept, deleted = _enrolment(unit_a1, "KEEP"), _enrolment(unit_a1, "DEL")
    for enrolment in (kept, deleted):
        _record(coach, enrolment, 0, 1)
        _record(coach, enrolment, 60, 5)
    instrument = progress_data.instrument_active()
    # when one enrolment is deleted
    deleted.delete()
    # then only the other's summary is left
    assert set(_stored(instrument)) == {str(kept.pk)}


def test_the_demo_builder_keeps_the_summary(db):
    from emplus.demo.builder import demo_data_create
    from emplus.geo.services import reference_data_load

    # when the demo is built (its assessments written in bulk)
    reference_data_load()
    demo_data_create(participants=40)
    instrument = progress_data.instrument_active()
    # then every demo enrolment has its summary, equal to its assessments
    stored = _stored(instrument)
    assert stored and stored == _from_assessments(instrument, Enrolment.objects.all())


def test_rebuild_command_writes_the_summary_again(coach, unit_a1, capsys):
    # given a summary that went wrong (a row lost, a row changed past the services)
    enrolments = [_enrolment(unit_a1, f"RB{i}") for i in range(3)]
    for i, enrolment in enumerate(enrolments):
        for k in range(i + 1):
            _record(coach, enrolment, 30 * k, i + k)
    instrument = progress_data.instrument_active()
    expected = _from_assessments(instrument, enrolments)
    EnrolmentProgress.objects.filter(enrolment=enrolments[0]).delete()
    EnrolmentProgress.objects.filter(enrolment=enrolments[1]).update(assessments=9, first="")
    # when the operator rebuilds it
    call_command("rebuild_progress")
    # then it equals the assessments again, says so, and the rebuild is in the audit log
    assert _stored(instrument) == expected
    assert "3 enrolments" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="progress.rebuilt").count() == 1


def test_the_migration_fills_the_summary_of_existing_assessments(coach, unit_a1):
    # given assessments whose summary is not stored (as before the migration)
    enrolment = _enrolment(unit_a1, "MIG")
    _record(coach, enrolment, 0, 1)
    _record(coach, enrolment, 60, 5)
    instrument = progress_data.instrument_active()
    EnrolmentProgress.objects.all().delete()
    # when the data migration runs
    migration = importlib.import_module("emplus.pathways.migrations.0012_enrolment_progress_fill")
    migration.fill(apps, None)
    # then the summary is there
    assert _stored(instrument) == _from_assessments(instrument, [enrolment])


@pytest.mark.parametrize("group_by", ["organisation", "phase"])
def test_the_page_reads_the_summary_not_the_assessments(client, coordinator, varied, group_by):
    # given the coordinator has viewed the page once (the reliability statistics are kept)
    client.force_login(coordinator)
    client.get("/evidence/progression/", {"group_by": group_by})
    # when the page is computed again
    caches[KEPT_CACHE].clear()  # no kept report (decision 47): as the first view after a write
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/evidence/progression/", {"group_by": group_by})
    # then it read the summary once (the page and the special-category cells: whole
    # organisations and blocks, decision 47) and no assessment
    sqls = [query["sql"] for query in captured]
    assert response.status_code == 200
    # (the user's read joins its memberships' texts too, decision 61: not a summary read)
    summaries = [sql for sql in sqls if "pathways_enrolmentprogress" in sql]
    reads = [sql for sql in summaries if "STRING_AGG" in sql or "GROUP_CONCAT" in sql]
    assert len(reads) == 1
    assert not [sql for sql in sqls if "pathways_assessment" in sql]
