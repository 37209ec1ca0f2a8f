"""The caseload's box of follow-ups due alone (decision 62): computed (`followups_due_first`),
kept and found (`followups_due_kept`, nothing written), and kept after a write (the version
moved first by a statement that writes no row: its statement trigger fires all the same).
CPU milliseconds of this process (median) and of the PostgreSQL backend (mean; the kernel
counts in 10 ms ticks), as the load test's coordinator and coach, each kind twice in turn.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy EMPLUS_VAR_DIR=...
    .venv/bin/python bench/bench_followups_kept.py --repeat 15
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import django_setup, machine
from bench_caseload_pages import _backend_cpu

KINDS = ("computed", "after a write", "kept")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    django_setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from emplus.pathways import selectors

    print(machine())
    today = timezone.localdate()
    for username in ("lt-coordinator-01", "lt-coach-01"):
        user = get_user_model().objects.get(username=username)
        box = {"viewer": user, "on": today, "limit": 50, "counted": 1000}
        figures: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for kind in KINDS * 2:
            python, server = [], []
            for _ in range(args.repeat):
                if kind == "after a write":
                    with connection.cursor() as cursor:
                        cursor.execute("UPDATE pathways_followup SET due_on = due_on WHERE false")
                _pid, server_before = _backend_cpu()
                before = time.process_time()
                if kind == "computed":
                    _rows, total = selectors.followups_due_first(**box)
                else:
                    _rows, total = selectors.followups_due_kept(**box)
                python.append((time.process_time() - before) * 1000)
                server.append((_backend_cpu()[1] - server_before) * 1000)
            figures[kind].append(f"{statistics.median(python):.1f} / {statistics.mean(server):.1f}")
        print(f"{username} ({total} due, counted up to 1 001): Python / server CPU ms")
        for kind, runs in figures.items():
            print(f"  {kind}: {', '.join(runs)}")


if __name__ == "__main__":
    main()
