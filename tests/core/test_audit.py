"""The audit log: append-only, hash-chained, tamper-evident, and written in the caller's
transaction."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from itertools import pairwise

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from tests.conftest import make_user

from emplus.core.audit import (
    GENESIS_HASH,
    AppendOnlyError,
    audit_event_hash,
    audit_log,
    audit_verify,
)
from emplus.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _verify_audit() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def coach(db):
    # A user without a membership: granting one is itself audited, and these tests count events.
    return make_user("coach-a")


@pytest.fixture
def chain(coach, unit_a1):
    """Five events: reads and changes by a coach on a unit-owned record."""
    return [
        audit_log(
            actor=coach,
            action=action,
            target=unit_a1,
            purpose="case_work",
            details={"fields": ["phone"], "n": i},
        )
        for i, action in enumerate(["viewed", "changed", "viewed", "exported", "viewed"])
    ]


def test_events_form_an_unbroken_chain(chain, coach, unit_a1, org_a):
    # then
    assert [e.sequence for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(chain))
    first = AuditEvent.objects.get(sequence=1)
    assert first.hash == audit_event_hash(first)
    assert (first.actor_id, first.actor_username) == (coach.pk, "coach-a")
    assert (first.target_type, first.target_id) == ("organisations.unit", str(unit_a1.pk))
    assert first.organisation_id == org_a.pk  # taken from the target
    assert audit_verify() == []
    code, out, _ = _verify_audit()
    assert code == 0
    assert "Audit log intact: 5 events" in out


def test_an_empty_log_is_intact():
    code, out, _ = _verify_audit()
    assert (code, out.splitlines()[0]) == (0, "Audit log intact: 0 events")


def test_system_events_and_rich_details_verify(org_b):
    # given: no actor, an explicit organisation, dates and nested values in details
    audit_log(
        actor=None,
        action="retention_applied",
        organisation=org_b,
        details={"cutoff": dt.date(2020, 1, 1), "counts": {"anonymised": 3}, "ratio": 0.1},
    )
    # then
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_username, event.organisation_id) == (None, "", org_b.pk)
    assert event.details == {"cutoff": "2020-01-01", "counts": {"anonymised": 3}, "ratio": 0.1}
    assert audit_verify() == []


def test_editing_a_row_in_the_database_is_detected_and_named(chain):
    # when
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'nothing' WHERE sequence = 3")
    # then
    code, _, err = _verify_audit()
    assert code == 1
    assert f"sequence 3 (id {chain[2].id})" in err
    assert "row was edited" in err
    assert [p.sequence for p in audit_verify()] == [3]


def test_editing_details_in_the_database_is_detected(chain):
    edited = '{"fields": ["phone", "address"], "n": 1}'
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET details = %s WHERE sequence = 2", [edited])
    assert [(p.sequence, p.id) for p in audit_verify()] == [(2, str(chain[1].id))]


def test_rewriting_a_row_with_a_fresh_hash_breaks_the_next_link(chain):
    # given: a forger who edits row 2 and recomputes its own hash
    forged = AuditEvent.objects.get(sequence=2)
    forged.action = "nothing"
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = %s, hash = %s WHERE sequence = 2",
            [forged.action, audit_event_hash(forged)],
        )
    # then
    problems = audit_verify()
    assert [(p.sequence, p.id) for p in problems] == [(3, str(chain[2].id))]
    assert "link broken" in problems[0].reason


def test_removing_a_row_in_the_database_is_detected(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE sequence = 2")
    code, _, err = _verify_audit()
    assert code == 1
    assert f"sequence 3 (id {chain[2].id}): sequence 2 missing" in err


def test_removing_the_first_row_is_detected(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE sequence = 1")
    assert [p.sequence for p in audit_verify()] == [2]


def test_orm_cannot_change_or_delete_events(chain):
    event = AuditEvent.objects.get(sequence=1)
    event.action = "nothing"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(sequence=1).update(action="nothing")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["action"])
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(action="forged")])
    assert AuditEvent.objects.count() == 5
    assert audit_verify() == []


def test_events_of_a_rolled_back_transaction_leave_no_trace(coach):
    # given
    audit_log(actor=coach, action="viewed")
    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(actor=coach, action="changed")
        raise RuntimeError("the change failed")
    # then
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["viewed"]
    assert audit_log(actor=coach, action="changed").sequence == 2
    assert audit_verify() == []


def test_deleting_the_actor_does_not_touch_history(chain, coach):
    coach.memberships.all().delete()
    coach.delete()
    assert AuditEvent.objects.filter(actor_username="coach-a").count() == 5
    assert audit_verify() == []


@pytest.mark.parametrize(
    "details",
    [{"personnummer": "199001011234"}, {"note": "asked about 900101-1234"}, {"pnr": "121212+1212"}],
)
def test_details_refuse_personal_identity_numbers(coach, details):
    with pytest.raises(ValueError, match="personal identity numbers"):
        audit_log(actor=coach, action="viewed", details=details)
    assert not AuditEvent.objects.exists()


def test_details_accept_uuids_and_counts(coach):
    details = {"ids": ["550e8400-e29b-41d4-a716-446655440000"], "rows": 1234567890}
    assert audit_log(actor=coach, action="imported", details=details).details == details


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user(username="staff", password="x", is_staff=True)


def test_admin_shows_the_log_read_only_to_holders_of_the_view_permission(client, staff, chain):
    # given
    staff.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    client.force_login(staff)
    # when
    listing = client.get("/admin/core/auditevent/?action=exported&q=coach-a")
    detail = client.get(f"/admin/core/auditevent/{chain[0].pk}/change/")
    # then
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [chain[3]]
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert client.post(f"/admin/core/auditevent/{chain[0].pk}/delete/").status_code == 403
    assert audit_verify() == []


def test_admin_hides_the_log_without_the_view_permission(client, staff, chain):
    # given: even the change permission does not open it
    staff.user_permissions.add(Permission.objects.get(codename="change_auditevent"))
    client.force_login(staff)
    # then
    assert client.get("/admin/core/auditevent/").status_code == 403
    assert client.get(f"/admin/core/auditevent/{chain[0].pk}/change/").status_code == 403


def test_superusers_cannot_add_change_or_delete_either(client, django_user_model, chain):
    # given (the suite's admin_user persona is a role, not a Django superuser)
    superuser = django_user_model.objects.create_superuser(username="root", password="x")
    admin_client = client
    admin_client.force_login(superuser)
    # then
    assert admin_client.get("/admin/core/auditevent/").status_code == 200
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    response = admin_client.post(
        f"/admin/core/auditevent/{chain[0].pk}/change/", {"action": "nothing"}
    )
    assert response.status_code == 403
    assert admin_client.post(f"/admin/core/auditevent/{chain[0].pk}/delete/").status_code == 403
    assert audit_verify() == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    # given
    threads_count, per_thread = 8, 10
    start, errors = threading.Barrier(threads_count), []

    def append(worker: int) -> None:
        try:
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_log(actor=None, action="viewed", details={"worker": worker, "i": i})
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=append, args=(w,)) for w in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: every event is in one lane's chain, each lane numbered without gaps
    assert errors == []
    assert AuditEvent.objects.count() == threads_count * per_thread
    for lane in set(AuditEvent.objects.values_list("lane", flat=True)):
        sequences = list(
            AuditEvent.objects.filter(lane=lane)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
        assert sequences == list(range(1, len(sequences) + 1))
    assert audit_verify() == []


def test_verifying_the_newest_events_checks_them_and_their_link_only(chain):
    # given: rows 2 and the newest edited in the database
    newest = AuditEvent.objects.order_by("-sequence").first().sequence
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = 'nothing' WHERE sequence IN (2, %s)", [newest]
        )
    # then: a look at the newest two finds the newest; the whole walk finds both
    assert [p.sequence for p in audit_verify(last=2)] == [newest]
    assert [p.sequence for p in audit_verify()] == [2, newest]
    assert audit_verify(last=10_000) == audit_verify()


def test_an_append_is_its_lane_lock_its_lane_head_and_its_insert(coach):
    # given a chain with events (decision 72: both statements compiled once per process)
    first = audit_log(actor=coach, action="test.first", details={"n": 1})
    # when
    with CaptureQueriesContext(connection) as queries:
        second = audit_log(actor=coach, action="test.second", details={"n": 2})
    # then the lane's lock (PostgreSQL only), its newest event, the insert: nothing else
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    expected = 3 if connection.vendor == "postgresql" else 2
    assert len(statements) == expected, statements
    assert statements[-1].startswith('INSERT INTO "core_auditevent"')
    # and the new event links to the one before it, stored as hashed
    stored = AuditEvent.objects.get(pk=second.pk)
    assert (stored.sequence, stored.prev_hash) == (first.sequence + 1, first.hash)
    assert audit_event_hash(stored) == stored.hash == second.hash
    assert audit_verify() == []
