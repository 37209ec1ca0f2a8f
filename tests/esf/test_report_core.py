"""The pure monthly-report core: rows of a month, validation, layout, diffs and corrections."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emplus.esf import report_core as rc
from emplus.esf.report_core import (
    Column,
    Month,
    Participation,
    Person,
    ProjectFacts,
    SentMonth,
)

PROJECT = ProjectFacts(start=date(2026, 1, 1), end=date(2026, 12, 31))
TODAY = date(2027, 3, 1)
PNR = "199001011239"  # generated for this test file only


def person(ref, **kw):
    kw.setdefault("personal_id", PNR)
    if kw["personal_id"]:
        kw.setdefault("identity_ref", "pseudonym-of-" + kw["personal_id"])
    kw.setdefault("gender", "woman")
    kw.setdefault("birth_date", date(1990, 1, 1))
    return Person(key=f"p-{ref}", ref=ref, **kw)


def part(ref, start, end=None, key=None, **kw):
    return Participation(key=key or f"e-{ref}", person=person(ref, **kw), start=start, end=end)


def months(*texts):
    return {Month.parse(t) for t in texts}


# --- months --------------------------------------------------------------------------------


def test_month_arithmetic_across_the_year():
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2024, 2).last_day == date(2024, 2, 29)
    assert str(Month(2026, 3)) == "2026-03"
    assert Month.parse("2026-03") == Month(2026, 3)


def test_reporting_opens_the_next_month_and_is_due_four_weeks_after_month_end():
    month = Month(2026, 3)
    assert month.opens_on == date(2026, 4, 1)
    assert month.due_on == date(2026, 4, 28)


@pytest.mark.parametrize("text", ["2026-13", "2026-3", "26-03", "2026-00", "", "2026-03-01"])
def test_month_parse_refuses_malformed_text(text):
    with pytest.raises(ValueError):
        Month.parse(text)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9998, 12, 31)))
def test_a_day_lies_in_its_month(day):
    month = Month.of(day)
    assert month.first_day <= day <= month.last_day
    assert month.contains(day)
    assert month.next().previous() == month
    assert month.previous().next() == month
    assert month.next().first_day == month.last_day + timedelta(days=1)


# --- rows of a month -----------------------------------------------------------------------


def test_rows_are_who_started_and_who_left_in_the_month_ordered_by_date():
    # given
    participations = [
        part("C", date(2026, 3, 20)),  # starts in March
        part("A", date(2026, 1, 10), date(2026, 3, 5)),  # started in January, leaves in March
        part("B", date(2026, 3, 2), date(2026, 3, 28)),  # starts and leaves in March
        part("D", date(2026, 2, 1)),  # started in February, still in
        part("E", date(2026, 4, 1)),  # starts in April
    ]
    # when
    rows = rc.month_rows(participations, Month(2026, 3))
    # then
    assert [(r.participant_ref, r.kind) for r in rows] == [
        ("B", rc.START_END),
        ("A", rc.END),
        ("C", rc.START),
    ]
    assert rows[0].end_date == date(2026, 3, 28)
    assert rows[1].start_date == date(2026, 1, 10) and rows[1].end_date == date(2026, 3, 5)
    assert rows[2].end_date is None


def test_a_start_row_does_not_show_a_later_end():
    rows = rc.month_rows([part("A", date(2026, 1, 10), date(2026, 5, 5))], Month(2026, 1))
    assert rows[0].kind == rc.START and rows[0].end_date is None


participation_strategy = st.builds(
    lambda i, start_offset, length: Participation(
        key=f"e{i}",
        person=person(f"R{i:03d}"),
        start=date(2025, 11, 1) + timedelta(days=start_offset),
        end=None if length is None else date(2025, 11, 1) + timedelta(days=start_offset + length),
    ),
    st.integers(0, 10_000),
    st.integers(0, 500),
    st.none() | st.integers(0, 400),
)
participations_strategy = st.lists(participation_strategy, max_size=25, unique_by=lambda p: p.key)


@given(participations_strategy)
@settings(max_examples=60, deadline=None)
def test_every_start_and_every_end_is_reported_in_exactly_its_month(participations):
    months_seen = rc.months_between(Month(2025, 11), Month(2028, 6))
    starts, ends = [], []
    for month in months_seen:
        rows = rc.month_rows(participations, month)
        assert [r.reported_on for r in rows] == sorted(r.reported_on for r in rows)
        assert len({r.key for r in rows}) == len(rows)  # one row per enrolment and month
        for row in rows:
            if row.kind in (rc.START, rc.START_END):
                assert month.contains(row.start_date)
                starts.append(row.key)
            if row.kind in (rc.END, rc.START_END):
                assert month.contains(row.end_date)
                ends.append(row.key)
    assert sorted(starts) == sorted(p.key for p in participations)
    assert sorted(ends) == sorted(p.key for p in participations if p.end is not None)


# --- validation ----------------------------------------------------------------------------


def report(participations, month, *, generated=(), reported=(), project=PROJECT, today=TODAY):
    return rc.month_report(
        project=project,
        participations=participations,
        month=Month.parse(month),
        today=today,
        generated=months(*generated),
        reported=months(*reported),
    )


def codes(result):
    return sorted((p.code, p.participant_ref, p.field) for p in result.problems)


def test_a_clean_first_month_has_no_problems():
    result = report([part("A", date(2026, 1, 5))], "2026-01")
    assert result.ok
    assert result.rows[0].identity == PNR


def test_missing_identity_number_without_protection_is_a_problem_naming_the_reference_only():
    result = report([part("A", date(2026, 1, 5), personal_id=None)], "2026-01")
    assert codes(result) == [(rc.IDENTITY_MISSING, "A", "personal_id")]


def test_protected_woman_is_written_in_the_womens_form():
    p = part("A", date(2026, 1, 5), personal_id=PNR, protected_identity=True)
    result = report([p], "2026-01")
    assert result.ok
    assert result.rows[0].identity == "19900101Tf29"  # never the real number


def test_protected_man_is_refused_while_the_mens_form_is_unset_and_written_once_set():
    p = part("M", date(2026, 1, 5), protected_identity=True, gender="man", personal_id=None)
    assert codes(report([p], "2026-01")) == [(rc.PROTECTED_MEN_FORM_UNSET, "M", "personal_id")]
    project = ProjectFacts(PROJECT.start, PROJECT.end, men_protected_form="ÅÅÅÅMMDDXy00")
    result = report([p], "2026-01", project=project)
    assert result.ok and result.rows[0].identity == "19900101Xy00"


def test_protected_identity_needs_a_birth_date_and_a_gender_with_a_known_form():
    a = part("A", date(2026, 1, 5), protected_identity=True, birth_date=None)
    b = part("B", date(2026, 1, 6), protected_identity=True, gender="non_binary")
    assert codes(report([a, b], "2026-01")) == [
        (rc.PROTECTED_GENDER_UNKNOWN, "B", "gender"),
        (rc.PROTECTED_NO_BIRTH_DATE, "A", "birth_date"),
    ]


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ("", None),
        ("ÅÅÅÅMMDDXy00", None),
        ("XXÅÅÅÅMMDD", None),
        ("Tf29", "placeholder"),
        ("ÅÅÅÅMMDDÅÅÅÅMMDD", "placeholder"),
        ("ÅÅÅÅMMDD=1+1", "characters"),
        ("ÅÅÅÅMMDD " + "x", "characters"),
    ],
)
def test_mens_form_must_place_the_birth_date_once(form, problem):
    assert rc.men_form_problem(form) == problem


def test_dates_outside_the_project_are_problems():
    project = ProjectFacts(date(2026, 1, 15), date(2026, 6, 10))
    early = part("A", date(2026, 1, 5))  # same month, before the project starts
    before = part("B", date(2025, 12, 1))  # in a month before the project
    late = part("C", date(2026, 2, 1), date(2026, 6, 20))  # ends after the project, same month
    after = part("D", date(2026, 2, 1), date(2026, 8, 1))  # ends in a month after the project
    first = report([early, before], "2026-01", project=project)
    assert codes(first) == [
        (rc.DATE_BEFORE_PROJECT, "A", "start_date"),
        (rc.DATE_BEFORE_PROJECT, "B", "start_date"),
    ]
    last = report(
        [late, after],
        "2026-06",
        project=project,
        generated=["2026-05"],
        reported=["2026-02"],
    )
    assert codes(last) == [
        (rc.DATE_AFTER_PROJECT, "C", "end_date"),
        (rc.DATE_AFTER_PROJECT, "D", "end_date"),
    ]


def test_a_start_or_end_in_an_earlier_unreported_month_is_a_problem():
    ps = [part("A", date(2026, 1, 10), date(2026, 2, 3)), part("B", date(2026, 3, 4))]
    result = report(ps, "2026-03", generated=["2026-01", "2026-02"], reported=["2026-01"])
    assert codes(result) == [(rc.EARLIER_MONTH_NOT_REPORTED, "A", "end_date")]
    assert result.problems[0].values == {"month": "2026-02"}


def test_the_previous_month_must_have_been_generated():
    result = report([], "2026-03", generated=["2026-01"], reported=["2026-01"])
    assert codes(result) == [(rc.PREVIOUS_NOT_GENERATED, "", "month")]
    assert result.problems[0].values == {"month": "2026-02"}


def test_a_month_not_yet_ended_or_outside_the_project_is_refused():
    assert codes(report([], "2026-01", today=date(2026, 1, 31))) == [
        (rc.MONTH_NOT_ENDED, "", "month")
    ]
    assert (rc.MONTH_OUTSIDE_PROJECT, "", "month") in codes(
        report([], "2027-01", generated=["2026-12"])
    )


def test_every_problem_is_listed_not_only_the_first():
    ps = [
        part("A", date(2026, 2, 1), personal_id=None),
        part("B", date(2026, 2, 2), protected_identity=True, gender="man"),
        part("C", date(2026, 1, 9), date(2026, 2, 9)),
    ]
    result = report(ps, "2026-02")
    assert codes(result) == [
        (rc.EARLIER_MONTH_NOT_REPORTED, "C", "start_date"),
        (rc.IDENTITY_MISSING, "A", "personal_id"),
        (rc.PREVIOUS_NOT_GENERATED, "", "month"),
        (rc.PROTECTED_MEN_FORM_UNSET, "B", "personal_id"),
    ]


@given(participations_strategy, st.sampled_from(rc.months_between(Month(2026, 1), Month(2026, 12))))
@settings(max_examples=40, deadline=None)
def test_problems_never_carry_an_identity_number(participations, month):
    result = rc.month_report(
        project=PROJECT, participations=participations, month=month, today=TODAY
    )
    for problem in result.problems:
        assert PNR not in repr(problem)


# --- layout --------------------------------------------------------------------------------


def test_cells_follow_the_template_with_its_date_format_and_fixed_texts():
    row = rc.month_rows([part("A", date(2026, 1, 5), isced=3)], Month(2026, 1))[0]
    columns = [
        Column("PNR", "personal_id"),
        Column("Start", "start_date"),
        Column("Slut", "end_date"),
        Column("E-post", "fixed", "okänt"),
        Column("Annat", "empty"),
        Column("Nivå", "isced"),
    ]
    assert rc.render_cells(row, columns, date_format="YYYYMMDD") == [
        PNR,
        "20260105",
        "",
        "okänt",
        "",
        "3",
    ]


def test_an_unknown_column_field_is_refused():
    with pytest.raises(ValueError):
        Column("X", "salary")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Personnummer", ("personal_id", "")),
        ("  FÖRNAMN ", ("given_name", "")),
        ("Efternamn", ("family_name", "")),
        ("Kön", ("gender", "")),
        ("Startdatum", ("start_date", "")),
        ("Datum för avslut", ("end_date", "")),
        ("E-postadress", ("fixed", "okänt")),
        ("Mobilnummer", ("fixed", "okänt")),
        ("Kommunkod", ("municipality_code", "")),
        ("Kontaktperson", ("empty", "")),
        ("", ("empty", "")),
    ],
)
def test_header_guesses(header, expected):
    assert rc.guess_field(header) == expected


@given(st.text(max_size=40))
def test_every_header_gets_a_known_field(header):
    field_name, _ = rc.guess_field(header)
    assert field_name in rc.COLUMN_FIELDS


@given(participations_strategy)
@settings(max_examples=30, deadline=None)
def test_rows_survive_the_submission_log_unchanged(participations):
    for row in rc.month_rows(participations, Month(2026, 2)):
        assert rc.row_from_dict(rc.row_to_dict(row)) == row


# --- diffs and corrections -----------------------------------------------------------------


def sent_months(participations, upto, *, at=None):
    at = at or datetime(2026, 1, 1, tzinfo=UTC)
    return {
        m: SentMonth(m, tuple(rc.month_rows(participations, m)), at + timedelta(days=i))
        for i, m in enumerate(rc.months_between(Month(2026, 1), Month.parse(upto)))
    }


def current(participations, upto):
    return {
        m: rc.month_rows(participations, m)
        for m in rc.months_between(Month(2026, 1), Month.parse(upto))
    }


def test_nothing_to_correct_when_the_data_is_as_sent():
    ps = [part("A", date(2026, 1, 5), date(2026, 3, 9))]
    plan = rc.correction_plan(sent=sent_months(ps, "2026-06"), current=current(ps, "2026-06"))
    assert not plan.needed


def test_changing_an_exit_date_of_a_reported_month_names_the_months_to_resend():
    # given: six months sent; A left on 5 March
    before = [part("A", date(2026, 1, 5), date(2026, 3, 9)), part("B", date(2026, 2, 1))]
    sent = sent_months(before, "2026-06")
    # when: A's exit date is corrected to 20 April
    after = [part("A", date(2026, 1, 5), date(2026, 4, 20)), part("B", date(2026, 2, 1))]
    plan = rc.correction_plan(sent=sent, current=current(after, "2026-06"))
    # then: March and April differ; every later sent month must be re-sent
    assert [d.month for d in plan.corrections] == [Month(2026, 3), Month(2026, 4)]
    assert plan.resend == (Month(2026, 5), Month(2026, 6))
    march = plan.corrections[0].changes
    assert march == (rc.RowChange("A", "removed"),)
    assert plan.corrections[1].changes == (rc.RowChange("A", "added"),)


def test_a_changed_identity_is_shown_masked():
    before = [part("A", date(2026, 1, 5))]
    after = [part("A", date(2026, 1, 5), personal_id="199001011247")]
    plan = rc.correction_plan(
        sent=sent_months(before, "2026-02"), current=current(after, "2026-02")
    )
    (change,) = plan.corrections[0].changes
    assert change.fields == (rc.FieldChange("identity_ref", "…01011239", "…01011247"),)
    assert plan.resend == (Month(2026, 2),)


def test_start_date_moved_within_the_month_is_a_change_of_that_month_only():
    before = [part("A", date(2026, 3, 5))]
    after = [part("A", date(2026, 3, 7))]
    plan = rc.correction_plan(
        sent=sent_months(before, "2026-04"), current=current(after, "2026-04")
    )
    (diff,) = plan.corrections
    assert diff.month == Month(2026, 3)
    assert diff.changes[0].fields == (rc.FieldChange("start_date", "2026-03-05", "2026-03-07"),)
    assert plan.resend == (Month(2026, 4),)


def test_a_month_resent_after_a_later_one_makes_the_later_one_due_again():
    ps = [part("A", date(2026, 1, 5))]
    sent = sent_months(ps, "2026-03")
    sent[Month(2026, 1)] = SentMonth(
        Month(2026, 1), sent[Month(2026, 1)].rows, datetime(2027, 1, 1, tzinfo=UTC)
    )
    plan = rc.correction_plan(sent=sent, current=current(ps, "2026-03"))
    assert plan.corrections == ()
    assert plan.resend == (Month(2026, 2), Month(2026, 3))


@given(participations_strategy, participations_strategy)
@settings(max_examples=40, deadline=None)
def test_diff_is_empty_for_equal_rows_and_mirrors_when_swapped(a, b):
    for month in (Month(2026, 1), Month(2026, 5)):
        rows_a, rows_b = rc.month_rows(a, month), rc.month_rows(b, month)
        assert rc.diff_rows(rows_a, rows_a) == ()
        forward = {(c.participant_ref, c.change) for c in rc.diff_rows(rows_a, rows_b)}
        backward = {(c.participant_ref, c.change) for c in rc.diff_rows(rows_b, rows_a)}
        swap = {"added": "removed", "removed": "added", "changed": "changed"}
        assert {(ref, swap[kind]) for ref, kind in forward} == backward


@given(participations_strategy, st.data())
@settings(max_examples=40, deadline=None)
def test_after_any_change_every_sent_month_from_the_first_correction_is_to_be_sent(ps, data):
    if not ps:
        return
    sent = sent_months(ps, "2026-12")
    victim = data.draw(st.sampled_from(ps))
    moved = Participation(victim.key, victim.person, victim.start + timedelta(days=40), None)
    changed = [moved if p.key == victim.key else p for p in ps]
    plan = rc.correction_plan(sent=sent, current=current(changed, "2026-12"))
    if not plan.corrections:
        return
    first = plan.corrections[0].month
    assert set(plan.months) == {m for m in sent if m >= first}
    assert not set(plan.resend) & {d.month for d in plan.corrections}


# --- overview ------------------------------------------------------------------------------


def test_month_overview_states():
    project = ProjectFacts(date(2026, 1, 1), date(2026, 6, 30))
    plan = rc.CorrectionPlan(
        corrections=(rc.MonthDiff(Month(2026, 2), (rc.RowChange("A", "added"),)),),
        resend=(Month(2026, 3),),
    )
    statuses = rc.month_overview(
        project=project,
        today=date(2026, 6, 10),
        generated=months("2026-01", "2026-02", "2026-03", "2026-04"),
        sent=months("2026-01", "2026-02", "2026-03"),
        plan=plan,
    )
    assert [(str(s.month), s.state, s.overdue) for s in statuses] == [
        ("2026-01", rc.MonthState.SENT, False),
        ("2026-02", rc.MonthState.CORRECTION, False),
        ("2026-03", rc.MonthState.RESEND, False),
        ("2026-04", rc.MonthState.GENERATED, True),  # due 28 May
        ("2026-05", rc.MonthState.OPEN, False),
        ("2026-06", rc.MonthState.NOT_OPEN, False),
    ]
    late = rc.month_overview(
        project=project, today=date(2026, 6, 29), generated=(), sent=(), plan=rc.CorrectionPlan()
    )
    assert [s.overdue for s in late] == [True, True, True, True, True, False]


def test_mask_identity_never_shows_the_last_four_digits():
    assert rc.mask_identity(PNR) == "19900101-****"
    assert rc.mask_identity("19900101Tf29") == "19900101Tf29"
    assert rc.mask_identity("garbage 123") == "****"
    assert rc.mask_identity("") == ""


def test_the_core_imports_no_framework_and_no_app():
    import ast
    import sys
    from pathlib import Path

    tree = ast.parse(Path(rc.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
