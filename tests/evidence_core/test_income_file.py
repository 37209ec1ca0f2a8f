"""The income file: every row and column named, refused whole on any error."""

from __future__ import annotations

from emplus.evidence_core.income_file import read_income_file
from emplus.evidence_core.income_stability import Month

SOURCES = {"employment", "benefits"}


def test_a_good_file_is_read():
    text = (
        b"Participant_ref;Month;Source;Amount\n"
        b"P1;2025-01;employment;16 000\n"
        b"P1;2025-01-31;benefits;2000\n"
        b";;;\n"
        b"P2;2025-02;employment;0\n"
    )
    result = read_income_file(text.replace(b";", b","), sources=SOURCES)
    assert result.ok
    assert [(r.row, r.participant_ref, r.month, r.source, r.amount) for r in result.rows] == [
        (2, "P1", Month(2025, 1), "employment", 16000),
        (3, "P1", Month(2025, 1), "benefits", 2000),
        (5, "P2", Month(2025, 2), "employment", 0),
    ]


def test_every_error_is_named_and_nothing_is_kept():
    text = (
        b"participant_ref,month,source,amount\n"
        b"P1,2025-13,employment,100\n"
        b",2025-01,lottery,-5\n"
        b"P2,2025-01,employment,12.5\n"
        b"P3,2025-01,employment,100\n"
        b"P3,2025-01,employment,200\n"
    )
    result = read_income_file(text, sources=SOURCES)
    assert result.rows == ()
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "month"),
        (3, "participant_ref"),
        (3, "source"),
        (3, "amount"),
        (4, "amount"),
        (6, "month"),
    ]
    assert str(result.errors[-1]).endswith("as row 5")


def test_missing_columns_and_empty_files():
    result = read_income_file(b"participant_ref,amount\nP1,5\n", sources=SOURCES)
    assert [str(e) for e in result.errors] == [
        "the column month is missing",
        "the column source is missing",
    ]
    assert not read_income_file(b"participant_ref,month,source,amount\n", sources=SOURCES).ok
