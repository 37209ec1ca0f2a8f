"""How often the evidence reports are computed again under the load test's request mix, which
writes no participant data (decision 65): in one process, threads of the load test's
coordinators and analysts ask for `/evidence/indicators/` and `/evidence/progression/` while
threads of coaches search by name and open participant pages (search tokens, known-elsewhere
counts, audit events, sessions: the load test's own writes). Counts the reports computed and
the kept frames read in full after a warm-up in which every scope computed its reports once.

The default cache starts with `--prefill` entries, as a server's holds the search tokens of the
last 30 minutes; each run has a cache directory of its own. Run it on a copy of the load test's
database (HELPERS.md: clone-db):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy \\
        EMPLUS_VAR_DIR=/tmp/varload_copy
    .venv/bin/python bench/bench_report_recomputes.py --requests 40
    ... --baseline-src /tmp/main/src     # the same against other code, in the same run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter

from _common import baseline_run, django_setup, load_average, machine

# The load test's accounts (bench/loadtest_data.py) and search terms (bench/locustfile.py).
EVIDENCE_USERS = ["lt-coordinator-01", "lt-coordinator-02", "lt-analyst-01", "lt-analyst-02"]
TRAFFIC_USERS = ["lt-coach-01", "lt-coach-02", "lt-coordinator-03"]
NAME_TERMS = ["Ekbacka", "amina", "sjö", "Maja Norrgren", "Hagmark", "leila stenb", "Karl"]
PAGES = ["/evidence/indicators/", "/evidence/progression/"]


def _counted(counts: Counter) -> None:
    """Count the reports computed and the kept frames read in full, by wrapping them."""
    from emplus.evidence import selectors
    from emplus.pathways import kept_participant_frame, kept_progress_frame

    def wrap(module, name, label, full=None):
        original = getattr(module, name)

        def counting(*args, **kwargs):
            if full is None or full(kwargs):
                counts[label] += 1
            return original(*args, **kwargs)

        setattr(module, name, counting)

    wrap(selectors, "_indicator_report", "indicator reports computed")
    wrap(selectors, "_progression_report", "progression reports computed")
    wrap(
        kept_participant_frame,
        "_read",
        "participant frames read in full",
        lambda kw: kw.get("keys") is None,
    )
    wrap(
        kept_progress_frame, "_read", "summary frames read in full", lambda kw: kw["after"] is None
    )


def measure(args: argparse.Namespace) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from tests.factories import verify_session

    from emplus.pathways.models import Participant

    setup_test_environment()
    users = get_user_model().objects.in_bulk(EVIDENCE_USERS + TRAFFIC_USERS, field_name="username")
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        verify_session(clients[name], user)
    people = {}  # participants each traffic user may open: a coach's unit's, or the first's
    for name in TRAFFIC_USERS:
        membership = users[name].memberships.exclude(unit=None).first()
        if membership is not None:
            listed = Participant.objects.filter(unit=membership.unit).values_list("pk", flat=True)
            people[name] = list(listed[:500])
    people.update({name: people[TRAFFIC_USERS[0]] for name in TRAFFIC_USERS if name not in people})
    cache = caches["default"]
    for number in range(args.prefill):  # a server's search tokens of the last 30 minutes
        cache.set(f"emplus:search:prefill-{number}", {"user": "", "kind": "", "terms": {}}, 1800)
    counts: Counter = Counter()
    _counted(counts)
    for name in EVIDENCE_USERS:  # every scope's reports computed once
        for page in PAGES:
            assert clients[name].get(page).status_code == 200, (name, page)
    counts.clear()
    connection.close()
    done = threading.Event()
    walls: list[float] = []
    rng = random.Random(65)  # noqa: S311 - the order of requests

    def evidence(name: str, pages: list[str]) -> None:
        try:
            for page in pages:
                start = time.perf_counter()
                assert clients[name].get(page).status_code == 200, (name, page)
                walls.append(time.perf_counter() - start)
                time.sleep(args.pause)
        finally:
            connection.close()

    def traffic(name: str, seed: int) -> None:
        own = random.Random(seed)  # noqa: S311 - bench traffic
        try:
            while not done.is_set():
                response = clients[name].post("/participants/", {"q": own.choice(NAME_TERMS)})
                # Redirected to its results before decision 63, answered since.
                assert response.status_code in (200, 302), response.status_code
                counts["searches"] += 1
                clients[name].get(f"/participants/{own.choice(people[name])}/")
                counts["participant pages"] += 1
        finally:
            connection.close()

    started, cpu = time.perf_counter(), time.process_time()
    askers = [
        threading.Thread(
            target=evidence, args=(name, [rng.choice(PAGES) for _ in range(args.requests)])
        )
        for name in EVIDENCE_USERS
    ]
    others = [
        threading.Thread(target=traffic, args=(name, n)) for n, name in enumerate(TRAFFIC_USERS)
    ]
    for thread in askers + others:
        thread.start()
    for thread in askers:
        thread.join()
    done.set()
    for thread in others:
        thread.join()
    walls.sort()
    return {
        "counts": dict(counts),
        "evidence requests": len(walls),
        "seconds": round(time.perf_counter() - started, 1),
        "process CPU seconds": round(time.process_time() - cpu, 1),
        "evidence p50 ms": round(1000 * walls[len(walls) // 2]),
        "evidence p95 ms": round(1000 * walls[int(0.95 * (len(walls) - 1))]),
        "default cache files": len(os.listdir(cache._dir)),  # type: ignore[attr-defined]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="evidence requests per user")
    parser.add_argument("--prefill", type=int, default=290, help="entries in the default cache")
    parser.add_argument("--pause", type=float, default=0.2, help="pause after an evidence request")
    parser.add_argument("--baseline-src", help="src/ of the code to compare with")
    parser.add_argument("--times-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # A cache of its own for each run: nothing kept by an earlier run or the other code.
    os.environ["EMPLUS_CACHE_DIR"] = tempfile.mkdtemp(prefix="recomputes-cache-")
    django_setup(baseline_src=args.baseline_src if args.times_only else None)
    if args.times_only:
        print(json.dumps(measure(args)))
        return
    print(machine())
    new = measure(args)
    runs = {"this code": new}
    if args.baseline_src:
        passed = ["--requests", str(args.requests), "--prefill", str(args.prefill)]
        passed += ["--pause", str(args.pause)]
        runs["baseline"] = baseline_run(__file__, args.baseline_src, passed)
    print(f"load average at end {load_average()}")
    for label, run in runs.items():
        print(label, json.dumps(run, indent=1), file=sys.stdout)


if __name__ == "__main__":
    main()
