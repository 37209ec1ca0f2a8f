"""`emplus esf-indicators`: output formats, exit status 2 on invalid files, settings, aliases,
and the organisation register (through the ORM here; the command line is in test_cli_register)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from emplus.evidence_core.indicators import INDICATORS
from emplus.evidence_core.testing.participants import generate_participants
from emplus.organisations.models import Organisation
from emplus.organisations.services import partner_register_load

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def partner_register():
    partner_register_load()


@pytest.fixture
def empty_register():
    Organisation.objects.all().delete()


HEADER = (
    "participant_ref;organisation;birth_date;gender;entry_date;lm_status_entry;isced;citizenship"
)
GOOD = [
    "P1;ABF;1990-05-01;kvinna;2025-01-10;inactive;3;NO",
    "P2;ABF;1980-05-01;man;2025-01-10;employed;6;SE",
    "P3;RF;2001-05-01;woman;2026-07-01;inactive;2;",
]


def write(tmp_path, lines: list[str], name: str = "p.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("esf_indicators", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_json_to_stdout(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD])
    out, err = run(str(path), "--as-of", "2026-06-30")
    data = json.loads(out)
    assert data["as_of"] == "2026-06-30"
    assert data["participants"] == {
        "read": 3,
        "reportable": 2,
        "incomplete": 0,
        "not_yet_started": 1,
    }
    assert [i["code"] for i in data["indicators"]] == [c for c, _ in INDICATORS]
    by_code = {i["code"]: i for i in data["indicators"]}
    assert by_code["EECO01"] == {
        "code": "EECO01",
        "name": "total number of participants",
        "total": 2,
        "woman": 1,
        "man": 1,
        "non_binary": 0,
    }
    assert by_code["EECO13"]["total"] == 1  # Norwegian: third country by default
    assert "row 4, column entry_date" in err  # the not-yet-started warning


def test_rules_come_from_settings(tmp_path, settings):
    settings.EMPLUS_ESF_RULES = {"eea_swiss_are_third_country": False}
    path = write(tmp_path, [HEADER, *GOOD])
    out, _ = run(str(path), "--as-of", "2026-06-30")
    by_code = {i["code"]: i for i in json.loads(out)["indicators"]}
    assert by_code["EECO13"]["total"] == 0


def test_unknown_rule_in_settings_is_an_error(tmp_path, settings):
    settings.EMPLUS_ESF_RULES = {"no_such_rule": 1}
    path = write(tmp_path, [HEADER, *GOOD])
    with pytest.raises(CommandError, match="no_such_rule"):
        run(str(path))


def test_invalid_file_lists_every_error_and_exits_with_2(tmp_path):
    path = write(
        tmp_path,
        [HEADER, "P1;ABF;1990-02-30;kvinna;2025-01-10;inactive;9;", "P1;ABF;;x;;inactive;3;"],
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("esf_indicators", str(path), "--as-of", "2026-06-30", stdout=out, stderr=err)
    assert info.value.code == 2
    assert out.getvalue() == ""
    lines = [line for line in err.getvalue().splitlines() if line.startswith("error: row")]
    assert lines == [
        "error: row 2, column birth_date: not a date in the form YYYY-MM-DD, found '1990-02-30'",
        "error: row 2, column isced: not an ISCED 2011 level, a whole number 0–8, found '9'",
        "error: row 3, column participant_ref: the same participant_ref appears more than once "
        "for one organisation, found 'P1' for ABF (first on row 2)",
        "error: row 3, column gender: not one of woman, man, non_binary, kvinna, icke-binär, "
        "found 'x'",
        "error: row 3, column entry_date: a required value is missing, found an empty cell",
    ]


def test_csv_to_stdout_and_to_a_file(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD])
    out, _ = run(str(path), "--as-of", "2026-06-30", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["code", "name", "total", "woman", "man", "non_binary"]
    assert rows[1] == ["EECO01", "total number of participants", "2", "1", "1", "0"]
    target = tmp_path / "out.csv"
    run(str(path), "--as-of", "2026-06-30", "--format", "csv", "--output", str(target))
    assert target.read_text(encoding="utf-8") == out


def test_xlsx_needs_an_output_path(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD])
    with pytest.raises(CommandError):
        run(str(path), "--format", "xlsx")
    target = tmp_path / "out.xlsx"
    run(str(path), "--as-of", "2026-06-30", "--format", "xlsx", "--output", str(target))
    sheet = load_workbook(target)["indicators"]
    assert list(next(sheet.iter_rows(min_row=2, values_only=True))) == [
        "EECO01",
        "total number of participants",
        2,
        1,
        1,
        0,
    ]


def test_xlsx_input_file(tmp_path):
    frame = generate_participants(50, seed=3)
    target = tmp_path / "in.xlsx"
    frame.write_excel(target)
    out, _ = run(str(target), "--as-of", "2026-06-30")
    assert json.loads(out)["participants"]["read"] == 50


def test_suppress_below_hides_small_cells(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD])
    out, _ = run(str(path), "--as-of", "2026-06-30", "--suppress-below", "5")
    data = json.loads(out)
    assert data["suppressed_below"] == 5
    first = data["indicators"][0]
    assert (first["total"], first["woman"], first["man"]) == (None, None, None)
    assert first["non_binary"] == 0


def test_not_suppressed_by_default(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD])
    out, _ = run(str(path), "--as-of", "2026-06-30")
    assert json.loads(out)["indicators"][0]["total"] == 2


def test_organisation_register_accepts_codes_and_names(tmp_path):
    good = write(
        tmp_path,
        [
            HEADER,
            "P1;abf;1990-05-01;man;2025-01-10;inactive;3;",
            "P2;riksidrottsförbundet;1990-05-01;man;2025-01-10;inactive;3;",
            "P3;Save the Children Sweden;1990-05-01;man;2025-01-10;inactive;3;",
        ],
    )
    out, _ = run(str(good), "--as-of", "2026-06-30")
    assert json.loads(out)["participants"]["reportable"] == 3
    bad = write(tmp_path, [HEADER, "P1;XYZ;1990-05-01;man;2025-01-10;inactive;3;"], "bad.csv")
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("esf_indicators", str(bad), stdout=io.StringIO(), stderr=err)
    assert "row 2, column organisation: not a known organisation code, found 'XYZ'" in (
        err.getvalue()
    )


def test_organisations_added_by_administrators_are_in_the_register(tmp_path):
    # given an organisation beside the nine partners
    Organisation.objects.create(
        code="AF", name="Arbetsförmedlingen", sector="public", kind="state_agency"
    )
    path = write(tmp_path, [HEADER, "P1;af;1990-05-01;man;2025-01-10;inactive;3;"])
    # when / then
    out, _ = run(str(path), "--as-of", "2026-06-30")
    assert json.loads(out)["participants"]["reportable"] == 1


@pytest.mark.usefixtures("empty_register")
def test_without_a_register_the_command_refuses_in_one_line(tmp_path):
    # given a database without reference data
    assert not Organisation.objects.exists()
    path = write(tmp_path, [HEADER, *GOOD])
    out, err = io.StringIO(), io.StringIO()
    # when
    with pytest.raises(SystemExit) as info:
        call_command("esf_indicators", str(path), "--as-of", "2026-06-30", stdout=out, stderr=err)
    # then
    assert info.value.code == 2
    assert out.getvalue() == ""
    assert err.getvalue().count("\n") == 1
    assert err.getvalue().startswith("error: cannot check organisation codes: ")
    assert "emplus load-reference-data" in err.getvalue()
    assert "--no-register-check" in err.getvalue()


@pytest.mark.usefixtures("empty_register")
def test_no_register_check_accepts_any_code_and_says_so(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD, "P4;NOSUCH;1990-05-01;man;2025-01-10;inactive;3;"])
    out, err = run(str(path), "--as-of", "2026-06-30", "--no-register-check")
    assert json.loads(out)["participants"]["reportable"] == 3
    assert "warning: organisation codes are not checked (--no-register-check)" in err


def test_bad_arguments(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD])
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError):
        run(str(path), "--suppress-below", "0")
