"""Benchmark of the evidence pages from the database: the participant page (distance
travelled), /evidence/indicators/ and /evidence/progression/ as the ABF coordinator.

Builds the demo partnership (3 000 participants) and adds N participants with enrolments,
exits, follow-ups and self-assessments to ABF in a fresh database, then requests each page
through the Django test client, logged in as `coordinator.abf`, and prints the median and
p95 of the response times, with the CPU of this process and of the PostgreSQL backend. A
`*-recomputed` page is the first view after a write: one participant of ABF is saved before
each request. The baseline is the code before decision 39, a copy of its
`src/` given with `--baseline-src` (e.g. `git archive <commit> src | tar -x -C /tmp/old`):
the same requests on the same data in a child process that imports that code
(`--baseline-repeat` requests each).

    .venv/bin/python bench/bench_evidence_pages.py                       # 100 000, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_bench_evidence \
      .venv/bin/python bench/bench_evidence_pages.py --size 100000 --repeat 20
    ... --reuse      # keep the database of an earlier run (PostgreSQL), skip the build
    ... --baseline-src /tmp/old/src   # time the code before decision 39 as well

Without DATABASE_URL the database is a temporary SQLite file. On PostgreSQL the database
named in the URL is dropped and created again unless --reuse is given.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from _common import baseline_run, django_setup, load_average, machine, p95, profile

REF_PREFIX = "BE-"
TODAY = date(2026, 11, 1)


def _database(url: str | None, reuse: bool) -> None:
    if url:
        import psycopg

        base, name = url.rsplit("/", 1)
        if not reuse:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
    else:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"


def _build(size: int, rng: random.Random) -> float:
    """The demo partnership plus `size` participants of ABF; returns the seconds."""
    from dateutil.relativedelta import relativedelta
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from emplus.demo.builder import demo_data_create
    from emplus.organisations.models import Organisation
    from emplus.pathways import services
    from emplus.pathways.models import (
        Assessment,
        AssessmentScore,
        Consent,
        Enrolment,
        FollowUp,
        Instrument,
        Participant,
        PathwayStep,
    )

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    demo_data_create()
    abf = Organisation.objects.get(code="ABF")
    units = list(abf.units.select_related("municipality").order_by("name"))
    recorder = get_user_model().objects.get(username="coordinator.abf")
    instrument = Instrument.objects.get(code="VAGEN", version=1)
    dimensions = list(instrument.dimensions.order_by("order"))
    phases = ["mobilise", "prepare", "train", "support"]
    batch: dict[type, list] = defaultdict(list)

    def flush() -> None:
        for model in (
            Participant,
            Consent,
            Enrolment,
            PathwayStep,
            Assessment,
            AssessmentScore,
            FollowUp,
        ):
            model.objects.bulk_create(batch.pop(model, []), batch_size=5000)

    for index in range(size):
        unit = units[index % len(units)]
        entry = TODAY - timedelta(days=rng.randint(20, 900))
        status = rng.choice(["unemployed", "unemployed", "inactive", "employed"])
        person = Participant(
            organisation=abf,
            unit=unit,
            participant_ref=f"{REF_PREFIX}{index:07d}",
            given_name="Bench",
            family_name=f"Person {index}",
            birth_date=entry - relativedelta(years=rng.randint(16, 64), days=rng.randint(0, 364)),
            gender=rng.choices(["woman", "man", "non_binary"], weights=[50, 48, 2], k=1)[0],
            municipality=unit.municipality,
            lm_status_entry=status,
            unemployed_months=rng.randint(0, 48) if status == "unemployed" else None,
            isced=rng.randint(0, 8),
            citizenship=rng.choice(["SE", "SE", "SE", "SY", "FI"]),
            born_abroad=rng.random() < 0.45,
            parents_born_abroad=rng.choice([0, 1, 2]),
            homeless=rng.random() < 0.05,
        )
        batch[Participant].append(person)
        batch[Consent].append(
            Consent(
                participant=person,
                case_work=True,
                statistics=True,
                follow_up=True,
                information_version="2026-1",
                given_on=entry,
                recorded_by=recorder,
            )
        )
        left = (TODAY - entry).days > 120 and rng.random() < 0.6
        exit_date = entry + timedelta(days=rng.randint(90, (TODAY - entry).days)) if left else None
        enrolment = Enrolment(participant=person, entry_date=entry, exit_date=exit_date)
        if exit_date:
            enrolment.exit_observed_on = exit_date
            enrolment.exit_employed = rng.random() < 0.35
            enrolment.exit_job_searching = not enrolment.exit_employed
            enrolment.exit_in_education = rng.random() < 0.2
            follow_up = FollowUp(enrolment=enrolment, due_on=exit_date + relativedelta(months=6))
            if rng.random() < 0.5:
                follow_up.observed_on = exit_date + relativedelta(months=6)
                follow_up.employed = rng.random() < 0.4
                follow_up.improved = follow_up.employed or rng.random() < 0.2
            batch[FollowUp].append(follow_up)
        batch[Enrolment].append(enrolment)
        batch[PathwayStep].append(
            PathwayStep(
                enrolment=enrolment, phase=rng.choice(phases), activity="Bänk", started_on=entry
            )
        )
        level = [rng.randint(2, 7) for _ in dimensions]
        gain = rng.gauss(0.9, 0.8)
        for k in range(1 + min(2, (TODAY - entry).days // 150)):
            assessment = Assessment(
                enrolment=enrolment,
                instrument=instrument,
                assessed_on=entry + timedelta(100 * k),
                recorded_by=recorder,
            )
            batch[Assessment].append(assessment)
            for dimension, base in zip(dimensions, level, strict=True):
                value = max(1, min(10, round(base + k * gain + rng.gauss(0, 0.8))))
                batch[AssessmentScore].append(
                    AssessmentScore(assessment=assessment, dimension=dimension, value=value)
                )
        if len(batch[Participant]) == 5000:
            flush()
    flush()
    if hasattr(services, "instrument_data_changed"):  # written in bulk, past the services
        services.instrument_data_changed(instrument=instrument)
    _summary_refresh(instrument)
    return time.perf_counter() - start


def _summary_refresh(instrument) -> None:
    """The stored progress summary (decision 44) of the assessments written past the services;
    nothing for code before it."""
    try:
        from emplus.pathways.progress_summary import enrolment_progress_refresh
    except ImportError:
        return
    enrolment_progress_refresh(instrument=instrument, enrolments=None)


def _times(client, url: str, repeat: int, *, cold: bool = False) -> list[float]:
    """Wall seconds of each request; the CPU seconds of this process (the client, Django and
    the computation, not the database server) are kept in `_CPU` under the URL."""
    times = []
    for _ in range(repeat):
        if cold:  # the first view after a write: the kept report's key moved (decision 45)
            _write()
        start, cpu, server = time.perf_counter(), time.process_time(), _server_cpu()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        _CPU[(url, cold)].append(time.process_time() - cpu)
        _SERVER[(url, cold)].append(_server_cpu() - server)
        assert response.status_code == 200, (url, response.status_code)
    return times


_CPU: dict[tuple[str, bool], list[float]] = defaultdict(list)
_SERVER: dict[tuple[str, bool], list[float]] = defaultdict(list)


def _server_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far, from
    /proc (the server runs on this machine; 10 ms ticks); 0 on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


_WRITES = [0]


def _write() -> None:
    """A coach's edit of one participant of ABF (a new one each time): every kept report's
    key changes, and a frame kept by decision 51 reads the changed rows again. A save of
    `updated_at` alone, so that the code before any decision writes the same."""
    from emplus.pathways.models import Participant

    participant = Participant.objects.filter(participant_ref__startswith=REF_PREFIX).order_by(
        "participant_ref"
    )[_WRITES[0]]
    _WRITES[0] += 1
    participant.save(update_fields=["updated_at"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="participants added to ABF")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (new code)")
    parser.add_argument("--baseline-repeat", type=int, default=3, help="requests (old code)")
    parser.add_argument("--baseline-src", help="src/ of the code to compare with")
    parser.add_argument("--times-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's database")
    parser.add_argument("--profile", metavar="PAGE", help="cProfile one request of PAGE")
    parser.add_argument("--pages", help="comma-separated pages to time (default: all)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    _database(url, args.reuse)
    django_setup(baseline_src=args.baseline_src if args.times_only else None)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from tests.factories import verify_session

    from emplus.pathways.models import Assessment, AssessmentScore, Enrolment, Participant

    setup_test_environment()
    if not args.times_only:
        print(machine())
    if args.reuse:
        call_command("migrate", verbosity=0)
    if not (args.reuse and Participant.objects.filter(participant_ref__startswith=REF_PREFIX)):
        seconds = _build(args.size, random.Random(2026))  # noqa: S311 - bench data
        print(f"built in {seconds:.0f} s")
        with connection.cursor() as cursor:  # as autovacuum would leave the tables
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(
        f"data on {connection.vendor}: {Participant.objects.count():,} participants "
        f"({Participant.objects.filter(organisation__code='ABF').count():,} in ABF), "
        f"{Enrolment.objects.count():,} enrolments, {Assessment.objects.count():,} assessments, "
        f"{AssessmentScore.objects.count():,} scores"
    )
    viewer = get_user_model().objects.get(username="coordinator.abf")
    client = Client()
    verify_session(client, viewer)
    participant = (
        Participant.objects.filter(participant_ref__startswith=REF_PREFIX)
        .filter(enrolments__assessments__isnull=False)
        .order_by("participant_ref")
        .first()
    )
    pages = {
        "participant": reverse("pathways:detail", args=[participant.pk]),
        "indicators": reverse("evidence:indicators"),
        "progression": reverse("evidence:progression"),
        "indicators-recomputed": reverse("evidence:indicators"),
        "progression-recomputed": reverse("evidence:progression"),
    }
    if args.profile:
        client.get(pages[args.profile])
        if args.profile.endswith("-recomputed"):
            _write()
        profile(lambda: client.get(pages[args.profile]))
        return
    if args.pages:
        pages = {name: pages[name] for name in args.pages.split(",")}
    results: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    server: dict[str, list[float]] = {}
    for name, page in pages.items():
        client.get(page)  # warm: first-request imports, kept statistics
        cold = name.endswith("-recomputed")
        results[name] = _times(client, page, args.repeat, cold=cold)
        cpu[name] = _CPU[(page, cold)]
        server[name] = _SERVER[(page, cold)]
    if args.times_only:
        print(json.dumps({"wall": results, "cpu": cpu, "server": server}))
        return
    old: dict[str, list[float]] = {}
    old_cpu: dict[str, list[float]] = {}
    old_server: dict[str, list[float]] = {}
    if args.baseline_src:
        measured = baseline_run(
            __file__,
            args.baseline_src,
            [
                "--reuse",
                "--repeat",
                str(args.baseline_repeat),
                *(["--pages", args.pages] if args.pages else []),
            ],
        )
        old, old_cpu = measured["wall"], measured["cpu"]
        old_server = measured.get("server", {})
    print(f"load average at end {load_average()}")
    print()
    print(
        "| page | requests | median | p95 | CPU (median) | server CPU | before: median "
        "| before: CPU | before: server CPU | faster |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, new in results.items():
        med, med_cpu = statistics.median(new), statistics.median(cpu[name])
        med_server = statistics.median(server[name])
        before = statistics.median(old[name]) if old.get(name) else None
        before_cpu = statistics.median(old_cpu[name]) if old_cpu.get(name) else None
        before_server = statistics.median(old_server[name]) if old_server.get(name) else None
        print(
            f"| {name} | {len(new)} | {med * 1000:.0f} ms | {p95(new) * 1000:.0f} ms | "
            f"{med_cpu * 1000:.0f} ms | {med_server * 1000:.0f} ms | "
            + (
                f"{before * 1000:.0f} ms | {(before_cpu or 0) * 1000:.0f} ms | "
                f"{(before_server or 0) * 1000:.0f} ms | {before / med:.1f}× |"
                if before
                else "– | – | – | – |"
            )
        )


if __name__ == "__main__":
    main()
