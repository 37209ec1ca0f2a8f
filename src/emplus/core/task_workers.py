"""Background workers with a lease: several `emplus db-worker` processes, on several hosts, share
one database queue, and a task whose worker died while running it is run again, not lost.

django-tasks-db claims a task with `SELECT … FOR UPDATE SKIP LOCKED` (so two workers never claim
the same one) and marks it RUNNING; a worker killed then leaves it RUNNING for ever. Here each
worker keeps a lease (a `TaskWorker` row whose `seen_at` it renews in database time, so the
hosts' clocks do not matter); any live worker queues again the tasks of workers whose lease has
expired, and gives up on a task after `EMPLUS_TASK_MAX_ATTEMPTS` runs (it fails with
`WorkerLost`). Tasks run at least once: they must be safe to run again (docs/decisions/0041).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Min
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from emplus.core.models import TaskWorker

logger = logging.getLogger("emplus.tasks")


class WorkerLost(Exception):
    """The worker running a task stopped (killed, host down) too many times."""


@dataclass(frozen=True)
class Recovery:
    requeued: list[str]
    failed: list[str]
    expired_workers: int


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.EMPLUS_TASK_LEASE_SECONDS)


def worker_id_new() -> str:
    """Unique across the pool and readable in the task's history: host, process, a random tail."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


def worker_register(*, worker_id: str) -> TaskWorker:
    """Start the lease of a worker on this host; before it claims its first task."""
    worker, _ = TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": Now(),
            "seen_at": Now(),
        },
    )
    return worker


def worker_renew(*, worker_id: str) -> bool:
    """Renew the lease; False if it was gone (expired and removed by another worker)."""
    renewed = TaskWorker.objects.filter(worker_id=worker_id).update(seen_at=Now())
    if not renewed:
        worker_register(worker_id=worker_id)
    return bool(renewed)


def worker_unregister(*, worker_id: str) -> None:
    TaskWorker.objects.filter(worker_id=worker_id).delete()


@transaction.atomic
def tasks_recover(
    *, backend_name: str, lease: timedelta | None = None, max_attempts: int | None = None
) -> Recovery:
    """Queue again every task left RUNNING by a worker whose lease has expired (or that holds
    none); a task that has already had `max_attempts` runs fails with WorkerLost instead."""
    lease = lease or lease_duration()
    max_attempts = max_attempts or settings.EMPLUS_TASK_MAX_ATTEMPTS
    alive = set(
        TaskWorker.objects.filter(seen_at__gte=Now() - lease).values_list("worker_id", flat=True)
    )
    running = (
        DBTaskResult.objects.running()
        .filter(backend_name=backend_name)
        .select_for_update(skip_locked=True)
        .order_by("started_at")
    )
    requeued: list[str] = []
    failed: list[str] = []
    for task in running:
        if task.worker_ids and task.worker_ids[-1] in alive:
            continue
        if len(task.worker_ids) >= max_attempts:
            task.set_failed(
                WorkerLost(
                    f"its worker stopped during each of {len(task.worker_ids)} runs "
                    f"({', '.join(task.worker_ids)})"
                )
            )
            failed.append(str(task.id))
            logger.error("task %s (%s) failed: worker lost", task.id, task.task_path)
            continue
        task.status = TaskResultStatus.READY
        task.started_at = None
        task.save(update_fields=["status", "started_at"])
        requeued.append(str(task.id))
        logger.warning(
            "task %s (%s) queued again: worker %s stopped while running it",
            task.id,
            task.task_path,
            task.worker_ids[-1] if task.worker_ids else "?",
        )
    expired, _ = TaskWorker.objects.filter(seen_at__lt=Now() - lease).delete()
    return Recovery(requeued=requeued, failed=failed, expired_workers=expired)


@dataclass(frozen=True)
class QueueStatus:
    live: list[TaskWorker]
    expired: list[TaskWorker]
    queued: int
    running: int
    oldest_queued_seconds: float | None


def queue_status(*, backend_name: str = "default") -> QueueStatus:
    """What a health check reads: the workers holding a live lease, those whose lease expired,
    and how many tasks wait (the oldest since how long) or run."""
    lease = lease_duration()
    workers = list(TaskWorker.objects.annotate(age=Now() - F("seen_at")))
    ready = DBTaskResult.objects.ready().filter(backend_name=backend_name)
    oldest = ready.aggregate(oldest=Min("enqueued_at"))["oldest"]
    return QueueStatus(
        live=[worker for worker in workers if worker.age <= lease],
        expired=[worker for worker in workers if worker.age > lease],
        queued=ready.count(),
        running=DBTaskResult.objects.running().filter(backend_name=backend_name).count(),
        oldest_queued_seconds=(timezone.now() - oldest).total_seconds() if oldest else None,
    )


class LeasedWorker(Worker):
    """django-tasks-db's worker, unchanged, plus a thread that renews its lease and recovers the
    tasks of dead workers every quarter of the lease."""

    def run(self) -> None:
        worker_register(worker_id=self.worker_id)
        stop = threading.Event()
        keeper = threading.Thread(target=self._keep_lease, args=(stop,), daemon=True)
        keeper.start()
        try:
            super().run()
        finally:
            stop.set()
            keeper.join(timeout=5)
            worker_unregister(worker_id=self.worker_id)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """As the library's, but a stop asked while the worker is inside its polling
        transaction only ends the loop: the library's immediate `sys.exit` could land between
        the claim and its COMMIT and end the worker with a database error (exit status 1)
        instead of a clean stop. A task claimed in that transaction is still run first."""
        if self.running and not self.running_task and _in_transaction():
            logger.warning(
                "Received %s - shutting down once the current transaction ends",
                signal.strsignal(signum),
            )
            self.running = False
            return
        super().shutdown(signum, frame)

    def _keep_lease(self, stop: threading.Event) -> None:
        period = max(lease_duration().total_seconds() / 4, 0.2)
        while not stop.wait(period):
            try:
                if not worker_renew(worker_id=self.worker_id):
                    logger.warning("worker %s found its lease expired", self.worker_id)
                tasks_recover(backend_name=self.backend_name)
            except Exception:  # a database hiccup must not stop the lease for good
                logger.exception("worker %s could not renew its lease", self.worker_id)
            finally:
                # This thread's own connection, closed between beats.
                close_old_connections()
                connection.close()


def _in_transaction() -> bool:
    # Django turns autocommit off for an atomic block until its COMMIT is done, so this holds
    # from the block's start to its end; no query (a signal handler must not open one).
    return connection.connection is not None and not connection.autocommit
