"""A participant file's errors and warnings in the reader's language: every issue the file
reader and the import can give carries a code whose text exists in Swedish and English, with
the same row, column and found value as the English message the command line prints."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from tests.conftest import make_user
from tests.pathways.test_importing import csv_bytes, personnummer, row, run

from emplus.evidence_core.participant_file import read_participant_file
from emplus.methods.models import Method
from emplus.pathways import rights
from emplus.pathways.file_issue_texts import ISSUES_SHOWN, shown, shown_page
from emplus.pathways.models import Participant

AS_OF = date(2026, 6, 30)

# One row per kind of cell the reader rejects (rows 2–...), each with its code.
BAD_ROWS = [
    ({"entry_date": "2025-13-01"}, "not_date"),
    ({"exit_employed": "perhaps", "exit_date": "2025-06-01"}, "not_yes_no"),
    ({"gender": "other"}, "bad_gender"),
    ({"municipality_code": "9999"}, "bad_municipality_code"),
    ({"lm_status_entry": "retired"}, "bad_lm_status_entry"),
    ({"unemployed_months": "-1"}, "bad_unemployed_months"),
    ({"isced": "11"}, "bad_isced"),
    ({"disability": "maybe"}, "bad_disability"),
    ({"minority": "maybe"}, "bad_minority"),
    ({"citizenship": "Sverige"}, "bad_citizenship"),
    ({"parents_born_abroad": "3"}, "bad_parents_born_abroad"),
    ({"organisation": "XYZ"}, "bad_organisation"),
    ({"participant_ref": "R" * 65}, "ref_too_long"),
    ({"personal_id": "12345"}, "personal_id_format"),
    ({"personal_id": "19901301-1234", "birth_date": ""}, "personal_id_date"),
    ({"personal_id": "19900501-1230"}, "personal_id_checksum"),
    ({"personal_id": personnummer(date(1991, 5, 1), 7)}, "personal_id_birth_date"),
    ({"organisation": ""}, "required_missing"),
    ({"exit_date": "2024-12-31"}, "exit_before_entry"),
    ({"exit_date": "2025-06-01", "followup_observed_on": "2025-05-01"}, "observed_before_exit"),
    ({"participant_ref": "P1"}, "duplicate_ref"),
]


def bad_file() -> bytes:
    rows = [row("P1")] + [
        {**row(f"B{i}"), **changes} for i, (changes, _) in enumerate(BAD_ROWS) if changes
    ]
    data = csv_bytes(rows).decode()
    # A header with an unknown column, an unnamed one and a repeated one, each filled.
    header, *lines = data.rstrip("\r\n").split("\r\n")
    filled = [f"{line},42,7,3" for line in lines]
    return "\r\n".join([header + ",shoe_size,,isced", *filled]).encode()


def issues_of(data: bytes):
    parsed = read_participant_file(data, as_of=AS_OF, organisations={"ORGA": "ORGA"})
    return parsed.errors, parsed.warnings


def test_every_issue_of_a_bad_file_has_a_code_and_keeps_its_english_message():
    # when
    errors, warnings = issues_of(bad_file())
    # then every kind of bad cell is reported, each with its code, and nothing is uncoded
    codes = {e.code for e in errors}
    assert {code for _, code in BAD_ROWS} | {"duplicate_column"} <= codes
    assert {w.code for w in warnings} == {"unknown_column", "unnamed_column"}
    assert all(e.code for e in errors + warnings)
    # and the English message the command line prints is as before
    date_error = next(e for e in errors if e.code == "not_date")
    assert str(date_error) == (
        "row 3, column entry_date: not a date in the form YYYY-MM-DD, found '2025-13-01'"
    )
    assert date_error.params == (("value", "'2025-13-01'"),)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_issue_of_a_bad_file_has_a_text_in_the_readers_language(language):
    # given
    errors, warnings = issues_of(bad_file())
    # when
    with translation.override(language):
        texts = shown(errors + warnings)
    # then no issue falls back to the reader's English message, and each keeps its place
    issues = errors + warnings
    assert [(t.row, t.column) for t in texts] == [(i.row, i.column) for i in issues]
    fallen_back = [i.code for i, t in zip(issues, texts, strict=True) if t.message == i.message]
    assert fallen_back == []
    by_code = {i.code: t.message for i, t in zip(issues, texts, strict=True)}
    if language == "sv":
        assert by_code["not_date"] == "Inte ett datum i formen ÅÅÅÅ-MM-DD, hittade '2025-13-01'."
        assert by_code["duplicate_ref"] == (
            "Samma participant_ref finns mer än en gång för en organisation, hittade 'P1' för "
            "ORGA (första gången på rad 2)."
        )
        assert by_code["duplicate_column"] == "Kolumnen finns mer än en gång (kolumn 9 och 20)."
    else:
        assert by_code["not_date"] == "Not a date in the form YYYY-MM-DD, found '2025-13-01'."


@pytest.mark.parametrize(
    ("data", "code", "swedish"),
    [
        (b"", "empty_file", "Filen är tom"),
        (b"participant_ref;organisation\n\xff\xfe\xfa;x\n", "not_utf8", "inte text i UTF-8"),
        (b"PK\x03\x04 not a workbook", "not_xlsx", "Filen kan inte läsas som XLSX (BadZipFile)"),
    ],
)
def test_a_file_that_is_not_a_table_is_named_in_swedish(data, code, swedish):
    # when
    errors, _ = issues_of(data)
    # then
    assert [e.code for e in errors] == [code]
    with translation.override("sv"):
        assert swedish in shown(errors)[0].message


def test_a_late_entry_warns_with_the_reporting_date():
    # when
    _, warnings = issues_of(csv_bytes([row("P1", entry_date="2026-08-01")]))
    # then
    with translation.override("sv"):
        (text,) = shown(warnings)
    assert (text.row, text.column) == (2, "entry_date")
    assert text.message == (
        "entry_date ligger efter rapportdatumet 2026-06-30, hittade 2026-08-01; raden hoppas över."
    )


@pytest.mark.django_db
def test_the_imports_own_checks_have_swedish_texts(coordinator, org_a, unit_a1, unit_a2):
    # given a participant of unit A2, one erased, one with a personal_id, and a known method
    pid = personnummer(date(1990, 5, 1), 123)
    run(
        coordinator,
        org_a,
        [row("P1", municipality_code="2521"), row("P2"), row("P3", personal_id=pid)],
    )
    erased_one = Participant.objects.get(participant_ref="P2")
    rights.participant_erase(actor=coordinator, participant=erased_one)
    erased_one.refresh_from_db()
    Method.objects.create(code="IPS", name="IPS")
    coach_a1 = make_user("coach-a1", org_a, "coach", unit_a1)
    # when a coach of unit A1 imports rows that each fail one of the import's checks
    other_unit = run(coach_a1, org_a, [row("P1", isced="7")])
    # (an erased participant keeps a token as reference: a file written before holds it)
    erased = run(coordinator, org_a, [row(erased_one.participant_ref)])
    method = run(coordinator, org_a, [row("P4", method="SIUS")])
    twice = run(coordinator, org_a, [row("P5", personal_id=pid), row("P6", personal_id=pid)])
    organisation = run(coordinator, org_a, [row("P7", organisation="ORGB")])
    # then each names its kind in Swedish
    with translation.override("sv"):
        texts = {
            e.code: text.message
            for result in (other_unit, erased, method, twice, organisation)
            for e, text in zip(result.errors, shown(result.errors), strict=True)
        }
    assert texts == {
        "other_unit": "participant_ref hör till en deltagare i en annan lokal enhet; be en "
        "samordnare importera raden.",
        "erased": "Deltagarens identitet har raderats; deltagaren kan inte importeras igen.",
        "unknown_method": "Inte en känd metodkod, hittade 'SIUS'.",
        "registered_under_other_ref": "Personen är redan registrerad i organisationen under en "
        "annan participant_ref.",
        "same_person_twice": "Samma person finns under en annan participant_ref på rad 2.",
        "other_organisation": "Inte den organisation som valts för importen (ORGA), hittade "
        "'ORGB'.",
    }


def test_a_page_lists_the_first_issues_and_groups_them_all():
    # given a file whose 300 rows each have a bad date, and 5 a bad gender too
    rows = [row(f"P{i}", entry_date="2025-02-30") for i in range(300)]
    for r in rows[100:105]:
        r["gender"] = "x"
    errors, _ = issues_of(csv_bytes(rows))
    # when
    with translation.override("sv"):
        page = shown_page(errors)
    # then
    assert page.total == 305 and len(page.listed) == ISSUES_SHOWN and page.more == 105
    assert [(g.column, g.count, g.first_row) for g in page.groups] == [
        ("entry_date", 300, 2),
        ("gender", 5, 102),
    ]
    assert page.groups[1].example == (
        "Inte något av kvinna, man, icke-binär, woman, non_binary, hittade 'x'."
    )


def test_a_few_issues_are_listed_without_groups():
    errors, _ = issues_of(csv_bytes([row("P1", isced="11")]))
    page = shown_page(errors)
    assert page.total == 1 and page.more == 0 and page.groups == []
