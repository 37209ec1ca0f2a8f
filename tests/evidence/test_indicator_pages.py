"""ESF+ indicators of the database: scope, suppression, filters, page, exports and API."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.conftest import import_basis

from emplus.core.roles import Role
from emplus.core.suppression import determined_cells
from emplus.evidence.filters import IndicatorFilterSet
from emplus.evidence.selectors import (
    SCOPE_OWN,
    SCOPE_PARTNERSHIP,
    IndicatorFilters,
    indicator_report,
)
from emplus.methods.models import Method
from emplus.pathways.importing import participants_import
from emplus.testbeds import models as testbed_models

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
URL = "/evidence/indicators/"
API = "/api/indicators/"


def person(ref: str, org: str, gender: str, status: str, **extra) -> dict:
    row = {
        "participant_ref": ref,
        "organisation": org,
        "birth_date": "1990-05-01",
        "gender": gender,
        "municipality_code": "2480",
        "entry_date": "2025-02-01",
        "lm_status_entry": status,
        "unemployed_months": "14" if status == "unemployed" else "",
        "isced": "3",
    }
    row.update(extra)
    return row


# Organisation A: 5 women unemployed (2 with method MENT, one left for a job), 3 men inactive,
# one woman without a birth date (incomplete). Organisation B: 6 women unemployed.
ROWS_A = (
    [
        person("A-W1", "ORGA", "woman", "unemployed", method="MENT", test_bed="TB1"),
        person(
            "A-W2",
            "ORGA",
            "woman",
            "unemployed",
            method="MENT",
            exit_date="2026-01-15",
            exit_employed="yes",
        ),
    ]
    + [person(f"A-W{i}", "ORGA", "woman", "unemployed") for i in range(3, 6)]
    + [person(f"A-M{i}", "ORGA", "man", "inactive", entry_date="2025-09-01") for i in range(1, 4)]
    + [person("A-X1", "ORGA", "woman", "unemployed", birth_date="")]
)
ROWS_B = [
    person(f"B-W{i}", "ORGB", "woman", "unemployed", municipality_code="1280")
    for i in (1, 2, 3, 4, 5, 6)
]


def csv_bytes(rows: list[dict]) -> bytes:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def data(coach, other_org_coach, org_a, org_b):
    Method.objects.create(code="MENT", name="Mentoring")
    testbed_models.TestBed.objects.create(code="TB1", name="Test bed one")
    for actor, org, rows in ((coach, org_a, ROWS_A), (other_org_coach, org_b, ROWS_B)):
        result = participants_import(
            actor=actor,
            organisation=org,
            source=csv_bytes(rows),
            file_name="f.csv",
            legal_basis="consent",
            basis=import_basis(),
            as_of=AS_OF,
        )
        assert result.ok, result.errors


def filters(**kw) -> IndicatorFilters:
    return IndicatorFilters(as_of=AS_OF, **kw)


# --- scope and suppression -------------------------------------------------------------------


def test_coordinator_sees_own_organisation_unsuppressed_with_completeness_counts(data, coordinator):
    # when
    report = indicator_report(viewer=coordinator, filters=filters())
    # then
    assert report.scope == SCOPE_OWN and report.suppressed_below is None
    assert report.organisations == ("ORGA",)
    total = report.result.indicator("EECO01")
    assert (total.total, total.woman, total.man, total.non_binary) == (8, 5, 3, 0)
    assert report.result.indicator("EECO04").man == 3
    assert report.result.participants.incomplete == 1
    assert report.missing_core == {
        "birth_date": 1,
        "gender": 0,
        "lm_status_entry": 0,
        "isced": 0,
        "unemployed_months": 0,
    }
    assert report.result.completeness.height == 0  # no participant references leave


def test_partnership_aggregate_hides_a_cell_of_three_and_its_complement(data, analyst):
    # when: all organisations (5 + 6 women, 3 men)
    report = indicator_report(viewer=analyst, filters=filters())
    # then
    assert report.scope == SCOPE_PARTNERSHIP and report.suppressed_below == 5
    assert report.organisations == ("ORGA", "ORGB")
    total = report.result.indicator("EECO01")
    assert total.man is None  # 3 persons
    assert total.woman is None  # the complement that would give 14 - 11 = 3
    assert report.missing_core is None


def test_no_hidden_partnership_cell_is_recoverable(data, analyst, admin_user):
    # given the true table (what the analyst must not be able to reconstruct)
    from emplus.evidence_core.indicators import compute_indicators
    from emplus.pathways.evidence_adapter import participant_frame
    from emplus.pathways.models import Participant

    true = compute_indicators(participant_frame(Participant.objects.all()), as_of=AS_OF)
    # when
    shown = indicator_report(viewer=analyst, filters=filters()).result
    # then
    cells, hidden = {}, set()
    for t, s in zip(true.indicators, shown.indicators, strict=True):
        for col in ("total", "woman", "man", "non_binary"):
            cells[(t.code, col)] = getattr(t, col)
            if getattr(s, col) is None:
                hidden.add((t.code, col))
            else:
                assert getattr(s, col) == getattr(t, col)
                assert not 0 < getattr(s, col) < 5
    relations = [
        tuple((r.code, c) for c in ("total", "woman", "man", "non_binary")) for r in true.indicators
    ]
    assert hidden
    assert determined_cells(cells, relations, hidden) == set()


def test_analyst_choosing_own_organisation_sees_it_unsuppressed(data, analyst):
    # when
    report = indicator_report(viewer=analyst, filters=filters(organisation="ORGA"))
    # then
    assert report.scope == SCOPE_OWN
    assert report.result.indicator("EECO01").man == 3


def test_analyst_sees_another_organisation_only_suppressed(data, analyst):
    # when
    report = indicator_report(viewer=analyst, filters=filters(organisation="ORGB"))
    # then
    assert report.scope == SCOPE_PARTNERSHIP
    assert report.result.indicator("EECO01").total == 6
    assert report.result.participants.incomplete == 0


def test_admin_sees_even_own_organisation_suppressed(data, admin_user):
    # when
    report = indicator_report(viewer=admin_user, filters=filters(organisation="ORGA"))
    # then
    assert report.suppressed_below == 5
    assert report.result.indicator("EECO01").man is None


def test_coordinator_cannot_aggregate_another_organisation(data, coordinator, client):
    # when
    client.force_login(coordinator)
    response = client.get(URL, {"organisation": "ORGB", "as_of": AS_OF.isoformat()})
    api = client.get(API, {"organisation": "ORGB"})
    # then
    assert response.status_code == 404
    assert api.status_code == 404


def test_coordinator_cannot_use_another_organisations_unit(data, coordinator, client, unit_b1):
    client.force_login(coordinator)
    assert client.get(URL, {"unit": str(unit_b1.pk)}).status_code == 404


# --- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"method": "MENT"}, (2, 2, 0)),
        ({"test_bed": "TB1"}, (1, 1, 0)),
        ({"entry_from": date(2025, 8, 1)}, (3, 0, 3)),
        ({"entry_to": date(2025, 8, 1)}, (5, 5, 0)),
        ({"municipality": "1280"}, (0, 0, 0)),
        ({"county": "24"}, (8, 5, 3)),
        ({"county": "12"}, (0, 0, 0)),
    ],
)
def test_filters_select_participants_and_enrolments(data, coordinator, kw, expected):
    # when
    row = indicator_report(viewer=coordinator, filters=filters(**kw)).result.indicator("EECO01")
    # then
    assert (row.total, row.woman, row.man) == expected


def test_unit_filter(data, coordinator, unit_a1, unit_a2):
    assert (
        indicator_report(viewer=coordinator, filters=filters(unit=unit_a1.pk))
        .result.indicator("EECO01")
        .total
        == 8
    )
    assert (
        indicator_report(viewer=coordinator, filters=filters(unit=unit_a2.pk))
        .result.indicator("EECO01")
        .total
        == 0
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", [URL, "/evidence/progression/"])
def test_the_filters_offer_the_viewers_choices_with_the_chosen_ones_selected(
    data, coordinator, client, unit_a1, url
):
    # given a unit whose name needs escaping
    unit_a1.name = 'Väst & "Norr"'
    unit_a1.save()
    client.force_login(coordinator)
    # when the page is asked for with a unit and a municipality chosen
    page = client.get(url, {"unit": str(unit_a1.pk), "municipality": "2480"}).content.decode()
    # then each list offers its choices, those chosen selected, every name escaped
    assert f'<option value="{unit_a1.pk}" selected>ORGA: Väst &amp; &quot;Norr&quot;</option>' in (
        page
    )
    assert '<option value="2480" selected>Umeå</option>' in page
    assert '<option value="0180">Stockholm</option>' in page
    assert '<option value="ORGA">' in page and '<option value="ORGB">' not in page
    assert page.count(" selected>") == 2 + (url != URL)  # and the progression's grouping


def test_malformed_filters_are_reported_not_applied():
    # when
    filterset = IndicatorFilterSet(
        {"entry_from": "2025-13-01", "unit": "nope", "entry_to": "2025-01-01", "method": "NOPE"}
    )
    # then every bad value is an error naming its parameter, and none of them is applied
    assert set(filterset.errors) == {"entry_from", "unit", "method"}
    parsed = filterset.selector_filters
    assert parsed.entry_from is None and parsed.unit is None and parsed.method == ""
    assert parsed.entry_to == date(2025, 1, 1)


@pytest.mark.django_db
def test_period_ending_before_it_starts_is_an_error():
    filterset = IndicatorFilterSet({"entry_from": "2025-06-01", "entry_to": "2025-01-01"})
    assert "entry_to" in filterset.errors
    assert filterset.selector_filters.entry_to is None


# --- equal to the command line ----------------------------------------------------------------


def test_numbers_equal_the_command_line_on_the_same_data(data, coordinator, tmp_path, capsys):
    # given the same participants as a file
    path = tmp_path / "orga.csv"
    path.write_bytes(csv_bytes(ROWS_A))
    # when
    call_command("esf_indicators", str(path), "--as-of", AS_OF.isoformat())
    from_cli = json.loads(capsys.readouterr().out)
    report = indicator_report(viewer=coordinator, filters=filters())
    # then (special categories follow their own rule on the page, tested in
    # test_special_category_aggregates.py; the file command is the owner's own data)
    special = {"EECO12", "EECO13", "EECO14", "EECO15"}
    on_page = [r for r in report.to_dict()["indicators"] if r["code"] not in special]
    assert on_page == [r for r in from_cli["indicators"] if r["code"] not in special]
    assert report.to_dict()["participants"] == from_cli["participants"]


# --- page, exports, API, role matrix ----------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("coach", 403),
        ("other_org_coach", 403),
        ("no_role_user", 403),
        ("coordinator", 200),
        ("analyst", 200),
        ("admin_user", 200),
    ],
)
def test_role_matrix(data, client, request, persona, status):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(URL).status_code == status
    assert client.get(API).status_code == status


def test_anonymous_is_sent_to_log_in_and_refused_by_the_api(client):
    assert client.get(URL).status_code == 302
    assert client.get(API).status_code in (401, 403)


def test_page_shows_indicators_completeness_count_and_no_references(data, coordinator, client):
    # when
    client.force_login(coordinator)
    response = client.get(URL, {"as_of": AS_OF.isoformat()})
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<tr data-code=") == 23
    assert 'id="completeness"' in page
    assert "A-X1" not in page and "A-W1" not in page


def test_page_for_partnership_marks_hidden_cells(data, analyst, client):
    client.force_login(analyst)
    page = client.get(URL, {"as_of": AS_OF.isoformat()}).content.decode()
    assert 'id="completeness"' not in page
    assert "visually-hidden" in page and 'id="scope"' in page


def test_csv_export_is_the_suppressed_table(data, analyst, client):
    # when
    client.force_login(analyst)
    response = client.get(URL, {"as_of": AS_OF.isoformat(), "export": "csv"})
    # then
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 23
    eeco01 = rows[0]
    assert eeco01["code"] == "EECO01" and eeco01["man"] == ""


def test_xlsx_export_has_no_participant_references(data, coordinator, client):
    # when
    client.force_login(coordinator)
    response = client.get(URL, {"as_of": AS_OF.isoformat(), "export": "xlsx"})
    # then
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert 8 in values
    assert not any(isinstance(v, str) and v.startswith("A-") for v in values)


def test_api_returns_the_same_numbers_as_the_selector(data, analyst, client):
    # when
    client.force_login(analyst)
    body = client.get(API, {"as_of": AS_OF.isoformat()}).json()
    # then
    expected = indicator_report(viewer=analyst, filters=filters()).to_dict()
    assert body["indicators"] == expected["indicators"]
    assert body["suppressed_below"] == 5 and body["missing_core_data"] is None
    assert "incomplete_participants" not in body


def test_api_rejects_malformed_filters(data, analyst, client):
    client.force_login(analyst)
    response = client.get(API, {"as_of": "yesterday"})
    assert response.status_code == 400 and "as_of" in response.json()


def test_navigation_shows_evidence_to_analysts_not_coaches(data, client, analyst, coach):
    client.force_login(analyst)
    assert reverse("evidence:indicators") in client.get("/").content.decode()
    client.force_login(coach)
    assert reverse("evidence:indicators") not in client.get("/").content.decode()


def test_membership_roles_used_in_tests_are_what_the_policy_expects():
    from emplus.core.roles import role_has_permission

    assert role_has_permission(Role.ANALYST, "evidence.view_partnership")
    assert not role_has_permission(Role.COORDINATOR, "evidence.view_partnership")
    assert not role_has_permission(Role.COACH, "evidence.view")
