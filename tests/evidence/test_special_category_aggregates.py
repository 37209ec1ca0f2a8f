"""Aggregates do not single out people: special-category counts on the indicator and
progression pages, API and exports hold against narrow filters and against differencing, for
every viewer, the own organisation's coordinators included (docs/decisions/0015)."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date

import pytest
from django.http import Http404
from tests.conftest import import_basis, make_user

from emplus.evidence.selectors import IndicatorFilters, indicator_report, progression_report
from emplus.evidence_core.special_categories import is_safe
from emplus.methods.models import Method
from emplus.pathways.importing import participants_import
from emplus.pathways.models import Dimension, Enrolment, Instrument, Participant
from emplus.pathways.services import assessment_record

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 12, 31)
TARGET_DAY = date(2025, 6, 30)


def person(ref, org, entry, *, disability="no", gender="woman", municipality="2480", **extra):
    return {
        "participant_ref": ref,
        "organisation": org,
        "birth_date": "1990-05-01",
        "gender": gender,
        "municipality_code": municipality,
        "entry_date": entry.isoformat(),
        "lm_status_entry": "inactive",
        "isced": "3",
        "disability": disability,
        **extra,
    }


# Organisation A: 2024, 10 enrolments of which 5 with a disability; 2025, 12 of which 6.
# Organisation B: 2024, 6 without; 2025, 6 without and the one person the attacker is after,
# with a disability, who entered on 30 June 2025 in Malmö (B's only unit).
ROWS_A = [
    person(f"A24-{i}", "ORGA", date(2024, 3, 1), disability="yes" if i < 5 else "no")
    for i in range(10)
] + [
    person(
        f"A25-{i}",
        "ORGA",
        date(2025, 3, 1),
        disability="yes" if i < 6 else "no",
        gender="woman" if i % 2 else "man",
        municipality="2480" if i < 8 else "2521",
    )
    for i in range(12)
]
ROWS_B = (
    [person(f"B24-{i}", "ORGB", date(2024, 3, 1), municipality="1280") for i in range(6)]
    + [person(f"B25-{i}", "ORGB", date(2025, 3, 1), municipality="1280") for i in range(6)]
    + [person("TARGET", "ORGB", TARGET_DAY, disability="yes", municipality="1280")]
)


def csv_bytes(rows: list[dict]) -> bytes:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def data(coach, other_org_coach, org_a, org_b, unit_a1, unit_b1):
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
    # the importer puts everyone in the organisation; the units of the test are set here
    Participant.objects.filter(organisation=org_a).update(unit=unit_a1)
    Participant.objects.filter(organisation=org_b).update(unit=unit_b1)


@pytest.fixture
def coordinator_b(org_b):
    from emplus.core.roles import Role

    return make_user("coordinator-b", org_b, Role.COORDINATOR)


def eeco12(viewer, **kw):
    kw.setdefault("as_of", AS_OF)
    row = indicator_report(viewer=viewer, filters=IndicatorFilters(**kw)).result.indicator("EECO12")
    return row.total


# --- the attacks --------------------------------------------------------------------------


def test_one_day_never_shows_a_special_category_count(data, analyst, coordinator_b):
    # given an attacker who knows that someone entered on 30 June 2025
    for viewer in (analyst, coordinator_b):
        # when they ask for that day, and for the half-year up to the day before it
        day = eeco12(viewer, organisation="ORGB", entry_from=TARGET_DAY, entry_to=TARGET_DAY)
        before = eeco12(
            viewer, organisation="ORGB", entry_from=date(2025, 1, 1), entry_to=date(2025, 6, 29)
        )
        upto = eeco12(viewer, organisation="ORGB", entry_from=date(2025, 1, 1), entry_to=TARGET_DAY)
        # then none of it is shown
        assert (day, before, upto) == (None, None, None)


def test_moving_the_reporting_date_by_a_day_changes_nothing(data, analyst):
    # the reporting date's block counts whole: the day before and the day itself agree
    assert eeco12(analyst, as_of=TARGET_DAY) == eeco12(analyst, as_of=date(2025, 6, 29)) == 12


def test_the_small_organisation_cannot_be_taken_out_of_the_partnership(data, analyst):
    # given the partnership in 2025 (7 with a disability) and organisation A (6)
    whole_2025 = {"entry_from": date(2025, 1, 1), "entry_to": date(2025, 12, 31)}
    # when / then: the partnership is shown, but neither organisation alone, since B's one
    # person with a disability would be the difference
    assert eeco12(analyst, **whole_2025) == 7
    assert eeco12(analyst, organisation="ORGA", **whole_2025) is None
    assert eeco12(analyst, organisation="ORGB", **whole_2025) is None


def test_overlapping_periods_differ_only_by_whole_safe_blocks(data, analyst):
    both = eeco12(analyst, entry_from=date(2024, 1, 1), entry_to=date(2025, 12, 31))
    first = eeco12(analyst, entry_from=date(2024, 1, 1), entry_to=date(2024, 12, 31))
    assert (both, first) == (12, 5)  # the difference is the whole partnership in 2025: 7


def test_nested_areas_and_units_show_no_special_category_count(
    data, analyst, coordinator_b, unit_b1
):
    for viewer in (analyst, coordinator_b):
        assert eeco12(viewer, county="12") is None
        assert eeco12(viewer, municipality="1280") is None
        assert eeco12(viewer, organisation="ORGB", unit=unit_b1.pk) is None


def test_the_own_organisation_gets_no_full_detail_for_special_categories(
    data, coordinator, coordinator_b
):
    # the other indicators stay at full detail for one's own organisation ...
    report = indicator_report(
        viewer=coordinator_b, filters=IndicatorFilters(as_of=AS_OF, entry_from=TARGET_DAY)
    )
    assert report.suppressed_below is None
    assert report.result.indicator("EECO01").total == 1
    # ... but the special categories follow the rule: not for a narrow period, not for B's
    # 2025 (one person), and for A's 2024 (5 of 10) yes
    assert report.result.indicator("EECO12").total is None
    assert eeco12(coordinator_b, entry_from=date(2025, 1, 1)) is None
    assert eeco12(coordinator, entry_from=date(2024, 1, 1), entry_to=date(2024, 12, 31)) == 5


def test_no_combination_of_page_answers_isolates_fewer_than_five(
    data, analyst, coordinator, coordinator_b, unit_a1, unit_b1
):
    """The attacker asks everything the filters allow, as every persona, and combines every
    answer with every other: each group of people that the answers separate holds 0 or at
    least 5 with a disability (and 0 or at least 5 without)."""
    years = (2024, 2025)
    periods = [(None, None)]
    periods += [(date(y, 1, 1), date(y, 12, 31)) for y in years]
    periods += [(date(2024, 1, 1), date(2025, 12, 31)), (date(2025, 1, 1), None)]
    periods += [(date(2025, 1, 1), date(2025, 6, 29)), (TARGET_DAY, TARGET_DAY)]
    narrow = [{}, {"county": "12"}, {"municipality": "1280"}, {"unit": unit_b1.pk}]
    narrow += [{"unit": unit_a1.pk}, {"county": "24"}]
    answers = []
    for viewer, org, (start, end), extra, as_of in itertools.product(
        (analyst, coordinator, coordinator_b),
        ("", "ORGA", "ORGB"),
        periods,
        narrow,
        (AS_OF, TARGET_DAY, date(2025, 6, 29)),
    ):
        try:
            value = eeco12(
                viewer, organisation=org, entry_from=start, entry_to=end, as_of=as_of, **extra
            )
        except Http404:  # out of the viewer's reach
            continue
        if value is None:
            continue
        # a shown count is always a whole request: whole organisations and whole years
        assert not extra
        orgs = {"ORGA", "ORGB"} if not org else {org}
        if viewer == coordinator and not org:
            orgs = {"ORGA"}
        if viewer == coordinator_b and not org:
            orgs = {"ORGB"}
        last = as_of.year if end is None or end >= as_of else end.year
        first = start.year if start else min(years)
        answers.append({(o, y) for o in orgs for y in years if first <= y <= last})
    assert answers, "nothing shown at all"
    rows = ROWS_A + ROWS_B
    signature: dict = {}
    for cell in set().union(*answers):
        key = frozenset(i for i, a in enumerate(answers) if cell in a)
        signature.setdefault(key, set()).add(cell)
    for group in signature.values():
        chosen = [r for r in rows if (r["organisation"], int(r["entry_date"][:4])) in group]
        yes = sum(r["disability"] == "yes" for r in chosen)
        assert is_safe(yes) and is_safe(len(chosen) - yes), sorted(group)


# --- page, API, export --------------------------------------------------------------------


def test_page_explains_and_offers_the_whole_request(data, client, coordinator_b, unit_b1):
    client.cookies["django_language"] = "en"
    client.force_login(coordinator_b)
    response = client.get(
        "/evidence/indicators/",
        {"unit": str(unit_b1.pk), "entry_from": "2025-06-30", "as_of": "2025-12-31"},
    )
    html = response.content.decode()
    assert 'id="special-categories"' in html
    assert "so these counts are not shown" in html
    assert "entry_from=2025-01-01" in html and "organisation=ORGB" in html
    assert "unit=" not in html.split('id="special-categories"')[1].split("</div>")[0]


def test_api_and_export_carry_the_same_hidden_cells(data, client, analyst):
    client.force_login(analyst)
    params = {"organisation": "ORGB", "entry_from": "2025-06-30", "as_of": "2025-12-31"}
    data_ = client.get("/api/indicators/", params).json()
    row = next(r for r in data_["indicators"] if r["code"] == "EECO12")
    assert row["total"] is None
    assert data_["special_categories"]["whole_blocks"] is False
    exported = client.get("/evidence/indicators/", {**params, "export": "csv"}).content.decode()
    line = next(r for r in csv.reader(io.StringIO(exported)) if r[0] == "EECO12")
    assert line[2:] == ["", "", "", ""]


# --- progression on health ------------------------------------------------------------------


@pytest.fixture
def health_instrument(db):
    Instrument.objects.update(is_active=False)
    instrument = Instrument.objects.create(
        code="AAA-HEALTH", name_sv="Test", name_en="Test", scale_min=1, scale_max=10
    )
    for order, code in enumerate(("goal", "health")):
        Dimension.objects.create(
            instrument=instrument,
            code=code,
            order=order,
            label_sv=code,
            label_en=code,
            anchor_low_sv="",
            anchor_low_en="",
            anchor_high_sv="",
            anchor_high_en="",
        )
    return instrument


@pytest.fixture
def assessed(health_instrument, coach, unit_a1):
    """Six enrolments of organisation A in 2025, assessed twice; one of them on 30 June."""
    method = Method.objects.create(code="MENT", name="Mentoring")
    for i in range(6):
        participant = Participant.objects.create(
            organisation=unit_a1.organisation, unit=unit_a1, participant_ref=f"H{i}"
        )
        entry = TARGET_DAY if i == 5 else date(2025, 2, 1)
        enrolment = Enrolment.objects.create(
            participant=participant, entry_date=entry, method=method if i < 3 else None
        )
        for on, health in ((date(2025, 7, 1), 3 + i), (date(2025, 11, 1), 1 + i + i % 3)):
            assessment_record(
                actor=coach,
                enrolment=enrolment,
                instrument=health_instrument,
                assessed_on=on,
                scores={"goal": 5, "health": health},
            )


def _rows(report):
    return {(r.group, r.dimension): r for r in report.rows}


def test_health_progression_is_shown_for_the_whole_organisation_and_year(assessed, coordinator):
    report = progression_report(viewer=coordinator, filters=IndicatorFilters())
    rows = _rows(report)
    assert rows[("", "health")].n == 6 and rows[("ORGA", "health")].n == 6
    assert report.sensitive == ("health", "total") and report.sensitive_whole


def test_health_progression_of_one_day_or_half_a_year_is_hidden(assessed, coordinator):
    # the attacker compares the first half of 2025 with the half-year and one more day
    for entry_to in (date(2025, 6, 29), TARGET_DAY):
        report = progression_report(
            viewer=coordinator,
            filters=IndicatorFilters(entry_from=date(2025, 1, 1), entry_to=entry_to),
        )
        rows = _rows(report)
        assert rows[("", "health")].hidden and rows[("", "total")].hidden
        assert not rows[("", "goal")].hidden  # other dimensions as before
        assert report.whole_request == {"entry_from": "2025-01-01", "entry_to": "2025-12-31"}


def test_health_by_method_is_hidden_but_the_overall_row_is_not(assessed, coordinator):
    rows = _rows(progression_report(viewer=coordinator, group_by="method"))
    assert rows[("MENT", "health")].hidden and rows[("-", "health")].hidden
    assert not rows[("MENT", "goal")].hidden
    assert rows[("", "health")].n == 6


def test_health_is_never_on_a_method_page(assessed):
    from emplus.methods.selectors import enrolment_progression

    summary = enrolment_progression(Enrolment.objects.all())
    shown = dict(summary.rows)
    assert shown["health"] is None
    assert shown["goal"] is not None
