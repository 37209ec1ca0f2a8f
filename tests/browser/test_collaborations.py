"""The acceptance walk of the collaboration registry in a real browser: a coordinator registers
a collaboration with a municipality and an employer, attaches a letter of intent, and finds it
in the network view and its table; the pages pass axe."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from emplus.collaborations.letters import simple_pdf
from tests.browser.conftest import log_in

TITLE = "Praktik i Umeå med Bageriet (webbläsartest)"


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_coordinator_registers_attaches_and_finds_it_in_the_network(page, live_url):
    log_in(page, live_url, "coordinator.abf")
    page.goto(f"{live_url}/collaborations/")
    page.get_by_role("link", name="Registrera en samverkan").click()
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_kind").select_option("letter_of_intent")
    page.locator("#id_municipalities").select_option(label="Umeå")
    page.locator("#id_starts_on").fill("2026-01-15")
    page.locator("#id_party-0-organisation").select_option(label="Umeå kommun")
    page.locator("#id_party-0-role").select_option("partner")
    page.locator("#id_party-1-employer").select_option(index=1)  # an employer of ABF's register
    employer = page.locator("#id_party-1-employer option:checked").inner_text()
    page.locator("#id_party-1-role").select_option("host")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0, page.locator(
        ".error-summary"
    ).all_inner_texts()
    page.get_by_role("heading", level=1, name=TITLE).wait_for()

    # a wrong file is refused with a message, the letter of intent is attached
    page.locator("#id_file").set_input_files(
        files=[{"name": "brev.pdf", "mimeType": "application/pdf", "buffer": b"<html>no</html>"}]
    )
    page.get_by_role("button", name="Bifoga").click()
    assert page.get_by_text("Filens innehåll är inte vad namnet säger").first.is_visible()
    page.locator("#id_kind").select_option("letter_of_intent")
    page.locator("#id_file").set_input_files(
        files=[
            {
                "name": "avsiktsforklaring.pdf",
                "mimeType": "application/pdf",
                "buffer": simple_pdf(["Avsiktsförklaring", TITLE]),
            }
        ]
    )
    page.get_by_role("button", name="Bifoga").click()
    assert page.get_by_role("link", name="avsiktsforklaring.pdf").is_visible()
    assert not _serious(Axe().run(page))

    # the register and the network, filtered to the county
    page.goto(f"{live_url}/collaborations/?county=24&q=webbläsartest")
    assert page.get_by_role("link", name=TITLE).is_visible()
    page.get_by_role("link", name="Nätverk: vem samverkar med vem").click()
    assert page.locator("figure.network svg[role=img]").is_visible()
    links = page.locator("table").last
    assert links.get_by_text("Umeå kommun").first.is_visible()
    assert links.get_by_text(employer.strip()).first.is_visible()
    assert not _serious(Axe().run(page))
