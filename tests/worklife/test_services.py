"""Employers and placements: validated, audited, scoped; a placement is a step of its phase."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from emplus.core.models import AuditEvent
from emplus.pathways import selectors as pathway_selectors
from emplus.pathways.models import PathwayStep
from emplus.pathways.rights import participant_erase
from emplus.worklife import selectors, services
from emplus.worklife.models import Employer, WorkplacePlacement

from .conftest import ORG_NUMBER, ORG_NUMBER_2, make_employer, make_participant

pytestmark = pytest.mark.django_db


def _place(actor, participant, employer, **values):
    return services.placement_record(
        actor=actor,
        participant=participant,
        employer=employer,
        **{"kind": "work_trial", "started_on": date(2025, 2, 3), **values},
    )


# --- employers --------------------------------------------------------------------------------


def test_employer_created_with_digits_and_audited(coach, org_a):
    employer = make_employer(coach, org_a)
    assert employer.organisation_number == "5560360793"
    assert employer.organisation_number_display == ORG_NUMBER
    event = AuditEvent.objects.get(action="employer.created")
    assert event.target_id == str(employer.pk)
    assert event.organisation_id == org_a.pk


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("556036-0794", "checksum"),
        ("5560360", "format"),
        ("19900101-0017", "format"),
        ("900101-0017", "personal"),
    ],
)
def test_bad_organisation_number_is_named_and_nothing_is_written(coach, org_a, number, code):
    with pytest.raises(ValidationError) as raised:
        make_employer(coach, org_a, number=number)
    assert "organisation_number" in raised.value.message_dict
    assert raised.value.error_dict["organisation_number"][0].code == code
    assert not Employer.objects.exists()
    assert not AuditEvent.objects.filter(action="employer.created").exists()


def test_bad_sni_division_is_named(coach, org_a):
    with pytest.raises(ValidationError) as raised:
        services.employer_create(
            actor=coach,
            organisation=org_a,
            name="X",
            organisation_number=ORG_NUMBER,
            sni_division="04",
            municipality=org_a.municipality,
            size_band="1-9",
        )
    assert "sni_division" in raised.value.message_dict
    assert not Employer.objects.exists()


def test_same_number_twice_in_one_organisation_is_refused(coach, org_a, employer):
    with pytest.raises(ValidationError) as raised:
        make_employer(coach, org_a, number=ORG_NUMBER)
    assert "organisation_number" in raised.value.message_dict


def test_employer_only_in_own_organisation(coach, org_b):
    with pytest.raises(PermissionDenied):
        make_employer(coach, org_b)


def test_units_must_belong_to_owner_or_partner(coach, org_a, org_b, unit_a1, unit_b1):
    with pytest.raises(ValidationError) as raised:
        make_employer(coach, org_a, partner_units=[unit_b1])
    assert "B Malmö" in raised.value.message_dict["partner_units"][0]
    assert not Employer.objects.exists()
    employer = make_employer(
        coach, org_a, partner_organisations=[org_b], partner_units=[unit_a1, unit_b1]
    )
    assert set(employer.partner_units.all()) == {unit_a1, unit_b1}


def test_employer_read_by_owner_and_partners_only(
    coach, other_org_coach, coordinator_b, org_a, org_b, employer
):
    assert list(selectors.employer_list(viewer=coach)) == [employer]
    assert list(selectors.employer_list(viewer=other_org_coach)) == []
    with pytest.raises(Http404):
        selectors.employer_get(viewer=other_org_coach, pk=employer.pk)
    services.employer_update(
        actor=coach,
        employer=employer,
        name=employer.name,
        organisation_number=ORG_NUMBER,
        sni_division="10",
        municipality=employer.municipality,
        size_band="10-49",
        partner_organisations=[org_b],
    )
    assert selectors.employer_get(viewer=other_org_coach, pk=employer.pk) == employer
    # ... but a partner does not change it
    with pytest.raises(Http404):
        selectors.employer_for_change(viewer=coordinator_b, pk=employer.pk)
    with pytest.raises(PermissionDenied):
        services.employer_contact_add(actor=coordinator_b, employer=employer, name="Kim")


def test_contact_added_and_removed_audited(coach, employer):
    contact = services.employer_contact_add(
        actor=coach, employer=employer, name="Kim Berg", title="HR", email="kim@example.se"
    )
    assert list(employer.contacts.all()) == [contact]
    services.employer_contact_remove(actor=coach, contact=contact)
    assert not employer.contacts.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"employer.contact_added", "employer.contact_removed"} <= actions


# --- placements -------------------------------------------------------------------------------


def test_placement_is_a_step_of_its_phase_and_in_the_timeline(coach, participant, employer):
    placement = _place(coach, participant, employer, hours_per_week=Decimal("20"))
    step = placement.step
    assert step.phase == "train"
    assert step.started_on == date(2025, 2, 3)
    assert employer.name in step.activity
    event = AuditEvent.objects.get(action="placement.recorded")
    assert event.target_id == str(participant.pk)
    enrolment = participant.enrolments.get()
    timeline = pathway_selectors.enrolment_timeline(enrolment=enrolment)
    assert [i.kind for i in timeline] == ["entry", "step"]
    assert employer.name in timeline[1].text


def test_placement_update_moves_its_step(coach, participant, employer):
    placement = _place(coach, participant, employer)
    services.placement_update(
        actor=coach,
        placement=placement,
        employer=employer,
        kind="employment",
        started_on=date(2025, 2, 3),
        ended_on=date(2025, 5, 30),
        outcome="offered_employment",
    )
    placement.refresh_from_db()
    assert placement.step.phase == "support"
    assert placement.step.ended_on == date(2025, 5, 30)
    assert AuditEvent.objects.filter(action="placement.changed").count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"ended_on": date(2025, 1, 1)}, "ended_on"),
        ({"outcome": "ended_as_planned"}, "ended_on"),
        ({"ended_on": date(2025, 3, 1), "outcome": "ended_early"}, "outcome_reason"),
        ({"started_on": date(2024, 12, 1)}, "started_on"),
        ({"kind": "holiday"}, "kind"),
    ],
)
def test_bad_placement_names_the_field_and_writes_nothing(
    coach, participant, employer, values, field
):
    with pytest.raises(ValidationError) as raised:
        _place(coach, participant, employer, **values)
    assert field in raised.value.message_dict
    assert not WorkplacePlacement.objects.exists()
    assert not PathwayStep.objects.exists()


def test_placement_needs_open_pathway(coach, unit_a1, employer):
    participant = make_participant(coach, unit_a1, ref="P2")
    enrolment = participant.enrolments.get()
    enrolment.exit_date = date(2025, 1, 20)
    enrolment.save()
    with pytest.raises(ValidationError) as raised:
        _place(coach, participant, employer)
    assert "participant" in raised.value.message_dict


def test_placement_at_an_employer_not_seen_is_refused(coach, participant, coordinator_b, org_b):
    foreign = make_employer(coordinator_b, org_b, number=ORG_NUMBER_2)
    with pytest.raises(ValidationError) as raised:
        _place(coach, participant, foreign)
    assert "employer" in raised.value.message_dict


def test_other_unit_and_organisation_reach_no_placement(
    coach, other_unit_coach, other_org_coach, participant, employer
):
    placement = _place(coach, participant, employer)
    assert selectors.placement_for_change(viewer=coach, pk=placement.pk) == placement
    for outsider in (other_unit_coach, other_org_coach):
        with pytest.raises(Http404):
            selectors.placement_for_change(viewer=outsider, pk=placement.pk)
        assert not selectors.participant_placements(viewer=outsider, participant=participant)
        with pytest.raises(PermissionDenied):
            _place(outsider, participant, employer)
    # a coach of another unit of the owning organisation sees the employer, not the person
    assert selectors.employer_placements(viewer=other_unit_coach, employer=employer) == []
    assert selectors.employer_placements(viewer=coach, employer=employer) == [placement]


def test_outcomes_suppressed_outside_owner(
    coach, unit_a1, participant, employer, org_b, other_org_coach
):
    services.employer_update(
        actor=coach,
        employer=employer,
        name=employer.name,
        organisation_number=ORG_NUMBER,
        sni_division="10",
        municipality=employer.municipality,
        size_band="10-49",
        partner_organisations=[org_b],
    )
    for n in range(3):
        p = participant if n == 0 else make_participant(coach, unit_a1, ref=f"P{n + 2}")
        _place(coach, p, employer, ended_on=date(2025, 3, 1), outcome="offered_employment")
    own = selectors.employer_outcomes(viewer=coach, employer=employer)
    assert (own.ended, own.offered, own.suppressed) == (3, 3, False)
    outside = selectors.employer_outcomes(viewer=other_org_coach, employer=employer)
    assert outside.suppressed
    assert outside.ended is None and outside.offered is None
    assert outside.running == 0  # zero identifies nobody


def test_erasure_clears_the_free_text_and_keeps_the_statistics(
    coach, coordinator, participant, employer
):
    placement = _place(
        coach,
        participant,
        employer,
        supervisor="Sara Handledare",
        goals="Lära sig kassan hos Sara",
        ended_on=date(2025, 3, 1),
        outcome="ended_early",
        outcome_reason="Bråk med Sara",
    )
    education = services.education_record(
        actor=coach,
        participant=participant,
        provider_kind="folk_high_school",
        provider_name="Folkhögskolan",
        programme="Allmän kurs",
        started_on=date(2025, 2, 1),
        planned_end=date(2025, 6, 1),
        ended_on=date(2025, 3, 1),
        status="interrupted",
        interruption_reason="Sjuk, se journal",
    )
    participant_erase(actor=coordinator, participant=participant)
    placement.refresh_from_db()
    education.refresh_from_db()
    assert (placement.supervisor, placement.goals, placement.outcome_reason) == ("", "", "–")
    assert placement.outcome == "ended_early" and placement.kind == "work_trial"
    assert education.interruption_reason == "–" and education.status == "interrupted"
    placement.full_clean()
    education.full_clean()
