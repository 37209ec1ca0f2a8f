"""Reading participant files: formats, vocabularies, and every error of the spec by row/column."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from emplus.core.tabular import LOCAL_LIMITS
from emplus.evidence_core.participant_file import (
    COLUMNS,
    DATE_COLUMNS,
    ParticipantFileError,
    parse_participant_table,
    participant_schema,
    read_participant_file,
    read_raw_table,
)

AS_OF = date(2026, 6, 30)
BASE = {
    "participant_ref": "P1",
    "organisation": "ABF",
    "birth_date": "1990-05-01",
    "gender": "woman",
    "entry_date": "2025-01-10",
    "lm_status_entry": "unemployed",
    "unemployed_months": "3",
    "isced": "3",
}
ORGS = {"ABF": "ABF", "RF": "RF", "Riksidrottsförbundet": "RF"}


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        p = int(ch) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return str((10 - total % 10) % 10)


def coordination_number(birth: date, serial: str = "234") -> str:
    """A fictitious samordningsnummer (day + 60) with a correct check digit."""
    nine = f"{birth.year % 100:02d}{birth.month:02d}{birth.day + 60:02d}{serial}"
    return f"{nine[:6]}-{nine[6:]}{luhn_digit(nine)}"


def csv_bytes(rows: list[dict], *, sep: str = ",", columns: list[str] | None = None) -> bytes:
    columns = columns or list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buffer.getvalue().encode("utf-8")


def read(rows: list[dict], *, organisations=None, as_of=AS_OF, **kw):
    return read_participant_file(csv_bytes(rows, **kw), as_of=as_of, organisations=organisations)


def row(**changes) -> dict:
    return {**BASE, **changes}


def messages(result) -> list[str]:
    return [str(e) for e in result.errors]


# --- file formats -----------------------------------------------------------------------------


def test_a_valid_file_gives_typed_columns_in_the_documented_schema():
    result = read([row(exit_date="2025-03-01", born_abroad="ja", citizenship="sy")])
    assert result.ok, messages(result)
    data = result.data
    assert dict(data.schema) == participant_schema()
    rec = data.row(0, named=True)
    assert rec["row"] == 2
    assert rec["entry_date"] == date(2025, 1, 10)
    assert rec["exit_date"] == date(2025, 3, 1)
    assert rec["born_abroad"] is True
    assert rec["citizenship"] == "SY"
    assert rec["unemployed_months"] == 3


@pytest.mark.parametrize("sep", [",", ";"])
def test_delimiter_is_detected_from_the_header(sep):
    result = read([row(), row(participant_ref="P2")], sep=sep)
    assert result.ok and result.rows_read == 2


def test_byte_order_mark_and_header_case_and_spaces_are_ignored():
    data = csv_bytes([row()]).decode()
    data = data.replace("participant_ref", "  Participant_REF ").replace("gender", "GENDER")
    result = read_participant_file(("\ufeff" + data).encode(), as_of=AS_OF)
    assert result.ok, messages(result)
    assert result.data["gender"].to_list() == ["woman"]


def test_quoted_fields_with_separators_quotes_and_newlines_keep_row_numbers():
    # given a record spanning two lines (RFC 4180), then a bad one
    text = (
        "participant_ref;organisation;entry_date;method\r\n"
        'P1;ABF;2025-01-01;"Walk; talk\r\nand ""coach"""\r\n'
        "P2;ABF;2025-13-01;\r\n"
    )
    result = read_participant_file(text.encode(), as_of=AS_OF)
    assert messages(result) == [
        "row 3, column entry_date: not a date in the form YYYY-MM-DD, found '2025-13-01'"
    ]


def test_quoted_field_value_survives():
    text = 'participant_ref,organisation,entry_date,method\n"P,1",ABF,2025-01-01,"a ""b"""\n'
    result = read_participant_file(text.encode(), as_of=AS_OF)
    assert result.data.row(0, named=True)["participant_ref"] == "P,1"
    assert result.data.row(0, named=True)["method"] == 'a "b"'


def test_column_order_is_free_and_unknown_columns_are_warnings():
    result = read([row(notes="x")], columns=["notes", *reversed(list(BASE))])
    assert result.ok
    assert [str(w) for w in result.warnings] == ["row 1, column notes: unknown column; ignored"]


def test_empty_rows_are_not_data_rows():
    text = csv_bytes([row()]).decode() + ",,,,,,,\r\n\r\n"
    result = read_participant_file(text.encode(), as_of=AS_OF)
    assert result.ok and result.rows_read == 1


def test_cells_are_trimmed_and_blank_means_unknown():
    result = read([row(gender="  Kvinna ", born_abroad="  ", isced=" 4")])
    assert result.ok, messages(result)
    rec = result.data.row(0, named=True)
    assert (rec["gender"], rec["born_abroad"], rec["isced"]) == ("woman", None, 4)


def test_xlsx_first_sheet_with_native_dates_and_numbers():
    # given an Excel sheet where dates are date cells and numbers are numeric cells
    wb = Workbook()
    ws = wb.active
    ws.append(["participant_ref", "organisation", "entry_date", "birth_date", "isced", "homeless"])
    excel_datetime = datetime(2025, 1, 10)  # noqa: DTZ001 - Excel cells carry no time zone
    ws.append(["P1", "ABF", excel_datetime, date(1990, 5, 1), 3, True])
    ws.append([None, None, None, None, None, None])
    other = wb.create_sheet("ignored")
    other.append(["nothing", "here"])
    buffer = io.BytesIO()
    wb.save(buffer)
    # when
    result = read_participant_file(buffer.getvalue(), as_of=AS_OF)
    # then
    assert result.ok, messages(result)
    rec = result.data.row(0, named=True)
    assert rec["entry_date"] == date(2025, 1, 10)
    assert rec["birth_date"] == date(1990, 5, 1)
    assert rec["isced"] == 3 and rec["homeless"] is True


def test_xlsx_errors_name_sheet_rows(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["participant_ref", "organisation", "entry_date"])
    ws.append(["P1", "ABF", "2025-01-10"])
    ws.append(["P2", "ABF", "tomorrow"])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    result = read_participant_file(path, as_of=AS_OF)
    assert messages(result) == [
        "row 3, column entry_date: not a date in the form YYYY-MM-DD, found 'tomorrow'"
    ]


def test_a_file_that_is_not_utf8_is_an_error():
    result = read_participant_file("participant_ref\nÅsa\n".encode("latin-1"), as_of=AS_OF)
    assert messages(result) == ["the file is not UTF-8 encoded text"]


def test_an_empty_file_is_an_error():
    assert not read_participant_file(b"", as_of=AS_OF).ok


# --- vocabularies -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("yes", True),
        ("JA", True),
        ("True", True),
        ("1", True),
        ("no", False),
        ("Nej", False),
        ("FALSE", False),
        ("0", False),
        ("", None),
    ],
)
def test_boolean_vocabulary(cell, value):
    result = read([row(homeless=cell)])
    assert result.data["homeless"].to_list() == [value]


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("woman", "woman"),
        ("Kvinna", "woman"),
        ("MAN", "man"),
        ("non_binary", "non_binary"),
        ("icke-binär", "non_binary"),
        ("Icke-Binär", "non_binary"),
    ],
)
def test_gender_vocabulary(cell, value):
    assert read([row(gender=cell)]).data["gender"].to_list() == [value]


def test_organisation_aliases_are_case_insensitive_and_canonical():
    result = read(
        [row(organisation="abf"), row(participant_ref="P2", organisation="riksidrottsförbundet")],
        organisations=ORGS,
    )
    assert result.data["organisation"].to_list() == ["ABF", "RF"]


def test_without_a_register_any_code_is_accepted_in_upper_case():
    assert read([row(organisation="coompanion")]).data["organisation"].to_list() == ["COOMPANION"]


def test_birth_date_is_derived_from_a_valid_personal_id():
    pid = coordination_number(date(1988, 3, 9))
    result = read([row(birth_date="", personal_id=pid)])
    assert result.ok, messages(result)
    assert result.data["birth_date"].to_list() == [date(1988, 3, 9)]
    assert result.data["personal_id"].to_list() == ["1988036" + pid[5] + pid[7:]]


def test_ten_digit_century_is_inferred_from_the_reporting_date():
    pid = coordination_number(date(1926, 12, 1))  # '26' later in the year than as_of
    result = read([row(birth_date="", personal_id=pid)], as_of=date(2026, 6, 30))
    assert result.data["birth_date"].to_list() == [date(1926, 12, 1)]
    result = read([row(birth_date="", personal_id=pid)], as_of=date(2026, 12, 1))
    assert result.data["birth_date"].to_list() == [date(2026, 12, 1)]


def test_not_yet_started_rows_are_a_warning_and_stay_in_the_data():
    result = read([row(), row(participant_ref="P2", entry_date="2026-07-01")])
    assert result.ok
    assert [str(w) for w in result.warnings] == [
        "row 3, column entry_date: entry_date is after the reporting date 2026-06-30, "
        "found 2026-07-01; the row is left out"
    ]
    assert result.rows_read == 2


# --- errors: every kind, by row and column ----------------------------------------------------


@pytest.mark.parametrize("missing", ["participant_ref", "organisation", "entry_date"])
def test_missing_required_column(missing):
    result = read([{k: v for k, v in BASE.items() if k != missing}])
    assert messages(result) == [
        f"row 1, column {missing}: a required column is missing, found no such column"
    ]
    with pytest.raises(ParticipantFileError):
        _ = result.data


@pytest.mark.parametrize("column", ["participant_ref", "organisation", "entry_date"])
def test_missing_required_value(column):
    result = read([row(), {**row(participant_ref="P2"), column: "  "}])
    assert messages(result) == [
        f"row 3, column {column}: a required value is missing, found an empty cell"
    ]


@pytest.mark.parametrize(
    "column", ["birth_date", "entry_date", "exit_date", "exit_observed_on", "followup_observed_on"]
)
@pytest.mark.parametrize("bad", ["2025-02-30", "2025/01/01", "1.1.2025", "2025-1-1", "0000-01-01"])
def test_malformed_dates(column, bad):
    result = read([row(exit_date="2025-06-01"), row(participant_ref="P2", **{column: bad})])
    assert f"row 3, column {column}: not a date in the form YYYY-MM-DD, found '{bad}'" in (
        messages(result)
    )


@pytest.mark.parametrize(
    ("column", "bad", "what"),
    [
        ("isced", "9", "not an ISCED 2011 level, a whole number 0–8"),
        ("isced", "-1", "not an ISCED 2011 level, a whole number 0–8"),
        ("isced", "three", "not an ISCED 2011 level, a whole number 0–8"),
        ("unemployed_months", "-1", "not a whole number of months ≥ 0"),
        ("unemployed_months", "2.5", "not a whole number of months ≥ 0"),
        ("parents_born_abroad", "3", "not 0, 1 or 2"),
        ("homeless", "maybe", "not a yes/no value (yes, no, ja, nej, true, false, 1, 0)"),
        ("exit_employed", "y", "not a yes/no value (yes, no, ja, nej, true, false, 1, 0)"),
        ("gender", "female", "not one of woman, man, non_binary, kvinna, icke-binär"),
        ("lm_status_entry", "student", "not one of unemployed, inactive, employed, self_employed"),
        ("disability", "maybe", "not one of yes, no, declined"),
        ("minority", "1", "not one of yes, no, declined"),
        ("citizenship", "XX", "not an ISO 3166-1 alpha-2 country code, stateless or unknown"),
        ("citizenship", "SWE", "not an ISO 3166-1 alpha-2 country code, stateless or unknown"),
        ("municipality_code", "9999", "not a known 4-digit SCB municipality code"),
        ("municipality_code", "180", "not a known 4-digit SCB municipality code"),
    ],
)
def test_malformed_numbers_booleans_and_codes(column, bad, what):
    result = read([row(), row(participant_ref="P2", **{column: bad})])
    assert messages(result) == [f"row 3, column {column}: {what}, found '{bad}'"]


def test_unknown_organisation_code():
    result = read([row(), row(participant_ref="P2", organisation="XYZ")], organisations=ORGS)
    assert messages(result) == [
        "row 3, column organisation: not a known organisation code, found 'XYZ'"
    ]


def test_exit_before_entry():
    result = read([row(entry_date="2025-02-01", exit_date="2025-01-31")])
    assert messages(result) == [
        "row 2, column exit_date: exit_date is before entry_date, "
        "found exit_date 2025-01-31 and entry_date 2025-02-01"
    ]


def test_exit_on_entry_day_is_fine():
    assert read([row(entry_date="2025-02-01", exit_date="2025-02-01")]).ok


@pytest.mark.parametrize("column", ["exit_observed_on", "followup_observed_on"])
def test_observation_before_exit(column):
    result = read([row(exit_date="2025-03-01", **{column: "2025-02-28"})])
    assert messages(result) == [
        f"row 2, column {column}: {column} is before exit_date, "
        f"found {column} 2025-02-28 and exit_date 2025-03-01"
    ]


def test_personal_id_errors_never_echo_the_number():
    good = coordination_number(date(1990, 5, 1))
    wrong_check = good[:-1] + str((int(good[-1]) + 1) % 10)
    nine = "900290234"  # day 90 - 60 = 30 February
    impossible = f"{nine[:6]}-{nine[6:]}{luhn_digit(nine)}"
    result = read(
        [
            row(personal_id=good),
            row(participant_ref="P2", personal_id=wrong_check),
            row(participant_ref="P3", personal_id=impossible),
            row(participant_ref="P4", personal_id="12345"),
            row(participant_ref="P5", personal_id=good, birth_date="1990-05-02"),
        ]
    )
    assert messages(result) == [
        "row 3, column personal_id: the personnummer or samordningsnummer has a wrong check digit",
        "row 4, column personal_id: the personnummer or samordningsnummer contains an "
        "impossible date",
        "row 5, column personal_id: not a personnummer or samordningsnummer: expected 10 or 12 "
        "digits, optionally with '-' or '+' before the last four",
        "row 6, column personal_id: the birth date in personal_id disagrees with birth_date, "
        "found birth_date 1990-05-02",
    ]
    text = "\n".join(messages(result))
    for number in (good, wrong_check, impossible, "12345"):
        assert number not in text
        assert number.replace("-", "") not in text


def test_same_reference_twice_for_one_organisation():
    result = read(
        [row(), row(organisation="RF"), row(organisation="abf"), row(participant_ref="P2")],
        organisations=ORGS,
    )
    assert messages(result) == [
        "row 4, column participant_ref: the same participant_ref appears more than once for "
        "one organisation, found 'P1' for ABF (first on row 2)"
    ]


def test_reference_longer_than_64_characters():
    result = read([row(participant_ref="x" * 65), row(participant_ref="y" * 64)])
    assert messages(result) == [
        "row 2, column participant_ref: longer than 64 characters, found 65 characters"
    ]


def test_column_named_twice():
    text = "participant_ref,organisation,entry_date,Gender,gender\nP1,ABF,2025-01-01,man,man\n"
    result = read_participant_file(text.encode(), as_of=AS_OF)
    assert messages(result) == [
        "row 1, column gender: the column appears more than once (columns 4 and 5)"
    ]


def test_row_with_more_fields_than_the_header():
    text = "participant_ref,organisation,entry_date\nP1,ABF,2025-01-01,surplus\n"
    result = read_participant_file(text.encode(), as_of=AS_OF)
    assert messages(result) == [
        "row 2, column 4: the row has more fields than the header's 3 columns, found 'surplus'"
    ]


def test_the_raw_table_is_one_chunk_without_the_empty_fields_read_beyond_the_header():
    # given a file long enough for the reader to return many chunks, whose rows fit the header
    rows = [row(participant_ref=f"P{i}", homeless="ja" if i % 3 else "") for i in range(50_000)]
    content = csv_bytes(rows)
    # when its raw table is read
    raw = read_raw_table(content, "csv", LOCAL_LIMITS)
    # then it has the header's columns and the row number, each in one chunk, the cells kept
    assert raw.width == len(rows[0]) + 1
    assert raw.n_chunks("all") == [1] * raw.width
    assert raw.height == len(rows) + 1
    assert raw.get_column("row").to_list() == list(range(1, len(rows) + 2))
    header = raw.row(0, named=True)
    homeless = next(c for c, name in header.items() if name == "homeless")
    assert raw.get_column(homeless).cast(pl.String).to_list()[1:4] == [None, "ja", "ja"]


def test_a_surplus_field_on_a_late_row_keeps_its_column_and_position():
    # given a long file whose surplus field is on its last row, two fields beyond the header
    body = "".join(f"P{i},ABF,2025-01-01\n" for i in range(30_000))
    text = "participant_ref,organisation,entry_date\n" + body + "P-last,ABF,2025-01-01,,extra\n"
    # when it is read
    result = read_participant_file(text.encode(), as_of=AS_OF)
    # then that field is named by its column's position
    assert messages(result) == [
        "row 30002, column 5: the row has more fields than the header's 3 columns, found 'extra'"
    ]


def test_all_errors_are_listed_in_row_order_not_only_the_first():
    result = read(
        [
            row(gender="x", isced="11"),
            row(participant_ref="P2", entry_date="soon"),
            row(participant_ref="P3", homeless="perhaps", exit_date="2020-01-01"),
        ]
    )
    assert [m.split(":")[0] for m in messages(result)] == [
        "row 2, column gender",
        "row 2, column isced",
        "row 3, column entry_date",
        "row 4, column exit_date",
        "row 4, column homeless",
    ]
    assert result.frame is None


def test_long_found_values_are_shortened():
    result = read([row(gender="g" * 100)])
    assert messages(result) == [
        f"row 2, column gender: not one of woman, man, non_binary, kvinna, icke-binär, "
        f"found '{'g' * 40}'"
    ]


def test_guarded_cells_in_coded_columns_are_read_as_in_a_string_column():
    # given an export's guard before formula-like cells: a tab before a valid yes/no, and a
    # formula in a date and a number column
    rows = [
        row(participant_ref="P1", homeless="'\tja"),
        row(participant_ref="P2", exit_date="'=1+1", isced="'-x"),
        row(participant_ref="P3", homeless="'\tnej"),
    ]
    # when the file is read
    result = read(rows)
    # then the guard is dropped before parsing: the yes/no cells count, the bad cells are
    # echoed without it
    assert messages(result) == [
        "row 3, column exit_date: not a date in the form YYYY-MM-DD, found '=1+1'",
        "row 3, column isced: not an ISCED 2011 level, a whole number 0–8, found '-x'",
    ]
    fine = read([rows[0], rows[2]])
    assert fine.data["homeless"].to_list() == [True, False]


@settings(max_examples=40, deadline=None)
@given(
    cells=st.lists(
        st.sampled_from(
            ["", " ", "ja", " Nej ", "2025-01-10", "2024-13-01", "'=x", "'\tja", "''=y", "7", "-1"]
        ),
        min_size=4,
        max_size=4 * 6,
    ),
    organisations=st.sampled_from([None, ORGS]),
)
def test_reading_coded_columns_encoded_gives_what_the_string_table_gives(cells, organisations):
    # given rows with the same small vocabulary of good, bad, blank and guarded cells in
    # coded columns of every kind
    columns = ["homeless", "exit_date", "isced", "gender"]
    rows = [
        row(participant_ref=f"P{i}", **dict(zip(columns, cells[i * 4 : i * 4 + 4], strict=False)))
        for i in range(len(cells) // 4)
    ]
    content = csv_bytes(rows)
    # when the file is read (coded columns dictionary-encoded by the CSV reader) and when the
    # same file is read as strings and then parsed
    encoded = read_participant_file(content, as_of=AS_OF, organisations=organisations)
    strings = parse_participant_table(
        read_raw_table(content, "csv", LOCAL_LIMITS), as_of=AS_OF, organisations=organisations
    )
    # then both give the same errors, warnings and rows
    assert encoded.errors == strings.errors
    assert encoded.warnings == strings.warnings
    if encoded.ok:
        assert encoded.data.equals(strings.data)


def test_a_bad_date_among_strictly_written_dates_is_named_by_row_and_column():
    # given a date column where every cell but one is written YYYY-MM-DD (the direct parse)
    rows = [row(participant_ref=f"P{i}", exit_date="2025-06-01") for i in range(5)]
    rows.insert(3, row(participant_ref="P9", exit_date="2025-06-31"))
    # when the file is read
    result = read(rows)
    # then the column goes through its dictionary and the bad cell is named as before
    assert messages(result) == [
        "row 5, column exit_date: not a date in the form YYYY-MM-DD, found '2025-06-31'"
    ]


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.sampled_from(
            [
                "",
                " ",
                "2025-01-10",
                "2025-06-01",
                " 2025-01-10",
                "2025-01-10 ",
                "2025-1-10",
                "+2025-1-10",
                "2025- 1-10",
                "2025-02-30",
                "0000-01-01",
                "0001-01-01",
                "'=1+1",
            ]
        ),
        min_size=1,
        max_size=6,
    )
)
def test_dates_parsed_directly_give_what_their_dictionary_gives(cells):
    # given exit dates that are strict, blank, padded, lenient forms or bad
    content = csv_bytes([row(participant_ref=f"P{i}", exit_date=c) for i, c in enumerate(cells)])
    raw = read_raw_table(content, "csv", LOCAL_LIMITS)
    # when the table is parsed with the date columns as strings (parsed directly when every
    # cell is strict) and with them dictionary-encoded (always through the dictionary)
    direct = parse_participant_table(raw, as_of=AS_OF)
    header = raw.row(0, named=True)
    date_columns = [c for c, name in header.items() if name in DATE_COLUMNS]
    encoded = raw.with_columns(pl.col(date_columns).cast(pl.Categorical))
    dictionary = parse_participant_table(encoded, as_of=AS_OF)
    # then both give the same errors, warnings and rows
    assert direct.errors == dictionary.errors
    assert direct.warnings == dictionary.warnings
    if direct.ok:
        assert direct.data.equals(dictionary.data)


# --- properties -------------------------------------------------------------------------------

cell_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12
)


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(cell_text, min_size=1, max_size=8), sep=st.sampled_from([",", ";"]))
def test_any_boolean_cell_is_accepted_exactly_when_in_the_vocabulary(cells, sep):
    vocabulary = {"yes", "no", "ja", "nej", "true", "false", "1", "0"}
    rows = [row(participant_ref=f"P{i}", homeless=c) for i, c in enumerate(cells)]
    result = read(rows, sep=sep)
    bad_rows = {e.row for e in result.errors}
    for i, cell in enumerate(cells):
        stripped = cell.strip()
        expected_ok = stripped == "" or stripped.lower() in vocabulary
        assert (i + 2 not in bad_rows) == expected_ok, (cell, messages(result))


@settings(max_examples=40, deadline=None)
@given(
    refs=st.lists(
        st.text(alphabet='ab,;" \n', min_size=1, max_size=6).filter(lambda s: s.strip()),
        min_size=1,
        max_size=6,
        unique_by=lambda s: s.strip(),
    ),
    sep=st.sampled_from([",", ";"]),
)
def test_references_with_separators_quotes_and_newlines_round_trip(refs, sep):
    result = read([row(participant_ref=r) for r in refs], sep=sep)
    assert result.ok, messages(result)
    assert result.data["participant_ref"].to_list() == [r.strip() for r in refs]
    assert result.data["row"].to_list() == list(range(2, len(refs) + 2))


def test_the_schema_lists_every_spec_column():
    assert list(participant_schema()) == ["row", *COLUMNS]
    assert participant_schema()["entry_date"] == pl.Date()
