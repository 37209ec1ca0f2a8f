"""The reliability statistics kept up to date by the writes (decision 56): after every kind of
write of assessments the kept sums and numbers equal a computation from every assessment, a
write past the services is found and computed in full, and writers at once on PostgreSQL
leave them right."""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from tests.pathways.test_reliability_cache import _instrument_of_two_dimensions, _queries

from emplus.evidence_core import reliable_change
from emplus.pathways import progress_data
from emplus.pathways.models import (
    Assessment,
    AssessmentScore,
    Enrolment,
    InstrumentReliability,
    Participant,
)
from emplus.pathways.services import assessment_record, instrument_data_changed

START = date(2025, 1, 6)


def _people(unit, *, count: int, prefix: str, seed: int = 7) -> list[Enrolment]:
    """`count` participants with 0–3 assessments each on the active instrument at random dates
    and values (some dimensions unscored), written in bulk as an import does."""
    rnd = random.Random(seed)  # noqa: S311 - test data, not secrets
    instrument = progress_data.instrument_active()
    dimensions = list(instrument.dimensions.order_by("order"))
    enrolments = []
    for i in range(count):
        participant = Participant.objects.create(
            organisation=unit.organisation, unit=unit, participant_ref=f"{prefix}{i}"
        )
        enrolment = Enrolment.objects.create(participant=participant, entry_date=START)
        enrolments.append(enrolment)
        for _ in range(rnd.choice((0, 1, 2, 2, 2, 3))):
            assessment = Assessment.objects.create(
                enrolment=enrolment,
                instrument=instrument,
                assessed_on=START + timedelta(days=rnd.randrange(0, 90, 15)),
            )
            AssessmentScore.objects.bulk_create(
                AssessmentScore(assessment=assessment, dimension=d, value=rnd.randint(1, 10))
                for d in dimensions
                if rnd.random() > 0.05
            )
    with transaction.atomic():
        instrument_data_changed(instrument=instrument)
    return enrolments


def _assert_kept_equal_a_full_computation() -> None:
    """The kept row is of the data version, its sums are those computed from every assessment
    now, and so are its numbers (which also agree with the plain implementation)."""
    instrument = progress_data.instrument_active()
    kept = InstrumentReliability.objects.get(instrument=instrument)
    assert kept.computed_version == kept.data_version
    full = progress_data.instrument_statistics_compute(instrument=instrument)
    read = progress_data.InstrumentStatistics.from_json(kept.statistics)
    assert read.sums == full.sums
    assert read == full
    assert _queries(lambda: progress_data.instrument_statistics(instrument=instrument)) == 1
    # and the numbers are those of each participant's first two assessments, read plainly
    codes = full.sums["codes"]
    by_participant: dict = {}
    for a in (
        Assessment.objects.filter(instrument=instrument)
        .select_related("enrolment")
        .prefetch_related("scores__dimension")
    ):
        by_participant.setdefault(a.enrolment.participant_id, []).append(a)
    pairs: dict[str, list[tuple[int, int]]] = {c: [] for c in codes}
    profiles, two = [], 0
    for assessments in by_participant.values():
        if len(assessments) < 2:
            continue
        two += 1
        assessments.sort(key=lambda a: (a.assessed_on, a.created_at, str(a.pk)))
        first, second = (
            {s.dimension.code: s.value for s in a.scores.all()} for a in assessments[:2]
        )
        for c in codes:
            if c in first and c in second:
                pairs[c].append((first[c], second[c]))
        if all(c in first for c in codes):
            profiles.append([first[c] for c in codes])
    assert read.participants_with_two == two
    expected = {c: reliable_change.retest_stats(pairs[c]) for c in codes}
    expected["total"] = reliable_change.total_stats(profiles)
    for name, got in {**read.per_dimension, "total": read.total}.items():
        assert (got is None) == (expected[name] is None), name
        if got is not None:
            assert got.n == expected[name].n
            assert got.reliability == pytest.approx(expected[name].reliability, rel=1e-9)
            assert got.s_diff == pytest.approx(expected[name].s_diff, rel=1e-9)


def _recorded(actor, enrolment: Enrolment, value: int) -> None:
    """An assessment recorded through the service, after the others, every dimension `value`."""
    instrument = progress_data.instrument_active()
    assessment_record(
        actor=actor,
        enrolment=enrolment,
        instrument=instrument,
        assessed_on=START + timedelta(days=100),
        scores=dict.fromkeys(instrument.dimensions.values_list("code", flat=True), value),
    )


def _kept_through(enrolment: Enrolment, write) -> None:
    """A write of the enrolment's assessments as a service does it (decision 56)."""
    instrument = progress_data.instrument_active()
    with (
        transaction.atomic(),
        progress_data.statistics_kept_through(
            instrument=instrument, participants=[enrolment.participant_id]
        ),
    ):
        write()


def test_a_new_assessment_keeps_the_statistics_without_reading_every_score(
    coach, unit_a1, monkeypatch
):
    # given kept statistics of many participants
    enrolments = _people(unit_a1, count=45, prefix="N")
    instrument = progress_data.instrument_active()
    progress_data.instrument_statistics(instrument=instrument)
    # when a coach records an assessment for a participant who had one (a new first-two pair)
    one = next(e for e in enrolments if e.assessments.count() == 1)
    _recorded(coach, one, 4)
    # then the next read is one query and computes nothing
    computed = []
    compute = progress_data.instrument_statistics_compute
    monkeypatch.setattr(
        progress_data,
        "instrument_statistics_compute",
        lambda **k: computed.append(1) or compute(**k),
    )
    assert _queries(lambda: progress_data.instrument_statistics(instrument=instrument)) == 1
    assert computed == []
    # and the kept statistics count the new pair: they equal a full computation
    monkeypatch.undo()
    _assert_kept_equal_a_full_computation()


def test_every_kind_of_write_keeps_the_statistics_equal_to_a_full_computation(
    coach, other_org_coach, unit_a1, unit_b1
):
    # given participants of two organisations and kept statistics
    own = _people(unit_a1, count=40, prefix="A", seed=1)
    other = _people(unit_b1, count=12, prefix="B", seed=2)
    instrument = progress_data.instrument_active()
    progress_data.instrument_statistics(instrument=instrument)
    dimensions = list(instrument.dimensions.order_by("order"))
    rnd = random.Random(56)  # noqa: S311 - test data, not secrets
    kinds = []
    # when many writes of every kind follow one another
    for _ in range(60):
        enrolment = rnd.choice(own + other)
        if not Enrolment.objects.filter(pk=enrolment.pk).exists():
            continue
        assessments = list(Assessment.objects.filter(enrolment=enrolment))
        kind = rnd.choice(("new", "new", "value", "date", "delete", "unscore", "enrolment"))
        if kind != "new" and not assessments:
            kind = "new"
        kinds.append(kind)
        chosen = rnd.choice(assessments) if assessments else None
        if kind == "new":  # through the service, by the participant's own organisation
            assessment_record(
                actor=coach if enrolment in own else other_org_coach,
                enrolment=enrolment,
                instrument=instrument,
                assessed_on=START + timedelta(days=rnd.randrange(0, 120, 10)),
                scores={d.code: rnd.randint(1, 10) for d in dimensions},
            )
        elif kind == "value":
            _kept_through(
                enrolment,
                lambda a=chosen: AssessmentScore.objects.filter(
                    assessment=a, dimension=rnd.choice(dimensions)
                ).update(value=rnd.randint(1, 10)),
            )
        elif kind == "date":  # may change which two are the first
            _kept_through(
                enrolment,
                lambda a=chosen: Assessment.objects.filter(pk=a.pk).update(
                    assessed_on=START + timedelta(days=rnd.randrange(0, 120, 10))
                ),
            )
        elif kind == "delete":
            _kept_through(enrolment, lambda a=chosen: a.delete())
        elif kind == "unscore":  # a dimension left unscored
            _kept_through(
                enrolment,
                lambda a=chosen: AssessmentScore.objects.filter(
                    assessment=a, dimension=rnd.choice(dimensions)
                ).delete(),
            )
        else:  # the enrolment and its assessments deleted
            _kept_through(enrolment, lambda e=enrolment: e.delete())
        # then after each the kept statistics equal a computation from every assessment
        _assert_kept_equal_a_full_computation()
    assert set(kinds) == {"new", "value", "date", "delete", "unscore", "enrolment"}


def test_a_write_past_the_services_is_computed_in_full(coach, unit_a1):
    # given kept statistics
    enrolments = _people(unit_a1, count=35, prefix="P")
    instrument = progress_data.instrument_active()
    progress_data.instrument_statistics(instrument=instrument)
    # when an assessment is deleted past the services, then one recorded through them
    Assessment.objects.filter(enrolment=enrolments[3]).first().delete()
    _recorded(coach, enrolments[0], 6)
    # then the service's write found the kept sums wrong and only raised the version
    kept = InstrumentReliability.objects.get(instrument=instrument)
    assert kept.computed_version != kept.data_version
    # and the next read computes every sum again, equal to a full computation
    assert _queries(lambda: progress_data.instrument_statistics(instrument=instrument)) > 1
    _assert_kept_equal_a_full_computation()


def test_statistics_kept_before_the_sums_are_computed_in_full_after_a_write(coach, unit_a1):
    # given statistics kept without their sums (as before decision 56)
    enrolments = _people(unit_a1, count=35, prefix="S")
    instrument = progress_data.instrument_active()
    progress_data.instrument_statistics(instrument=instrument)
    kept = InstrumentReliability.objects.get(instrument=instrument)
    kept.statistics = {k: v for k, v in kept.statistics.items() if k != "sums"}
    kept.save()
    # when a coach records an assessment
    _recorded(coach, enrolments[0], 6)
    # then the next read computes them in full, with their sums
    kept.refresh_from_db()
    assert kept.computed_version != kept.data_version
    progress_data.instrument_statistics(instrument=instrument)
    _assert_kept_equal_a_full_computation()


@pytest.mark.django_db(transaction=True)
def test_the_kept_statistics_are_written_only_in_a_transaction():
    _instrument_of_two_dimensions()
    instrument = progress_data.instrument_active()
    with (
        pytest.raises(RuntimeError),
        progress_data.statistics_kept_through(instrument=instrument, participants=[]),
    ):
        pass


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs concurrent connections (PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_writers_at_once_leave_the_statistics_equal_to_a_full_computation(coach, unit_a1):
    # given kept statistics (of an instrument of the test's own: a transactional test starts
    # without the migrations' rows)
    _instrument_of_two_dimensions()
    enrolments = _people(unit_a1, count=34, prefix="C")
    instrument = progress_data.instrument_active()
    progress_data.instrument_statistics(instrument=instrument)
    start, errors = threading.Barrier(6), []

    def write(worker: int) -> None:
        try:
            start.wait()
            for k in range(4):
                # two writers share each participant: their first two may change under them
                enrolment = enrolments[(worker // 2) * 4 + k]
                assessment_record(
                    actor=coach,
                    enrolment=enrolment,
                    instrument=instrument,
                    assessed_on=START + timedelta(days=(worker * 7 + k * 3) % 60),
                    scores={"goal": 1 + (worker + k) % 10, "work": 1 + (worker * k) % 10},
                )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    # when six coaches record assessments at once
    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # then every write counted and the kept statistics equal a full computation
    assert errors == []
    _assert_kept_equal_a_full_computation()
