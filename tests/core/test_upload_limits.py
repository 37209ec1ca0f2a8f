"""Uploads are bounded where users send them: the size-limit upload handler, the import page and
command, the comparison file of effect estimates and the API's request body; every refusal is a
translated message that says what to do."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from tests.conftest import IMPORT_FORM_BASIS
from tests.core.test_tabular import crafted_xlsx

from emplus.methods.models import Method
from emplus.pathways.models import Participant

pytestmark = pytest.mark.django_db

IMPORT_URL = "/participants/import/"
EFFECTS_URL = "/evidence/effects/"
NBSP = "\xa0"


@pytest.fixture(autouse=True)
def _private_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def _csv(rows: int) -> bytes:
    lines = ["participant_ref;organisation;entry_date;gender;birth_date"] + [
        f"P{i};ORGA;2025-01-10;woman;1990-05-01" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def _text(response) -> str:
    return response.content.decode().replace(NBSP, " ")


def test_an_oversized_upload_is_never_stored_and_the_page_says_why(
    client, coach, unit_a1, settings, tmp_path
):
    # given a 3 KB file where 2 KB are allowed
    settings.EMPLUS_UPLOAD_MAX_BYTES = 2048
    client.force_login(coach)
    upload = SimpleUploadedFile("lista.csv", _csv(100)[:3072], content_type="text/csv")
    # when
    response = client.post(IMPORT_URL, {**IMPORT_FORM_BASIS, "file": upload})
    # then
    assert response.status_code == 413
    text = _text(response)
    assert "Filen är större än 2,0 kB, som är det största som kan laddas upp." in text
    assert not (tmp_path / "imports").exists() or not any((tmp_path / "imports").iterdir())
    assert Participant.objects.count() == 0
    # and in English
    response = _english(client).post(
        IMPORT_URL, {**IMPORT_FORM_BASIS, "file": SimpleUploadedFile("lista.csv", _csv(100)[:3072])}
    )
    assert "The file is larger than 2.0 KB, the most that can be uploaded." in _text(response)


def test_a_request_declaring_more_than_the_limit_skips_the_file_from_its_first_byte(rf, settings):
    from emplus.core.uploads import upload_refused

    # given a body far over the limit with an ordinary field before the file
    settings.EMPLUS_UPLOAD_MAX_BYTES = 1024
    body = {
        "csrfmiddlewaretoken": "t",
        "file": SimpleUploadedFile("big.csv", b"x" * (2 * 1024 * 1024 + 10)),
    }
    request = rf.post(IMPORT_URL, body)
    # when
    refused = upload_refused(request)
    # then the file is left out, the other fields are read
    assert refused
    assert "file" not in request.FILES
    assert request.POST["csrfmiddlewaretoken"] == "t"


def test_a_file_within_the_limit_passes_the_handler(rf, settings):
    from emplus.core.uploads import upload_refused

    settings.EMPLUS_UPLOAD_MAX_BYTES = 4096
    request = rf.post(
        IMPORT_URL, {**IMPORT_FORM_BASIS, "file": SimpleUploadedFile("ok.csv", b"x" * 4096)}
    )
    assert not upload_refused(request)
    assert request.FILES["file"].read() == b"x" * 4096


def test_the_crafted_workbook_is_refused_on_the_import_page_within_a_second(client, coach, unit_a1):
    # given
    client.force_login(coach)
    upload = SimpleUploadedFile("lista.xlsx", crafted_xlsx())
    # when
    started = time.monotonic()
    response = client.post(IMPORT_URL, {**IMPORT_FORM_BASIS, "file": upload})
    elapsed = time.monotonic() - started
    # then
    assert response.status_code == 422
    assert (
        "Arbetsboken uppger att den innehåller 1 048 576 rader; högst 200 000 kan läsas åt "
        "gången." in _text(response)
    )
    assert elapsed < 1
    assert Participant.objects.count() == 0


def test_too_many_rows_are_refused_with_a_translated_message(client, coach, unit_a1, settings):
    # given
    settings.EMPLUS_TABLE_MAX_ROWS = 5
    client.force_login(coach)
    # when
    accepted = client.post(
        IMPORT_URL, {**IMPORT_FORM_BASIS, "file": SimpleUploadedFile("a.csv", _csv(5))}
    )
    refused = _english(client).post(
        IMPORT_URL, {**IMPORT_FORM_BASIS, "file": SimpleUploadedFile("b.csv", _csv(6))}
    )
    # then
    assert accepted.status_code == 200
    assert refused.status_code == 422
    assert "The file has more than 5 rows; at most 5 can be read at once." in _text(refused)


def test_the_import_command_refuses_a_crafted_workbook(coach, unit_a1, tmp_path, capsys):
    # given
    path = tmp_path / "lista.xlsx"
    path.write_bytes(crafted_xlsx())
    # when
    with pytest.raises(SystemExit) as exit_, translation.override("sv"):
        call_command(
            "import_participants", str(path), "--organisation", "ORGA", "--user", "coach-a"
        )
    # then
    assert exit_.value.code == 2
    assert "1 048 576" in capsys.readouterr().err.replace(NBSP, " ")
    assert Participant.objects.count() == 0


@pytest.fixture
def method(db):
    return Method.objects.create(code="MENT", name="Mentoring")


def _effect_form(**extra) -> dict:
    return {
        "treated_method": "MENT",
        "comparison_kind": "file",
        "outcome": "exit_employed",
        "covariates": ["isced"],
        "method": "ipw",
        "seed": "7",
        **extra,
    }


def test_a_crafted_comparison_workbook_is_refused(client, analyst, method):
    # given
    client.force_login(analyst)
    upload = io.BytesIO(crafted_xlsx())
    upload.name = "comparison.xlsx"
    # when
    started = time.monotonic()
    response = _english(client).post(EFFECTS_URL, _effect_form(comparison_file=upload))
    # then
    assert response.status_code == 200
    errors = response.context["form"].errors["comparison_file"]
    assert errors == [
        "The workbook says it holds 1,048,576 rows; at most 200,000 can be read at once. "
        "If it has fewer, delete the empty rows below the data, or save it as CSV."
    ]
    assert time.monotonic() - started < 1


def test_an_oversized_comparison_file_is_refused(client, analyst, method, settings):
    # given
    settings.EMPLUS_UPLOAD_MAX_BYTES = 1024
    client.force_login(analyst)
    upload = io.BytesIO(b"exit_employed;isced\n" + b"ja;3\n" * 400)
    upload.name = "comparison.csv"
    # when
    response = client.post(EFFECTS_URL, _effect_form(comparison_file=upload))
    # then
    errors = response.context["form"].errors["comparison_file"]
    assert errors[0].replace(NBSP, " ").startswith("Filen är större än 1,0 kB")


def test_comparison_rows_are_bounded_by_the_setting(client, analyst, method, settings):
    settings.EMPLUS_TABLE_MAX_ROWS = 3
    client.force_login(analyst)
    upload = io.BytesIO(b"exit_employed;isced\n" + b"ja;3\n" * 4)
    upload.name = "comparison.csv"
    response = _english(client).post(EFFECTS_URL, _effect_form(comparison_file=upload))
    errors = response.context["form"].errors["comparison_file"]
    assert errors[0].startswith("The file has more than 3 rows")


def test_an_api_body_over_the_request_limit_is_refused_before_it_is_read(
    client, coordinator, settings
):
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(coordinator)
    # when
    response = client.post(
        "/api/participants/", data="{" + " " * 2048 + "}", content_type="application/json"
    )
    # then
    assert response.status_code == 413
    assert "1,0 kB" in response.json()["detail"].replace(NBSP, " ")
