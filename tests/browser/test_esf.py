"""ESF projects in a real browser against the demo: a coordinator opens the project of their
test bed, sees the twelve sent months with the correction that needs two months re-sent, opens
the months, the participants and the template; axe-core finds no serious or critical violation
in Swedish or in English; a coach is refused."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in

PROJECT = re.compile(r".*/esf/[0-9a-f-]{36}/$")


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_coordinator_follows_the_monthly_report_and_the_pages_are_accessible(page, live_url):
    axe = Axe()
    failures: dict[str, list[str]] = {}

    def check(name: str) -> None:
        assert page.locator("h1").count() == 1, name
        found = _serious(axe.run(page))
        if found:
            failures[name] = found

    log_in(page, live_url, "coordinator.abf")
    for language in ("sv", "en"):
        if language == "en":
            page.locator("form.language button[value=en]").click()
            page.wait_for_load_state()
        page.goto(f"{live_url}/esf/")
        check(f"list-{language}")
        assert page.locator("main table tbody tr").count() == 1  # only ABF's own project
        page.locator("main table a").first.click()
        page.wait_for_url(PROJECT)
        check(f"project-{language}")
        project_url = page.url
        project_path = project_url.removeprefix(live_url)
        # the correction: September to correct, October to re-send
        corrections = page.locator("section[aria-labelledby=corrections]")
        assert corrections.count() == 1
        links = corrections.locator("li a")
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            f"{project_path}months/2026-09/",
            f"{project_path}months/2026-10/",
        ]
        page.goto(f"{project_url}months/2026-09/")
        check(f"month-{language}")
        assert page.locator("main table[aria-labelledby=rows] tbody tr").count() >= 1
        page.goto(f"{project_url}months/2026-11/")
        check(f"open-month-{language}")
        assert page.locator("section.error-summary").count() == 1  # no identity numbers in demo
        page.goto(f"{project_url}participants/")
        check(f"participants-{language}")
        page.goto(f"{project_url}template/")
        check(f"template-{language}")
    assert failures == {}


def test_coach_is_refused(page, live_url):
    log_in(page, live_url, "coach.abf")
    response = page.goto(f"{live_url}/esf/")
    assert response is not None and response.status == 403
