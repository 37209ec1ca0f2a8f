"""The acceptance walk of issue 10 in a real browser, as a coach: record a placement and an
education enrolment for a participant and see them in the timeline; register an opportunity,
see the participants ranked with reasons, propose one (with consent to sharing proposals with
employers) and move the proposal to started. axe-core finds no serious or critical violation on
the new pages."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

from tests.browser.conftest import log_in
from tests.browser.test_pathway import Checker

DETAIL = re.compile(r".*/participants/[0-9a-f-]{36}/$")
OPPORTUNITY = re.compile(r".*/worklife/opportunities/[0-9a-f-]{36}/$")
PROPOSAL = re.compile(r".*/worklife/proposals/[0-9a-f-]{36}/$")


def _today() -> str:
    return dt.datetime.now(dt.UTC).astimezone(ZoneInfo("Europe/Stockholm")).date().isoformat()


def _submit(page):
    page.locator("main form.form button[type=submit]").click()
    page.wait_for_load_state()
    errors = page.locator(".error-summary")
    assert errors.count() == 0, errors.first.inner_text()


def _open(page, href_end: str):
    page.locator(f"main a[href$='{href_end}']").first.click()
    page.wait_for_load_state()


def test_coach_places_and_proposes_a_participant(page, live_url):
    checker = Checker(page)
    log_in(page, live_url, "coach.abf")
    today = _today()

    # a participant with consent that covers sharing proposals with employers
    page.goto(live_url + "/participants/new/")
    reference = f"BT-{uuid.uuid4().hex[:8]}"
    page.locator("#id_participant_ref").fill(reference)
    page.locator("#id_given_name").fill("Mira")
    page.locator("#id_family_name").fill("Matchsson")
    page.locator("#id_birth_date").fill("1994-02-03")
    page.locator("#id_gender").select_option("woman")
    page.locator("#id_municipality").select_option("2480")
    page.locator("#id_lm_status_entry").select_option("unemployed")
    page.locator("#id_unemployed_months").fill("8")
    page.locator("#id_isced").select_option("3")
    for purpose in ("case_work", "employer_proposals"):
        page.locator(f"input[name=purposes][value={purpose}]").check()
    _submit(page)
    page.wait_for_url(DETAIL)
    participant_url = page.url

    # a workplace placement and studies, both in the timeline
    _open(page, "/placements/new/")
    page.locator("#id_employer").select_option(index=1)
    employer = page.locator("#id_employer option:checked").inner_text()
    page.locator("#id_kind").select_option("study_visit")
    page.locator("#id_started_on").fill(today)
    _submit(page)
    page.goto(participant_url)
    _open(page, "/education/new/")
    page.locator("#id_provider_kind").select_option("folk_high_school")
    page.locator("#id_provider_name").fill("Folkhögskolan i Test")
    page.locator("#id_programme").fill("Allmän kurs BT")
    page.locator("#id_started_on").fill(today)
    page.locator("#id_planned_end").fill("2099-06-01")
    _submit(page)
    page.goto(participant_url)
    timeline = page.locator("ol.timeline").first.inner_text()
    assert employer.split(" (")[0] in timeline and "Allmän kurs BT" in timeline

    # the work profile for matching
    _open(page, "/work-profile/")
    checker.check("work profile")
    page.locator("#id_occupational_goals").fill("2611")
    page.locator("#id_hours_per_week").fill("40")
    _submit(page)

    # an opportunity in an occupation nobody else aims for
    page.goto(live_url + "/worklife/opportunities/")
    checker.check("opportunities")
    _open(page, "/worklife/opportunities/new/")
    page.locator("#id_employer").select_option(index=1)
    page.locator("#id_title").fill(f"Juristpraktik {reference}")
    page.locator("#id_kind").select_option("work_trial")
    page.locator("#id_ssyk_code").fill("2611")
    page.locator("#id_municipality").select_option("2480")
    page.locator("#id_hours_per_week").fill("30")
    _submit(page)
    page.wait_for_url(OPPORTUNITY)
    checker.check("opportunity")

    # ranked participants with reasons: ours first
    _open(page, "/participants/")
    checker.check("matching")
    first = page.locator("main table tbody tr").first
    assert reference in first.inner_text()
    assert first.locator("ul.reasons li").count() == 4
    first.get_by_role("button").click()
    page.wait_for_url(PROPOSAL)
    checker.check("proposal")

    # proposed → meeting → offered → started
    for status in ("meeting", "offered", "started"):
        page.locator("#id_status").select_option(status)
        page.locator("#id_occurred_on").fill(today)
        _submit(page)
        page.wait_for_url(PROPOSAL)
    assert page.locator("#id_status").count() == 0  # started is final
    assert page.locator("ol.timeline li").count() == 4

    page.goto(participant_url)
    assert f"Juristpraktik {reference}" in page.locator("main").inner_text()
    assert checker.failures == {}
