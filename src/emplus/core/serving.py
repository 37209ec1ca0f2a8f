"""Runs the platform under gunicorn, the WSGI server used in the demo and in production."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.servers.basehttp import get_internal_wsgi_application
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.utils import get_app_template_dirs
from django.urls import get_resolver
from django.utils import translation
from gunicorn.app.base import BaseApplication

KEEPALIVE_SECONDS = 5
# How long a worker's thread may hold the interpreter's lock while another waits for it
# (Python's default: 5 ms). A thread whose database answer has arrived waits that long for a
# thread that is computing; a page of 10-16 queries paid it on each under load. Decision 0078.
SWITCH_INTERVAL_SECONDS = 0.001


def share_the_interpreter_quickly() -> None:
    """Let a thread that waited on the database run within a millisecond of its answer,
    instead of after the 5 ms the running thread may otherwise keep the interpreter."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)


def warm_and_freeze() -> int:
    """Load what every request would load on its first use (the URL patterns, the compiled
    templates, the translation catalogues), then move every object alive so far out of the
    garbage collector's reach (`gc.freeze`) and return how many.

    A worker holds some 200 000 objects once Django has loaded. Without this the collector's
    oldest generation walked them all every few dozen requests: 50-120 ms with the worker's
    threads stopped, a request of the load test's in fifty paying for it (bench/README.md,
    "Per-request cost"). Frozen objects are never freed, which is what a module, a URL pattern
    or a compiled template is for the life of the worker anyway."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            get_resolver().reverse_dict  # noqa: B018 - builds the reverse index of the language
            translation.gettext("Participants")  # loads the language's catalogues
    for engine in engines.all():
        folders = [*getattr(engine, "dirs", ()), *get_app_template_dirs("templates")]
        for folder in folders:
            for path in sorted(Path(folder).rglob("*.html")):
                try:
                    engine.get_template(path.relative_to(folder).as_posix())
                except (TemplateDoesNotExist, TemplateSyntaxError):
                    continue  # a template of a package not installed here (a contrib app's)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # The WSGI_APPLICATION setting names the application: core does not import config.
        application = get_internal_wsgi_application()
        warm_and_freeze()  # in each worker, before its first request
        share_the_interpreter_quickly()
        return application


def serve(
    *,
    bind: str,
    workers: int,
    threads: int,
    access_log: bool,
    task_workers: int = 1,
    warm_reports: bool = True,
) -> None:
    """Serve until stopped. The calling process must not have run Polars: gunicorn forks the
    web workers from it, and a worker forked after Polars' thread pool started waits forever at
    its first Polars call (`emplus demo` therefore serves from a fresh `emplus serve`)."""
    options = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 120,
        # A person clicks again within seconds: gunicorn's 2 s default closed idle connections
        # just as the next request reused them (resets under the load test, bench/README.md).
        "keepalive": KEEPALIVE_SECONDS,
        "graceful_timeout": 10,
        # Request lines carry no personal data (no identifiers in URLs), so access logs are safe.
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
    }
    # Background workers beside the web server run queued tasks (effect estimates), and are
    # stopped with it (decision 0011); none where workers run on hosts of their own (0041).
    task_processes = [
        subprocess.Popen([sys.executable, "-m", "emplus", "db_worker", "--interval", "1"])
        for _ in range(task_workers)
    ]
    # The evidence pages' reports computed once while the first pages are served, not by
    # their first viewers (decision 0079); it ends by itself. The name only: core does not
    # import the evidence app.
    if warm_reports:
        task_processes.append(subprocess.Popen([sys.executable, "-m", "emplus", "warm_reports"]))
    arbiter = os.getpid()
    try:
        _Gunicorn(options).run()
    finally:
        if os.getpid() != arbiter:  # a forked web worker leaving: the task worker is not its own
            return  # noqa: B012
        for worker in task_processes:
            worker.terminate()
        for worker in task_processes:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
