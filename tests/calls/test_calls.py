"""Funding calls (issue 11, item 3): registered by coordinators for their organisation, changed
by them and the partnership administrator, listed open by deadline for every role."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from emplus.calls import services
from emplus.calls.models import Call
from emplus.core.models import AuditEvent
from emplus.methods.models import ThematicArea
from emplus.methods.services import thematic_area_reference_load
from tests.audited import assert_audited_in_one_transaction

pytestmark = pytest.mark.django_db


def _form(org, **changes):
    deadline = timezone.localdate() + dt.timedelta(days=30)
    return {
        "organisation": str(org.pk),
        "funder": "esf_plus",
        "funder_name": "",
        "title": "Vägar till arbete 2027",
        "deadline": deadline.isoformat(),
        "target_regions": ["24"],
        "budget_frame": "12000000",
        "eligibility_notes": "Ideella organisationer",
        "link_text": "esf.se/utlysningar",
        **changes,
    }


def make_call(actor, org, *, title="Utlysning", days=30, **values):
    return services.call_create(
        actor=actor,
        organisation=org,
        funder=values.pop("funder", "vinnova"),
        title=title,
        deadline=timezone.localdate() + dt.timedelta(days=days),
        **values,
    )


def test_coordinator_registers_a_call_and_everyone_sees_it_open(client, coordinator, coach, org_a):
    thematic_area_reference_load()
    client.force_login(coordinator)
    response = client.post("/calls/new/", _form(org_a))
    assert response.status_code == 302
    call = Call.objects.get()
    assert [c.code for c in call.target_regions.all()] == ["24"]
    assert AuditEvent.objects.filter(action="call.created").count() == 1
    client.force_login(coach)
    html = client.get("/calls/").content.decode()
    assert "Vägar till arbete 2027" in html
    assert client.get(f"/calls/{call.pk}/").status_code == 200
    assert client.get("/calls/new/").status_code == 403


def test_open_calls_are_listed_by_deadline_and_closed_ones_left_out(client, coordinator, org_a):
    make_call(coordinator, org_a, title="Senare", days=60)
    make_call(coordinator, org_a, title="Snart", days=3)
    make_call(coordinator, org_a, title="Stängd", days=-1)
    client.force_login(coordinator)
    html = client.get("/calls/").content.decode()
    assert html.index("Snart") < html.index("Senare")
    assert "Stängd" not in html


def test_open_calls_page_is_paginated_within_a_query_budget(
    client, coordinator, org_a, django_assert_max_num_queries
):
    for i in range(30):
        make_call(coordinator, org_a, title=f"Utlysning {i:02}", days=i + 1)
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        html = client.get("/calls/").content.decode()
    assert "Utlysning 24" in html and "Utlysning 25" not in html
    assert "Utlysning 25" in client.get("/calls/?page=2").content.decode()


def test_a_named_funder_needs_its_name_and_bad_input_is_named(client, coordinator, org_a):
    client.force_login(coordinator)
    response = client.post("/calls/new/", _form(org_a, funder="region", budget_frame="-5"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#id_funder_name"' in html and 'href="#id_budget_frame"' in html
    assert not Call.objects.exists()


def test_other_organisations_coordinator_cannot_change_the_call(
    client, coordinator, other_org_coordinator, admin_user, org_a, org_b
):
    call = make_call(coordinator, org_a)
    client.force_login(other_org_coordinator)
    assert client.get(f"/calls/{call.pk}/").status_code == 200  # every role reads calls
    assert client.get(f"/calls/{call.pk}/edit/").status_code == 404
    response = client.post("/calls/new/", _form(org_a))
    assert response.status_code == 200 and Call.objects.count() == 1  # A is not a choice
    with pytest.raises(PermissionDenied):
        services.call_update(actor=other_org_coordinator, call=call, title="Kapad")
    # the partnership administrator changes any call
    assert services.call_can_change(actor=admin_user, call=call)


def test_call_update_is_audited_in_its_transaction(coordinator, org_a):
    call = make_call(coordinator, org_a)
    assert_audited_in_one_transaction(
        lambda: services.call_update(actor=coordinator, call=call, title="Ny titel"),
        action="call.changed",
        state=lambda: Call.objects.get().title,
    )
    services.call_update(actor=coordinator, call=Call.objects.get(), title="Tredje titeln")
    assert AuditEvent.objects.filter(action="call.changed").last().details == {"fields": ["title"]}


def test_api_lists_calls_to_every_role_and_refuses_no_role(
    client, coordinator, coach, no_role_user, org_a
):
    call = make_call(coordinator, org_a, title="API-utlysning", days=10)
    client.force_login(coach)
    rows = client.get("/api/calls/").json()["results"]
    assert [r["title"] for r in rows] == ["API-utlysning"]
    assert client.get(f"/api/calls/{call.pk}/").json()["organisation"] == org_a.code
    client.force_login(no_role_user)
    assert client.get("/api/calls/").status_code == 403


def test_open_calls_export_as_csv_and_xlsx_by_deadline_with_inert_cells(
    client, coordinator, coach, org_a
):
    # given two open calls (one titled like a formula, with a theme, a region and a budget)
    # and a closed one
    thematic_area_reference_load()
    later = make_call(coordinator, org_a, title='=HYPERLINK("http://x")', days=60)
    soon = make_call(
        coordinator,
        org_a,
        title="Snart",
        days=3,
        funder="region",
        funder_name="Region Västerbotten",
        budget_frame=5_000_000,
    )
    soon.themes.set([ThematicArea.objects.get(code="INCLUSION")])
    soon.target_regions.set(["24"])
    make_call(coordinator, org_a, title="Stängd", days=-1)
    client.force_login(coach)
    # when the list links to the export and the coach downloads it as CSV
    assert "/calls/export/?format=csv" in client.get("/calls/").content.decode()
    response = client.get("/calls/export/?format=csv")
    # then the open calls come nearest deadline first, the closed one is left out
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Slutdatum", "Utlysning", "Finansiär"]
    assert [r[1] for r in rows[1:]] == ["Snart", '\'=HYPERLINK("http://x")']
    assert rows[1][2] == "En region: Region Västerbotten"
    assert rows[1][3:6] == ["Inkluderingsmetoder", "Västerbottens län", "5000000"]
    assert rows[2][4] == "Hela Sverige"
    # and the XLSX holds the same calls, the formula as a plain string
    book = load_workbook(io.BytesIO(client.get("/calls/export/?format=xlsx").content))
    titles = [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert titles == ["Snart", later.title]
    assert book.active.cell(row=3, column=2).data_type == "s"
    # and the API lists the same calls with the same deadlines (closed ones too, by deadline)
    api = client.get("/api/calls/").json()["results"]
    open_api = [r for r in api if r["deadline"] >= timezone.localdate().isoformat()]
    assert [(r["title"], r["deadline"]) for r in open_api] == [
        (r[1].lstrip("'"), r[0]) for r in rows[1:]
    ]


def test_calls_export_refuses_an_unknown_format_and_a_user_without_role(
    client, coordinator, no_role_user, org_a
):
    make_call(coordinator, org_a)
    client.force_login(coordinator)
    assert client.get("/calls/export/?format=pdf").status_code == 400
    client.force_login(no_role_user)
    assert client.get("/calls/export/?format=csv").status_code == 403
