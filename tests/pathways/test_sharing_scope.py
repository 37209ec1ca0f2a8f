"""restrict() leaves the OR of consent sharing out when no consent could share anyone with the
viewer's organisations (decision 42): the rows are exactly those of the scope with the OR, and
the look-up costs one query per request and user, not one per restrict()."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from tests.factories import (
    ConsentFactory,
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    _coordinator_of,
    make_user,
)

from emplus.core.roles import Role
from emplus.pathways import querysets, services
from emplus.pathways.models import Enrolment, FollowUp, Participant

PARTICIPANT_VIEW = "participant.view"


def _visible(user, model=Participant, permission=PARTICIPANT_VIEW) -> set:
    return set(model.objects.restrict(user, permission).values_list("pk", flat=True))


def _fresh(user):
    # A new request: the memberships and the sharing look-up are read again.
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def org_c(geo):
    return OrganisationFactory(code="ORGC", name="Organisation C", municipality_id="0180")


@pytest.fixture
def viewers(org_a, org_b, org_c, unit_a1, unit_b1):
    mixed = make_user("mixed", org_a, Role.COORDINATOR)
    MembershipFactory(user=mixed, organisation=org_b, role=Role.COACH, unit=unit_b1)
    return [
        make_user("coach-a1", org_a, Role.COACH, unit_a1),
        make_user("coordinator-a", org_a, Role.COORDINATOR),
        make_user("coach-b1", org_b, Role.COACH, unit_b1),
        make_user("coordinator-c", org_c, Role.COORDINATOR),
        make_user("analyst-a", org_a, Role.ANALYST),
        mixed,
    ]


# One participant: where it is registered, its consents oldest first (sharing with which of the
# other organisations, withdrawn or not), whether its enrolment has ended (a follow-up).
CONSENT = st.tuples(st.sets(st.sampled_from("ABC"), max_size=2), st.booleans(), st.booleans())
PERSON = st.tuples(
    st.sampled_from(["A1", "A2", "B1"]), st.lists(CONSENT, max_size=3), st.booleans()
)


@given(people=st.lists(PERSON, min_size=1, max_size=5))
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_scope_is_the_same_with_and_without_the_or(
    people, viewers, org_a, org_b, org_c, unit_a1, unit_a2, unit_b1, monkeypatch
):
    units = {"A1": unit_a1, "A2": unit_a2, "B1": unit_b1}
    organisations = {"A": org_a, "B": org_b, "C": org_c}
    with transaction.atomic():
        # given participants with varied consents: sharing or not, with whom, withdrawn,
        # superseded by a newer one
        for number, (unit, consents, exited) in enumerate(people):
            person = ParticipantFactory(unit=units[unit], participant_ref=f"S-{number}")
            for day, (shared_with, sharing, withdrawn) in enumerate(consents, start=1):
                others = [
                    organisations[code]
                    for code in sorted(shared_with)
                    if organisations[code] != person.organisation
                ]
                consent = ConsentFactory(
                    participant=person,
                    given_on=date(2025, 1, day),
                    follow_up=True,
                    sharing=sharing or bool(others),
                    shared_with=others,
                )
                if withdrawn:
                    services.consent_withdraw(actor=consent.recorded_by, consent=consent)
            enrolment_actor = _coordinator_of(person.organisation)
            enrolment = EnrolmentFactory(participant=person, actor=enrolment_actor, steps=0)
            if exited:
                services.enrolment_exit(
                    actor=enrolment_actor,
                    enrolment=enrolment,
                    exit_date=date(2025, 3, 1),
                    reason="completed",
                )
        for viewer in viewers:
            for model in (Participant, Enrolment, FollowUp):
                # when the scope is read as it is, and with the OR forced in
                without = _visible(_fresh(viewer), model)
                with monkeypatch.context() as forced:
                    forced.setattr(querysets, "_sharing_reaches", lambda user, orgs: True)
                    with_or = _visible(_fresh(viewer), model)
                # then both hold the same rows
                assert without == with_or, (viewer.username, model.__name__)
        transaction.set_rollback(True)


def test_a_shared_participant_appears_and_disappears_with_the_newest_consent(
    coach, other_org_coach, org_b, unit_a1
):
    # given a participant of A, and B's coach who sees nothing of A
    person = ParticipantFactory(unit=unit_a1, actor=coach)
    assert _visible(_fresh(other_org_coach)) == set()
    # when a consent shares the participant with B, then B sees them (from the next request)
    sharing = ConsentFactory(
        participant=person,
        actor=coach,
        sharing=True,
        shared_with=[org_b],
        given_on=date(2025, 1, 1),
    )
    assert _visible(_fresh(other_org_coach)) == {person.pk}
    # and a newer consent that does not share hides them again, though the older one stands
    ConsentFactory(participant=person, actor=coach, given_on=date(2025, 2, 1))
    assert sharing.withdrawn_at is None
    assert _visible(_fresh(other_org_coach)) == set()


def test_withdrawing_the_sharing_consent_hides_the_participant_in_the_same_request(
    coach, other_org_coach, org_b, unit_a1
):
    person = ParticipantFactory(unit=unit_a1, actor=coach)
    consent = ConsentFactory(participant=person, actor=coach, sharing=True, shared_with=[org_b])
    viewer = _fresh(other_org_coach)
    assert _visible(viewer) == {person.pk}
    # when the consent is withdrawn while B's request goes on: the OR stays, and is exact
    services.consent_withdraw(actor=coach, consent=consent)
    assert _visible(viewer) == set()


def test_sharing_with_another_organisation_does_not_bring_in_the_or(
    coach, other_org_coach, org_c, unit_a1
):
    # given a consent that shares with C only
    person = ParticipantFactory(unit=unit_a1, actor=coach)
    ConsentFactory(participant=person, actor=coach, sharing=True, shared_with=[org_c])
    viewer = _fresh(other_org_coach)
    # then B's scope is its own, without the EXISTS on consents
    sql = str(Participant.objects.restrict(viewer, PARTICIPANT_VIEW).query)
    assert "pathways_consent" not in sql
    assert _visible(viewer) == set()


def test_the_look_up_is_one_query_per_request_and_user(coach, unit_a1):
    ParticipantFactory(unit=unit_a1, actor=coach)
    viewer = _fresh(coach)
    Participant.objects.restrict(viewer, PARTICIPANT_VIEW).exists()  # memberships, look-up
    with CaptureQueriesContext(connection) as queries:
        for model in (Participant, Enrolment, FollowUp):
            list(model.objects.restrict(viewer, PARTICIPANT_VIEW))
    assert len(queries) == 3
    assert not any("shared_with" in q["sql"] for q in queries)
    # and a permission that sharing never opens asks nothing
    viewer = _fresh(coach)
    with CaptureQueriesContext(connection) as queries:
        list(Participant.objects.restrict(viewer, "participant.change"))
    assert len(queries) == 2  # memberships, rows
