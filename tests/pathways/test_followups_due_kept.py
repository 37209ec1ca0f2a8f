"""The caseload's box of follow-ups due, kept per viewer scope, day and version of what it reads
(decision 62): a write is seen on the next view, whoever wrote it and however; a viewer never
sees a follow-up of another unit or organisation, of a withdrawn consent or of an erased
participant, even when another viewer's box is kept. In committed transactions (the page's own
autocommit, as in production): PostgreSQL keeps the version; SQLite computes every time, and
the same assertions hold there."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.conftest import import_basis
from tests.factories import ConsentFactory, EnrolmentFactory, ParticipantFactory
from tests.pathways.test_importing import row, run

from emplus.pathways import rights, selectors, services
from emplus.pathways.models import Enrolment, FollowUp, Participant

pytestmark = pytest.mark.django_db(transaction=True)

KEEPS_VERSION = connection.vendor == "postgresql"


def _due(client, user) -> list[str]:
    """The references the caseload page lists as follow-ups due, and checks its count."""
    client.force_login(user)
    response = client.get(reverse("pathways:caseload"))
    assert response.status_code == 200
    refs = [f.participant_ref for f in response.context["followups_due"]]
    assert response.context["followups_due_count"] == len(refs)
    return refs


def _left(coach_or_coordinator, unit, ref: str, *, follow_up: bool = True) -> Participant:
    """A participant who left in March 2025 (a follow-up due since September)."""
    person = ParticipantFactory(actor=coach_or_coordinator, unit=unit, participant_ref=ref)
    ConsentFactory(participant=person, follow_up=follow_up)
    enrolment = EnrolmentFactory(participant=person, steps=0)
    services.enrolment_exit(
        actor=coach_or_coordinator, enrolment=enrolment, exit_date=date(2025, 3, 1), reason="job"
    )
    return person


def test_the_box_is_kept_until_something_it_reads_is_written(
    client, monkeypatch, coordinator, unit_a1
):
    computed = []
    compute = selectors.followups_due_first
    monkeypatch.setattr(
        selectors, "followups_due_first", lambda **kw: computed.append(1) or compute(**kw)
    )
    # given a follow-up due, and the caseload viewed once
    person = _left(coordinator, unit_a1, "K-1")
    assert _due(client, coordinator) == ["K-1"]
    # when it is viewed again with nothing written
    assert _due(client, coordinator) == ["K-1"]
    # then the follow-ups were walked once where the database keeps the version
    assert len(computed) == (1 if KEEPS_VERSION else 2)
    # when the follow-up is recorded
    services.followup_record(
        actor=coordinator,
        follow_up=FollowUp.objects.get(enrolment__participant=person),
        observed_on=date(2025, 9, 5),
        employed=True,
        improved=True,
    )
    # then the next view no longer lists it
    assert _due(client, coordinator) == []


def test_a_withdrawn_consent_and_an_erasure_are_seen_on_the_next_view(client, coordinator, unit_a1):
    withdrawn = _left(coordinator, unit_a1, "W-1")
    erased = _left(coordinator, unit_a1, "E-1")
    assert sorted(_due(client, coordinator)) == ["E-1", "W-1"]
    services.consent_withdraw(actor=coordinator, consent=withdrawn.consents.get())
    assert _due(client, coordinator) == ["E-1"]
    rights.participant_erase(actor=coordinator, participant=erased)
    assert _due(client, coordinator) == []


def test_a_newer_consent_without_follow_up_contact_is_seen(client, coordinator, unit_a1):
    person = _left(coordinator, unit_a1, "N-1")
    assert _due(client, coordinator) == ["N-1"]
    ConsentFactory(participant=person, follow_up=False, given_on=date(2025, 6, 1))
    assert _due(client, coordinator) == []


def test_a_coach_sees_only_the_unit_kept_or_not(
    client, coordinator, coach, other_unit_coach, unit_a1, unit_a2
):
    # given a follow-up due in each unit, and the coordinator's box kept with both
    _left(coordinator, unit_a1, "A1-1")
    moved = _left(coordinator, unit_a2, "A2-1")
    assert sorted(_due(client, coordinator)) == ["A1-1", "A2-1"]
    # then each coach sees the unit's own, however often
    for _ in range(2):
        assert _due(client, coach) == ["A1-1"]
        assert _due(client, other_unit_coach) == ["A2-1"]
    # when a participant moves to the other unit by any writer (here an update of the table)
    Participant.objects.filter(pk=moved.pk).update(unit=coach.memberships.get().unit)
    # then the next views follow
    assert sorted(_due(client, coach)) == ["A1-1", "A2-1"]
    assert _due(client, other_unit_coach) == []


def test_an_enrolment_moved_to_another_participant_is_seen(
    client, coordinator, coach, other_unit_coach, unit_a1, unit_a2
):
    left = _left(coordinator, unit_a1, "M-1")
    elsewhere = ParticipantFactory(unit=unit_a2, participant_ref="M-2")
    ConsentFactory(participant=elsewhere, follow_up=True)
    assert _due(client, coach) == ["M-1"] and _due(client, other_unit_coach) == []
    Enrolment.objects.filter(participant=left).update(participant=elsewhere)
    assert _due(client, coach) == [] and _due(client, other_unit_coach) == ["M-2"]


def test_another_organisation_never_sees_them_and_a_shared_participant_follows_its_consent(
    client, coordinator, other_org_coordinator, org_a, unit_a1, unit_b1
):
    # given a follow-up due in each organisation, B's participant not shared
    _left(coordinator, unit_a1, "A-1")
    theirs = _left(other_org_coordinator, unit_b1, "B-1")
    assert _due(client, coordinator) == ["A-1"]
    assert _due(client, other_org_coordinator) == ["B-1"]
    # when B's participant agrees to be shared with A (and to be contacted)
    consent = ConsentFactory(
        participant=theirs,
        actor=other_org_coordinator,
        given_on=date(2025, 6, 1),
        follow_up=True,
        sharing=True,
        shared_with=[org_a],
    )
    # then A's coordinator sees it, B's still only its own
    assert sorted(_due(client, coordinator)) == ["A-1", "B-1"]
    assert _due(client, other_org_coordinator) == ["B-1"]
    # and when the consent is withdrawn, A no longer does (nor B: nobody may contact)
    services.consent_withdraw(actor=other_org_coordinator, consent=consent)
    assert _due(client, coordinator) == ["A-1"]
    assert _due(client, other_org_coordinator) == []


def test_an_import_is_seen_on_the_next_view(client, coordinator, org_a, unit_a1):
    # given the box kept with one follow-up due
    _left(coordinator, unit_a1, "H-1")
    assert _due(client, coordinator) == ["H-1"]
    # when a file brings one more who left (on PostgreSQL by COPY, in the writer's replica mode)
    basis = import_basis(purposes=frozenset({"case_work", "statistics", "follow_up"}))
    result = run(coordinator, org_a, [row("IMP-1", exit_date="2025-03-01")], basis=basis)
    assert result.ok, result.errors
    # then the next view lists it
    assert sorted(_due(client, coordinator)) == ["H-1", "IMP-1"]


def test_viewers_without_the_permission_see_no_box_from_another_viewer(
    client, coordinator, other_org_coach, unit_a1
):
    _left(coordinator, unit_a1, "S-1")
    assert _due(client, coordinator) == ["S-1"]
    assert _due(client, other_org_coach) == []


@pytest.mark.skipif(not KEEPS_VERSION, reason="SQLite keeps no version")
def test_the_version_moves_with_the_writes_it_watches_and_not_with_the_page_views(
    client, coordinator, unit_a1
):
    person = _left(coordinator, unit_a1, "V-1")
    version = selectors.followups_due_version()
    # the load test's own writes (session, audit events, a search token) leave it
    _due(client, coordinator)
    client.post(reverse("pathways:caseload"), {"q": "V-1"})
    client.get(reverse("pathways:detail", args=[person.pk]))
    assert selectors.followups_due_version() == version
    # one committed transaction of several statements moves it once
    with transaction.atomic():
        follow_up = FollowUp.objects.get(enrolment__participant=person)
        follow_up.save()
        follow_up.save()
    moved = selectors.followups_due_version()
    assert moved != version and int(moved.split(":")[0]) == int(version.split(":")[0]) + 1
    # a rolled-back one does not
    with pytest.raises(RuntimeError), transaction.atomic():
        FollowUp.objects.filter(pk=follow_up.pk).update(due_on=date(2025, 1, 1))
        raise RuntimeError
    assert selectors.followups_due_version() == moved
    # and inside a transaction there is none: its own writes could still be rolled back
    with transaction.atomic():
        assert selectors.followups_due_version() is None


def _statements(client) -> list[str]:
    """The statements of one view of the caseload (not the transaction's BEGIN and COMMIT)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pathways:caseload"))
    assert len(response.context["followups_due"]) == 2
    return [q["sql"] for q in queries if q["sql"] not in ("BEGIN", "COMMIT")]


@pytest.mark.skipif(not KEEPS_VERSION, reason="SQLite keeps no version")
def test_the_kept_caseload_reads_the_version_in_place_of_the_follow_ups(
    client, coordinator, coach, unit_a1
):
    for user in (coordinator, coach):
        _left(coordinator, unit_a1, f"Q-{user.username}")
    for user in (coordinator, coach):
        client.force_login(user)
        # the first view walks the follow-ups due and reads the rows of the first
        first = _statements(client)
        # the next reads the version alone: 10 statements (the session, the user with its
        # memberships (decision 61), the sharing look-up, the count, the page's rows with its
        # keys as their subquery (decision 70), the version, the audit event's three)
        kept = _statements(client)
        assert len(kept) == len(first) - 2 == 10, kept
        assert sum("followupsdueversion" in sql for sql in kept) == 1
