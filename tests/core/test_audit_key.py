"""The keyed audit chain: HMAC with a key outside the database, events from before the key,
key rotation, and `verify-audit --expect-head` against a removed tail."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from emplus.core.audit import audit_event_hash, audit_key_id, audit_log, audit_verify
from emplus.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _verify_audit(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _plain_hash(event: AuditEvent) -> str:
    """What a forger without the key can compute: the old unkeyed SHA-256 of a row."""
    content = {
        "id": str(event.id),
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": str(event.actor_id) if event.actor_id else None,
        "actor_username": event.actor_username,
        "organisation_id": str(event.organisation_id) if event.organisation_id else None,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "purpose": event.purpose,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _rewrite_unkeyed(from_sequence: int, *, action: str | None = None) -> None:
    """Rewrite every row from `from_sequence` on as a forger without the key would."""
    prev = AuditEvent.objects.filter(sequence=from_sequence - 1).values_list("hash", flat=True)
    prev_hash = prev.first() or "0" * 64
    for event in AuditEvent.objects.filter(sequence__gte=from_sequence).order_by("sequence"):
        event.key_id = ""
        event.prev_hash = prev_hash
        if action and event.sequence == from_sequence:
            event.action = action
        event.hash = _plain_hash(event)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE core_auditevent SET key_id = '', prev_hash = %s, hash = %s, action = %s "
                "WHERE sequence = %s",
                [event.prev_hash, event.hash, event.action, event.sequence],
            )
        prev_hash = event.hash


@pytest.fixture
def keys(settings):
    settings.EMPLUS_AUDIT_KEYS = ["current-audit-key-for-tests-0123456789"]
    return settings


@pytest.fixture
def chain(keys):
    return [audit_log(actor=None, action=f"event-{i}") for i in range(1, 6)]


def test_events_are_keyed_with_the_configured_key(chain, keys):
    # then: the hash is an HMAC, not something anyone could recompute
    event = AuditEvent.objects.get(sequence=1)
    assert event.key_id == audit_key_id(keys.EMPLUS_AUDIT_KEYS[0])
    assert event.hash == audit_event_hash(event) != _plain_hash(event)
    assert keys.EMPLUS_AUDIT_KEYS[0] not in event.key_id
    assert audit_verify() == []


def test_a_forger_without_the_key_cannot_rewrite_the_middle(chain):
    # when: rows 3–5 are rewritten with plain hashes that link correctly
    _rewrite_unkeyed(3, action="nothing")
    # then
    problems = audit_verify()
    assert [p.sequence for p in problems if "unkeyed row" in p.reason] == [3, 4, 5]
    code, _, err = _verify_audit()
    assert code == 1 and "written without the audit key" in err


def test_a_forger_with_another_key_is_detected(chain, keys):
    # given: rows written under a key this installation does not know
    keys.EMPLUS_AUDIT_KEYS = ["a-forgers-key-which-is-not-ours-000000"]
    audit_log(actor=None, action="forged")
    keys.EMPLUS_AUDIT_KEYS = ["current-audit-key-for-tests-0123456789"]
    # then
    problems = audit_verify()
    assert [p.sequence for p in problems] == [6]
    assert "unknown key" in problems[0].reason


def test_rewriting_the_whole_chain_without_the_key_is_caught_by_the_recorded_head(chain):
    # given: the head an operator recorded
    _, out, _ = _verify_audit()
    head = out.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    assert head == chain[-1].hash
    # when: the whole log is rewritten as if it predated the key
    _rewrite_unkeyed(1, action="nothing")
    # then: the chain alone looks whole, the recorded head does not
    assert audit_verify() == []
    code, _, err = _verify_audit("--expect-head", head)
    assert code == 1
    assert f"The expected head {head} is not in the audit log" in err


def test_a_removed_tail_is_detected_with_the_recorded_head(chain):
    # given
    head = chain[-1].hash
    # when: the two newest events are removed and a new one appended
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE sequence >= 4")
    audit_log(actor=None, action="after-truncation")
    # then
    assert audit_verify() == []  # the shorter chain is valid in itself
    code, _, err = _verify_audit("--expect-head", head)
    assert code == 1
    assert "newest events were removed" in err
    assert "ends at sequence 4" in err


def test_the_recorded_head_passes_when_events_were_only_added(chain):
    head = chain[2].hash
    code, out, _ = _verify_audit("--expect-head", head.upper())
    assert code == 0
    assert "Expected head found at sequence 3; 2 newer event(s)." in out
    assert f"Head: sequence 5, hash {chain[-1].hash}" in out


def test_events_from_before_the_key_stay_valid_and_are_covered(keys):
    # given: three events from an installation without the key (as after the upgrade)
    legacy = [audit_log(actor=None, action=f"old-{i}") for i in range(3)]
    _rewrite_unkeyed(1)
    # when: the upgraded platform appends keyed events
    keyed = audit_log(actor=None, action="new")
    # then
    assert keyed.prev_hash == AuditEvent.objects.get(sequence=3).hash
    assert audit_verify() == []
    code, out, _ = _verify_audit()
    assert code == 0
    assert "Events 1–3 predate the audit key" in out
    assert "from sequence 4 covers them" in out
    # and editing an old row is still caught (the keyed row pins its predecessor)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE sequence = %s", [3])
    assert [p.sequence for p in audit_verify()] == [3]
    assert len(legacy) == 3


def test_old_keys_verify_after_a_rotation(chain, keys):
    # when: a new key goes first, the old one stays for verification
    keys.EMPLUS_AUDIT_KEYS = ["the-next-audit-key-0123456789abcdef", *keys.EMPLUS_AUDIT_KEYS]
    newer = audit_log(actor=None, action="after-rotation")
    # then
    assert newer.key_id == audit_key_id("the-next-audit-key-0123456789abcdef")
    assert audit_verify() == []
    # and dropping the old key names the rows it can no longer verify
    keys.EMPLUS_AUDIT_KEYS = keys.EMPLUS_AUDIT_KEYS[:1]
    assert [p.sequence for p in audit_verify()] == [1, 2, 3, 4, 5]
