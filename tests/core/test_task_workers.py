"""Several background workers on one queue (decision 0041): a task left running by a worker
whose lease expired is queued again, or fails after too many runs; a live worker's task stays
its own. The real worker processes are in test_task_workers_processes.py."""

from __future__ import annotations

import io
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.core.worker_tasks import record_run

from emplus.core.models import TaskWorker
from emplus.core.task_workers import (
    LeasedWorker,
    tasks_recover,
    worker_register,
    worker_renew,
    worker_unregister,
)

pytestmark = pytest.mark.django_db

LEASE = timedelta(seconds=60)


def _running(number: int, *worker_ids: str) -> DBTaskResult:
    result = DBTaskResult.objects.get(id=record_run.enqueue(number).id)
    for worker_id in worker_ids:
        result.claim(worker_id)
    return result


def _lease(worker_id: str, *, seen_ago: timedelta) -> TaskWorker:
    now = timezone.now()
    return TaskWorker.objects.create(
        worker_id=worker_id, host="host-1", pid=1, started_at=now - seen_ago, seen_at=now - seen_ago
    )


def test_task_of_a_worker_whose_lease_expired_is_queued_again():
    # given a task running under a worker last seen two lease lengths ago
    _lease("dead", seen_ago=2 * LEASE)
    task = _running(1, "dead")
    # when any worker recovers
    recovery = tasks_recover(backend_name="default", lease=LEASE, max_attempts=3)
    # then the task is ready for the next worker, its history kept, the dead lease gone
    task.refresh_from_db()
    assert recovery.requeued == [str(task.id)]
    assert task.status == TaskResultStatus.READY
    assert task.started_at is None
    assert task.worker_ids == ["dead"]
    assert DBTaskResult.objects.ready().get() == task
    assert not TaskWorker.objects.filter(worker_id="dead").exists()


def test_task_of_a_worker_without_any_lease_is_queued_again():
    # given a task claimed by a worker that never held a lease (an old worker, or one removed)
    task = _running(1, "unknown")
    # when any worker recovers
    recovery = tasks_recover(backend_name="default", lease=LEASE, max_attempts=3)
    # then it runs again
    assert recovery.requeued == [str(task.id)]


def test_task_of_a_live_worker_stays_running():
    # given a task running under a worker seen a moment ago
    _lease("alive", seen_ago=timedelta(seconds=5))
    task = _running(1, "alive")
    # when another worker recovers
    recovery = tasks_recover(backend_name="default", lease=LEASE, max_attempts=3)
    # then nothing changes
    task.refresh_from_db()
    assert recovery.requeued == recovery.failed == []
    assert recovery.expired_workers == 0
    assert task.status == TaskResultStatus.RUNNING
    assert TaskWorker.objects.filter(worker_id="alive").exists()


def test_task_whose_earlier_worker_died_but_current_one_lives_stays_running():
    # given a task run a second time, by a live worker, after a first one died
    _lease("alive", seen_ago=timedelta(seconds=1))
    task = _running(1, "dead", "alive")
    # when any worker recovers
    tasks_recover(backend_name="default", lease=LEASE, max_attempts=3)
    # then the live worker keeps it
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_task_that_lost_its_worker_on_every_attempt_fails_instead_of_looping():
    # given a task whose worker died during each of three runs (a task that kills its worker)
    task = _running(1, "first", "second", "third")
    # when any worker recovers with at most three runs
    recovery = tasks_recover(backend_name="default", lease=LEASE, max_attempts=3)
    # then it fails, naming the reason and the workers, and is not queued again
    task.refresh_from_db()
    assert recovery.failed == [str(task.id)]
    assert recovery.requeued == []
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "emplus.core.task_workers.WorkerLost"
    assert "first, second, third" in task.traceback
    assert task.finished_at is not None
    assert not DBTaskResult.objects.ready().exists()


def test_finished_and_queued_tasks_are_left_alone():
    # given a queued task and a finished one, neither with a live worker
    queued = DBTaskResult.objects.get(id=record_run.enqueue(1).id)
    finished = _running(2, "gone")
    finished.set_successful(2)
    # when any worker recovers
    recovery = tasks_recover(backend_name="default", lease=LEASE, max_attempts=3)
    # then neither changes
    queued.refresh_from_db()
    finished.refresh_from_db()
    assert recovery.requeued == recovery.failed == []
    assert queued.status == TaskResultStatus.READY
    assert finished.status == TaskResultStatus.SUCCESSFUL


def test_task_of_another_backend_is_left_to_it():
    # given a task of another backend's queue whose worker is gone
    task = _running(1, "gone")
    DBTaskResult.objects.filter(id=task.id).update(backend_name="other")
    # when the default backend's workers recover
    recovery = tasks_recover(backend_name="default", lease=LEASE, max_attempts=3)
    # then they leave it
    assert recovery.requeued == []


def test_lease_is_registered_renewed_and_given_back():
    # given a worker that registered a while ago
    worker_register(worker_id="w1")
    TaskWorker.objects.filter(worker_id="w1").update(seen_at=timezone.now() - LEASE / 2)
    # when it renews its lease
    renewed = worker_renew(worker_id="w1")
    # then it is seen now
    assert renewed
    assert TaskWorker.objects.get(worker_id="w1").seen_at > timezone.now() - timedelta(seconds=5)
    # and when it stops it gives its lease back
    worker_unregister(worker_id="w1")
    assert not TaskWorker.objects.exists()


def test_worker_whose_lease_was_removed_takes_a_new_one():
    # given a worker whose lease expired and was removed by another worker
    # when it renews
    renewed = worker_renew(worker_id="late")
    # then it says so and holds a lease again
    assert not renewed
    assert TaskWorker.objects.filter(worker_id="late").exists()


def _status(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("worker_status", *args, stdout=out, stderr=err)
    except SystemExit as stopped:
        return int(stopped.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_worker_status_is_healthy_with_a_live_worker_and_a_fresh_queue():
    # given one live worker and one task queued just now
    _lease("w-live", seen_ago=timedelta(seconds=3))
    record_run.enqueue(1)
    # when the health check runs
    code, out, err = _status("--max-wait", "300")
    # then it passes and says what it saw
    assert code == 0, err
    assert "alive   w-live host=host-1 pid=1" in out
    assert "1 worker(s) alive; 1 task(s) queued (the oldest for 0 s), 0 running" in out


def test_worker_status_fails_without_a_live_worker():
    # given only a worker whose lease expired
    _lease("w-dead", seen_ago=2 * LEASE)
    # when the health check runs
    code, out, err = _status()
    # then it fails and names the expired worker
    assert code == 1
    assert "expired w-dead" in out
    assert "fewer than 1 worker(s) alive" in err


def test_worker_status_fails_when_a_task_waited_too_long():
    # given two live workers and a task queued ten minutes ago
    _lease("w-1", seen_ago=timedelta(seconds=1))
    _lease("w-2", seen_ago=timedelta(seconds=1))
    task = DBTaskResult.objects.get(id=record_run.enqueue(1).id)
    DBTaskResult.objects.filter(id=task.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )
    # when the health check allows five minutes, and asks for three workers
    code, _, err = _status("--max-wait", "300", "--min-workers", "3")
    # then it fails for both reasons
    assert code == 1
    assert "fewer than 3 worker(s) alive" in err
    assert "a task has waited more than 300 s" in err


def _worker() -> LeasedWorker:
    return LeasedWorker(
        queue_names=["default"],
        interval=1,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="vm:1:test",
        excluded_queue_names=[],
    )


@pytest.mark.django_db(transaction=True)
def test_a_stop_asked_inside_the_polling_transaction_ends_the_loop_without_exiting_there():
    # given a worker between tasks, inside a transaction (as when it claims the next task)
    worker = _worker()
    with transaction.atomic():
        # when it is asked to stop
        worker.shutdown(signal.SIGTERM, None)
        # then it does not exit in the middle of the transaction, but its loop will end
        assert worker.running is False
    # and a stop asked between transactions (in its sleep) exits at once, cleanly
    connection.ensure_connection()
    with pytest.raises(SystemExit) as stopped:
        _worker().shutdown(signal.SIGTERM, None)
    assert stopped.value.code == 0
