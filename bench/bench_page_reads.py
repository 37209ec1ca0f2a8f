"""Benchmark of a page's read alone (decisions 70, 77): the caseload's selector, its kept count
(with the marks of its pages since decision 77), the keys-first paginator and the rows, and the
API list's, for the load test's page numbers (a fixed seed), as a coordinator of ABF. CPU
milliseconds of this process per page (median) and of the PostgreSQL backend that served it
(from /proc: the database on this machine; the mean over every page read, the kernel counting
in 10 ms ticks).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy EMPLUS_VAR_DIR=...
    .venv/bin/python bench/bench_page_reads.py --repeat 3
    .venv/bin/python bench/bench_page_reads.py --repeat 3 --baseline-src /tmp/main/src

Code from before decision 70 (no `count_exact`) is driven as its views drove it: the API list
as a `values()` queryset, the count given without saying it is exact.
"""

from __future__ import annotations

import argparse
import inspect
import os
import random
import statistics
import time
from pathlib import Path

from _common import django_setup, load_average, machine


def _backend_cpu() -> float:
    from django.db import connection

    pid = connection.connection.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="times each page list is read")
    parser.add_argument("--baseline-src", help="src/ of the code to run instead")
    args = parser.parse_args()
    django_setup(baseline_src=args.baseline_src)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from emplus.core.pagination import KeysFirstPaginator
    from emplus.pathways import selectors
    from emplus.pathways.serializers import PARTICIPANT_LIST_COLUMNS

    new = "count_exact" in inspect.signature(KeysFirstPaginator.__init__).parameters
    viewer = get_user_model().objects.get(username="lt-coordinator-01")
    everyone = selectors.CaseloadFilters()
    exact = {"count_exact": True} if new else {}

    def counted(people) -> dict:
        """The count (and since decision 77 the marks) as the views read them, every page."""
        if hasattr(selectors, "participant_pages_kept"):
            kept = selectors.participant_pages_kept(people, viewer=viewer, filters=everyone)
            return {"count": kept.count, "marks": kept.marks}
        return {"count": selectors.participant_count_kept(viewer=viewer, filters=everyone)}

    def caseload(number: int) -> int:
        matching = selectors.participant_list(
            viewer=viewer,
            filters=everyone,
            today=timezone.localdate(),
            audit_shown=False,
            shown=selectors.CASELOAD_SHOWN,
        )
        assert not isinstance(matching, list)
        page = KeysFirstPaginator(
            matching, 50, columns=selectors.CASELOAD_ROW_COLUMNS, **exact, **counted(matching)
        ).page(number)
        return len(selectors.caseload_rows(page.object_list))

    def api(number: int) -> int:
        listed = selectors.participant_list(viewer=viewer, audit_shown=False, shown=())
        assert not isinstance(listed, list)
        listed = listed.select_related(None)
        if new:
            # as KeysFirstPagination gives it the kept count (exact) and the columns
            pages = KeysFirstPaginator(
                listed, 100, columns=PARTICIPANT_LIST_COLUMNS, **exact, **counted(listed)
            )
        else:
            count = counted(listed)["count"]
            pages = KeysFirstPaginator(listed.values(*PARTICIPANT_LIST_COLUMNS), 100, count=count)
        return len(list(pages.page(number).object_list))

    rng = random.Random(70)  # noqa: S311 - the same pages in both runs
    kinds = {
        "caseload page 1": (caseload, 50, [1] * 40),
        "caseload ?page=N (2..2000)": (caseload, 50, [rng.randint(2, 2000) for _ in range(40)]),
        "api ?page=N (1..1000)": (api, 100, [rng.randint(1, 1000) for _ in range(40)]),
    }
    print(machine(f", {connection.vendor}, {'this code' if new else 'code before decision 70'}"))
    for name, (read, per_page, numbers) in kinds.items():
        read(numbers[0])  # warm
        cpu: list[float] = []
        backend = _backend_cpu()
        for _ in range(args.repeat):
            for number in numbers:
                start = time.process_time()
                shown = read(number)
                cpu.append((time.process_time() - start) * 1000)
                assert shown == per_page, (number, shown)
        backend = (_backend_cpu() - backend) * 1000 / len(cpu)
        print(
            f"| {name} | {statistics.median(cpu):.2f} | {backend:.2f} | {len(cpu)} |",
            flush=True,
        )
    print(f"load average at end {load_average()}")


if __name__ == "__main__":
    main()
