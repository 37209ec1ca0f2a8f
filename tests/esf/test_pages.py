"""ESF pages: who reaches them, what they show, the download, and the template upload."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from emplus.core.models import AuditEvent
from emplus.esf import report_core as core
from emplus.esf import services
from emplus.esf.models import ReportFile
from tests.esf.conftest import add_participant

pytestmark = pytest.mark.django_db

JAN = core.Month(2026, 1)


@pytest.fixture
def sent_file(project, coordinator, org_a, unit_a1):
    add_participant(coordinator, org_a, unit_a1, "A1", date(2026, 1, 12))
    report_file = services.esf_report_generate(
        actor=coordinator, project=project, month=JAN, today=date(2026, 2, 2)
    )
    return services.esf_report_mark_sent(actor=coordinator, report_file=report_file)


def urls(project, report_file):
    pk = project.pk
    return {
        "esf:detail": reverse("esf:detail", args=[pk]),
        "esf:edit": reverse("esf:edit", args=[pk]),
        "esf:participants": reverse("esf:participants", args=[pk]),
        "esf:template": reverse("esf:template", args=[pk]),
        "esf:month": reverse("esf:month", args=[pk, "2026-01"]),
        "esf:download": reverse("esf:download", args=[pk, report_file.pk]),
    }


def test_coordinator_of_the_owner_reaches_every_page(client, coordinator, project, sent_file):
    client.force_login(coordinator)
    for name, url in urls(project, sent_file).items():
        assert client.get(url).status_code == 200, name
    assert client.get(reverse("esf:list")).status_code == 200
    assert client.get(reverse("esf:create")).status_code == 200


@pytest.mark.parametrize("persona", ["other_org_coordinator", "mixed"])
def test_another_organisations_coordinator_gets_404(request, client, persona, project, sent_file):
    client.force_login(request.getfixturevalue(persona))
    for name, url in urls(project, sent_file).items():
        assert client.get(url).status_code == 404, name
    for name, url in [
        ("generate", reverse("esf:generate", args=[project.pk, "2026-01"])),
        ("mark_sent", reverse("esf:mark_sent", args=[project.pk, sent_file.pk])),
        ("upload", reverse("esf:template_upload", args=[project.pk])),
    ]:
        assert client.post(url).status_code == 404, name
    # and the list does not show the project
    assert project.case_number not in client.get(reverse("esf:list")).content.decode()


@pytest.mark.parametrize("persona", ["coach", "analyst", "admin_user", "no_role_user"])
def test_other_roles_are_refused(request, client, persona, project, sent_file):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("esf:list")).status_code == 403
    for name, url in urls(project, sent_file).items():
        assert client.get(url).status_code == 403, name


def test_anonymous_goes_to_log_in(client, project, sent_file):
    for url in urls(project, sent_file).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_download_is_the_logged_file_never_cached_and_audited(
    client, coordinator, project, sent_file
):
    client.force_login(coordinator)
    response = client.get(reverse("esf:download", args=[project.pk, sent_file.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import hashlib

    assert hashlib.sha256(response.content).hexdigest() == sent_file.file_sha256
    assert AuditEvent.objects.filter(action="esf_report.downloaded").count() == 1


def test_month_page_lists_problems_by_reference_never_the_number(
    client, coordinator, project, org_a, unit_a1
):
    add_participant(coordinator, org_a, unit_a1, "N1", date(2026, 1, 3), personal_id=None)
    add_participant(coordinator, org_a, unit_a1, "A7", date(2026, 1, 4))
    client.force_login(coordinator)
    page = client.get(reverse("esf:month", args=[project.pk, "2026-01"])).content.decode()
    assert "N1" in page and "A7" in page
    assert "199005" not in page  # no identity number on the page, not even masked
    response = client.post(reverse("esf:generate", args=[project.pk, "2026-01"]), follow=True)
    assert not ReportFile.objects.exists()
    assert response.status_code == 200


def test_generate_and_mark_sent_through_the_pages(client, coordinator, project, org_a, unit_a1):
    add_participant(coordinator, org_a, unit_a1, "A1", date(2026, 1, 12))
    client.force_login(coordinator)
    client.post(reverse("esf:generate", args=[project.pk, "2026-01"]))
    report_file = ReportFile.objects.get()
    client.post(reverse("esf:mark_sent", args=[project.pk, report_file.pk]))
    report_file.refresh_from_db()
    assert report_file.sent_by == coordinator
    detail = client.get(reverse("esf:detail", args=[project.pk])).content.decode()
    assert "2026-01" in detail


def test_project_page_names_the_months_to_correct(client, coordinator, project, org_a, unit_a1):
    # given January and February sent, then A1's entry date corrected into February
    from emplus.pathways import services as pathway_services
    from emplus.pathways.models import Enrolment

    participant = add_participant(coordinator, org_a, unit_a1, "A1", date(2026, 1, 12))
    for month in (JAN, core.Month(2026, 2)):
        report_file = services.esf_report_generate(
            actor=coordinator, project=project, month=month, today=date(2026, 3, 2)
        )
        services.esf_report_mark_sent(actor=coordinator, report_file=report_file)
    enrolment = Enrolment.objects.get(participant=participant)
    pathway_services.enrolment_dates_correct(
        actor=coordinator, enrolment=enrolment, entry_date=date(2026, 2, 2)
    )
    client.force_login(coordinator)
    page = client.get(reverse("esf:detail", args=[project.pk])).content.decode()
    assert "2026-01" in page and "2026-02" in page
    assert AuditEvent.objects.filter(action="esf_project.corrections_viewed").exists()


def test_create_project_through_the_page(client, coordinator, org_a, unit_a1):
    client.force_login(coordinator)
    response = client.post(
        reverse("esf:create"),
        {
            "organisation": org_a.pk,
            "case_number": "2026/7",
            "title": "Nytt projekt",
            "programme_area": "employed",
            "start_date": "2026-03-01",
            "end_date": "2027-02-28",
            "participating_units": [unit_a1.pk],
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="esf_project.created").exists()


def test_coordinator_cannot_create_a_project_for_another_organisation(client, coordinator, org_b):
    client.force_login(coordinator)
    response = client.post(
        reverse("esf:create"),
        {
            "organisation": org_b.pk,
            "case_number": "X",
            "title": "X",
            "programme_area": "employed",
            "start_date": "2026-03-01",
            "end_date": "2027-02-28",
        },
    )
    assert response.status_code == 200  # the form refuses the choice
    assert "organisation" in response.context["form"].errors


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_upload_the_header_row_and_map_each_column(client, coordinator, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    data = _xlsx(
        [[None], ["Personnummer", "Förnamn", "E-post", "Startdatum", "Slutdatum", "Övrigt"]]
    )
    response = client.post(
        reverse("esf:template_upload", args=[project.pk]),
        {"file": SimpleUploadedFile("mall.xlsx", data)},
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    assert [f.initial["field"] for f in formset] == [
        "personal_id",
        "given_name",
        "fixed",
        "start_date",
        "end_date",
        "empty",
    ]
    assert formset.forms[2].initial["text"] == "okänt"
    # when the mapping is confirmed
    post = {
        "columns-TOTAL_FORMS": "6",
        "columns-INITIAL_FORMS": "6",
        "mapping": "1",
        "source_file_name": "mall.xlsx",
        "date_format": "YYYYMMDD",
    }
    for i, form in enumerate(formset):
        post[f"columns-{i}-header"] = form.initial["header"]
        post[f"columns-{i}-field"] = form.initial["field"]
        post[f"columns-{i}-text"] = form.initial["text"]
        post[f"columns-{i}-ORDER"] = str(i + 1)
    response = client.post(reverse("esf:template", args=[project.pk]), post)
    assert response.status_code == 302
    project.template.refresh_from_db()
    assert project.template.source == "received"
    assert project.template.source_file_name == "mall.xlsx"
    assert project.template.date_format == "YYYYMMDD"
    assert [c.header for c in project.template.columns.all()][:2] == ["Personnummer", "Förnamn"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("mall.xlsx", b"not a zip"),
        ("mall.pdf", b"%PDF-1.4"),
        ("mall.csv", b""),
    ],
)
def test_unreadable_uploads_are_refused_with_a_message(client, coordinator, project, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    response = client.post(
        reverse("esf:template_upload", args=[project.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 400
    assert response.context["upload_form"].errors


def test_participant_list_is_paginated(client, coordinator, project, org_a, unit_a1):
    for i in range(55):
        add_participant(coordinator, org_a, unit_a1, f"P{i}", date(2026, 2, 1), personal_id=None)
    client.force_login(coordinator)
    first = client.get(reverse("esf:participants", args=[project.pk]))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("esf:participants", args=[project.pk]), {"page": 2})
    assert len(second.context["page"].object_list) == 5


def test_month_outside_the_project_is_404(client, coordinator, project):
    client.force_login(coordinator)
    assert client.get(reverse("esf:month", args=[project.pk, "2025-12"])).status_code == 404
    assert client.get(f"/esf/{project.pk}/months/2026-13/").status_code == 404


def test_pages_in_english(client, coordinator, project, sent_file):
    client.force_login(coordinator)
    client.post("/i18n/setlang/", {"language": "en"})
    page = client.get(reverse("esf:detail", args=[project.pk])).content.decode()
    assert "Monthly reports" in page
    client.post("/i18n/setlang/", {"language": "sv"})
    page = client.get(reverse("esf:detail", args=[project.pk])).content.decode()
    assert "Månadsrapporter" in page
    assert timezone.now()


def test_a_workbook_declaring_a_million_rows_is_refused_at_once(client, coordinator, project):
    import re
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    source = zipfile.ZipFile(io.BytesIO(_xlsx([["Personnummer", "Startdatum"]])))
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:B1048576"', data)
            target.writestr(item, data)
    client.force_login(coordinator)
    response = client.post(
        reverse("esf:template_upload", args=[project.pk]),
        {"file": SimpleUploadedFile("mall.xlsx", crafted.getvalue())},
    )
    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"]
