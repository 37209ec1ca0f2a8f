"""Self-service links and work without a connection, in a real browser.

- A coach creates a link; a phone-sized second browser without log-in fills in the
  self-assessment (partly by keyboard); the coach sees it on the participant's page; the link
  then refuses a second use. axe-core finds no serious or critical violation on the
  participant's pages in Swedish and English, nor on the coach's new pages.
- With the network off, an assessment entered in the browser is queued, listed as waiting,
  and saved exactly once when the network returns; the same for a form opened while offline
  (the service worker shows its shell).
- A conflict stays in the queue with a choice; logging out deletes the queue and the caches."""

from __future__ import annotations

import re
import time

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in

DETAIL = re.compile(r".*/participants/[0-9a-f-]{36}/$")
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
# Generous: the machines that run these tests are shared and often busy.
TIMEOUT = 60_000


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


class Checker:
    def __init__(self):
        self.axe = Axe()
        self.failures: dict[str, list[str]] = {}

    def check(self, page, name: str) -> None:
        assert page.locator("h1").count() == 1, name
        found = _serious(self.axe.run(page))
        if found:
            self.failures[name] = found


def _open_participant(page, live_url) -> str:
    """An active participant of the coach's caseload; returns the participant page's URL."""
    page.goto(live_url + "/participants/?status=active")
    page.locator("main table tbody th a").first.click()
    page.wait_for_url(DETAIL)
    return page.url


def _assessments(page, detail_url) -> int:
    page.goto(detail_url)
    return page.locator("ol.timeline li.kind-assessment").count()


def _fill_scale(page, offset) -> None:
    scales = page.locator(".field.scale")
    for i in range(scales.count()):
        scales.nth(i).locator("input[type=radio]").nth(offset(i)).check()


def _until(page, expression: str, timeout_ms: int = TIMEOUT) -> None:
    """Poll an expression through the driver (page.wait_for_function evaluates strings inside
    the page, which the Content Security Policy forbids: no 'unsafe-eval')."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        time.sleep(0.25)


def _wait_for_worker(page) -> None:
    """Until the service worker is active (its shells kept) and controls this page."""
    _until(
        page,
        "() => navigator.serviceWorker.getRegistration().then(r => Boolean(r && r.active))",
        timeout_ms=2 * TIMEOUT,
    )
    if not page.evaluate("() => Boolean(navigator.serviceWorker.controller)"):
        page.reload()  # a page loaded before the worker was active is controlled after a reload
    _until(page, "() => Boolean(navigator.serviceWorker.controller)")


def _waiting(page) -> int:
    return page.evaluate("window.emplusOffline.entries().then(e => e.length)")


def test_participant_fills_in_a_link_on_a_phone_and_the_coach_sees_it(browser, page, live_url):
    checker = Checker()
    page.set_default_timeout(TIMEOUT)
    log_in(page, live_url, "coach.abf")
    detail = _open_participant(page, live_url)
    before = _assessments(page, detail)

    # the coach creates a link and sees its address and QR code
    page.locator("main a[href$='/links/']").first.click()
    page.wait_for_load_state()
    checker.check(page, "links page")
    page.locator("#id_valid_days").fill("3")
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/selfservice/links/[0-9a-f-]{36}/$"))
    assert page.locator(".qr svg").is_visible()
    checker.check(page, "link hand-out")
    url = page.locator("#link-url").inner_text().strip()
    assert re.match(r"^http://127\.0\.0\.1:\d+/s/[A-Za-z0-9_-]{32}/$", url)

    # a second browser, phone-sized, without logging in
    phone_context = browser.new_context(locale="sv-SE", **PHONE)
    phone = phone_context.new_page()
    phone.set_default_timeout(TIMEOUT)
    try:
        assert phone.goto(url).status == 200
        assert phone.locator("html").get_attribute("lang") == "sv"
        assert phone.locator("h1").inner_text() == "Din självskattning"
        assert "från 1 till 10" in phone.locator("main").inner_text()
        checker.check(phone, "participant page (sv)")
        # English on request, and back
        phone.get_by_role("button", name="English").click()
        phone.wait_for_load_state()
        assert phone.locator("html").get_attribute("lang") == "en"
        assert phone.locator("h1").inner_text() == "Your self-assessment"
        checker.check(phone, "participant page (en)")
        # sending with answers missing points at them
        phone.get_by_role("button", name="Send my answers").click()
        phone.wait_for_load_state()
        assert phone.locator(".error-summary").is_visible()
        checker.check(phone, "participant page with errors (en)")
        # answer: the first question by keyboard, the rest by touch
        questions = phone.locator("fieldset.question")
        assert questions.count() == 9
        first = questions.nth(0).locator("input[type=radio]").nth(0)
        first.focus()
        phone.keyboard.press("ArrowRight")
        phone.keyboard.press("ArrowRight")
        assert questions.nth(0).locator("input[type=radio]").nth(2).is_checked()
        for i in range(1, 9):
            questions.nth(i).locator("label.option").nth(4 + i % 3).tap()
        phone.get_by_role("button", name="Send my answers").click()
        phone.wait_for_load_state()
        assert phone.locator("h1").inner_text() == "Thank you!"
        checker.check(phone, "thank-you page (en)")

        # the coach sees the participant's own assessment on the pathway page
        assert _assessments(page, detail) == before + 1
        timeline = page.locator("ol.timeline").first.inner_text()
        assert "ifylld av deltagaren" in timeline

        # the link refuses a second use, kindly
        response = phone.goto(url)
        assert response.status == 410
        assert "already been used" in phone.locator("h1").inner_text()
        checker.check(phone, "used link (en)")
        phone.get_by_role("button", name="Svenska").click()
        phone.wait_for_load_state()
        assert "redan använts" in phone.locator("h1").inner_text()
        checker.check(phone, "used link (sv)")
    finally:
        phone_context.close()

    # the coach's time pages pass axe too
    page.goto(live_url + "/selfservice/time/")
    checker.check(page, "attested time overview")
    page.locator("main table tbody th a").first.click()
    page.wait_for_load_state()
    checker.check(page, "month page")
    assert checker.failures == {}


def test_an_assessment_entered_offline_is_saved_once_when_the_network_returns(browser, live_url):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        log_in(page, live_url, "coach2.abf")
        detail = _open_participant(page, live_url)
        before = _assessments(page, detail)
        _wait_for_worker(page)

        # the form is open when the connection drops
        page.locator("main a[href$='/assessments/new/']").first.click()
        page.wait_for_load_state()
        form_url = page.url
        context.set_offline(True)
        _fill_scale(page, lambda i: 3)
        page.locator("main form.form button[type=submit]").click()
        status = page.locator("main [data-offline-status]")
        status.wait_for(state="visible")
        assert "Sparat på den här enheten" in status.inner_text()
        assert _waiting(page) == 1
        banner = page.locator("#offline-status")
        assert banner.is_visible() and "1 post väntar" in banner.inner_text()

        # while offline, the form's address shows its shell (no participant data), which
        # also queues; and the list of waiting entries can be opened
        page.goto(form_url)
        assert page.locator("main .notice-box").first.is_visible()
        _fill_scale(page, lambda i: 5)
        # another day than the first entry (the same day would be a likely duplicate)
        page.locator("#id_assessed_on").fill(
            page.evaluate("new Date(Date.now() - 864e5).toISOString().slice(0, 10)")
        )
        page.locator("main form[data-offline-only] button[type=submit]").click()
        _until(page, "() => window.emplusOffline.entries().then(e => e.length === 2)")
        page.goto(live_url + "/selfservice/offline/")
        _until(page, "() => document.querySelectorAll('[data-outbox-list] tbody tr').length === 2")

        # the network returns: both are sent, once
        answers = []  # the server's answers, to tell a replay from a save if this fails
        page.on(
            "response",
            lambda r: answers.append(r.status) if "offline-entries" in r.url else None,
        )
        context.set_offline(False)
        _until(page, "() => window.emplusOffline.entries().then(e => e.length === 0)")
        pid = detail.rstrip("/").rsplit("/", 1)[-1]
        listed = page.request.get(f"{live_url}/api/assessments/?participant={pid}").json()
        assert _assessments(page, detail) == before + 2, (answers, listed)
        # sending again (another flush, a reload) saves nothing more
        page.evaluate("window.emplusOffline.flush()")
        page.reload()
        assert _assessments(page, detail) == before + 2
    finally:
        context.close()


def test_a_conflict_waits_for_a_choice_and_log_out_clears_the_queue(browser, live_url):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    try:
        log_in(page, live_url, "coach.abf")
        detail = _open_participant(page, live_url)
        _wait_for_worker(page)

        def record_event(offline: bool) -> None:
            page.goto(detail)
            page.locator("main a[href$='/events/new/']").first.click()
            page.wait_for_load_state()
            if offline:
                context.set_offline(True)
            page.locator("#id_kind").select_option("qualification")
            page.locator("#id_occurred_on").fill("2026-11-20")
            page.locator("main form.form button[type=submit]").click()

        record_event(offline=False)
        page.wait_for_url(DETAIL)
        events = page.locator("ol.timeline li.kind-event").count()
        # the same event again, offline: on return it is a likely duplicate, kept for a choice
        record_event(offline=True)
        page.locator("main [data-offline-status]").wait_for(state="visible")
        context.set_offline(False)
        _until(
            page,
            "() => window.emplusOffline.entries()"
            ".then(e => e.length === 1 && e[0].state === 'conflict')",
        )
        page.goto(live_url + "/selfservice/offline/")
        row = page.locator("[data-outbox-list] tbody tr")
        row.wait_for()
        assert row.count() == 1 and "Konflikt" in row.inner_text()
        assert row.get_by_role("button", name="Spara ändå").is_visible()
        page.goto(detail)
        assert page.locator("ol.timeline li.kind-event").count() == events  # not overwritten

        # log-out warns, then deletes the queue and the caches
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("form[data-logout] button").click()
        page.wait_for_url(re.compile(r".*/accounts/login/.*"))
        left = page.evaluate(
            """async () => ({
                databases: (await indexedDB.databases()).map(d => d.name),
                caches: await caches.keys(),
                workers: (await navigator.serviceWorker.getRegistrations()).length,
            })"""
        )
        assert "emplus-offline" not in left["databases"]
        assert left["caches"] == [] and left["workers"] == 0
    finally:
        context.close()


def test_hours_and_an_attestation_entered_offline_are_saved_once(browser, live_url):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    phone_context = browser.new_context(locale="sv-SE", **PHONE)
    phone = phone_context.new_page()
    phone.set_default_timeout(TIMEOUT)
    try:
        log_in(page, live_url, "coach2.abf")
        _open_participant(page, live_url)
        page.locator("main a[href$='/time/']").first.click()
        page.wait_for_load_state()
        page.locator("main table tbody th a").first.click()  # the newest month
        page.wait_for_load_state()
        month_url = page.url
        _wait_for_worker(page)

        # the coach sets the month's hours without a connection
        context.set_offline(True)
        page.locator("#id_hours").fill("7,5")
        page.locator("form[data-offline=time_hours] button[type=submit]").click()
        _until(page, "() => window.emplusOffline.entries().then(e => e.length === 1)")
        context.set_offline(False)
        _until(page, "() => window.emplusOffline.entries().then(e => e.length === 0)")
        page.goto(month_url)
        assert "7,5" in page.locator("main dl.facts").inner_text()

        # a link for attesting the month; the participant attests on a phone that goes offline
        page.locator("form[action$='/link/'] button[type=submit]").click()
        page.wait_for_url(re.compile(r".*/selfservice/links/[0-9a-f-]{36}/$"))
        url = page.locator("#link-url").inner_text().strip()
        assert phone.goto(url).status == 200
        assert "7,5 timmar" in phone.locator("main").inner_text()
        phone_context.set_offline(True)
        phone.locator("#id_confirm").check()
        phone.get_by_role("button", name="Intyga").click()
        status = phone.locator("[data-offline-status]")
        status.wait_for(state="visible")
        assert "sparade i telefonen" in status.inner_text()
        phone_context.set_offline(False)
        _until(phone, "() => window.emplusOffline.entries().then(e => e.length === 0)")
        assert "Tack" in status.inner_text()

        # the coach sees the month attested, once
        page.goto(month_url)
        assert "Intygad" in page.locator("main dl.facts").inner_text()
        assert page.locator("main table tbody tr").first.inner_text().count("7,5") == 1
    finally:
        phone_context.close()
        context.close()
