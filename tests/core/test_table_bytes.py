"""One writer for whole tables: CSV with a byte-order mark and inert formulas, or XLSX."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from emplus.core.export_cells import table_bytes


def test_csv_has_a_bom_iso_dates_and_inert_formulas():
    data = table_bytes(["ref", "on", "n"], [["=1+1", date(2025, 1, 2), -5]], file_format="csv")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["ref,on,n", "'=1+1,2025-01-02,-5"]


def test_xlsx_keeps_text_as_text():
    data = table_bytes(["ref"], [["=HYPERLINK(1)"]], file_format="xlsx", sheet_name="a" * 40)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "a" * 31
    assert sheet["A2"].value == "=HYPERLINK(1)" and sheet["A2"].data_type == "s"


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        table_bytes(["a"], [], file_format="ods")
