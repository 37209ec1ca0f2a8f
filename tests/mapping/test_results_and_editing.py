"""Method, test-bed and thematic-area pages: progression (suppressed, for every role), the
test bed's effect estimates, and editing of activities and learning logs by coordinators."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from emplus.core.roles import Role
from emplus.evidence.models import EffectEstimate, EstimateMethod, EstimateOutcome
from emplus.evidence_core.reliable_change import ReliabilityStats
from emplus.mapping.models import Activity
from emplus.pathways import progress_data
from emplus.pathways.models import Dimension, Enrolment, Instrument, Participant
from emplus.pathways.services import assessment_record
from emplus.testbeds.models import LearningLogEntry
from tests.conftest import make_user
from tests.mapping.factories import make_activity, make_area, make_method, make_test_bed

pytestmark = pytest.mark.django_db

# first and latest score on dimension a; dimension b goes 5 -> 6 for everyone.
PAIRS = [(3, 5), (4, 4), (2, 6), (5, 6), (5, 2)]  # changes 2, 0, 4, 1, -3: mean 0.8
# S_diff = 1: the RCI equals the raw change, so a change above 1.96 is reliable.
UNIT_STATS = ReliabilityStats(n=30, sd_baseline=1.0, reliability=0.5, se=0.5**0.5, s_diff=1.0)


@pytest.fixture
def instrument(db):
    Instrument.objects.update(is_active=False)
    instrument = Instrument.objects.create(
        code="AAA-TEST", name_sv="Test", name_en="Test", scale_min=1, scale_max=10
    )
    for order, code in enumerate(("a", "b")):
        Dimension.objects.create(
            instrument=instrument,
            code=code,
            order=order,
            label_sv=f"dim-{code}",
            label_en=f"dim-{code}",
            anchor_low_sv="",
            anchor_low_en="",
            anchor_high_sv="",
            anchor_high_en="",
        )
    return instrument


@pytest.fixture
def unit_stats(monkeypatch):
    """Reliability statistics known by hand (the instrument has too few assessments)."""
    stats = progress_data.InstrumentStatistics(
        participants_with_two=30, per_dimension={"a": UNIT_STATS, "b": UNIT_STATS}, total=None
    )
    monkeypatch.setattr(progress_data, "instrument_statistics", lambda *, instrument: stats)


def _assessed(pairs, *, units, actors, instrument, prefix, **enrolment):
    """One participant per pair, alternating units, assessed twice."""
    for i, (first, latest) in enumerate(pairs):
        unit, actor = units[i % len(units)], actors[i % len(actors)]
        participant = Participant.objects.create(
            organisation=unit.organisation, unit=unit, participant_ref=f"{prefix}{i}"
        )
        e = Enrolment.objects.create(
            participant=participant, entry_date=dt.date(2025, 1, 1), **enrolment
        )
        for on, a, b in ((dt.date(2025, 2, 1), first, 5), (dt.date(2025, 5, 1), latest, 6)):
            assessment_record(
                actor=actor,
                enrolment=e,
                instrument=instrument,
                assessed_on=on,
                scores={"a": a, "b": b},
            )


def _rows(response):
    return {row.dimension: row for _, row in response.context["progression"].rows if row}


# --- progression -------------------------------------------------------------------------------


def test_method_page_shows_mean_change_and_reliable_improvement_to_a_coach(
    client, coach, other_org_coach, unit_a1, unit_b1, instrument, unit_stats
):
    # given five participants of two organisations assessed twice under the method, and one
    # under another method
    method = make_method(code="M-PROG")
    _assessed(
        PAIRS,
        units=[unit_a1, unit_b1],
        actors=[coach, other_org_coach],
        instrument=instrument,
        prefix="M",
        method=method,
    )
    _assessed(
        [(1, 9)],
        units=[unit_a1],
        actors=[coach],
        instrument=instrument,
        prefix="X",
        method=make_method(code="M-OTHER"),
    )
    client.force_login(coach)
    # when
    response = client.get(f"/methods/{method.code}/")
    # then: hand-computed means; a improves reliably for the changes 2 and 4 (2 of 5)
    assert response.status_code == 200
    summary = response.context["progression"]
    assert summary.participants == 5
    rows = _rows(response)
    assert rows["a"].mean_first == pytest.approx(3.8)
    assert rows["a"].mean_change == pytest.approx(0.8)
    assert rows["a"].improved_share == pytest.approx(0.4)
    assert rows["b"].mean_change == pytest.approx(1.0)
    assert rows["b"].improved_share == pytest.approx(0.0)
    assert rows["total"].mean_change == pytest.approx(1.8)
    html = response.content.decode()
    assert 'id="progression"' in html and "0,80" in html and "40 %" in html
    # no participant reference on the page (CSRF tokens are left out: they are random text)
    assert "M0" not in re.sub(r'value="[A-Za-z0-9]{32,}"', "", html)


def test_test_bed_page_hides_progression_of_fewer_than_five(
    client, coach, unit_a1, instrument, unit_stats
):
    # given four participants assessed twice in the test bed
    bed = make_test_bed(code="TB-PROG")
    _assessed(
        PAIRS[:4],
        units=[unit_a1],
        actors=[coach],
        instrument=instrument,
        prefix="T",
        test_bed=bed,
    )
    client.force_login(coach)
    # when
    response = client.get(f"/testbeds/{bed.code}/")
    # then
    summary = response.context["progression"]
    assert summary.participants is None and summary.rows == ()
    html = response.content.decode()
    assert 'id="progression"' in html and 'class="progression"' not in html


def test_progression_counts_only_participants_with_two_assessments(
    client, coach, unit_a1, instrument
):
    # given five enrolments under the method, one of them assessed only once
    method = make_method(code="M-ONCE")
    _assessed(
        PAIRS[:4],
        units=[unit_a1],
        actors=[coach],
        instrument=instrument,
        prefix="O",
        method=method,
    )
    participant = Participant.objects.create(
        organisation=unit_a1.organisation, unit=unit_a1, participant_ref="ONCE"
    )
    e = Enrolment.objects.create(
        participant=participant, entry_date=dt.date(2025, 1, 1), method=method
    )
    assessment_record(
        actor=coach,
        enrolment=e,
        instrument=instrument,
        assessed_on=dt.date(2025, 2, 1),
        scores={"a": 1, "b": 1},
    )
    client.force_login(coach)
    # when
    response = client.get(f"/methods/{method.code}/")
    # then: four with a first and a latest assessment, below the threshold
    assert response.context["progression"].participants is None


def test_thematic_area_page_shows_results_of_its_methods(
    client, coach, unit_a1, unit_b1, instrument, unit_stats
):
    # given six participants under two methods of the area and two under a method outside it
    area = make_area()
    first, second = make_method(code="M-A1"), make_method(code="M-A2")
    first.thematic_areas.set([area])
    second.thematic_areas.set([area])
    outside = make_method(code="M-OUT")
    for i, method in enumerate([first] * 3 + [second] * 3 + [outside] * 2):
        unit = unit_a1 if i % 2 else unit_b1
        participant = Participant.objects.create(
            organisation=unit.organisation,
            unit=unit,
            participant_ref=f"A{i}",
            birth_date=dt.date(1990, 1, 1),
            gender="woman",
            municipality_id=unit.municipality_id,
            lm_status_entry="unemployed",
            unemployed_months=14,
            isced=2,
        )
        Enrolment.objects.create(
            participant=participant, entry_date=dt.date(2025, 1, 1), method=method
        )
    client.force_login(coach)
    # when
    response = client.get(f"/methods/thematic-areas/{area.code}/")
    # then
    assert response.status_code == 200
    assert response.context["outcomes"].participants == 6
    total = next(r["row"] for r in response.context["indicators"] if r["row"].code == "EECO01")
    assert total.total == 6
    assert response.context["progression"].participants is None  # nobody assessed


# --- effect estimates of a test bed ------------------------------------------------------------


def _estimate(user, organisation, test_bed):
    return EffectEstimate.objects.create(
        created_by=user,
        organisation=organisation,
        treatment={"organisation": "", "method": "", "county": "", "test_bed": test_bed},
        comparison={"organisation": "", "method": "", "county": "", "test_bed": ""},
        outcome=EstimateOutcome.values[0],
        covariates=[],
        method=EstimateMethod.PSM,
    )


def test_test_bed_lists_only_its_estimates_the_viewer_may_see(client, analyst, coach, org_a, org_b):
    # given estimates of this bed by organisation A and B, and one of another bed
    bed = make_test_bed(code="TB-EFF")
    mine = _estimate(analyst, org_a, "TB-EFF")
    other_org = _estimate(make_user("analyst-b", org_b, Role.ANALYST), org_b, "TB-EFF")
    other_bed = _estimate(analyst, org_a, "TB-ELSE")
    client.force_login(analyst)
    # when
    response = client.get(f"/testbeds/{bed.code}/")
    # then
    assert list(response.context["estimates"]) == [mine]
    html = response.content.decode()
    assert f"/evidence/effects/{mine.pk}/" in html
    assert str(other_org.pk) not in html and str(other_bed.pk) not in html
    assert "/evidence/effects/?test_bed=TB-EFF" in html
    # and a coach, without the evidence permission, sees neither list nor link
    client.force_login(coach)
    html = client.get(f"/testbeds/{bed.code}/").content.decode()
    assert 'id="effect-estimates"' not in html and "/evidence/effects/?" not in html


def test_effect_form_is_prefilled_with_the_test_bed(client, analyst):
    # given
    make_test_bed(code="TB-PRE")
    client.force_login(analyst)
    # when
    response = client.get("/evidence/effects/", {"test_bed": "TB-PRE"})
    # then
    assert response.status_code == 200
    assert response.context["form"]["treated_test_bed"].value() == "TB-PRE"
    assert '<option value="TB-PRE" selected>' in response.content.decode()


# --- editing activities ------------------------------------------------------------------------


def _activity_data(organisation, **overrides):
    data = {
        "code": "NEW-1",
        "organisation": str(organisation.pk),
        "title": "Ny praktik",
        "arena": "working_life",
        "phases": ["prepare"],
        "target_groups": ["young_neet"],
        "municipalities": ["2521"],
        "delivery_mode": "on_site",
        "start_date": "2025-03-01",
    }
    data.update(overrides)
    return data


@pytest.fixture
def activity(org_a):
    return make_activity(org_a, ["2521"], title="Gammal titel")


@pytest.fixture
def other_coordinator(org_b):
    return make_user("coordinator-b", org_b, Role.COORDINATOR)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coach", 403), ("analyst", 403), ("other_coordinator", 404), ("coordinator", 200)],
)
def test_activity_edit_role_matrix(client, request, activity, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/mapping/activities/{activity.pk}/edit/").status_code == status


def test_coordinator_edits_own_activity(client, coordinator, activity, org_a):
    # given
    client.force_login(coordinator)
    data = _activity_data(org_a, code=activity.code, title="Ny titel", phases=["train", "support"])
    # when
    response = client.post(f"/mapping/activities/{activity.pk}/edit/", data)
    # then
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "Ny titel" and activity.phases == ["train", "support"]
    assert list(activity.municipalities.values_list("code", flat=True)) == ["2521"]


def test_other_organisations_coordinator_cannot_post_an_edit(
    client, other_coordinator, activity, org_a
):
    client.force_login(other_coordinator)
    response = client.post(
        f"/mapping/activities/{activity.pk}/edit/", _activity_data(org_a, title="Kapad")
    )
    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.title == "Gammal titel"


def test_coordinator_creates_an_activity_of_own_organisation(client, coordinator, org_a):
    client.force_login(coordinator)
    response = client.post("/mapping/activities/new/", _activity_data(org_a))
    assert response.status_code == 302
    created = Activity.objects.get(code="NEW-1")
    assert created.organisation == org_a and created.arena == "working_life"


@pytest.mark.parametrize(
    "bad",
    [
        {"end_date": "2025-01-01"},  # before the start
        {"title": ""},
        {"arena": "nowhere"},
        {"phases": ["flying"]},
        {"municipalities": []},
    ],
)
def test_bad_activity_input_shows_errors_and_saves_nothing(client, coordinator, org_a, bad):
    client.force_login(coordinator)
    response = client.post("/mapping/activities/new/", _activity_data(org_a, **bad))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'class="error-summary"' in response.content.decode()
    assert not Activity.objects.filter(code="NEW-1").exists()


def test_coordinator_cannot_create_for_another_organisation(client, coordinator, org_b):
    client.force_login(coordinator)
    response = client.post("/mapping/activities/new/", _activity_data(org_b))
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    assert not Activity.objects.filter(code="NEW-1").exists()


def test_coach_cannot_create_an_activity(client, coach, org_a):
    client.force_login(coach)
    assert client.post("/mapping/activities/new/", _activity_data(org_a)).status_code == 403
    assert not Activity.objects.exists()


# --- learning log ------------------------------------------------------------------------------


@pytest.fixture
def bed(org_a):
    return make_test_bed(code="TB-LOG", lead_organisation=org_a)


LOG = {"log-entry_date": "2025-06-01", "log-text": "Små grupper fungerar bäst."}


@pytest.mark.parametrize(
    ("persona", "status"), [("coach", 403), ("other_coordinator", 404), ("coordinator", 302)]
)
def test_learning_log_role_matrix(client, request, bed, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(f"/testbeds/{bed.code}/learning-log/", LOG)
    assert response.status_code == status
    assert LearningLogEntry.objects.filter(test_bed=bed).count() == (status == 302)


def test_learning_log_form_shown_only_to_editors(client, bed, coordinator, other_coordinator):
    client.force_login(coordinator)
    assert 'id="log-form-title"' in client.get(f"/testbeds/{bed.code}/").content.decode()
    client.force_login(other_coordinator)
    assert 'id="log-form-title"' not in client.get(f"/testbeds/{bed.code}/").content.decode()


def test_coordinator_adds_a_learning_log_entry(client, coordinator, bed):
    client.force_login(coordinator)
    response = client.post(f"/testbeds/{bed.code}/learning-log/", LOG)
    assert response.status_code == 302
    entry = LearningLogEntry.objects.get(test_bed=bed)
    assert entry.entry_date == dt.date(2025, 6, 1) and entry.text == LOG["log-text"]
    assert "Små grupper fungerar bäst." in client.get(f"/testbeds/{bed.code}/").content.decode()


@pytest.mark.parametrize("bad", [{"log-text": ""}, {"log-entry_date": "1 juni"}])
def test_bad_learning_log_input_shows_errors_and_saves_nothing(client, coordinator, bed, bad):
    client.force_login(coordinator)
    response = client.post(f"/testbeds/{bed.code}/learning-log/", {**LOG, **bad})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not LearningLogEntry.objects.exists()


def test_learning_log_needs_post(client, coordinator, bed):
    client.force_login(coordinator)
    assert client.get(f"/testbeds/{bed.code}/learning-log/").status_code == 405
