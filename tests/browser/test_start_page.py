"""The start page in a real browser: a coach of the demo logs in, sees the work due in their
unit and follows an item to the caseload, which lists exactly as many participants as the item
counted; axe-core finds no serious or critical violation on the start page.

Items are found by their address, not their text, so the test holds in either language."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in


def _count(text: str) -> int:
    return int(re.findall(r"\d+", text)[-1])


def test_a_coach_follows_an_item_to_the_list_it_counts(page, live_url):
    # given the demo's coach on their start page
    log_in(page, live_url, "coach.abf")
    assert page.locator("h1").count() == 1
    assert page.locator("main h2").count() >= 1
    violations = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == []
    item = page.locator("main .start-items a[href*='stalled=1']").first
    counted = _count(item.inner_text())
    # when they follow the item "no new step"
    item.click()
    page.wait_for_url(re.compile(r".*/participants/\?.*stalled=1.*"))
    # then the list says it holds exactly the participants counted
    status = page.locator("main p[role=status]").inner_text()
    assert _count(status) == counted
    # (the first table is the list; the second, the follow-ups due)
    rows = page.locator("main table").first.locator("tbody tr th[scope=row]")
    assert rows.count() == min(counted, 50)


def test_a_coach_follows_time_waiting_for_attestation_to_the_list_it_counts(page, live_url):
    # given the demo's coach, whose unit has months not (or no longer) attested
    log_in(page, live_url, "coach.abf")
    item = page.locator("main .start-items a[href*='attestation_waiting=1']").first
    counted = _count(item.inner_text())
    # when they follow the item
    item.click()
    page.wait_for_url(re.compile(r".*/participants/\?.*attestation_waiting=1.*"))
    # then the list holds exactly the participants counted
    assert _count(page.locator("main p[role=status]").inner_text()) == counted


def test_a_coordinator_follows_plans_at_risk_to_the_plan_list(page, live_url):
    # given the demo's coordinator on their start page
    log_in(page, live_url, "coordinator.abf")
    item = page.locator("main .start-items a[href*='/plans/?at_risk=']").first
    counted = _count(item.inner_text())
    # when they follow the plans at risk
    item.click()
    page.wait_for_url(re.compile(r".*/plans/\?at_risk=.*"))
    # then the plan list shows exactly as many, with the filter ticked
    assert _count(page.locator("main p[role=status]").inner_text()) == counted
    assert page.locator("main input[name=at_risk]").is_checked()
