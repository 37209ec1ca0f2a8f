"""`emplus rebuild-progress`: write the stored progress summary again from the assessments."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from emplus.pathways.services import progress_summary_rebuild


class Command(BaseCommand):
    help = (
        "Write the stored summary of each enrolment's first and latest self-assessment (what "
        "the progression page reads) again from the assessments, for every instrument. The "
        "services keep it; run this after writing assessments past them (a restore, a manual "
        "change in the database). Safe to run again."
    )

    def handle(self, *args, **options):
        written = progress_summary_rebuild(actor=None)
        for instrument, rows in written.items():
            self.stdout.write(f"{instrument}: {rows} enrolments")
