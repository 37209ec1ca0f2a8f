"""`emplus verify-audit`: check that the audit log's hash chain is unbroken."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from emplus.core.audit import audit_verify
from emplus.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Walk the audit log in sequence order and report every row that was edited, removed or "
        "inserted. Exits 1 when the chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database: str, **options):
        problems = audit_verify(using=database)
        if problems:
            for problem in problems:
                self.stderr.write(f"Audit log broken at {problem}")
            self.stderr.write(f"{len(problems)} problem(s) found.")
            sys.exit(1)
        events = AuditEvent.objects.using(database)
        head = events.order_by("-sequence").values_list("sequence", "hash").first()
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {events.count()} events"))
        if head:
            # Keep this somewhere outside the database: it also reveals removal of the newest rows.
            self.stdout.write(f"Head: sequence {head[0]}, hash {head[1]}")
