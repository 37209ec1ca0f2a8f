"""The import and export page: who may use it, check before import, streamed progress, download."""

from __future__ import annotations

import csv
import io
import os
import time

import openpyxl
import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.conftest import IMPORT_FORM_BASIS

from emplus.core.models import AuditEvent
from emplus.pathways.models import Enrolment, ImportBatch, Participant

pytestmark = pytest.mark.django_db

IMPORT_URL = "/participants/import/"
CONFIRM_URL = "/participants/import/confirm/"
EXPORT_URL = "/participants/import/export/"


@pytest.fixture(autouse=True)
def _private_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def row(ref="P1", **changes) -> dict:
    return {
        "participant_ref": ref,
        "organisation": "ORGA",
        "birth_date": "1990-05-01",
        "gender": "woman",
        "municipality_code": "2480",
        "entry_date": "2025-01-10",
        "lm_status_entry": "unemployed",
        "unemployed_months": "14",
        "isced": "3",
        **changes,
    }


def upload(rows: list[dict], name="lista.csv") -> SimpleUploadedFile:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(columns)
    for r in rows:
        writer.writerow([r.get(c, "") for c in columns])
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def logged_in(client, user):
    client.force_login(user)
    return client


def test_reverse_names():
    assert reverse("pathways:import") == IMPORT_URL
    assert reverse("pathways:import_confirm") == CONFIRM_URL
    assert reverse("pathways:export") == EXPORT_URL


def test_anonymous_users_are_sent_to_log_in(client):
    # when
    response = client.get(IMPORT_URL)
    # then
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [
        ("analyst", IMPORT_URL, 403),
        ("no_role_user", IMPORT_URL, 403),
        ("coach", IMPORT_URL, 200),
        ("coordinator", IMPORT_URL, 200),
        ("coach", EXPORT_URL, 403),
        ("analyst", EXPORT_URL, 403),
        ("coordinator", EXPORT_URL, 200),
    ],
)
def test_role_matrix(persona, url, status, request, client, unit_a1):
    # given
    user = request.getfixturevalue(persona)
    # when
    response = logged_in(client, user).get(url)
    # then
    assert response.status_code == status


def test_the_page_has_a_labelled_upload_and_the_legal_basis_confirmation(client, coordinator):
    # when
    html = logged_in(client, coordinator).get(IMPORT_URL).content.decode()
    # then
    assert html.count("<h1>") == 1
    assert 'for="import-file"' in html and 'id="import-file"' in html
    assert 'for="import-legal-basis"' in html and 'type="checkbox"' in html
    assert EXPORT_URL in html  # coordinators may export


def test_a_file_with_errors_shows_every_error_by_row_and_column_and_imports_nothing(
    client, coach, unit_a1
):
    # when
    response = logged_in(client, coach).post(
        IMPORT_URL,
        {
            **IMPORT_FORM_BASIS,
            "file": upload([row("P1", isced="11"), row("P2", organisation="ORGB"), row("P1")]),
        },
    )
    # then
    assert response.status_code == 422
    html = response.content.decode()
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [
        (2, "isced"),
        (3, "organisation"),
        (4, "participant_ref"),
    ]
    assert '<th scope="col">' in html and "participant_ref" in html
    assert Participant.objects.count() == 0
    # and there is nothing to confirm
    response = client.post(CONFIRM_URL)
    assert response.status_code == 302 and Participant.objects.count() == 0


def test_the_errors_are_shown_in_the_readers_language(client, coach, unit_a1, settings):
    # given a file with a bad date
    bad = upload([row("P1", entry_date="2025-02-30")])
    # when a Swedish reader checks it, and an English one
    client = logged_in(client, coach)
    swedish = client.post(IMPORT_URL, {**IMPORT_FORM_BASIS, "file": bad}).content.decode()
    bad.seek(0)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(IMPORT_URL, {**IMPORT_FORM_BASIS, "file": bad}).content.decode()
    # then each reads it in their own language, by row and column
    assert (
        '<td class="num">2</td><td>entry_date</td>'
        "<td>Inte ett datum i formen ÅÅÅÅ-MM-DD, hittade &#x27;2025-02-30&#x27;.</td>"
    ) in swedish
    assert "Not a date in the form YYYY-MM-DD, found &#x27;2025-02-30&#x27;." in english
    assert "not a date in the form" not in swedish


def test_a_files_warnings_are_shown_in_swedish_beside_what_the_import_will_do(
    client, coach, unit_a1
):
    # given a file with a row that starts after today
    rows = [row("P1"), row("P2", entry_date="2099-01-01")]
    # when
    response = logged_in(client, coach).post(
        IMPORT_URL, {**IMPORT_FORM_BASIS, "file": upload(rows)}
    )
    # then the file can be imported, and the row left out is named by row and column
    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="num">3</td><td>entry_date</td><td>entry_date ligger efter' in html
    assert "hittade 2099-01-01; raden hoppas över.</td>" in html


def test_a_file_with_thousands_of_errors_lists_the_first_and_sums_up_the_rest(
    client, coach, unit_a1
):
    # given 1 000 rows with a bad date each
    rows = [row(f"P{i}", entry_date="2025-02-30") for i in range(1000)]
    # when
    response = logged_in(client, coach).post(
        IMPORT_URL, {**IMPORT_FORM_BASIS, "file": upload(rows)}
    )
    # then the page lists 200 of them, says how many more there are, and sums them up
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count("<td>Inte ett datum i formen") == 200 + 1  # the list and the summary
    assert "De första 200 felen visas; 800 till visas inte." in html
    assert "<caption>Fel per kolumn och slag</caption>" in html
    assert '<td>entry_date</td><td class="num">1000</td><td class="num">2</td>' in html
    assert len(html) < 200_000


ERRORS_URL = "/participants/import/errors/"


def test_a_checks_errors_download_as_a_table_in_the_readers_language(client, coach, unit_a1):
    # given a checked file with errors on rows 2 and 3 (one a formula-like cell)
    client = logged_in(client, coach)
    rows = [row("P1", entry_date="2025-02-30"), row("P2", gender="=1+1")]
    response = client.post(IMPORT_URL, {**IMPORT_FORM_BASIS, "file": upload(rows)})
    assert ERRORS_URL + "?format=xlsx" in response.content.decode()
    # when the errors are downloaded as CSV, and as XLSX
    as_csv = client.get(ERRORS_URL)
    as_xlsx = client.get(ERRORS_URL, {"format": "xlsx"})
    # then the CSV lists every error by row and column, in Swedish, no cell a formula
    assert as_csv.status_code == 200 and "no-store" in as_csv["Cache-Control"]
    assert as_csv["Content-Disposition"] == 'attachment; filename="fel-lista.csv"'
    table = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert table == [
        ["Rad", "Kolumn", "Fel"],
        ["2", "entry_date", "Inte ett datum i formen ÅÅÅÅ-MM-DD, hittade '2025-02-30'."],
        [
            "3",
            "gender",
            "Inte något av kvinna, man, icke-binär, woman, non_binary, hittade '=1+1'.",
        ],
    ]
    # and the XLSX holds the same rows, as text cells (a formula is never one)
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert cells[0] == ["Rad", "Kolumn", "Fel"] and len(cells) == 3
    assert cells[2][2] == table[2][2] and sheet.cell(3, 3).data_type == "s"


def test_the_errors_are_the_sessions_own_and_go_with_the_next_check(
    client, coach, unit_a1, other_org_coach, tmp_path
):
    # given a check with errors by one coach
    logged_in(client, coach).post(
        IMPORT_URL, {**IMPORT_FORM_BASIS, "file": upload([row("P1", isced="11")])}
    )
    # when another user asks for the errors in their own session
    other = Client()
    other.force_login(other_org_coach)
    # then there are none to give them
    assert other.get(ERRORS_URL)["Location"] == IMPORT_URL
    # and after a clean check, the earlier errors are gone from the first session and the disk
    assert len(list((tmp_path / "imports").iterdir())) == 1
    client.post(IMPORT_URL, {**IMPORT_FORM_BASIS, "file": upload([row("P1")])})
    assert client.get(ERRORS_URL)["Location"] == IMPORT_URL
    assert len(list((tmp_path / "imports").iterdir())) == 1  # the checked file alone


def test_check_then_confirm_imports_and_streams_progress(client, coach, unit_a1, tmp_path):
    # given
    client = logged_in(client, coach)
    # when the file is checked
    response = client.post(
        IMPORT_URL, {**IMPORT_FORM_BASIS, "file": upload([row("P1", disability="yes"), row("P2")])}
    )
    # then a summary is shown and nothing is written yet
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.special_values_left_out) == (2, 1)
    assert Participant.objects.count() == 0
    assert len(list((tmp_path / "imports").iterdir())) == 1
    stored = next((tmp_path / "imports").iterdir()).read_bytes()
    assert b"participant_ref" not in stored and b"P1," not in stored  # kept encrypted
    # when confirmed
    response = client.post(CONFIRM_URL)
    html = b"".join(response.streaming_content).decode()
    # then
    assert response.status_code == 200
    assert "<progress" in html and 'role="log"' in html
    assert html.index("<progress") < html.index('role="status"')
    assert Participant.objects.count() == 2
    assert Participant.objects.get(participant_ref="P1").disability == ""
    assert ImportBatch.objects.get().file_name == "lista.csv"
    assert list((tmp_path / "imports").iterdir()) == []
    # and confirming twice does nothing more
    assert client.post(CONFIRM_URL).status_code == 302
    assert ImportBatch.objects.count() == 1


def test_the_legal_basis_confirmation_stores_special_categories(client, coach, unit_a1):
    # given
    client = logged_in(client, coach)
    client.post(
        IMPORT_URL,
        {**IMPORT_FORM_BASIS, "file": upload([row("P1", disability="yes")]), "legal_basis": "on"},
    )
    # when
    b"".join(client.post(CONFIRM_URL).streaming_content)
    # then
    participant = Participant.objects.get()
    assert (participant.disability, participant.special_category_basis) == ("yes", "consent")


def test_another_organisations_coach_cannot_import_into_it(client, other_org_coach, org_a, unit_a1):
    # when the coach of B posts A's organisation and rows of A
    response = logged_in(client, other_org_coach).post(
        IMPORT_URL,
        {**IMPORT_FORM_BASIS, "organisation": str(org_a.pk), "file": upload([row("P1")])},
    )
    # then the import is checked against B only, and rejected
    assert response.status_code == 422
    assert response.context["organisation"].code == "ORGB"
    assert client.post(CONFIRM_URL).status_code == 302
    assert Participant.objects.count() == 0


def test_an_upload_must_be_a_csv_or_xlsx_file(client, coach, unit_a1):
    # when
    response = logged_in(client, coach).post(
        IMPORT_URL, {**IMPORT_FORM_BASIS, "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")}
    )
    # then
    assert response.status_code == 400
    assert Participant.objects.count() == 0


def test_export_downloads_the_visible_participants_without_identity_by_default(
    client, coordinator, unit_a1, org_b, unit_b1
):
    # given
    Participant.objects.create(
        organisation=unit_a1.organisation, unit=unit_a1, participant_ref="A1"
    )
    Participant.objects.create(organisation=org_b, unit=unit_b1, participant_ref="B1")

    for p in Participant.objects.all():
        Enrolment.objects.create(participant=p, entry_date="2025-01-01")
    # when
    response = logged_in(client, coordinator).get(EXPORT_URL, {"format": "csv"})
    # then
    assert response["Content-Disposition"].startswith('attachment; filename="participants-')
    frame = pl.read_csv(io.BytesIO(response.content), infer_schema=False)
    assert frame["participant_ref"].to_list() == ["A1"]
    assert "personal_id" not in frame.columns
    event = AuditEvent.objects.get(action="participant.exported")
    shown = str(Participant.objects.get(participant_ref="A1").pk)
    assert event.details == {
        "rows": 1,
        "personal_id": False,
        "channel": "page",
        "participants": [shown],
    }


def test_checked_files_never_confirmed_are_removed_once_stale(client, coach, unit_a1, tmp_path):
    # given a file left by a check two days ago
    (tmp_path / "imports").mkdir()
    stale = tmp_path / "imports" / "stale-token"
    stale.write_text("encrypted")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    # when another file is checked
    logged_in(client, coach).post(IMPORT_URL, {**IMPORT_FORM_BASIS, "file": upload([row("P1")])})
    # then
    assert not stale.exists()
    assert len(list((tmp_path / "imports").iterdir())) == 1


def test_the_page_records_the_chosen_legal_basis_for_new_participants(client, coach, unit_a1):
    client = logged_in(client, coach)
    page = client.get(IMPORT_URL).content.decode()
    assert 'name="basis-legal_basis"' in page and 'name="basis-purposes"' in page
    # when a file is checked and confirmed under a legal obligation, without statistics
    basis = {**IMPORT_FORM_BASIS, "basis-legal_basis": "legal_obligation"}
    basis["basis-purposes"] = ["case_work"]
    client.post(IMPORT_URL, {**basis, "file": upload([row("P1")])})
    b"".join(client.post(CONFIRM_URL).streaming_content)
    # then the participant carries that basis
    consent = Participant.objects.get().consents.get()
    assert (consent.legal_basis, consent.case_work, consent.statistics) == (
        "legal_obligation",
        True,
        False,
    )


def test_a_missing_legal_basis_is_named_and_nothing_is_kept(client, coach, unit_a1, tmp_path):
    client = logged_in(client, coach)
    response = client.post(IMPORT_URL, {"file": upload([row("P1")])})
    assert response.status_code == 400
    assert "basis-legal_basis" in response.content.decode()
    assert response.context["basis_form"].errors
    assert client.post(CONFIRM_URL).status_code == 302
    assert not Participant.objects.exists()
