"""A real WSGI server (gunicorn) over a fresh demo database, for the tests that need one: the
browser tests and the API fuzzing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

EMPLUS = Path(sys.executable).with_name("emplus")


@dataclass(frozen=True)
class LiveServer:
    url: str
    env: dict[str, str]

    def manage(self, *args: str, timeout: int = 120) -> str:
        """Run an `emplus` command against the server's database; its standard output."""
        done = subprocess.run(  # noqa: S603 - our own command line
            [str(EMPLUS), *args],
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerDidNotStart(RuntimeError):
    pass


@contextmanager
def demo_server(
    home: Path, *, workers: int = 2, extra_env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """The demo partnership in a SQLite file under `home`, served by gunicorn on a free port."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{home / 'demo.sqlite3'}",
        EMPLUS_VAR_DIR=str(home),
        EMPLUS_REQUIRE_2FA="false",
    )
    env.update(extra_env or {})
    subprocess.run(  # noqa: S603 - our own command line
        [str(EMPLUS), "demo", "--no-serve"], env=env, check=True, capture_output=True, timeout=600
    )
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [
            str(EMPLUS),
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise ServerDidNotStart("the demo server did not start") from None
            time.sleep(0.3)
    try:
        yield LiveServer(url=url, env=env)
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(home, ignore_errors=True)
