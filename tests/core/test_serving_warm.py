"""A web worker of `emplus serve` loads what requests would load and freezes it out of the
garbage collector's walks before its first request (bench/README.md, "Per-request cost")."""

from __future__ import annotations

import gc
import sys

import pytest
from django.template import engines

from emplus.core import serving


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def switch_interval_restored():
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


def _cached(name: str) -> bool:
    loader = engines["django"].engine.template_loaders[0]
    return any(key == name or key.startswith(f"{name}-") for key in loader.get_template_cache)


def test_the_worker_loads_its_templates_and_freezes_what_is_loaded(unfrozen):
    # given a process whose templates were never loaded
    engines["django"].engine.template_loaders[0].reset()
    assert not _cached("pathways/caseload.html")
    # when the worker's application is loaded as gunicorn loads it
    application = serving._Gunicorn({"bind": "127.0.0.1:0"}).load()
    # then the pages' templates are compiled, and every object alive is out of the collector's
    # walks, so a full collection during a request walks only what requests made since
    assert callable(application)
    assert _cached("pathways/caseload.html") and _cached("base.html")
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    assert len(gc.get_objects(generation=2)) < frozen / 10


def test_a_frozen_worker_still_frees_what_a_request_leaves_behind(unfrozen):
    serving.warm_and_freeze()

    class Cycle:
        pass

    # a reference cycle made after the freeze is collected as before
    first, second = Cycle(), Cycle()
    first.other, second.other = second, first
    del first, second
    assert gc.collect() >= 2


def test_a_worker_hands_the_interpreter_to_a_waiting_thread_within_a_millisecond(unfrozen):
    # given a process with Python's default of 5 ms
    sys.setswitchinterval(0.005)
    # when gunicorn loads the worker's application
    serving._Gunicorn({"bind": "127.0.0.1:0"}).load()
    # then a thread whose database answer has arrived waits at most 1 ms for the interpreter
    # (decision 0078)
    assert sys.getswitchinterval() == pytest.approx(0.001)
