"""Benchmark of the participant page (decision 71), one request at a time, in-process through
the whole stack, for a coach and a coordinator of ABF and participants of several kinds: the
fullest records of the data, one without an enrolment, one exited with its follow-up recorded,
one with a follow-up due, one shared with ABF by consent (where the data has them). CPU
milliseconds of this process per request (`time.process_time`), queries, and the page itself:

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy EMPLUS_VAR_DIR=...
    EMPLUS_REQUIRE_2FA=1 .venv/bin/python bench/bench_participant_page.py --repeat 20 --rounds 4 \\
        --baseline-src /tmp/main/src     # rounds alternate between this code and main's
    ... --html /tmp/pages                # each page's text, the CSRF token masked, to compare
    ... --profile                        # cProfile of one request of the fullest record
    ... --queries                        # each query of one request with its Python time

Both runs see the same participants (chosen by their records, ties by reference).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from _common import baseline_run, django_setup, load_average, machine
from bench_caseload_pages import _clients  # the coordinator's and the coach's, logged in

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def _cases() -> dict[str, str]:
    """name -> the participant's id: records of several kinds in lt-coach-01's unit (both
    personas see them)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery

    from emplus.organisations.models import Membership
    from emplus.pathways.models import (
        Assessment,
        Consent,
        Enrolment,
        FollowUp,
        Participant,
        PathwayEvent,
        PathwayStep,
    )

    coach = get_user_model().objects.get(username="lt-coach-01")
    unit = Membership.objects.filter(user=coach).exclude(unit=None).values("unit")[:1]
    people = Participant.objects.filter(unit__in=unit, erased_at__isnull=True)
    order = ("participant_ref", "pk")

    def count(model):
        rows = model.objects.filter(enrolment__participant=OuterRef("pk")).order_by()
        counted = rows.values("enrolment__participant").annotate(n=Count("pk")).values("n")
        return Subquery(counted, output_field=IntegerField())

    full = people.annotate(
        n_a=count(Assessment), n_s=count(PathwayStep), n_e=count(PathwayEvent)
    ).order_by(F("n_a").desc(nulls_last=True), F("n_s").desc(nulls_last=True), "-n_e", *order)
    cases = {
        "fullest": full[0].pk,
        "second-fullest": full[1].pk,
        "no-enrolment": people.filter(~Exists(Enrolment.objects.filter(participant=OuterRef("pk"))))
        .order_by(*order)
        .first(),
        "exited-followed-up": people.filter(
            Exists(
                FollowUp.objects.filter(
                    enrolment__participant=OuterRef("pk"), observed_on__isnull=False
                )
            )
        )
        .order_by(*order)
        .first(),
        "follow-up-due": people.filter(
            Exists(
                FollowUp.objects.filter(
                    enrolment__participant=OuterRef("pk"), observed_on__isnull=True
                )
            )
        )
        .order_by(*order)
        .first(),
        "shared-by-consent": Participant.objects.filter(
            Exists(
                Consent.objects.filter(
                    participant=OuterRef("pk"), sharing=True, shared_with__code="ABF"
                )
            ),
            ~Q(organisation__code="ABF"),
        )
        .order_by(*order)
        .first(),
    }
    return {name: str(getattr(p, "pk", p)) for name, p in cases.items() if p is not None}


def _page(client, pk: str) -> tuple[float, int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        cpu = time.process_time()
        response = client.get(f"/participants/{pk}/")
        cpu = time.process_time() - cpu
    assert response.status_code == 200, response.status_code
    return cpu * 1000, len(queries), CSRF.sub(r"\1-\2", response.content.decode())


def _run(args) -> dict:
    clients = _clients()
    cases = json.loads(args.cases) if args.cases else _cases()
    out: dict = {"cases": cases, "cpu": {}, "queries": {}}
    for persona, client in clients.items():
        for name, pk in cases.items():
            if persona == "coach" and name == "shared-by-consent":
                continue  # another organisation's record: shown to ABF's coordinator alone
            key = f"{persona} {name}"
            if not args.repeat:
                continue
            _page(client, pk)  # warm
            cpu, queries, html = zip(*(_page(client, pk) for _ in range(args.repeat)), strict=True)
            out["cpu"][key] = list(cpu)
            out["queries"][key] = max(queries)
            if args.html:
                folder = Path(args.html)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{key.replace(' ', '_')}.html").write_text(html[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="requests per page and round")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds")
    parser.add_argument("--baseline-src", help="src/ of the code to compare with")
    parser.add_argument("--html", help="write the pages here (and BASELINE's to HTML-before)")
    parser.add_argument("--profile", action="store_true", help="cProfile of one request")
    parser.add_argument("--queries", action="store_true", help="each query of one request")
    parser.add_argument("--cases", help=argparse.SUPPRESS)
    parser.add_argument("--times-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    django_setup(baseline_src=args.baseline_src if args.times_only else None)
    try:  # as `emplus serve` starts a worker, where it does (decision 46)
        from emplus.core.serving import warm_and_freeze
    except ImportError:
        pass
    else:
        warm_and_freeze()
    if args.profile or args.queries:
        _one(args)
        return
    if args.times_only:
        print(json.dumps(_run(args)))
        return
    from django.db import connection

    print(machine(f", {connection.vendor}"))
    results: dict[str, list[float]] = {}
    before: dict[str, list[float]] = {}
    queries: dict[str, tuple[int, int | None]] = {}
    cases = _run(argparse.Namespace(**{**vars(args), "repeat": 0, "html": None}))["cases"]
    here = str(Path(__file__).resolve().parents[1] / "src")
    for number in range(args.rounds):
        # Both codes in a fresh child process each round, in turn first (the machine's load
        # changes by the minute).
        runs = [(here, args.html), (args.baseline_src, args.html and f"{args.html}-before")]
        if number % 2:
            runs.reverse()
        measured = {}
        for src, html in runs:
            if src is None:
                continue
            arguments = ["--repeat", str(args.repeat), "--cases", json.dumps(cases)]
            measured[src] = baseline_run(
                __file__, src, arguments + (["--html", html] if html else [])
            )
        new, old = measured[here], measured.get(args.baseline_src)
        for key, values in new["cpu"].items():
            results.setdefault(key, []).extend(values)
            if old:
                before.setdefault(key, []).extend(old["cpu"][key])
            queries[key] = (new["queries"][key], old["queries"][key] if old else None)
    print(f"cases: {json.dumps(cases)}")
    print(f"load average at end {load_average()}")
    print()
    print("| persona, participant | CPU median | queries | before: CPU median | queries | change |")
    print("|---|---:|---:|---:|---:|---:|")
    for key, values in results.items():
        now = statistics.median(values)
        row = f"| {key} | {now:.1f} | {queries[key][0]} |"
        if before:
            then = statistics.median(before[key])
            row += f" {then:.1f} | {queries[key][1]} | {(now - then) / then * 100:+.0f} % |"
        print(row)


def _one(args) -> None:
    from django.db import connection

    clients = _clients()
    pk = _cases()["fullest"]
    client = clients["coordinator"]
    _page(client, pk)
    _page(client, pk)
    if args.profile:
        import cProfile
        import pstats

        # CPU, not wall: the waits on the database are no cost of this process.
        profiler = cProfile.Profile(time.process_time)
        for _ in range(20):
            profiler.runcall(_page, client, pk)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(150)
        return
    timings: list[tuple[float, str]] = []

    def clock(execute, sql, params, many, context):
        timings.append((time.process_time(), sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(clock):
        start = time.process_time()
        _page(client, pk)
        end = time.process_time()
    # Python between one query's start and the next's: its building, running and reading.
    marks = [t for t, _ in timings] + [end]
    print(f"{len(timings)} queries, {(end - start) * 1000:.1f} ms CPU in all")
    for (t, sql), following in zip(timings, marks[1:], strict=True):
        print(f"{(following - t) * 1000:6.2f} ms  {sql[:150]}")


if __name__ == "__main__":
    main()
