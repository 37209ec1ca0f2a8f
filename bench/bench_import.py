"""Benchmark of the participant-file import: a first import and a re-import of the same file.

Generates a deterministic participant file (`emplus.evidence_core.testing.participants`, seed
2026, personal identity numbers on every complete row), then, for each code tree and database:
a fresh database (migrated, reference data, one organisation "ABF" with a unit and a
coordinator, the file's method and test-bed codes), and `emplus import-participants` run in a
child process (the command the operators run; `--basis=consent --legal-basis=consent`, so
consent records and special categories are written too). Then the same file again (every row
unchanged: the re-import compares every value and writes nothing), and then a file in which
every tenth row changes (the education level, the gender left blank and, where the row has an
exit, whether employed upon leaving: participants and enrolments updated by key).

    .venv/bin/python bench/bench_import.py                                 # 100 000 rows
    .venv/bin/python bench/bench_import.py --rows 20000 --databases sqlite
    .venv/bin/python bench/bench_import.py --baseline-ref main            # old code, same run
    .venv/bin/python bench/bench_import.py --pg-database emplus_bench_mine  # beside others

`--baseline-ref REF` checks REF out into a temporary `git worktree` and runs the same
measurements with its code (the same virtual environment), so both figures come from one run
on one machine under the same load. Each import is a child process; its peak resident memory is
its `ru_maxrss` (`os.wait4`). "import s" is the command's own time after Django's start-up
(read, check, plan, write, commit); "process s" is the whole child, start-up included. On
PostgreSQL "server CPU s" is the CPU time of the database backend that served the import (read
from /proc: the server runs on the same machine), the work the child's CPU columns do not hold.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
PG_BASE = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "emplus_bench_import"
ORG = "ABF"
METHODS = [f"M{i:02d}" for i in range(1, 13)]
TEST_BEDS = ["TB-NORR", "TB-SYD", "TB-VAST"]

CHILD_SETUP = """
import sys
sys.path.insert(0, {tree!r})
import django
django.setup()
from django.core.management import call_command
from emplus.geo.services import reference_data_load
from tests.factories import (
    MethodFactory, OrganisationFactory, TestBedFactory, UnitFactory, make_user,
)
call_command("migrate", verbosity=0)
reference_data_load()
org = OrganisationFactory(code={org!r}, name="ABF bench")
UnitFactory(organisation=org, name="ABF Umeå", municipality_id="2480")
make_user("bench-coordinator", organisation=org, role="coordinator")
for code in {methods!r}:
    MethodFactory(code=code)
for code in {test_beds!r}:
    TestBedFactory(code=code)
"""

CHILD_IMPORT = """
import os, sys, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection

def server_cpu():
    # The PostgreSQL backend serving this connection runs on the same machine: its own CPU
    # seconds from /proc (None where it cannot be read, and on SQLite).
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{{pid}}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

# CPU per phase: (process, the connection's thread, server) when the writing starts (the
# first progress call, inside the transaction) and when the last chunk is written.
from emplus.pathways.management.commands import import_participants as command
marks = []

def mark():
    marks.append((time.process_time(), time.thread_time(), server_cpu() or 0.0))

def measured(*args, progress, **kwargs):
    def each(done, total):
        if done == 0 or done == total:
            mark()
        progress(done, total)
    return imported(*args, progress=each, **kwargs)

imported, command.participants_import = command.participants_import, measured
server_before = server_cpu()
mark()
start = time.perf_counter()
call_command("import_participants", {path!r}, "--organisation={org}", "--user=bench-coordinator",
             "--basis=consent", "--legal-basis=consent")
seconds = time.perf_counter() - start
mark()
print(f"IMPORT_SECONDS {{seconds:.3f}}", flush=True)
print(f"IMPORT_CPU {{marks[-1][0] - marks[0][0]:.3f}}", flush=True)
if server_before is not None:
    print(f"SERVER_CPU {{server_cpu() - server_before:.2f}}", flush=True)
if len(marks) == 4:  # something was written
    (p0, t0, s0), (p1, t1, s1), (p2, t2, s2), (p3, t3, s3) = marks
    print(f"PHASES {{p1 - p0:.3f}} {{s1 - s0:.3f}} {{t2 - t1:.3f}} {{p2 - p1 - (t2 - t1):.3f}} "
          f"{{s2 - s1:.3f}} {{p3 - p2:.3f}} {{s3 - s2:.3f}}", flush=True)
"""


def _changed_file(path: Path, changed: Path) -> None:
    """The file with every tenth row changed: another education level, the gender blank,
    employed upon leaving turned round where the row has an exit."""
    import polars as pl

    frame = pl.read_csv(path, infer_schema=False)
    tenth = pl.int_range(pl.len()) % 10 == 0
    exit_employed = pl.col("exit_employed").replace_strict(
        {"yes": "no", "no": "yes"}, default=pl.col("exit_employed")
    )
    frame = frame.with_columns(
        pl.when(tenth)
        .then((pl.col("isced").cast(pl.Int64, strict=False).fill_null(0) + 1) % 9)
        .otherwise(pl.col("isced").cast(pl.Int64, strict=False))
        .cast(pl.String)
        .alias("isced"),
        pl.when(tenth).then(pl.lit("")).otherwise(pl.col("gender")).alias("gender"),
        pl.when(tenth & pl.col("exit_date").is_not_null())
        .then(exit_employed)
        .otherwise(pl.col("exit_employed"))
        .alias("exit_employed"),
    )
    frame.write_csv(changed)


def _write_file(path: Path, rows: int) -> None:
    import polars as pl

    sys.path.insert(0, str(ROOT / "src"))
    from emplus.core.export_cells import safe_frame
    from emplus.evidence_core.testing.participants import generate_participants

    frame = generate_participants(rows, seed=2026, personal_ids=True)
    # One organisation: the import takes the file of the organisation chosen for it.
    frame = frame.with_columns(pl.lit(ORG).alias("organisation"))
    # One person, one reference: the generator's random serial numbers repeat a few identity
    # numbers, which the import rightly refuses; keep each number on its first row only.
    key = pl.col("personal_id").str.replace_all(r"\D", "").str.slice(-10)
    frame = frame.with_columns(
        pl.when(key.is_first_distinct() | pl.col("personal_id").is_null())
        .then(pl.col("personal_id"))
        .otherwise(None)
        .alias("personal_id")
    )
    safe_frame(frame).write_csv(path)


def _fresh_database(vendor: str, workdir: Path, label: str, pg_name: str) -> str:
    if vendor == "sqlite":
        path = workdir / f"{label}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
        conn.execute(f'CREATE DATABASE "{pg_name}"')
    return f"{PG_BASE}/{pg_name}"


def _env(tree: Path, url: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMPLUS_")}
    var = workdir / "var"
    var.mkdir(exist_ok=True)
    return {
        **env,
        "PYTHONPATH": str(tree / "src"),
        "DATABASE_URL": url,
        "EMPLUS_VAR_DIR": str(var),  # the same keys for every tree and database
        "DJANGO_SETTINGS_MODULE": "emplus.config.settings",
        "PYTHONUNBUFFERED": "1",
    }


def _run(code: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Run `code` in a child (set-up, not measured); (wall seconds, 0, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter
        [str(PYTHON), "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = process.communicate()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"child failed ({process.returncode}):\n{out}\n{err}")
    return wall, 0.0, out


def _run_measured(code: str, env: dict[str, str]) -> tuple[float, float, float, str]:
    """Like _run, but reads the child's own peak RSS and CPU seconds with os.wait4."""
    start = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as out_file, tempfile.TemporaryFile(mode="w+") as err:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter
            [str(PYTHON), "-c", code], env=env, stdout=out_file, stderr=err, text=True
        )
        _, status, usage = os.wait4(process.pid, 0)
        returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out_file.seek(0)
        err.seek(0)
        out = out_file.read()
        if returncode != 0:
            raise SystemExit(f"child failed ({returncode}):\n{out}\n{err.read()}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, out


def _measure(
    tree: Path, vendor: str, files: list[tuple[str, Path]], workdir: Path, label: str, pg_name: str
) -> list[dict]:
    url = _fresh_database(vendor, workdir, label, pg_name)
    env = _env(tree, url, workdir)
    _run(
        CHILD_SETUP.format(tree=str(tree), org=ORG, methods=METHODS, test_beds=TEST_BEDS),
        env,
    )
    results = []
    for kind, path in files:
        wall, rss, cpu, out = _run_measured(CHILD_IMPORT.format(path=str(path), org=ORG), env)
        lines = out.splitlines()
        seconds = float(next(x for x in lines if x.startswith("IMPORT_SECONDS")).split()[1])
        import_cpu = float(next(x for x in lines if x.startswith("IMPORT_CPU")).split()[1])
        server = next((x for x in lines if x.startswith("SERVER_CPU")), None)
        server_cpu = float(server.split()[1]) if server else None
        phases = next((x for x in lines if x.startswith("PHASES")), None)
        progress = sum(1 for x in lines if x.startswith("written "))
        summary = next((x for x in lines if " rows read: " in x), "")
        results.append(
            {
                "code": label,
                "db": vendor,
                "kind": kind,
                "seconds": seconds,
                "wall": wall,
                "rss": rss,
                "cpu": cpu,
                "import_cpu": import_cpu,
                "server_cpu": server_cpu,
                "phases": [float(x) for x in phases.split()[1:]] if phases else None,
                "progress": progress,
                "summary": summary,
            }
        )
        print(
            f"  {label:8} {vendor:10} {kind:12} {seconds:7.2f} s, {progress} progress lines: "
            f"{summary}",
            flush=True,
        )
    return results


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs, {cpu}, {memory:.1f} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--databases", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"]
    )
    parser.add_argument("--baseline-ref", default=None, help="git ref to measure as well")
    parser.add_argument(
        "--pg-database", default=PG_NAME, help="the PostgreSQL database to create and drop"
    )
    parser.add_argument(
        "--first-only", action="store_true", help="the first import only (no re-imports)"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="emplus-bench-import-"))
    path = workdir / f"participants-{args.rows}.csv"
    _write_file(path, args.rows)
    changed = workdir / f"participants-{args.rows}-changed.csv"
    _changed_file(path, changed)
    files = [("first import", path), ("re-import", path), ("10 % changed", changed)]
    if args.first_only:
        files = files[:1]
    print(f"machine: {_machine()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"file: {args.rows:,} rows, {path.stat().st_size / 2**20:.1f} MB ({path})")

    trees = [("current", ROOT)]
    baseline_dir = None
    if args.baseline_ref:
        baseline_dir = workdir / "baseline"
        subprocess.run(  # noqa: S603 - git
            [
                "/usr/bin/git",
                "-C",
                str(ROOT),
                "worktree",
                "add",
                "--detach",
                str(baseline_dir),
                args.baseline_ref,
            ],
            check=True,
            capture_output=True,
        )
        trees.insert(0, ("baseline", baseline_dir))
    results = []
    try:
        for vendor in args.databases:
            for label, tree in trees:
                results += _measure(tree, vendor, files, workdir, label, args.pg_database)
    finally:
        if baseline_dir is not None:
            subprocess.run(  # noqa: S603 - git
                [
                    "/usr/bin/git",
                    "-C",
                    str(ROOT),
                    "worktree",
                    "remove",
                    "--force",
                    str(baseline_dir),
                ],
                check=False,
            )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print(
        "| code | database | import | import s | rows/s | import CPU s | rows/CPU s "
        "| server CPU s | process s | process CPU s | peak RSS (MB) |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['code']} | {r['db']} | {r['kind']} | {r['seconds']:.2f} | "
            f"{args.rows / r['seconds']:,.0f} | {r['import_cpu']:.2f} | "
            f"{args.rows / r['import_cpu']:,.0f} | "
            f"{'' if r['server_cpu'] is None else format(r['server_cpu'], '.2f')} | "
            f"{r['wall']:.2f} | {r['cpu']:.2f} | "
            f"{r['rss']:.0f} |"
        )

    _print_phases([r for r in results if r["phases"]])


def _idle_estimate(phases: list[float]) -> float:
    """The wall time an idle 2-CPU machine would take, from the CPU seconds of each phase:
    before the writing the client and the server take turns (the file, the checks, the
    reads); while it writes the connection's thread and the server take turns and the worker
    thread runs beside them (no more than two CPUs' worth at once); then the rebuilt indexes,
    the import record and the commit, in turns again."""
    before, server_before, thread, worker, server, after, server_after = phases
    writing = max(thread + server, worker, (thread + server + worker) / 2)
    return before + server_before + writing + after + server_after


def _print_phases(results: list[dict]) -> None:
    if not results:
        return
    print()
    print(
        "| code | database | import | before writing (server) | writing: connection thread "
        "| worker | server | after (server) | idle estimate s | rows/s |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        before, server_before, thread, worker, server, after, server_after = r["phases"]
        estimate = _idle_estimate(r["phases"])
        rows = int(r["summary"].split()[0]) if r["summary"] else 0
        print(
            f"| {r['code']} | {r['db']} | {r['kind']} | {before:.2f} ({server_before:.2f}) | "
            f"{thread:.2f} | {worker:.2f} | {server:.2f} | {after:.2f} ({server_after:.2f}) | "
            f"{estimate:.2f} | {rows / estimate:,.0f} |"
        )


if __name__ == "__main__":
    main()
