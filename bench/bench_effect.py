"""Benchmark of the effect estimators (psm, ipw, aipw, did) against DoWhy, plus Lalonde.

Each measurement runs in its own subprocess, so its peak memory (ru_maxrss from wait4) is its
own. Timings are read + estimate inside the worker, and the whole `emplus effect` command for
psm. DoWhy pins an older SciPy than the platform, so it may live in another interpreter:
`--compare-python /path/to/venv/bin/python` (see bench/requirements.txt); without DoWhy the
comparison is skipped.

    .venv/bin/python bench/bench_effect.py                      # 10k, 100k, 1M rows
    .venv/bin/python bench/bench_effect.py --sizes 10000 --compare-python ../bench-venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTCOME = "earnings"
TREATMENT = "participant"
METHODS = ("psm", "ipw", "aipw", "did")
DOWHY_METHODS = {
    "psm": ("backdoor.propensity_score_matching", {}),
    "ipw": (
        "backdoor.propensity_score_weighting",
        {"method_params": {"weighting_scheme": "ips_normalized_weight"}},
    ),
}
LALONDE_COVARIATES = ["age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75"]
EXPERIMENTAL = "NSW experiment (treated − randomised controls)"


# --------------------------------------------------------------------------- workers


def worker_ours(path: str, method: str) -> dict:
    start = time.perf_counter()
    from emplus.evidence_core.effects import estimate_effect, read_table
    from emplus.evidence_core.testing.effects import COVARIATES

    imported = time.perf_counter()
    frame = read_table(path)
    read = time.perf_counter()
    result = estimate_effect(
        frame,
        treatment=TREATMENT,
        outcome=OUTCOME,
        covariates=COVARIATES,
        method=method,
        outcome_before="earnings_before" if method == "did" else None,
    )
    done = time.perf_counter()
    return {
        "import_s": imported - start,
        "read_s": read - imported,
        "estimate_s": done - read,
        "work_s": done - imported,
        "estimate": result.estimate,
        "ci": [result.ci_low, result.ci_high],
    }


def _dowhy_quiet() -> None:
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)


def worker_dowhy(path: str, method: str) -> dict:
    start = time.perf_counter()
    _dowhy_quiet()
    import pandas as pd
    from dowhy import CausalModel

    from emplus.evidence_core.testing.effects import COVARIATES

    imported = time.perf_counter()
    frame = pd.read_csv(path)
    read = time.perf_counter()
    # The same covariates; text columns one-hot with a reference level, as ours.
    frame = pd.get_dummies(frame, columns=["education", "region"], drop_first=True, dtype=float)
    covariates = [c for c in frame.columns if c.split("_")[0] in {"education", "region"}] + [
        c for c in COVARIATES if c not in ("education", "region")
    ]
    frame[TREATMENT] = frame[TREATMENT].astype(bool)
    model = CausalModel(data=frame, treatment=TREATMENT, outcome=OUTCOME, common_causes=covariates)
    identified = model.identify_effect(proceed_when_unidentifiable=True)
    name, kwargs = DOWHY_METHODS[method]
    estimate = model.estimate_effect(identified, method_name=name, target_units="att", **kwargs)
    done = time.perf_counter()
    return {
        "import_s": imported - start,
        "read_s": read - imported,
        "estimate_s": done - read,
        "work_s": done - imported,
        "estimate": float(estimate.value),
    }


def _lalonde_frames():
    """NSW treated with CPS-1 controls (observational) and the NSW experiment (pandas)."""
    import pandas as pd
    from causaldata import cps_mixtape, nsw_mixtape

    nsw = nsw_mixtape.load_pandas().data.drop(columns="data_id").astype(float)
    cps = cps_mixtape.load_pandas().data.drop(columns="data_id").astype(float)
    observational = pd.concat([nsw[nsw.treat == 1], cps], ignore_index=True)
    return nsw, observational


def worker_lalonde_ours() -> dict:
    import polars as pl

    from emplus.evidence_core.effects import estimate_effect

    nsw, observational = _lalonde_frames()
    frame = pl.DataFrame({c: observational[c].to_numpy() for c in observational.columns})
    experiment = nsw.groupby("treat").re78.mean()
    out = {EXPERIMENTAL: float(experiment[1.0] - experiment[0.0])}
    for method in ("psm", "ipw", "aipw"):
        result = estimate_effect(
            frame, treatment="treat", outcome="re78", covariates=LALONDE_COVARIATES, method=method
        )
        out[f"emplus {method}"] = {
            "estimate": result.estimate,
            "ci": [result.ci_low, result.ci_high],
            "n_used": result.n_used,
            "outside_support": result.dropped.outside_support,
        }
    return out


def worker_lalonde_dowhy() -> dict:
    _dowhy_quiet()
    from dowhy import CausalModel

    _, frame = _lalonde_frames()
    frame["treat"] = frame["treat"].astype(bool)
    model = CausalModel(
        data=frame, treatment="treat", outcome="re78", common_causes=LALONDE_COVARIATES
    )
    identified = model.identify_effect(proceed_when_unidentifiable=True)
    out = {}
    for method, (name, kwargs) in DOWHY_METHODS.items():
        estimate = model.estimate_effect(identified, method_name=name, target_units="att", **kwargs)
        out[f"DoWhy {method}"] = {"estimate": float(estimate.value)}
    return out


# --------------------------------------------------------------------------- driver


def run_child(argv: list[str], timeout: float) -> dict:
    """Run argv; return wall seconds, peak RSS (MiB), exit code and its JSON line if any."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="emplus.config.settings")
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)  # noqa: S603
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                child.kill()
                _, status, usage = os.wait4(child.pid, 0)
                child.returncode = -9
                return {"error": f"timeout after {timeout:.0f} s"}
            time.sleep(0.02)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    row: dict = {"wall_s": wall, "peak_mib": usage.ru_maxrss / 1024, "exit": child.returncode}
    if child.returncode != 0:
        row["error"] = (stderr.strip().splitlines() or ["failed"])[-1][:200]
        return row
    last = stdout.strip().splitlines()[-1] if stdout.strip() else "{}"
    try:
        row.update(json.loads(last))
    except json.JSONDecodeError:
        # The command prints a multi-line JSON object; the worker prints one line.
        row["output"] = json.loads(stdout)
    return row


def has_module(python: str, module: str) -> bool:
    probe = [python, "-c", f"import {module}"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0  # noqa: S603


def machine_facts() -> dict:
    from importlib.metadata import version

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024**2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "polars": version("polars"),
    }


def worker_make_file(path: str, rows: str) -> dict:
    from emplus.evidence_core.testing.effects import generate_effect_data

    data = generate_effect_data(int(rows), treated_share=0.1, seed=20_260)
    data.frame.write_csv(path)
    return {"true_att": data.true_att[OUTCOME]}


def make_files(sizes: list[int], directory: Path, timeout: float) -> dict[int, Path]:
    """Write the tables in a child: the parent must stay small, or every child forked from it
    would report the parent's memory as its own peak."""
    files = {}
    for n in sizes:
        path = directory / f"effect_{n}.csv"
        argv = [sys.executable, str(Path(__file__).resolve()), "--worker", "make-file"]
        row = run_child([*argv, "--file", str(path), "--method", str(n)], timeout)
        if "error" in row:
            raise SystemExit(f"could not write {path}: {row['error']}")
        files[n] = path
    return files


def fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


WORKERS = {
    "ours": worker_ours,
    "dowhy": worker_dowhy,
    "lalonde-ours": worker_lalonde_ours,
    "lalonde-dowhy": worker_lalonde_dowhy,
    "make-file": worker_make_file,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--compare-python", default=sys.executable)
    parser.add_argument("--compare-max-rows", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--method", help=argparse.SUPPRESS)  # or the row count for make-file
    args = parser.parse_args()

    if args.worker:
        worker = WORKERS[args.worker]
        result = worker(args.file, args.method) if args.file else worker()  # type: ignore[operator]
        print(json.dumps(result))
        return

    sizes = [int(s) for s in args.sizes.split(",")]
    facts = machine_facts()
    dowhy = has_module(args.compare_python, "dowhy")
    print("## Effect estimation\n")
    print(
        "Machine: "
        + ", ".join(f"{k} {v}" for k, v in facts.items())
        + f". Comparison: DoWhy {'in ' + args.compare_python if dowhy else 'not installed'}.\n"
    )
    me = [sys.executable, str(Path(__file__).resolve())]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        files = make_files(sizes, Path(tmp), args.timeout)
        for n, path in files.items():
            for method in METHODS:
                row = run_child(
                    [*me, "--worker", "ours", "--file", str(path), "--method", method], args.timeout
                )
                rows.append(("emplus", method, n, row))
                print(f"  measured emplus {method} {n}: {row}", file=sys.stderr)
            command = run_child(
                [
                    sys.executable,
                    "-m",
                    "emplus.cli",
                    "effect",
                    str(path),
                    "--treatment",
                    TREATMENT,
                    "--outcome",
                    OUTCOME,
                    "--covariates",
                    "age,female,foreign_born,education,region,months_unemployed,prior_earnings",
                    "--method",
                    "psm",
                ],
                args.timeout,
            )
            if "output" in command:
                command["estimate"] = command.pop("output")["estimate"]
            rows.append(("`emplus effect` command", "psm", n, command))
            print(f"  measured command psm {n}: {command}", file=sys.stderr)
            for method in DOWHY_METHODS:
                if not dowhy:
                    continue
                if n > args.compare_max_rows:
                    rows.append(("DoWhy", method, n, {"error": "skipped (--compare-max-rows)"}))
                    continue
                row = run_child(
                    [
                        args.compare_python,
                        str(Path(__file__).resolve()),
                        "--worker",
                        "dowhy",
                        "--file",
                        str(path),
                        "--method",
                        method,
                    ],
                    args.timeout,
                )
                rows.append(("DoWhy 0.14", method, n, row))
                print(f"  measured dowhy {method} {n}: {row}", file=sys.stderr)

    print("Synthetic data (`emplus.evidence_core.testing.effects`, 10 % treated, true ATT 12 000),")
    print("7 covariates (2 of them text, one-hot). *read* and *estimate* are timed inside the")
    print("process; *wall* is the whole process (interpreter, imports, Django for the command);")
    print("*peak* is its maximum resident memory.\n")
    print("| implementation | method | rows | read s | estimate s | wall s | peak MiB | ATT |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, method, n, row in rows:
        if "error" in row:
            print(f"| {name} | {method} | {n:,} | – | – | – | – | {row['error']} |")
            continue
        estimate = row.get("estimate")
        print(
            f"| {name} | {method} | {n:,} | {fmt(row.get('read_s'))} | "
            f"{fmt(row.get('estimate_s'))} | {fmt(row['wall_s'])} | {fmt(row['peak_mib'], 0)} | "
            f"{fmt(estimate, 0)} |"
        )

    if not has_module(sys.executable, "causaldata"):
        print("\nLalonde comparison skipped: `causaldata` is not installed.")
        return
    ours = run_child([*me, "--worker", "lalonde-ours"], args.timeout)
    theirs: dict = {}
    if dowhy:
        # DoWhy's result changes from run to run (no seed reaches its matching and logistic
        # fit), so it runs five times and the median and range are shown.
        argv = [args.compare_python, str(Path(__file__).resolve()), "--worker", "lalonde-dowhy"]
        runs = [run_child(argv, args.timeout) for _ in range(5)]
        for key in ("DoWhy psm", "DoWhy ipw"):
            values = sorted(run[key]["estimate"] for run in runs if key in run)
            if values:
                theirs[f"{key} (median of {len(values)} runs)"] = {
                    "estimate": values[len(values) // 2],
                    "range": [values[0], values[-1]],
                }
    print("\nLalonde / Dehejia–Wahba: NSW treated (185) against CPS-1 controls (15 992), outcome")
    print(f"re78, covariates {', '.join(LALONDE_COVARIATES)} (data from `causaldata`).\n")
    print("| estimator | ATT | 95 % CI (DoWhy: range of runs) | error vs experiment |")
    print("|---|---:|---|---:|")
    benchmark = ours.pop(EXPERIMENTAL)
    print(f"| {EXPERIMENTAL} | {benchmark:.0f} | | |")
    for name, value in [*ours.items(), *theirs.items()]:
        if not isinstance(value, dict):
            continue
        ci = value.get("ci") or value.get("range")
        ci_text = f"[{ci[0]:.0f}, {ci[1]:.0f}]" if ci else ""
        error = value["estimate"] - benchmark
        print(f"| {name} | {value['estimate']:.0f} | {ci_text} | {error:+.0f} |")


if __name__ == "__main__":
    main()
