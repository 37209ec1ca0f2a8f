"""Pathway services: identity checks, duplicates across organisations, consent and its
withdrawal, enrolment exit with follow-up, assessments, and the scope of each role."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import override

from emplus.core.models import AuditEvent
from emplus.pathways import selectors, services
from emplus.pathways.models import FollowUp, Instrument, Participant

pytestmark = pytest.mark.django_db

# Generated for tests only (valid check digits); never used in demo data.
VALID_PNR = "19900101-0017"
COORDINATION_NR = "19900161-0014"  # day 01 + 60


def _register(actor, org, unit, ref="P1", **values):
    return services.participant_register(
        actor=actor,
        organisation=org,
        unit=unit,
        participant_ref=ref,
        given_name="Testa",
        family_name="Person",
        **values,
    )


def test_register_stores_identity_encrypted_with_a_pseudonym(coach, org_a, unit_a1):
    # when
    result = _register(coach, org_a, unit_a1, personal_id=VALID_PNR)
    participant = result.participant
    # then the number is normalised, the birth date derived, and nothing readable is stored
    participant.refresh_from_db()
    assert participant.personal_id == "199001010017"
    assert participant.birth_date == date(1990, 1, 1)
    assert len(participant.pseudonym) == 64 and "0017" not in participant.pseudonym
    with connection.cursor() as cursor:
        cursor.execute("SELECT personal_id, given_name FROM pathways_participant")
        raw_id, raw_name = cursor.fetchone()
    assert "0017" not in raw_id and raw_name != "Testa"
    assert AuditEvent.objects.filter(
        action="participant.created", target_id=str(participant.pk)
    ).exists()


@pytest.mark.parametrize(
    ("personal_id", "message"),
    [
        ("19900101-0018", "check digit"),
        ("19900230-0010", "impossible date"),
        ("12345", "expected 10 or 12 digits"),
    ],
)
def test_bad_personal_ids_are_rejected_with_a_clear_message(
    coach, org_a, unit_a1, personal_id, message
):
    with pytest.raises(ValidationError) as error:
        _register(coach, org_a, unit_a1, personal_id=personal_id)
    text = str(error.value.message_dict["personal_id"])
    assert message in text
    assert personal_id not in text  # never echoed
    assert not Participant.objects.exists()


@override("en")
def test_personal_id_must_agree_with_the_birth_date(coach, org_a, unit_a1):
    with pytest.raises(ValidationError) as error:
        _register(coach, org_a, unit_a1, personal_id=VALID_PNR, birth_date=date(1990, 1, 2))
    assert "does not match" in str(error.value.message_dict["personal_id"])


def test_coordination_number_and_plus_form_are_accepted(coach, org_a, unit_a1):
    _register(coach, org_a, unit_a1, ref="S1", personal_id=COORDINATION_NR)
    plus = _register(coach, org_a, unit_a1, ref="OLD", personal_id="200101+0012").participant
    assert plus.birth_date.year < 1926  # '+' means a hundred years or more


def test_special_categories_need_a_recorded_basis(coach, org_a, unit_a1):
    with pytest.raises(ValidationError):
        _register(coach, org_a, unit_a1, disability="yes")
    ok = _register(
        coach, org_a, unit_a1, ref="P2", disability="yes", special_category_basis="consent"
    ).participant
    assert ok.disability == "yes"


def test_person_known_in_another_organisation_is_named_not_shown(
    coach, other_org_coach, org_a, org_b, unit_a1, unit_b1
):
    # given the person is registered by organisation B
    _register(other_org_coach, org_b, unit_b1, ref="B-7", personal_id=VALID_PNR)
    # when a coach of A registers the same person
    result = _register(coach, org_a, unit_a1, ref="A-1", personal_id=VALID_PNR)
    # then the coach learns only that B knows the person
    assert [o.code for o in result.known_elsewhere] == ["ORGB"]
    # and still cannot see B's record
    visible = Participant.objects.restrict(coach, "participant.view").values_list(
        "participant_ref", flat=True
    )
    assert list(visible) == ["A-1"]


def test_same_person_twice_in_one_organisation_is_refused(coach, org_a, unit_a1):
    _register(coach, org_a, unit_a1, ref="A-1", personal_id=VALID_PNR)
    with pytest.raises(ValidationError):
        _register(coach, org_a, unit_a1, ref="A-2", personal_id=VALID_PNR)


def test_scope_coach_unit_coordinator_organisation_nobody_else(
    coach, coordinator, analyst, other_org_coach, org_a, unit_a1, unit_a2
):
    _register(coordinator, org_a, unit_a1, ref="U1")
    _register(coordinator, org_a, unit_a2, ref="U2")

    def refs(user):
        return sorted(
            Participant.objects.restrict(user, "participant.view").values_list(
                "participant_ref", flat=True
            )
        )

    assert refs(coach) == ["U1"]
    assert refs(coordinator) == ["U1", "U2"]
    assert refs(analyst) == []
    assert refs(other_org_coach) == []


def test_sharing_consent_opens_read_access_and_withdrawal_closes_it_at_once(
    coach, other_org_coach, org_a, org_b, unit_a1
):
    participant = _register(coach, org_a, unit_a1).participant
    consent = services.consent_record(
        actor=coach,
        participant=participant,
        information_version="1",
        given_on=date(2026, 1, 1),
        case_work=True,
        sharing=True,
        shared_with=[org_b],
    )
    assert (
        Participant.objects.restrict(other_org_coach, "participant.view")
        .filter(pk=participant.pk)
        .exists()
    )
    # but only the owner may change it
    assert not Participant.objects.restrict(other_org_coach, "participant.change").exists()
    services.consent_withdraw(actor=coach, consent=consent)
    assert not Participant.objects.restrict(other_org_coach, "participant.view").exists()


def test_exit_schedules_the_six_month_follow_up_and_withdrawal_stops_contact(coach, org_a, unit_a1):
    participant = _register(coach, org_a, unit_a1).participant
    consent = services.consent_record(
        actor=coach,
        participant=participant,
        information_version="1",
        given_on=date(2025, 1, 1),
        case_work=True,
        follow_up=True,
    )
    enrolment = services.enrolment_start(
        actor=coach, participant=participant, entry_date=date(2025, 1, 1)
    )
    services.enrolment_exit(
        actor=coach, enrolment=enrolment, exit_date=date(2025, 8, 31), reason="job", employed=True
    )
    follow_up = FollowUp.objects.get(enrolment=enrolment)
    assert follow_up.due_on == date(2026, 2, 28)
    assert list(selectors.followups_due(viewer=coach, on=date(2026, 2, 27))) == []
    assert list(selectors.followups_due(viewer=coach, on=date(2026, 3, 1))) == [follow_up]
    services.consent_withdraw(actor=coach, consent=consent)
    assert list(selectors.followups_due(viewer=coach, on=date(2026, 3, 1))) == []


def test_exit_before_entry_is_refused(coach, org_a, unit_a1):
    participant = _register(coach, org_a, unit_a1).participant
    enrolment = services.enrolment_start(
        actor=coach, participant=participant, entry_date=date(2025, 5, 1)
    )
    with pytest.raises(ValidationError):
        services.enrolment_exit(
            actor=coach, enrolment=enrolment, exit_date=date(2025, 4, 1), reason="job"
        )
    assert not FollowUp.objects.exists()


def test_assessment_needs_every_dimension_on_the_scale(coach, org_a, unit_a1):
    participant = _register(coach, org_a, unit_a1).participant
    enrolment = services.enrolment_start(
        actor=coach, participant=participant, entry_date=date(2025, 5, 1)
    )
    instrument = Instrument.objects.get(code="VAGEN")
    codes = list(instrument.dimensions.values_list("code", flat=True))
    assert len(codes) == 9
    with pytest.raises(ValidationError) as error:
        services.assessment_record(
            actor=coach,
            enrolment=enrolment,
            instrument=instrument,
            assessed_on=date(2025, 5, 2),
            scores={codes[0]: 11, **dict.fromkeys(codes[2:], 5)},
        )
    assert set(error.value.message_dict) == {codes[0], codes[1]}
    assessment = services.assessment_record(
        actor=coach,
        enrolment=enrolment,
        instrument=instrument,
        assessed_on=date(2025, 5, 2),
        scores=dict.fromkeys(codes, 5),
    )
    assert assessment.scores.count() == 9
    assert assessment.recorded_by == coach and not assessment.entered_by_participant


def test_an_assessment_entered_by_the_participant_is_marked_and_has_no_recorder(
    coach, org_a, unit_a1
):
    # given an enrolled participant
    participant = _register(coach, org_a, unit_a1).participant
    enrolment = services.enrolment_start(
        actor=coach, participant=participant, entry_date=date(2025, 5, 1)
    )
    instrument = Instrument.objects.get(code="VAGEN")
    codes = list(instrument.dimensions.values_list("code", flat=True))
    # when the participant's own answers are recorded (no account: no actor)
    assessment = services.assessment_record(
        actor=None,
        enrolment=enrolment,
        instrument=instrument,
        assessed_on=date(2025, 5, 2),
        scores=dict.fromkeys(codes, 6),
        entered_by_participant=True,
    )
    # then it is marked as theirs, recorded by nobody, and audited as such
    assert assessment.entered_by_participant and assessment.recorded_by is None
    event = AuditEvent.objects.filter(action="assessment.recorded").last()
    assert event.details["entered_by_participant"] is True and event.actor_id is None


def test_reading_a_participant_is_audited_and_other_organisations_get_404(
    coach, other_org_coach, org_a, unit_a1
):
    from django.http import Http404

    participant = _register(coach, org_a, unit_a1).participant
    selectors.participant_get(viewer=coach, pk=participant.pk)
    assert AuditEvent.objects.filter(action="participant.viewed", actor_id=coach.pk).count() == 1
    with pytest.raises(Http404):
        selectors.participant_get(viewer=other_org_coach, pk=participant.pk)


def test_listing_the_caseload_is_audited_with_the_records_shown(coach, org_a, unit_a1):
    participant = _register(coach, org_a, unit_a1).participant
    # when
    shown = selectors.participant_list(viewer=coach)
    # then
    assert shown == [participant]
    event = AuditEvent.objects.filter(action="participant.listed", actor_id=coach.pk).get()
    assert event.details == {"participants": [str(participant.pk)]}
