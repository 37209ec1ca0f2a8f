"""The CPU of the walk of the first follow-ups due (decision 57), with the newest consent as
`current()` (main's form) and as the anti-join `current_unsuperseded()`: the backend's own CPU
and that of the parallel workers it starts, which `/proc/<backend>/stat` never shows. Each
worker is a child of the postmaster: its CPU joins the postmaster's `cutime + cstime` when it
exits. Other sessions' exiting backends join it too: the "idle" rows (a sleep of the same
order) show that noise.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy EMPLUS_VAR_DIR=...
    .venv/bin/python bench/bench_followups_workers.py $(head -1 /var/run/postgresql/15-main.pid)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from _common import django_setup

RUNS = 60


def _cpu(pid: int) -> tuple[float, float]:
    """(own user + system, exited children's user + system) seconds of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def main() -> None:
    django_setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from emplus.pathways import selectors
    from emplus.pathways.models import Consent, FollowUp

    postmaster = int(sys.argv[1])
    viewer = get_user_model().objects.get(username="lt-coordinator-01")
    on = timezone.localdate()
    forms = {
        "current()": selectors.followups_due(viewer=viewer, on=on),
        "current_unsuperseded()": selectors.followups_due(
            viewer=viewer, on=on, consents=Consent.objects.current_unsuperseded()
        ),
    }
    statements = {}
    for name, due in forms.items():
        first = (
            FollowUp.objects.filter(pk__in=due.values("pk")[:50])
            .select_related("enrolment__participant")
            .only("due_on", "enrolment__participant__participant_ref")
            .order_by("due_on", "pk")
        )
        statements[name] = first.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        for _round in range(2):
            for name in [*statements, "idle"]:
                own, workers = _cpu(backend)[0], _cpu(postmaster)[1]
                wall = time.perf_counter()
                for _ in range(RUNS):
                    if name == "idle":
                        time.sleep(0.01)
                    else:
                        cursor.execute(*statements[name])
                        cursor.fetchall()
                wall = time.perf_counter() - wall
                own, workers = _cpu(backend)[0] - own, _cpu(postmaster)[1] - workers
                print(
                    f"{name}: backend {1000 * own / RUNS:.1f} ms, exited children "
                    f"{1000 * workers / RUNS:.1f} ms, wall {1000 * wall / RUNS:.1f} ms a run"
                )


if __name__ == "__main__":
    main()
