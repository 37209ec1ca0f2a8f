"""Audit lanes (docs/decisions/0042): an append takes the first lane no other transaction
holds, so a long transaction does not hold up every other request's audit event; each lane is a
chain of its own, verified like the single chain was."""

from __future__ import annotations

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from emplus.core import audit
from emplus.core.audit import AUDIT_LANES, audit_head, audit_log, audit_verify

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)


def _verify_audit(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def two_lanes(monkeypatch):
    """Events in lanes 0 and 1, as a busy server writes them: the lane an append takes is
    decided by which locks other transactions hold, stood in for here by `lane_of`."""
    lane_of = {"next": 0}
    monkeypatch.setattr(audit, "_take_lane", lambda using: lane_of["next"])
    events = []
    for i, lane in enumerate([0, 1, 1, 0, 1, 0]):
        lane_of["next"] = lane
        events.append(audit_log(actor=None, action=f"event-{i}"))
    return events


def test_without_concurrency_every_event_is_in_lane_0():
    events = [audit_log(actor=None, action=f"event-{i}") for i in range(3)]
    assert [(e.lane, e.sequence) for e in events] == [(0, 1), (0, 2), (0, 3)]


def test_each_lane_is_a_chain_of_its_own(two_lanes):
    assert [(e.lane, e.sequence) for e in two_lanes] == [
        (0, 1),
        (1, 1),
        (1, 2),
        (0, 2),
        (1, 3),
        (0, 3),
    ]
    assert two_lanes[2].prev_hash == two_lanes[1].hash
    assert two_lanes[3].prev_hash == two_lanes[0].hash
    assert audit_verify() == []
    assert audit_head().lanes == {0: (3, two_lanes[5].hash), 1: (3, two_lanes[4].hash)}


def test_a_row_removed_from_a_lane_is_detected_and_named(two_lanes):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [two_lanes[2].pk.hex])
    problems = audit_verify()
    assert [(p.lane, p.sequence) for p in problems] == [(1, 3)]
    assert "lane 1 sequence 3" in str(problems[0])


def test_moving_a_row_to_another_lane_is_detected(two_lanes):
    # the last event of lane 1 relabelled as lane 0's fourth: its hash covered its lane
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET lane = 0, sequence = 4, prev_hash = %s WHERE id = %s",
            [two_lanes[5].hash, two_lanes[4].pk.hex],
        )
    assert [(p.lane, p.sequence) for p in audit_verify()] == [(0, 4)]


def test_an_unkeyed_row_in_a_lane_after_0_is_a_forgery(two_lanes):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET key_id = '' WHERE id = %s", [two_lanes[1].pk.hex]
        )
    reasons = [p.reason for p in audit_verify()]
    assert any(reason.startswith("unkeyed row") for reason in reasons)


def test_the_command_prints_every_lanes_head_and_checks_them_all(two_lanes):
    code, out, _ = _verify_audit()
    assert code == 0
    assert f"Head: sequence 3, hash {two_lanes[5].hash}" in out
    assert f"Head of lane 1: sequence 3, hash {two_lanes[4].hash}" in out
    heads = f"{two_lanes[5].hash},{two_lanes[4].hash}"
    assert f"All heads: {heads}" in out
    assert _verify_audit("--expect-head", heads)[0] == 0
    # when lane 1's newest event is removed, its recorded head is missing
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [two_lanes[4].pk.hex])
    code, _, err = _verify_audit("--expect-head", heads)
    assert code == 1
    assert two_lanes[4].hash in err


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_transaction_holding_a_lane_does_not_hold_up_other_appends():
    # given: a long transaction (an import, say) that appended an event and has not committed
    holding, release, errors = threading.Event(), threading.Event(), []

    def long_transaction() -> None:
        try:
            with transaction.atomic():
                audit_log(actor=None, action="import.started")
                holding.set()
                release.wait(timeout=30)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=long_transaction)
    thread.start()
    assert holding.wait(timeout=30)
    try:
        # when another request appends its event
        started = time.monotonic()
        event = audit_log(actor=None, action="participant.listed")
        waited = time.monotonic() - started
    finally:
        release.set()
        thread.join()
    # then it did not wait for the long transaction, and took another lane
    assert errors == []
    assert waited < 5
    assert event.lane == 1
    assert audit_verify() == []


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_with_every_lane_held_an_append_waits_for_lane_0_and_the_log_stays_whole():
    # given: AUDIT_LANES long transactions, one on each lane
    holders = AUDIT_LANES
    ready = threading.Barrier(holders + 1)
    release, errors, lanes = threading.Event(), [], []

    def hold(worker: int) -> None:
        try:
            with transaction.atomic():
                lanes.append(audit_log(actor=None, action="held", details={"w": worker}).lane)
                ready.wait(timeout=30)
                release.wait(timeout=30)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hold, args=(w,)) for w in range(holders)]
    for thread in threads:
        thread.start()
    ready.wait(timeout=30)
    assert sorted(lanes) == list(range(AUDIT_LANES))
    # when one more append comes while all are held, then released a moment later
    timer = threading.Timer(0.5, release.set)
    timer.start()
    started = time.monotonic()
    event = audit_log(actor=None, action="participant.listed")
    waited = time.monotonic() - started
    for thread in threads:
        thread.join()
    # then it waited for lane 0 and joined its chain
    assert errors == []
    assert waited >= 0.3
    assert (event.lane, event.sequence) == (0, 2)
    assert audit_verify() == []
