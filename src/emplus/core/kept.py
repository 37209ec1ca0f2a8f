"""A costly result from the cache, or computed once for everyone who asks for it at the same
time and kept (decision 49), in a cache of its own (decision 65)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache

T = TypeVar("T")

# The cache alias of kept results (`CACHES`): apart from the default cache's search tokens,
# rate counts and other entries made per request, whose number grows with the traffic and
# makes a file cache cull entries at random, kept reports among them (decision 65).
KEPT_CACHE = "kept"

# How long a caller waits for another's computation of the same result before computing it
# itself. A computer that crashes releases the lock at once (the kernel closes its file, a
# shared cache's lock expires after this time); only one that hangs makes the others wait
# this long. Well beyond a computation on a saturated machine (the reliability statistics
# took 24 s at a load average of 20 on 2 cores), and half the web worker's timeout (120 s),
# so a waiter still has time to compute itself.
WAIT_SECONDS = 60.0

# Waiters in one process queue on a thread lock (woken at once); one of them per process
# looks at the lock between processes, at these growing intervals.
_FIRST_PAUSE, _LONGEST_PAUSE = 0.005, 0.05


def kept(
    key: str,
    compute: Callable[[], T],
    *,
    kind: type[T],
    timeout: float,
    version: str = "",
    wait: float = WAIT_SECONDS,
) -> T:
    """The value kept in the kept results' cache under `key` (an instance of `kind`) for
    `version`, or else `compute()`, kept there for `timeout` seconds in place of any other
    version's.

    `version` is what the value was computed from (a digest of the tables it read): naming it
    apart from the key keeps one entry per request, not one per change of the data, so the
    cache does not fill with values nobody will ask for again.

    While one caller computes a missing value, the others asking for the same key (threads,
    worker processes, and hosts that share the cache) wait for it, and read what it kept. A
    waiter computes itself after `wait` seconds rather than fail; a computation that raises
    passes the turn to the next caller. The key must name everything the value depends on
    (decisions 45 and 47) with `version`: a waiter takes whatever is kept under them."""
    cache = caches[KEPT_CACHE]
    found = _found(cache.get(key), version, kind)
    if found is not None:
        return found
    # One computation of a request at a time, whatever its version: a waiter for another
    # version computes after it, with the data as then committed.
    with one_at_a_time(key, wait=wait, cache=cache):
        found = _found(cache.get(key), version, kind)  # computed while this caller waited
        if found is not None:
            return found
        value = compute()
        cache.set(key, (version, value), timeout)
        return value


def _found(entry: object, version: str, kind: type[T]) -> T | None:
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        value = entry[1]
        if isinstance(value, kind):
            return value
    return None


@contextmanager
def one_at_a_time(
    key: str, *, wait: float = WAIT_SECONDS, cache: BaseCache | None = None
) -> Iterator[bool]:
    """Hold the lock of `key` for the block, or wait for it at most `wait` seconds; yields
    whether it is held (after the wait the block runs anyway).

    The lock is as wide as the cache whose result it guards: a file cache is one machine's
    (its directory), so the lock is a file lock there; a shared cache (Redis, Memcached, the
    database) holds the lock itself, across hosts."""
    cache = cache or caches[DEFAULT_CACHE_ALIAS]
    name = hashlib.sha256(cache.make_key(key).encode()).hexdigest()
    deadline = time.monotonic() + wait
    with _thread_turn(name, deadline) as ours:
        if not ours:
            yield False
        elif isinstance(cache, FileBasedCache):
            # Beside the cache's files (`_dir`, its absolute directory), which the cache's
            # clearing and culling (`*.djcache` at the top) never touch.
            directory = cache._dir  # type: ignore[attr-defined]
            with _file_lock(os.path.join(directory, "locks", f"{name}.lock"), deadline) as held:
                yield held
        else:
            with _cache_lock(cache, f"kept-lock:{name}", wait, deadline) as held:
                yield held


# Per key, a thread lock and how many threads use it (removed when none does).
_turns: dict[str, tuple[threading.Lock, int]] = {}
_turns_guard = threading.Lock()


@contextmanager
def _thread_turn(name: str, deadline: float) -> Iterator[bool]:
    with _turns_guard:
        lock, users = _turns.get(name, (None, 0))
        lock = lock or threading.Lock()
        _turns[name] = (lock, users + 1)
    try:
        ours = lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
        try:
            yield ours
        finally:
            if ours:
                lock.release()
    finally:
        with _turns_guard:
            lock, users = _turns[name]
            if users == 1:
                del _turns[name]
            else:
                _turns[name] = (lock, users - 1)


def _pauses(deadline: float) -> Iterator[bool]:
    """Sleeps of growing length, each followed by True, until the deadline has passed."""
    pause = _FIRST_PAUSE
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(pause, left))
        pause = min(2 * pause, _LONGEST_PAUSE)
        yield True


@contextmanager
def _file_lock(path: str, deadline: float) -> Iterator[bool]:
    """An exclusive `flock` on `path`: the kernel releases it when its holder's process ends,
    however it ends. The holder removes the file when done, so that locks do not pile up; a
    waiter that then holds the removed file tries again with the new one."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    pauses = _pauses(deadline)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not next(pauses, False):
                        yield False
                        return
            try:
                current = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                try:
                    yield True
                finally:
                    # Before releasing it: nobody locks a file already done.
                    with suppress(FileNotFoundError):
                        os.unlink(path)
                return
        finally:
            os.close(fd)


@contextmanager
def _cache_lock(cache: BaseCache, lock_key: str, wait: float, deadline: float) -> Iterator[bool]:
    """A lock in a shared cache: `add` is atomic there. It expires after `wait`, so a holder
    that died leaves it no longer than a waiter would wait anyway."""
    token = uuid.uuid4().hex
    timeout = max(1, int(wait + 1))
    held = cache.add(lock_key, token, timeout)
    if not held:
        for _ in _pauses(deadline):
            if held := cache.add(lock_key, token, timeout):
                break
    try:
        yield held
    finally:
        # Not someone else's: after an expiry another caller may hold it.
        if held and cache.get(lock_key) == token:
            cache.delete(lock_key)
