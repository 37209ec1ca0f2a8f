"""core.ahead: items made in a worker thread, ahead of the caller, in order; the worker's
error reaches the caller at its item; closing early stops the worker."""

from __future__ import annotations

import threading
import time
from contextlib import closing

import pytest

from emplus.core.ahead import made_ahead


def test_the_items_come_in_order_and_are_made_in_another_thread():
    # given items that note the thread that makes them
    makers = []

    def items():
        for i in range(10):
            makers.append(threading.current_thread())
            yield i

    # when
    got = list(made_ahead(items(), depth=3))
    # then
    assert got == list(range(10))
    assert threading.current_thread() not in makers


def test_the_worker_makes_the_next_item_while_the_caller_holds_one():
    # given items that say when the making of the second begins
    second_begun = threading.Event()

    def items():
        yield 0
        second_begun.set()
        yield 1

    # when the caller holds the first item
    ready = made_ahead(items(), depth=1)
    assert next(ready) == 0
    # then the second is being made meanwhile, without the caller asking for it
    assert second_begun.wait(timeout=10)
    assert list(ready) == [1]


def test_an_error_of_the_worker_is_raised_to_the_caller_at_its_item():
    def items():
        yield 1
        yield 2
        raise RuntimeError("disk full")

    got = []
    with pytest.raises(RuntimeError, match="disk full"):
        for item in made_ahead(items(), depth=4):
            got.append(item)
    assert got == [1, 2]


def test_closing_early_stops_the_worker():
    # given endless items
    made = []

    def items():
        i = 0
        while True:
            made.append(i)
            yield i
            i += 1

    # when the caller takes two and closes
    with closing(made_ahead(items(), depth=3)) as ready:
        assert [next(ready), next(ready)] == [0, 1]
    # then nothing is made after the close: at most the items asked ahead were
    count = len(made)
    time.sleep(0.05)
    assert len(made) == count <= 2 + 3
    assert not [t for t in threading.enumerate() if t.name.startswith("made-ahead")]
