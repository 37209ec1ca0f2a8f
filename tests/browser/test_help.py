"""The user guide in a real browser: every section's screenshot taken from the demo (written
where the guide serves it only when `scripts/help-screenshots` asks, so that a test run leaves
the tree as it was; decision 0029), each page's heading linking to its section, the guide's
search by keyboard, and axe."""

from __future__ import annotations

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from emplus.help.screenshots import screenshot_file
from emplus.help.sections import SECTIONS
from tests.browser.conftest import CHROMIUM, log_in

VIEWPORT = {"width": 1024, "height": 640}
SHOT_SECTIONS = [s for s in SECTIONS if s.shot is not None]


@pytest.fixture(scope="module")
def contexts(browser, live_url):
    """One logged-in browser context per demo user (logging in once per user, not per shot)."""
    opened = {}

    def context_of(user: str):
        if user not in opened:
            context = browser.new_context(locale="sv-SE", viewport=VIEWPORT)
            page = context.new_page()
            page.set_default_timeout(15_000)
            if user:
                log_in(page, live_url, user)
            opened[user] = page
        return opened[user]

    yield context_of
    for page in opened.values():
        page.context.close()


@pytest.mark.parametrize("section", SHOT_SECTIONS, ids=[s.slug for s in SHOT_SECTIONS])
def test_section_screenshot_from_the_demo(contexts, live_url, section, tmp_path):
    # given the demo user of the section's screenshot
    page = contexts(section.shot.user)
    # when they open the page it explains (following a link for a page about one record)
    response = page.goto(live_url + section.shot.path)
    assert response.status == 200, section.shot.path
    for selector in section.shot.follow:
        page.locator(selector).first.click()
        page.wait_for_load_state()
    # then its heading links to the section (the Django admin has no such link), and the
    # picture is taken (into the guide's static files when scripts/help-screenshots asks)
    if section.pages:
        link = page.get_by_role("link", name="Hjälp om den här sidan")
        expected = "/help/login/" if section.public else f"/help/{section.slug}/"
        assert link.get_attribute("href") == expected
    into_tree = os.environ.get("EMPLUS_HELP_SCREENSHOTS_INTO_TREE") == "1"
    target = screenshot_file(section) if into_tree else tmp_path / f"{section.slug}.png"
    page.screenshot(path=target)
    assert target.read_bytes().startswith(b"\x89PNG")


def test_the_guide_is_searched_by_keyboard_and_passes_axe(page, live_url):
    assert CHROMIUM  # (the live_url fixture skips or fails without Chromium)
    log_in(page, live_url, "analyst.abf")
    page.goto(live_url + "/help/")
    # the analyst's own role comes first
    assert page.locator("main h2").first.inner_text().startswith("Analytiker")
    # typing in the search field and pressing Enter finds the section
    page.get_by_role("searchbox", name="Sök i guiden").fill("konfidensintervall")
    page.keyboard.press("Enter")
    page.wait_for_url("**/help/?q=*")
    assert page.get_by_role("status").inner_text() == "1 avsnitt matchar."
    # the hit comes first, before the same section under the roles
    page.get_by_role(
        "link", name="Beställa en effektskattning och läsa balanstabellen"
    ).first.click()
    assert page.locator("h1").inner_text() == "Beställa en effektskattning och läsa balanstabellen"
    serious = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
