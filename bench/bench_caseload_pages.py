"""Benchmark of the pages the load test hits most (bench/locustfile.py), one request at a time,
in-process through the whole stack: middleware, session, authentication, second factor, audit,
template rendering. CPU milliseconds of this process per request and of the PostgreSQL backend that
served it (from /proc: the database on this machine; the mean, the kernel counts in 10 ms
ticks), wall milliseconds, queries and the time spent in them.

Run it on a database of the load test (bench/loadtest_data.py: its users `lt-coach-01` and
`lt-coordinator-01`, a second factor required as in production):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy EMPLUS_VAR_DIR=...
    EMPLUS_REQUIRE_2FA=1 .venv/bin/python bench/bench_caseload_pages.py --repeat 20
    ... --baseline-src /tmp/main/src     # the same requests against other code, in a child
                                         # process (git archive main src | tar -x -C /tmp/main)
    ... --profile caseload               # cProfile of one request, by cumulative and own time

The requests: a coordinator's caseload (page 1, and pages far into it), a coach's caseload, a
search by name and by reference (the POST, and the page it redirected to before decision 63,
as the browser and locust follow it), `/api/participants/` as a coach and as a coordinator, a
participant page, the activities list and a small page (the user guide's index: what every
page pays). Both runs see the same pages (a fixed random seed). Where the code has it, the
process is warmed and frozen as `emplus serve` does with each worker
(`emplus.core.serving.warm_and_freeze`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

from _common import baseline_run, django_setup, load_average, machine, p95, profile

NAME_TERMS = ["Ekbacka", "amina", "sjö", "Maja Norrgren", "Hagmark", "leila stenb", "Karl"]
REFERENCE_TERMS = ["L3-0452", "L7-00012", "D-0123", "L0-099"]
PAGES = [
    "caseload",
    "caseload-page-n",
    "caseload-coach",
    "search-name",
    "search-reference",
    "api-coach",
    "api-coordinator",
    "participant",
    "activities",
    "small-page",
]


class _SqlClock:
    """Counts the queries of a request and the wall time spent in them."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.queries += 1


def _clients():
    from django.contrib.auth import get_user_model
    from django.test import Client
    from tests.factories import verify_session

    users = get_user_model().objects
    clients = {}
    for role in ("coordinator", "coach"):
        # Not the test environment's client set-up: no template instrumentation, whose signal
        # copies every context and would cost more than the rendering itself.
        client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=False)
        verify_session(client, users.get(username=f"lt-{role}-01"))
        clients[role] = client
    return clients


def _requests(clients, rng: random.Random, pages_of_caseload: int, participant_url: str):
    api_pages = max(2, min(1000, pages_of_caseload // 2))  # 100 a page in the API
    """name -> a function that makes the request once and returns its final response."""
    coordinator, coach = clients["coordinator"], clients["coach"]

    def search(terms):
        def run():
            response = coordinator.post("/participants/", {"q": rng.choice(terms)})
            if response.status_code == 200:  # the results answer the POST (decision 63)
                return response
            assert response.status_code == 302, response.status_code
            return coordinator.get(response["Location"])

        return run

    return {
        "caseload": lambda: coordinator.get("/participants/"),
        "caseload-page-n": lambda: coordinator.get(
            f"/participants/?page={rng.randint(2, pages_of_caseload)}"
        ),
        "caseload-coach": lambda: coach.get("/participants/"),
        "search-name": search(NAME_TERMS),
        "search-reference": search(REFERENCE_TERMS),
        "api-coach": lambda: coach.get("/api/participants/"),
        "api-coordinator": lambda: coordinator.get(
            f"/api/participants/?page={rng.choice([1, 1, rng.randint(2, api_pages)])}"
        ),
        "participant": lambda: coordinator.get(participant_url),
        "activities": lambda: coordinator.get("/mapping/activities/"),
        # The user guide's index: no query of its own, what every page pays shows (decision 61).
        "small-page": lambda: coordinator.get("/help/"),
    }


def _backend_cpu() -> tuple[int | None, float]:
    """The PostgreSQL backend serving this process's connection and its CPU seconds so far
    (user + system, from /proc: the server runs on this machine); (None, 0) elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.connection is None:
        return None, 0.0
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None, 0.0
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(run, repeat: int) -> dict[str, list[float]]:
    from django.db import connection

    out: dict[str, list[float]] = {"cpu": [], "wall": [], "sql": [], "queries": [], "pg": []}
    for _ in range(repeat):
        clock = _SqlClock()
        pid, pg = _backend_cpu()
        with connection.execute_wrapper(clock):
            wall, cpu = time.perf_counter(), time.process_time()
            response = run()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        assert response.status_code == 200, response.status_code
        pid_after, pg_after = _backend_cpu()
        out["cpu"].append(cpu * 1000)
        out["wall"].append(wall * 1000)
        out["sql"].append(clock.seconds * 1000)
        out["queries"].append(clock.queries)
        # The kernel counts in ticks (10 ms): only the mean over the requests means anything.
        if pid is not None and pid == pid_after:
            out["pg"].append((pg_after - pg) * 1000)
    return out


def _mean(values: list[float]) -> str:
    return f"{statistics.fmean(values):.0f}" if values else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--baseline-src", help="src/ of the code to compare with")
    parser.add_argument("--pages", help=f"comma-separated, of: {','.join(PAGES)}")
    parser.add_argument("--profile", metavar="PAGE", help="cProfile one request of PAGE")
    parser.add_argument("--times-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    django_setup(baseline_src=args.baseline_src if args.times_only else None)
    from django.conf import settings
    from django.db import connection

    from emplus.pathways.models import Participant

    names = args.pages.split(",") if args.pages else PAGES
    if not args.times_only:
        print(
            machine(f", {connection.vendor}, second factor required: {settings.EMPLUS_REQUIRE_2FA}")
        )
        total = Participant.objects.filter(erased_at__isnull=True).count()
        print(f"data: {total:,} participants")
    clients = _clients()
    abf_total = Participant.objects.filter(organisation__code="ABF").count()
    participant = (
        Participant.objects.filter(organisation__code="ABF", erased_at__isnull=True)
        .order_by("participant_ref", "pk")[abf_total // 2 : abf_total // 2 + 1]
        .get()
    )
    requests = _requests(
        clients,
        random.Random(2026),  # noqa: S311 - the same pages in both runs
        max(2, abf_total // 50),
        f"/participants/{participant.pk}/",
    )
    try:  # as `emplus serve` starts a worker, where it does (decision 46)
        from emplus.core.serving import warm_and_freeze
    except ImportError:
        pass
    else:
        warm_and_freeze()
    if args.profile:
        run = requests[args.profile]
        run()
        run()
        profile(run, tottime=True, lines=150)
        return
    results = {}
    for name in names:
        requests[name]()  # warm: first-request imports, templates, statistics
        results[name] = _measure(requests[name], args.repeat)
    if args.times_only:
        print(json.dumps(results))
        return
    old: dict[str, dict[str, list[float]]] = {}
    if args.baseline_src:
        old = baseline_run(
            __file__, args.baseline_src, ["--repeat", str(args.repeat), "--pages", ",".join(names)]
        )
    print(f"load average at end {load_average()}")
    print()
    print(
        "| request | CPU median | CPU p95 | PostgreSQL CPU mean | wall median | wall p95 "
        "| SQL median | queries | before: CPU median | CPU p95 | PostgreSQL CPU mean "
        "| wall median | queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, new in results.items():
        row = (
            f"| {name} | {statistics.median(new['cpu']):.0f} | {p95(new['cpu']):.0f} | "
            f"{_mean(new['pg'])} | "
            f"{statistics.median(new['wall']):.0f} | {p95(new['wall']):.0f} | "
            f"{statistics.median(new['sql']):.0f} | {max(new['queries']):.0f} |"
        )
        before = old.get(name)
        if before:
            row += (
                f" {statistics.median(before['cpu']):.0f} | {p95(before['cpu']):.0f} | "
                f"{_mean(before.get('pg', []))} | "
                f"{statistics.median(before['wall']):.0f} | {max(before['queries']):.0f} |"
            )
        else:
            row += " – | – | – | – | – |"
        print(row)


if __name__ == "__main__":
    main()
