"""`emplus apply-retention`: anonymise participants whose last exit is past the retention period."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from emplus.pathways.rights import retention_apply, retention_years


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Anonymise (erase the identity of) every participant whose last exit is more than "
        "EMPLUS_RETENTION_YEARS years ago (default 5). Participants with an open enrolment are "
        "kept. Safe to run again: already anonymised participants are not touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the participants due; change nothing."
        )
        parser.add_argument("--today", help="Apply as on this day (YYYY-MM-DD); default today.")

    def handle(self, *args, dry_run: bool, today: str | None, **options):
        day = _day(today) if today else None
        result = retention_apply(today=day, dry_run=dry_run)
        self.stdout.write(
            f"Retention {retention_years()} years, last exit before {result.cutoff}: "
            f"due {result.due}; anonymised {result.erased}; "
            f"already anonymised {result.already_erased}"
            + ("; dry run, nothing changed" if dry_run else "")
        )
