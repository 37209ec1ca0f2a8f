"""The innovation pipeline and the skills pages in a real browser: axe finds no serious or
critical violation, and an idea is moved to the next stage with the keyboard alone."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in

PAGES = [
    "/innovation/",
    "/innovation/ideas/",
    "/innovation/ideas/?stage=scaled",
    "/skills/",
    "/skills/?area=MI",
    "/skills/gap/",
    "/skills/needs/",
    "/skills/courses/",
    "/skills/profile/",
    "/skills/registrations/",
]


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_innovation_and_skills_pages_pass_axe(page, live_url):
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
    assert not failures


def test_an_idea_moves_to_designed_by_keyboard(page, live_url):
    log_in(page, live_url, "coordinator.abf")
    page.goto(live_url + "/innovation/")
    link = page.get_by_role("link", name="Jobbsök i föreningslokalen")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/innovation/ideas/*/")
    form = page.locator("#move-designed")
    # tick every criterion with the space bar, choose a method version with the arrow keys
    for box in form.get_by_role("checkbox").all():
        box.focus()
        page.keyboard.press("Space")
    form.get_by_label("Utkast till metodversion").focus()
    page.keyboard.press("ArrowDown")
    form.get_by_role("button", name="Flytta idén").focus()
    # wait for the answer to the post, not for the page already loaded (a race on a busy machine)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#stage")).to_contain_text("Utformad")
    expect(page.locator("#moves tbody tr")).to_have_count(1)
