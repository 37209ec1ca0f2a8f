"""The audit log: append events to the hash chain (audit_log) and check the chain (audit_verify).

Each event carries the SHA-256 of its own canonical content plus the previous event's hash, so
editing a row breaks its hash and removing or inserting one breaks the sequence and the link.
Removing the newest events leaves a shorter valid chain: record the head hash printed by
`emplus verify-audit` elsewhere (e.g. the operations log) to detect that.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from emplus.core.models import AppendOnlyError, AuditEvent

__all__ = [
    "GENESIS_HASH",
    "AppendOnlyError",
    "AuditProblem",
    "audit_event_hash",
    "audit_log",
    "audit_verify",
]

GENESIS_HASH = "0" * 64

# One advisory lock key for all appends on PostgreSQL (any constant bigint would do).
_PG_LOCK_KEY = zlib.crc32(b"emplus.core.audit")

# Personal identity numbers have no place in details; a cheap guard against the obvious slip.
_LOOKS_LIKE_PERSONAL_ID = re.compile(
    r"(?<![\w-])(?:\d{2})?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])[-+]?\d{4}(?![\w-])"
)


def audit_event_hash(event: AuditEvent) -> str:
    """SHA-256 (hex) over a canonical JSON of every field of the event except its own hash."""
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


def _canonical_details(details: dict[str, Any] | None) -> dict[str, Any]:
    # Hash exactly what the database will give back: JSON types only, string keys.
    text = json.dumps(details or {}, cls=DjangoJSONEncoder, allow_nan=False)
    if _LOOKS_LIKE_PERSONAL_ID.search(text):
        raise ValueError("Audit details must not contain personal identity numbers.")
    value = json.loads(text)
    if not isinstance(value, dict):
        raise TypeError("Audit details must be a mapping.")
    return value


def _serialise_appends(using: str) -> None:
    connection = transaction.get_connection(using)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    # SQLite: transactions begin IMMEDIATE (settings), so writers are already serialised.
    # Anywhere else the unique sequence still refuses a forked chain.


def audit_log(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    organisation=None,
    purpose: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the audit log.

    Call it inside the transaction of the change it records, so both commit or neither does.
    `actor` is a user or None (the system); `organisation` defaults to the target's.
    """
    if organisation is None and target is not None:
        organisation_id = getattr(target, "organisation_id", None)
    else:
        organisation_id = getattr(organisation, "pk", organisation)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor_id=actor.pk if is_user else None,
        actor_username=actor.get_username() if is_user else "",
        organisation_id=organisation_id,
        action=str(action),
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        purpose=str(purpose),
        details=_canonical_details(details),
    )
    using = AuditEvent.objects.db
    # A savepoint inside the caller's transaction, or a transaction of its own if there is none.
    with transaction.atomic(using=using):
        _serialise_appends(using)
        last = (
            AuditEvent.objects.using(using)
            .order_by("-sequence")
            .values_list("sequence", "hash")
            .first()
        )
        event.sequence, event.prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        event.hash = audit_event_hash(event)
        event.save(using=using)
    return event


@dataclass(frozen=True)
class AuditProblem:
    sequence: int
    id: str
    reason: str

    def __str__(self) -> str:
        return f"sequence {self.sequence} (id {self.id}): {self.reason}"


def audit_verify(*, using: str = "default") -> list[AuditProblem]:
    """Walk the chain in sequence order and list every row where it breaks (empty: intact)."""
    problems: list[AuditProblem] = []
    expected_sequence, expected_prev = 1, GENESIS_HASH
    events = AuditEvent.objects.using(using).order_by("sequence").iterator(chunk_size=2000)
    for event in events:

        def report(reason: str, event=event) -> None:
            problems.append(AuditProblem(event.sequence, str(event.id), reason))

        if event.sequence != expected_sequence:
            missing = (
                f"sequence {expected_sequence}"
                if event.sequence == expected_sequence + 1
                else f"sequences {expected_sequence}–{event.sequence - 1}"
            )
            report(f"{missing} missing before this row (removed)")
        elif event.prev_hash != expected_prev:
            report("previous-hash link broken (the row before was removed, inserted or altered)")
        if audit_event_hash(event) != event.hash:
            report("hash mismatch (row was edited)")
        # Continue from the stored values so that each problem is reported where it is.
        expected_sequence, expected_prev = event.sequence + 1, event.hash
    return problems
