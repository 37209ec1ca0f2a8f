"""Tasks for the tests of several workers (tests/core/test_task_workers*.py) only: each run is
recorded in a table of its own, through the worker's own database connection."""

from __future__ import annotations

import os
import time

from django.db import connection
from django_tasks import task

RUNS_TABLE = "test_task_runs"


def _record(number: int, event: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RUNS_TABLE} (number, event, pid) VALUES (%s, %s, %s)",  # noqa: S608
            [number, event, os.getpid()],
        )


@task()
def record_run(number: int, seconds: float = 0.0) -> int:
    time.sleep(seconds)
    _record(number, "ran")
    return number


@task()
def slow_run(number: int, seconds: float) -> int:
    _record(number, "started")
    time.sleep(seconds)
    _record(number, "finished")
    return number
