"""Files cannot take the server down: every CSV/XLSX reader is bounded before and while parsing
(`core.tabular`): size, the XLSX container and declared dimension, rows, columns and time."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from emplus.core.tabular import (
    LOCAL_LIMITS,
    UPLOAD_LIMITS,
    TableTooLarge,
    TabularLimits,
    inspect_xlsx,
    iter_xlsx_rows,
    xlsx_frame,
)
from emplus.evidence_core.effects import EffectInputError, read_table
from emplus.evidence_core.participant_file import read_participant_file

AS_OF = date(2025, 6, 30)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
    'formats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxml'
    'formats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def crafted_xlsx(
    dimension: str | None = "A1:XFD1048576", far_row: int | None = 1_048_576, extra=None
) -> bytes:
    """A tiny, valid workbook that declares (and reaches) Excel's whole sheet: openpyxl pads
    every one of its million rows to 16 384 cells."""
    rows = '<row r="1">' + _cell("A1", "participant_ref") + "</row>"
    rows += '<row r="2">' + _cell("A2", "P1") + "</row>"
    if far_row:
        rows += f'<row r="{far_row}">' + _cell(f"A{far_row}", "x") + "</row>"
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://'
        'schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{rows}</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _PACKAGE_RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def workbook(rows: list[list]) -> bytes:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the crafted workbook -------------------------------------------------------------------


def test_a_2_kb_workbook_declaring_a_million_rows_is_refused_at_once():
    # given
    bomb = crafted_xlsx()
    assert len(bomb) < 2048
    # when
    started = time.monotonic()
    parsed = read_participant_file(bomb, as_of=AS_OF, limits=UPLOAD_LIMITS)
    elapsed = time.monotonic() - started
    # then
    assert parsed.refusal is not None and parsed.refusal.kind == "declared_rows"
    assert parsed.refusal.found == 1_048_576 and parsed.refusal.limit == 200_000
    assert [str(e) for e in parsed.errors] == [
        "the workbook declares 1,048,576 rows; at most 200,000 data rows are accepted"
    ]
    assert elapsed < 1


_PROBE = textwrap.dedent(
    """
    import io, json, resource, sys, time
    from datetime import date
    import openpyxl, polars  # imported before the limit: only parsing is measured
    from emplus.core.tabular import UPLOAD_LIMITS
    from emplus.evidence_core.participant_file import read_participant_file

    mode, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    status = open("/proc/self/status").read().splitlines()
    size = next(int(x.split()[1]) * 1024 for x in status if x.startswith("VmSize"))
    # At most 256 MB more address space than the interpreter with its libraries holds now.
    resource.setrlimit(resource.RLIMIT_AS, (size + 256 * 2**20, resource.RLIM_INFINITY))
    started = time.monotonic()
    if mode == "guarded":
        parsed = read_participant_file(data, as_of=date(2025, 6, 30), limits=UPLOAD_LIMITS)
        kind = parsed.refusal.kind if parsed.refusal else None
        print(json.dumps({"kind": kind, "seconds": time.monotonic() - started}))
    else:  # what the reader did before: every row of the sheet, as openpyxl gives it
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        print(json.dumps({"rows": len(rows)}))
    """
)


def _probe(mode: str, path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _PROBE, mode, str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_crafted_workbook_is_refused_within_a_second_under_a_memory_limit(tmp_path):
    # given the crafted workbook and a process allowed 256 MB more address space than it holds
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(crafted_xlsx())
    # when
    done = _probe("guarded", path, timeout=120)
    # then
    assert done.returncode == 0, done.stderr[-2000:]
    outcome = json.loads(done.stdout)
    assert outcome["kind"] == "declared_rows"
    assert outcome["seconds"] < 1


def test_without_the_bounds_the_same_workbook_exhausts_that_memory_limit(tmp_path):
    # given (the control: the workbook is really dangerous)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(crafted_xlsx())
    # when
    try:
        done = _probe("unguarded", path, timeout=60)
    except subprocess.TimeoutExpired:
        return  # it did not finish in a minute: dangerous enough
    # then
    assert done.returncode != 0
    assert "MemoryError" in done.stderr


def test_a_workbook_without_a_dimension_is_cut_at_the_row_limit_not_padded_out():
    # given the same far row, but no declared dimension to check first
    bomb = crafted_xlsx(dimension=None)
    limits = TabularLimits(max_rows=1_000)
    # when
    started = time.monotonic()
    with pytest.raises(TableTooLarge) as refused:
        list(iter_xlsx_rows(bomb, limits))
    # then
    assert refused.value.kind == "rows"
    assert time.monotonic() - started < 1


def test_declared_columns_over_the_limit_are_refused():
    with pytest.raises(TableTooLarge) as refused:
        inspect_xlsx(crafted_xlsx(dimension="A1:ZZ10", far_row=None), UPLOAD_LIMITS)
    assert (refused.value.kind, refused.value.found, refused.value.limit) == (
        "declared_columns",
        702,
        200,
    )


def test_a_highly_compressed_part_is_refused_before_openpyxl_opens_it():
    # given 8 MB of shared strings that compress to a few kilobytes
    bloated = {"xl/sharedStrings.xml": " " * (8 * 1024 * 1024)}
    bomb = crafted_xlsx(dimension="A1:A2", far_row=None, extra=bloated)
    # when / then
    with pytest.raises(TableTooLarge) as refused:
        inspect_xlsx(bomb, UPLOAD_LIMITS)
    assert refused.value.kind == "ratio"
    with pytest.raises(TableTooLarge) as refused:
        inspect_xlsx(bomb, TabularLimits(max_uncompressed_bytes=1024 * 1024))
    assert refused.value.kind == "uncompressed"


def test_too_many_parts_are_refused():
    extra = {f"xl/media/x{i}.xml": "<x/>" for i in range(20)}
    with pytest.raises(TableTooLarge) as refused:
        inspect_xlsx(crafted_xlsx(far_row=None, extra=extra), TabularLimits(max_zip_entries=10))
    assert refused.value.kind == "entries"


def test_parsing_stops_when_the_time_is_spent():
    # given 3 000 rows and no time at all
    data = workbook([["participant_ref"]] + [[f"P{i}"] for i in range(3_000)])
    # when / then
    with pytest.raises(TableTooLarge) as refused:
        list(iter_xlsx_rows(data, TabularLimits(max_seconds=0)))
    assert refused.value.kind == "seconds"


def test_an_ordinary_workbook_within_the_limits_reads_whole():
    data = workbook([["participant_ref", "n"], ["P1", 1], ["P2", -2]])
    rows = list(iter_xlsx_rows(data, UPLOAD_LIMITS))
    assert rows == [("participant_ref", "n"), ("P1", 1), ("P2", -2)]
    frame = xlsx_frame(data, UPLOAD_LIMITS)
    assert frame.to_dicts() == [
        {"participant_ref": "P1", "n": 1},
        {"participant_ref": "P2", "n": -2},
    ]


def test_exactly_the_row_limit_is_accepted_and_one_more_refused():
    limits = TabularLimits(max_rows=3)
    header = ["participant_ref", "organisation", "entry_date"]
    three = [header] + [[f"P{i}", "ABF", "2025-01-01"] for i in range(3)]
    assert read_participant_file(workbook(three), as_of=AS_OF, limits=limits).ok
    four = [*three, ["P9", "ABF", "2025-01-01"]]
    refused = read_participant_file(workbook(four), as_of=AS_OF, limits=limits).refusal
    assert refused is not None and refused.kind == "declared_rows"  # seen before any row


# --- CSV ----------------------------------------------------------------------------------------


def _csv(rows: int, columns: int = 3) -> bytes:
    header = ["participant_ref", "organisation", "entry_date"] + [
        f"extra{i}" for i in range(columns - 3)
    ]
    lines = [",".join(header)] + [
        ",".join([f"P{i}", "ABF", "2025-01-01"] + [""] * (columns - 3)) for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_an_oversized_csv_is_refused_before_it_is_parsed():
    # given a CSV one byte over the limit
    data = _csv(50)
    limits = TabularLimits(max_bytes=len(data) - 1)
    # when
    started = time.monotonic()
    parsed = read_participant_file(data, as_of=AS_OF, limits=limits)
    # then
    assert parsed.refusal is not None and parsed.refusal.kind == "bytes"
    assert time.monotonic() - started < 1


def test_csv_rows_and_columns_are_bounded():
    limits = TabularLimits(max_rows=10, max_columns=5)
    assert read_participant_file(_csv(10), as_of=AS_OF, limits=limits).ok
    assert read_participant_file(_csv(11), as_of=AS_OF, limits=limits).refusal.kind == "rows"
    wide = read_participant_file(_csv(2, columns=6), as_of=AS_OF, limits=limits)
    assert (wide.refusal.kind, wide.refusal.found) == ("columns", 6)


def test_local_files_keep_no_row_limit_but_the_structural_checks():
    # an operator's own million-row file is a normal input on the command line ...
    assert LOCAL_LIMITS.max_rows is None and LOCAL_LIMITS.max_bytes is None
    # ... yet the crafted workbook is still not padded out
    parsed = read_participant_file(crafted_xlsx(), as_of=AS_OF)
    assert parsed.refusal is not None and parsed.refusal.kind == "declared_columns"


def test_effect_command_tables_are_bounded_too(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(crafted_xlsx())
    with pytest.raises(EffectInputError, match="declares 16,384 columns"):
        read_table(path)
    wide = tmp_path / "t.csv"
    wide.write_text("a,b,c\n1,2,3\n4,5,6\n")
    with pytest.raises(EffectInputError, match="more than 1 data rows"):
        read_table(wide, TabularLimits(max_rows=1))


# --- every reader -------------------------------------------------------------------------------

_READERS = re.compile(
    r"load_workbook\(|read_excel\(|read_csv\(|scan_csv\(|csv\.reader\(|csv\.DictReader\("
)
# Readers of files the platform itself ships or writes, never of an upload.
_NOT_UPLOADS = {
    "evidence_core/reference.py": "the packaged reference data",
    "evidence_core/ssyk.py": "the packaged SSYK 2012 groups",
    "organisations/reference.py": "the packaged partner register",
    "core/frames.py": "parses the CSV PostgreSQL itself writes (decisions 39 and 48)",
    "mapping/hsds.py": "validates an HSDS package the platform wrote (command line)",
    "methods/services.py": "the packaged thematic areas (methods/data/thematic_areas.csv)",
    "pathways/progress_data.py": "parses the progress summary it read from the database (0047)",
}


def test_every_table_reader_is_bounded_by_core_tabular():
    """A module that parses CSV or XLSX must use `core.tabular` (or be listed above with the
    reason it never reads an upload)."""
    src = Path(__file__).resolve().parents[2] / "src" / "emplus"
    offenders = []
    for path in sorted(src.rglob("*.py")):
        name = path.relative_to(src).as_posix()
        text = path.read_text(encoding="utf-8")
        if name == "core/tabular.py" or name in _NOT_UPLOADS or not _READERS.search(text):
            continue
        if "core.tabular" not in text:
            offenders.append(name)
    assert offenders == []
