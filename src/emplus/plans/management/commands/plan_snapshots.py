"""`emplus plan_snapshots`: store this month's value and status of every running goal (once per
month; a second run in the month keeps the first)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from emplus.plans.services import snapshot_take
from emplus.plans.tasks import take_goal_snapshots


class Command(BaseCommand):
    help = (
        "Take the monthly snapshot of the action plans' goals now (or --enqueue it for the "
        "background worker). --on YYYY-MM-DD takes it for that day's month."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", metavar="YYYY-MM-DD", help="the day (default: today)")
        parser.add_argument("--enqueue", action="store_true", help="run it in the worker")

    def handle(self, *args, on: str | None, enqueue: bool, **options):
        try:
            day = date.fromisoformat(on) if on else None
        except ValueError:
            raise CommandError(f"--on: not a date as YYYY-MM-DD: {on!r}") from None
        if enqueue:
            result = take_goal_snapshots.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"queued: {result.id}")
            return
        run = snapshot_take(on=day)
        self.stdout.write(
            f"{run.month:%Y-%m}: {run.taken} goal(s) snapshotted, {run.already} already done"
        )
