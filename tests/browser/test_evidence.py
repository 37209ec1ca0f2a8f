"""The evidence pages in a real browser: axe finds no serious or critical violation, an analyst
sees the partnership suppressed and can download the table."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in

PAGES = [
    "/evidence/indicators/",
    "/evidence/indicators/?organisation=ABF",
    "/evidence/indicators/?entry_from=2099-01-01",
    "/evidence/progression/",
    "/evidence/progression/?group_by=phase",
]


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_evidence_page_passes_axe(page, live_url):
    axe = Axe()
    log_in(page, live_url, "analyst.abf")
    failures = {}
    for path in PAGES:
        response = page.goto(live_url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        found = _serious(axe.run(page))
        if found:
            failures[path] = found
    assert failures == {}


def test_analyst_sees_the_partnership_suppressed_and_downloads_csv(page, live_url):
    log_in(page, live_url, "analyst.abf")
    page.goto(live_url + "/evidence/indicators/")
    assert page.locator("#indicators tbody tr").count() == 23
    assert page.locator("#completeness").count() == 0
    with page.expect_download() as download:
        page.locator("a[href$='export=csv']").click()
    assert download.value.suggested_filename.endswith(".csv")


def test_coach_has_no_evidence_in_the_navigation(page, live_url):
    log_in(page, live_url, "coach.abf")
    page.goto(live_url + "/")
    assert page.locator("nav.modules a[href='/evidence/indicators/']").count() == 0
