"""Benchmark of a new assessment and the first participant page after it (decision 56): the CPU
of the write (the service) and of the page view, Python and PostgreSQL, this code against
other code in the same run.

Each round records an assessment for a participant of ABF through
`pathways.services.assessment_record` (as the coordinator) and then asks for that
participant's page as a logged-in client, in one thread on one connection: CPU is the
process's `time.process_time` and the PostgreSQL backend's user + system time from /proc (the
server must run on this machine). One round first is not counted (the other code's writes
leave the kept statistics out of date for this one). Run it on a copy of the evidence
benchmark database (it adds assessments):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_bench_evidence_copy \\
        EMPLUS_VAR_DIR=/tmp/var_bench_evidence_copy
    .venv/bin/python bench/bench_reliability_write.py --rounds 5 --baseline-src /tmp/main/src
                                         # (git archive main src | tar -x -C /tmp/main)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import timedelta

from _common import baseline_run, django_setup, load_average, machine
from bench_report_waiters import _backend_cpu


def measure(rounds: int, seed: int) -> list[dict[str, float]]:
    """Per round: the CPU of the write and of the page after it, Python and PostgreSQL."""
    from django.contrib.auth import get_user_model
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.urls import reverse
    from tests.factories import verify_session

    from emplus.pathways import progress_data, services
    from emplus.pathways.models import Enrolment

    # One connection throughout, so that its backend's CPU can be read.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    viewer = get_user_model().objects.get(username="coordinator.abf")
    client = Client(HTTP_HOST="127.0.0.1")
    verify_session(client, viewer)
    instrument = progress_data.instrument_active()
    codes = list(instrument.dimensions.values_list("code", flat=True))
    enrolments = list(
        Enrolment.objects.filter(
            participant__organisation__code="ABF", assessments__isnull=False
        ).distinct()[:2000]
    )
    rnd = random.Random(seed)
    measured = []
    for number in range(rounds + 1):  # the first round is not counted
        enrolment = rnd.choice(enrolments)
        latest = enrolment.assessments.order_by("-assessed_on").first()
        url = reverse("pathways:detail", args=[enrolment.participant_id])
        assert client.get(url).status_code == 200  # this participant's page, warm
        backend = connection.connection.info.backend_pid
        cpu, database = time.process_time(), _backend_cpu([backend])
        services.assessment_record(
            actor=viewer,
            enrolment=enrolment,
            instrument=instrument,
            assessed_on=latest.assessed_on + timedelta(days=30),
            scores={c: rnd.randint(instrument.scale_min, instrument.scale_max) for c in codes},
        )
        write = time.process_time() - cpu, _backend_cpu([backend]) - database
        cpu, database = time.process_time(), _backend_cpu([backend])
        assert client.get(url).status_code == 200
        page = time.process_time() - cpu, _backend_cpu([backend]) - database
        if number:
            measured.append(
                {
                    "write_python": write[0],
                    "write_database": write[1],
                    "page_python": page[0],
                    "page_database": page[1],
                }
            )
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-src", help="src/ of the code to compare with")
    parser.add_argument("--times-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    django_setup(baseline_src=args.baseline_src if args.times_only else None)
    if args.times_only:
        print(json.dumps(measure(args.rounds, seed=2)))
        return
    from django.db import connection

    print(machine(f", {connection.vendor}"))
    codes = {}
    if args.baseline_src:
        codes["before"] = baseline_run(__file__, args.baseline_src, ["--rounds", str(args.rounds)])
    codes["this code"] = measure(args.rounds, seed=1)
    print(f"load average at end {load_average()}; the median of {args.rounds} rounds")
    print()
    print(
        "| code | write: CPU Python | CPU PostgreSQL | first page after it: CPU Python "
        "| CPU PostgreSQL | page total |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, rounds in codes.items():
        rounds = [{**r, "page": r["page_python"] + r["page_database"]} for r in rounds]
        fields = ("write_python", "write_database", "page_python", "page_database", "page")
        cells = [f"{statistics.median(r[f] for r in rounds) * 1000:.0f} ms" for f in fields]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
