"""Editing an action plan's goal in a real browser (decision 0043): a coordinator reaches the
goal's edit page from the plan page by keyboard, axe-core finds no serious or critical
violation on it, a missing target and a deadline before the plan starts are shown next to their
fields and in the error summary with nothing saved, and a changed target is seen on the plan."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in
from tests.browser.test_plans import PLAN, _serious


def _target_on_plan(page) -> str:
    """The target cell of the plan's only goal in the goal table."""
    row = page.locator("main table").first.locator("tbody tr").first
    return row.locator("td").nth(2).inner_text().strip()


def _assert_field_error(page, field_id: str, message: str) -> None:
    """The error is named by the summary (linking to the field) and described on the field."""
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    link = summary.locator(f"a[href='#{field_id}']")
    assert message in link.inner_text()
    field = page.locator(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby") or ""
    assert f"{field_id}_error" in described.split()
    assert message in page.locator(f"#{field_id}_error").inner_text()


def test_coordinator_edits_a_goal_from_the_plan_page(page, live_url):
    axe = Axe()
    log_in(page, live_url, "coordinator.abf")

    # a plan of their own with one manual goal, so the demo's plans stay as they are
    page.goto(f"{live_url}/plans/new/")
    page.locator("#id_title").fill("Plan där ett mål ändras")
    page.locator("#id_owner_kind").select_option("test_bed")
    page.locator("#id_test_bed").select_option(index=1)
    page.locator("#id_period_start").fill("2026-01-01")
    page.locator("#id_period_end").fill("2027-06-30")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(PLAN)
    plan_url = page.url
    page.get_by_role("link", name="Lägg till ett mål").click()
    page.locator("#id_title").fill("Fler arbetsgivarkontakter")
    page.locator("#id_kind").select_option("manual")
    page.locator("#id_metric_name").fill("Arbetsgivarkontakter")
    page.locator("#id_baseline").fill("10")
    page.locator("#id_target").fill("40")
    page.locator("#id_deadline").fill("2027-06-30")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(re.escape(plan_url) + r"(#goal-[0-9a-f-]+)?$"))
    assert _target_on_plan(page) == "40"

    # the edit page, reached by keyboard from the goal's section
    edit = page.get_by_role("link", name="Ändra målet", exact=True)
    edit.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/plans/goals/[0-9a-f-]{36}/edit/$"))
    edit_url = page.url
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Ändra målet ”Fler arbetsgivarkontakter”"
    )
    assert page.locator("#id_target").input_value() == "40.00"
    assert _serious(axe.run(page)) == []

    # no target: the form refuses it by field
    page.locator("#id_target").fill("")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert page.url == edit_url
    _assert_field_error(page, "id_target", "Det här fältet är obligatoriskt.")
    assert _serious(axe.run(page)) == []

    # a deadline before the plan starts: the service refuses it, shown on the deadline field
    page.locator("#id_target").fill("55")
    page.locator("#id_deadline").fill("2025-12-31")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert page.url == edit_url
    _assert_field_error(page, "id_deadline", "Slutdatumet måste ligga efter planens start.")
    assert _serious(axe.run(page)) == []

    # nothing of the refused changes was saved
    page.goto(plan_url)
    assert _target_on_plan(page) == "40"
    assert "2027-06-30" in page.locator("main table").first.locator("tbody tr").first.inner_text()

    # a valid change is saved and seen on the plan page
    page.goto(edit_url)
    page.locator("#id_target").fill("55")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(re.escape(plan_url) + r"#goal-[0-9a-f-]+$"))
    assert page.get_by_text("Målet har sparats.").is_visible()
    assert _target_on_plan(page) == "55"
    assert _serious(axe.run(page)) == []
