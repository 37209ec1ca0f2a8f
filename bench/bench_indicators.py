"""Benchmark of `emplus esf-indicators`: reading + validation + ESF+ indicators, against pandas.

Run from the repository root:

    .venv/bin/python bench/bench_indicators.py                 # 10k, 100k, 1M rows
    .venv/bin/python bench/bench_indicators.py --sizes 10000   # quick look

Every measurement runs in its own child process, so its peak memory (ru_maxrss of that child,
read with os.wait4) belongs to it alone; tracemalloc would miss Polars' native allocations. The
time reported is the best of --repeat runs inside the child, after imports. Files are generated
deterministically (seed 2026, as of 2026-06-30) with personal_ids (samordningsnummer, fictitious)
so the personnummer check is part of the work.

Measurements:
  cli            the real `emplus esf-indicators FILE --format json` as a separate process,
                 wall time including interpreter start (no Django: the file commands run
                 without it) and the organisation register look-up
  full           read_participant_file + compute_indicators (the command's work, in-process)
  compute        compute_indicators alone on the validated frame
  pandas_full    a straightforward pandas implementation: read_csv + parsing + indicators
                 (it validates far less than `full`, which favours it)
  pandas_compute the pandas indicator computation alone
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

AS_OF = date(2026, 6, 30)
SEED = 2026
KINDS = ("cli", "full", "compute", "pandas_full", "pandas_compute")
TARGETS = {"cli": 2.0, "compute": 2.0}  # seconds at 1 000 000 rows (issue #14 item 6)
MIN_SPEED_UP = 4.0  # the whole command against pandas_full, same run


# --- pandas baseline ------------------------------------------------------------------------


def pandas_read(path: str):
    """Read and type a participant file with pandas, as a straightforward script would."""
    import pandas as pd

    from emplus.core.personnummer import PersonnummerError, parse_personnummer

    with open(path, encoding="utf-8-sig") as fh:
        header = fh.readline()
    sep = ";" if header.count(";") > header.count(",") else ","
    df = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df.columns = [c.strip().lower() for c in df.columns]
    df = df.apply(lambda s: s.str.strip())
    booleans = {
        "yes": True,
        "ja": True,
        "true": True,
        "1": True,
        "no": False,
        "nej": False,
        "false": False,
        "0": False,
    }
    genders = {
        "woman": "woman",
        "kvinna": "woman",
        "man": "man",
        "non_binary": "non_binary",
        "icke-binär": "non_binary",
    }
    out = pd.DataFrame(index=df.index)
    for col in (
        "birth_date",
        "entry_date",
        "exit_date",
        "exit_observed_on",
        "followup_observed_on",
    ):
        out[col] = pd.to_datetime(df[col].replace("", None), format="%Y-%m-%d", errors="coerce")
    for col in (
        "born_abroad",
        "homeless",
        "rural",
        "exit_job_searching",
        "exit_in_education",
        "exit_qualification",
        "exit_employed",
        "followup_employed",
        "followup_improved",
    ):
        out[col] = df[col].str.lower().map(booleans)
    for col in ("unemployed_months", "isced", "parents_born_abroad"):
        out[col] = pd.to_numeric(df[col].replace("", None), errors="coerce")
    out["gender"] = df["gender"].str.lower().map(genders)
    for col in ("lm_status_entry", "disability", "minority", "municipality_code"):
        out[col] = df[col].replace("", None)
    out["citizenship"] = df["citizenship"].replace("", None).str.upper()
    # birth date from personal_id where birth_date is empty
    need = out["birth_date"].isna() & (df["personal_id"] != "")

    def birth(value: str):
        try:
            return parse_personnummer(value, reference_date=AS_OF).birth_date
        except PersonnummerError:
            return None

    out.loc[need, "birth_date"] = pd.to_datetime(df.loc[need, "personal_id"].map(birth))
    return out


def pandas_indicators(df) -> dict:
    import pandas as pd

    from emplus.evidence_core.indicators import EU_MEMBER_STATES, INDICATORS
    from emplus.evidence_core.reference import municipality_by_code

    as_of = pd.Timestamp(AS_OF)
    started = df["entry_date"] <= as_of
    incomplete = (
        df["birth_date"].isna()
        | df["gender"].isna()
        | df["lm_status_entry"].isna()
        | df["isced"].isna()
        | ((df["lm_status_entry"] == "unemployed") & df["unemployed_months"].isna())
    )
    counts = {
        "read": len(df),
        "reportable": int((started & ~incomplete).sum()),
        "incomplete": int((started & incomplete).sum()),
        "not_yet_started": int((~started).sum()),
    }
    d = df[started & ~incomplete]
    entry, birth = d["entry_date"], d["birth_date"]
    before = (entry.dt.month * 100 + entry.dt.day) < (birth.dt.month * 100 + birth.dt.day)
    age = entry.dt.year - birth.dt.year - before.astype(int)
    status = d["lm_status_entry"]
    months = d["unemployed_months"]
    rural_codes = {c for c, m in municipality_by_code().items() if m.skr_group_2023 in ("C8", "C9")}
    rural = d["rural"].where(d["rural"].notna(), d["municipality_code"].isin(rural_codes))
    exit_ = d["exit_date"]
    left = exit_.notna() & (exit_ <= as_of)
    seen = d["exit_observed_on"].fillna(exit_)
    seen_days = (seen - exit_).dt.days
    upon = left & (seen <= as_of) & seen_days.between(0, 28)
    fu = d["followup_observed_on"]
    fu_days = (fu - exit_).dt.days
    window = left & fu.notna() & (fu <= as_of) & fu_days.between(150, 210)

    def yes(col):
        return d[col].fillna(False).astype(bool)

    unemployed_or_inactive = status.isin(["unemployed", "inactive"])
    employed = status.isin(["employed", "self_employed"])
    flags = {
        "EECO01": pd.Series(True, index=d.index),
        "EECO02": status == "unemployed",
        "EECO03": (status == "unemployed") & ((months >= 12) | ((age < 25) & (months >= 6))),
        "EECO04": status == "inactive",
        "EECO05": employed,
        "EECO06": age < 18,
        "EECO07": age.between(18, 29),
        "EECO08": age >= 55,
        "EECO09": d["isced"] <= 2,
        "EECO10": d["isced"].between(3, 4),
        "EECO11": d["isced"] >= 5,
        "EECO12": d["disability"] == "yes",
        "EECO13": d["citizenship"].notna() & ~d["citizenship"].isin(EU_MEMBER_STATES),
        "EECO14": yes("born_abroad") | (d["parents_born_abroad"] == 2),
        "EECO15": d["minority"] == "yes",
        "EECO16": yes("homeless"),
        "EECO17": rural.fillna(False).astype(bool),
        "EECR01": upon & yes("exit_job_searching") & (status == "inactive"),
        "EECR02": upon & yes("exit_in_education"),
        "EECR03": upon & yes("exit_qualification"),
        "EECR04": upon & yes("exit_employed") & unemployed_or_inactive,
        "EECR05": window & yes("followup_employed") & unemployed_or_inactive,
        "EECR06": window & yes("followup_improved") & employed,
    }
    table = pd.DataFrame(flags).groupby(d["gender"]).sum()
    rows = []
    for code, _ in INDICATORS:
        per = {g: int(table[code].get(g, 0)) for g in ("woman", "man", "non_binary")}
        rows.append([code, sum(per.values()), per["woman"], per["man"], per["non_binary"]])
    return {"participants": counts, "indicators": rows}


def polars_table(result) -> dict:
    return {
        "participants": result.participants.as_dict(),
        "indicators": [[r.code, r.total, r.woman, r.man, r.non_binary] for r in result.indicators],
    }


# --- one measurement (child process) ----------------------------------------------------------


def measure(kind: str, path: str, repeat: int) -> dict:
    from emplus.evidence_core.indicators import compute_indicators
    from emplus.evidence_core.participant_file import read_participant_file

    times = []
    table = None
    if kind == "full":
        for _ in range(repeat):
            t0 = time.perf_counter()
            parsed = read_participant_file(path, as_of=AS_OF)
            result = compute_indicators(parsed.data, as_of=AS_OF)
            times.append(time.perf_counter() - t0)
        table = polars_table(result)
    elif kind == "compute":
        data = read_participant_file(path, as_of=AS_OF).data
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = compute_indicators(data, as_of=AS_OF)
            times.append(time.perf_counter() - t0)
        table = polars_table(result)
    elif kind == "pandas_full":
        for _ in range(repeat):
            t0 = time.perf_counter()
            table = pandas_indicators(pandas_read(path))
            times.append(time.perf_counter() - t0)
    elif kind == "pandas_compute":
        frame = pandas_read(path)
        for _ in range(repeat):
            t0 = time.perf_counter()
            table = pandas_indicators(frame)
            times.append(time.perf_counter() - t0)
    else:
        raise ValueError(kind)
    return {"seconds": min(times), "all": times, "table": table}


def run_child(args: list[str]) -> tuple[float, float, str]:
    """Run a child process; return (wall seconds, peak RSS in MB, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # noqa: S603
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed with status {proc.returncode}")
    return wall, usage.ru_maxrss / 1024, out


def cli_table(output: str) -> dict:
    data = json.loads(output)
    return {
        "participants": data["participants"],
        "indicators": [
            [i["code"], i["total"], i["woman"], i["man"], i["non_binary"]]
            for i in data["indicators"]
        ],
    }


# --- the driver -------------------------------------------------------------------------------


def machine() -> dict:
    import pandas
    import polars

    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "memory": mem,
        "python": platform.python_version(),
        "polars": polars.__version__,
        "pandas": pandas.__version__,
        "polars_threads": polars.thread_pool_size(),
        "load_average_at_start": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data-dir", default=None, help="keep generated files here")
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--measure", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:  # child
        print(json.dumps(measure(args.measure, args.file, args.repeat)))
        return

    from emplus.evidence_core.testing.participants import write_participant_csv

    facts = machine()
    print("machine:", json.dumps(facts))
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="emplus-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    emplus = shutil.which("emplus") or str(Path(sys.executable).with_name("emplus"))
    results = []
    for n in args.sizes:
        path = data_dir / f"participants-{n}.csv"
        if not path.exists():
            write_participant_csv(path, n, seed=SEED, as_of=AS_OF, personal_ids=True)
        size_mb = path.stat().st_size / 1e6
        tables = {}
        for kind in args.kinds:
            if kind == "cli":
                cmd = [emplus, "esf-indicators", str(path), "--as-of", AS_OF.isoformat()]
                best, peak, tables[kind] = float("inf"), 0.0, None
                for _ in range(args.repeat):
                    wall, peak_mb, out = run_child(cmd)
                    best, peak = min(best, wall), max(peak, peak_mb)
                    tables[kind] = cli_table(out)
                seconds = best
            else:
                cmd = [
                    sys.executable,
                    __file__,
                    "--measure",
                    kind,
                    "--file",
                    str(path),
                    "--repeat",
                    str(args.repeat),
                ]
                _, peak, out = run_child(cmd)
                child = json.loads(out)
                seconds, tables[kind] = child["seconds"], child["table"]
            results.append(
                {
                    "rows": n,
                    "file_mb": round(size_mb, 1),
                    "kind": kind,
                    "seconds": round(seconds, 3),
                    "peak_rss_mb": round(peak),
                }
            )
            print(json.dumps(results[-1]), flush=True)
        reference = next(iter(tables.values()))
        same = all(t == reference for t in tables.values())
        print(f"rows={n}: all implementations give the same numbers: {same}", flush=True)
        if not same:
            raise SystemExit("implementations disagree")

    print()
    print("| rows | measurement | seconds | peak RSS (MB) | vs pandas |")
    print("|---:|---|---:|---:|---:|")
    by = {(r["rows"], r["kind"]): r for r in results}
    for r in results:
        baseline = {"full": "pandas_full", "cli": "pandas_full", "compute": "pandas_compute"}
        ratio = ""
        base = by.get((r["rows"], baseline.get(r["kind"], "")))
        if base:
            ratio = f"{base['seconds'] / r['seconds']:.1f}× faster"
        print(
            f"| {r['rows']:,} | {r['kind']} | {r['seconds']:.3f} | {r['peak_rss_mb']} | {ratio} |"
        )
    for kind, limit in TARGETS.items():
        r = by.get((1_000_000, kind))
        if r:
            verdict = "met" if r["seconds"] <= limit else "MISSED"
            print(f"target {kind} <= {limit} s at 1 000 000 rows: {verdict} ({r['seconds']:.2f} s)")
    cli, base = by.get((1_000_000, "cli")), by.get((1_000_000, "pandas_full"))
    if cli and base:
        ratio = base["seconds"] / cli["seconds"]
        verdict = "met" if ratio >= MIN_SPEED_UP else "MISSED"
        print(f"target cli >= {MIN_SPEED_UP:g}x faster than pandas_full: {verdict} ({ratio:.1f}x)")
    print("load average at end:", os.getloadavg())


if __name__ == "__main__":
    main()
