"""Action plans in a real browser against the demo: a coordinator creates a plan for their test
bed with a goal on an ESF+ indicator and sees its live value and status in a table beside the
chart; axe-core finds no serious or critical violation on the plan's pages."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in

PLAN = re.compile(r".*/plans/[0-9a-f-]{36}/$")


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_coordinator_creates_a_test_bed_plan_with_a_live_esf_goal(page, live_url):
    axe = Axe()
    log_in(page, live_url, "coordinator.abf")
    page.goto(f"{live_url}/plans/")
    assert _serious(axe.run(page)) == []
    page.get_by_role("link", name="Ny handlingsplan").click()
    page.locator("#id_title").fill("Plan för testbädden i webbläsaren")
    page.locator("#id_owner_kind").select_option("test_bed")
    page.locator("#id_test_bed").select_option(index=1)
    page.locator("#id_period_start").fill("2026-01-01")
    page.locator("#id_period_end").fill("2027-06-30")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(PLAN)
    plan_url = page.url
    page.get_by_role("link", name="Lägg till ett mål").click()
    assert _serious(axe.run(page)) == []
    page.locator("#id_title").fill("Fler deltagare i testbädden")
    page.locator("#id_kind").select_option("esf")
    page.locator("#id_esf_code").select_option("EECO01")
    page.locator("#id_baseline").fill("0")
    page.locator("#id_target").fill("1000")
    page.locator("#id_deadline").fill("2027-06-30")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(re.escape(plan_url) + r"(#goal-[0-9a-f-]+)?$"))
    row = page.locator("main table").first.locator("tbody tr").first
    cells = row.locator("td")
    assert "Fler deltagare i testbädden" in row.inner_text()
    value = cells.nth(5).inner_text().strip()
    assert re.fullmatch(r"\d+", value), value  # the live count of the test bed's participants
    assert cells.nth(6).inner_text().strip() in ("Enligt plan", "I riskzonen", "Efter plan")
    assert page.locator("figure.chart svg").count() == 1
    assert _serious(axe.run(page)) == []
