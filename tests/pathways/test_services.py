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


def _enrol(
    actor, unit, ref, *, personal_id=VALID_PNR, sharing=True, shared_with=(), extra=(), **values
):
    purposes = ({"case_work", "sharing"} if sharing else {"case_work"}) | set(extra)
    return services.participant_enrol(
        actor=actor,
        unit=unit,
        participant_ref=ref,
        personal_id=personal_id,
        entry_date=date(2025, 1, 10),
        consent=services.ConsentTerms(
            information_version="1",
            given_on=date(2025, 1, 10),
            purposes=frozenset(purposes),
            shared_with=tuple(shared_with),
        ),
        **values,
    )


def test_person_known_in_another_organisation_is_named_not_shown(
    coach, other_org_coach, org_a, org_b, unit_a1, unit_b1
):
    # given the person is registered by organisation B, agreeing to sharing
    _enrol(other_org_coach, unit_b1, "B-7")
    # when a coach of A registers the same person, also agreeing to sharing
    result = _enrol(coach, unit_a1, "A-1")
    # then the coach learns only that B knows the person, and the check is audited
    assert [o.code for o in result.known_elsewhere] == ["ORGB"]
    event = AuditEvent.objects.get(
        action="participant.known_elsewhere", target_id=str(result.participant.pk)
    )
    assert event.details == {"organisations": [str(org_b.pk)]}
    # and still cannot see B's record
    visible = Participant.objects.restrict(coach, "participant.view").values_list(
        "participant_ref", flat=True
    )
    assert list(visible) == ["A-1"]


def _org_c(geo):
    from emplus.organisations.models import Organisation

    return Organisation.objects.create(
        code="ORGC",
        name="Organisation C",
        sector="civil_society",
        kind="association",
        is_partner=True,
        municipality_id="0180",
    )


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        ({"sharing": False}, {}),  # B's participant did not agree to sharing
        ({}, {"sharing": False}),  # A's participant did not agree to sharing
        ({"shared_with": "C"}, {}),  # B's participant named another organisation
        ({}, {"shared_with": "C"}),  # A's participant named another organisation
    ],
)
def test_known_elsewhere_says_nothing_unless_both_consents_allow_it(
    coach, other_org_coach, unit_a1, unit_b1, geo, theirs, ours
):
    org_c = _org_c(geo)
    for options in (theirs, ours):
        if options.get("shared_with") == "C":
            options["shared_with"] = [org_c]
    _enrol(other_org_coach, unit_b1, "B-7", **theirs)
    result = _enrol(coach, unit_a1, "A-1", **ours)
    # the answer is the one for a person nobody else knows
    assert result.known_elsewhere == [] and not result.known_elsewhere_limited
    unknown = _enrol(coach, unit_a1, "A-2", personal_id=COORDINATION_NR, **ours)
    assert (unknown.known_elsewhere, unknown.known_elsewhere_limited) == (
        result.known_elsewhere,
        result.known_elsewhere_limited,
    )


def test_known_elsewhere_follows_the_newest_consent_there(
    coach, other_org_coach, org_a, unit_a1, unit_b1
):
    # given B's participant agreed to sharing, then gave a newer consent without it
    theirs = _enrol(other_org_coach, unit_b1, "B-7").participant
    services.consent_record(
        actor=other_org_coach,
        participant=theirs,
        information_version="2",
        given_on=date(2025, 2, 1),
        case_work=True,
    )
    # then A learns nothing
    assert _enrol(coach, unit_a1, "A-1").known_elsewhere == []


def test_known_elsewhere_is_limited_per_user_and_hour(
    coach, coordinator, other_org_coach, unit_a1, unit_b1, settings
):
    # given a limit of two persons an hour, and B knowing three persons
    settings.EMPLUS_KNOWN_ELSEWHERE_PER_HOUR = 2
    numbers = [VALID_PNR, COORDINATION_NR, "200101+0012"]
    for index, number in enumerate(numbers):
        _enrol(other_org_coach, unit_b1, f"B-{index}", personal_id=number)
    # when A registers all three
    results = [
        _enrol(coach, unit_a1, f"A-{index}", personal_id=number)
        for index, number in enumerate(numbers)
    ]
    # then the first two are checked, the third is not, and that is said and audited
    assert [bool(r.known_elsewhere) for r in results] == [True, True, False]
    assert [r.known_elsewhere_limited for r in results] == [False, False, True]
    assert AuditEvent.objects.filter(
        action="participant.known_elsewhere_limited", target_id=str(results[2].participant.pk)
    ).exists()
    # looking again at a person already checked is not another check
    again = selectors.participant_known_elsewhere(viewer=coach, participant=results[0].participant)
    assert again.organisations and not again.limited
    # and another user has a budget of their own
    other = selectors.participant_known_elsewhere(
        viewer=coordinator, participant=results[2].participant
    )
    assert [o.code for o in other.organisations] == ["ORGB"] and not other.limited


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


def test_withdrawal_clears_special_categories_recorded_on_consent(coach, org_a, unit_a1):
    # given disability and minority recorded on the participant's consent
    registration = _enrol(
        coach,
        unit_a1,
        "A-1",
        sharing=False,
        disability="yes",
        minority="no",
        special_category_basis="consent",
        extra=["special_categories"],
    )
    participant = registration.participant
    participant.refresh_from_db()
    assert participant.disability == "yes"
    # when the consent is withdrawn
    services.consent_withdraw(
        actor=coach, consent=selectors.consent_current(participant=participant)
    )
    # then the values and their basis are gone, and the clearing is audited by field name
    participant.refresh_from_db()
    assert (participant.disability, participant.minority, participant.special_category_basis) == (
        "",
        "",
        "",
    )
    event = AuditEvent.objects.get(action="participant.special_categories_cleared")
    assert event.details == {"fields": ["disability", "minority"], "reason": "consent"}


def test_a_newer_consent_without_special_categories_clears_them(coach, org_a, unit_a1):
    participant = _enrol(
        coach,
        unit_a1,
        "A-1",
        sharing=False,
        disability="yes",
        special_category_basis="consent",
        extra=["special_categories"],
    ).participant
    services.consent_record(
        actor=coach,
        participant=participant,
        information_version="2",
        given_on=date(2025, 3, 1),
        case_work=True,
    )
    participant.refresh_from_db()
    assert participant.disability == "" and participant.special_category_basis == ""


def test_sharing_follows_the_newest_consent_only(coach, other_org_coach, org_b, unit_a1):
    # given an older consent that shares with B and a newer one that does not
    participant = _register(coach, unit_a1.organisation, unit_a1).participant
    services.consent_record(
        actor=coach,
        participant=participant,
        information_version="1",
        given_on=date(2025, 1, 1),
        case_work=True,
        sharing=True,
        shared_with=[org_b],
    )
    assert (
        Participant.objects.restrict(other_org_coach, "participant.view")
        .filter(pk=participant.pk)
        .exists()
    )
    newer = services.consent_record(
        actor=coach,
        participant=participant,
        information_version="2",
        given_on=date(2025, 2, 1),
        case_work=True,
    )
    # then B sees nothing any more
    assert not Participant.objects.restrict(other_org_coach, "participant.view").exists()
    # and withdrawing the newer one does not bring the older, wider one back
    services.consent_withdraw(actor=coach, consent=newer)
    assert not Participant.objects.restrict(other_org_coach, "participant.view").exists()
    assert selectors.consent_current(participant=participant) is None


def test_another_legal_basis_never_covers_sharing_or_special_categories(coach, org_a, unit_a1):
    participant = _register(coach, org_a, unit_a1).participant
    for purpose in ("sharing", "special_categories"):
        with pytest.raises(ValidationError) as error:
            services.consent_record(
                actor=coach,
                participant=participant,
                information_version="1",
                given_on=date(2025, 1, 1),
                legal_basis="legal_obligation",
                case_work=True,
                **{purpose: True},
            )
        assert "legal_basis" in error.value.message_dict
    basis = services.consent_record(
        actor=coach,
        participant=participant,
        information_version="1",
        given_on=date(2025, 1, 1),
        legal_basis="legal_obligation",
        case_work=True,
        statistics=True,
    )
    assert basis.legal_basis == "legal_obligation"
    event = AuditEvent.objects.filter(action="consent.recorded").last()
    assert event.details["legal_basis"] == "legal_obligation"


def test_enrolment_needs_case_work_and_writes_nothing_without_it(coach, unit_a1):
    with pytest.raises(ValidationError) as error:
        services.participant_enrol(
            actor=coach,
            unit=unit_a1,
            participant_ref="A-1",
            entry_date=date(2025, 1, 10),
            consent=services.ConsentTerms(
                information_version="1",
                given_on=date(2025, 1, 10),
                purposes=frozenset({"statistics"}),
            ),
        )
    assert "purposes" in error.value.message_dict
    assert not Participant.objects.exists()


def test_special_categories_on_consent_need_a_consent_that_covers_them(coach, unit_a1):
    # given a participant whose consent leaves out disability and minority
    participant = _enrol(coach, unit_a1, "A-1", sharing=False).participant
    # when the coach records a disability on consent
    with pytest.raises(ValidationError) as error:
        services.participant_update(
            actor=coach,
            participant=participant,
            disability="yes",
            special_category_basis="consent",
        )
    # then it is refused and nothing is stored
    assert "special_category_basis" in error.value.message_dict
    participant.refresh_from_db()
    assert participant.disability == "" and participant.special_category_basis == ""
    # once the consent covers them, the value is stored
    services.consent_record(
        actor=coach,
        participant=participant,
        information_version="2",
        given_on=date(2025, 2, 1),
        case_work=True,
        special_categories=True,
    )
    services.participant_update(
        actor=coach, participant=participant, disability="yes", special_category_basis="consent"
    )
    participant.refresh_from_db()
    assert participant.disability == "yes"
