"""Benchmark of the caseload search by name: the blind index against decrypt-and-compare.

Builds one organisation with N participants (names encrypted as in production) in a fresh
database, then times what the caseload page does for a name search as a coordinator: find
the matches, count them, read and decrypt the first page of 50. The baseline is the search
as it was before decision 36: decrypt every name of the scope and compare in Python.

    .venv/bin/python bench/bench_caseload_search.py                    # 10 000 and 100 000
    .venv/bin/python bench/bench_caseload_search.py --sizes 20000 --repeat 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_bench .venv/bin/python bench/...

Without DATABASE_URL the database is a temporary SQLite file. On PostgreSQL the database
named in the URL is dropped and created again.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PER_PAGE = 50
GIVEN = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Lars",
    "Mikael",
    "Johan",
    "Ali",
    "Fatima",
    "Omar",
    "Amina",
    "Erik",
    "Per",
    "Nils",
    "Åsa",
    "Linnea",
    "Mohammed",
    "Sofia",
    "Emma",
]
FAMILY = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Hassan",
    "Ahmed",
    "Lindqvist",
    "Berg",
    "Lindberg",
    "Åberg",
    "Holm",
    "Sjöberg",
    "Ek",
    "Nordin",
]


def _database(url: str | None) -> None:
    if url:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
    else:
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"


def _setup():
    from django.core.management import call_command
    from tests.factories import OrganisationFactory, UnitFactory, make_user

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    org = OrganisationFactory(code="BENCH")
    unit = UnitFactory(organisation=org, name="Bench unit")
    viewer = make_user("bench-coordinator", organisation=org, role="coordinator")
    return viewer, org, unit


def _grow(org, unit, start_at: int, size: int, rng: random.Random) -> float:
    """Add participants up to `size` (names encrypted, index written); returns the seconds."""
    from emplus.pathways.models import Participant
    from emplus.pathways.name_index import name_index_write

    start = time.perf_counter()
    batch = []
    for n in range(start_at, size):
        batch.append(
            Participant(
                organisation=org,
                unit=unit,
                participant_ref=f"B-{n:07d}",
                given_name=rng.choice(GIVEN),
                family_name=rng.choice(FAMILY),
                gender="woman",
            )
        )
        if len(batch) == 5000 or n == size - 1:
            Participant.objects.bulk_create(batch)
            name_index_write(participants=batch, new=True)
            batch = []
    return time.perf_counter() - start


def _search_index(viewer, term: str) -> tuple[int, list]:
    from emplus.core.pagination import KeysFirstPaginator
    from emplus.pathways.selectors import CaseloadFilters, participant_list

    matches = participant_list(viewer=viewer, filters=CaseloadFilters(q=term), audit_shown=False)
    # As the caseload reads a page since decision 42: its keys, then its rows.
    page = KeysFirstPaginator(matches, PER_PAGE).get_page(1)
    return page.paginator.count, [p.display_name for p in page.object_list]


def _search_decrypt_all(viewer, term: str) -> tuple[int, list]:
    # The search before decision 36: every participant of the scope read and decrypted.
    from emplus.pathways.selectors import CaseloadFilters, participant_list

    scope = participant_list(viewer=viewer, filters=CaseloadFilters(), audit_shown=False)
    needle = term.casefold()
    hits = [
        p
        for p in scope
        if needle in p.participant_ref.casefold() or needle in p.display_name.casefold()
    ]
    return len(hits), [p.display_name for p in hits[:PER_PAGE]]


def _time(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=20, help="runs of the index search")
    parser.add_argument("--baseline-repeat", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}"
    )
    _database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emplus.config.settings")
    import django

    django.setup()
    from django.db import connection

    viewer, org, unit = _setup()
    rng, built, rows = random.Random(2026), 0, []
    for size in sorted(args.sizes):
        seconds = _grow(org, unit, built, size, rng)
        print(
            f"{size:,} participants on {connection.vendor}: {size - built:,} built and "
            f"indexed in {seconds:.1f} s"
        )
        built = size
        with connection.cursor() as cursor:  # as autovacuum would leave the tables
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        for term in ["lindqvist", "anna berg", "sjö", "B-00012"]:
            index_count, index_page = _search_index(viewer, term)
            base_count, base_page = _search_decrypt_all(viewer, term)
            assert index_count == base_count, (term, index_count, base_count)
            index_s = _time(lambda t=term: _search_index(viewer, t), args.repeat)
            base_s = _time(lambda t=term: _search_decrypt_all(viewer, t), args.baseline_repeat)
            rows.append((size, connection.vendor, term, index_count, index_s, base_s))
    print()
    print(
        "| participants | database | search | matches | blind index (median) | "
        "decrypt all (median) | faster |"
    )
    print("|---:|---|---|---:|---:|---:|---:|")
    for size, vendor, term, count, index_s, base_s in rows:
        print(
            f"| {size:,} | {vendor} | `{term}` | {count:,} | {index_s * 1000:.1f} ms | "
            f"{base_s * 1000:.0f} ms | {base_s / index_s:.0f}× |"
        )


if __name__ == "__main__":
    main()
