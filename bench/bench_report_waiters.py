"""Benchmark of K users asking at once for the same evidence report that is not kept (the
server's first minute, or the first views after a write; decision 49), or for a participant
page whose reliability statistics are out of date (after any new assessment): the CPU all of
them cost together, Python and PostgreSQL, and how long they waited.

P worker processes (as `emplus serve` runs 2) of K/P threads each, every thread a client
logged in as the ABF coordinator (one scope, so one report), all warmed with one request;
then the cache is cleared (or the statistics' data version raised) and all ask at once.
CPU: each worker process's own (`time.process_time`, all its threads) and that of the
PostgreSQL backends serving its threads (from /proc, so the server must run on this
machine); the computations counted by wrapping the computation. Run it on a copy of the
evidence benchmark database:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_bench_evidence_copy \\
        EMPLUS_VAR_DIR=/tmp/var_bench_evidence_copy
    .venv/bin/python bench/bench_report_waiters.py --page indicators --concurrent 8
    ... --page progression | --page participant
    ... --baseline-src /tmp/main/src     # the same against other code, in the same run
                                         # (git archive main src | tar -x -C /tmp/main)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import django_setup, load_average, machine

# Page: the computation counted (module, function). The participant page computes the
# instrument's reliability statistics again after a write of assessments in bulk (decision 39;
# a service's write keeps them up to date, decision 56).
PAGES = {
    "indicators": ("emplus.evidence.selectors", "_indicator_report"),
    "progression": ("emplus.evidence.selectors", "_progression_report"),
    "participant": ("emplus.pathways.progress_data", "instrument_statistics_compute"),
}


def _backend_cpu(pids: list[int]) -> float:
    """CPU seconds (user and system) of these processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


def worker(args: argparse.Namespace) -> None:
    """One worker process: log in its clients, warm them, say ready, wait for the go, ask."""
    django_setup(baseline_src=args.baseline_src)
    import importlib

    from django.contrib.auth import get_user_model
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from tests.factories import verify_session

    computations = []
    module, name = PAGES[args.page]
    module = importlib.import_module(module)
    compute = getattr(module, name)

    def counted(*a, **k):
        computations.append(1)
        return compute(*a, **k)

    setattr(module, name, counted)
    # Each thread keeps its connection, so that its backend's CPU can be read at the end (the
    # test client's handling of these signals is not safe across threads).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    viewer = get_user_model().objects.get(username="coordinator.abf")
    url = _url(args.page)
    clients = []
    for _ in range(args.threads):
        client = Client(HTTP_HOST="127.0.0.1")
        verify_session(client, viewer)
        clients.append(client)
    ready, start = threading.Barrier(args.threads + 1), threading.Barrier(args.threads + 1)
    backends: list[int] = []
    walls: list[float] = []

    def ask(client: Client) -> None:
        assert client.get(url).status_code == 200  # warm: imports, templates, a connection
        backends.append(connection.connection.info.backend_pid)
        ready.wait()
        start.wait()
        began = time.perf_counter()
        response = client.get(url)
        walls.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code

    threads = [threading.Thread(target=ask, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    ready.wait()
    computations.clear()
    Path(f"{args.go}.{os.getpid()}").touch()
    while not Path(args.go).exists():
        time.sleep(0.002)
    cpu, database = time.process_time(), _backend_cpu(backends)
    start.wait()
    for thread in threads:
        thread.join()
    # The backends end with this process: read them before.
    cpu, database = time.process_time() - cpu, _backend_cpu(backends) - database
    print(
        json.dumps(
            {"cpu": cpu, "database": database, "walls": walls, "computations": len(computations)}
        )
    )


def _url(page: str) -> str:
    from django.urls import reverse

    from emplus.pathways.models import Participant

    if page != "participant":
        return reverse(f"evidence:{page}")
    participant = (
        Participant.objects.filter(organisation__code="ABF", enrolments__assessments__isnull=False)
        .order_by("participant_ref")
        .first()
    )
    return reverse("pathways:detail", args=[participant.pk])


def _forget(page: str) -> None:
    """Nobody has the result: the server's first minute, or the first views after a write."""
    from django.core.cache import caches

    from emplus.pathways import progress_data, services

    if page == "participant":  # as a write in bulk does (decision 39)
        services.instrument_data_changed(instrument=progress_data.instrument_active())
    else:
        for cache in caches.all():  # the reports' own cache too (decision 65), where there is one
            cache.clear()


def _round(args: argparse.Namespace, baseline_src: str | None) -> dict[str, float]:
    """All workers ask once for a result nobody has: the sums and the waits."""

    go = Path(tempfile.mkdtemp()) / "go"
    per_process = args.concurrent // args.processes
    command = [sys.executable, __file__, "--worker", "--page", args.page, "--go", str(go)]
    command += ["--threads", str(per_process)]
    if baseline_src:
        command += ["--baseline-src", baseline_src]
    workers = [
        subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603 - itself
        for _ in range(args.processes)
    ]
    deadline = time.monotonic() + 600
    while len(list(go.parent.glob("go.*"))) < len(workers):
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            raise SystemExit("a worker did not get ready")
        time.sleep(0.05)
    _forget(args.page)
    began = time.perf_counter()
    go.touch()
    results = [json.loads(w.communicate()[0].strip().splitlines()[-1]) for w in workers]
    wall = time.perf_counter() - began
    walls = [w for result in results for w in result["walls"]]
    python_cpu = sum(result["cpu"] for result in results)
    database_cpu = sum(result["database"] for result in results)
    return {
        "computations": sum(result["computations"] for result in results),
        "python": python_cpu,
        "database": database_cpu,
        "total": python_cpu + database_cpu,
        "median": statistics.median(walls),
        "slowest": max(walls),
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=sorted(PAGES), default="indicators")
    parser.add_argument("--concurrent", type=int, default=8, help="users asking at once (K)")
    parser.add_argument("--processes", type=int, default=2, help="worker processes (P)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per code, alternating")
    parser.add_argument("--baseline-src", help="src/ of the code to compare with")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--go", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    django_setup()
    from django.db import connection

    print(machine(f", {connection.vendor}"))
    print(
        f"{args.concurrent} users asking for {_url(args.page)} at once, in "
        f"{args.processes} processes; the median of {args.rounds} rounds, "
        "the codes alternating"
    )
    codes = {"this code": None}
    if args.baseline_src:
        codes = {"before": args.baseline_src, **codes}
    measured: dict[str, list[dict[str, float]]] = {name: [] for name in codes}
    for _ in range(args.rounds):
        for name, src in codes.items():
            measured[name].append(_round(args, src))
    print(f"load average at end {load_average()}")
    print()
    print(
        "| code | computations | CPU Python | CPU PostgreSQL | CPU total | request median "
        "| slowest request |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, rounds in measured.items():

        def median(field: str, rounds: list[dict[str, float]] = rounds) -> float:
            return statistics.median(r[field] for r in rounds)

        print(
            f"| {name} | {median('computations'):.0f} | {median('python'):.2f} s | "
            f"{median('database'):.2f} s | {median('total'):.2f} s | "
            f"{median('median'):.2f} s | {median('slowest'):.2f} s |"
        )


if __name__ == "__main__":
    main()
