"""A real server for browser tests: the demo database behind gunicorn, driven by Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.live_server import ServerDidNotStart, demo_server

CHROMIUM = os.environ.get("EMPLUS_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_url(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI: {CHROMIUM} is missing")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        with demo_server(tmp_path_factory.mktemp("demo")) as server:
            yield server.url
    except ServerDidNotStart:
        pytest.fail("the demo server did not start")


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
