"""A real server for browser tests: the demo database behind gunicorn, driven by Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("EMPLUS_CHROMIUM", "/usr/bin/chromium")
EMPLUS = Path(sys.executable).with_name("emplus")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_url(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI: {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    home = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{home / 'demo.sqlite3'}",
        EMPLUS_VAR_DIR=str(home),
        EMPLUS_REQUIRE_2FA="false",
    )
    subprocess.run(
        [str(EMPLUS), "demo", "--no-serve"], env=env, check=True, capture_output=True, timeout=600
    )
    port = _free_port()
    server = subprocess.Popen(
        [str(EMPLUS), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-access-log"],
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
                pytest.fail("the demo server did not start")
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=20)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_out(page, live_url):
    """Log out as a user does and wait until it is done: the page clears the offline queue
    before the form is sent, so the click returns before the session ends."""
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{live_url}/accounts/login/**")


def log_in(page, live_url, username, password="demo-emplus-2026"):
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_url}/")
