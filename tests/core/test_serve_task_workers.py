"""`emplus serve --task-workers N` starts N background workers beside gunicorn, each holding a
lease, and stops them with the server (decision 0041)."""

from __future__ import annotations

import http.client
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from emplus.core.serving import KEEPALIVE_SECONDS

EMPLUS = Path(sys.executable).with_name("emplus")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _leases(database: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT host, pid FROM core_taskworker ORDER BY pid").fetchall()


def _wait_for(what: str, condition, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the server runs on a SQLite file of its own: once, in the SQLite half, is enough",
)
def test_serve_runs_the_asked_number_of_task_workers_and_stops_them(tmp_path):
    # given a migrated database
    database = tmp_path / "serve.sqlite3"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DATABASE_URL=f"sqlite:///{database}", EMPLUS_VAR_DIR=str(tmp_path / "var"))
    subprocess.run(  # noqa: S603 - our own command
        [str(EMPLUS), "migrate", "-v0"], env=env, check=True, timeout=300
    )
    # when the server starts with two task workers
    port = _free_port()
    log = tmp_path / "serve.log"
    server = subprocess.Popen(  # noqa: S603 - our own command
        [str(EMPLUS), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        + ["--task-workers", "2", "--no-access-log"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                    return r.status == 200
            except OSError:
                return False

        _wait_for("the web server", healthy)
        # and a connection kept alive still answers after a person's pause of a few seconds
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            for pause in (0, KEEPALIVE_SECONDS - 2):
                time.sleep(pause)
                kept.request("GET", "/healthz")
                answer = kept.getresponse()
                answer.read()
                assert answer.status == 200
                assert kept.sock is not None, "the server closed the kept-alive connection"
        finally:
            kept.close()
        # and the evidence reports were computed beside it, once (decision 0079)
        _wait_for("the reports warmed", lambda: "Kept the evidence reports of" in log.read_text())
        # then two workers of this host hold a lease
        leases = _wait_for("two leases", lambda: len(_leases(database)) == 2 and _leases(database))
        assert {host for host, _ in leases} == {socket.gethostname()}
    finally:
        server.terminate()
        server.wait(timeout=60)
    # and stopping the server stops them, giving their leases back
    assert _leases(database) == []
