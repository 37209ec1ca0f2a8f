"""ESF services and selectors against the database: the month's rows, generation, the file,
marking as sent, corrections after a changed exit date, and the audit trail."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import override
from openpyxl import load_workbook

from emplus.core.models import AuditEvent
from emplus.esf import report_core as core
from emplus.esf import selectors, services
from emplus.esf.models import ReportFile
from emplus.pathways import services as pathway_services
from emplus.pathways.models import Enrolment
from tests.esf.conftest import add_participant, pnr

pytestmark = pytest.mark.django_db

TODAY = date(2027, 2, 1)
JAN, FEB, MAR, APR = (core.Month(2026, m) for m in (1, 2, 3, 4))


def generate(project, actor, month, today=TODAY):
    return services.esf_report_generate(actor=actor, project=project, month=month, today=today)


def send(project, actor, month):
    report_file = generate(project, actor, month)
    return services.esf_report_mark_sent(actor=actor, report_file=report_file)


def sheet_rows(report_file):
    content = base64.b64decode(report_file.content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def people(coordinator, org_a, unit_a1, unit_a2, org_b, unit_b1, other_org_coordinator):
    a = add_participant(coordinator, org_a, unit_a1, "A1", date(2026, 1, 12), date(2026, 3, 3))
    b = add_participant(coordinator, org_a, unit_a1, "A2", date(2026, 1, 5))
    c = add_participant(coordinator, org_a, unit_a1, "A3", date(2026, 3, 20))
    d = add_participant(coordinator, org_a, unit_a1, "A4", date(2026, 3, 1), date(2026, 3, 30))
    # Not in the project: another unit of A, another organisation, and an entry after the end.
    add_participant(coordinator, org_a, unit_a2, "A5", date(2026, 3, 2))
    add_participant(other_org_coordinator, org_b, unit_b1, "B1", date(2026, 3, 2))
    add_participant(coordinator, org_a, unit_a1, "A6", date(2027, 1, 20))
    return {"A1": a, "A2": b, "A3": c, "A4": d}


def test_the_month_lists_exactly_who_started_and_who_left_in_it(project, coordinator, people):
    # when
    result = selectors.esf_month_preview(
        viewer=coordinator, project=project, month=MAR, today=TODAY
    )
    # then: A4 starts and leaves (one row), A1 leaves, A3 starts; ordered by date
    assert [(r.participant_ref, r.kind) for r in result.rows] == [
        ("A4", core.START_END),
        ("A1", core.END),
        ("A3", core.START),
    ]
    # nobody else, and the preview never decrypted an identity number
    assert all(r.identity == "" for r in result.rows)
    assert AuditEvent.objects.filter(action="esf_report.previewed").count() == 1


def test_generating_writes_the_template_layout_with_identity_numbers_and_logs_it(
    project, coordinator, people
):
    # when
    report_file = generate(project, coordinator, JAN)
    # then the file holds the header row and A2 (5 Jan) before A1 (12 Jan)
    rows = sheet_rows(report_file)
    assert rows[0] == [c.header for c in core.PLATFORM_DEFAULT_COLUMNS]
    assert [r[2] for r in rows[1:]] == ["A2", "A1"]
    assert rows[1][0] == pnr(date(1990, 5, 17), 102).replace("-", "")
    assert rows[1][5] == "2026-01-05" and rows[1][6] is None
    content = base64.b64decode(report_file.content)
    assert report_file.file_sha256 == hashlib.sha256(content).hexdigest()
    assert report_file.row_count == 2
    assert report_file.file_name == "2026-00042_2026-01.xlsx"
    # the rows and the file are stored encrypted, like every personal field
    with connection.cursor() as cursor:
        cursor.execute("SELECT rows, content FROM esf_reportfile")
        raw_rows, raw_content = cursor.fetchone()
    assert raw_rows.startswith("gAAAAA") and "participant_ref" not in raw_rows  # Fernet tokens
    assert raw_content.startswith("gAAAAA")
    event = AuditEvent.objects.get(action="esf_report.generated")
    assert event.details["sha256"] == report_file.file_sha256
    assert event.details["month"] == "2026-01"


def test_marking_as_sent_records_who_and_when_once(project, coordinator, people):
    report_file = send(project, coordinator, JAN)
    assert report_file.sent_by == coordinator and report_file.sent_at is not None
    with pytest.raises(ValidationError):
        services.esf_report_mark_sent(actor=coordinator, report_file=report_file)
    assert AuditEvent.objects.filter(action="esf_report.marked_sent").count() == 1


def test_only_the_newest_file_of_a_month_can_be_marked_as_sent(project, coordinator, people):
    old = generate(project, coordinator, JAN)
    generate(project, coordinator, JAN)
    with override("en"), pytest.raises(ValidationError, match="newer file"):
        services.esf_report_mark_sent(actor=coordinator, report_file=old)


def test_changing_an_exit_date_of_a_reported_month_names_the_months_to_resend(
    project, coordinator, people
):
    # given: January to April sent
    for month in (JAN, FEB, MAR, APR):
        send(project, coordinator, month)
    overview = selectors.esf_project_overview(viewer=coordinator, project=project, today=TODAY)
    assert not overview.plan.needed
    # when: A1's exit date is corrected from 3 March to 10 February
    enrolment = Enrolment.objects.get(participant=people["A1"])
    pathway_services.enrolment_dates_correct(
        actor=coordinator,
        enrolment=enrolment,
        entry_date=enrolment.entry_date,
        exit_date=date(2026, 2, 10),
    )
    overview = selectors.esf_project_overview(viewer=coordinator, project=project, today=TODAY)
    # then February and March differ from what was sent; April must be re-sent after them
    assert [d.month for d in overview.plan.corrections] == [FEB, MAR]
    assert overview.plan.resend == (APR,)
    assert overview.plan.corrections[0].changes == (core.RowChange("A1", "added"),)
    assert overview.plan.corrections[1].changes == (core.RowChange("A1", "removed"),)
    states = {str(s.month): s.state for s in overview.statuses}
    assert states["2026-01"] == core.MonthState.SENT
    assert states["2026-02"] == states["2026-03"] == core.MonthState.CORRECTION
    assert states["2026-04"] == core.MonthState.RESEND
    # when the corrected months are generated and sent again, in order
    for month in (FEB, MAR, APR):
        send(project, coordinator, month)
    overview = selectors.esf_project_overview(viewer=coordinator, project=project, today=TODAY)
    assert not overview.plan.needed


def test_a_later_identity_number_is_a_change_of_the_sent_month(project, coordinator, people):
    # given: January sent while A2's identity was recorded
    send(project, coordinator, JAN)
    # when A2's identity number is corrected
    pathway_services.participant_update(
        actor=coordinator, participant=people["A2"], personal_id=pnr(date(1990, 5, 17), 555)
    )
    # then January needs correction, shown without the numbers
    overview = selectors.esf_project_overview(viewer=coordinator, project=project, today=TODAY)
    (diff,) = overview.plan.corrections
    (change,) = diff.changes
    assert change.participant_ref == "A2" and change.fields[0].field == "identity_ref"
    assert "5555" not in repr(change) and "555" not in change.fields[0].current[:3]


def test_generation_is_refused_with_every_problem(project, coordinator, org_a, unit_a1):
    # given
    add_participant(coordinator, org_a, unit_a1, "N1", date(2026, 1, 3), personal_id=None)
    add_participant(
        coordinator,
        org_a,
        unit_a1,
        "M1",
        date(2026, 1, 4),
        personal_id=None,
        gender="man",
        protected_identity=True,
    )
    # when / then
    with pytest.raises(services.ReportRefused) as refused:
        generate(project, coordinator, JAN)
    problems = {(p.code, p.participant_ref, p.field) for p in refused.value.problems}
    assert problems == {
        (core.IDENTITY_MISSING, "N1", "personal_id"),
        (core.PROTECTED_MEN_FORM_UNSET, "M1", "personal_id"),
    }
    assert not ReportFile.objects.exists()
    # and February cannot be generated before January
    with pytest.raises(services.ReportRefused) as refused:
        generate(project, coordinator, FEB)
    assert (core.PREVIOUS_NOT_GENERATED, "", "month") in {
        (p.code, p.participant_ref, p.field) for p in refused.value.problems
    }


def test_a_protected_man_is_reported_in_the_projects_form_once_it_is_set(
    project, coordinator, org_a, unit_a1
):
    add_participant(
        coordinator,
        org_a,
        unit_a1,
        "M1",
        date(2026, 1, 4),
        gender="man",
        protected_identity=True,
        birth=date(1985, 2, 3),
    )
    services.esf_project_update(
        actor=coordinator, project=project, men_protected_form="ÅÅÅÅMMDDXy00"
    )
    report_file = generate(project, coordinator, JAN)
    assert sheet_rows(report_file)[1][0] == "19850203Xy00"


def test_a_month_not_yet_ended_cannot_be_generated(project, coordinator, people):
    with pytest.raises(services.ReportRefused) as refused:
        generate(project, coordinator, JAN, today=date(2026, 1, 31))
    assert [p.code for p in refused.value.problems] == [core.MONTH_NOT_ENDED]


def test_project_validation(coordinator, org_a, org_b, unit_b1):
    with pytest.raises(ValidationError) as error:
        services.esf_project_create(
            actor=coordinator,
            organisation=org_a,
            case_number="X",
            title="X",
            programme_area="employed",
            start_date=date(2026, 2, 1),
            end_date=date(2026, 1, 1),
            participating_units=[unit_b1],
            men_protected_form="Tf29",
        )
    assert set(error.value.error_dict) == {
        "end_date",
        "participating_units",
        "men_protected_form",
    }


def test_a_whole_organisation_takes_part_when_none_of_its_units_is_chosen(
    project, coordinator, org_a, unit_a2, people
):
    services.esf_project_update(actor=coordinator, project=project, participating_units=[])
    result = selectors.esf_month_preview(
        viewer=coordinator, project=project, month=MAR, today=TODAY
    )
    assert "A5" in {r.participant_ref for r in result.rows}
    event = AuditEvent.objects.filter(action="esf_project.changed").latest("sequence")
    assert event.details == {"fields": ["participating_units"]}


def test_template_update_needs_identity_and_dates_and_keeps_the_order(project, coordinator):
    with pytest.raises(ValidationError):
        services.esf_template_update(
            actor=coordinator,
            project=project,
            columns=[core.Column("Namn", "given_name")],
            date_format="YYYY-MM-DD",
        )
    columns = [
        core.Column("PNR", "personal_id"),
        core.Column("Slut", "end_date"),
        core.Column("Start", "start_date"),
        core.Column("E-post", "fixed", "okänt"),
    ]
    template = services.esf_template_update(
        actor=coordinator, project=project, columns=columns, date_format="YYYYMMDD"
    )
    assert [c.header for c in template.columns.all()] == ["PNR", "Slut", "Start", "E-post"]
    assert template.source == "adjusted"


def test_rows_as_sent_round_trip(project, coordinator, people):
    report_file = send(project, coordinator, JAN)
    stored = json.loads(ReportFile.objects.get(pk=report_file.pk).rows)
    assert [row["participant_ref"] for row in stored] == ["A2", "A1"]


def test_text_that_looks_like_a_formula_is_written_as_inert_text(
    project, coordinator, org_a, unit_a1
):
    add_participant(coordinator, org_a, unit_a1, "F1", date(2026, 1, 7), given_name="=HYPERLINK(1)")
    report_file = generate(project, coordinator, JAN)
    sheet = load_workbook(io.BytesIO(base64.b64decode(report_file.content))).worksheets[0]
    cell = sheet.cell(row=2, column=2)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"
