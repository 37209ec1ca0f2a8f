"""What the page benchmarks share: Django set up with this code or another's `src/` first on the
path, the machine line, a p95, the same measurement run against other code in a child process,
and a profile of one request."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # tests.factories (sessions with a second factor)


def django_setup(*, baseline_src: str | None = None) -> None:
    """Django with the installed code, or with `baseline_src` (another `src/`, e.g.
    `git archive main src | tar -x -C /tmp/main`) ahead of it."""
    if baseline_src:
        sys.path.insert(0, baseline_src)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emplus.config.settings")
    import django

    django.setup()


def machine(extra: str = "") -> str:
    """The line that says where a figure was measured."""
    return (
        f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}{extra}, load average at start {load_average()}"
    )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def baseline_run(script: str, baseline_src: str, arguments: list[str]) -> Any:
    """Run `script` again with `--times-only --baseline-src baseline_src` and `arguments`; what
    it printed as JSON on its last line."""
    child = subprocess.run(  # noqa: S603 - the benchmark itself, with the other code first
        [sys.executable, script, "--times-only", "--baseline-src", baseline_src, *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def profile(run: Callable[[], object], *, tottime: bool = False, lines: int = 40) -> None:
    """cProfile of one call of `run`, by cumulative time (and by own time)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(lines)
    if tottime:
        stats.sort_stats("tottime").print_stats(40)
