"""Effect estimates from the page: the background task, its progress and failures, scope."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from tests.conftest import import_basis, make_user

from emplus.core.roles import Role
from emplus.evidence.estimates import run_estimate
from emplus.evidence.models import EffectEstimate, EstimateStatus
from emplus.methods.models import Method
from emplus.pathways import services
from emplus.pathways.importing import participants_import
from emplus.pathways.models import Participant

pytestmark = pytest.mark.django_db

URL = "/evidence/effects/"


def person(i: int, treated: bool) -> dict:
    return {
        "participant_ref": f"P{i:03d}",
        "organisation": "ORGA",
        "birth_date": f"{1970 + i % 30}-05-01",
        "gender": "woman" if i % 2 else "man",
        "municipality_code": "2480",
        "entry_date": "2025-02-01",
        "exit_date": "2026-01-15",
        "exit_employed": "yes" if (i % 3 == 0 or (treated and i % 3 == 1)) else "no",
        "lm_status_entry": "unemployed",
        "unemployed_months": str(6 + i % 12),
        "isced": str(2 + i % 3),
        "method": "MENT" if treated else "",
    }


def csv_bytes(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def data(coach, org_a):
    Method.objects.create(code="MENT", name="Mentoring")
    rows = [person(i, i < 20) for i in range(60)]
    result = participants_import(
        actor=coach,
        organisation=org_a,
        source=csv_bytes(rows),
        file_name="f.csv",
        legal_basis="consent",
        basis=import_basis(),
        as_of=date(2026, 6, 30),
    )
    assert result.ok, result.errors


def form_data(**extra) -> dict:
    data = {
        "treated_method": "MENT",
        "comparison_kind": "group",
        "comparison_organisation": "ORGA",
        "outcome": "exit_employed",
        "covariates": ["isced", "age_at_entry", "unemployed_months"],
        "method": "ipw",
        "seed": "7",
    }
    data.update(extra)
    return data


def started(client, **extra) -> EffectEstimate:
    response = client.post(URL, form_data(**extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    return EffectEstimate.objects.get()


def test_task_runs_the_estimator_and_stores_result_and_progress(data, analyst, client):
    # given
    client.force_login(analyst)
    estimate = started(client)
    assert estimate.status == EstimateStatus.QUEUED
    # when
    done = run_estimate(estimate.pk)
    # then
    assert done.status == EstimateStatus.DONE and done.progress == 100
    assert done.result["n_treated"] == 20 and done.result["method"] == "ipw"
    assert done.result["ci_low"] <= done.result["estimate"] <= done.result["ci_high"]
    assert {b["covariate"] for b in done.result["balance"]} >= {"isced", "age_at_entry"}
    assert done.summary_sv and done.summary_en and done.finished_at
    page = client.get(f"{URL}{done.pk}/").content.decode()
    assert "<svg" in page and 'id="balance"' in page and "http-equiv" not in page
    worst = max(done.result["balance"], key=lambda b: abs(b["smd_after"]))
    assert done.result["worst_balance"]["covariate"] == worst["covariate"]
    assert 'class="worst-balance"' in page and worst["covariate"] in page
    # the same inputs and seed give the same numbers
    again = run_estimate(estimate.pk)
    assert again.result == done.result


def test_running_estimate_shows_progress_and_refreshes(data, analyst, client):
    # given
    client.force_login(analyst)
    estimate = started(client)
    EffectEstimate.objects.filter(pk=estimate.pk).update(status="running", progress=40)
    # when
    page = client.get(f"{URL}{estimate.pk}/").content.decode()
    # then
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress id="progress" max="100" value="40">' in page


def test_too_few_treated_fails_with_a_clear_message(data, analyst, client):
    # given: a test bed nobody belongs to gives no treated persons
    from emplus.testbeds.models import TestBed

    TestBed.objects.create(code="TB9", name="Empty")
    client.force_login(analyst)
    estimate = started(client, treated_method="", treated_test_bed="TB9")
    # when
    done = run_estimate(estimate.pk)
    # then
    assert done.status == EstimateStatus.FAILED and done.result is None
    assert "treated" in done.message
    page = client.get(f"{URL}{done.pk}/").content.decode()
    assert 'id="failure"' in page and "http-equiv" not in page


def test_comparison_file_is_stored_and_used(data, analyst, client):
    # given
    client.force_login(analyst)
    upload = io.BytesIO(
        b"exit_employed;isced;age_at_entry;unemployed_months\n"
        + b"".join(
            f"{'ja' if i % 4 == 0 else 'nej'};{2 + i % 3};{35 + i % 20};{6 + i % 12}\n".encode()
            for i in range(40)
        )
    )
    upload.name = "comparison.csv"
    # when
    estimate = started(client, comparison_kind="file", comparison_file=upload)
    done = run_estimate(estimate.pk)
    # then
    assert len(estimate.comparison_rows) == 40, done.message
    assert done.status == EstimateStatus.DONE, done.message
    assert done.result["n_control"] == 40


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"treated_method": ""}, "at least one characteristic"),
        ({"comparison_organisation": "", "comparison_method": "MENT"}, "must differ"),
        ({"comparison_kind": "file"}, "Choose a comparison file"),
        ({"method": "magic"}, "magic"),
        ({"covariates": []}, "required"),
    ],
)
def test_form_validation(data, analyst, client, extra, message):
    # given
    client.force_login(analyst)
    # when
    response = client.post(URL, form_data(**extra), HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 200
    assert not EffectEstimate.objects.exists()


def test_coordinator_cannot_choose_another_organisation(data, coordinator, client, org_b):
    # given
    client.force_login(coordinator)
    # when
    response = client.post(URL, form_data(treated_organisation="ORGB"))
    # then
    assert response.status_code == 200 and not EffectEstimate.objects.exists()


def test_other_organisations_estimate_is_404(data, analyst, client, org_b):
    # given
    client.force_login(analyst)
    estimate = started(client)
    stranger = make_user("analyst-b", org_b, Role.ANALYST)
    client.force_login(stranger)
    # when / then
    assert client.get(f"{URL}{estimate.pk}/").status_code == 404
    assert str(estimate.pk) not in client.get(URL).content.decode()


def test_coach_is_refused(data, coach, client):
    # given
    client.force_login(coach)
    # when / then
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data()).status_code == 403


def test_an_estimate_leaves_out_participants_whose_basis_does_not_cover_statistics(
    data, analyst, coach, client
):
    # given five treated participants whose newer consent leaves statistics out

    for participant in Participant.objects.filter(
        participant_ref__in=[f"P{i:03d}" for i in range(5)]
    ):
        services.consent_record(
            actor=coach,
            participant=participant,
            information_version="2",
            given_on=date(2026, 6, 1),
            case_work=True,
        )
    client.force_login(analyst)
    # when the estimate runs
    done = run_estimate(started(client).pk)
    # then they are not in it (an evaluation is not the ESF+ reporting duty)
    assert done.status == EstimateStatus.DONE
    assert done.result["n_treated"] == 15
