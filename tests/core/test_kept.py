"""`core.kept.kept` (decision 49): a missing result is computed once for everyone asking at the
same time, threads and processes; a failed or hung computation never blocks the others for
longer than the bounded wait."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.cache import caches

from emplus.core.kept import KEPT_CACHE, kept, one_at_a_time

THREADS = 8

FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"
SHARED_CACHE = "django.core.cache.backends.locmem.LocMemCache"  # `add` is atomic, as Redis's


@pytest.fixture(params=[FILE_CACHE, SHARED_CACHE], ids=["file-lock", "cache-lock"])
def each_cache(request, settings, tmp_path):
    """Each kind of lock: a file cache's (a file lock), a shared cache's (`cache.add`)."""
    settings.CACHES = _caches(request.param, tmp_path)
    caches[KEPT_CACHE].clear()
    yield request.param
    caches[KEPT_CACHE].clear()


def _caches(backend: str, tmp_path: Path) -> dict:
    """The default cache and the kept results' (decision 65), of one kind."""
    return {
        alias: {"BACKEND": backend, "LOCATION": str(tmp_path / alias)}
        for alias in ("default", KEPT_CACHE)
    }


class Computation:
    """A slow computation that counts its calls."""

    def __init__(self, seconds: float = 0.3, fail: bool = False) -> None:
        self.seconds, self.fail = seconds, fail
        self.calls = 0
        self._guard = threading.Lock()

    def __call__(self) -> list[int]:
        with self._guard:
            self.calls += 1
            number = self.calls
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("the computation failed")
        return [number]


def _at_once(count: int, call) -> list:
    """`call()` in `count` threads started together; their results (or exceptions)."""
    start = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = call()
        except Exception as error:  # noqa: BLE001 - returned to the test
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_threads_asking_at_once_compute_once_and_get_the_same_result(each_cache):
    # given a missing result and a slow computation
    compute = Computation()

    # when eight threads ask for it at once
    results = _at_once(THREADS, lambda: kept("report", compute, kind=list, timeout=60))

    # then it was computed once, and everyone got that result
    assert compute.calls == 1
    assert results == [[1]] * THREADS
    assert caches[KEPT_CACHE].get("report") == ("", [1])


def test_a_kept_result_is_not_computed_again(each_cache):
    compute = Computation(seconds=0)
    assert kept("report", compute, kind=list, timeout=60) == [1]
    assert kept("report", compute, kind=list, timeout=60) == [1]
    assert compute.calls == 1


def test_a_kept_value_of_another_kind_is_computed_again(each_cache):
    # given something else under the key (e.g. kept by older code)
    caches[KEPT_CACHE].set("report", "an old text", 60)
    compute = Computation(seconds=0)

    # then the caller computes and keeps its own
    assert kept("report", compute, kind=list, timeout=60) == [1]
    assert caches[KEPT_CACHE].get("report") == ("", [1])


def test_a_new_version_replaces_the_kept_one(each_cache):
    # given a result kept for one version of the data
    compute = Computation(seconds=0)
    assert kept("report", compute, kind=list, timeout=60, version="v1") == [1]
    # when the data changes: the same request for another version
    assert kept("report", compute, kind=list, timeout=60, version="v2") == [2]
    assert kept("report", compute, kind=list, timeout=60, version="v2") == [2]
    # then it was computed once for it and kept in place of the first: one entry per request
    assert compute.calls == 2
    assert caches[KEPT_CACHE].get("report") == ("v2", [2])
    assert kept("report", compute, kind=list, timeout=60, version="v1") == [3]


def test_a_full_default_cache_culls_no_kept_result(settings, tmp_path):
    # given a kept result, and a default cache that culls past a few entries
    configured = _caches(FILE_CACHE, tmp_path)
    configured["default"]["OPTIONS"] = {"MAX_ENTRIES": 10}
    settings.CACHES = configured
    compute = Computation(seconds=0)
    kept("report", compute, kind=list, timeout=60, version="v1")
    # when entries made per request fill it many times over (each set past the limit deletes
    # a third of the entries at random)
    for number in range(100):
        caches["default"].set(f"search-token-{number}", {"terms": "x"}, 60)
    # then the result is still kept
    assert kept("report", compute, kind=list, timeout=60, version="v1") == [1]
    assert compute.calls == 1


def test_a_failing_computation_releases_the_lock_and_the_next_caller_computes(each_cache):
    # given a computation that fails for the first caller while others wait
    failing, working = Computation(seconds=0.3, fail=True), Computation(seconds=0)
    first = threading.Thread(
        target=lambda: pytest.raises(RuntimeError, kept, "report", failing, kind=list, timeout=60)
    )
    first.start()
    time.sleep(0.1)  # the first caller holds the lock

    # when the next caller asks
    started = time.monotonic()
    result = kept("report", working, kind=list, timeout=60)
    first.join()

    # then it waited for the failure only, and computed itself
    assert failing.calls == 1 and working.calls == 1
    assert result == [1]
    assert time.monotonic() - started < 5


def test_a_hung_computer_makes_the_waiter_compute_after_the_bounded_wait(each_cache):
    # given a caller that holds the lock and never finishes
    holding, release = threading.Event(), threading.Event()

    def hang() -> None:
        with one_at_a_time("report", wait=1, cache=caches[KEPT_CACHE]):
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hang)
    holder.start()
    holding.wait(5)
    compute = Computation(seconds=0)

    # when another caller asks, waiting at most half a second
    started = time.monotonic()
    result = kept("report", compute, kind=list, timeout=60, wait=0.5)
    waited = time.monotonic() - started
    release.set()
    holder.join()

    # then it computed itself after about that long
    assert result == [1] and compute.calls == 1
    assert 0.45 <= waited < 5


def test_other_keys_do_not_wait(each_cache):
    release = threading.Event()
    holding = threading.Event()

    def hang() -> None:
        with one_at_a_time("one-report"):
            holding.set()
            release.wait(30)

    holder = threading.Thread(target=hang)
    holder.start()
    holding.wait(5)
    started = time.monotonic()
    assert kept("another-report", Computation(seconds=0), kind=list, timeout=60) == [1]
    assert time.monotonic() - started < 0.5
    release.set()
    holder.join()


def test_no_lock_file_is_left_behind(settings, tmp_path):
    settings.CACHES = _caches(FILE_CACHE, tmp_path)
    _at_once(4, lambda: kept("report", Computation(seconds=0.1), kind=list, timeout=60))
    assert os.listdir(tmp_path / KEPT_CACHE / "locks") == []


# Two processes on one file cache: Django configured by hand (no database needed).
_PROCESS = """
import os, sys, time
import django
from django.conf import settings
settings.configure(CACHES={alias: {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": os.path.join(sys.argv[1], alias)} for alias in ("default", "kept")})
django.setup()
from emplus.core.kept import kept

def compute():
    with open(sys.argv[2], "a") as log:
        log.write(f"{os.getpid()}\\n")
    time.sleep(1.0)
    return [os.getpid()]

open(sys.argv[3] + f".{os.getpid()}", "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.01)
print(kept("report", compute, kind=list, timeout=60)[0])
"""


def test_two_processes_asking_at_once_compute_once(tmp_path: Path):
    # given two processes ready to ask for the same missing result
    location, log, go = tmp_path / "cache", tmp_path / "computed", tmp_path / "go"
    processes = [
        subprocess.Popen(  # noqa: S603 - this interpreter, the test's own script
            [sys.executable, "-c", _PROCESS, str(location), str(log), str(go)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("go.*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)

    # when both ask at once
    go.touch()
    outputs = [process.communicate(timeout=60)[0].strip() for process in processes]

    # then one computed, and both got its result
    assert all(process.returncode == 0 for process in processes)
    computed_by = log.read_text().split()
    assert len(computed_by) == 1
    assert outputs == computed_by * 2
