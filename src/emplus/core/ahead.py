"""Work made ahead in a worker thread while the caller uses what is ready."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar, cast

T = TypeVar("T")

_END = object()


def made_ahead(items: Iterable[T], *, depth: int) -> Iterator[T]:
    """The items of `items`, in order, each made in one worker thread up to `depth` items
    ahead of the caller: the thread works while the caller waits on something that releases
    the GIL (a database, I/O, NumPy or Polars). An exception of the worker is raised to the
    caller at its item. Close the iterator (`contextlib.closing`) to stop early: what is not
    begun is cancelled and the item being made is waited for, so nothing runs on after."""
    source = iter(items)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="made-ahead")
    try:
        pending: deque[Future[T | object]] = deque(
            pool.submit(next, source, _END) for _ in range(max(depth, 1))
        )
        while True:
            item = pending.popleft().result()
            if item is _END:
                return
            pending.append(pool.submit(next, source, _END))
            yield cast(T, item)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
