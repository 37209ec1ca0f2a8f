"""The kept progression report (decision 47): found again only while nothing it reads changed,
and never across scopes."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from django.core.cache import caches
from django.utils import translation
from tests.factories import (
    ConsentFactory,
    EnrolmentFactory,
    MethodFactory,
    ParticipantFactory,
)
from tests.factories import (
    TestBedFactory as BedFactory,  # not a test class
)

from emplus.core.kept import KEPT_CACHE
from emplus.evidence import selectors
from emplus.evidence.selectors import IndicatorFilters, progression_report
from emplus.methods.services import method_save
from emplus.pathways import services
from emplus.pathways.models import Assessment, Dimension, Enrolment, Instrument, Participant
from emplus.pathways.progress_summary import enrolment_progress_refresh
from emplus.pathways.rights import participant_erase

pytestmark = pytest.mark.django_db

GROUPS = selectors.PROGRESSION_GROUPS


@pytest.fixture
def instrument(db):
    Instrument.objects.update(is_active=False)
    instrument = Instrument.objects.create(
        code="AAA-KEPT", name_sv="Test", name_en="Test", scale_min=1, scale_max=10
    )
    for order, code in enumerate(("goal", "health")):  # health: a special category
        Dimension.objects.create(
            instrument=instrument,
            code=code,
            order=order,
            label_sv=f"{code} (sv)",
            label_en=f"{code} (en)",
            anchor_low_sv="",
            anchor_low_en="",
            anchor_high_sv="",
            anchor_high_en="",
        )
    return instrument


def _assess(actor, enrolment, instrument, on: date, goal: int, health: int) -> None:
    services.assessment_record(
        actor=actor,
        enrolment=enrolment,
        instrument=instrument,
        assessed_on=on,
        scores={"goal": goal, "health": health},
    )


@pytest.fixture
def data(instrument, coach, other_org_coach, unit_a1, unit_a2, unit_b1):
    """Eight enrolments in organisation A (two units, a method and a test bed on some, steps in
    two phases) and six in B, each assessed twice in 2025, with consents."""
    method = MethodFactory(code="MENT")
    test_bed = BedFactory(code="TB-ONE")
    for i in range(14):
        unit, actor = (unit_a1 if i < 6 else unit_a2, coach) if i < 8 else (unit_b1, None)
        actor = actor or other_org_coach
        participant = ParticipantFactory(actor=actor, unit=unit, participant_ref=f"K{i}")
        ConsentFactory(actor=actor, participant=participant)
        enrolment = EnrolmentFactory(
            actor=actor,
            participant=participant,
            entry_date=date(2025, 2, 1),
            method=method if i % 2 else None,
            test_bed=test_bed if i % 3 == 0 else None,
            steps=1 if i % 4 else 0,
        )
        _assess(actor, enrolment, instrument, date(2025, 3, 1), 3 + i % 4, 2 + i % 5)
        _assess(actor, enrolment, instrument, date(2025, 9, 1), 4 + i % 6, 3 + i % 3)


def _enrolment(ref: str) -> Enrolment:
    return Enrolment.objects.get(participant__participant_ref=ref)


def _new_assessment(actor) -> None:
    instrument = Instrument.objects.get(code="AAA-KEPT")
    _assess(actor, _enrolment("K1"), instrument, date(2025, 11, 1), 10, 10)


def _assessment_deleted(actor) -> None:
    # No service deletes an assessment today; one that does must refresh the summary and the
    # data version in its transaction (decisions 39 and 44), as here.
    assessment = Assessment.objects.filter(enrolment=_enrolment("K2")).latest("assessed_on")
    instrument = assessment.instrument
    assessment.delete()
    enrolment_progress_refresh(instrument=instrument, enrolments=[_enrolment("K2").pk])
    services.instrument_data_changed(instrument=instrument)


def _new_enrolment(actor) -> None:
    participant = ParticipantFactory(
        actor=actor, unit=Participant.objects.get(participant_ref="K0").unit, participant_ref="KN"
    )
    enrolment = EnrolmentFactory(actor=actor, participant=participant, entry_date=date(2025, 4, 1))
    instrument = Instrument.objects.get(code="AAA-KEPT")
    _assess(actor, enrolment, instrument, date(2025, 5, 1), 1, 1)
    _assess(actor, enrolment, instrument, date(2025, 10, 1), 9, 9)


def _method_renamed(actor) -> None:  # as the administration does
    method = _enrolment("K1").method
    method.code = "MENT2"
    method_save(actor=actor, method=method, fields=["code"])


def _test_bed_changed(actor) -> None:  # the enrolment's test bed, as the administration sets it
    enrolment = _enrolment("K1")
    enrolment.test_bed = BedFactory(code="TB-TWO")
    enrolment.save()


def _new_step(actor) -> None:
    services.step_record(
        actor=actor,
        enrolment=_enrolment("K0"),
        phase="support",
        activity="Coaching",
        started_on=date(2025, 6, 1),
    )


def _erased(actor) -> None:
    participant_erase(actor=actor, participant=Participant.objects.get(participant_ref="K3"))


def _consent_withdrawn(actor) -> None:
    consent = Participant.objects.get(participant_ref="K4").consents.latest("created_at")
    services.consent_withdraw(actor=actor, consent=consent)


def _moved(actor) -> None:  # as the administration does: the unit of the record changes
    participant = Participant.objects.get(participant_ref="K5")
    participant.unit = participant.organisation.units.exclude(pk=participant.unit_id).get()
    participant.save()


CHANGES = {
    "new assessment": _new_assessment,
    "assessment deleted": _assessment_deleted,
    "new enrolment": _new_enrolment,
    "method renamed": _method_renamed,
    "test bed changed": _test_bed_changed,
    "new step": _new_step,
    "erased": _erased,
    "consent withdrawn": _consent_withdrawn,
    "moved to another unit": _moved,
}
# What the progression does not read: the page stays as it was (and equal to a fresh one).
MOVES_NOTHING = {"erased", "consent withdrawn"}


def _shown(report: selectors.ProgressionReport) -> dict:
    out = dataclasses.asdict(report)
    out["instrument"] = report.instrument.pk if report.instrument else None
    return out


def _rounded(value):
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _requests(unit_a1) -> list[tuple[str, IndicatorFilters]]:
    whole = IndicatorFilters()  # whole organisations and blocks: the special rule's cells
    narrow = IndicatorFilters(unit=unit_a1.pk)
    return [(g, whole) for g in GROUPS] + [("organisation", narrow), ("phase", narrow)]


def _pages(viewer, requests) -> list[dict]:
    return [_shown(progression_report(viewer=viewer, filters=f, group_by=g)) for g, f in requests]


def fresh(viewer, requests) -> list[dict]:
    caches[KEPT_CACHE].clear()
    return _pages(viewer, requests)


@pytest.mark.usefixtures("data")
def test_a_kept_report_is_used_while_the_data_is_unchanged(coordinator, monkeypatch):
    # given a report computed once
    first = progression_report(viewer=coordinator, group_by="phase")
    monkeypatch.setattr(
        selectors, "_progression_report", lambda **kw: pytest.fail("computed again")
    )
    # when it is asked for again with nothing changed
    again = progression_report(viewer=coordinator, group_by="phase")
    # then it comes from the cache, equal to the first
    assert _shown(again) == _shown(first)


@pytest.mark.usefixtures("data")
@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_to_what_the_report_reads_is_seen(coach, coordinator, unit_a1, change):
    # given kept reports of every grouping, whole and narrow
    requests = _requests(unit_a1)
    before = _pages(coordinator, requests)
    # when the data changes through the usual ways
    CHANGES[change](coach)
    # then every page shows what a computation from scratch shows
    after = _pages(coordinator, requests)
    assert after == fresh(coordinator, requests)
    if change in MOVES_NOTHING:
        # equal but for the last bits of a float: PostgreSQL may return the saved rows in
        # another order, and a sum in another order
        assert _rounded(after) == _rounded(before)
    else:
        assert _rounded(after) != _rounded(before)


@pytest.mark.usefixtures("data")
def test_a_new_assessment_counts_in_the_reliability_statistics(coach, coordinator, monkeypatch):
    # given a kept report
    progression_report(viewer=coordinator)
    computed = []
    compute = selectors._progression_report
    monkeypatch.setattr(
        selectors, "_progression_report", lambda **kw: computed.append(1) or compute(**kw)
    )
    # when an assessment is recorded in the other organisation, between the first and latest
    # of a participant: the reliability statistics (partnership-wide) read it
    instrument = Instrument.objects.get(code="AAA-KEPT")
    _assess(coach, _enrolment("K9"), instrument, date(2025, 6, 1), 5, 5)
    # then the report is computed again
    progression_report(viewer=coordinator)
    assert computed == [1]


@pytest.mark.usefixtures("data")
def test_a_kept_report_never_reaches_another_scope(coordinator, other_org_coordinator, analyst):
    # given the report of organisation A's coordinator kept in the cache
    own_a = progression_report(viewer=coordinator)
    # when the coordinator of B, and an analyst of the partnership, ask for the same page
    own_b = progression_report(viewer=other_org_coordinator)
    partnership = progression_report(viewer=analyst)
    # then each sees their own scope, as computed for them alone
    assert {r.group for r in own_a.rows} == {"", "ORGA"}
    assert {r.group for r in own_b.rows} == {"", "ORGB"}
    assert own_a.suppressed_below is None and own_b.suppressed_below is None
    assert partnership.scope == selectors.SCOPE_PARTNERSHIP
    assert partnership.suppressed_below == 5
    requests = [("organisation", IndicatorFilters())]
    assert [_shown(own_b)] == fresh(other_org_coordinator, requests)
    assert [_shown(partnership)] == fresh(analyst, requests)
    assert [_shown(own_a)] == fresh(coordinator, requests)


@pytest.mark.usefixtures("data")
def test_the_language_threshold_and_grouping_are_part_of_the_request(coordinator, analyst):
    # given a kept report in Swedish
    with translation.override("sv"):
        swedish = progression_report(viewer=coordinator)
    # when it is asked for in English, by another grouping, or with another threshold
    with translation.override("en"):
        english = progression_report(viewer=coordinator)
    by_phase = progression_report(viewer=coordinator, group_by="phase", language="sv")
    strict = progression_report(viewer=analyst, threshold=7, language="sv")
    lenient = progression_report(viewer=analyst, threshold=3, language="sv")
    # then each is computed for its own
    assert dict(swedish.dimensions)["goal"] == "goal (sv)"
    assert dict(english.dimensions)["goal"] == "goal (en)"
    assert by_phase.group_by == "phase" and swedish.group_by == "organisation"
    assert strict.suppressed_below == 7 and lenient.suppressed_below == 3
    assert not any(r.hidden for r in lenient.rows if r.dimension == "goal")
    assert any(r.hidden for r in strict.rows if r.dimension == "goal")


@pytest.mark.usefixtures("data")
def test_another_active_instrument_is_another_request(coordinator, instrument):
    # given a kept report on the instrument
    assert progression_report(viewer=coordinator).instrument == instrument
    # when another instrument becomes the active one
    other = Instrument.objects.create(
        code="AAA-ANOTHER", name_sv="Annan", name_en="Other", scale_min=1, scale_max=5
    )
    Dimension.objects.create(
        instrument=other,
        code="mood",
        order=0,
        label_sv="Humör",
        label_en="Mood",
        anchor_low_sv="",
        anchor_low_en="",
        anchor_high_sv="",
        anchor_high_en="",
    )
    # then the page is about that one (nobody assessed on it yet)
    report = progression_report(viewer=coordinator)
    assert report.instrument == other
    assert [code for code, _label in report.dimensions] == ["mood"]
    assert all(r.n == 0 for r in report.rows)
