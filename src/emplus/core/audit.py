"""The audit log: append events to the hash chain (audit_log) and check the chain (audit_verify).

Each event carries an HMAC-SHA-256 of its own canonical content plus the previous event's hash,
keyed with EMPLUS_AUDIT_KEY (kept outside the database), so editing a row breaks its hash and
removing or inserting one breaks the sequence and the link; without the key nobody can write a
chain that verifies. Removing the newest events leaves a shorter valid chain: record the head
hash printed by `emplus verify-audit` elsewhere and pass it back with `--expect-head`.

Events written before the key was introduced carry a plain SHA-256 and an empty `key_id`; the
first keyed event links to the last of them, so they stay covered by the keyed chain after them
(docs/decisions/0013).

The log is AUDIT_LANES chains ("lanes", docs/decisions/0042), each with its own sequence and
links. An append locks one lane until its transaction ends: the first lane that no other
transaction holds, so a long transaction (an import) or a slow request holds up nobody while a
lane is free. Only when every lane is busy does an append wait, and then always for lane 0, so
waits cannot form a cycle. A single connection always finds lane 0 free: without concurrency
the log is one chain, as before. Events of lane 0 hash exactly as before lanes existed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from emplus.core.compiled import CompiledRead
from emplus.core.models import AppendOnlyError, AuditEvent

__all__ = [
    "GENESIS_HASH",
    "AppendOnlyError",
    "AUDIT_LANES",
    "AuditProblem",
    "audit_event_hash",
    "audit_head",
    "audit_key_id",
    "audit_list",
    "audit_log",
    "audit_verify",
]

GENESIS_HASH = "0" * 64

# The advisory lock of lane n on PostgreSQL is _PG_LOCK_KEY + n (lane 0's is the key that
# guarded the single chain before lanes).
_PG_LOCK_KEY = zlib.crc32(b"emplus.core.audit")
# Chains an append may take; more lanes, fewer waits, and more heads to record.
AUDIT_LANES = 8

# Personal identity numbers have no place in details; a cheap guard against the obvious slip.
_LOOKS_LIKE_PERSONAL_ID = re.compile(
    r"(?<![\w-])(?:\d{2})?\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01]|[6-8]\d|9[01])[-+]?\d{4}(?![\w-])"
)


def audit_key_id(key: str) -> str:
    """A short public name of a key (stored with each event), which reveals nothing of it."""
    return hashlib.sha256(b"emplus-audit-key:" + key.encode("utf-8")).hexdigest()[:16]


def _audit_keys() -> dict[str, str]:
    """key id -> key for every configured key; the newest (used for appends) first."""
    return {audit_key_id(key): key for key in settings.EMPLUS_AUDIT_KEYS}


class UnknownAuditKey(LookupError):
    """The event was keyed with a key that is not configured (any more)."""


def audit_event_hash(event: AuditEvent) -> str:
    """The event's hash (hex) over a canonical JSON of every field except the hash itself:
    HMAC-SHA-256 with the key named by `key_id`, or plain SHA-256 for events from before the
    audit key was introduced (empty `key_id`)."""
    content: dict[str, Any] = {
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
    if event.key_id:
        content["key_id"] = event.key_id
    if event.lane:
        content["lane"] = event.lane
    canonical = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
    if not event.key_id:
        return hashlib.sha256(canonical).hexdigest()
    key = _audit_keys().get(event.key_id)
    if key is None:
        raise UnknownAuditKey(event.key_id)
    return hmac.new(key.encode("utf-8"), canonical, hashlib.sha256).hexdigest()


def looks_like_personal_id(text: str) -> bool:
    return bool(_LOOKS_LIKE_PERSONAL_ID.search(text))


def _canonical_details(details: dict[str, Any] | None) -> dict[str, Any]:
    # Hash exactly what the database will give back: JSON types only, string keys.
    text = json.dumps(details or {}, cls=DjangoJSONEncoder, allow_nan=False)
    if _LOOKS_LIKE_PERSONAL_ID.search(text):
        raise ValueError("Audit details must not contain personal identity numbers.")
    value = json.loads(text)
    if not isinstance(value, dict):
        raise TypeError("Audit details must be a mapping.")
    return value


# The lane's newest event, compiled once per process (as the insert, AuditEvent.save): Django
# spent more CPU turning it into SQL than the database spends running it (decision 0072).
_LANE_HEAD = CompiledRead(
    AuditEvent,
    lambda lane: (
        AuditEvent.objects.filter(lane=lane)
        .order_by("-sequence")
        .values_list("sequence", "hash")[:1]
    ),
    lane=("lane", 32_123),
)


def _take_lane(using: str) -> int:
    """Lock a lane until the transaction ends and return it: the first one free (a lane this
    transaction holds already counts as free), else wait for lane 0."""
    connection = transaction.get_connection(using)
    if connection.vendor != "postgresql":
        # SQLite: transactions begin IMMEDIATE (settings), so writers are already serialised.
        # Anywhere else the unique (lane, sequence) still refuses a forked chain.
        return 0
    with connection.cursor() as cursor:
        # Row by row in lane order, and LIMIT stops at the first lock taken.
        cursor.execute(
            "SELECT lane FROM generate_series(0, %s) AS lane "
            "WHERE pg_try_advisory_xact_lock(%s + lane) LIMIT 1",
            [AUDIT_LANES - 1, _PG_LOCK_KEY],
        )
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
        # Every lane busy: wait for lane 0. Its holder never waits for another lane (it finds
        # lane 0 free), so no two appends can wait for each other.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    return 0


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
        event.lane = _take_lane(using)
        last = _LANE_HEAD.rows(using, lane=event.lane)
        event.sequence, event.prev_hash = (
            (int(last[0][0]) + 1, last[0][1]) if last else (1, GENESIS_HASH)
        )
        event.key_id = audit_key_id(settings.EMPLUS_AUDIT_KEYS[0])
        event.hash = audit_event_hash(event)
        event.save(using=using)
    return event


def audit_list(
    *,
    actor,
    action: str,
    ids,
    purpose: str,
    organisation=None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    key: str = "participants",
) -> AuditEvent:
    """ONE event for a list response (a page, an API list, an export) that names every row it
    showed, in the order shown and each once; reads of a single record stay one event each."""
    named = list(dict.fromkeys(str(value) for value in ids))
    return audit_log(
        actor=actor,
        action=action,
        target=target,
        organisation=organisation,
        purpose=purpose,
        details={**(details or {}), key: named},
    )


@dataclass(frozen=True)
class AuditProblem:
    sequence: int
    id: str
    reason: str
    lane: int = 0

    def __str__(self) -> str:
        where = f"lane {self.lane} " if self.lane else ""
        return f"{where}sequence {self.sequence} (id {self.id}): {self.reason}"


def _newest_sequence(using: str, lane: int) -> Subquery:
    newest = AuditEvent.objects.using(using).filter(lane=lane).order_by("-sequence")
    return Subquery(newest.values("sequence")[:1])


def _lane_heads(using: str) -> dict[int, tuple[int, str]]:
    """lane -> (sequence, hash) of its newest event, for each lane an append may take: one
    query, one index probe per lane, whatever the size of the log."""
    condition = Q()
    for lane in range(AUDIT_LANES):
        condition |= Q(lane=lane, sequence=_newest_sequence(using, lane))
    heads = AuditEvent.objects.using(using).filter(condition)
    return {
        lane: (sequence, hash_)
        for lane, sequence, hash_ in heads.values_list("lane", "sequence", "hash")
    }


def audit_verify(*, using: str = "default", last: int | None = None) -> list[AuditProblem]:
    """Walk each lane's chain in sequence order and list every row where it breaks (empty:
    intact). The whole walk reads every row's lane, so it also finds rows written into a lane
    no append takes.

    With `last`, only the newest `last` events of each lane (read in one query), linked to the
    row before them (a quick look for a page; `emplus verify-audit` walks the whole log)."""
    events = AuditEvent.objects.using(using)
    problems: list[AuditProblem] = []
    if last is None:
        for lane in events.order_by("lane").values_list("lane", flat=True).distinct():
            ordered = events.filter(lane=lane).order_by("sequence")
            problems += _verify_lane(lane, ordered.iterator(chunk_size=2000), last=None)
        return problems
    condition = Q()
    for lane in range(AUDIT_LANES):
        condition |= Q(lane=lane, sequence__gte=_newest_sequence(using, lane) - last)
    by_lane: dict[int, list[AuditEvent]] = {}
    for event in events.filter(condition).order_by("lane", "sequence"):
        by_lane.setdefault(event.lane, []).append(event)
    for lane, rows in by_lane.items():
        problems += _verify_lane(lane, rows, last=last)
    return problems


def _verify_lane(
    lane: int, events: Iterable[AuditEvent], *, last: int | None
) -> list[AuditProblem]:
    problems: list[AuditProblem] = []
    expected_sequence, expected_prev = 1, GENESIS_HASH
    # Lanes other than 0 began after the key: an unkeyed row there is a forgery.
    keyed_seen = lane != 0
    if last is not None:
        newest = list(events)
        if len(newest) > last:
            # The row before the newest ones is trusted as their link, not checked itself.
            before = newest.pop(0)
            expected_sequence, expected_prev = before.sequence + 1, before.hash
            keyed_seen = keyed_seen or bool(before.key_id)
        events = newest
    for event in events:

        def report(reason: str, event=event) -> None:
            problems.append(AuditProblem(event.sequence, str(event.id), reason, lane))

        if event.sequence != expected_sequence:
            missing = (
                f"sequence {expected_sequence}"
                if event.sequence == expected_sequence + 1
                else f"sequences {expected_sequence}–{event.sequence - 1}"
            )
            report(f"{missing} missing before this row (removed)")
        elif event.prev_hash != expected_prev:
            report("previous-hash link broken (the row before was removed, inserted or altered)")
        if event.key_id:
            keyed_seen = True
        elif keyed_seen:
            # Once the chain is keyed, an unkeyed row can only be a forgery without the key.
            report("unkeyed row after the keyed chain began (written without the audit key)")
        try:
            if not hmac.compare_digest(audit_event_hash(event), event.hash):
                report("hash mismatch (row was edited, or written without the audit key)")
        except UnknownAuditKey:
            report(
                f"keyed with an unknown key {event.key_id} (add the old key to EMPLUS_AUDIT_KEY "
                "after the current one)"
            )
        # Continue from the stored values so that each problem is reported where it is.
        expected_sequence, expected_prev = event.sequence + 1, event.hash
    return problems


@dataclass(frozen=True)
class AuditHead:
    count: int
    sequence: int | None  # lane 0's newest
    hash: str | None
    keyed_from: int | None  # first keyed sequence of lane 0; None: no keyed event yet
    # lane -> (sequence, hash) of its newest event, for every lane in use
    lanes: dict[int, tuple[int, str]] = field(default_factory=dict)


def audit_head(*, using: str = "default") -> AuditHead:
    """The newest event of each lane, the number of events, and where the keyed part of lane 0
    begins."""
    events = AuditEvent.objects.using(using)
    lanes = _lane_heads(using)
    keyed_from = (
        events.filter(lane=0)
        .exclude(key_id="")
        .order_by("sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    head = lanes.get(0)
    return AuditHead(
        count=events.count(),
        sequence=head[0] if head else None,
        hash=head[1] if head else None,
        keyed_from=keyed_from,
        lanes=lanes,
    )
