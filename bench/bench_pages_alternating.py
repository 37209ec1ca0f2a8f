"""CPU per request of the load test's pages, this code against other code, in two processes
whose batches alternate (decision 76): on a shared, loaded machine a run of one code after the
other measures the load's changes as much as the code's; alternating batches of a few requests
spread them over both. CPU milliseconds of each process per request (`time.process_time()`,
median) and of the PostgreSQL backend that served it (mean; from /proc, in 10 ms ticks).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/emplus_load_copy EMPLUS_VAR_DIR=...
    git archive main src | tar -x -C /tmp/main
    EMPLUS_REQUIRE_2FA=1 EMPLUS_API_RATES='{"search": "100000/minute", "user": "1000000/hour"}' \\
        .venv/bin/python bench/bench_pages_alternating.py --baseline-src /tmp/main/src \\
        --rounds 10 --batch 10

The requests are bench_caseload_pages.py's (the same users, seed and pages). The API's rates
are raised so that a long run is not refused (429); the throttle still counts every request.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time

from _common import django_setup, load_average, machine

PAGES = (
    "caseload,caseload-page-n,caseload-coach,search-name,search-reference,"
    "api-coach,api-coordinator,participant,small-page"
)


def _child(baseline_src: str | None) -> None:
    """Serve "page count" lines on stdin: each answered by one JSON line of CPU times."""
    django_setup(baseline_src=baseline_src)
    import bench_caseload_pages as pages

    from emplus.pathways.models import Participant

    clients = pages._clients()
    abf = Participant.objects.filter(organisation__code="ABF")
    total = abf.count()
    participant = (
        abf.filter(erased_at__isnull=True)
        .order_by("participant_ref", "pk")[total // 2 : total // 2 + 1]
        .get()
    )
    requests = pages._requests(
        clients,
        random.Random(2026),  # noqa: S311 - the same pages in both processes
        max(2, total // 50),
        f"/participants/{participant.pk}/",
    )
    try:  # as `emplus serve` starts a worker, where the code has it (decision 46)
        from emplus.core.serving import warm_and_freeze
    except ImportError:
        pass
    else:
        warm_and_freeze()
    for request in requests.values():  # warm: imports, templates, compiled statements
        request()
    print("ready", flush=True)
    for line in sys.stdin:
        name, count = line.split()
        cpu, backend = [], []
        for _ in range(int(count)):
            pid, before = pages._backend_cpu()
            start = time.process_time()
            response = requests[name]()
            cpu.append((time.process_time() - start) * 1000)
            pid_after, after = pages._backend_cpu()
            assert response.status_code == 200, response.status_code
            if pid is not None and pid == pid_after:
                backend.append((after - before) * 1000)
        print(json.dumps([cpu, backend]), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", required=True, help="src/ of the code to compare with")
    parser.add_argument("--pages", default=PAGES)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=10, help="requests a batch")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child or None)
        return
    print(machine())
    children = {
        code: subprocess.Popen(  # noqa: S603 - this benchmark, as a child
            [sys.executable, __file__, "--baseline-src", source, "--child", child_source],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for code, source, child_source in (
            ("this", args.baseline_src, ""),
            ("baseline", args.baseline_src, args.baseline_src),
        )
    }
    for child in children.values():
        assert child.stdout and child.stdout.readline().strip() == "ready"
    names = args.pages.split(",")
    cpu: dict[tuple[str, str], list[float]] = {(n, c): [] for n in names for c in children}
    backend: dict[tuple[str, str], list[float]] = {(n, c): [] for n in names for c in children}
    for round_ in range(args.rounds):
        order = list(children) if round_ % 2 == 0 else list(reversed(children))
        for name in names:
            for code in order:
                child = children[code]
                assert child.stdin and child.stdout
                child.stdin.write(f"{name} {args.batch}\n")
                child.stdin.flush()
                times, ticks = json.loads(child.stdout.readline())
                cpu[name, code] += times
                backend[name, code] += ticks
    for child in children.values():
        assert child.stdin
        child.stdin.close()
        child.wait()
    print(f"load average at end {load_average()}")
    print()
    print(
        "| request | requests | baseline: CPU median | this: CPU median | change "
        "| baseline: PostgreSQL CPU mean | this: PostgreSQL CPU mean |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in names:
        before = statistics.median(cpu[name, "baseline"])
        after = statistics.median(cpu[name, "this"])

        def mean(values: list[float]) -> str:
            return f"{statistics.fmean(values):.1f}" if values else "–"

        print(
            f"| {name} | {len(cpu[name, 'this'])} | {before:.2f} | {after:.2f} | "
            f"{100 * (after - before) / before:+.1f} % | {mean(backend[name, 'baseline'])} | "
            f"{mean(backend[name, 'this'])} |"
        )


if __name__ == "__main__":
    sys.exit(main())
