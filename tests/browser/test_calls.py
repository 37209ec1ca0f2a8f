"""The partnership lead's walk in a real browser: open a call, see suggested partners with
their reasons, draft a consortium, add a partner, download the annex and read it; axe finds
no serious or critical violation on the way."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

from tests.browser.conftest import log_in


def _serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_lead_drafts_a_consortium_and_reads_its_annex(page, live_url):
    axe = Axe()
    log_in(page, live_url, "coordinator.abf")
    page.goto(live_url + "/calls/")
    assert _serious(axe.run(page)) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner de öppna utlysningarna (CSV)").click()
    listed = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Unga som varken arbetar eller studerar – idéburna metoder" in listed
    page.get_by_role(
        "link", name="Unga som varken arbetar eller studerar – idéburna metoder"
    ).click()
    page.get_by_role("link", name="Föreslagna partner och konsortier").click()
    table = page.locator("#suggestions")
    assert table.locator("tbody tr").count() >= 2
    assert "evidens" in page.content() or table.locator("td").count() > 0
    assert _serious(axe.run(page)) == []
    lead = page.get_by_label("Huvudorganisation")
    assert lead.input_value() != ""  # the lead's only organisation is chosen already
    page.get_by_label("Titel").fill("Unga vägar 2027")
    page.get_by_role("button", name="Starta konsortiet").click()
    page.wait_for_url("**/calls/consortia/**")
    page.locator("#id_partner-organisation").select_option(label="Rädda Barnen")
    page.locator("#id_partner-role").select_option("partner")
    page.locator("#id_partner-role_description").fill("Uppsökande arbete")
    page.locator("#id_partner-budget_share").fill("35")
    page.get_by_role("button", name="Lägg till partnern").click()
    assert page.locator("#partners ~ table").first.get_by_text("Rädda Barnen").count() >= 1
    assert page.get_by_role("cell", name="Partner tillagd").count() >= 2
    assert _serious(axe.run(page)) == []
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF på svenska").click()
    path = Path(download.value.path())
    text = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert "Unga vägar 2027" in text and "Rädda Barnen" in text and "Uppsökande arbete" in text
    assert "Karta:" in text and any(p.images for p in PdfReader(path).pages)  # the presence map
