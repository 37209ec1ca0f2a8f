"""Print locust's `*_stats.csv` as the Markdown table of bench/README.md ("Load test"):
requests, failures, p50/p95/p99 and requests per second per page, and the total."""

from __future__ import annotations

import csv
import sys


def main(path: str) -> None:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print("| page | requests | failures | p50 ms | p95 ms | p99 ms | req/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        print(
            f"| {row['Type']} {name} | {row['Request Count']} | {row['Failure Count']} | "
            f"{row['50%']} | {row['95%']} | {row['99%']} | {float(row['Requests/s']):.1f} |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
