"""The reliability statistics of reliable change: computed once per data version of the
instrument, kept up to date by a new assessment (decision 56) and computed again after a write
in bulk (decision 39), and the participant page's queries do not grow with the participant's
assessments or the partnership's."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emplus.evidence_core import reliable_change
from emplus.pathways import progress_data
from emplus.pathways.models import (
    Dimension,
    Enrolment,
    Instrument,
    InstrumentReliability,
    Participant,
)
from emplus.pathways.services import assessment_record, instrument_data_changed

START = date(2025, 1, 6)


def _assessed(unit, actor, *, count: int, prefix: str, times: int = 2) -> list[Enrolment]:
    """`count` participants, each with `times` assessments on the active instrument."""
    instrument = progress_data.instrument_active()
    codes = list(instrument.dimensions.order_by("order").values_list("code", flat=True))
    enrolments = []
    for i in range(count):
        participant = Participant.objects.create(
            organisation=unit.organisation, unit=unit, participant_ref=f"{prefix}{i}"
        )
        enrolment = Enrolment.objects.create(participant=participant, entry_date=START)
        for k in range(times):
            assessment_record(
                actor=actor,
                enrolment=enrolment,
                instrument=instrument,
                assessed_on=START + timedelta(days=30 * k),
                scores={c: 1 + (i * (j + 2) + k * (i % 3)) % 9 for j, c in enumerate(codes)},
            )
        enrolments.append(enrolment)
    return enrolments


def _instrument_of_two_dimensions() -> None:
    Instrument.objects.update(is_active=False)
    instrument = Instrument.objects.create(
        code="AAA-WAIT", name_sv="Test", name_en="Test", scale_min=1, scale_max=10
    )
    for order, code in enumerate(("goal", "work")):
        Dimension.objects.create(
            instrument=instrument,
            code=code,
            order=order,
            label_sv=code,
            label_en=code,
            anchor_low_sv="",
            anchor_low_en="",
            anchor_high_sv="",
            anchor_high_en="",
        )


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def test_statistics_are_computed_once_per_data_version(coach, unit_a1):
    # given 31 participants with two assessments each (enough for the estimates)
    enrolments = _assessed(unit_a1, coach, count=31, prefix="R")
    instrument = progress_data.instrument_active()
    # when the statistics are read twice
    computed = progress_data.instrument_statistics(instrument=instrument)
    kept_queries = _queries(lambda: progress_data.instrument_statistics(instrument=instrument))
    kept = progress_data.instrument_statistics(instrument=instrument)
    # then the second read is one query of the kept row, with the same numbers
    assert computed.enough_data and computed.per_dimension
    assert kept_queries == 1
    assert kept == computed == progress_data.instrument_statistics_compute(instrument=instrument)
    # when a coach records a new assessment (a third one changes no first-two pair: the numbers
    # of a 32nd participant's pair do)
    version = InstrumentReliability.objects.get(instrument=instrument).data_version
    extra = _assessed(unit_a1, coach, count=1, prefix="NEW")[0]
    # then the version moved, the writes kept the statistics up to date with the new pair
    # (decision 56), and the next read is still one query
    assert InstrumentReliability.objects.get(instrument=instrument).data_version == version + 2
    assert _queries(lambda: progress_data.instrument_statistics(instrument=instrument)) == 1
    after = progress_data.instrument_statistics(instrument=instrument)
    assert after.participants_with_two == 32 != computed.participants_with_two
    assert after == progress_data.instrument_statistics_compute(instrument=instrument)
    assert extra.participant_id not in {e.participant_id for e in enrolments}
    # when the version is raised past the kept sums (a write in bulk)
    with transaction.atomic():
        instrument_data_changed(instrument=instrument)
    # then the next read computes them again from every assessment
    assert _queries(lambda: progress_data.instrument_statistics(instrument=instrument)) > 1
    assert _queries(lambda: progress_data.instrument_statistics(instrument=instrument)) == 1


def test_kept_statistics_equal_the_pure_computation_from_the_first_two_assessments(coach, unit_a1):
    # given participants with two or three assessments (only the first two count)
    _assessed(unit_a1, coach, count=20, prefix="T", times=3)
    _assessed(unit_a1, coach, count=15, prefix="U", times=2)
    _assessed(unit_a1, coach, count=4, prefix="V", times=1)
    instrument = progress_data.instrument_active()
    codes = list(instrument.dimensions.order_by("order").values_list("code", flat=True))
    # when
    stats = progress_data.instrument_statistics(instrument=instrument)
    # then each dimension's statistics are those of the (first, second) pairs
    pairs: dict[str, list[tuple[int, int]]] = {c: [] for c in codes}
    profiles = []
    for participant in Participant.objects.order_by("participant_ref"):
        assessments = list(
            participant.enrolments.get().assessments.order_by("assessed_on", "created_at")
        )
        if len(assessments) < 2:
            continue
        first, second = (
            {s.dimension.code: s.value for s in a.scores.all()} for a in assessments[:2]
        )
        for c in codes:
            pairs[c].append((first[c], second[c]))
        profiles.append([first[c] for c in codes])
    assert stats.participants_with_two == 35
    for c in codes:
        expected = reliable_change.retest_stats(pairs[c])
        got = stats.per_dimension[c]
        assert (got is None) == (expected is None)
        if expected is not None:
            assert got.n == expected.n
            assert got.sd_baseline == pytest.approx(expected.sd_baseline, rel=1e-12)
            assert got.reliability == pytest.approx(expected.reliability, rel=1e-12)
    expected_total = reliable_change.total_stats(profiles)
    assert expected_total is not None
    assert stats.total.s_diff == pytest.approx(expected_total.s_diff, rel=1e-12)


def test_too_few_participants_give_no_statistics_and_that_is_kept(coach, unit_a1):
    _assessed(unit_a1, coach, count=3, prefix="F")
    instrument = progress_data.instrument_active()
    stats = progress_data.instrument_statistics(instrument=instrument)
    assert not stats.enough_data and stats.total is None
    assert set(stats.per_dimension.values()) == {None}
    assert progress_data.instrument_statistics(instrument=instrument) == stats
    assert _queries(lambda: progress_data.instrument_statistics(instrument=instrument)) == 1


def test_participant_page_reads_kept_statistics_and_queries_do_not_grow(client, coach, unit_a1):
    # given a participant with two assessments among few others
    own = _assessed(unit_a1, coach, count=3, prefix="P")[0]
    url = reverse("pathways:detail", args=[own.participant_id])
    client.force_login(coach)
    assert client.get(url).status_code == 200
    instrument = progress_data.instrument_active()
    kept = InstrumentReliability.objects.get(instrument=instrument)
    assert kept.computed_version == kept.data_version
    small = _queries(lambda: client.get(url))
    # when the partnership grows and the participant has three more assessments
    _assessed(unit_a1, coach, count=12, prefix="Q", times=3)
    for k in range(2, 5):
        assessment_record(
            actor=coach,
            enrolment=own,
            instrument=instrument,
            assessed_on=START + timedelta(days=30 * k),
            scores=dict.fromkeys(instrument.dimensions.values_list("code", flat=True), 5),
        )
    client.get(url)  # computes the statistics of the new data version once
    # then a page view costs as many queries as before
    assert _queries(lambda: client.get(url)) == small
    kept.refresh_from_db()
    assert kept.computed_version == kept.data_version


def test_a_reader_who_waited_reads_what_another_computed_meanwhile(coach, unit_a1, monkeypatch):
    # given statistics out of date, and a computation counted
    _assessed(unit_a1, coach, count=3, prefix="W")
    instrument = progress_data.instrument_active()
    computed = []
    compute = progress_data.instrument_statistics_compute

    def counted(*, instrument):
        computed.append(1)
        return compute(instrument=instrument)

    monkeypatch.setattr(progress_data, "instrument_statistics_compute", counted)
    lock = progress_data.one_at_a_time

    @contextmanager
    def another_computes_while_waiting(key, **options):
        # another request held the lock and kept the statistics of this version
        row, version, _statistics = progress_data._statistics_kept(instrument)
        progress_data._statistics_keep(instrument, row, version)
        with lock(key, **options) as held:
            yield held

    # when this reader waited for it
    monkeypatch.setattr(progress_data, "one_at_a_time", another_computes_while_waiting)
    stats = progress_data.instrument_statistics(instrument=instrument)
    # then it computed nothing itself, and read the kept statistics
    assert len(computed) == 1
    assert stats == compute(instrument=instrument)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections (PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_readers_at_once_compute_the_statistics_once(coach, unit_a1, monkeypatch):
    # given statistics out of date (of an instrument of the test's own: a transactional test
    # starts without the migrations' rows), and a slow computation counted
    _instrument_of_two_dimensions()
    _assessed(unit_a1, coach, count=3, prefix="X")
    instrument = progress_data.instrument_active()
    computed = []
    compute = progress_data.instrument_statistics_compute

    def slow(*, instrument):
        computed.append(1)
        time.sleep(0.3)
        return compute(instrument=instrument)

    monkeypatch.setattr(progress_data, "instrument_statistics_compute", slow)
    start, results = threading.Barrier(6), []

    def read() -> None:
        try:
            start.wait()
            results.append(progress_data.instrument_statistics(instrument=instrument))
        finally:
            connection.close()

    # when six requests read them at once
    threads = [threading.Thread(target=read) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # then one computed them, and all read the same
    assert len(computed) == 1
    assert len(results) == 6 and all(r == results[0] for r in results)
