"""What a database round trip costs a web worker's thread while its other threads compute, at
Python's default switch interval (5 ms) and at the 1 ms `emplus serve` sets (decision 0078).

One process, as a gunicorn worker of `emplus serve` (gthread): one thread sends a query of half
a millisecond to PostgreSQL 300 times and times each answer; beside it 0, 1 or 3 threads
compute as a page renders (pure Python, never waiting). An answer that has arrived waits for
the interpreter's lock until a computing thread is made to let go of it: at most the switch
interval.

    .venv/bin/python bench/bench_switch_interval.py            # postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/bench_switch_interval.py --url postgres://...
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time

import psycopg
from _common import machine, p95

ROUND_TRIPS = 300
# A short query as a page sends them: half a millisecond in the server.
QUERY = "SELECT pg_sleep(0.0005)"


def _compute(stop: threading.Event) -> None:
    while not stop.is_set():
        sum(index * index for index in range(2_000))  # a few hundred microseconds of bytecode


def _round_trips(url: str, busy: int) -> list[float]:
    stop = threading.Event()
    computing = [threading.Thread(target=_compute, args=(stop,)) for _ in range(busy)]
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SELECT 1")
        for thread in computing:
            thread.start()
        times = []
        try:
            for _ in range(ROUND_TRIPS):
                start = time.perf_counter()
                connection.execute(QUERY).fetchone()
                times.append((time.perf_counter() - start) * 1000)
        finally:
            stop.set()
            for thread in computing:
                thread.join()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print(f"{machine()}; {ROUND_TRIPS} round trips a row")
    print("| switch interval | computing threads | median ms | p95 ms | mean ms |")
    print("|---:|---:|---:|---:|---:|")
    for busy in (0, 1, 3):
        for interval in (0.005, 0.001):
            sys.setswitchinterval(interval)
            times = _round_trips(args.url, busy)
            print(
                f"| {interval * 1000:g} ms | {busy} | {statistics.median(times):.2f} | "
                f"{p95(times):.2f} | {statistics.fmean(times):.2f} |"
            )


if __name__ == "__main__":
    main()
