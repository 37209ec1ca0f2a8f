"""`emplus worker-status`: the background workers and the queue, for a health check."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from emplus.core.task_workers import queue_status


class Command(BaseCommand):
    help = (
        "List the background workers holding a live lease and the tasks waiting or running. "
        "Exits 1 when fewer than --min-workers workers are alive, or when a task has waited "
        "longer than --max-wait seconds (docs/deployment-multi-host.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--min-workers", type=int, default=1)
        parser.add_argument("--max-wait", type=float, default=None, metavar="SECONDS")

    def handle(self, *args, min_workers: int, max_wait: float | None, **options):
        status = queue_status()
        for worker in status.live:
            self.stdout.write(
                f"alive   {worker.worker_id} host={worker.host} pid={worker.pid} "
                f"seen {worker.age.total_seconds():.0f} s ago"
            )
        for worker in status.expired:
            self.stdout.write(
                f"expired {worker.worker_id} host={worker.host} pid={worker.pid} "
                f"seen {worker.age.total_seconds():.0f} s ago"
            )
        waited = status.oldest_queued_seconds
        self.stdout.write(
            f"{len(status.live)} worker(s) alive; {status.queued} task(s) queued"
            + (f" (the oldest for {waited:.0f} s)" if waited is not None else "")
            + f", {status.running} running"
        )
        problems = []
        if len(status.live) < min_workers:
            problems.append(f"fewer than {min_workers} worker(s) alive")
        if max_wait is not None and waited is not None and waited > max_wait:
            problems.append(f"a task has waited more than {max_wait:.0f} s")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            sys.exit(1)
