"""ESF+ indicators: every edge of every rule; agreement with a plain reference implementation."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from emplus.core.personnummer import PersonnummerError, parse_personnummer
from emplus.evidence_core.indicators import (
    _REPORT,
    INDICATORS,
    IndicatorRules,
    _report_rows,
    _report_text,
    compute_indicators,
)
from emplus.evidence_core.participant_file import read_participant_file
from emplus.evidence_core.reference import municipality_by_code
from emplus.evidence_core.testing.participants import generate_participants

AS_OF = date(2026, 6, 30)
CODES = [code for code, _ in INDICATORS]
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
URBAN = "0180"  # Stockholm, SKR group A1
RURAL_C8 = "0662"
RURAL_C9 = "0885"


def to_csv(rows: list[dict]) -> bytes:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for r in rows:
        writer.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
    return buffer.getvalue().encode()


def compute(rows: list[dict], *, as_of: date = AS_OF, rules: IndicatorRules | None = None):
    result = read_participant_file(to_csv(rows), as_of=as_of)
    assert result.ok, [str(e) for e in result.errors]
    return compute_indicators(result.data, as_of=as_of, rules=rules)


def counted(as_of: date = AS_OF, rules: IndicatorRules | None = None, **changes) -> set[str]:
    """The codes a single participant counts for."""
    result = compute([{**BASE, **changes}], as_of=as_of, rules=rules)
    return {row.code for row in result.indicators if row.total}


def years_before(day: str, years: int, *, days: int = 0) -> str:
    d = date.fromisoformat(day)
    return (d.replace(year=d.year - years) + timedelta(days=days)).isoformat()


# --- participants and core data ---------------------------------------------------------------


def test_a_complete_participant_counts_in_the_total():
    assert "EECO01" in counted()


def test_entry_on_the_reporting_date_counts_and_the_day_after_does_not():
    result = compute(
        [
            {**BASE, "entry_date": "2026-06-30"},
            {**BASE, "participant_ref": "P2", "entry_date": "2026-07-01"},
        ]
    )
    assert result.participants.as_dict() == {
        "read": 2,
        "reportable": 1,
        "incomplete": 0,
        "not_yet_started": 1,
    }
    assert result.indicator("EECO01").total == 1


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"birth_date": ""}, ["birth_date"]),
        ({"gender": ""}, ["gender"]),
        ({"lm_status_entry": ""}, ["lm_status_entry"]),
        ({"isced": ""}, ["isced"]),
        ({"unemployed_months": ""}, ["unemployed_months"]),
        (
            {"birth_date": "", "isced": "", "unemployed_months": ""},
            ["birth_date", "isced", "unemployed_months"],
        ),
    ],
)
def test_a_participant_missing_core_data_is_left_out_and_reported(changes, missing):
    # given one complete and one incomplete participant
    result = compute([BASE, {**BASE, "participant_ref": "P2", **changes}])
    # then the incomplete one counts in no indicator, the total included
    assert result.indicator("EECO01").total == 1
    assert result.indicator("EECO02").total == 1
    assert result.participants.incomplete == 1 and result.participants.reportable == 1
    assert result.completeness.to_dicts() == [
        {"row": 3, "participant_ref": "P2", "organisation": "ABF", "missing": missing}
    ]


def test_unemployed_months_is_core_only_for_the_unemployed():
    assert "EECO01" in counted(lm_status_entry="inactive", unemployed_months="")


def test_birth_date_from_personal_id_makes_a_participant_complete():
    nine = "900561234"  # samordningsnummer for 1990-05-01 (day 01 + 60)
    total = sum(int(c) * (2 - i % 2) // 10 + int(c) * (2 - i % 2) % 10 for i, c in enumerate(nine))
    pid = f"{nine[:6]}-{nine[6:]}{(10 - total % 10) % 10}"
    assert "EECO01" in counted(birth_date="", personal_id=pid)


def test_incomplete_participants_not_yet_started_are_not_incomplete():
    result = compute(
        [BASE, {**BASE, "participant_ref": "P2", "entry_date": "2027-01-01", "gender": ""}]
    )
    assert result.participants.not_yet_started == 1
    assert result.participants.incomplete == 0


# --- labour-market status and long-term unemployment ------------------------------------------


@pytest.mark.parametrize(
    ("status", "codes"),
    [
        ("unemployed", {"EECO02"}),
        ("inactive", {"EECO04"}),
        ("employed", {"EECO05"}),
        ("self_employed", {"EECO05"}),
    ],
)
def test_status_at_entry(status, codes):
    got = counted(lm_status_entry=status, unemployed_months="24")
    assert got & {"EECO02", "EECO04", "EECO05"} == codes
    assert ("EECO03" in got) == (status == "unemployed")


@pytest.mark.parametrize(
    ("age", "months", "long_term"),
    [
        (30, 11, False),
        (30, 12, True),
        (24, 5, False),
        (24, 6, True),  # below 25: six months
        (25, 6, False),  # 25 on the entry day: the adult threshold applies
        (25, 11, False),
        (25, 12, True),
    ],
)
def test_long_term_unemployed(age, months, long_term):
    birth = years_before(BASE["entry_date"], age)
    got = counted(birth_date=birth, unemployed_months=str(months))
    assert ("EECO03" in got) is long_term
    assert "EECO02" in got


def test_long_term_thresholds_are_configurable():
    rules = IndicatorRules.from_mapping(
        {
            "long_term_unemployed_months": 24,
            "long_term_unemployed_months_youth": 12,
            "youth_age_below": 30,
        }
    )
    adult = years_before(BASE["entry_date"], 40)
    youth = years_before(BASE["entry_date"], 29)
    assert "EECO03" not in counted(rules=rules, birth_date=adult, unemployed_months="12")
    assert "EECO03" in counted(rules=rules, birth_date=adult, unemployed_months="24")
    assert "EECO03" in counted(rules=rules, birth_date=youth, unemployed_months="12")


# --- age on the entry day ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("years", "days", "code"),
    [
        (18, 0, "EECO07"),  # 18th birthday on the entry day
        (18, 1, "EECO06"),  # turns 18 the day after entry: still 17
        (29, 0, "EECO07"),
        (30, 1, "EECO07"),  # 30th birthday the day after entry: still 29
        (30, 0, None),
        (55, 0, "EECO08"),
        (55, 1, None),  # 54 on entry
    ],
)
def test_age_limits_on_the_entry_day(years, days, code):
    birth = years_before(BASE["entry_date"], years, days=days)
    got = counted(birth_date=birth) & {"EECO06", "EECO07", "EECO08"}
    assert got == ({code} if code else set())


def test_age_is_taken_on_entry_not_on_the_reporting_date():
    # 17 at entry, 19 on the reporting date
    assert "EECO06" in counted(birth_date="2007-06-01", entry_date="2025-01-10")


# --- education, special categories, background ------------------------------------------------


@pytest.mark.parametrize(
    ("isced", "code"),
    [
        ("0", "EECO09"),
        ("2", "EECO09"),
        ("3", "EECO10"),
        ("4", "EECO10"),
        ("5", "EECO11"),
        ("8", "EECO11"),
    ],
)
def test_education_levels(isced, code):
    assert counted(isced=isced) & {"EECO09", "EECO10", "EECO11"} == {code}


@pytest.mark.parametrize(
    ("value", "counts"), [("yes", True), ("no", False), ("declined", False), ("", False)]
)
def test_disability_declined_never_counts(value, counts):
    assert ("EECO12" in counted(disability=value)) is counts


@pytest.mark.parametrize(("value", "counts"), [("yes", True), ("declined", False), ("", False)])
def test_minority(value, counts):
    assert ("EECO15" in counted(minority=value)) is counts


@pytest.mark.parametrize(
    ("citizenship", "third_country"),
    [
        ("SE", False),
        ("de", False),
        ("GR", False),
        ("NO", True),
        ("IS", True),
        ("LI", True),
        ("CH", True),
        ("GB", True),
        ("SY", True),
        ("stateless", True),
        ("unknown", True),
        ("", False),
    ],
)
def test_third_country_nationals(citizenship, third_country):
    assert ("EECO13" in counted(citizenship=citizenship)) is third_country


@pytest.mark.parametrize("citizenship", ["NO", "IS", "LI", "CH"])
def test_eea_and_swiss_can_be_configured_as_not_third_country(citizenship):
    rules = IndicatorRules.from_mapping({"eea_swiss_are_third_country": False})
    assert "EECO13" not in counted(rules=rules, citizenship=citizenship)
    assert "EECO13" in counted(rules=rules, citizenship="SY")


@pytest.mark.parametrize(
    ("born_abroad", "parents", "foreign"),
    [
        ("yes", "", True),
        ("yes", "0", True),
        ("no", "2", True),
        ("", "2", True),
        ("no", "1", False),
        ("", "1", False),
        ("no", "0", False),
        ("", "", False),
    ],
)
def test_foreign_background(born_abroad, parents, foreign):
    got = counted(born_abroad=born_abroad, parents_born_abroad=parents)
    assert ("EECO14" in got) is foreign


@pytest.mark.parametrize(("value", "counts"), [("ja", True), ("nej", False), ("", False)])
def test_homeless(value, counts):
    assert ("EECO16" in counted(homeless=value)) is counts


@pytest.mark.parametrize(
    ("rural", "municipality", "counts"),
    [
        ("yes", URBAN, True),  # the override wins
        ("yes", "", True),
        ("no", RURAL_C9, False),  # the override wins
        ("", RURAL_C8, True),
        ("", RURAL_C9, True),
        ("", URBAN, False),
        ("", "", False),
    ],
)
def test_rural_override_and_municipality_group(rural, municipality, counts):
    assert ("EECO17" in counted(rural=rural, municipality_code=municipality)) is counts


def test_rural_groups_are_configurable():
    rules = IndicatorRules.from_mapping({"rural_skr_groups": ["A1"]})
    assert "EECO17" in counted(rules=rules, municipality_code=URBAN)
    assert "EECO17" not in counted(rules=rules, municipality_code=RURAL_C9)


def test_the_reference_groups_match_the_municipality_data():
    assert municipality_by_code()[RURAL_C8].skr_group_2023 == "C8"
    assert municipality_by_code()[RURAL_C9].skr_group_2023 == "C9"
    assert municipality_by_code()[URBAN].skr_group_2023 == "A1"


# --- results upon leaving ---------------------------------------------------------------------

EXIT = "2026-01-15"


def leaving(**changes) -> dict:
    return {"exit_date": EXIT, "exit_in_education": "yes", **changes}


@pytest.mark.parametrize(
    ("observed", "counts"),
    [("", True), (EXIT, True), ("2026-02-12", True), ("2026-02-13", False)],  # +28 / +29 days
)
def test_exit_situation_observed_within_28_days(observed, counts):
    assert ("EECR02" in counted(**leaving(exit_observed_on=observed))) is counts


def test_exit_observation_window_is_configurable():
    rules = IndicatorRules.from_mapping({"exit_observation_days": 29})
    assert "EECR02" in counted(rules=rules, **leaving(exit_observed_on="2026-02-13"))


def test_exit_after_the_reporting_date_means_not_left():
    assert "EECR02" not in counted(as_of=date(2026, 1, 14), **leaving())
    assert "EECR02" in counted(as_of=date(2026, 1, 15), **leaving())


def test_exit_observation_after_the_reporting_date_is_ignored():
    assert "EECR02" not in counted(
        as_of=date(2026, 1, 20), **leaving(exit_observed_on="2026-01-21")
    )
    assert "EECR02" in counted(as_of=date(2026, 1, 21), **leaving(exit_observed_on="2026-01-21"))


def test_no_exit_no_result():
    assert "EECR02" not in counted(exit_in_education="yes")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("inactive", {"EECR01", "EECR02", "EECR03", "EECR04"}),
        ("unemployed", {"EECR02", "EECR03", "EECR04"}),
        ("employed", {"EECR02", "EECR03"}),
        ("self_employed", {"EECR02", "EECR03"}),
    ],
)
def test_result_reference_populations_upon_leaving(status, expected):
    got = counted(
        lm_status_entry=status,
        exit_date=EXIT,
        exit_job_searching="yes",
        exit_in_education="yes",
        exit_qualification="yes",
        exit_employed="yes",
    )
    assert got & {"EECR01", "EECR02", "EECR03", "EECR04"} == expected


@pytest.mark.parametrize("flag", ["no", ""])
def test_a_no_or_empty_exit_situation_does_not_count(flag):
    got = counted(
        lm_status_entry="inactive",
        exit_date=EXIT,
        exit_job_searching=flag,
        exit_in_education=flag,
        exit_qualification=flag,
        exit_employed=flag,
    )
    assert not got & {"EECR01", "EECR02", "EECR03", "EECR04"}


# --- six-month follow-up ----------------------------------------------------------------------


def followup(days: int | None, **changes) -> dict:
    observed = (
        "" if days is None else (date.fromisoformat("2025-06-01") + timedelta(days)).isoformat()
    )
    return {
        "entry_date": "2025-01-10",
        "exit_date": "2025-06-01",
        "followup_observed_on": observed,
        "followup_employed": "yes",
        "followup_improved": "yes",
        **changes,
    }


@pytest.mark.parametrize(
    ("days", "counts"),
    [(None, False), (149, False), (150, True), (180, True), (210, True), (211, False)],
)
def test_followup_window_150_to_210_days(days, counts):
    assert ("EECR05" in counted(**followup(days))) is counts
    assert ("EECR06" in counted(lm_status_entry="employed", **followup(days))) is counts


def test_followup_window_is_configurable():
    rules = IndicatorRules.from_mapping({"followup_min_days": 140, "followup_max_days": 220})
    assert "EECR05" in counted(rules=rules, **followup(145))
    assert "EECR05" in counted(rules=rules, **followup(215))


def test_followup_after_the_reporting_date_is_ignored():
    observed = date(2025, 6, 1) + timedelta(180)
    assert "EECR05" not in counted(as_of=observed - timedelta(1), **followup(180))
    assert "EECR05" in counted(as_of=observed, **followup(180))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("unemployed", {"EECR05"}),
        ("inactive", {"EECR05"}),
        ("employed", {"EECR06"}),
        ("self_employed", {"EECR06"}),
    ],
)
def test_followup_reference_populations(status, expected):
    got = counted(lm_status_entry=status, **followup(180))
    assert got & {"EECR05", "EECR06"} == expected


def test_result_populations_are_configurable_per_indicator():
    rules = IndicatorRules.from_mapping(
        {"result_populations": {"EECR01": ["inactive", "unemployed"]}}
    )
    got = counted(rules=rules, exit_date=EXIT, exit_job_searching="yes", exit_employed="yes")
    assert {"EECR01", "EECR04"} <= got  # EECR04 keeps its default population


# --- rules object -----------------------------------------------------------------------------


def test_default_rules_are_the_spec_defaults():
    rules = IndicatorRules()
    assert rules.to_mapping() == {
        "long_term_unemployed_months": 12,
        "long_term_unemployed_months_youth": 6,
        "youth_age_below": 25,
        "eea_swiss_are_third_country": True,
        "rural_skr_groups": ["C8", "C9"],
        "exit_observation_days": 28,
        "followup_min_days": 150,
        "followup_max_days": 210,
        "result_populations": {
            "EECR01": ["inactive"],
            "EECR02": ["employed", "inactive", "self_employed", "unemployed"],
            "EECR03": ["employed", "inactive", "self_employed", "unemployed"],
            "EECR04": ["inactive", "unemployed"],
            "EECR05": ["inactive", "unemployed"],
            "EECR06": ["employed", "self_employed"],
        },
    }
    assert IndicatorRules.from_mapping({}) == rules
    assert IndicatorRules.from_mapping(rules.to_mapping()) == rules
    assert hash(IndicatorRules.from_mapping(rules.to_mapping())) == hash(rules)


@pytest.mark.parametrize(
    "mapping",
    [
        {"long_term_months": 12},
        {"youth_age_below": "25"},
        {"youth_age_below": True},
        {"eea_swiss_are_third_country": "no"},
        {"rural_skr_groups": "C8"},
        {"result_populations": {"EECR07": ["inactive"]}},
        {"result_populations": {"EECR01": ["student"]}},
        {"followup_min_days": 220},
        {"exit_observation_days": -1},
    ],
)
def test_bad_rule_settings_are_rejected(mapping):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked elsewhere
        IndicatorRules.from_mapping(mapping)


def test_unknown_rule_names_are_named_in_the_error():
    with pytest.raises(ValueError, match="long_term_months"):
        IndicatorRules.from_mapping({"long_term_months": 12})


# --- gender breakdown and output --------------------------------------------------------------


def test_gender_breakdown_and_total():
    rows = [
        {**BASE, "participant_ref": f"P{i}", "gender": g}
        for i, g in enumerate(["woman", "kvinna", "man", "non_binary", "icke-binär", "MAN"])
    ]
    row = compute(rows).indicator("EECO01")
    assert (row.total, row.woman, row.man, row.non_binary) == (6, 2, 2, 2)


def test_json_lists_all_23_codes_in_order_with_zeros():
    result = compute([BASE])
    data = json.loads(result.to_json())
    assert data["as_of"] == "2026-06-30"
    assert data["participants"] == {
        "read": 1,
        "reportable": 1,
        "incomplete": 0,
        "not_yet_started": 0,
    }
    assert [i["code"] for i in data["indicators"]] == CODES
    assert data["indicators"][0] == {
        "code": "EECO01",
        "name": "total number of participants",
        "total": 1,
        "woman": 1,
        "man": 0,
        "non_binary": 0,
    }
    assert data["indicators"][-1]["total"] == 0
    assert data["incomplete_participants"] == []


@settings(max_examples=30, deadline=None)
@given(
    refs=st.lists(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
            min_size=1,
            max_size=40,
        ).filter(lambda s: s.strip() and "," not in s),
        min_size=1,
        max_size=5,
        unique_by=lambda s: s.strip(),
    ),
)
def test_json_with_a_completeness_report_is_what_json_writes(refs):
    # given incomplete participants whose references hold quotes, backslashes, control
    # characters and non-ASCII text, missing one or several core values
    rows = [
        {**BASE, "participant_ref": ref, "gender": "", "isced": "" if i % 2 else "3"}
        for i, ref in enumerate(refs)
    ]
    result = compute_indicators(read_participant_file(to_csv(rows), as_of=AS_OF).data, as_of=AS_OF)
    assert result.completeness.height == len(refs)
    # when it is written as JSON, then the text is json's own, byte for byte
    assert result.to_json() == json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
    assert result.to_json(indent=None) == json.dumps(result.to_dict(), ensure_ascii=False)


@pytest.mark.parametrize(
    ("ref", "column_wise"),
    [
        ("P-1", True),
        ("with 'quote' ok", True),
        ('with "quote"', False),
        ("back\\slash", False),
        ("tab\there", False),
        ("Åsa ☃", True),
    ],
)
def test_json_report_is_written_column_wise_unless_a_string_needs_escaping(ref, column_wise):
    # given incomplete participants: one missing several core values, one missing one
    rows = [
        {**BASE, "participant_ref": ref, "gender": "", "isced": ""},
        {**BASE, "participant_ref": "second", "isced": ""},
        {**BASE, "participant_ref": "third"},
    ]
    result = compute_indicators(
        read_participant_file(to_csv(rows), as_of=AS_OF, organisations=None).data, as_of=AS_OF
    )
    report = result.completeness
    assert report.height == 2
    # when the report rows are written column-wise, then they are exactly json's (or, when a
    # string needs escaping, the column-wise writer declines and json's encoder writes them)
    text = _report_text(report)
    assert (text is not None) == column_wise
    if text is not None:
        assert text == ",\n".join(_report_rows(report))
    assert result.to_json() == json.dumps(result.to_dict(), ensure_ascii=False, indent=2)


def test_json_report_column_wise_writes_nulls_and_empty_lists_as_json_does():
    report = pl.DataFrame(
        {
            "row": [2, None, 4],
            "participant_ref": [None, "b", "c"],
            "organisation": ["X", None, "Z"],
            "missing": [["gender", None], [], None],
        },
        schema=dict(_REPORT),
    )
    assert _report_text(report) == ",\n".join(_report_rows(report))
    rows = json.loads("[" + (_report_text(report) or "") + "]")
    assert rows[1] == {"row": None, "participant_ref": "b", "organisation": None, "missing": []}
    assert rows[0]["missing"] == ["gender", None] and rows[2]["missing"] is None


def test_csv_and_xlsx_hold_the_same_table(tmp_path):
    result = compute([BASE, {**BASE, "participant_ref": "P2", "gender": "man"}])
    lines = list(csv.reader(io.StringIO(result.to_csv())))
    assert lines[0] == ["code", "name", "total", "woman", "man", "non_binary"]
    assert lines[1] == ["EECO01", "total number of participants", "2", "1", "1", "0"]
    assert len(lines) == 24
    path = tmp_path / "out.xlsx"
    result.write_xlsx(path)
    sheet = load_workbook(path)["indicators"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == lines[0]
    assert values[1] == ["EECO01", "total number of participants", 2, 1, 1, 0]
    assert [r[0] for r in values[1:]] == CODES


def test_suppressed_result_hides_small_cells_and_drops_the_completeness_list():
    rows = [
        {**BASE, "participant_ref": f"P{i}", "gender": "woman" if i < 8 else "man"}
        for i in range(10)
    ]
    rows.append({**BASE, "participant_ref": "X", "gender": ""})
    result = compute(rows).suppress(5)
    row = result.indicator("EECO01")
    assert (row.total, row.woman, row.man) == (10, None, None)
    assert result.participants.incomplete is None  # 1 person
    data = result.to_dict()
    assert data["suppressed_below"] == 5 and "incomplete_participants" not in data
    assert ",," in result.to_csv().splitlines()[1]


# --- an independent reference implementation --------------------------------------------------

EU_TEXT = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
EU = set(EU_TEXT.split())
BOOL = {
    "yes": True,
    "ja": True,
    "true": True,
    "1": True,
    "no": False,
    "nej": False,
    "false": False,
    "0": False,
}
GENDER = {
    "woman": "woman",
    "kvinna": "woman",
    "man": "man",
    "non_binary": "non_binary",
    "icke-binär": "non_binary",
}


def reference(rows: list[dict], as_of: date) -> tuple[dict, dict[str, Counter]]:
    """The spec's rules, written out row by row over the raw cells."""
    groups = {c: m.skr_group_2023 for c, m in municipality_by_code().items()}

    def text(r, k):
        v = r.get(k)
        return v.strip() if v and v.strip() else None

    def day(r, k):
        v = text(r, k)
        return date.fromisoformat(v) if v else None

    def flag(r, k):
        v = text(r, k)
        return BOOL[v.lower()] if v else None

    counts = {"read": 0, "reportable": 0, "incomplete": 0, "not_yet_started": 0}
    table = {code: Counter() for code in CODES}
    for r in rows:
        counts["read"] += 1
        entry = day(r, "entry_date")
        if entry > as_of:
            counts["not_yet_started"] += 1
            continue
        birth = day(r, "birth_date")
        if birth is None and text(r, "personal_id"):
            try:
                birth = parse_personnummer(text(r, "personal_id"), reference_date=as_of).birth_date
            except PersonnummerError:
                birth = None
        gender = GENDER.get((text(r, "gender") or "").lower())
        status = text(r, "lm_status_entry")
        months = text(r, "unemployed_months")
        isced = text(r, "isced")
        if None in (birth, gender, status, isced) or (status == "unemployed" and months is None):
            counts["incomplete"] += 1
            continue
        counts["reportable"] += 1
        months = int(months) if months is not None else None
        isced = int(isced)
        age = entry.year - birth.year - ((entry.month, entry.day) < (birth.month, birth.day))
        cit = (text(r, "citizenship") or "").upper()
        rural = flag(r, "rural")
        if rural is None:
            rural = groups.get(text(r, "municipality_code") or "") in ("C8", "C9")
        exit_ = day(r, "exit_date")
        left = exit_ is not None and exit_ <= as_of
        seen = day(r, "exit_observed_on") or exit_
        upon = left and seen <= as_of and 0 <= (seen - exit_).days <= 28
        fu = day(r, "followup_observed_on")
        in_window = left and fu is not None and fu <= as_of and 150 <= (fu - exit_).days <= 210
        parents = text(r, "parents_born_abroad")
        hits = {
            "EECO01": True,
            "EECO02": status == "unemployed",
            "EECO03": status == "unemployed" and (months >= 12 or (age < 25 and months >= 6)),
            "EECO04": status == "inactive",
            "EECO05": status in ("employed", "self_employed"),
            "EECO06": age < 18,
            "EECO07": 18 <= age <= 29,
            "EECO08": age >= 55,
            "EECO09": isced <= 2,
            "EECO10": isced in (3, 4),
            "EECO11": isced >= 5,
            "EECO12": text(r, "disability") == "yes",
            "EECO13": cit != "" and cit not in EU,
            "EECO14": flag(r, "born_abroad") is True or parents == "2",
            "EECO15": text(r, "minority") == "yes",
            "EECO16": flag(r, "homeless") is True,
            "EECO17": rural,
            "EECR01": upon and flag(r, "exit_job_searching") is True and status == "inactive",
            "EECR02": upon and flag(r, "exit_in_education") is True,
            "EECR03": upon and flag(r, "exit_qualification") is True,
            "EECR04": upon
            and flag(r, "exit_employed") is True
            and status in ("unemployed", "inactive"),
            "EECR05": in_window
            and flag(r, "followup_employed") is True
            and status in ("unemployed", "inactive"),
            "EECR06": in_window
            and flag(r, "followup_improved") is True
            and status in ("employed", "self_employed"),
        }
        for code, hit in hits.items():
            if hit:
                table[code][gender] += 1
    return counts, table


def assert_same_as_reference(rows: list[dict], as_of: date) -> None:
    result = compute(rows, as_of=as_of)
    counts, table = reference(rows, as_of)
    assert result.participants.as_dict() == counts
    for row in result.indicators:
        expected = table[row.code]
        got = {"woman": row.woman, "man": row.man, "non_binary": row.non_binary}
        assert got == {g: expected[g] for g in got}, row.code
        assert row.total == sum(expected.values()), row.code


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("as_of", [date(2024, 3, 31), date(2025, 12, 31), AS_OF])
def test_polars_equals_the_reference_on_synthetic_files(seed, as_of):
    frame = generate_participants(3000, seed=seed, as_of=as_of, personal_ids=seed == 2)
    assert_same_as_reference(frame.to_dicts(), as_of)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 300), offset=st.integers(-900, 60))
def test_polars_equals_the_reference_for_any_seed_and_date(seed, n, offset):
    as_of = AS_OF + timedelta(days=offset)
    frame = generate_participants(n, seed=seed, as_of=AS_OF)
    assert_same_as_reference(frame.to_dicts(), as_of)


def test_synthetic_files_are_deterministic_and_varied():
    a = generate_participants(2000, seed=5)
    assert a.equals(generate_participants(2000, seed=5))
    assert not a.equals(generate_participants(2000, seed=6))
    result = compute(a.to_dicts())
    assert result.participants.incomplete > 0 and result.participants.not_yet_started > 0
    assert all(row.total > 0 for row in result.indicators)
