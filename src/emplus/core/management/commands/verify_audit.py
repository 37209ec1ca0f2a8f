"""`emplus verify-audit`: check that the audit log's keyed hash chain is unbroken and whole."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from emplus.core.audit import audit_head, audit_verify
from emplus.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Walk the audit log in sequence order and report every row that was edited, removed or "
        "inserted; with --expect-head HASH also check that the head recorded earlier is still "
        "there (the newest events were not removed). Exits 1 when anything is wrong."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--expect-head",
            metavar="HASH",
            help=(
                "the head hashes printed by an earlier run (comma-separated, one per lane); "
                "each must still be in the log"
            ),
        )

    def handle(self, *args, database: str, expect_head: str | None, **options):
        problems = audit_verify(using=database)
        if problems:
            for problem in problems:
                self.stderr.write(f"Audit log broken at {problem}")
            self.stderr.write(f"{len(problems)} problem(s) found.")
            sys.exit(1)
        head = audit_head(using=database)
        found: list[tuple[int, int, int]] = []  # (lane, sequence, newer events in the lane)
        for wanted in _hashes(expect_head):
            expected = (
                AuditEvent.objects.using(database)
                .filter(hash=wanted)
                .values_list("lane", "sequence")
                .first()
            )
            if expected is None:
                self.stderr.write(
                    f"The expected head {wanted} is not in the audit log: the newest events "
                    f"were removed or the log was replaced (it now ends at sequence "
                    f"{head.sequence or 0})."
                )
                sys.exit(1)
            lane, sequence = expected
            found.append((lane, sequence, head.lanes[lane][0] - sequence))
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {head.count} events"))
        if head.count and head.keyed_from is None:
            self.stdout.write(
                "No event is keyed yet: the next event will be keyed with EMPLUS_AUDIT_KEY."
            )
        elif head.keyed_from and head.keyed_from > 1:
            self.stdout.write(
                f"Events 1–{head.keyed_from - 1} predate the audit key (plain SHA-256); the "
                f"keyed chain from sequence {head.keyed_from} covers them."
            )
        for lane, sequence, newer in found:
            where = f" of lane {lane}" if lane else ""
            self.stdout.write(
                f"Expected head found at sequence {sequence}{where}; {newer} newer event(s)."
            )
        # Keep the heads somewhere outside the database and pass them to --expect-head next
        # time (comma-separated): each lane is a chain of its own (docs/decisions/0042).
        for lane, (sequence, hash_) in sorted(head.lanes.items()):
            where = f" of lane {lane}" if lane else ""
            self.stdout.write(f"Head{where}: sequence {sequence}, hash {hash_}")
        if len(head.lanes) > 1:
            heads = ",".join(hash_ for _, (_, hash_) in sorted(head.lanes.items()))
            self.stdout.write(f"All heads: {heads}")


def _hashes(value: str | None) -> list[str]:
    return [part.strip().lower() for part in (value or "").split(",") if part.strip()]
