"""The individual pathway in a real browser: a coach registers a participant with consent,
records a step, two assessments and an exit, and sees the change chart and its table; axe-core
finds no serious or critical violation on any of these pages.

Elements are found by id and URL shape rather than by text, so the test holds whichever
language the translations are in."""

from __future__ import annotations

import re
import uuid

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in

DETAIL = re.compile(r".*/participants/[0-9a-f-]{36}/$")


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


class Checker:
    def __init__(self, page):
        self.page = page
        self.axe = Axe()
        self.failures: dict[str, list[str]] = {}

    def check(self, name: str) -> None:
        assert self.page.locator("h1").count() == 1, name
        found = _serious(self.axe.run(self.page))
        if found:
            self.failures[name] = found


def _submit(page):
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()


def _open_form(page, checker, href_end: str, name: str):
    page.locator(f"main a[href$='{href_end}']").first.click()
    page.wait_for_load_state()
    checker.check(name)


def _assess(page, checker, name: str, offset) -> None:
    _open_form(page, checker, "/assessments/new/", name)
    scales = page.locator(".field.scale")
    assert scales.count() == 9
    for i in range(scales.count()):
        scales.nth(i).locator("input[type=radio]").nth(offset(i)).check()
    _submit(page)
    page.wait_for_url(DETAIL)


def test_coach_records_a_pathway_and_sees_the_change(page, live_url):
    checker = Checker(page)
    log_in(page, live_url, "coach.abf")

    # the caseload, reached from the navigation
    response = page.goto(live_url + "/participants/")
    assert response.status == 200
    checker.check("caseload")

    # registration: first an empty form (errors next to fields, a summary on top), then a
    # complete one with consent
    page.locator("main a[href$='/participants/new/']").click()
    page.wait_for_load_state()
    checker.check("register")
    _submit(page)
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#id_participant_ref").get_attribute("aria-invalid") == "true"
    assert "id_participant_ref_error" in page.locator("#id_participant_ref").get_attribute(
        "aria-describedby"
    )
    checker.check("register with errors")
    reference = f"BT-{uuid.uuid4().hex[:8]}"
    page.locator("#id_participant_ref").fill(reference)
    page.locator("#id_given_name").fill("Bea")
    page.locator("#id_family_name").fill("Testsson")
    page.locator("#id_birth_date").fill("1995-04-12")
    page.locator("#id_gender").select_option("woman")
    page.locator("#id_lm_status_entry").select_option("unemployed")
    page.locator("#id_unemployed_months").fill("8")
    page.locator("#id_isced").select_option("3")
    for purpose in ("case_work", "statistics", "follow_up"):
        page.locator(f"input[name=purposes][value={purpose}]").check()
    _submit(page)
    page.wait_for_url(DETAIL)
    assert reference in page.locator("main").inner_text()
    checker.check("participant page")

    # a step
    _open_form(page, checker, "/steps/new/", "step form")
    page.locator("#id_phase").select_option("prepare")
    page.locator("#id_activity").fill("Cv-verkstad")
    page.locator("#id_hours").fill("6")
    _submit(page)
    page.wait_for_url(DETAIL)
    assert "Cv-verkstad" in page.locator("ol.timeline").inner_text()

    # the other forms pass axe too
    for href_end, name in [
        ("/events/new/", "event form"),
        ("/goals/new/", "goal form"),
        ("/edit/", "edit form"),
        ("/consent/new/", "consent form"),
    ]:
        _open_form(page, checker, href_end, name)
        page.go_back()
        page.wait_for_url(DETAIL)

    # two assessments
    _assess(page, checker, "assessment form", lambda i: 2)
    _assess(page, checker, "second assessment", lambda i: 2 + i % 4)

    # the exit (which schedules the follow-up)
    _open_form(page, checker, "/exit/", "exit form")
    page.locator("#id_reason").select_option("education")
    page.locator("#id_in_education").select_option("true")
    _submit(page)
    page.wait_for_url(DETAIL)
    assert page.locator("ol.timeline li.kind-exit").count() == 1
    assert page.locator("ol.timeline li.kind-followup").count() == 1

    # the change chart and its table
    chart = page.locator("figure.chart svg[role=img]")
    assert chart.is_visible()
    assert chart.get_attribute("aria-labelledby") == "progress-caption"
    assert page.locator("#progress-caption").inner_text().strip() != ""
    assert chart.locator("circle").count() == 18
    rows = page.locator("#progress-table tbody tr")
    assert rows.count() == 9
    cells = rows.nth(1).locator("td")
    assert [cells.nth(i).inner_text() for i in range(3)] == ["3", "4", "+1"]
    checker.check("participant page with the change")

    # the follow-up form
    _open_form(page, checker, "/follow-up/", "follow-up form")

    assert checker.failures == {}
