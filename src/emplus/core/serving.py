"""Runs the platform under gunicorn, the WSGI server used in the demo and in production."""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.servers.basehttp import get_internal_wsgi_application
from gunicorn.app.base import BaseApplication

KEEPALIVE_SECONDS = 5


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # The WSGI_APPLICATION setting names the application: core does not import config.
        return get_internal_wsgi_application()


def serve(
    *, bind: str, workers: int, threads: int, access_log: bool, task_workers: int = 1
) -> None:
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
