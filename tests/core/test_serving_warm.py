"""A web worker of `emplus serve` loads what requests would load and freezes it out of the
garbage collector's walks before its first request (bench/README.md, "Per-request cost")."""

from __future__ import annotations

import gc

import pytest
from django.template import engines

from emplus.core import serving


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


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
