"""The shell in a real browser: Swedish first, English on request, keyboard use, log-in and
accessibility (axe-core) on every shell page."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in, log_out

SHELL_PAGES = [
    "/",
    "/organisations/",
    "/geo/",
    "/geo/counties/25/",
    "/geo/municipalities/",
    "/geo/municipalities/?rural=1&sort=-density",
    "/geo/municipalities/2521/",
    "/accounts/password/",
    "/accounts/two-factor/",
]


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_start_page_is_swedish_and_has_one_h1(page, live_url):
    page.goto(live_url + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.locator("h1").count() == 1
    assert "partnerskapets gemensamma arbetsyta" in page.locator("h1").inner_text()


def test_anonymous_pages_have_no_serious_axe_violations(page, live_url):
    axe = Axe()
    for path in ["/", "/accounts/login/"]:
        page.goto(live_url + path)
        assert _serious(axe.run(page)) == [], path


def test_every_shell_page_passes_axe_when_logged_in(page, live_url):
    axe = Axe()
    log_in(page, live_url, "coordinator.abf")
    failures = {}
    for path in SHELL_PAGES:
        response = page.goto(live_url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        found = _serious(axe.run(page))
        if found:
            failures[path] = found
    # organisation detail (reached by link, its id is not known in advance)
    page.goto(live_url + "/organisations/")
    page.get_by_role("link", name="ABF – Arbetarnas bildningsförbund").click()
    assert page.locator("h1").inner_text().startswith("ABF")
    found = _serious(axe.run(page))
    if found:
        failures["organisation detail"] = found
    assert failures == {}


def test_language_switch_to_english_and_back(page, live_url):
    log_in(page, live_url, "coach.abf")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    modules = page.get_by_role("navigation", name="Modules")
    assert modules.get_by_role("link", name="Geography").is_visible()
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_load_state()
    modules = page.get_by_role("navigation", name="Moduler")
    assert modules.get_by_role("link", name="Geografi").is_visible()


def test_skip_link_is_first_and_moves_focus_to_main(page, live_url):
    log_in(page, live_url, "coach.abf")
    page.goto(live_url + "/geo/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Hoppa till huvudinnehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_map_has_a_table_alternative_reachable_by_keyboard(page, live_url):
    log_in(page, live_url, "coach.abf")
    page.goto(live_url + "/geo/")
    assert page.locator("svg[role=img] path").count() == 290
    link = page.get_by_role("link", name="Samma siffror som tabell")
    link.focus()
    page.keyboard.press("Enter")
    # The address changes after the key press: wait for it, do not read it at once.
    expect(page).to_have_url(re.compile(r"#county-table$"))
    assert page.locator("#county-table tbody tr").count() == 21


def test_coach_cannot_open_another_organisations_page(page, live_url):
    log_in(page, live_url, "coordinator.rb")
    page.goto(live_url + "/organisations/")
    rb_link = page.get_by_role("link", name="Rädda Barnen").get_attribute("href")
    log_out(page, live_url)
    log_in(page, live_url, "coach.abf")
    response = page.goto(live_url + rb_link)
    assert response.status == 404


@pytest.mark.parametrize(
    "username", ["admin", "coordinator.smart", "analyst.convoy", "coach2.hssl"]
)
def test_demo_log_ins_work_in_the_browser(page, live_url, username):
    log_in(page, live_url, username)
    assert page.get_by_role("button", name="Logga ut").is_visible()
