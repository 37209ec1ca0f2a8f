"""The check of a participant file in a real browser: a coach uploads a file with many errors
and reads them in Swedish, summed up by column and kind beside the first ones listed, downloads
them all as a table for Excel, on a page
that axe-core finds no serious or critical violation on (decision 0082)."""

from __future__ import annotations

import openpyxl
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in

HEADER = (
    "participant_ref;organisation;birth_date;gender;municipality_code;entry_date;"
    "lm_status_entry;unemployed_months;isced"
)


def test_a_file_with_many_errors_is_summed_up_in_swedish(page, live_url, tmp_path):
    # given a file of 250 rows, each with an impossible entry date
    rows = [f"BAD{i};ABF;1990-05-01;kvinna;0180;2025-02-30;unemployed;3;3" for i in range(250)]
    data = tmp_path / "deltagare.csv"
    data.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    log_in(page, live_url, "coach.abf")
    page.goto(live_url + "/participants/import/")
    # when the coach checks it (the legal basis keeps its defaults)
    page.locator("#import-file").set_input_files(str(data))
    page.locator("#import-file").press("Tab")
    page.get_by_role("button", name="Kontrollera filen").click()
    page.wait_for_load_state()
    # then the summary counts every error of the column, in Swedish
    summary = page.get_by_role("table", name="Fel per kolumn och slag")
    assert summary.locator("tbody tr").count() == 1
    assert summary.locator("tbody td").all_inner_texts() == [
        "entry_date",
        "250",
        "2",
        "Inte ett datum i formen ÅÅÅÅ-MM-DD, hittade '2025-02-30'.",
    ]
    # and the first 200 are listed, with a sentence for the rest
    listed = page.get_by_role("table", name="Fel i filen")
    assert listed.locator("tbody tr").count() == 200
    assert page.get_by_text("De första 200 felen visas; 50 till visas inte.").is_visible()
    # and every error downloads as a table for Excel
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner felen (XLSX)").click()
    assert download.value.suggested_filename == "fel-deltagare.xlsx"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert sheet.max_row == 1 + 250
    assert [c.value for c in sheet[2]] == [
        2,
        "entry_date",
        listed.locator("tbody td").nth(2).inner_text(),
    ]
    serious = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
