"""`emplus demo` as a newcomer runs it (the README's first command): it builds the demo and
serves it, and the served pages work, a file check included. The other browser tests build the
demo and serve it with two commands; this one runs the one command, whose web workers once
hung at their first Polars call (forked from the process that had built the demo with Polars).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request

from tests.browser.conftest import log_in
from tests.live_server import EMPLUS, _free_port

HEADER = "participant_ref;organisation;birth_date;gender;municipality_code;entry_date"


def _wait_until_served(url: str, demo: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            assert demo.poll() is None, "emplus demo stopped"
            time.sleep(0.5)
    raise AssertionError("emplus demo did not serve in time")


def test_the_demo_command_serves_pages_that_check_a_file(page, tmp_path):
    # given `emplus demo` on a port of its own, with a database and var directory of its own
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        EMPLUS_VAR_DIR=str(tmp_path / "var"),
        EMPLUS_REQUIRE_2FA="false",
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    demo = subprocess.Popen(  # noqa: S603 - our own command line
        [str(EMPLUS), "demo", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_served(url, demo)
        # when a coach checks a file with an error in it
        data = tmp_path / "deltagare.csv"
        data.write_text(f"{HEADER}\nP1;ABF;1990-05-01;kvinna;0180;2025-02-30\n", encoding="utf-8")
        log_in(page, url, "coach.abf")
        page.goto(url + "/participants/import/")
        page.locator("#import-file").set_input_files(str(data))
        page.get_by_role("button", name="Kontrollera filen").click()
        # then the check answers (its reader runs in the web worker) and names the error
        listed = page.get_by_role("table", name="Fel i filen")
        assert listed.locator("tbody td").all_inner_texts()[:2] == ["2", "entry_date"]
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=60)
