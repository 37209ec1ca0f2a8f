"""Two real `emplus db-worker` processes on one PostgreSQL database (decision 0041, issue 14):
every task runs exactly once, and a worker killed (SIGKILL) in the middle of a task leaves it to
the other worker, which runs it to the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.core.worker_tasks import RUNS_TABLE, record_run, slow_run

from emplus.core.models import TaskWorker

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 4

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="workers on several hosts share PostgreSQL; the SQLite test database lives in "
        "the test process's memory, out of the workers' reach (runs in the PostgreSQL half of "
        "scripts/test)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _database_url() -> str:
    # The test database: the transactional_db fixture commits, so the workers see the rows.
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


@pytest.fixture
def runs_table() -> Iterator[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {RUNS_TABLE} (id serial PRIMARY KEY, number integer NOT NULL, "
            "event text NOT NULL, pid integer NOT NULL)"
        )
    yield RUNS_TABLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RUNS_TABLE}")


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen]]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMPLUS_TASK_LEASE_SECONDS": str(LEASE_SECONDS),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    started: list[tuple[subprocess.Popen, Path]] = []

    def start(name: str) -> subprocess.Popen:
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "emplus", "db-worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.1"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        print(f"--- {log.name} ---\n{log.read_text()}")  # shown when a test fails


def _wait_for(what: str, condition: Callable[[], Any], timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _runs(event: str) -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number, pid FROM {RUNS_TABLE} WHERE event = %s ORDER BY id",  # noqa: S608
            [event],
        )
        return [tuple(row) for row in cursor.fetchall()]


def _stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=60)


def test_two_workers_run_every_task_exactly_once(runs_table, start_worker):
    # given two workers on one database, both holding a lease
    workers = [start_worker("worker-1"), start_worker("worker-2")]
    _wait_for("both workers", lambda: TaskWorker.objects.count() == 2, timeout=60)
    # when 200 tasks are queued
    ids = {str(record_run.enqueue(number, seconds=0.01).id) for number in range(200)}
    _wait_for("every task", lambda: DBTaskResult.objects.successful().count() == 200)
    # then each ran once, each result records one run, and both workers took their share
    runs = _runs("ran")
    assert sorted(number for number, _ in runs) == list(range(200))
    results = DBTaskResult.objects.filter(id__in=ids)
    assert {len(result.worker_ids) for result in results} == {1}
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert {pid for _, pid in runs} == {worker.pid for worker in workers}
    # and stopped gracefully, they give back their leases
    assert [_stop(worker) for worker in workers] == [0, 0]
    assert not TaskWorker.objects.exists()


def test_task_of_a_worker_killed_mid_task_is_run_again_by_the_other(runs_table, start_worker):
    # given two workers on one database
    workers = {worker.pid: worker for worker in (start_worker("w-1"), start_worker("w-2"))}
    _wait_for("both workers", lambda: TaskWorker.objects.count() == 2, timeout=60)
    # when the worker that took a three-second task is killed in its middle
    result_id = slow_run.enqueue(7, seconds=3).id
    [(_, victim_pid)] = _wait_for("the task to start", lambda: _runs("started"), timeout=60)
    victim = workers.pop(victim_pid)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    [survivor] = workers.values()
    # then the other worker runs it again, to the end, once its colleague's lease has expired
    _wait_for(
        "the task to finish",
        lambda: DBTaskResult.objects.filter(
            id=result_id, status=TaskResultStatus.SUCCESSFUL
        ).exists(),
        timeout=LEASE_SECONDS + 60,
    )
    assert _runs("started") == [(7, victim_pid), (7, survivor.pid)]
    assert _runs("finished") == [(7, survivor.pid)]
    result = DBTaskResult.objects.get(id=result_id)
    assert len(result.worker_ids) == 2
    assert result.return_value == 7
    # and the dead worker's lease is gone, the survivor's kept
    assert list(TaskWorker.objects.values_list("pid", flat=True)) == [survivor.pid]
    assert _stop(survivor) == 0
