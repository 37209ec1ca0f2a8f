"""Benchmark of the database task queue: throughput of 1, 2 and 4 `emplus db-worker` processes
on PostgreSQL, with the lease (decision 0041) and, as the baseline, django-tasks-db's own worker
without it.

Queues N small tasks (each writes one row, tests/core/worker_tasks.record_run), then starts K
workers in --batch mode (each exits once the queue is empty) and reads from the task rows the
time from the first start to the last finish (the workers' start-up is not counted). Checks
that every task ran exactly once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_bench_tasks \
        .venv/bin/python bench/bench_task_workers.py                 # 2 000 tasks, 1/2/4 workers
    ... bench/bench_task_workers.py --tasks 500 --workers 1 2

The database named in the URL is dropped and created again.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LIBRARY_WORKER = (
    "import sys, django; django.setup(); "
    "from django.core.management import call_command; "
    "from django_tasks_db.management.commands.db_worker import Command; "
    "call_command(Command(), *sys.argv[1:])"
)


def _database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _run(kind: str, workers: int, tasks: int) -> tuple[float, int]:
    from django.db import connection
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult
    from tests.core.worker_tasks import RUNS_TABLE, record_run

    DBTaskResult.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {RUNS_TABLE}")
    for number in range(tasks):
        record_run.enqueue(number)
    options = ["--batch", "--no-reload", "--no-startup-delay", "--interval", "0", "-v0"]
    if kind == "lease":
        command = [sys.executable, "-m", "emplus", "db-worker", *options]
    else:
        command = [sys.executable, "-c", LIBRARY_WORKER, *options]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "emplus.config.settings",
    }
    processes = [subprocess.Popen(command, cwd=ROOT, env=env) for _ in range(workers)]  # noqa: S603
    for process in processes:
        if process.wait(timeout=900) != 0:
            raise SystemExit(f"a worker failed with exit status {process.returncode}")
    span = DBTaskResult.objects.successful().aggregate(
        first=Min("started_at"), last=Max("finished_at")
    )
    done = DBTaskResult.objects.successful().count()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), count(DISTINCT number) FROM {RUNS_TABLE}")  # noqa: S608
        runs, distinct = cursor.fetchone()
    if not (done == runs == distinct == tasks):
        raise SystemExit(f"{kind}/{workers}: {done} done, {runs} runs, {distinct} distinct")
    return (span["last"] - span["first"]).total_seconds(), runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (it is dropped and created)")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    _database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emplus.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from tests.core.worker_tasks import RUNS_TABLE

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {RUNS_TABLE} (id serial PRIMARY KEY, number integer NOT NULL, "
            "event text NOT NULL, pid integer NOT NULL)"
        )
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}, {args.tasks:,} tasks per run")
    print("| workers | worker | seconds | tasks/s | vs library |")
    print("|---:|---|---:|---:|---:|")
    for workers in args.workers:
        baseline, _ = _run("library", workers, args.tasks)
        leased, _ = _run("lease", workers, args.tasks)
        for kind, seconds in (("library (baseline)", baseline), ("with lease", leased)):
            ratio = "" if kind.startswith("library") else f"{baseline / seconds:.2f}×"
            print(f"| {workers} | {kind} | {seconds:.2f} | {args.tasks / seconds:,.0f} | {ratio} |")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
