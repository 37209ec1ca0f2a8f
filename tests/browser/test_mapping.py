"""The mapping pages in a real browser: axe finds no serious or critical violation, and the
coverage map's table alternative is reachable and complete from the keyboard."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in

PAGES = [
    "/mapping/",
    "/mapping/?level=county",
    "/mapping/?county=25&arena=working_life&sort=-rate",
    "/mapping/white-spots/?arena=workplace_learning",
    "/mapping/activities/",
    "/mapping/activities/?phase=train&thematic_area=SPARSE",
    "/mapping/search/?q=praktik",
    "/methods/",
    "/methods/M-APL-HAND/",
    "/methods/thematic-areas/",
    "/methods/thematic-areas/SPARSE/",
    "/testbeds/",
    "/testbeds/TB-ABF/",
    "/mapping/?measure=participants",
    "/mapping/?measure=participants&level=county",
    "/mapping/organisations/",
]


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_mapping_page_passes_axe(page, live_url):
    axe = Axe()
    log_in(page, live_url, "coordinator.abf")
    failures = {}
    for path in PAGES:
        response = page.goto(live_url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        found = _serious(axe.run(page))
        if found:
            failures[path] = found
    # an activity page, reached by link (its id is not known in advance)
    page.goto(live_url + "/mapping/activities/")
    page.locator("tbody th a").first.click()
    # A click does not wait for the page it opens: wait for it, or axe checks the list again.
    page.wait_for_url(re.compile(r"/mapping/activities/[0-9a-f-]{36}/$"))
    expect(page.locator("h1")).to_have_count(1)
    found = _serious(axe.run(page))
    if found:
        failures["activity"] = found
    # an organisation's role page, reached by link
    page.goto(live_url + "/mapping/organisations/")
    page.locator("tbody th a").first.click()
    page.wait_for_url(re.compile(r"/mapping/organisations/[0-9a-f-]{36}/$"))
    expect(page.locator("h1")).to_have_count(1)
    found = _serious(axe.run(page))
    if found:
        failures["organisation role"] = found
    assert failures == {}


def test_keyboard_reaches_the_complete_coverage_table(page, live_url):
    log_in(page, live_url, "coach.abf")
    page.goto(live_url + "/mapping/")
    # when: tabbing to the map's "same numbers as a table" link and following it
    link = page.get_by_role("link", name="Samma siffror som tabell")
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the table link is not reachable by keyboard")
    page.keyboard.press("Enter")
    # then: the table has a row for every municipality on the map
    # The address changes after the key press: wait for it, do not read it at once.
    expect(page).to_have_url(re.compile(r"#coverage-table$"))
    assert page.locator("#coverage-table tbody tr").count() == 290
    assert page.locator("figure.map path").count() == 290


def test_keyboard_reaches_the_complete_participant_table_with_the_maps_numbers(page, live_url):
    log_in(page, live_url, "coach.abf")
    page.goto(live_url + "/mapping/?measure=participants")
    # when: tabbing to the table link and following it
    link = page.get_by_role("link", name="Samma siffror som tabell")
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("the table link is not reachable by keyboard")
    page.keyboard.press("Enter")
    # then: one row per map area, and each area's label has its row's (suppressed) rate
    # The address changes after the key press: wait for it, do not read it at once.
    expect(page).to_have_url(re.compile(r"#coverage-table$"))
    rows = page.locator("#coverage-table tbody tr")
    assert rows.count() == 290
    titles = page.locator("figure.map path title").all_text_contents()
    assert len(titles) == 290
    table = dict(
        zip(
            page.locator("#coverage-table tbody th").all_text_contents(),
            page.locator("#coverage-table tbody td.rate").all_text_contents(),
            strict=True,
        )
    )
    for title in titles:
        name, _, value = title.rpartition(": ")
        cell = table[name].strip()
        shown = "–" if "–" in cell else cell
        assert shown == value, name
