"""Self-service services: one-time links (hashed, expiring, revocable, used once, replayable),
attested time (derived, edited, locked attestations) and their audit entries."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from emplus.core.models import AuditEvent
from emplus.pathways import services as pathway_services
from emplus.selfservice import selectors, services
from emplus.selfservice.choices import AttestationMethod, LinkPurpose, LinkState, TimeStatus
from emplus.selfservice.models import LockedError, MonthlyTime, SelfServiceLink, TimeAttestation
from emplus.selfservice.tokens import token_hash
from tests.selfservice.conftest import MARCH, scores

pytestmark = pytest.mark.django_db


def _link(coach, participant, instrument, **kwargs):
    return services.selfservice_link_create(
        actor=coach,
        participant=participant,
        purpose=LinkPurpose.ASSESSMENT,
        instrument=instrument,
        **kwargs,
    )


def _actions(participant) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(participant.pk)).values_list("action", flat=True)
    )


# --- links -----------------------------------------------------------------------------------


def test_a_link_stores_only_the_hash_of_an_unguessable_token(coach, participant, instrument):
    # when a coach creates a link
    created = _link(coach, participant, instrument)
    # then the token is long and random, and only its hash is stored
    assert len(created.token) == 32 and created.token != _link(coach, participant, instrument).token
    link = SelfServiceLink.objects.get(pk=created.link.pk)
    assert link.token_hash == token_hash(created.token)
    assert created.token not in str(SelfServiceLink.objects.filter(pk=link.pk).values().get())
    assert selectors.link_by_token(token=created.token).pk == link.pk
    assert "selfservice_link.created" in _actions(participant)
    assert created.token not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_a_new_link_revokes_the_earlier_unused_one(coach, participant, instrument):
    first = _link(coach, participant, instrument)
    second = _link(coach, participant, instrument)
    first.link.refresh_from_db()
    assert first.link.state() == LinkState.REVOKED
    assert selectors.link_by_token(token=second.token).pk == second.link.pk


def test_a_link_works_once_and_the_same_submission_is_answered_again(
    coach, participant, instrument
):
    created = _link(coach, participant, instrument)
    link = selectors.link_by_token(token=created.token)
    key = uuid.uuid4()
    # when the participant sends their answers
    use = services.selfservice_link_use_for_assessment(
        link=link, key=key, scores=scores(instrument, 7)
    )
    # then an assessment marked as theirs is saved on the open enrolment
    assessment = use.assessment
    assert not use.replay and assessment.entered_by_participant and assessment.recorded_by is None
    assert assessment.enrolment == participant.enrolments.get()
    assert {s.value for s in assessment.scores.all()} == {7}
    # the same submission again (a lost answer) gets the same result, nothing new
    again = services.selfservice_link_use_for_assessment(
        link=link, key=key, scores=scores(instrument, 7)
    )
    assert again.replay and again.assessment.pk == assessment.pk
    assert participant.enrolments.get().assessments.count() == 1
    # another submission is refused
    with pytest.raises(services.LinkUnavailable) as refused:
        services.selfservice_link_use_for_assessment(
            link=link, key=uuid.uuid4(), scores=scores(instrument, 3)
        )
    assert refused.value.state == LinkState.USED
    assert _actions(participant).count("selfservice_link.used") == 1


def test_expired_and_revoked_links_cannot_be_used(coach, participant, instrument):
    created = _link(coach, participant, instrument, valid_days=1)
    later = timezone.now() + timedelta(days=1, seconds=1)
    with pytest.raises(services.LinkUnavailable) as refused:
        services.selfservice_link_use_for_assessment(
            link=created.link, key=uuid.uuid4(), scores=scores(instrument), now=later
        )
    assert refused.value.state == LinkState.EXPIRED
    services.selfservice_link_revoke(actor=coach, link=created.link)
    with pytest.raises(services.LinkUnavailable) as refused:
        services.selfservice_link_use_for_assessment(
            link=created.link, key=uuid.uuid4(), scores=scores(instrument)
        )
    assert refused.value.state == LinkState.REVOKED
    assert "selfservice_link.revoked" in _actions(participant)


def test_a_used_link_cannot_be_revoked(coach, participant, instrument):
    created = _link(coach, participant, instrument)
    services.selfservice_link_use_for_assessment(
        link=created.link, key=uuid.uuid4(), scores=scores(instrument)
    )
    with pytest.raises(ValidationError):
        services.selfservice_link_revoke(actor=coach, link=created.link)


def test_links_need_an_open_enrolment_an_instrument_and_a_sane_validity(
    coach, participant, instrument
):
    with pytest.raises(ValidationError):
        _link(coach, participant, instrument, valid_days=0)
    with pytest.raises(ValidationError):
        _link(coach, participant, instrument, valid_days=31)
    with pytest.raises(ValidationError):
        _link(coach, participant, None)
    enrolment = participant.enrolments.get()
    pathway_services.enrolment_exit(
        actor=coach, enrolment=enrolment, exit_date=date(2025, 6, 30), reason="completed"
    )
    with pytest.raises(ValidationError):
        _link(coach, participant, instrument)


def test_wrong_scores_leave_the_link_unused(coach, participant, instrument):
    created = _link(coach, participant, instrument)
    with pytest.raises(ValidationError):
        services.selfservice_link_use_for_assessment(
            link=created.link, key=uuid.uuid4(), scores={"goal": 11}
        )
    created.link.refresh_from_db()
    assert created.link.state() == LinkState.PENDING


# --- attested time ---------------------------------------------------------------------------


def test_hours_come_from_the_steps_until_the_coach_sets_them(coach, participant):
    row = selectors.participant_month(participant=participant, month=MARCH)
    assert row.hours == Decimal("31.0") and row.version == 0 and row.status == TimeStatus.MISSING
    monthly = services.monthly_time_set_hours(
        actor=coach, participant=participant, month=MARCH, hours="28,5", base_version=0
    )
    assert monthly.hours == Decimal("28.5") and monthly.version == 2
    assert "monthly_time.hours_set" in _actions(participant)


def test_a_change_after_the_form_was_loaded_is_a_conflict_not_an_overwrite(coach, participant):
    services.monthly_time_set_hours(actor=coach, participant=participant, month=MARCH, hours=20)
    with pytest.raises(services.Conflict) as conflict:
        services.monthly_time_set_hours(
            actor=coach, participant=participant, month=MARCH, hours=25, base_version=0
        )
    assert conflict.value.details["hours"] == "20.0"
    assert MonthlyTime.objects.get(participant=participant, month=MARCH).hours == Decimal("20.0")


def test_hours_only_for_enrolled_months_that_have_begun(coach, participant):
    with pytest.raises(ValidationError):
        services.monthly_time_set_hours(
            actor=coach, participant=participant, month=date(2024, 12, 1), hours=3
        )
    future = (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=1)
    with pytest.raises(ValidationError):
        services.monthly_time_set_hours(actor=coach, participant=participant, month=future, hours=3)
    with pytest.raises(ValidationError):
        services.monthly_time_set_hours(actor=coach, participant=participant, month=MARCH, hours=-1)


def test_a_paper_attestation_is_locked_and_a_change_of_hours_needs_a_new_one(coach, participant):
    # given a paper attestation of March's 31 hours
    attestation = services.time_attestation_record_paper(
        actor=coach, participant=participant, month=MARCH, paper_date=date(2025, 4, 3)
    )
    assert attestation.method == AttestationMethod.PAPER and attestation.hours == Decimal("31.0")
    row = selectors.participant_month(participant=participant, month=MARCH)
    assert row.status == TimeStatus.ATTESTED
    # it cannot be changed
    attestation.hours = Decimal("1")
    with pytest.raises(LockedError):
        attestation.save()
    # a second one for the same hours is refused
    with pytest.raises(services.Conflict):
        services.time_attestation_record_paper(
            actor=coach, participant=participant, month=MARCH, paper_date=date(2025, 4, 4)
        )
    # when the hours change, the month needs a new attestation
    services.monthly_time_set_hours(actor=coach, participant=participant, month=MARCH, hours=30)
    row = selectors.participant_month(participant=participant, month=MARCH)
    assert row.status == TimeStatus.CHANGED and row.earlier.pk == attestation.pk
    services.time_attestation_record_paper(
        actor=coach, participant=participant, month=MARCH, paper_date=date(2025, 4, 5)
    )
    row = selectors.participant_month(participant=participant, month=MARCH)
    assert row.status == TimeStatus.ATTESTED and row.attestation.hours == Decimal("30.0")
    assert TimeAttestation.objects.count() == 2
    assert _actions(participant).count("time_attestation.recorded") == 2


def test_a_paper_cannot_be_dated_before_the_month_or_in_the_future(coach, participant):
    for day in (date(2025, 2, 28), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(ValidationError):
            services.time_attestation_record_paper(
                actor=coach, participant=participant, month=MARCH, paper_date=day
            )


def test_the_participant_attests_the_hours_they_were_shown(coach, participant):
    created = services.selfservice_link_create(
        actor=coach, participant=participant, purpose=LinkPurpose.ATTEST_TIME, month=MARCH
    )
    # hours changed after the participant opened the page: a conflict, nothing attested
    services.monthly_time_set_hours(actor=coach, participant=participant, month=MARCH, hours=30)
    with pytest.raises(services.Conflict):
        services.selfservice_link_use_for_attestation(
            link=created.link, key=uuid.uuid4(), hours_seen="31.0"
        )
    use = services.selfservice_link_use_for_attestation(
        link=created.link, key=uuid.uuid4(), hours_seen="30.0"
    )
    attestation = use.attestation
    assert attestation.method == AttestationMethod.PARTICIPANT_LINK
    assert attestation.signed_at is not None and attestation.link_id == created.link.pk
    row = selectors.participant_month(participant=participant, month=MARCH)
    assert row.status == TimeStatus.ATTESTED


def test_no_attestation_link_for_a_month_without_hours_or_already_attested(coach, participant):
    with pytest.raises(ValidationError):  # February: enrolled, no steps
        services.selfservice_link_create(
            actor=coach,
            participant=participant,
            purpose=LinkPurpose.ATTEST_TIME,
            month=date(2025, 2, 1),
        )
    services.time_attestation_record_paper(
        actor=coach, participant=participant, month=MARCH, paper_date=date(2025, 4, 3)
    )
    with pytest.raises(ValidationError):
        services.selfservice_link_create(
            actor=coach, participant=participant, purpose=LinkPurpose.ATTEST_TIME, month=MARCH
        )


def test_the_unit_overview_counts_attested_and_missing(coach, participant, unit_a1):
    from tests.selfservice.conftest import enrol

    second = enrol(coach, unit_a1, ref="P2")
    services.time_attestation_record_paper(
        actor=coach, participant=participant, month=MARCH, paper_date=date(2025, 4, 3)
    )
    overview = selectors.time_overview(viewer=coach, unit=unit_a1, month=MARCH)
    by_ref = {row.participant.participant_ref: row for row in overview.rows}
    assert by_ref["P1"].status == TimeStatus.ATTESTED
    assert by_ref["P2"].status == TimeStatus.MISSING
    summary = overview.summary
    assert (summary.attested, summary.missing) == (1, 1)
    assert summary.attested_hours == Decimal("31.0") and summary.total_hours == Decimal("62.0")
    assert second.pk in {row.participant.pk for row in overview.rows}
