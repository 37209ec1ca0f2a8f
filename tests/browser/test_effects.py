"""An analyst starts an effect estimate in a real browser, sees progress and then the result
(the worker started by `emplus serve` runs it); axe finds no serious or critical violation."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in
from tests.browser.test_evidence import _serious


def test_analyst_runs_an_estimate_with_progress(page, live_url):
    # given
    axe = Axe()
    log_in(page, live_url, "analyst.abf")
    page.goto(live_url + "/evidence/effects/")
    assert page.locator("h1").count() == 1
    assert _serious(axe.run(page)) == []
    # when
    page.select_option("#id_treated_organisation", "ABF")
    page.select_option("#id_comparison_organisation", "COOMPANION")
    page.select_option("#id_outcome", "exit_employed")
    page.select_option("#id_method", "ipw")
    page.click("#effect-form button[type=submit]")
    # then: the status page, refreshing until the worker has finished
    page.wait_for_url("**/evidence/effects/*/")
    assert page.locator("h1").count() == 1
    page.wait_for_selector("#summary, #failure", timeout=120_000)
    assert page.locator("#failure").count() == 0, page.locator("#failure").inner_text()
    assert page.locator("#balance tbody tr").count() > 0
    assert page.locator("svg.chart").count() == 1
    assert _serious(axe.run(page)) == []
