"""Benchmark of the caseload's follow-ups due (decision 42): the list of the first 50 and the
count up to 1 001, for coaches and coordinators of the load test's database, as the caseload
page reads them now and as it read them before, in the same run.

Before: restrict() always added `OR EXISTS(consent sharing with the viewer)`, the list read
its rows in full while it walked the caseload, and no index held the follow-ups not yet
recorded. The baseline puts the OR back, reads the list as it did, and drops the two partial
indexes of migration pathways 0013 inside a transaction that is rolled back.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy EMPLUS_VAR_DIR=... \\
      .venv/bin/python bench/bench_caseload_followups.py lt-coach-01 lt-coordinator-01

Run it on a copy of the load test's database (bench/loadtest_data.py; `createdb -T`): the
indexes are dropped only inside the rolled-back transaction, but they are locked while it runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PER_PAGE = 50
COUNTED = 1000
NEW_INDEXES = ("followup_pending_idx", "followup_pending_due_idx")


def _median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _list_now(user, today) -> list:
    from emplus.pathways import selectors

    return selectors.followups_due_first(viewer=user, on=today, limit=PER_PAGE)


def _list_before(user, today) -> list:
    from emplus.pathways import selectors

    # the rows read in full while the caseload is walked, ordered by due date only
    return list(selectors.followups_due(viewer=user, on=today).order_by("due_on")[:PER_PAGE])


def _count(user, today) -> int:
    from emplus.pathways import selectors

    return selectors.followups_due(viewer=user, on=today).order_by()[: COUNTED + 1].count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("usernames", nargs="+")
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emplus.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from emplus.pathways import querysets

    today = timezone.localdate()
    reaches = querysets._sharing_reaches
    print(f"load average at start: {os.getloadavg()}")
    print("| viewer | follow-ups due | before: list | before: count | now: list | now: count |")
    print("|---|---:|---:|---:|---:|---:|")
    for username in args.usernames:
        results = {}
        for variant in ("before", "now"):
            user = get_user_model().objects.get(username=username)
            with transaction.atomic():
                if variant == "before":
                    querysets._sharing_reaches = lambda user, organisations: True
                    with connection.cursor() as cursor:
                        for index in NEW_INDEXES:
                            cursor.execute(f'DROP INDEX "{index}"')  # rolled back below
                listed = _list_before if variant == "before" else _list_now
                results[variant] = (
                    {f.pk for f in listed(user, today)},
                    _count(user, today),
                    _median_ms(lambda r=listed, u=user: r(u, today), args.repeat),
                    _median_ms(lambda u=user: _count(u, today), args.repeat),
                )
                querysets._sharing_reaches = reaches
                transaction.set_rollback(True)
        before, now = results["before"], results["now"]
        assert before[1] == now[1], (username, before[1], now[1])
        # The tie on the last due date of the page is broken by the key now, before by chance.
        assert len(before[0]) == len(now[0]), username
        shown = f"{now[1]:,}" if now[1] <= COUNTED else f"> {COUNTED:,}"
        print(
            f"| {username} | {shown} | {before[2]:.0f} ms | {before[3]:.0f} ms | "
            f"{now[2]:.0f} ms | {now[3]:.0f} ms |"
        )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
